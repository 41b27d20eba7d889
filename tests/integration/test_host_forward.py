# SPDX-License-Identifier: LGPL-2.1-or-later
"""Guest-opened FORWARD streams through vmsilod (docs/protocol.md §3.2): the real daemon and the
real agent, with a fake VMM (fake_qemu.py) that runs the agent on the host over the plan's agent
fd instead of booting a guest. A guest program is a connection to the agent's
<forward dir>/wayland.sock; the host companion is a Python listener on
<runtime>/services/<vm>/wayland.sock, listening as the configured user."""
import json
import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from daemon import (TEST_USER, binary, ensure_test_user, fake_qemu_cleanup, fake_qemu_daemon,
                    listen_as_user, public_dir, services_dir, wait_for)
from userbus import UserBus, read_line

HOSTILE_OPENS = 70


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    ensure_test_user()
    d = fake_qemu_daemon(tmp_path_factory, [("gui", {}), ("nogui", {"gpu": False, "tray": False}),
                                            ("hostile", {})])
    user_runtime = public_dir("vmsilo-userrun-")
    d.env.update({
        # nogui's guest listens although the plan names no service: the host must refuse it.
        "FAKE_QEMU_EXTRA_CMDLINE": "vmsilo.forward=wayland,tray",
        "FAKE_QEMU_HOSTILE": "hostile",
        "FAKE_QEMU_HOSTILE_OPENS": str(HOSTILE_OPENS),
        # The tray test's session bus is <user_runtime>/<uid>/bus; until then there is none.
        "VMSILO_USER_RUNTIME_BASE": str(user_runtime),
    })
    d.user_runtime = user_runtime
    d.start()
    yield d
    assert d.stop() == 0, d.output()
    fake_qemu_cleanup(d)
    shutil.rmtree(user_runtime, ignore_errors=True)


def start_vm(d, name):
    if d.status(name)["state"] != "running":
        r = d.cli("start", name)
        assert r.returncode == 0, r.stderr
        d.wait_state(name, "running")


class Companion:
    """A host service listener on <runtime>/services/<vm>/<service>.sock, as the configured user;
    accepted connections queue up."""

    def __init__(self, d, name, service="wayland"):
        self.path = services_dir(d.runtime, name) / f"{service}.sock"
        self.sock = listen_as_user(self.path)
        self.sock.settimeout(20)

    def accept(self):
        conn, _ = self.sock.accept()
        conn.settimeout(20)
        return conn

    def close(self):
        self.sock.close()
        self.path.unlink()


def guest_connect(d, name):
    path = d.forward / name / "wayland.sock"
    deadline = time.monotonic() + 20
    while not path.exists():
        assert time.monotonic() < deadline, f"the agent of {name} made no wayland socket"
        time.sleep(0.05)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(str(path))
    return s


def recv_exactly(s, n):
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        assert chunk, f"closed after {len(got)} of {n} bytes"
        got += chunk
    return got


def test_the_plan_names_wayland_only_with_gpu(daemon):
    start_vm(daemon, "gui")
    start_vm(daemon, "nogui")
    assert "vmsilo.forward=wayland,tray " in (daemon.forward / "gui" / "cmdline").read_text()
    # nogui's fake VMM added the word itself; the plan did not.
    assert (daemon.forward / "nogui" / "cmdline").read_text().count("vmsilo.forward=") == 1


def test_guest_connection_reaches_the_host_service_both_ways(daemon):
    start_vm(daemon, "gui")
    c = Companion(daemon, "gui")
    try:
        g = guest_connect(daemon, "gui")
        h = c.accept()
        g.sendall(b"from the guest")
        assert recv_exactly(h, 14) == b"from the guest"
        big = os.urandom(3 * 1024 * 1024)  # beyond every window: credit must flow
        t = threading.Thread(target=h.sendall, args=(big,))
        t.start()
        assert recv_exactly(g, len(big)) == big
        t.join()
        g.shutdown(socket.SHUT_WR)
        assert h.recv(10) == b""  # the guest's EOF reached the companion
        h.sendall(b"bye")
        h.close()
        assert recv_exactly(g, 3) == b"bye" and g.recv(10) == b""
        g.close()
    finally:
        c.close()


