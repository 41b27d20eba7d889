# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared fixtures for the integration tests, one section per area; add new areas (VM fixtures)
as their own section or module rather than changing the ones here.

Binaries come from $VMSILO_BUILD_DIR (default ./build).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vmsilo_proto  # noqa: E402


# ---- build outputs -------------------------------------------------------------------------

def build_path():
    return Path(os.environ.get("VMSILO_BUILD_DIR", "build")).resolve()


def _binary(rel):
    path = build_path() / rel
    if not path.is_file():
        pytest.fail(f"{path} is not built (set VMSILO_BUILD_DIR?)")
    return path


@pytest.fixture(scope="session")
def build_dir():
    path = build_path()
    if not path.is_dir():
        pytest.fail(f"build dir {path} missing: set VMSILO_BUILD_DIR or build into ./build")
    return path


@pytest.fixture(scope="session")
def agent_bin(build_dir):
    return _binary("src/agent/vmsilo-agent")


@pytest.fixture(scope="session")
def exec_bin(build_dir):
    return _binary("tests/helpers/vmsilo-exec")


# ---- the vmsilo CLI (test_cli.py) ------------------------------------------------------------

CLI_ALIASES = ("vm-run", "vm-start", "vm-stop", "vm-shell", "vm-start-debug")


def cli_binary():
    return _binary("src/cli/vmsilo")


@pytest.fixture(scope="session")
def cli_links(tmp_path_factory):
    """A directory with 'vmsilo' and every multi-call name linked to the CLI binary."""
    d = tmp_path_factory.mktemp("cli-links")
    for name in ("vmsilo",) + CLI_ALIASES:
        (d / name).symlink_to(cli_binary())
    return d


