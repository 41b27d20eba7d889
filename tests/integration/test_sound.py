# SPDX-License-Identifier: LGPL-2.1-or-later
"""test_sound.py: vmsilo-sound between a real QEMU's D-Bus audio and a real PulseAudio.

Everything runs as the configured test user, like it will under vmsilod: a PulseAudio server
with a null sink and its own runtime dir, the VM's private dbus-daemon, QEMU (paused: no guest,
so no boot; its HDA codec still opens its voices, which is what makes QEMU announce them) and
the companion. What the tests see is PulseAudio's own view (pactl): which streams exist, named
how, and whether any records.
"""
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from daemon import (TEST_USER, binary, ensure_test_user, fake_qemu_cleanup, fake_qemu_daemon,
                    public_dir)
from pulse import TIMEOUT, Host, as_user, streams, wait_for

VM = "snd"
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <!-- dbus-daemon wants one; the address option replaces it. -->
  <listen>unix:tmpdir=/nonexistent</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
"""
# Below QEMU's 25 s D-Bus call timeout: the bound test_issue_17_… holds the companion to.
STALL_BOUND = 20
HOSTILE = Path(__file__).resolve().parent.parent / "helpers/hostile-qemu-audio.py"

pytestmark = pytest.mark.skipif(not shutil.which("pulseaudio") or not shutil.which("pactl"),
                                reason="pulseaudio and pulseaudio-utils are in install-deps")


class SoundVm:
    """The VM's bus, a paused QEMU with the plan's sound arguments, and vmsilo-sound."""

    def __init__(self, root, capture, pulse_server, hostile=False):
        self.dir = Path(tempfile.mkdtemp(prefix="capture-" if capture else "playback-",
                                         dir=root))
        shutil.chown(self.dir, TEST_USER, TEST_USER)
        (self.dir / "bus.conf").write_text(BUS_CONFIG)
        address = f"unix:path={self.dir}/sound.bus"
        self.bus = subprocess.Popen(
            as_user(["dbus-daemon", "--nofork", "--config-file", str(self.dir / "bus.conf"),
                     "--address", address]),
            stdout=subprocess.DEVNULL)
        wait_for("the VM's bus", lambda: (self.dir / "sound.bus").exists())
        codec = "hda-duplex" if capture else "hda-output"
        # hostile: a compromised VMM in QEMU's place (tests/helpers/hostile-qemu-audio.py).
        self.qemu = subprocess.Popen(
            as_user(["/usr/bin/python3", str(HOSTILE), address]),
            stdout=subprocess.PIPE, text=True) if hostile else subprocess.Popen(
            as_user(["qemu-system-x86_64", "-M", "microvm,pcie=on", "-accel", "tcg",
                     "-nodefaults", "-no-user-config", "-nographic", "-S",
                     "-audiodev", "dbus,id=snd0",
                     "-display", f"dbus,addr={address},audiodev=snd0",
                     "-device", "intel-hda,id=hda", "-device", f"{codec},audiodev=snd0"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.log = self.dir / "sound.log"
        argv = [binary("vmsilo-sound"), "--bus", address, "--name", VM]
        if capture:
            argv.append("--capture")
        with open(self.log, "w") as log:
            # libpulse finds the server through PULSE_SERVER, like in the sandbox.
            self.sound = subprocess.Popen(
                as_user(argv), env=dict(os.environ, PULSE_SERVER=pulse_server,
                                        HOME=str(self.dir)),
                stdout=log, stderr=subprocess.STDOUT)

    def log_text(self):
        return self.log.read_text()

    def stop(self):
        for p in (self.sound, self.qemu, self.bus):
            if p.poll() is None:
                p.terminate()
        for p in (self.sound, self.qemu, self.bus):
            p.wait(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def root():
    ensure_test_user()
    path = public_dir("vmsilo-sound-")
    yield path
    if not os.environ.get("VMSILO_KEEP"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def host(root):
    h = Host(root)
    yield h
    h.stop()


def test_playback_stream_is_named_after_the_vm_and_nothing_records(root, host):
    vm = SoundVm(root, capture=False, pulse_server=host.server)
    try:
        wait_for("the VM's playback stream",
                 lambda: f"[{VM}] playback" in streams(host, "sink-inputs"))
        assert "playback listener registered" in vm.log_text()
        # No capture listener was registered and no recording stream exists.
        assert "capture listener" not in vm.log_text()
        assert streams(host, "source-outputs") == []
    finally:
        vm.stop()


def test_capture_stream_exists_only_with_capture(root, host):
    vm = SoundVm(root, capture=True, pulse_server=host.server)
    try:
        wait_for("the VM's capture stream",
                 lambda: f"[{VM}] capture" in streams(host, "source-outputs"))
        wait_for("the VM's playback stream",
                 lambda: f"[{VM}] playback" in streams(host, "sink-inputs"))
        assert "capture listener registered" in vm.log_text()
    finally:
        vm.stop()
    wait_for("the streams to end with the VM",
             lambda: streams(host, "source-outputs") == [])


def test_issue_17_streams_follow_their_listeners_without_waiting_out_qemus_call_timeout(
        root, host):
    """The old companion blocked in libpulse while QEMU 7.2 blocked in a D-Bus call to it; the
    tie broke only when QEMU's 25 s call timeout fired. Now the bus side never waits for the
    sound server, so both streams follow their listener registrations at once."""
    for _ in range(3):
        vm = SoundVm(root, capture=True, pulse_server=host.server)
        try:
            wait_for("the capture listener",
                     lambda: "capture listener registered" in vm.log_text())
            registered = time.monotonic()
            wait_for("both streams", lambda: f"[{VM}] capture" in streams(host, "source-outputs")
                     and f"[{VM}] playback" in streams(host, "sink-inputs"),
                     timeout=STALL_BOUND)
            assert time.monotonic() - registered < STALL_BOUND
        finally:
            vm.stop()
        wait_for("the streams to end", lambda: streams(host, "source-outputs") == [])


def test_missing_sound_server_is_a_log_line_not_an_exit(root):
    vm = SoundVm(root, capture=False, pulse_server=f"unix:{root}/no-such-server")
    try:
        wait_for("the missing-server message",
                 lambda: f"no sound server for VM {VM}" in vm.log_text())
        assert vm.sound.poll() is None
    finally:
        vm.stop()


def test_companion_ends_with_qemu(root, host):
    vm = SoundVm(root, capture=False, pulse_server=host.server)
    try:
        wait_for("the listener", lambda: "playback listener registered" in vm.log_text())
        vm.qemu.terminate()
        vm.qemu.wait(timeout=TIMEOUT)
        vm.sound.wait(timeout=TIMEOUT)
    finally:
        vm.stop()


def test_a_hostile_vmm_cannot_get_samples_without_capture(root, host):
    """In QEMU's place on the VM's bus, a compromised VMM gets a playback listener and nothing
    that records: no in-listener object, no Read, and no recording stream in PulseAudio."""
    vm = SoundVm(root, capture=False, pulse_server=host.server, hostile=True)
    try:
        out, _ = vm.qemu.communicate(timeout=TIMEOUT)
        lines = out.splitlines()
        assert lines[:2] == ["ready", "register-out"], out
        assert lines[2] == "in-init: org.freedesktop.DBus.Error.UnknownObject", out
        assert lines[3] == "in-read: org.freedesktop.DBus.Error.UnknownObject", out
        assert lines[4] == "out-read: org.freedesktop.DBus.Error.UnknownMethod", out
        assert "register-in" not in lines
        assert streams(host, "source-outputs") == []
    finally:
        vm.stop()


# ---- vmsilod starts the VM's bus and vmsilo-sound (sound.c) ----
# The VMM is fake_qemu.py (no guest boots): it runs the real QEMU's sound part, paused, with the
# plan's sound arguments, inside the VMM sandbox, so QEMU finds the VM's bus as the plan says.

def sound_daemon(tmp_path_factory, user_runtime_base, vms):
    d = fake_qemu_daemon(tmp_path_factory, vms)
    d.env["VMSILO_USER_RUNTIME_BASE"] = str(user_runtime_base)
    return d.start()


def sound_daemon_stop(d):
    d.stop()
    fake_qemu_cleanup(d)


def start_vm(d, name):
    r = d.cli("start", name)
    assert r.returncode == 0, r.stderr
    d.wait_state(name, "running", timeout=TIMEOUT)


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    """vmsilod with a PulseAudio of the user's at <base>/<uid>/pulse/native."""
    base = root / "user-runtime"
    base.mkdir()
    host = Host(root, runtime=base / str(pwd.getpwnam(TEST_USER).pw_uid))
    d = sound_daemon(tmp_path_factory, base, [("play", {}), ("rec", {"sound": {"capture": True}}),
                                               ("mute", {"sound": False})])
    yield d, host
    sound_daemon_stop(d)
    host.stop()


