# SPDX-License-Identifier: LGPL-2.1-or-later
"""test_rootfs.py: Debian root images (`vmsilo image build NAME`) and disposable roots.

One small image (`hello`, `htop`, the session bus and PipeWire's Pulse server + systemd, plus a
guestConfig tree and script) is built once per session with mmdebstrap from the host's Debian
mirror; every test shares it. The guests boot under QEMU/TCG through the default
initramfs, whose /init mounts the image read-only under an overlay (upper layer: a fresh qcow2
disk or tmpfs) or, with rootDiskReadonly = false, read-write. Boots are few and each one is
used for several checks.
"""
import array
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from daemon import (Daemon, binary, build_dir, console_reply, ensure_test_user,  # noqa: E402
                    guest_agent, listen_as_user, public_dir, services_dir, vm, wait_for)
from sway import Sway  # noqa: E402
from pulse import Host, streams, tone_of, tone_wav  # noqa: E402
from userbus import UserBus, read_line  # noqa: E402

IMAGE_VM = "img"
# hello: a program to run; htop: a small package that ships a .desktop file and icons;
# dbus-user-session and pipewire-pulse: what the tray and sound need, and what debootstrap could
# not install (they pull libpam-systemd and the alternative "default-dbus-system-bus |
# dbus-system-bus", which only apt resolves).
# libwayland-client0 and libxkbcommon0: what our wl-test-client (copied in by guestConfig) links.
# alsa-utils and pulseaudio-utils: aplay/arecord and paplay/parec for the sound tests; the
# build adds wireplumber and pipewire-alsa beside pipewire-pulse (docs/sound.md).
PACKAGES = ["alsa-utils", "dbus-user-session", "hello", "htop", "libwayland-client0",
            "libxkbcommon0", "pipewire-pulse", "pulseaudio-utils"]
# mmdebstrap takes ~1-2 min here; a slow mirror gets a generous bound.
BUILD_TIMEOUT = 1200
# A systemd guest under TCG on a busy 2-core host.
BOOT_TIMEOUT = 300
OVERLAY_SIZE = "64M"
# guestConfig of the session image: a tree copied over the root and a script run in it.
CONFIG_DIR = Path(tempfile.mkdtemp(prefix="vmsilo-guestconfig-"))
GUEST_CONFIG = [str(CONFIG_DIR / "tree"), str(CONFIG_DIR / "setup.sh")]


def make_guest_config():
    (CONFIG_DIR / "tree/etc").mkdir(parents=True, exist_ok=True)
    (CONFIG_DIR / "tree/etc/vmsilo-motd").write_text("from the tree\n")
    (CONFIG_DIR / "tree/etc/vmsilo-motd").chmod(0o640)
    (CONFIG_DIR / "tree/usr/local/bin").mkdir(parents=True, exist_ok=True)
    shutil.copy(guest_wl_test_client(), CONFIG_DIR / "tree/usr/local/bin/wl-test-client")
    shutil.copy(guest_wl_test_client().parent / "tray-test-item",
                CONFIG_DIR / "tree/usr/local/bin/tray-test-item")
    script = CONFIG_DIR / "setup.sh"
    script.write_text("#!/bin/sh\nset -e\n# runs chrooted in the image, after the packages\n"
                      "hello > /etc/vmsilo-script-ran\n")
    script.chmod(0o755)


def guest_wl_test_client():
    """Built beside the guest agent: a sanitised build's would need libasan in the guest."""
    return Path(guest_agent()).resolve().parents[2] / "tests/helpers/wl-test-client"


def image_build(state, config, *args, timeout=BUILD_TIMEOUT):
    # The guest half of the tray from the plain build too (VMSILO_GUEST_TRAY, as scripts/test
    # sets it for the sanitised run).
    env = dict(os.environ, VMSILO_AGENT=guest_agent(),
               VMSILO_GUEST_TRAY=os.environ.get("VMSILO_GUEST_TRAY") or binary("vmsilo-tray"))
    return subprocess.run([binary("vmsilo"), "image", "build", *args, "--config", str(config),
                           "--state-dir", str(state)],
                          capture_output=True, text=True, env=env, timeout=timeout)


def image_vm(name, **options):
    """A VM whose inputs equal the session image's: it shares that image."""
    return vm(name, guestPrograms=PACKAGES, guestConfig=GUEST_CONFIG, **options)


def write_config(path, vms):
    path.write_text(json.dumps({"enable": True, "user": "vmsilo-test", "nixosVms": vms}))
    return path


@pytest.fixture(scope="session")
def rootfs_state():
    """A state dir holding the one built image, pointed at by images/vms/img."""
    ensure_test_user()
    state = public_dir("vmsilo-rootfs-state-")
    make_guest_config()
    config = write_config(state / "build-config.json", [image_vm(IMAGE_VM)])
    p = image_build(state, config, IMAGE_VM)
    if p.returncode != 0:
        pytest.fail(f"vmsilo image build {IMAGE_VM} failed ({p.returncode}):\n"
                    f"{p.stdout}\n{p.stderr[-4000:]}")
    yield state
    shutil.rmtree(state, ignore_errors=True)
    shutil.rmtree(CONFIG_DIR, ignore_errors=True)


def image_dir(state, name=IMAGE_VM):
    return (state / "images/vms" / name).resolve()