@pytest.fixture
def short_dir():
    """A runtime dir with a short path: unix socket paths are limited to 108 bytes."""
    d = Path(tempfile.mkdtemp(prefix="vs-", dir="/tmp"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


class _Listener:
    """A unix socket server calling serve(conn) in a thread per connection."""

    def __init__(self, path, serve):
        self.path = str(path)
        self.serve = serve
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(16)
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def close(self):
        self.stopped = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


@pytest.fixture
def agent_command_socket(short_dir, agent_bin):
    """agent_command_socket(name): <short_dir>/<name>-command.socket, where every connection is
    served by a real vmsilo-agent on the host (it speaks what vmsilod relays); with delay, only
    after that many seconds, as vmsilod answers while a VM boots."""
    listeners, agents = [], []

    def create(name, extra_args=("--log-level", "warn"), delay=0):
        def serve(conn):
            time.sleep(delay)
            agents.append(subprocess.Popen(
                [str(agent_bin), "--fd", str(conn.fileno()), *extra_args],
                pass_fds=[conn.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL))
            conn.close()
        listeners.append(_Listener(short_dir / f"{name}-command.socket", serve))
        return listeners[-1]

    yield create
    for listener in listeners:
        listener.close()
    for proc in agents:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def fake_control(short_dir):
    """fake_control(handler): a control.socket answering each JSON request line with
    handler(request): a dict (sent as one JSON line) or raw bytes (b"" closes the connection).
    The returned server's .requests lists every request received."""
    servers = []

    def create(handler):
        def serve(conn):
            with conn, conn.makefile("rb") as lines:
                for line in lines:
                    request = json.loads(line)
                    server.requests.append(request)
                    reply = handler(request)
                    if isinstance(reply, dict):
                        reply = json.dumps(reply).encode() + b"\n"
                    if not reply:
                        return
                    conn.sendall(reply)
        server = _Listener(short_dir / "control.socket", serve)
        server.requests = []
        servers.append(server)
        return server

    yield create
    for server in servers:
        server.close()


class _FakeConsole:
    def __init__(self, path, greeting):
        self.greeting = greeting
        self.received = b""
        self.conn = None
        self.connected = threading.Event()
        self.closed = threading.Event()
        self.listener = _Listener(path, self._serve)

    def _serve(self, conn):
        self.conn = conn
        self.connected.set()
        if self.greeting:
            conn.sendall(self.greeting)
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            self.received += chunk
        self.closed.set()

    def send(self, data):
        assert self.connected.wait(10)
        self.conn.sendall(data)


@pytest.fixture
def fake_console(short_dir):
    """fake_console(name, greeting=b""): <short_dir>/<name>-console accepting raw bytes;
    .received, .send(), .conn, and .closed (set once the client hung up)."""
    consoles = []

    def create(name, greeting=b""):
        consoles.append(_FakeConsole(short_dir / f"{name}-console", greeting))
        return consoles[-1]

    yield create
    for c in consoles:
        c.listener.close()
        if c.conn:
            c.conn.close()


# ---- the agent on the host, without a VM (test_agent.py) -----------------------------------

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def assert_no_sanitizer_report(text, what):
    """In ASan/UBSan builds, a report in a log fails the test that produced it."""
    for marker in SANITIZER_MARKERS:
        assert marker not in text, f"{what}: {text}"


FAKE_UID = 65534
FAKE_EXTRA_GID = 4242


@pytest.fixture
def fake_etc(tmp_path):
    """passwd/group for --etc-dir: root, 'user' (uid 65534, also in group 4242) with a writable
    home, and 'toor' (uid 0 under another name); plus a malformed line to skip."""
    etc = tmp_path / "etc"
    etc.mkdir()
    # Outside tmp_path: pytest's base temp dir is private to root, and 'user' must reach it.
    home = Path(tempfile.mkdtemp(prefix="vmsilo-home-"))
    home.chmod(0o777)
    (etc / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\n"
        "this line is malformed\n"
        f"user:x:{FAKE_UID}:{FAKE_UID}:Test User:{home}:/bin/sh\n"
        "toor:x:0:0::/root:/bin/sh\n")
    (etc / "group").write_text(
        "root:x:0:\n"
        f"user:x:{FAKE_UID}:\n"
        f"extra:x:{FAKE_EXTRA_GID}:someone,user\n"
        "other:x:4343:someone\n")
    yield etc
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def agent_args(fake_etc, tmp_path):
    """Options for a host-side agent: fake /etc, a private env file and services dir, and a
    kernel command line naming no host services (not the host's /proc/cmdline)."""
    env_file = tmp_path / "session.env"
    env_file.write_text("WAYLAND_DISPLAY=wayland-test\nnot a valid line\nXDG_RUNTIME_DIR=/tmp\n")
    services = tmp_path / "services"
    services.mkdir()
    cmdline = tmp_path / "cmdline"
    cmdline.write_text("console=ttyS0 quiet\n")
    return ["--etc-dir", str(fake_etc), "--env-file", str(env_file),
            "--services-dir", str(services), "--kernel-cmdline", str(cmdline),
            "--forward-dir", str(tmp_path / "forward"), "--log-level", "warn"]


@pytest.fixture
def agent_log(tmp_path):
    """Where vmsilo-exec --spawn-agent appends the agent's stderr (kept off the client's)."""
    return tmp_path / "agent.log"


@pytest.fixture
def run_exec(exec_bin, agent_bin, agent_args, agent_log):
    """run_exec(command, *vmsilo_exec_options, input=None, extra_agent_args=()): runs
    vmsilo-exec --spawn-agent with the test agent; returns the CompletedProcess (bytes)."""

    def run(command, *exec_args, input=None, extra_agent_args=(), timeout=120, **kwargs):
        argv = [str(exec_bin), "--spawn-agent", "--agent", str(agent_bin),
                "--agent-log", str(agent_log)]
        argv += [f"--agent-arg={a}" for a in list(agent_args) + list(extra_agent_args)]
        argv += list(exec_args) + ["--"] + list(command)
        r = subprocess.run(argv, input=input, capture_output=True, timeout=timeout, **kwargs)
        assert_no_sanitizer_report(r.stderr.decode(errors="replace"), "vmsilo-exec")
        if agent_log.exists():
            assert_no_sanitizer_report(agent_log.read_text(errors="replace"), "vmsilo-agent")
        return r

    return run


class RawAgent:
    """An agent whose channel is a socketpair the test writes raw frames to (.peer)."""

    def __init__(self, agent_bin, args):
        self.sock, theirs = vmsilo_proto.socketpair()
        self.proc = subprocess.Popen(
            [str(agent_bin), "--fd", str(theirs.fileno())] + list(args),
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        theirs.close()
        self.peer = vmsilo_proto.Peer(self.sock)
        self.stderr = ""

    def handshake(self, caps=0):
        self.peer.send(vmsilo_proto.hello(caps))
        self.peer.wait_for(vmsilo_proto.HELLO, 0)

    def close(self, timeout=10):
        """Hangs up and returns the agent's exit status; its log is in .stderr."""
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        self.stderr = err.decode(errors="replace")
        return self.proc.returncode


@pytest.fixture
def raw_agent(agent_bin, agent_args):
    """raw_agent(extra_args=(), handshake=True) starts an agent on a socketpair; every agent is
    hung up on and reaped at teardown."""
    agents = []

    def start(extra_args=(), handshake=True, caps=0):
        a = RawAgent(agent_bin, list(agent_args) + list(extra_args))
        agents.append(a)
        if handshake:
            a.handshake(caps)
        return a

    yield start
    for a in agents:
        if a.proc.returncode is None:
            a.close()
        elif a.proc.stderr and not a.proc.stderr.closed:
            a.stderr = a.proc.stderr.read().decode(errors="replace")
        assert_no_sanitizer_report(a.stderr, "vmsilo-agent")
