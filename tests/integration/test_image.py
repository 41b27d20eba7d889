# SPDX-License-Identifier: LGPL-2.1-or-later
"""test_image.py: `vmsilo image build` and the default guest image, booted under QEMU/TCG.

The build tests run the real builder against the host's kernel and modules into temp state
dirs. The boot tests start one microvm guest from the image (see vmguest.py) and check what the
guest's /init promised: every module loaded, the agent port present, the agent's HELLO, the
guest user, vmsilo.hostname, vmsilo.ifname and the agent restart.
"""
import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vmguest import VmGuest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent.parent
BUILD_DIR = Path(os.environ.get("VMSILO_BUILD_DIR", "build")).resolve()
VMSILO = BUILD_DIR / "src/cli/vmsilo"
BUILD_AGENT = BUILD_DIR / "src/agent/vmsilo-agent"
BUILD_INIT = BUILD_DIR / "guest/init"
BUSYBOX = Path("/bin/busybox")

FRAME_HEADER = struct.Struct("<IHHI")  # size, type, flags, stream (docs/protocol.md §1)
FRAME_HELLO = 0x0001
HELLO_SIZE = 16
GUEST_MAC = "52:54:00:12:34:56"
GUEST_IFNAME = "lan0"
GUEST_HOSTNAME = "image-test"
# Each must be logged and ignored; "*" must not be glob-expanded by /init.
BAD_PARAMS = "vmsilo.hostname=-bad vmsilo.ifname=*,52:54:00:00:00:01 vmsilo.loglevel=loud"

NEWC_HEADER_SIZE = 110


def is_static_elf(path):
    """True for an ELF without PT_INTERP (what the builder accepts)."""
    out = subprocess.run(["readelf", "-lW", str(path)], capture_output=True, text=True)
    return out.returncode == 0 and "INTERP" not in out.stdout


def agent_for_image():
    """(path, real): $VMSILO_GUEST_AGENT (a plain build's agent while the rest of the suite runs
    sanitised), the build's static agent, or busybox standing in for it (then the agent never
    starts: busybox has no vmsilo-agent applet, which exercises the restart loop)."""
    for agent in (os.environ.get("VMSILO_GUEST_AGENT"), BUILD_AGENT):
        if agent and Path(agent).is_file() and is_static_elf(agent):
            return Path(agent), True
    return BUSYBOX, False