@pytest.fixture(scope="session")
def user_root_disk(rootfs_state, tmp_path_factory):
    """A user's own ext4 rootDisk: a copy of the built image without the agent or its unit, as
    an image made elsewhere would be. /init must install both."""
    path = public_dir("vmsilo-rootdisk-") / "root.ext4"
    shutil.copyfile(image_dir(rootfs_state) / "root.ext4", path)
    for f in ("/usr/libexec/vmsilo/vmsilo-agent",
              "/etc/systemd/system/multi-user.target.wants/vmsilo-agent.service",
              "/etc/systemd/system/vmsilo-agent.service"):
        subprocess.run(["debugfs", "-w", "-R", f"rm {f}", str(path)], check=True,
                       capture_output=True)
    listing = subprocess.run(["debugfs", "-R", "ls -l /usr/libexec/vmsilo", str(path)],
                             capture_output=True, text=True, check=True).stdout
    assert "vmsilo-agent" not in listing
    os.chown(path, *user_ids())
    yield path
    shutil.rmtree(path.parent, ignore_errors=True)


def pwd_entry():
    import pwd
    return pwd.getpwnam("vmsilo-test")


def user_ids():
    pw = pwd_entry()
    return pw.pw_uid, pw.pw_gid


@pytest.fixture(scope="module")
def shared_home():
    """The image VM's sharedHome: a path of the test's own, created by vmsilod."""
    parent = public_dir("vmsilo-shared-")
    yield parent / IMAGE_VM
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="module")
def wayland_base():
    """The user runtime dir base of the GUI test's desktop (VMSILO_USER_RUNTIME_BASE)."""
    base = public_dir("vmsilo-userrun-")
    yield base
    shutil.rmtree(base, ignore_errors=True)


# The host's tone for capturing VMs: PulseAudio's default source is a sine at this frequency,
# distinct from the tone the guests play.
HOST_TONE = 660
GUEST_TONE = 440


@pytest.fixture(scope="module")
def pulse_host(wayland_base):
    """The test user's PulseAudio at <base>/<uid>/pulse/native, there before any VM starts (the
    sound player binds that directory in at VM start): a null sink whose monitor the tests
    record, and a sine as the default source: played into a second null sink whose monitor is
    that source. Not module-sine-source: it ignores the latency a recording stream asks for and
    delivers 2 s at once, of which vmsilo-sound's 250 ms capture ring kept the first quarter
    second (a 4 s recording then held 0.25 s of tone when it caught one burst, not two); a
    monitor delivers in the small fragments the stream asks for, as a microphone does."""
    host = Host(wayland_base, runtime=wayland_base / str(user_ids()[0]))
    host.pactl("load-module", "module-null-sink", "sink_name=tone")
    host.pactl("load-module", "module-sine", "sink=tone", f"frequency={HOST_TONE}")
    host.pactl("set-default-sink", "null")
    host.pactl("set-default-source", "tone.monitor")
    yield host
    host.stop()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory, rootfs_state, user_root_disk, shared_home, wayland_base, pulse_host):
    vms = [
        image_vm(IMAGE_VM, memory=512, rootOverlay={"type": "qcow2", "size": OVERLAY_SIZE},
                 sharedHome=str(shared_home)),
        image_vm("tmpfs", memory=512, rootOverlay={"type": "tmpfs"}),
        image_vm("gui", memory=512, rootOverlay={"type": "tmpfs"}),
        # Sound is on by default (playback only); this one may record too.
        image_vm("rec", memory=512, rootOverlay={"type": "tmpfs"}, sound={"capture": True}),
        # An id of its own makes its virtio serial "userroot": /init falls back to /dev/vda.
        vm("mine", memory=512, rootDisk={"path": str(user_root_disk), "id": "userroot"},
           rootDiskReadonly=False),
        vm("unbuilt", guestPrograms=PACKAGES),
    ]
    d = Daemon(tmp_path_factory.mktemp("rootfs-daemon"), rootfs_state, vms)
    # The desktop of the GUI test: sway as the test user in <base>/<uid>, once that test starts it.
    d.env["VMSILO_USER_RUNTIME_BASE"] = str(wayland_base)
    d.env["VMSILO_WAYLAND"] = str(build_dir() / "src/wayland/vmsilo-wayland")
    # The built image is shared: every VM with the same inputs points at the same directory.
    for name in ("tmpfs", "gui", "rec"):
        link = rootfs_state / "images/vms" / name
        if not link.is_symlink():
            config = write_config(Path(d.config_path).parent / "build.json", vms)
            p = image_build(rootfs_state, config, name, timeout=120)
            assert p.returncode == 0, p.stderr
            assert "Up to date" in p.stdout, p.stdout
    # Left by a daemon that crashed: the next one deletes it before starting anything.
    (rootfs_state / "overlays").mkdir(exist_ok=True)
    (rootfs_state / "overlays" / "stale.qcow2").write_bytes(b"x")
    d.start()
    yield d
    d.stop()


def stop(daemon, name):
    reply = daemon.control({"method": "stop", "vm": name})
    assert reply["ok"], reply
    daemon.wait_state(name, "stopped", timeout=120)


def run_ok(daemon, name, script):
    r = daemon.run(name, "sh", "-c", script, timeout=BOOT_TIMEOUT)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr, daemon.output()[-3000:])
    return r.stdout.decode()


