# SPDX-License-Identifier: LGPL-2.1-or-later
"""The VMM sandbox (docs/sandbox.md) through vmsilod's real spawn path: a compromised-VMM
stand-in (tests/helpers/hostile-vmm.c), vmsilod's --qemu-system and --crosvm, tries to
reach the daemon's sockets, other processes, the user's files and session sockets, the network,
device nodes it was not given, and opens /dev/kvm. The same stand-in run as the same user outside
the sandbox shows that each attempt is real. A QEMU VM with PCI passthrough (a fake sysfs,
fake_sysfs.py, through vmsilod --sys-root) and a crosvm VM are contained the same way; the
passthrough one reaches its VFIO nodes and its device's sysfs files, read-only. Also: vmsilod's
sockets refuse peers in another PID namespace, and the VMM log is capped and root-only."""
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from daemon import TEST_USER, Daemon, build_dir, ensure_test_user, public_dir, vm
from fake_sysfs import FakeSysfs

FLOOD_BYTES = 8 * 1024 * 1024
LOG_MAX_BYTES = 1024 * 1024  # VMM_LOG_MAX_BYTES (src/daemon/vmm-log.h)

# Device nodes every user may open on the host, which no VMM is given.
HOST_DEVICES = ("/dev/net/tun", "/dev/fuse")
# Every attempt the stand-in makes but /dev/kvm, which it should get.
ATTACKS = ("control_socket", "command_socket", "session_bus", "abstract_socket", "kill",
           "ptrace", "process_vm_readv", "proc_mem", "home_file", "tcp_connect", "udp_send",
           "unshare_user_ns") + tuple(f"open rw {path}" for path in HOST_DEVICES)

# The passthrough VM's device (IOMMU group 7) and one in group 8 nobody is given.
DEVICE, DEVICE_GROUP = "0000:07:00.0", 7
OTHER, OTHER_GROUP = "0000:08:00.0", 8
SYSFS = f"/sys/bus/pci/devices/{DEVICE}"
# What the passthrough VMM opens by the paths QEMU and crosvm use: (mode, path).
GRANTED = (("rw", "/dev/vfio/vfio"), ("rw", f"/dev/vfio/{DEVICE_GROUP}"),
           ("r", f"{SYSFS}/class"),
           # through the iommu_group link to the group's directory and back
           ("r", f"{SYSFS}/iommu_group/devices/{DEVICE}/class"))
REFUSED = (("rw", f"/dev/vfio/{OTHER_GROUP}"), ("r", f"/sys/bus/pci/devices/{OTHER}/class"),
           ("w", f"{SYSFS}/driver_override"), ("w", f"{SYSFS}/class"))


def hostile_binary():
    return str(build_dir() / "tests/helpers/hostile-vmm")


def root_opens_kvm():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def parse_report(text):
    """{attempt: record} from the stand-in's JSON lines (other lines ignored)."""
    report = {}
    for line in text.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            report[record["attempt"]] = record
    return report


class Targets:
    """What the stand-in goes after, all reachable by the test user outside any sandbox."""

    def __init__(self, user):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="vs-sandbox-", dir="/tmp"))
        self.dir.chmod(0o755)
        self.home_file = self.dir / "secret"
        self.home_file.write_text("the user's data\n")
        os.chown(self.home_file, user.pw_uid, user.pw_gid)
        self.home_file.chmod(0o600)
        self.bus_path = self.dir / "bus"
        self.bus = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.bus.bind(str(self.bus_path))
        os.chown(self.bus_path, user.pw_uid, user.pw_gid)
        self.bus_path.chmod(0o700)
        self.bus.listen(16)
        self.abstract_name = f"sandbox-hostile-{os.getpid()}"
        self.abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abstract.bind("\0" + self.abstract_name)
        self.abstract.listen(16)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.victims = []
        self.bin = self.dir / "bin"
        self.bin.mkdir()
        for vmm in ("qemu-system-x86_64", "crosvm"):
            (self.bin / vmm).symlink_to(hostile_binary())

    def victim(self, user):
        proc = subprocess.Popen(["sleep", "600"], user=user.pw_uid, group=user.pw_gid)
        self.victims.append(proc)
        return proc

    def env(self, victim, runtime):
        opens = [("rw", path) for path in HOST_DEVICES] + list(GRANTED) + list(REFUSED)
        return {
            "HOSTILE_OPEN": " ".join(f"{mode}:{path}" for mode, path in opens),
            "HOSTILE_CONTROL_SOCKET": str(runtime / "control.socket"),
            "HOSTILE_COMMAND_SOCKET": str(runtime / "hostile-command.socket"),
            "HOSTILE_BUS_SOCKET": str(self.bus_path),
            "HOSTILE_ABSTRACT_SOCKET": self.abstract_name,
            "HOSTILE_VICTIM_PID": str(victim.pid),
            "HOSTILE_HOME_FILE": str(self.home_file),
            "HOSTILE_TCP_PORT": str(self.port),
        }

    def close(self):
        for proc in self.victims:
            proc.kill()
            proc.wait()
        for s in (self.bus, self.abstract, self.tcp, self.udp):
            s.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def user():
    return ensure_test_user()