def vmsilo_image_build(*args, check=True):
    if not VMSILO.is_file():
        pytest.fail(f"{VMSILO} is not built (set VMSILO_BUILD_DIR?)")
    env = dict(os.environ)
    env.pop("VMSILO_AGENT", None)
    env.pop("VMSILO_INIT", None)
    p = subprocess.run([str(VMSILO), "image", "build", *map(str, args)], capture_output=True,
                       text=True, env=env, timeout=300)
    if check and p.returncode != 0:
        pytest.fail(f"vmsilo image build failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return p


def read_newc(path):
    """{name: (mode, data)} of a newc cpio archive (the builder's output is uncompressed)."""
    buf = Path(path).read_bytes()
    entries, off = {}, 0
    while off < len(buf):
        assert buf[off:off + 6] == b"070701", f"bad magic at {off}"
        fields = [int(buf[off + 6 + 8 * i:off + 14 + 8 * i], 16) for i in range(13)]
        mode, size, name_size = fields[1], fields[6], fields[11]
        name = buf[off + NEWC_HEADER_SIZE:off + NEWC_HEADER_SIZE + name_size - 1].decode()
        off = (off + NEWC_HEADER_SIZE + name_size + 3) & ~3
        data = buf[off:off + size]
        off = (off + size + 3) & ~3
        if name == "TRAILER!!!":
            break
        assert fields[2] == 0 and fields[3] == 0 and fields[5] == 0, name  # uid, gid, mtime
        entries[name] = (mode, data)
    return entries


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """A default image built into a temp state dir: dict with dir, kernel, initrd, real_agent."""
    state = tmp_path_factory.mktemp("state")
    agent, real = agent_for_image()
    p = vmsilo_image_build("--state-dir", state, "--agent", agent, "--init", BUILD_INIT)
    assert "Built image" in p.stdout
    d = state / "images/default"
    return {"state": state, "dir": d, "kernel": d / "vmlinuz", "initrd": d / "initramfs.cpio",
            "agent": agent, "real_agent": real}


def module_order(initrd):
    entries = read_newc(initrd)
    text = entries["lib/vmsilo/modules.order"][1].decode()
    return [line for line in text.splitlines() if line]


# ---- building --------------------------------------------------------------------------------

def test_build_is_up_to_date_on_second_run(image):
    before = {n: os.stat(image["dir"] / n).st_ino for n in ("vmlinuz", "initramfs.cpio")}
    p = vmsilo_image_build("--state-dir", image["state"], "--agent", image["agent"],
                           "--init", BUILD_INIT)
    assert "up to date" in p.stdout
    after = {n: os.stat(image["dir"] / n).st_ino for n in ("vmlinuz", "initramfs.cpio")}
    assert before == after


def test_build_rebuilds_when_an_input_changes(image, tmp_path):
    init = tmp_path / "init"
    shutil.copy(BUILD_INIT, init)
    out = tmp_path / "img"
    args = ("--output", out, "--agent", image["agent"], "--init", init)
    assert "Built image" in vmsilo_image_build(*args).stdout
    assert "up to date" in vmsilo_image_build(*args).stdout
    with open(init, "a") as f:
        f.write("# changed\n")
    assert "Built image" in vmsilo_image_build(*args).stdout
    assert read_newc(out / "initramfs.cpio")["init"][1].endswith(b"# changed\n")
    assert "Built image" in vmsilo_image_build(*args, "--force").stdout


def test_failed_build_leaves_previous_image_intact(image, tmp_path):
    out = tmp_path / "img"
    args = ("--output", out, "--agent", image["agent"], "--init", BUILD_INIT)
    vmsilo_image_build(*args)
    manifest = (out / "manifest").read_bytes()
    initrd = (out / "initramfs.cpio").read_bytes()
    # A dynamically linked busybox cannot run in the image: the build must refuse it.
    p = vmsilo_image_build(*args, "--busybox", "/bin/ls", "--force", check=False)
    assert p.returncode == 1
    assert "dynamically linked" in p.stderr
    assert (out / "manifest").read_bytes() == manifest
    assert (out / "initramfs.cpio").read_bytes() == initrd
    assert sorted(os.listdir(tmp_path)) == ["img"]  # no temp dir left behind


def test_initramfs_carries_the_init_stages_and_the_one_guest_user(image):
    """/init sources lib/vmsilo/init.d/*.sh: the build tree's guest/init.d, the guest user's
    definition (guest/user.conf) first; the manifest names each stage."""
    entries = read_newc(image["initrd"])
    stages = sorted(n for n in entries if n.startswith("lib/vmsilo/init.d/"))
    source = REPO / "guest/init.d"
    assert stages == sorted(["lib/vmsilo/init.d/00-user.sh"] +
                            [f"lib/vmsilo/init.d/{p.name}" for p in source.glob("*.sh")])
    assert entries["lib/vmsilo/init.d/00-user.sh"][1] == (REPO / "guest/user.conf").read_bytes()
    assert entries["lib/vmsilo/init.d/10-log.sh"][1] == (source / "10-log.sh").read_bytes()
    manifest = (image["dir"] / "manifest").read_text()
    assert manifest.count("\ninit-stage ") == len(stages), manifest


def test_a_build_removes_what_an_interrupted_one_left(image, tmp_path):
    """vmsilod kills its background build when it stops: the next build clears the temp dir."""
    out = tmp_path / "img"
    stale = tmp_path / ".img.tmp-AbC123"
    stale.mkdir()
    (stale / "initramfs.cpio").write_bytes(b"half")
    other = tmp_path / ".other.tmp-AbC123"
    other.mkdir()
    vmsilo_image_build("--output", out, "--agent", image["agent"], "--init", BUILD_INIT)
    assert not stale.exists()
    assert other.is_dir()


def test_build_finds_agent_and_init_in_the_build_tree(image, tmp_path):
    if not (BUILD_AGENT.is_file() and is_static_elf(BUILD_AGENT)):
        pytest.skip(f"{BUILD_AGENT} is missing or not static (a sanitised build's is dynamic)")
    out = tmp_path / "img"
    vmsilo_image_build("--output", out)
    inputs = {line.split()[0]: line.split()[2]
              for line in (out / "manifest").read_text().splitlines()[2:]}
    assert Path(inputs["agent"]).resolve() == BUILD_AGENT.resolve()
    assert Path(inputs["init"]).resolve() == BUILD_INIT.resolve()


def test_initramfs_holds_init_busybox_agent_and_modules(image):
    entries = read_newc(image["initrd"])
    assert entries["init"][0] == 0o100755
    assert entries["dev/console"][0] == 0o020600
    assert entries["bin/busybox"][1] == BUSYBOX.read_bytes()
    assert entries["usr/bin/vmsilo-agent"][1] == Path(image["agent"]).read_bytes()
    assert entries["bin/sh"][0] & 0o170000 == 0o120000
    assert entries["bin/sh"][1] == b"/bin/busybox"
    order = module_order(image["initrd"])
    names = [Path(m).name for m in order]
    for wanted in ("virtio_console.ko", "virtio_mmio.ko", "virtio_net.ko", "9pnet_virtio.ko",
                   "overlay.ko", "ext4.ko"):
        assert wanted in names
    assert names.index("virtio_ring.ko") < names.index("virtio.ko") < names.index(
        "virtio_console.ko")
    for m in order:
        assert entries[m.lstrip("/")][1][:4] == b"\x7fELF", m


def test_initramfs_is_reproducible(image, tmp_path):
    out = tmp_path / "img"
    vmsilo_image_build("--output", out, "--agent", image["agent"], "--init", BUILD_INIT)
    assert (out / "initramfs.cpio").read_bytes() == image["initrd"].read_bytes()


def compressed_name(rel):
    """Spreads modules over both compressions, deterministically."""
    return rel + (".xz" if sum(rel.encode()) % 2 else ".zst")


def test_build_decompresses_xz_and_zstd_modules(image, tmp_path):
    """A modules dir whose modules are .ko.xz and .ko.zst gives the same plain .ko bytes."""
    kver = (image["dir"] / "manifest").read_text().splitlines()[1].split()[1]
    src = Path("/lib/modules") / kver
    dst = tmp_path / "root/lib/modules" / kver
    dst.mkdir(parents=True)
    rel_by_name = {Path(line.split(":", 1)[0]).stem.replace("-", "_"): line.split(":", 1)[0]
                   for line in (src / "modules.dep").read_text().splitlines()}
    shutil.copy(src / "modules.builtin", dst / "modules.builtin")
    for m in module_order(image["initrd"]):
        rel = rel_by_name[Path(m).stem]
        target = dst / compressed_name(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        tool = ["xz", "-c"] if target.suffix == ".xz" else ["zstd", "-q", "-c"]
        with open(target, "wb") as f:
            subprocess.run(tool + [str(src / rel)], stdout=f, check=True)
    # depmod writes the indexes libkmod reads, softdeps (modules.softdep) included.
    subprocess.run(["depmod", "-b", str(tmp_path / "root"), kver], check=True)
    out = tmp_path / "img"
    vmsilo_image_build("--output", out, "--modules-dir", dst, "--agent", image["agent"],
                       "--init", BUILD_INIT)
    assert (out / "initramfs.cpio").read_bytes() == image["initrd"].read_bytes()
    manifest = (out / "manifest").read_text()
    assert ".ko.xz" in manifest and ".ko.zst" in manifest


# ---- booting ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def guest(image):
    """One booted guest for the checks below; records boot-to-HELLO wall time."""
    append = (f"quiet vmsilo.shell=1 {BAD_PARAMS} vmsilo.hostname={GUEST_HOSTNAME} "
              f"vmsilo.ifname={GUEST_IFNAME},{GUEST_MAC} vmsilo.loglevel=info")
    extra = ["-netdev", "hubport,id=n0,hubid=0",
             "-device", f"virtio-net-device,netdev=n0,mac={GUEST_MAC}"]
    with VmGuest(image["kernel"], image["initrd"], append=append, extra_args=extra) as g:
        g.hello = None
        if image["real_agent"]:
            header = g.agent_read(FRAME_HEADER.size)
            g.hello_seconds = time.monotonic() - g.started_at
            g.hello = (FRAME_HEADER.unpack(header), g.agent_read(HELLO_SIZE))
            sys.stderr.write(f"\nboot-to-HELLO: {g.hello_seconds:.1f} s wall\n")
        g.wait_for_console(r"built-in shell \(ash\)")
        yield g


def test_guest_init_loads_every_module(guest, image):
    order = module_order(image["initrd"])
    m = guest.wait_for_console(r"vmsilo-init: modules: (\d+)/(\d+) loaded")
    assert (int(m.group(1)), int(m.group(2))) == (len(order), len(order))
    assert "failed to load" not in guest.console_log
    status, out = guest.console_run("cut -d' ' -f1 /proc/modules")
    assert status == 0
    loaded = set(out.split())
    for path in order:
        assert Path(path).stem in loaded


def test_guest_has_named_agent_port(guest):
    status, out = guest.console_run("cat /sys/class/virtio-ports/*/name")
    assert status == 0
    assert "org.vmsilo.agent" in out.split()


def test_agent_sends_hello_first(guest, image):
    if not image["real_agent"]:
        pytest.skip(f"{BUILD_AGENT} is missing or not static; the image runs a stand-in")
    (size, ftype, flags, stream), payload = guest.hello
    assert (size, ftype, flags, stream) == (HELLO_SIZE, FRAME_HELLO, 0, 0)
    major, minor = struct.unpack_from("<HH", payload)
    assert major == 1


def test_guest_user_exists_with_private_home(guest):
    status, out = guest.console_run("id user; stat -c '%u:%g %a' /home/user")
    assert status == 0
    assert "uid=1000(user) gid=1000(user)" in out
    assert "1000:1000 700" in out


def test_guest_allows_unprivileged_ping(guest):
    # Every group may open ICMP echo sockets, as systemd sets by default.
    status, out = guest.console_run("cat /proc/sys/net/ipv4/ping_group_range")
    assert status == 0
    assert "0\t2147483647" in out


def test_guest_mounts_runtime_filesystems(guest):
    status, out = guest.console_run("cat /proc/mounts")
    assert status == 0
    mounts = {(f[1], f[2]) for f in (line.split() for line in out.splitlines()) if len(f) > 2}
    for m in (("/proc", "proc"), ("/sys", "sysfs"), ("/dev", "devtmpfs"), ("/dev/pts", "devpts"),
              ("/run", "tmpfs"), ("/tmp", "tmpfs"), ("/sys/fs/cgroup", "cgroup2")):
        assert m in mounts


def test_guest_hostname_comes_from_cmdline(guest):
    status, out = guest.console_run("hostname")
    assert status == 0
    assert GUEST_HOSTNAME in out.split()


def test_guest_ifname_renames_nic_by_mac(guest):
    status, out = guest.console_run(f"cat /sys/class/net/{GUEST_IFNAME}/address")
    assert status == 0
    assert GUEST_MAC in out.split()


def test_guest_ignores_malformed_parameters(guest):
    log = guest.console_log
    assert "ignoring bad vmsilo.hostname='-bad'" in log
    assert "ignoring vmsilo.ifname='*,52:54:00:00:00:01': bad name" in log
    assert "ignoring bad vmsilo.loglevel='loud'" in log


def test_agent_is_restarted_after_exit(guest, image):
    start = len(guest.console_log.encode())
    if image["real_agent"]:
        status, _ = guest.console_run("kill $(pidof vmsilo-agent)")
        assert status == 0
    guest.wait_for_console(r"vmsilo-agent exited; restarting in 1 s", timeout=60,
                           start=0 if not image["real_agent"] else start)
    if not image["real_agent"]:
        return
    # The restarted agent greets again; skip whatever the old one sent after its HELLO.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        size, ftype, _, stream = FRAME_HEADER.unpack(guest.agent_read(FRAME_HEADER.size))
        payload = guest.agent_read(size) if size else b""
        if ftype == FRAME_HELLO and stream == 0:
            assert struct.unpack_from("<H", payload)[0] == 1
            return
    pytest.fail("no second HELLO after the agent restarted")