def test_image_is_content_addressed_with_a_manifest(rootfs_state):
    link = rootfs_state / "images/vms" / IMAGE_VM
    target = os.readlink(link)
    assert re.fullmatch(r"\.\./rootfs/[0-9a-f]{64}", target), target
    d = image_dir(rootfs_state)
    manifest = (d / "manifest").read_text()
    assert manifest.startswith("vmsilo-rootfs-manifest 9\n")
    assert "package hello\n" in manifest and "package systemd-sysv\n" in manifest
    assert re.search(r"^agent [0-9a-f]{64}$", manifest, re.M)
    assert re.search(r"^tray [0-9a-f]{64}$", manifest, re.M)  # tray is on by default
    assert "package dbus-daemon\n" in manifest and "package libpng16-16\n" in manifest
    # The image is readable by the VMM user, and no build leftovers remain.
    assert (d / "root.ext4").stat().st_mode & 0o004
    assert not [p for p in (rootfs_state / "images/rootfs").iterdir() if p.name.startswith(".")]
    assert re.search(r"^config-tree 0\n  dir 0755 etc\n  file [0-9a-f]{64} 0640 etc/vmsilo-motd\n"
                     r"  dir 0755 usr\n  dir 0755 usr/local\n  dir 0755 usr/local/bin\n"
                     r"  file [0-9a-f]{64} 0755 usr/local/bin/tray-test-item\n"
                     r"  file [0-9a-f]{64} 0755 usr/local/bin/wl-test-client\n"
                     r"config-script [0-9a-f]{64}$", manifest, re.M), manifest
    listing = subprocess.run(["debugfs", "-R", "ls /var/lib/apt/lists", str(d / "root.ext4")],
                             capture_output=True, text=True, check=True).stdout
    assert ".deb" not in listing and "Packages" not in listing


def test_guest_config_tree_and_script_are_applied(rootfs_state):
    image = str(image_dir(rootfs_state) / "root.ext4")

    def cat(path):
        return subprocess.run(["debugfs", "-R", f"cat {path}", image], capture_output=True,
                              text=True, check=True).stdout

    assert cat("/etc/vmsilo-motd") == "from the tree\n"
    # The guest user: locked password, no forced change (PAM would refuse even ssh keys).
    assert re.search(r"^user:\*::", cat("/etc/shadow"), re.M)
    stat = subprocess.run(["debugfs", "-R", "stat /etc/vmsilo-motd", image],
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r"User:\s+0\s+Group:\s+0", stat) and "Mode:  0640" in stat, stat
    # The script ran after the packages, chrooted: it could run the image's own `hello`.
    assert cat("/etc/vmsilo-script-ran") == "Hello, world!\n"
    assert "vmsilo-guest-config" not in subprocess.run(
        ["debugfs", "-R", "ls /tmp", image], capture_output=True, text=True).stdout


def test_failed_build_leaves_the_previous_image_and_no_temp_dir(rootfs_state, tmp_path):
    before = os.readlink(rootfs_state / "images/vms" / IMAGE_VM)
    images = sorted(os.listdir(rootfs_state / "images/rootfs"))
    config = write_config(tmp_path / "config.json", [image_vm(IMAGE_VM)])
    p = image_build(rootfs_state, config, IMAGE_VM, "--mirror", "file:///nonexistent/debian",
                    timeout=300)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "mmdebstrap failed" in p.stderr, p.stderr
    assert os.readlink(rootfs_state / "images/vms" / IMAGE_VM) == before
    assert sorted(os.listdir(rootfs_state / "images/rootfs")) == images


def test_same_inputs_share_one_image_and_rebuild_nothing(rootfs_state, tmp_path):
    config = write_config(tmp_path / "config.json",
                          [image_vm(IMAGE_VM),
                           vm("twin", guestPrograms=PACKAGES + ["hello"],
                              guestConfig=GUEST_CONFIG),
                           vm("plain")])
    p = image_build(rootfs_state, config, "--all", timeout=120)
    assert p.returncode == 0, p.stderr
    assert "mmdebstrap" not in p.stderr
    assert p.stdout.count("Up to date") == 2, p.stdout
    assert image_dir(rootfs_state, "twin") == image_dir(rootfs_state)


def test_bad_package_name_fails_before_building_and_keeps_the_pointer(rootfs_state, tmp_path):
    before = os.readlink(rootfs_state / "images/vms" / IMAGE_VM)
    config = write_config(tmp_path / "config.json",
                          [vm(IMAGE_VM, guestPrograms=["hello", "--force-yes"])])
    p = image_build(rootfs_state, config, IMAGE_VM, timeout=60)
    assert p.returncode == 1
    assert "'--force-yes' is not a Debian package name" in p.stderr, p.stderr
    assert os.readlink(rootfs_state / "images/vms" / IMAGE_VM) == before


def test_vm_without_programs_has_nothing_to_build(rootfs_state, tmp_path):
    config = write_config(tmp_path / "config.json", [vm("plain")])
    p = image_build(rootfs_state, config, "plain", timeout=60)
    assert p.returncode == 1
    assert "lists no guestPrograms" in p.stderr, p.stderr


def test_guest_config_that_is_neither_dir_nor_script_is_refused(rootfs_state, tmp_path):
    plain = tmp_path / "notes.txt"
    plain.write_text("not executable\n")
    config = write_config(tmp_path / "config.json",
                          [vm("cfg", guestPrograms=PACKAGES, guestConfig=[str(plain)])])
    p = image_build(rootfs_state, config, "cfg", timeout=60)
    assert p.returncode == 1
    assert "neither a directory" in p.stderr, p.stderr
    assert not (rootfs_state / "images/vms/cfg").exists()