def test_vmsilod_plays_a_vm_as_its_own_stream_and_opens_no_recording(served):
    d, host = served
    start_vm(d, "play")
    sound = d.status("play")["sound"]
    assert sound["server"] == "running" and sound["capture"] is False, sound
    assert sound["bus"]["state"] == "running" and sound["player"]["state"] == "running", d.output()
    wait_for("play's stream", lambda: "[play] playback" in streams(host, "sink-inputs"))
    assert streams(host, "source-outputs") == []


def test_the_player_lives_in_the_vmms_pid_namespace_and_is_not_dumpable(served):
    d, _ = served
    start_vm(d, "play")
    status = d.status("play")
    player, vmm = status["sound"]["player"]["pid"], status["pid"]
    # QEMU accepts listeners only from a process it sees: the player is in its namespace.
    ns = os.readlink(f"/proc/{vmm}/ns/pid")
    assert os.readlink(f"/proc/{player}/ns/pid") == ns != os.readlink("/proc/self/ns/pid")
    # Not dumpable: the VM's user (the VMM's uid) cannot read its memory or reach its root,
    # behind which the sound server's socket is.
    assert pwd.getpwuid(os.stat(f"/proc/{player}").st_uid).pw_name == TEST_USER
    for tool, what in (("cat", "environ"), ("cat", "mem"), ("ls", "root/"), ("ls", "fd/")):
        r = subprocess.run(["runuser", "-u", TEST_USER, "--", tool, f"/proc/{player}/{what}"],
                           capture_output=True, text=True)
        assert r.returncode != 0 and "Permission denied" in r.stderr, (what, r)