def test_no_companion_listening_closes_the_guest_connection(daemon):
    start_vm(daemon, "gui")
    g = guest_connect(daemon, "gui")
    assert g.recv(10) == b""
    assert "no host service 'wayland' listening" in daemon.output()


def test_a_vm_without_gpu_is_refused_by_the_host(daemon):
    start_vm(daemon, "nogui")
    c = Companion(daemon, "nogui")
    try:
        g = guest_connect(daemon, "nogui")
        assert g.recv(10) == b""
        c.sock.settimeout(0.5)
        with pytest.raises(socket.timeout):
            c.accept()
        assert "guest stream to 'wayland' refused: service not enabled for this VM" \
            in daemon.output()
    finally:
        c.close()


def test_a_stalled_connection_stalls_only_itself(daemon):
    start_vm(daemon, "gui")
    c = Companion(daemon, "gui")
    try:
        stalled_g = guest_connect(daemon, "gui")
        stalled_h = c.accept()  # never read
        live_g = guest_connect(daemon, "gui")
        live_h = c.accept()
        # More than the socket buffers and the window hold: the writer blocks.
        stalled_g.setblocking(False)
        sent = 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                sent += stalled_g.send(b"x" * 65536)
            except BlockingIOError:
                time.sleep(0.05)
                try:
                    sent += stalled_g.send(b"x" * 65536)
                except BlockingIOError:
                    break
        assert sent > 256 * 1024
        for i in range(50):
            msg = b"frame %d" % i
            live_g.sendall(msg)
            assert recv_exactly(live_h, len(msg)) == msg
            live_h.sendall(b"ack")
            assert recv_exactly(live_g, 3) == b"ack"
        # The stalled one still delivers everything once read.
        stalled_g.setblocking(True)
        got = 0
        while got < sent:
            got += len(stalled_h.recv(1 << 20))
        assert got == sent
        for s in (stalled_g, stalled_h, live_g, live_h):
            s.close()
    finally:
        c.close()


def test_a_socket_not_served_by_the_vmsilo_user_is_refused(daemon, tmp_path):
    # A symlink in the user's directory to root's socket: vmsilod, root, must not relay the
    # guest there, nor even connect to it.
    start_vm(daemon, "gui")
    root_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    root_sock.bind(str(tmp_path / "root.sock"))
    root_sock.listen(8)
    link = services_dir(daemon.runtime, "gui") / "wayland.sock"
    link.symlink_to(tmp_path / "root.sock")
    try:
        g = guest_connect(daemon, "gui")
        assert g.recv(10) == b""
        assert "wayland.sock' is not a socket of the vmsilo user; refusing" in daemon.output()
        root_sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            root_sock.accept()
    finally:
        link.unlink()
        root_sock.close()


def test_vmsilod_makes_the_services_directory_for_the_user(daemon):
    start_vm(daemon, "gui")
    st = (daemon.runtime / "services" / "gui").stat()
    assert st.st_uid == pwd.getpwnam("vmsilo-test").pw_uid and (st.st_mode & 0o777) == 0o700
    assert (daemon.runtime / "services").stat().st_uid == 0


def test_guest_opened_streams_are_capped_at_64_per_vm(daemon):
    c = Companion(daemon, "hostile")
    try:
        start_vm(daemon, "hostile")
        answers = daemon.forward / "hostile" / "answers.json"
        deadline = time.monotonic() + 30
        while not answers.exists():
            assert time.monotonic() < deadline, daemon.output()
            time.sleep(0.1)
        got = json.loads(answers.read_text())
        assert got.count(0) == 64
        assert got.count(-24) == HOSTILE_OPENS - 64  # -EMFILE
    finally:
        c.close()