def test_daemon_start_deletes_stale_overlays(daemon, rootfs_state):
    assert not (rootfs_state / "overlays" / "stale.qcow2").exists()
    assert "Deleted the stale overlay disk" in daemon.output()


def test_unbuilt_vm_fails_to_start_naming_the_command(daemon):
    assert "vmsilo image build unbuilt" in daemon.output()
    r = daemon.run("unbuilt", "true", timeout=60)
    assert r.returncode != 0
    assert b"vmsilo image build unbuilt" in r.stderr, r.stderr


def png_chunks(data):
    """[(type, body)] of a PNG file."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        chunks.append((data[pos + 4:pos + 8].decode(), data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return chunks


def test_menu_entries_of_the_image_programs_reach_the_host(daemon, rootfs_state):
    extracted = image_dir(rootfs_state) / "desktop"
    assert (extracted / "applications" / "htop.desktop").is_file()
    # htop ships hicolor/scalable/apps/htop.svg, found first: rasterised in the sandbox to a
    # 256x256 PNG that we encoded (only libpng's own chunks), never the SVG itself.
    assert [p.name for p in (extracted / "icons").iterdir()] == ["htop.png"]
    icon = (extracted / "icons" / "htop.png").read_bytes()
    chunks = png_chunks(icon)
    types = [c[0] for c in chunks]
    assert types[:2] == ["IHDR", "sRGB"] and types[-1] == "IEND", types
    assert set(types[2:-1]) == {"IDAT"}, types
    assert chunks[0][1][:8] == (256).to_bytes(4, "big") * 2
    exports = rootfs_state / "exports" / "share"
    entry = exports / "applications" / f"vmsilo-{IMAGE_VM}.htop.desktop"
    text = entry.read_text()
    assert f"Name=[{IMAGE_VM}] " in text, text
    assert re.search(rf"^Exec=\S*/vm-run {IMAGE_VM} htop$", text, re.M), text
    host_icon = exports / "icons" / "vmsilo" / f"{IMAGE_VM}.htop.png"
    assert f"\nIcon={host_icon}\n" in text, text
    assert host_icon.read_bytes() == icon
    assert entry.stat().st_uid == 0


def test_qcow2_overlay_root_runs_programs_and_forgets_writes(daemon, rootfs_state, shared_home):
    overlay = rootfs_state / "overlays" / f"{IMAGE_VM}.qcow2"
    out = run_ok(daemon, IMAGE_VM,
                 "hello; id -un; echo $XDG_RUNTIME_DIR; test -d $XDG_RUNTIME_DIR && echo rundir;"
                 " grep -o 'vmsilo.root=[a-z-]*' /proc/cmdline; cat /etc/hostname;"
                 " awk '$2 == \"/\" {print $3}' /proc/mounts")
    assert "Hello, world!" in out
    lines = out.split()
    assert "user" in lines and "/run/user/1000" in lines and "rundir" in lines
    assert "vmsilo.root=overlay-disk" in lines and IMAGE_VM in lines and "overlay" in lines
    assert overlay.is_file()
    assert overlay.stat().st_uid == user_ids()[0]

    # As root (the agent's default is the guest user; sudo is not in a minbase image).
    r = daemon.cli("run", "-T", "--user", "root", IMAGE_VM, "sh", "-c",
                   "echo written > /etc/vmsilo-rootfs-test && sync && cat /etc/vmsilo-rootfs-test",
                   timeout=BOOT_TIMEOUT)
    assert r.returncode == 0 and r.stdout == b"written\n", (r.stdout, r.stderr)
    # The home is the shared one (9p from the host), not the overlay.
    run_ok(daemon, IMAGE_VM, "echo mine > ~/kept && awk '$2 == \"/home/user\" {print $3}'"
           " /proc/mounts | grep -x 9p")

    # rootOverlay.size bounds what the guest can write outside its home.
    r = daemon.cli("run", "-T", "--user", "root", IMAGE_VM, "sh", "-c",
                   "dd if=/dev/zero of=/var/tmp/big bs=1M count=100 2>&1; echo status=$?;"
                   " rm -f /var/tmp/big", timeout=BOOT_TIMEOUT)
    assert b"No space left on device" in r.stdout, r.stdout
    assert b"status=0" not in r.stdout

    stop(daemon, IMAGE_VM)
    assert not overlay.exists()
    out = run_ok(daemon, IMAGE_VM, "test -e /etc/vmsilo-rootfs-test && echo kept || echo gone;"
                 " cat ~/kept")
    assert out.split() == ["gone", "mine"]
    assert (shared_home / "kept").read_text() == "mine\n"
    assert (shared_home / "kept").stat().st_uid == user_ids()[0]
    stop(daemon, IMAGE_VM)


# An ICMP echo to the guest's loopback over a datagram ICMP socket, which only a group in
# net.ipv4.ping_group_range may open (perl-base is essential: every image has it).
PERL_PING = ("use Socket; $SIG{ALRM} = sub { die qq(timeout\\n) }; alarm 20;"
             " socket(my $s, PF_INET, SOCK_DGRAM, 1) or die qq(socket: $!\\n);"
             " send($s, pack(q(CCnnn), 8, 0, 0, 0, 1), 0,"
             " pack_sockaddr_in(0, inet_aton(q(127.0.0.1)))) or die qq(send: $!\\n);"
             " recv($s, my $r, 64, 0); print unpack(q(C), $r) == 0 ? qq(pong\\n) : qq(bad\\n)")


def test_apt_resolved_packages_are_configured_and_the_user_can_ping(daemon):
    # Installed and configured, with libpam-systemd, which only an apt-resolved install gets.
    out = run_ok(daemon, "tmpfs",
                 "dpkg-query -W -f '${Package} ${Status}\\n' libpam-systemd dbus-user-session"
                 " pipewire-pulse pipewire-alsa wireplumber")
    # pipewire-alsa and wireplumber: the build's additions beside pipewire-pulse.
    assert sorted(out.splitlines()) == [
        "dbus-user-session install ok installed", "libpam-systemd install ok installed",
        "pipewire-alsa install ok installed", "pipewire-pulse install ok installed",
        "wireplumber install ok installed"], out
    # The guest user's session bus answers.
    out = run_ok(daemon, "tmpfs",
                 "id -un; dbus-run-session -- dbus-send --session --print-reply"
                 " --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetId")
    assert out.startswith("user\n") and "string \"" in out, out
    # Unprivileged ping: the sysctl.d file is in the image and the guest user's echo returns.
    out = run_ok(daemon, "tmpfs", f"cat /proc/sys/net/ipv4/ping_group_range; perl -e '{PERL_PING}'")
    assert out.split() == ["0", "2147483647", "pong"], out


def test_console_of_a_root_image_has_the_guest_user_logged_in(daemon):
    # vm-shell's console: systemd's serial getty logs the guest user in (the password is locked, a
    # login prompt would be a dead end). The getty comes after the agent: type until it answers.
    run_ok(daemon, "tmpfs", "true")
    console_reply(daemon.runtime, "tmpfs", b"echo login-$((6*7))-$(id -un)", b"login-42-user",
                  timeout=BOOT_TIMEOUT)


def sound_diagnostics(daemon, name):
    """What the guest sees of its sound card, and vmsilod's view of the VM's sound."""
    return guest_diagnostics(daemon, name, "sound",
                             "cat /proc/asound/cards; ls -l /dev/snd; lsmod | grep snd;"
                             " dmesg | grep -i -e snd -e hda -e sound")


def guest_plays_the_tone(daemon, pulse_host, tmp_path, script, diagnostics, seconds=1.5):
    """Sends the test's 440 Hz tone (3 s) to the tmpfs VM's /tmp/tone.wav and runs script there
    as the guest user while the host records the null sink's monitor: sox must find the tone,
    sounding over more than `seconds`, and the sink input must be the VM's "[tmpfs] playback",
    with no recording stream of it."""
    tone = tmp_path / "tone.wav"
    tone_wav(tone, GUEST_TONE, 3)
    recording = pulse_host.runtime / "playback.wav"
    stopped = re.compile(r"VM tmpfs: playback voice \d+ stopped: \d+ underruns, \d+ bytes dropped"
                         r" while it played \(\d+ restarts since the last line\)")
    before = len(stopped.findall(daemon.output()))
    parec = pulse_host.record(recording)
    try:
        r = daemon.run("tmpfs", "sh", "-c", f"cat > /tmp/tone.wav && {script}",
                       input=tone.read_bytes(), timeout=BOOT_TIMEOUT)
        assert r.returncode == 0, (r.stdout, r.stderr, diagnostics())
        assert "[tmpfs] playback" in streams(pulse_host, "sink-inputs")
        assert "[tmpfs] capture" not in streams(pulse_host, "source-outputs")
    finally:
        parec.terminate()
        parec.wait(timeout=30)
    frequency, rms, heard = tone_of(recording)
    assert abs(frequency - GUEST_TONE) < 30 and rms > 0.05 and heard > seconds, \
        (frequency, rms, heard, diagnostics())
    # The guest stopped its stream: vmsilo-sound tells what went wrong while it played.
    wait_for(lambda: len(stopped.findall(daemon.output())) > before, timeout=30,
             what="vmsilo-sound's line for the stopped playback")
    return r.stdout.decode()


def wait_for_guest_sound_server(what):
    """Shell that waits (at most 60 s) until the guest's Pulse server reports `what`, e.g.
    "Default Sink: vmsilo-card": the session manager picks the defaults a moment after PipeWire
    starts, and these tests read them."""
    return (f"for i in $(seq 300); do pactl info 2>/dev/null | grep -q '^{what}$' && break;"
            " sleep 0.2; done;")


def test_guest_plays_a_tone_the_host_hears_in_a_stream_named_after_the_vm(daemon, pulse_host,
                                                                            tmp_path):
    """Issue #17 in a guest: aplay in the VM -> HDA (QEMU) -> vmsilo-sound -> the user's
    PulseAudio, whose null sink's monitor the test records; sox finds the guest's tone."""
    cards = run_ok(daemon, "tmpfs", "cat /proc/asound/cards; arecord -l 2>&1")
    # Playback only: hda-output has no input pin, so ALSA lists no capture device.
    assert "HDA Intel" in cards, (cards, sound_diagnostics(daemon, "tmpfs"))
    assert "card " not in cards.split("List of CAPTURE Hardware Devices")[1], cards
    # The first sessions of a fresh boot: aplay goes through the guest's PipeWire (pipewire-alsa),
    # whose socket is systemd's, so it waits for the server instead of failing.
    guest_plays_the_tone(daemon, pulse_host, tmp_path, "aplay -q /tmp/tone.wav",
                         lambda: sound_diagnostics(daemon, "tmpfs"))


def pulse_server_diagnostics(daemon):
    return guest_diagnostics(daemon, "tmpfs", "sound",
                             "journalctl --no-pager -n 80 -u vmsilo-pipewire -u vmsilo-wireplumber"
                             " -u vmsilo-pipewire-pulse; ls -l /run/user/1000 /dev/snd")


def test_guest_paplay_goes_through_the_sessions_pulse_server_to_the_host(daemon, pulse_host,
                                                                         tmp_path):
    """The guest user's Pulse server: pipewire + wireplumber + pipewire-pulse, started by the
    image's units (the image has the packages), which sessions find at $XDG_RUNTIME_DIR/pulse/
    native; paplay there -> PipeWire's sink on the HDA card -> the host, as aplay above. PipeWire
    holds the card, so aplay goes through it too (pipewire-alsa): right after paplay, while
    PipeWire still has the card open, and at the same time as paplay (PipeWire mixes). All three
    plays (9 s of tone) must be heard, over more than 6 s."""
    out = guest_plays_the_tone(
        daemon, pulse_host, tmp_path,
        # The server comes up with the boot; the card's sink once wireplumber has set it up.
        wait_for_guest_sound_server("Default Sink: vmsilo-card") +
        " pactl info | grep '^Server Name:';"
        " pactl list short sources;"
        " paplay /tmp/tone.wav && aplay -q /tmp/tone.wav &&"
        " { paplay /tmp/tone.wav & p=$!; aplay -q /tmp/tone.wav && wait $p; }",
        lambda: pulse_server_diagnostics(daemon), seconds=6)
    assert re.search(r"^Server Name: PulseAudio \(on PipeWire [0-9.]+\)$", out, re.M), out
    # No capture (hda-output): the card has no capture PCM, so PipeWire made no source of it;
    # only the sink's monitor is there.
    sources = [line.split("\t")[1] for line in out.splitlines() if line.count("\t") >= 3]
    assert sources == ["vmsilo-card.monitor"], out


def loudness_profile(pcm):
    """Peak of each 250 ms of 48 kHz stereo s16le samples: where in a recording the sound is."""
    samples = array.array("h", pcm[:len(pcm) // 2 * 2])
    return [max(map(abs, samples[i:i + 24000]), default=0) for i in range(0, len(samples), 24000)]


def capture_diagnostics(daemon):
    """The guest's PipeWire journal, then (the VM stopped) vmsilo-sound's counts of its voices."""
    guest = guest_diagnostics(daemon, "rec", "sound", "journalctl --no-pager -n 60"
                              " -u vmsilo-pipewire -u vmsilo-wireplumber -u vmsilo-pipewire-pulse")
    stop(daemon, "rec")
    voices = [line for line in daemon.output().splitlines() if "VM rec:" in line]
    print(guest, *voices, sep="\n")
    return voices


def test_capturing_guest_records_the_hosts_default_source(daemon, pulse_host, tmp_path):
    """capture = true: the host's sine source reaches arecord in the guest, and parec through the
    guest user's Pulse server, whose default source is PipeWire's node on the card's capture
    PCM (arecord goes through PipeWire too: pipewire-alsa)."""
    devices = run_ok(daemon, "rec", "arecord -l; " +
                     wait_for_guest_sound_server("Default Source: vmsilo-card-input") +
                     " pactl info | grep '^Default Source:'")
    assert "card 0:" in devices, (devices, sound_diagnostics(daemon, "rec"))
    assert "Default Source: vmsilo-card-input" in devices, (devices, capture_diagnostics(daemon))
    r = daemon.run("rec", "arecord", "-q", "-d", "4", "-f", "S16_LE", "-r", "48000", "-c", "2",
                   "-t", "wav", timeout=BOOT_TIMEOUT)
    assert r.returncode == 0, (r.stderr, sound_diagnostics(daemon, "rec"))
    assert "[rec] capture" in streams(pulse_host, "source-outputs")
    recording = tmp_path / "rec.wav"
    recording.write_bytes(r.stdout)
    frequency, rms, seconds = tone_of(recording)
    assert abs(frequency - HOST_TONE) < 30 and rms > 0.05 and seconds > 1, \
        (frequency, rms, seconds, loudness_profile(r.stdout[44:]), capture_diagnostics(daemon))
    # parec: raw samples for 6 s (timeout ends it: status 124), made a WAV file on the host. Its
    # start (PipeWire resuming the card's source under TCG) took up to 3 s of that on a loaded
    # machine, and a recording starts empty (no sound from before it), so the window is wide.
    r = daemon.run("rec", "sh", "-c", "timeout 6 parec --raw --format=s16le --rate=48000"
                   " --channels=2 > /tmp/rec.raw; [ $? = 124 ] && cat /tmp/rec.raw",
                   timeout=BOOT_TIMEOUT)
    assert r.returncode == 0, (r.stderr, sound_diagnostics(daemon, "rec"))
    raw = tmp_path / "parec.raw"
    raw.write_bytes(r.stdout)
    recording = tmp_path / "parec.wav"
    subprocess.run(["sox", "-t", "raw", "-r", "48000", "-e", "signed", "-b", "16", "-c", "2",
                    str(raw), str(recording)], check=True)
    frequency, rms, seconds = tone_of(recording)
    assert abs(frequency - HOST_TONE) < 30 and rms > 0.05 and seconds > 1, \
        (frequency, rms, seconds, loudness_profile(r.stdout), r.stderr,
         capture_diagnostics(daemon))
    stop(daemon, "rec")


def test_tmpfs_overlay_root_needs_no_disk(daemon, rootfs_state):
    out = run_ok(daemon, "tmpfs",
                 "hello; grep -o 'vmsilo.root=[a-z-]*' /proc/cmdline; ls /sys/block | grep vd;"
                 " touch /var/tmp/x && echo writable")
    assert "Hello, world!" in out
    assert "vmsilo.root=overlay-tmpfs" in out
    assert out.split().count("vda") == 1 and "vdb" not in out
    assert "writable" in out
    assert not (rootfs_state / "overlays" / "tmpfs.qcow2").exists()
    stop(daemon, "tmpfs")


def test_writable_user_root_disk_persists_and_gets_the_agent(daemon, user_root_disk):
    r = daemon.cli("run", "-T", "--user", "root", "mine", "sh", "-c",
                   "grep -o 'vmsilo.root=[a-z-]*' /proc/cmdline;"
                   " echo persisted > /etc/vmsilo-rootfs-test; sync", timeout=BOOT_TIMEOUT)
    assert r.returncode == 0, (r.stdout, r.stderr, daemon.output()[-3000:])
    assert b"vmsilo.root=rw" in r.stdout
    stop(daemon, "mine")
    out = run_ok(daemon, "mine", "cat /etc/vmsilo-rootfs-test; test -x "
                 "/usr/libexec/vmsilo/vmsilo-agent && echo agent-installed")
    assert out.split() == ["persisted", "agent-installed"]
    stop(daemon, "mine")
    listing = subprocess.run(["debugfs", "-R", "cat /etc/vmsilo-rootfs-test",
                              str(user_root_disk)], capture_output=True, text=True).stdout
    assert "persisted" in listing


# A guest Wayland client without a toolkit: perl-base (in every Debian image) sends
# wl_display.get_registry to the session's display and waits a little.
PERL_WAYLAND_CLIENT = (
    "perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new("
    "Peer => \"$ENV{XDG_RUNTIME_DIR}/$ENV{WAYLAND_DISPLAY}\") or die \"connect: $!\\n\";"
    " print $s pack(\"VVV\", 1, 0x000c0001, 2); sleep 2'")


def test_gui_image_has_a_wayland_display_relayed_to_the_host_service(daemon, rootfs_state):
    manifest = (image_dir(rootfs_state) / "manifest").read_text()
    assert "package waypipe\n" in manifest  # gpu is on by default
    path = services_dir(daemon.runtime, "tmpfs") / "wayland.sock"
    companion = listen_as_user(path)
    companion.settimeout(BOOT_TIMEOUT)
    try:
        # The agent starts early; vmsilo-waypipe.service (the display) a little later.
        out = run_ok(daemon, "tmpfs",
                     'for i in $(seq 600); do test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" && break;'
                     ' sleep 0.1; done; echo "$WAYLAND_DISPLAY $XDG_RUNTIME_DIR";'
                     ' test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" && echo display;'
                     ' grep -qx waypipe /proc/[0-9]*/comm && echo waypipe;'
                     f" {PERL_WAYLAND_CLIENT} & {PERL_WAYLAND_CLIENT} & wait")
        journal = daemon.cli("run", "-T", "-u", "root", "tmpfs", "journalctl", "--no-pager",
                             "-u", "vmsilo-waypipe.service").stdout.decode(errors="replace")
        assert out.split("\n")[:3] == ["wayland-0 /run/user/1000", "display", "waypipe"], \
            (out, journal)
        # One persistent waypipe server: each guest client became its own stream and host
        # connection, carrying waypipe's framing of the client's request.
        for _ in range(2):
            conn, _ = companion.accept()
            conn.settimeout(30)
            assert len(conn.recv(65536)) > 0
            conn.close()
    finally:
        companion.close()
        path.unlink()
    # tmpfs runs on: the tray test below uses the same boot.


def guest_diagnostics(daemon, name, key, script):
    """A failed test's story: vmsilod's status[key] of the VM, what script (as root in the
    guest) prints, and vmsilod's log."""
    guest = daemon.cli("run", "-T", "-u", "root", name, "sh", "-c", script, timeout=60)
    return (f"status: {daemon.status(name).get(key)}\nguest:\n"
            f"{guest.stdout.decode(errors='replace')}{guest.stderr.decode(errors='replace')}\n"
            f"vmsilod:\n{daemon.output()[-3000:]}")


