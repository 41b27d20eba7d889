# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmsilo-wayland against a real compositor, without a VM: sway 1.7 headless as the test user,
one vmsilo-wayland for VM 'gui' in front of it, our wl-test-client and foot as well-behaved
clients, and hostile clients that write raw wire bytes (docs/graphics.md)."""
import importlib.util
import os
import pathlib
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import pytest

import sway
from daemon import TEST_USER, build_dir, ensure_test_user, wait_for

SRC = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("wlcorpus", SRC / "fuzz" / "make-wayland-corpus.py")
wire = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wire)
msg = wire.msg

SWAY_CONFIG = "output HEADLESS-1 resolution 1280x800\ndefault_border none\n"


class Desktop:
    """sway + vmsilo-wayland, both as the test user, in a private runtime dir."""

    def __init__(self, sway_config=SWAY_CONFIG):
        self.user = ensure_test_user()
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="wayland-fence-"))
        self.dir.chmod(0o755)
        self.run = self.dir / "run"
        self.run.mkdir(mode=0o700)
        os.chown(self.run, self.user.pw_uid, self.user.pw_gid)
        (self.dir / "sway.conf").write_text(sway_config)
        self.procs = []
        self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(self.dir),
                    "XDG_RUNTIME_DIR": str(self.run)}
        self.sway = self.spawn(["sway", "-c", str(self.dir / "sway.conf")], "sway.log",
                               WLR_BACKENDS="headless", WLR_RENDERER="pixman",
                               WLR_LIBINPUT_NO_DEVICES="1")
        self.compositor = self.run / "wayland-1"
        wait_for(lambda: self.compositor.exists() and list(self.run.glob("sway-ipc.*.sock")),
                 what="sway's sockets")
        self.swaysock = str(next(self.run.glob("sway-ipc.*.sock")))
        self.socket = self.run / "gui-wayland"
        self.proxy_log = self.dir / "proxy.log"
        # the host's applications dir: vmsilo-<vm>.<id>.desktop for each test client's app_id
        self.entries = self.dir / "applications"
        self.entries.mkdir()
        self.fences = []
        self.proxy = self.fence(self.socket, "wayland-1", "proxy.log")

    def fence(self, listen, upstream, log, vm="gui", *options):
        """A vmsilo-wayland for VM vm; sanitizer reports (ASan builds) land in its log and
        fail it: the fixture wants every fence to exit 0 at SIGTERM."""
        proc = self.spawn([str(build_dir() / "src/wayland/vmsilo-wayland"), "--vm", vm,
                           "--listen", str(listen), "--upstream", upstream,
                           "--entries", str(self.entries), *options], log,
                          ASAN_OPTIONS="detect_leaks=1",
                          UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
        self.fences.append(proc)
        wait_for(listen.exists, what="vmsilo-wayland's socket")
        return proc

    def spawn(self, argv, log, pass_fds=(), **env):
        out = open(self.dir / log, "ab")
        proc = subprocess.Popen(argv, env={**self.env, **env}, stdout=out, stderr=out,
                                user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[],
                                cwd=self.dir, pass_fds=pass_fds)
        out.close()
        self.procs.append(proc)
        return proc

    def entry(self, name, vm="gui"):
        """Installs the host entry of application name, as vmsilod would."""
        (self.entries / f"vmsilo-{vm}.{name}.desktop").write_text("[Desktop Entry]\n")

    def client(self, name, *args, display=None, vm="gui", entry=True):
        """wl-test-client through the fence (or display), with a host entry for its app_id
        unless entry is false; returns (process, log path)."""
        if entry:
            self.entry(name, vm)
        log = self.dir / f"{name}.log"
        log.touch()
        os.chown(log, self.user.pw_uid, self.user.pw_gid)
        proc = self.spawn([str(build_dir() / "tests/helpers/wl-test-client"), "--app-id", name,
                           "--log", str(log), *args], f"{name}.stderr",
                          WAYLAND_DISPLAY=str(display or self.socket),
                          ASAN_OPTIONS="detect_leaks=0")
        return proc, log

    def views(self):
        return sway.views(self.swaysock, self.user, self.env)

    def view(self, name, timeout=10.0, vm="gui"):
        """The window of the client whose app_id was name: the compositor sees the host entry's
        id vmsilo-<vm>.<name>."""
        app_id = f"vmsilo-{vm}.{name}"
        return wait_for(lambda: next((v for v in self.views() if v.get("app_id") == app_id),
                                     None), timeout, f"a window with app_id {app_id}")

    def cuts(self):
        return [line for line in self.proxy_log.read_text(errors="replace").splitlines()
                if ": cut: " in line]

    def close(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if not os.environ.get("KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


def desktop_fixture(make, tools=("sway",)):
    """The body of a module's desktop fixture: skips without the tools, and wants every fence
    alive at the end and exiting 0 at SIGTERM."""
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (scripts/install-deps)")
    d = make()
    yield d
    assert all(f.poll() is None for f in d.fences), "a vmsilo-wayland died"
    d.close()
    assert [f.returncode for f in d.fences] == [0] * len(d.fences)


@pytest.fixture(scope="module")
def desktop():
    yield from desktop_fixture(Desktop)


@pytest.fixture(scope="module")
def bystander(desktop):
    """A well-behaved client that lives through every hostile one."""
    proc, log = desktop.client("bystander", "--title", "bystander")
    desktop.view("bystander")
    return proc, log


class Wire:
    """A raw client socket: bytes and fds as a hostile guest program would write them."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.buf = b""

    def send(self, data, fds=()):
        try:
            socket.send_fds(self.sock, [data], list(fds))
        except (BrokenPipeError, ConnectionResetError):
            pass  # cut already

    def messages(self, until, timeout=5.0):
        """Reads messages until until(obj, opcode, body) is true; returns them all."""
        self.sock.settimeout(timeout)
        got = []
        while True:
            while len(self.buf) >= 8:
                obj, word = struct.unpack("=II", self.buf[:8])
                size = word >> 16
                if len(self.buf) < size:
                    break
                m = (obj, word & 0xFFFF, self.buf[8:size])
                self.buf = self.buf[size:]
                got.append(m)
                if until(*m):
                    return got
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data

    def globals(self):
        """{interface: (name, version)} from a registry (object 2), after a sync (3)."""
        self.send(msg(1, 1, 2) + msg(1, 0, 3))
        found = {}
        for obj, opcode, body in self.messages(lambda o, op, b: o == 3):
            if obj == 2 and opcode == 0:
                name, slen = struct.unpack("=II", body[:8])
                interface = body[8:8 + slen - 1].decode()
                found[interface] = (name, struct.unpack("=I", body[-4:])[0])
        return found

    def closed(self, timeout=5.0):
        """True once the fence has closed the connection (a reset when it left our bytes
        unread); the error it sent, if any, is skipped."""
        try:
            self.messages(lambda o, op, b: False, timeout)
        except (EOFError, ConnectionResetError):
            return True
        except socket.timeout:
            return False
        return False

    def close(self):
        self.sock.close()


