# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmsilod's per-VM Wayland companions (docs/graphics.md) against sway 1.7 headless, host half
only: one booted VM 'gui' (gpu on); a host `waypipe server` connects straight to the VM's
service socket, as the guest's does through the channel relay, and runs wl-test-client. The
tests run in file order: no compositor yet, then sway appears, windows, restart, stop."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile

import pytest

from clipboard_session import NotifyBus, clipboard_request
from daemon import Daemon, build_dir, ensure_test_user, public_dir, vm, wait_for
from sway import Sway

pytestmark = pytest.mark.skipif(not shutil.which("sway") or not os.path.exists("/usr/bin/bwrap")
                                or not shutil.which("waypipe"),
                                reason="sway, bubblewrap and waypipe (scripts/install-deps)")


class Setup:
    def __init__(self, tmp, state_dir):
        self.user = ensure_test_user()
        self.home = public_dir("companion-home-")
        self.base = public_dir("companion-userrun-")
        self.run_dir = self.base / str(self.user.pw_uid)  # the user's session, sway not yet up
        self.run_dir.mkdir(mode=0o700)
        os.chown(self.run_dir, self.user.pw_uid, self.user.pw_gid)
        # the user's session bus, with a notification daemon for vmsilo-clipboard's notices
        self.notify_bus = NotifyBus(self.user, self.run_dir, self.home)
        self.daemon = Daemon(tmp, state_dir, [vm("gui", gpu=True)])
        self.state_dir = pathlib.Path(state_dir)
        self.daemon.env["VMSILO_USER_RUNTIME_BASE"] = str(self.base)
        self.daemon.env["VMSILO_WAYLAND"] = str(build_dir() / "src/wayland/vmsilo-wayland")
        self.daemon.env["VMSILO_CLIPBOARD"] = str(build_dir() / "src/clipboard/vmsilo-clipboard")
        self.dir = self.daemon.runtime / "services" / "gui"
        self.sway = None
        self.clients = []

    def gui(self):
        return self.daemon.status("gui")["gui"]

    def companion(self, name):
        return next(c for c in self.gui()["companions"] if c["name"] == name)

    def guest_client(self, app_id, title):
        """What the guest does: a waypipe server on the service socket running the client.
        Both companions' sockets must exist: a restarted one may still be starting."""
        wait_for(lambda: (self.dir / "wayland.sock").exists() and
                 (self.dir / "fence.sock").exists(), what="the companions' sockets")
        xdg = pathlib.Path(tempfile.mkdtemp(prefix="companion-xdg-", dir=self.home))
        log = self.home / f"{app_id}.log"
        out = open(self.home / f"{app_id}.waypipe.log", "ab")
        proc = subprocess.Popen(
            ["waypipe", "--no-gpu", "--socket", str(self.dir / "wayland.sock"), "server", "--",
             str(build_dir() / "tests/helpers/wl-test-client"), "--app-id", app_id, "--title",
             title, "--log", str(log)],
            env={"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(xdg),
                 "ASAN_OPTIONS": "detect_leaks=0"}, stdout=out, stderr=out)
        out.close()
        self.clients.append(proc)
        return proc

    def close(self):
        for proc in self.clients:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if self.sway:
            self.sway.close()
        self.notify_bus.stop()


@pytest.fixture(scope="module")
def setup(tmp_path_factory, state_dir):
    s = Setup(tmp_path_factory.mktemp("companion"), state_dir)
    try:
        s.daemon.start()
    except BaseException:
        s.notify_bus.stop()  # no session bus left behind by a daemon that did not start
        raise
    yield s
    s.close()
    clipboards = descendants(s.daemon.proc.pid, "vmsilo-clipboar")
    assert s.daemon.stop() == 0, s.daemon.output()
    # the user's clipboard ends with the daemon
    wait_for(lambda: not any(os.path.exists(f"/proc/{p}") for p in clipboards),
             what="vmsilo-clipboard gone with vmsilod")
    if not os.environ.get("KEEP"):
        shutil.rmtree(s.home, ignore_errors=True)
        shutil.rmtree(s.base, ignore_errors=True)