def tray_diagnostics(daemon, name):
    """What a failed tray test needs to be understood: both halves' ends of the story."""
    return guest_diagnostics(daemon, name, "tray",
                             "journalctl --no-pager -n 60 -u vmsilo-tray -u vmsilo-session-bus;"
                             " ls -l /run/vmsilo/forward /run/user/1000")


def test_tray_item_in_the_vm_shows_on_the_host_bus_until_vm_stop(daemon, wayland_base):
    """Issue #16 end to end: tray-test-item in the guest session -> the guest's session bus ->
    vmsilo-tray guest -> agent -> channel -> vmsilod -> vmsilo-tray host (sandboxed, as the
    test user) -> the test user's session bus, where a test watcher gets "[tmpfs] Hello"."""
    host = UserBus(wayland_base / str(user_ids()[0]) / "bus")
    watcher = item = None
    try:
        watcher = host.popen([binary("tray-test-item"), "watcher"], stdout=subprocess.PIPE)
        assert read_line(watcher) == "ready\n"
        # Every session is told the guest user's session bus.
        assert run_ok(daemon, "tmpfs", 'echo "$DBUS_SESSION_BUS_ADDRESS"') == \
            "unix:path=/run/user/1000/bus\n"
        # The guest half owns the watcher name once its stream is up: it connects on its own
        # schedule (its unit restarts it every 3 s while no host half listens).
        item = subprocess.Popen([binary("vmsilo"), "run", "-T", "tmpfs", "sh", "-c",
                                 "until busctl --user status org.kde.StatusNotifierWatcher"
                                 " >/dev/null 2>&1; do sleep 0.5; done;"
                                 " exec /usr/local/bin/tray-test-item good Hello"],
                                env=daemon.env, stdout=subprocess.PIPE)
        try:
            assert read_line(item, timeout=120) == "ready\n"
        except AssertionError as e:
            raise AssertionError(f"{e}\n{tray_diagnostics(daemon, 'tmpfs')}") from None
        registered = read_line(watcher, timeout=60)
        assert registered.startswith("registered org.kde.StatusNotifierItem-"), registered
        names = host.items()
        assert [host.title(n) for n in names] == ['s "[tmpfs] Hello"'], names
        assert daemon.status("tmpfs")["tray"]["state"] == "running"

        stop(daemon, "tmpfs")
        wait_for(lambda: host.items() == [], timeout=30, what="the item gone with the VM")
    finally:
        for p in (item, watcher):
            if p:
                p.kill()
                p.wait()
        host.stop()
        if daemon.status("tmpfs")["state"] != "stopped":
            stop(daemon, "tmpfs")