def assert_bystander_fine(desktop, bystander):
    proc, log = bystander
    assert proc.poll() is None
    assert desktop.view("bystander")["name"] == "[gui] bystander"
    before = log.read_text().count("roundtrip")
    proc.send_signal(signal.SIGUSR1)
    wait_for(lambda: log.read_text().count("roundtrip") > before, what="a bystander roundtrip")


def test_window_is_titled_with_the_vm_name(desktop):
    desktop.client("titled", "--title", "hello world")
    assert desktop.view("titled")["name"] == "[gui] hello world"


def test_app_id_without_a_host_entry_is_the_vms(desktop):
    desktop.client("no-entry", "--title", "no entry", entry=False)
    desktop.client("evil", "--title", "evil", "--app-id", "../applications/x", entry=False)
    names = lambda: [v["name"] for v in desktop.views() if v.get("app_id") == "vmsilo-gui"]
    wait_for(lambda: {"[gui] no entry", "[gui] evil"} <= set(names()),
             what="windows with app_id vmsilo-gui")


def test_window_without_a_title_is_named_after_the_vm(desktop):
    desktop.client("untitled")
    assert desktop.view("untitled")["name"] == "[gui]"


def test_foot_through_the_fence_gets_a_vm_title(desktop):
    if not shutil.which("foot"):
        pytest.skip("foot is not installed (scripts/install-deps)")
    desktop.entry("foot-fenced")
    desktop.spawn(["foot", "--app-id", "foot-fenced", "-T", "foot check", "sleep", "60"],
                  "foot.log", WAYLAND_DISPLAY=str(desktop.socket))
    assert desktop.view("foot-fenced")["name"] == "[gui] foot check"