@pytest.fixture(scope="session")
def state_dir():
    ensure_test_user()
    return public_dir("vmsilo-state-")


def process_tree():
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = pathlib.Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    return children


def sandboxed(pid, comm):
    """The process called comm that the companion's bwrap (pid) runs."""
    def find():
        children, stack = process_tree(), [pid]
        while stack:
            for child in children.get(stack.pop(), []):
                try:
                    if pathlib.Path(f"/proc/{child}/comm").read_text().strip() == comm:
                        return child
                except OSError:
                    pass
                stack.append(child)
        return None
    return wait_for(find, what=f"{comm} under pid {pid}")


def uid_of(pid):
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


def test_no_compositor_is_said_in_status_and_log(setup):
    r = setup.daemon.cli("start", "gui", timeout=300)
    assert r.returncode == 0, r.stderr
    setup.daemon.wait_state("gui", "running")
    gui = wait_for(lambda: (g := setup.gui()) and g["problem"] and g, what="a problem")
    assert gui["compositor"] is None
    assert gui["problem"] == f"no compositor: no live wayland-N socket in {setup.run_dir}"
    assert {c["state"] for c in gui["companions"]} == {"waiting"}
    assert f"VM 'gui': {gui['problem']}" in setup.daemon.output()


def test_compositor_appearing_later_is_picked_up(setup):
    setup.sway = Sway(setup.user, setup.home, setup.run_dir)
    gui = wait_for(lambda: (g := setup.gui())["compositor"] and g, what="the compositor")
    assert gui["compositor"] == str(setup.sway.compositor)
    assert gui["problem"] is None
    wait_for(lambda: all(c["state"] == "running" and c["pid"] for c in setup.gui()["companions"]),
             what="both companions running")
    shown = setup.daemon.cli("status").stdout.decode()
    assert f"gui: gui: compositor {setup.sway.compositor}; fence running (pid " in shown
    assert (setup.dir.stat().st_uid, setup.dir.stat().st_mode & 0o777) == \
        (setup.user.pw_uid, 0o700)


def test_companions_run_as_the_user_without_network_home_or_compositor(setup):
    host_net = os.readlink(f"/proc/{setup.daemon.proc.pid}/ns/net")
    fence = sandboxed(setup.companion("fence")["pid"], "vmsilo-wayland")
    waypipe = sandboxed(setup.companion("waypipe")["pid"], "waypipe")
    compositor = str(setup.sway.compositor)
    for pid in (fence, waypipe):
        assert uid_of(pid) == setup.user.pw_uid
        assert os.readlink(f"/proc/{pid}/ns/net") != host_net
        root = set(os.listdir(f"/proc/{pid}/root"))
        assert not root & {"home", "etc", "root", "var"}, root
        assert not os.path.exists(f"/proc/{pid}/root{setup.home}")
        assert os.path.exists(f"/proc/{pid}/root{setup.dir}")
    # Only the fence reaches the real compositor; waypipe's compositor is the fence.
    assert os.path.exists(f"/proc/{fence}/root{compositor}")
    assert not os.path.exists(f"/proc/{waypipe}/root{compositor}")
    assert not os.path.exists(f"/proc/{waypipe}/root{setup.sway.swaysock}")


def descendants(pid, comm):
    """Every process called comm under pid."""
    children, stack, found = process_tree(), [pid], []
    while stack:
        for child in children.get(stack.pop(), []):
            try:
                if pathlib.Path(f"/proc/{child}/comm").read_text().strip() == comm:
                    found.append(child)
            except OSError:
                pass
            stack.append(child)
    return found