def screenshot_pixel(sway, x, y):
    """The colour at (x, y) of a grim screenshot (binary PPM) of the headless output."""
    ppm = subprocess.run(["grim", "-t", "ppm", "-"], check=True, capture_output=True,
                         user=sway.user.pw_uid, env={**sway.env, "WAYLAND_DISPLAY": "wayland-1"}
                         ).stdout
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    assert header, ppm[:32]
    offset = header.end() + (y * int(header.group(1)) + x) * 3
    return ppm[offset:offset + 3].hex()


def test_gui_program_in_the_vm_shows_a_fenced_window_on_the_desktop(daemon, wayland_base):
    """Issue #13 end to end: guest client -> waypipe server -> agent -> channel -> vmsilod ->
    waypipe client -> vmsilo-wayland -> sway 1.7 headless."""
    sway = Sway(pwd_entry(), wayland_base, wayland_base / str(user_ids()[0]))
    client = None
    try:
        r = daemon.cli("start", "gui", timeout=BOOT_TIMEOUT)
        assert r.returncode == 0, r.stderr
        services = daemon.runtime / "services/gui"
        wait_for(lambda: (services / "wayland.sock").exists() and
                 (services / "fence.sock").exists(), timeout=60, what="the companions")
        client = subprocess.Popen(
            [binary("vmsilo"), "run", "-T", "gui", "sh", "-c",
             'for i in $(seq 600); do test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" && break;'
             ' sleep 0.1; done; exec /usr/local/bin/wl-test-client --app-id e2e'
             ' --title "from the guest" --color ff8000 --log /tmp/wl.log'],
            env=daemon.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        view = sway.view("[gui] from the guest", timeout=BOOT_TIMEOUT)
        # The first buffer may still be the one from before sway's configure reached the guest.
        rect = view["rect"]
        centre = (rect["x"] + rect["width"] // 2, rect["y"] + rect["height"] // 2)
        wait_for(lambda: screenshot_pixel(sway, *centre) == "ff8000", timeout=60,
                 what=f"the client's colour at {centre} in a screenshot")

        # wtype's virtual keyboard is the seat's only one: the guest client gets its wl_keyboard
        # only once it exists, across the VM, so wtype waits before typing.
        subprocess.run(["wtype", "-s", "3000", "vm"], check=True, user=sway.user.pw_uid,
                       env={**sway.env, "WAYLAND_DISPLAY": "wayland-1"})
        log = lambda: run_ok(daemon, "gui", "cat /tmp/wl.log")  # noqa: E731
        wait_for(lambda: "key v pressed" in log() and "key m pressed" in log(), timeout=60,
                 what="the typed keys in the guest client's log")
        offered = {line.split()[1] for line in log().splitlines() if line.startswith("global ")}
        assert "xdg_wm_base" in offered and "wl_seat" in offered
        assert not offered & {"zwlr_screencopy_manager_v1", "zwlr_layer_shell_v1"}, offered

        stop(daemon, "gui")
        wait_for(lambda: not sway.titled("[gui] from the guest"), timeout=30,
                 what="the window gone with the VM")
        assert not services.exists()
    finally:
        if client:
            client.kill()
            client.wait()
        sway.close()