def test_guest_sees_no_screen_capture_nor_layer_shell(desktop):
    direct = Wire(desktop.compositor)
    offered = direct.globals()
    direct.close()
    assert "zwlr_screencopy_manager_v1" in offered and "zwlr_layer_shell_v1" in offered

    proc, log = desktop.client("lister", "--title", "lister")
    wait_for(lambda: "globals done" in log.read_text(), what="the client's global list")
    seen = {line.split()[1] for line in log.read_text().splitlines()
            if line.startswith("global ")}
    assert {"wl_compositor", "wl_shm", "xdg_wm_base", "wl_seat"} <= seen
    assert seen <= {"wl_compositor", "wl_subcompositor", "wl_shm", "wl_seat", "wl_output",
                    "xdg_wm_base", "zxdg_decoration_manager_v1", "wp_viewporter",
                    "wl_data_device_manager"}
    assert "zwlr_screencopy_manager_v1" not in seen and "zwlr_layer_shell_v1" not in seen


def test_binding_a_hidden_global_is_cut(desktop, bystander):
    direct = Wire(desktop.compositor)
    layer_shell_name, _ = direct.globals()["zwlr_layer_shell_v1"]
    direct.close()
    w = Wire(desktop.socket)
    assert "zwlr_layer_shell_v1" not in w.globals()
    w.send(msg(2, 0, layer_shell_name, "zwlr_layer_shell_v1", 1, 4))
    assert w.closed()
    assert any("bind of a hidden or unknown global" in c for c in desktop.cuts())
    assert_bystander_fine(desktop, bystander)


def test_binding_an_unknown_interface_or_newer_version_is_cut(desktop, bystander):
    w = Wire(desktop.socket)
    name, version = w.globals()["wl_compositor"]
    w.send(msg(2, 0, name, "wl_compositor", version + 1, 4))
    assert w.closed()
    w = Wire(desktop.socket)
    w.globals()
    w.send(msg(2, 0, 0xFFFF, "zwlr_screencopy_manager_v1", 1, 4))
    assert w.closed()
    assert_bystander_fine(desktop, bystander)


def test_messages_split_across_reads_of_two_clients_are_joined(desktop):
    """Each connection keeps the start of a message not yet whole; the read itself goes to one
    buffer shared by all (proxy.c): two clients' halves, interleaved, are never mixed."""
    request = msg(1, 1, 2) + msg(1, 0, 3)  # get_registry, sync
    cuts = len(desktop.cuts())
    wires = [Wire(desktop.socket), Wire(desktop.socket)]
    for cut in ((0, 5), (5, 13), (13, len(request))):
        for w in wires:
            w.send(request[cut[0]:cut[1]])
            time.sleep(0.05)  # a read each
    for w in wires:
        seen = {b[8:8 + struct.unpack("=I", b[4:8])[0] - 1].decode()
                for o, op, b in w.messages(lambda o, op, b: o == 3) if o == 2 and op == 0}
        assert "wl_compositor" in seen
        w.close()
    assert len(desktop.cuts()) == cuts


def test_fence_loads_no_json_nor_maths_library():
    """The fence's RSS (docs/graphics.md): every library it loads costs pages at start; it parses
    no JSON and needs no libm. Its own DT_NEEDED entries: a sanitizer's runtime brings libm."""
    dynamic = subprocess.run(["readelf", "-d", str(build_dir() / "src/wayland/vmsilo-wayland")],
                             check=True, capture_output=True, text=True).stdout
    needed = [line.split("[")[1].rstrip("]") for line in dynamic.splitlines()
              if "(NEEDED)" in line]
    assert "libxkbcommon.so.0" in needed  # the check reads the right entries
    assert not [n for n in needed if n.startswith(("libjansson", "libm."))]