@pytest.fixture(scope="module")
def targets(user):
    t = Targets(user)
    yield t
    t.close()


def fake_sysfs(root):
    """The passthrough VM's device and another, both bound to vfio-pci. Every file is writable by
    anyone and every node openable, so only the sandbox keeps the VMM from them."""
    sysfs = FakeSysfs(root, ["vfio-pci"])
    for address, group in ((DEVICE, DEVICE_GROUP), (OTHER, OTHER_GROUP)):
        sysfs.add_device(address, 0x0c0330, group, "vfio-pci")
        for name in ("class", "driver_override"):
            (sysfs.pci / "devices" / address / name).chmod(0o666)
    (sysfs.root / f"dev/vfio/{OTHER_GROUP}").chmod(0o666)
    return sysfs


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory, targets, user):
    """A vmsilod whose VMs run the stand-in; `hostile` probes, `flood` floods its log,
    `hostile-pci` probes with a passthrough device, `hostile-crosvm` probes as crosvm."""
    tmp = tmp_path_factory.mktemp("sandbox")
    sysfs = fake_sysfs(tmp / "root")
    boot = public_dir("vs-sandbox-boot-")
    for name in ("vmlinuz", "initrd"):
        (boot / name).write_bytes(b"not a kernel\n")
    common = {"kernel": str(boot / "vmlinuz"), "initramfs": str(boot / "initrd")}
    vms = [vm(name, **common) for name in ("hostile", "flood")]
    vms.append(vm("hostile-pci", pciDevices=[{"path": DEVICE}], **common))
    vms.append(vm("hostile-crosvm", vmm="crosvm", gpu=False, sound=False, **common))
    d = Daemon(tmp, public_dir("vs-sandbox-state-"), vms,
               extra_args=["--qemu-system", str(targets.bin / "qemu-system-x86_64"),
                           "--crosvm", str(targets.bin / "crosvm"), "--sys-root", str(sysfs.root)])
    victim = targets.victim(user)
    d.env.update(targets.env(victim, d.runtime))
    d.env.update({"HOSTILE_FLOOD_NAME": "flood", "HOSTILE_FLOOD_BYTES": str(FLOOD_BYTES)})
    d.victim = victim
    d.start()
    yield d
    d.stop()
    sysfs.stop()
    for path in (boot, d.state, d.runtime):
        shutil.rmtree(path, ignore_errors=True)


