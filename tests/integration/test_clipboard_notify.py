# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmsilo-clipboard's desktop notifications (docs/graphics.md "Notifications"), without VMs or a
compositor: a user's runtime directory with a private session bus (dbus-daemon, as the user)
and tests/helpers/notify-test-server as its notification daemon, recording every Notify call;
requests are what a fence sends."""
import os
import signal
import subprocess
import time

import pytest

from clipboard_session import NotifyBus, clipboard_request
from daemon import build_dir, ensure_test_user, public_dir, wait_for

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/dbus-daemon"),
                                reason="dbus-daemon (scripts/install-deps)")

# vmsilo-clipboard's CLIPBOARD_NOTIFY_TIMEOUT_USEC
NOTIFY_TIMEOUT = 2.0
# A request that waited for the bus would take NOTIFY_TIMEOUT at least; one that did not takes
# a python start and a few ms (more on a loaded machine)
PROMPT = NOTIFY_TIMEOUT - 0.5


class Session:
    """A user's runtime directory run/: its session bus (unless bus is false) with the
    notification daemon (see NotifyBus), and vmsilo-clipboard with DBUS_SESSION_BUS_ADDRESS
    naming run/bus, as vmsilod's sandbox does."""

    def __init__(self, bus=True, daemon="replies"):
        self.user = ensure_test_user()
        self.dir = public_dir("clipboard-notify-")
        self.run = self.dir / "run"
        self.run.mkdir(mode=0o700)
        os.chown(self.run, self.user.pw_uid, self.user.pw_gid)
        self.bus = NotifyBus(self.user, self.run, self.dir, daemon) if bus else None
        self.sock = self.run / "vmsilo" / "clipboard.sock"
        out = open(self.dir / "clipboard.log", "ab")
        self.clipboard = subprocess.Popen(
            [str(build_dir() / "src/clipboard/vmsilo-clipboard")],
            env={"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(self.run),
                 "DBUS_SESSION_BUS_ADDRESS": f"unix:path={self.run}/bus",
                 "ASAN_OPTIONS": "detect_leaks=1",
                 "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"},
            stdout=out, stderr=out, user=self.user.pw_uid, group=self.user.pw_gid,
            extra_groups=[], cwd=self.dir)
        out.close()
        try:
            wait_for(self.sock.exists, what="vmsilo-clipboard's socket")
        except AssertionError:
            self.clipboard.kill()
            self.clipboard.wait()
            if self.bus:
                self.bus.stop()
            raise

    def request(self, data):
        """One raw request as the user, what a fence sends: (reply, seconds it took)."""
        start = time.monotonic()
        reply = clipboard_request(self.user, self.sock, data)
        return reply, time.monotonic() - start

    def log(self):
        return (self.dir / "clipboard.log").read_text()

    def close(self):
        """Ends everything; vmsilo-clipboard must exit 0 at SIGTERM (ASan: no leak)."""
        assert self.clipboard.poll() is None, "vmsilo-clipboard died: " + self.log()
        self.clipboard.send_signal(signal.SIGTERM)
        assert self.clipboard.wait(timeout=10) == 0, self.log()
        if self.bus:
            self.bus.stop()


@pytest.fixture(scope="module")
def session():
    s = Session()
    yield s
    s.close()


def test_a_copy_notifies_once_with_the_vm_and_the_size_never_the_text(session):
    before = len(session.bus.notices())
    reply, _ = session.request(b"copy banking\nhunter2 is the pin")
    assert reply == b"ok 18 banking\n"
    assert session.bus.new_notices(before, 1) == [
        ["vmsilo", "edit-copy", "Copied from [banking]", "18 bytes", "0", "-1"]]
    assert "hunter2" not in session.bus.notices_file.read_text()
    # the log line is still there, without the text either
    assert "copy from banking: ok 18 banking" in session.log()
    assert "hunter2" not in session.log()


def test_a_paste_notifies_and_refusals_do_not(session):
    session.request(b"clear\n")
    before = len(session.bus.notices())
    assert session.request(b"copy gui\n\xff\xfe")[0] == b"error not UTF-8 text\n"
    assert session.request(b"paste work\n")[0] == b"empty\n"
    assert session.request(b"copy gui\nsecret")[0] == b"ok 6 gui\n"
    assert session.request(b"status\n")[0] == b"ok 6 gui\n"
    assert session.request(b"paste work\n")[0] == b"ok 6 gui\nsecret"
    assert session.request(b"clear\n")[0] == b"ok 0 -\n"
    assert session.bus.new_notices(before, 2) == [
        ["vmsilo", "edit-copy", "Copied from [gui]", "6 bytes", "0", "-1"],
        ["vmsilo", "edit-paste", "Pasted to [work]", "6 bytes from [gui]", "0", "-1"]]
    assert "secret" not in session.bus.notices_file.read_text()


def test_a_bus_gone_then_back_is_used_again(session):
    session.bus.stop()
    before = len(session.bus.notices())
    reply, took = session.request(b"copy gui\nwhile the bus is gone")
    assert reply == b"ok 21 gui\n" and took < PROMPT, took
    wait_for(lambda: "copy from gui: ok 21 gui" in session.log(), what="the log line")
    session.bus.start()
    assert session.request(b"copy gui\nback")[0] == b"ok 4 gui\n"
    assert session.bus.new_notices(before, 1) == [
        ["vmsilo", "edit-copy", "Copied from [gui]", "4 bytes", "0", "-1"]]


@pytest.mark.parametrize("bus,daemon", [(False, None), (True, None), (True, "silent")],
                         ids=["no session bus", "no notification daemon",
                              "a notification daemon that never replies"])
def test_without_notifications_copies_are_answered_at_once_and_logged(bus, daemon):
    s = Session(bus=bus, daemon=daemon)
    try:
        for i in range(3):
            reply, took = s.request(b"copy banking\ntext %d" % i)
            assert reply == b"ok 6 banking\n"
            # the call to the bus is asynchronous: no wait on a missing or hung daemon
            assert took < PROMPT, took
        wait_for(lambda: s.log().count("copy from banking: ok 6 banking") == 3,
                 what="three log lines")
        if daemon == "silent":
            # the calls reached the daemon, which holds them unanswered past their timeout
            wait_for(lambda: len(s.bus.notices()) == 3, what="three Notify calls")
            time.sleep(NOTIFY_TIMEOUT + 0.2)
        assert s.request(b"paste work\n")[0] == b"ok 6 banking\ntext 2"
    finally:
        s.close()
