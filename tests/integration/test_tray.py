# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmsilo-tray end to end without a VM: a guest and a host session bus (dbus-daemon), the two
halves joined by a socketpair, test items (tests/helpers/tray-test-item) on the guest bus and a
test StatusNotifierWatcher on the host bus (docs/tray.md)."""
import json
import os
import select
import socket
import struct
import subprocess
import tempfile
import time
import zlib

import pytest

BUILD = os.environ.get("VMSILO_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
TRAY = os.path.join(BUILD, "src/tray/vmsilo-tray")
ITEM = os.path.join(BUILD, "tests/helpers/tray-test-item")
COLOR = (0x12, 0x34, 0x56)


def png(width, height, argb):
    raw = b"".join(b"\0" + bytes([argb[1], argb[2], argb[3], argb[0]]) * width for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Bus:
    def __init__(self):
        self.proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.address = self.proc.stdout.readline().strip()
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address)

    def busctl(self, *args):
        out = subprocess.run(["busctl", "--user", "--json=short", "--"] + list(args), env=self.env,
                             capture_output=True, text=True, timeout=10)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else None

    def prop(self, name, prop, iface="org.kde.StatusNotifierItem", path="/StatusNotifierItem"):
        return self.busctl("get-property", name, path, iface, prop)["data"]

    def names(self):
        out = subprocess.run(["busctl", "--user", "list", "--acquired", "--no-legend"],
                             env=self.env, capture_output=True, text=True, timeout=10)
        return [l.split()[0] for l in out.stdout.splitlines()
                if l.startswith("org.kde.StatusNotifierItem-")]


class Peer:
    def __init__(self, bus, *args):
        self.proc = subprocess.Popen([ITEM] + list(args), env=bus.env, stdout=subprocess.PIPE,
                                     bufsize=0)
        self.buf = b""
        assert self.line() == "ready"

    def line(self, timeout=10):
        """The next line the peer prints; fails after timeout seconds without one."""
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, end - time.monotonic()))
            assert ready, "the test peer printed nothing"
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            assert chunk, "the test peer exited"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode().strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def wait_for(pred, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            v = pred()
        except AssertionError:  # a busctl call to a peer that is not there yet
            v = None
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="module")
def tray():
    icons = tempfile.mkdtemp(prefix="tray-test-")
    d = os.path.join(icons, "icons/hicolor/16x16/apps")
    os.makedirs(d)
    with open(os.path.join(d, "vmsilo-tray-test.png"), "wb") as f:
        f.write(png(16, 16, (0xff, 0x00, 0x00, 0xff)))
    guest, host = Bus(), Bus()
    watcher = Peer(host, "watcher")
    a, b = socket.socketpair()
    host_half = subprocess.Popen([TRAY, "host", "--vm", "work", "--color", "#123456",
                                  "--fd", str(a.fileno()), "--log-level", "debug"],
                                 env=host.env, pass_fds=[a.fileno()])
    guest_half = subprocess.Popen([TRAY, "guest", "--fd", str(b.fileno())],
                                  env=dict(guest.env, XDG_DATA_DIRS=icons), pass_fds=[b.fileno()])
    a.close()
    b.close()
    wait_for(lambda: guest.busctl("get-property", "org.kde.StatusNotifierWatcher",
                                  "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                                  "ProtocolVersion"))
    yield guest, host, watcher, guest_half, host_half
    for p in (guest_half, host_half):
        p.terminate()
        p.wait(timeout=10)
    for p in (watcher.proc, guest.proc, host.proc):
        p.terminate()
        p.wait(timeout=10)


def find_item(host, title):
    for name in host.names():
        try:
            if host.prop(name, "Title") == title:
                return name
        except AssertionError:  # gone meanwhile
            pass
    return None


def test_item_shows_prefixed_with_bordered_pixmap(tray):
    guest, host, watcher, _, _ = tray
    item = Peer(guest, "good", "Mail")
    name = wait_for(lambda: find_item(host, "[work] Mail"))
    assert wait_for(lambda: watcher.line()) == "registered " + name
    tooltip = host.prop(name, "ToolTip")
    assert tooltip[2] == "[work] Mail" and tooltip[3] == "tip"
    assert host.prop(name, "IconName") == ""
    (w, h, data), = host.prop(name, "IconPixmap")
    assert (w, h) == (16, 16)  # the guest's theme icon, not the 8x8 pixmap
    assert data[0:4] == [0xff, *COLOR]                      # border
    centre = (8 * 16 + 8) * 4
    assert data[centre:centre + 4] == [0xff, 0x00, 0x00, 0xff]  # the icon itself
    item.stop()


def test_click_and_menu_event_reach_the_guest_item(tray):
    guest, host, _, _, _ = tray
    item = Peer(guest, "good", "Chat")
    name = wait_for(lambda: find_item(host, "[work] Chat"))
    host.busctl("call", name, "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Activate",
                "ii", "3", "4")
    assert item.line() == "activate 3 4"
    layout = host.busctl("call", name, "/MenuBar", "com.canonical.dbusmenu", "GetLayout",
                         "iias", "0", "-1", "0")["data"]
    children = layout[1][2]
    labels = [c["data"][1]["label"]["data"] for c in children]
    assert labels == ["Open", "More"]
    sub = children[1]["data"][2]
    assert sub[0]["data"][1]["label"]["data"] == "Sub"
    host.busctl("call", name, "/MenuBar", "com.canonical.dbusmenu", "Event", "isvu", "3",
                "clicked", "s", "", "0")
    assert item.line() == "event 3 clicked"
    item.stop()


def test_other_interactions_reach_the_guest_item(tray):
    guest, host, _, _, _ = tray
    item = Peer(guest, "good", "Volume")
    name = wait_for(lambda: find_item(host, "[work] Volume"))
    sni = [name, "/StatusNotifierItem", "org.kde.StatusNotifierItem"]
    menu = [name, "/MenuBar", "com.canonical.dbusmenu"]
    host.busctl("call", *sni, "Scroll", "is", "-120", "horizontal")
    assert item.line() == "scroll -120 horizontal"
    host.busctl("call", *sni, "SecondaryActivate", "ii", "5", "6")
    assert item.line() == "SecondaryActivate 5 6"
    host.busctl("call", *sni, "ContextMenu", "ii", "7", "8")
    assert item.line() == "ContextMenu 7 8"
    host.busctl("call", *menu, "AboutToShow", "i", "2")
    assert item.line() == "abouttoshow 2"
    # An id the menu does not have never reaches the guest; the next event does.
    host.busctl("call", *menu, "Event", "isvu", "99", "clicked", "s", "", "0")
    host.busctl("call", *menu, "EventGroup", "a(isvu)", "1", "1", "hovered", "i", "0", "0")
    assert item.line() == "event 1 hovered"
    item.stop()


def test_removed_item_disappears(tray):
    guest, host, _, _, _ = tray
    item = Peer(guest, "good", "Gone")
    name = wait_for(lambda: find_item(host, "[work] Gone"))
    item.stop()
    wait_for(lambda: name not in host.names())


def test_hostile_items_neutralised_good_item_keeps_working(tray):
    guest, host, _, guest_half, host_half = tray
    good = Peer(guest, "good", "Steady")
    name = wait_for(lambda: find_item(host, "[work] Steady"))
    before = set(host.names())
    hostile = [Peer(guest, m) for m in ("big-pixmap", "wide-menu", "deep-menu", "flood", "markup")]
    markup = wait_for(lambda: find_item(host, "[work] evil  right"))
    assert host.prop(markup, "ToolTip")[3] == "tip"
    flood = wait_for(lambda: find_item(host, "[work] test"))
    time.sleep(1)
    new = set(host.names()) - before
    # The oversized items were dropped by the host half; the markup item is shown cleaned, the
    # flooding one with its updates coalesced.
    assert sorted(host.prop(n, "Title") for n in new) == ["[work] evil  right", "[work] test"]
    owner = host.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus", "GetNameOwner", "s", flood)["data"][0]
    monitor = subprocess.run(["timeout", "2", "busctl", "--user", "--json=short", "monitor",
                              "--match", "type='signal',member='NewIcon'"], env=host.env,
                             capture_output=True, text=True)
    updates = [l for l in monitor.stdout.splitlines() if f'"sender":"{owner}"' in l]
    assert 2 <= len(updates) <= 2 * 10, monitor.stderr  # 1000/s in the guest, at most 10/s on the host
    for n in new:
        layout = host.busctl("call", n, "/MenuBar", "com.canonical.dbusmenu", "GetLayout",
                             "iias", "0", "-1", "0")["data"]
        assert len(layout[1][2]) <= 2
    host.busctl("call", name, "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Activate",
                "ii", "1", "2")
    assert good.line() == "activate 1 2"
    assert guest_half.poll() is None and host_half.poll() is None
    for p in hostile + [good]:
        p.stop()


def test_items_register_again_with_a_new_watcher(tray):
    guest, host, watcher, _, _ = tray
    item = Peer(guest, "good", "Again")
    name = wait_for(lambda: find_item(host, "[work] Again"))
    watcher.stop()
    second = Peer(host, "watcher")
    try:
        while second.line() != "registered " + name:
            pass
    finally:
        second.stop()
        item.stop()


def test_stream_end_removes_every_item(tray):
    guest, host, _, guest_half, host_half = tray
    item = Peer(guest, "good", "Last")
    wait_for(lambda: find_item(host, "[work] Last"))
    guest_half.terminate()
    assert guest_half.wait(timeout=10) == 0
    assert host_half.wait(timeout=10) == 0
    wait_for(lambda: host.names() == [])
    item.stop()


@pytest.mark.parametrize("args,status", [
    (["--help"], 0),
    (["host", "--vm", "work", "--fd", "3"], 2),                        # no --color
    (["host", "--vm", "work", "--color", "nocolour", "--fd", "3"], 2),
    (["guest", "--vm", "work", "--fd", "3"], 2),                       # --vm is for host
    (["guest", "--fd", "3", "--connect", "/x"], 2),
    (["guest"], 2),
    (["sideways", "--fd", "3"], 2),
    (["guest", "--connect", "/nonexistent/tray.sock"], 1),
    (["guest", "--listen", "/x", "--connect", "/y"], 2),
    (["host", "--vm", "work", "--color", "red", "--listen", "/nonexistent/dir/tray.sock"], 1),
])
def test_command_line_exit_statuses(args, status):
    assert subprocess.run([TRAY] + args, capture_output=True).returncode == status


def test_guest_half_over_connect_socket(tmp_path):
    """--connect: the guest half reaches the host half over a listening unix socket."""
    guest = Bus()
    path = str(tmp_path / "tray.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    half = subprocess.Popen([TRAY, "guest", "--connect", path], env=guest.env)
    conn, _ = listener.accept()
    # The guest half may connect before it owns the watcher's name; an item registering before
    # that gets ServiceUnknown (sd-bus: "No route to host") and exits.
    wait_for(lambda: guest.busctl("get-property", "org.kde.StatusNotifierWatcher",
                                  "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                                  "ProtocolVersion"))
    item = Peer(guest, "good", "Sock")
    conn.settimeout(10)
    header = conn.recv(5)
    length, kind = struct.unpack("<IB", header)
    assert kind == 0x01 and 0 < length < 3 * 1024 * 1024  # an item snapshot
    conn.shutdown(socket.SHUT_WR)  # the host half's EOF ends the guest half
    while conn.recv(65536):
        pass
    conn.close()
    assert half.wait(timeout=10) == 0
    item.stop()
    listener.close()
    guest.proc.terminate()
    guest.proc.wait(timeout=10)


def test_host_half_over_listen_socket_takes_one_connection(tmp_path):
    """--listen (how vmsilod starts the host half): the socket is there until the guest half
    connects, then gone, so a second connection finds nobody; the stream's end ends the half."""
    host = Bus()
    path = tmp_path / "tray.sock"
    half = subprocess.Popen([TRAY, "host", "--vm", "work", "--color", "red", "--listen",
                             str(path)], env=host.env)
    try:
        wait_for(path.exists)
        assert path.stat().st_mode & 0o777 == 0o600
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(str(path))
        wait_for(lambda: not path.exists())
        conn.close()
        assert half.wait(timeout=10) == 0
    finally:
        half.kill()
        half.wait()
        host.proc.terminate()
        host.proc.wait(timeout=10)