def start_and_wait_for_log(d, name, needle, timeout=60):
    """Starts VM `name` (its stand-in never answers as an agent) and waits for `needle` in its
    VMM log."""
    starter = subprocess.Popen([str(build_dir() / "src/cli/vmsilo"), "start", name], env=d.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = d.runtime / f"{name}.log"
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if log.exists() and needle in log.read_text(errors="replace"):
                return log
            time.sleep(0.1)
        raise TimeoutError(f"no {needle!r} in {log}; vmsilod said:\n{d.output()}")
    finally:
        starter.kill()
        starter.wait()


def test_the_stand_ins_attempts_all_work_outside_the_sandbox(targets, user, tmp_path):
    """The control run: as the VM user, without vmsilod, every attempt succeeds (so the sandboxed
    run below fails for the sandbox's sake, not the test's)."""
    runtime = public_dir("vs-sandbox-run-")
    listeners = []
    try:
        for name in ("control.socket", "hostile-command.socket"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(str(runtime / name))
            (runtime / name).chmod(0o777)  # as vmsilod makes them: SO_PEERCRED decides
            s.listen(4)
            listeners.append(s)
        victim = targets.victim(user)
        env = dict(os.environ, **targets.env(victim, runtime))
        proc = subprocess.Popen([hostile_binary()], env=env, user=user.pw_uid, group=user.pw_gid,
                                extra_groups=[], stdout=subprocess.PIPE, text=True)
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if '"done"' in line:
                break
        proc.terminate()
        proc.wait()
        report = parse_report("".join(lines))
        for attack in ATTACKS:
            assert report[attack]["ok"], (attack, report[attack])
    finally:
        for s in listeners:
            s.close()
        shutil.rmtree(runtime, ignore_errors=True)


def test_a_compromised_vmm_reaches_nothing_but_kvm(sandboxed, user):
    log = start_and_wait_for_log(sandboxed, "hostile", '"done"')
    report = parse_report(log.read_text())
    failed_open = {a: r for a, r in report.items() if a in ATTACKS and r["ok"]}
    assert not failed_open, failed_open
    assert set(ATTACKS) <= set(report), report
    assert report["identity"]["uid"] == user.pw_uid
    assert report["identity"]["pid"] == 1  # its own PID namespace
    assert report["identity"]["groups"] <= 1  # at most the /dev/kvm group
    assert report["dev_kvm"]["ok"] == root_opens_kvm(), report["dev_kvm"]
    # stdio, then QMP, agent, console and balloon monitor (docs/launch-plans.md): nothing else.
    assert set(report["fds"]["fds"]) <= {0, 1, 2, 3, 4, 5, 6}, report["fds"]
    assert sandboxed.victim.poll() is None, "the stand-in killed a process outside"


def test_the_vmm_log_is_root_only_and_capped(sandboxed):
    log = start_and_wait_for_log(sandboxed, "flood", "were dropped]")
    st = log.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (0, 0, 0o600)
    text = log.read_text()
    assert st.st_size <= LOG_MAX_BYTES + 200
    assert text.startswith("x" * 100)
    dropped = re.search(r"; (\d+) more bytes of VMM output were dropped\]\n$", text)
    assert dropped, text[-300:]
    assert int(dropped.group(1)) == FLOOD_BYTES - LOG_MAX_BYTES


def test_sockets_refuse_peers_in_another_pid_namespace(sandboxed):
    """Defense in depth: root, but in another PID namespace (as a contained VMM would be)."""
    r = subprocess.run(["unshare", "--pid", "--fork", str(build_dir() / "src/cli/vmsilo"),
                        "status"], env=sandboxed.env, capture_output=True, timeout=60)
    assert r.returncode != 0
    assert b"another PID namespace" in r.stdout + r.stderr
    r = subprocess.run(["unshare", "--pid", "--fork", str(build_dir() / "src/cli/vmsilo"),
                        "run", "-T", "hostile", "true"], env=sandboxed.env, capture_output=True,
                       timeout=60)
    assert r.returncode == 125
    assert b"another PID namespace" in r.stderr
    assert sandboxed.cli("status").returncode == 0


# --- passthrough and crosvm VMMs (after the tests above: with every stand-in up, the refused
# `vmsilo run` above can see its connection reset before it reads why) ---------------------------

def assert_contained(report, user):
    reached = {a: report[a] for a in ATTACKS if report[a]["ok"]}
    assert not reached, reached
    assert report["identity"]["uid"] == user.pw_uid
    assert report["identity"]["pid"] == 1  # its own PID namespace


def opened(report, mode, path):
    return report[f"open {mode} {path}"]


def test_a_passthrough_vmm_reaches_its_device_and_nothing_else(sandboxed, user):
    log = start_and_wait_for_log(sandboxed, "hostile-pci", '"done"')
    report = parse_report(log.read_text())
    assert_contained(report, user)
    for mode, path in GRANTED:
        assert opened(report, mode, path)["ok"], (path, opened(report, mode, path))
    for mode, path in REFUSED:
        assert not opened(report, mode, path)["ok"], (path, opened(report, mode, path))
    # The device's own directory is there, read-only; the other device and group are not.
    assert opened(report, "w", f"{SYSFS}/driver_override")["error"] == "Read-only file system"
    assert opened(report, "rw", f"/dev/vfio/{OTHER_GROUP}")["error"] == \
        "No such file or directory"


def test_a_vmm_without_passthrough_gets_no_vfio_node(sandboxed):
    log = start_and_wait_for_log(sandboxed, "hostile", '"done"')
    report = parse_report(log.read_text())
    for mode, path in GRANTED:
        assert opened(report, mode, path)["error"] == "No such file or directory", path


def test_a_compromised_crosvm_is_contained_too(sandboxed, user):
    log = start_and_wait_for_log(sandboxed, "hostile-crosvm", '"done"')
    report = parse_report(log.read_text())
    assert_contained(report, user)
    # Its own jail is off: the sandbox's namespaces replace it (docs/sandbox.md).
    assert report["argv"]["argv"][1:5] == ["--log-level", "info", "run", "--disable-sandbox"]
    # stdio and the console (docs/launch-plans.md): nothing else.
    assert set(report["fds"]["fds"]) <= {0, 1, 2, 5}, report["fds"]
    assert sandboxed.victim.poll() is None, "the stand-in killed a process outside"


# --- vm-start-debug ------------------------------------------------------------------------------

def debug_config(tmp_path, user_name):
    boot = tmp_path / "boot"
    boot.mkdir(exist_ok=True)
    for name in ("vmlinuz", "initrd"):
        (boot / name).write_bytes(b"not a kernel\n")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"enable": True, "user": user_name, "nixosVms": [
        vm("hostile", kernel=str(boot / "vmlinuz"), initramfs=str(boot / "initrd"))]}))
    return config