def test_the_users_clipboard_runs_once_sandboxed_and_the_fence_reaches_it(setup):
    sock = setup.run_dir / "vmsilo" / "clipboard.sock"
    wait_for(sock.exists, what="vmsilo-clipboard's socket")
    assert (sock.stat().st_uid, sock.stat().st_mode & 0o777) == (setup.user.pw_uid, 0o600)
    assert (sock.parent.stat().st_uid, sock.parent.stat().st_mode & 0o777) == \
        (setup.user.pw_uid, 0o700)
    # one for the user (comm is cut to 15 characters), in the companions' sandbox
    clipboards = descendants(setup.daemon.proc.pid, "vmsilo-clipboar")
    assert len(clipboards) == 1, clipboards
    pid = clipboards[0]
    assert uid_of(pid) == setup.user.pw_uid
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink(f"/proc/{setup.daemon.proc.pid}/ns/net")
    root = set(os.listdir(f"/proc/{pid}/root"))
    assert not root & {"home", "etc", "root", "var"}, root
    assert not os.path.exists(f"/proc/{pid}/root{setup.sway.compositor}")
    # the fence is told the socket and sees it; waypipe does not
    fence = sandboxed(setup.companion("fence")["pid"], "vmsilo-wayland")
    argv = pathlib.Path(f"/proc/{fence}/cmdline").read_bytes().split(b"\0")
    assert argv[argv.index(b"--clipboard") + 1] == bytes(sock)
    # and the configured keys (the defaults here: Qubes' own)
    assert argv[argv.index(b"--copy-key") + 1] == b"ctrl+shift+c"
    assert argv[argv.index(b"--paste-key") + 1] == b"ctrl+shift+v"
    assert os.path.exists(f"/proc/{fence}/root{sock}")
    waypipe = sandboxed(setup.companion("waypipe")["pid"], "waypipe")
    assert not os.path.exists(f"/proc/{waypipe}/root{sock}")
    # `vmsilo clipboard` as the user finds it where it looks by default
    r = subprocess.run([str(build_dir() / "src/cli/vmsilo"), "clipboard", "status"],
                       user=setup.user.pw_uid, group=setup.user.pw_gid, extra_groups=[],
                       env={"XDG_RUNTIME_DIR": str(setup.run_dir), "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True, timeout=10)
    assert (r.returncode, r.stdout) == (0, "empty\n"), r.stderr
    # of the user's runtime dir, the sandbox has its own directory and the session bus's socket,
    # through which its notifications reach the user's notification daemon
    assert sorted(os.listdir(f"/proc/{pid}/root{setup.run_dir}")) == ["bus", "vmsilo"]
    before = len(setup.notify_bus.notices())
    assert clipboard_request(setup.user, sock, b"copy gui\nsandboxed") == b"ok 9 gui\n"
    assert setup.notify_bus.new_notices(before, 1) == \
        [["vmsilo", "edit-copy", "Copied from [gui]", "9 bytes", "0", "-1"]]
    # killed, it is started again (the text it held is lost)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: (now := descendants(setup.daemon.proc.pid, "vmsilo-clipboar")) and
             now != [pid], what="vmsilo-clipboard restarted")
    assert "vmsilo-clipboard (pid " in setup.daemon.output()


def test_guest_window_appears_titled_with_the_vm_name(setup):
    setup.guest_client("first", "hello")
    view = setup.sway.view("[gui] hello", timeout=20)
    # No host entry for 'first': the window has the VM's app_id.
    assert view["app_id"] == "vmsilo-gui"


def test_a_window_of_an_installed_program_has_its_host_entrys_id(setup):
    """vmsilod gives the fence the directory its menu entries go to (read-only in the sandbox):
    a program whose host entry vmsilo-gui.<id>.desktop is there, installed after the fence
    started (as a configuration reload does), gets that entry's id as its app_id, so the taskbar
    finds the entry's name and icon."""
    entries = setup.state_dir / "exports/share/applications"
    assert entries.is_dir()  # made by the menu sync at vmsilod's start, before the companions
    fence = sandboxed(setup.companion("fence")["pid"], "vmsilo-wayland")
    assert os.path.isdir(f"/proc/{fence}/root{entries}")
    entry = entries / "vmsilo-gui.second.desktop"
    entry.write_text("[Desktop Entry]\nType=Application\nName=[gui] Second\n"
                     "Exec=vm-run gui second\n")
    try:
        setup.guest_client("second", "two")
        assert setup.sway.view("[gui] two", timeout=20)["app_id"] == "vmsilo-gui.second"
    finally:
        entry.unlink()


def test_killed_waypipe_client_is_restarted_and_a_new_window_appears(setup):
    before = setup.companion("waypipe")
    os.kill(sandboxed(before["pid"], "waypipe"), signal.SIGKILL)
    after = wait_for(lambda: (c := setup.companion("waypipe"))["restarts"] == 1 and
                     c["state"] == "running" and c, what="a restarted waypipe client")
    assert after["pid"] != before["pid"]
    assert "killed by signal" in after["last_error"] or "exited" in after["last_error"]
    wait_for(lambda: not setup.sway.titled("[gui] hello"), what="the old window gone")
    assert setup.companion("fence")["restarts"] == 0
    setup.guest_client("second", "again")
    setup.sway.view("[gui] again", timeout=20)
    assert setup.daemon.status("gui")["state"] == "running"


def test_a_companion_dying_too_often_is_left_failed_and_the_vm_runs_on(setup):
    for _ in range(12):
        c = setup.companion("waypipe")
        if c["state"] == "failed":
            break
        os.kill(sandboxed(c["pid"], "waypipe"), signal.SIGKILL)
        wait_for(lambda: (n := setup.companion("waypipe"))["pid"] != c["pid"] or
                 n["state"] == "failed", what="waypipe restarted or given up")
    c = setup.companion("waypipe")
    assert c["state"] == "failed" and c["pid"] is None
    assert c["last_error"].startswith("killed by signal") or "exited" in c["last_error"]
    assert setup.companion("fence")["state"] == "running"
    assert setup.daemon.status("gui")["state"] == "running"
    assert "not restarting it" in setup.daemon.output()
    shown = setup.daemon.cli("status").stdout.decode()
    assert "; waypipe failed (pid -, " in shown


def test_two_compositors_are_reported_then_the_one_left_is_used(setup):
    second = setup.run_dir / "wayland-2"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(second))
    listener.listen()
    os.chown(second, setup.user.pw_uid, setup.user.pw_gid)
    try:
        gui = wait_for(lambda: (g := setup.gui())["problem"] and g, what="the ambiguity")
        assert gui["problem"] == (f"no compositor: 2 live wayland-N sockets in {setup.run_dir}; "
                                  "set waylandDisplay")
        assert {c["state"] for c in gui["companions"]} == {"waiting"}
    finally:
        listener.close()
        second.unlink()
    # Picked up again, and a failed companion gets a fresh start with the new compositor.
    wait_for(lambda: all(c["state"] == "running" for c in setup.gui()["companions"]),
             what="both companions running again")
    setup.guest_client("third", "back")
    setup.sway.view("[gui] back", timeout=20)


def test_stopping_the_vm_stops_the_companions(setup):
    pids = [c["pid"] for c in setup.gui()["companions"]]
    r = setup.daemon.cli("stop", "gui", timeout=120)
    assert r.returncode == 0, r.stderr
    setup.daemon.wait_state("gui", "stopped")
    assert setup.daemon.status("gui")["gui"] is None
    wait_for(lambda: not any(os.path.exists(f"/proc/{p}") for p in pids),
             what="the companions gone")
    wait_for(lambda: not setup.sway.views(), what="the windows gone")
    assert not setup.dir.exists()
    # the user's clipboard outlives the VM: it is the user's, not the VM's
    assert len(descendants(setup.daemon.proc.pid, "vmsilo-clipboar")) == 1