def test_a_64k_title_in_one_message_is_cut(desktop, bystander):
    w = Wire(desktop.socket)
    w.send(msg(1, 1, 2) + msg(7, 2, "x" * 65000)[:65532])
    assert w.closed()
    assert any("message size out of bounds" in c for c in desktop.cuts())
    assert_bystander_fine(desktop, bystander)


def test_a_64k_title_in_many_messages_is_cut_to_256_bytes(desktop, bystander):
    desktop.client("long-title", "--title", "y" * 4000, "--title-times", "16")
    assert desktop.view("long-title")["name"] == "[gui] " + "y" * 256
    assert_bystander_fine(desktop, bystander)


def test_invalid_utf8_in_a_title_is_replaced(desktop):
    desktop.client("bad-utf8", "--title", b"caf\xc3 ok \xff\xfe".decode("utf-8", "surrogateescape"))
    assert desktop.view("bad-utf8")["name"] == "[gui] caf\ufffd ok \ufffd\ufffd"


def test_bidi_overrides_and_controls_are_dropped_from_titles(desktop):
    desktop.client("bidi", "--title", "\u202egnp.exe\u2066 \u200fa\x1b[2Jb\u2028c")
    assert desktop.view("bidi")["name"] == "[gui] gnp.exe a[2Jbc"


def test_an_object_flood_is_cut(desktop, bystander):
    # wl_compositor.create_region: objects the compositor answers no event for
    w = Wire(desktop.socket)
    name, _ = w.globals()["wl_compositor"]
    w.send(msg(2, 0, name, "wl_compositor", 4, 4))
    for start in range(5, 20000, 1000):
        w.send(b"".join(msg(4, 1, i) for i in range(start, start + 1000)))
    assert w.closed(timeout=10)
    assert any("bad or too many new object ids" in c for c in desktop.cuts())
    assert_bystander_fine(desktop, bystander)


def test_bogus_fd_counts_are_cut(desktop, bystander):
    pipes = [os.pipe() for _ in range(30)]
    fds = [fd for pair in pipes for fd in pair]
    try:
        # more fds in one send than libwayland ever sends
        w = Wire(desktop.socket)
        w.send(msg(1, 1, 2), fds[:40])
        assert w.closed()
        assert any("more file descriptors in one send" in c for c in desktop.cuts())
        # fds that no message takes
        w = Wire(desktop.socket)
        w.send(msg(1, 1, 2), fds[:20])
        w.send(msg(1, 0, 3), fds[20:40])
        assert w.closed()
        assert any("without messages to take them" in c for c in desktop.cuts())
        # a message that takes an fd that never came
        w = Wire(desktop.socket)
        name, _ = w.globals()["wl_shm"]
        w.send(msg(2, 0, name, "wl_shm", 1, 4) + msg(4, 0, 5, 4096))
        assert w.closed()
        assert any("file descriptor expected" in c for c in desktop.cuts())
    finally:
        for fd in fds:
            os.close(fd)
    assert_bystander_fine(desktop, bystander)


def test_clients_beyond_the_cap_are_refused(desktop, bystander):
    conns = [Wire(desktop.socket) for _ in range(40)]
    try:
        alive = 0
        for c in conns:
            c.send(msg(1, 0, 2))
        for c in conns:
            try:
                c.messages(lambda o, op, b: o == 2, timeout=5)
                alive += 1
            except (EOFError, ConnectionResetError):
                pass
        # 32 at most at once, the bystander and the windows of the other tests among them
        assert 0 < alive < 32
        assert "already 32 connected" in desktop.proxy_log.read_text()
    finally:
        for c in conns:
            c.close()
    assert_bystander_fine(desktop, bystander)