def test_vm_start_debug_runs_the_vmm_in_the_sandbox_as_the_user(tmp_path, targets, user):
    runtime = public_dir("vs-sandbox-debug-")
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        control.bind(str(runtime / "control.socket"))
        (runtime / "control.socket").chmod(0o777)
        control.listen(4)
        victim = targets.victim(user)
        env = dict(os.environ, **targets.env(victim, runtime), VMSILO_ACCEL="tcg",
                   PATH=f"{targets.bin}:{os.environ['PATH']}")
        proc = subprocess.Popen(
            [str(build_dir() / "src/cli/vmsilo"), "start-debug", "--config",
             str(debug_config(tmp_path, TEST_USER)), "--runtime-dir", str(runtime), "hostile"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if '"done"' in line:
                break
        proc.send_signal(signal.SIGTERM)  # forwarded: the stand-in exits 0, as QEMU would
        assert proc.wait(30) == 0, proc.stderr.read()
        report = parse_report("".join(lines))
        assert report["identity"]["uid"] == user.pw_uid
        assert report["identity"]["pid"] == 1
        reached = {a: r for a, r in report.items() if a in ATTACKS and r["ok"]}
        assert not reached, reached
        assert (runtime / "hostile-debug").stat().st_uid == user.pw_uid
    finally:
        control.close()
        shutil.rmtree(runtime, ignore_errors=True)


def test_vm_start_debug_needs_root(user):
    readable = public_dir("vs-sandbox-config-")  # pytest's tmp_path is root's only
    try:
        r = subprocess.run([str(build_dir() / "src/cli/vmsilo"), "start-debug", "--config",
                            str(debug_config(readable, TEST_USER)), "hostile"],
                           user=65534, capture_output=True, timeout=30)
        assert r.returncode == 1
        assert b"vm-start-debug must run as root" in r.stderr
    finally:
        shutil.rmtree(readable, ignore_errors=True)


def test_root_as_the_vm_user_is_refused_with_its_path(tmp_path):
    r = subprocess.run([str(build_dir() / "src/cli/vmsilo"), "start-debug", "--config",
                        str(debug_config(tmp_path, "root")), "hostile"],
                       capture_output=True, timeout=30)
    assert r.returncode == 1
    assert b"user: must not be root" in r.stderr