def test_stopping_a_vm_with_open_guest_streams_answers_and_keeps_the_daemon(daemon):
    """The VM stops while guest-opened streams are open, some half-closed by the companion: the
    stop is answered, and vmsilod serves on (a stream the VM took with it must not outlive its
    channel)."""
    start_vm(daemon, "gui")
    c = Companion(daemon, "gui")
    guests = []
    try:
        for i in range(3):
            guests.append(guest_connect(daemon, "gui"))
            h = c.accept()
            guests[-1].sendall(b"hello")
            assert recv_exactly(h, 5) == b"hello"
            if i < 2:
                h.close()  # the companion ends two of them; the guest keeps its ends open
        reply = daemon.control({"method": "stop", "vm": "gui"})
        assert reply["ok"], reply
        daemon.wait_state("gui", "stopped")
        assert daemon.control({"method": "status"})["ok"]
    finally:
        for g in guests:
            g.close()
        c.close()


def test_tray_host_half_shows_guest_items_on_the_users_bus_until_the_vm_stops(daemon):
    """Issue #16 through vmsilod with the real agent (on the host, fake VMM): the guest half on
    a guest bus connects to the agent's tray.sock; vmsilod relays the stream to the host half it
    runs sandboxed as the configured user on that user's session bus, where the item shows."""
    # The VM runs before the user's bus appears: the host half starts once it does.
    start_vm(daemon, "gui")
    host = UserBus(daemon.user_runtime / str(pwd.getpwnam(TEST_USER).pw_uid) / "bus")
    guest = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address"],
                             stdout=subprocess.PIPE, text=True)
    guest_env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=guest.stdout.readline().strip())
    procs = [guest]
    try:
        tray = wait_for(lambda: (daemon.status("gui")["tray"] or {}).get("state") == "running"
                        and daemon.status("gui")["tray"], timeout=20,
                        what=f"the tray host half:\n{daemon.output()[-3000:]}")
        assert tray["bus"] == str(host.env["DBUS_SESSION_BUS_ADDRESS"][len("unix:path="):])
        # As the configured user (from just after the fork: the child drops to it before exec).
        status = Path(f"/proc/{tray['pid']}/status")
        wait_for(lambda: f"Uid:\t{host.pw.pw_uid}\t{host.pw.pw_uid}\t{host.pw.pw_uid}\t"
                 f"{host.pw.pw_uid}\n" in status.read_text(), what="the host half's uid")
        watcher = host.popen([binary("tray-test-item"), "watcher"], stdout=subprocess.PIPE)
        procs.append(watcher)
        assert read_line(watcher) == "ready\n"
        wait_for(lambda: (daemon.forward / "gui" / "tray.sock").exists(), timeout=20,
                 what="the agent's tray socket")
        procs.append(subprocess.Popen([binary("vmsilo-tray"), "guest", "--connect",
                                       str(daemon.forward / "gui" / "tray.sock")], env=guest_env))
        # The guest half owns the watcher name once its stream is up.
        wait_for(lambda: subprocess.run(["busctl", "--user", "status",
                                         "org.kde.StatusNotifierWatcher"], env=guest_env,
                                        capture_output=True).returncode == 0,
                 timeout=20, what="the guest half's watcher")
        item = subprocess.Popen([binary("tray-test-item"), "good", "Hello"], env=guest_env,
                                stdout=subprocess.PIPE)
        procs.append(item)
        assert read_line(item) == "ready\n"
        assert read_line(watcher).startswith("registered org.kde.StatusNotifierItem-")
        names = host.items()
        assert [host.title(n) for n in names] == ['s "[gui] Hello"'], names

        stop_reply = daemon.control({"method": "stop", "vm": "gui"})
        assert stop_reply["ok"], stop_reply
        daemon.wait_state("gui", "stopped")
        wait_for(lambda: host.items() == [], timeout=20, what="the items gone with the VM")
        assert daemon.status("gui")["tray"] is None
        assert not (services_dir(daemon.runtime, "gui") / "tray.sock").exists()
    finally:
        for p in procs:
            p.kill()
            p.wait()
        host.stop()