def test_capture_true_records_through_the_companion_only(served):
    d, host = served
    start_vm(d, "rec")
    wait_for("rec's recording stream", lambda: "[rec] capture" in streams(host, "source-outputs"))
    # Only vmsilo-sound holds the server: every client of PulseAudio is it or pactl.
    clients = [line.split("=", 1)[1].strip().strip('"')
               for line in host.pactl("list", "clients").splitlines()
               if line.strip().startswith("application.process.binary =")]
    assert set(clients) <= {"vmsilo-sound", "pactl"}, clients
    player = d.status("rec")["sound"]["player"]["pid"]
    d.cli("stop", "rec")
    d.wait_state("rec", "stopped", timeout=TIMEOUT)
    wait_for("rec's player to end with it", lambda: not os.path.exists(f"/proc/{player}"))
    assert "sound" not in d.status("rec")
    wait_for("rec's streams to end with it",
             lambda: "[rec] capture" not in streams(host, "source-outputs"))


def test_sound_false_starts_no_companion(served):
    d, _ = served
    start_vm(d, "mute")
    assert "sound" not in d.status("mute")


def test_a_missing_sound_server_is_a_status_field_not_a_failed_start(root, tmp_path_factory):
    base = root / "no-server"
    base.mkdir()
    d = sound_daemon(tmp_path_factory, base, [("lone", {})])
    try:
        start_vm(d, "lone")
        sound = d.status("lone")["sound"]
        assert sound["server"] == "missing", sound
        assert sound["player"]["state"] == "running", sound
        assert "no sound server" in d.output()
    finally:
        sound_daemon_stop(d)