def test_a_client_that_does_not_read_stalls_only_itself(desktop):
    """Backpressure: a fence in front of a fake compositor that floods one client, which reads
    nothing. The fence stops reading the flood once 1 MiB waits for that client, so the
    compositor's sends block; another client of the same fence is still served; once the client
    reads, every byte arrives."""
    fake = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fake_path = desktop.run / "fake-compositor"
    fake.bind(str(fake_path))
    fake_path.chmod(0o777)
    fake.listen(8)
    fake.settimeout(10)
    listen = desktop.run / "flood-wayland"
    desktop.fence(listen, str(fake_path), "flood-proxy.log")

    def connect():
        """A client with a registry: the fence's own registry is the compositor's object 2,
        the client's its object 3 (the fence translates ids)."""
        client = Wire(listen)
        client.send(msg(1, 1, 2))
        upstream, _ = fake.accept()
        got = b""
        while len(got) < 2 * len(msg(1, 1, 2)):
            got += upstream.recv(4096)
        return client, upstream

    slow, upstream = connect()
    upstream.setblocking(False)
    flood = msg(3, 0, 1, "wl_compositor", 4) * 2000  # wl_registry.global, 64 000 bytes
    sent, stalled_since = 0, None
    while sent < 32 * 1024 * 1024:
        try:
            sent += upstream.send(flood[sent % len(flood):])
            stalled_since = None
        except BlockingIOError:
            stalled_since = stalled_since or time.monotonic()
            if time.monotonic() - stalled_since > 1.0:
                break
            time.sleep(0.01)
    assert sent < 4 * 1024 * 1024, f"the fence took {sent} bytes for a client that reads nothing"

    other, upstream2 = connect()
    upstream2.sendall(msg(3, 0, 9, "wl_shm", 1))
    assert other.messages(lambda o, op, b: o == 2 and b.startswith(struct.pack("=I", 9)))

    # the compositor may have got only part of its last message in: that part stays with the fence
    whole = sent - sent % len(msg(3, 0, 1, "wl_compositor", 4))
    slow.sock.settimeout(5)
    received = 0
    while received < whole:
        received += len(slow.sock.recv(1 << 20))
    assert received == whole
    for s in (slow, other):
        s.close()
    for s in (upstream, upstream2, fake):
        s.close()


def test_an_inherited_listening_socket_is_served(desktop):
    path = desktop.run / "inherited-wayland"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    fence = desktop.spawn([str(build_dir() / "src/wayland/vmsilo-wayland"), "--vm", "gui",
                           "--listen-fd", str(listener.fileno()), "--upstream", "wayland-1"],
                          "inherited.log", pass_fds=[listener.fileno()])
    listener.close()
    w = Wire(path)
    assert "wl_compositor" in w.globals()
    w.close()
    fence.send_signal(signal.SIGTERM)
    assert fence.wait(timeout=5) == 0


def test_bad_command_lines_exit_2_and_a_bad_listen_fd_exits_1(desktop):
    fence = str(build_dir() / "src/wayland/vmsilo-wayland")
    for argv in ([], ["--vm", "Bad!", "--listen", "/nonexistent/x"], ["--vm", "gui"],
                 ["--vm", "gui", "--listen", "x", "--listen-fd", "3"], ["--vm", "gui", "extra"],
                 ["--vm", "gui", "--listen", "x", "--frame-width", "65"],
                 ["--vm", "gui", "--listen", "x", "--frame-width", "4px"],
                 ["--vm", "gui", "--listen", "x", "--color", "notacolour"],
                 ["--vm", "gui", "--listen", "x", "--copy-key", "c"],
                 ["--vm", "gui", "--listen", "x", "--paste-key", "hyper+v"],
                 ["--vm", "gui", "--listen", "x", "--copy-key", "ctrl+shift+v"]):
        assert subprocess.run([fence, *argv], capture_output=True).returncode == 2, argv
    with open(os.devnull) as not_a_socket:
        r = subprocess.run([fence, "--vm", "gui", "--listen-fd", str(not_a_socket.fileno()),
                            "--upstream", "/nonexistent"], capture_output=True,
                           pass_fds=[not_a_socket.fileno()])
    assert r.returncode == 1
    assert b"is not a listening socket" in r.stderr
