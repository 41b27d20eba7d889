# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmsilo-agent on the host, no VM: the real agent binary over a socketpair, driven by the
session library (tests/helpers/vmsilo-exec) or by raw frames written from Python."""
import hashlib
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import threading
import time
import tty
from pathlib import Path

import pytest

import vmsilo_proto as vp
from conftest import FAKE_EXTRA_GID, FAKE_UID

ROOT = ("--user", "root")


# ---- exit status -----------------------------------------------------------------------------

@pytest.mark.parametrize("command, status", [
    (["true"], 0),
    (["false"], 1),
    (["sh", "-c", "exit 42"], 42),
    (["sh", "-c", "kill -KILL $$"], 128 + signal.SIGKILL),
    (["sh", "-c", "kill -TERM $$"], 128 + signal.SIGTERM),
])
def test_exit_status_is_returned(run_exec, command, status):
    r = run_exec(command, *ROOT)
    assert r.returncode == status, r.stderr


def test_killed_by_signal_is_reported_as_signaled(raw_agent):
    a = raw_agent()
    out, err, result = a.peer.run(1, ["sh", "-c", "kill -KILL $$"], user="root")
    assert result == (1, signal.SIGKILL)


def test_command_not_found_exits_127_with_a_message(run_exec):
    r = run_exec(["no-such-command-here"], *ROOT)
    assert r.returncode == 127
    assert b"no-such-command-here: command not found" in r.stderr


def test_not_executable_exits_126(run_exec, tmp_path):
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)
    r = run_exec([str(script)], *ROOT)
    assert r.returncode == 126
    assert b"cannot execute" in r.stderr


# ---- stdio --------------------------------------------------------------------------------------

def test_stdout_and_stderr_are_kept_apart(run_exec):
    r = run_exec(["sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2"], *ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"out1\nout2\n"
    assert r.stderr == b"err1\nerr2\n"


def test_64_mib_through_stdin_sha256sum_stdout(run_exec, tmp_path):
    data = os.urandom(64 * 1024 * 1024)
    src = tmp_path / "input"
    src.write_bytes(data)
    with open(src, "rb") as f:
        r = run_exec(["sha256sum"], *ROOT, stdin=f, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()


def test_stdin_from_a_pipe_round_trips(run_exec):
    data = os.urandom(3 * 1024 * 1024 + 17)
    r = run_exec(["cat"], *ROOT, input=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data


def test_100_concurrent_sessions_on_one_channel_keep_their_output(exec_bin, agent_bin,
                                                                    agent_args, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    script = ('i=$VMSILO_SESSION_INDEX; n=0; while [ $n -lt 200 ]; do '
              'echo "session $i line $n"; echo "err $i $n" >&2; n=$((n+1)); done')
    r = subprocess.run([str(exec_bin), "--spawn-agent", "--agent", str(agent_bin)]
                       + [f"--agent-arg={a}" for a in agent_args]
                       + ["--user", "root", "--many", "100", "--output-dir", str(out),
                          "--", "sh", "-c", script], capture_output=True, timeout=300)
    assert r.returncode == 0, (r.stdout, r.stderr)
    for i in range(100):
        expected = "".join(f"session {i} line {n}\n" for n in range(200))
        assert (out / f"{i}.out").read_text() == expected
        assert (out / f"{i}.err").read_text() == "".join(f"err {i} {n}\n" for n in range(200))


def test_stalled_sessions_do_not_block_the_others(exec_bin, agent_bin, agent_args, tmp_path):
    """One session never reads its (endless) stdin, one never has its stdout read: the 20
    others on the same channel still complete with 1 MiB of output each."""
    out = tmp_path / "out"
    out.mkdir()
    r = subprocess.run([str(exec_bin), "--spawn-agent", "--agent", str(agent_bin)]
                       + [f"--agent-arg={a}" for a in agent_args]
                       + ["--user", "root", "--many", "20", "--stalled", "--output-dir", str(out),
                          "--", "head", "-c", "1048576", "/dev/zero"],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert b"ended early" not in r.stderr
    for i in range(20):
        assert (out / f"{i}.out").stat().st_size == 1048576


# ---- PTY ----------------------------------------------------------------------------------------

def test_pty_session_sees_a_tty_and_its_window_size(run_exec):
    r = run_exec(["sh", "-c", "test -t 0 && test -t 1 && echo tty; stty size; echo $TERM"],
                 *ROOT, "--pty", "--rows", "33", "--cols", "101", "--term", "vt220",
                 stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stdout.replace(b"\r\n", b"\n") == b"tty\n33 101\nvt220\n"


def test_pipe_session_has_no_tty(run_exec):
    r = run_exec(["sh", "-c", "test -t 0 || echo notty"], *ROOT, stdin=subprocess.DEVNULL)
    assert r.stdout == b"notty\n"


def test_pty_resize_reaches_the_terminal(raw_agent):
    a = raw_agent()
    a.peer.send(vp.open_exec(1, ["sh", "-c", "read x; stty size"], user="root",
                             pty=(10, 20, "")))
    a.peer.wait_for(vp.ACCEPT, 1)
    a.peer.send(vp.frame(vp.RESIZE, 1, struct.pack("<HH", 50, 132)))
    a.peer.send(vp.data(1, 0, b"go\n"))
    out = b""
    while True:
        ftype, sid, payload = a.peer.recv_frame()
        if ftype == vp.DATA and sid == 1:
            out += payload[1:]
        if ftype == vp.EXIT and sid == 1:
            break
    assert b"50 132" in out


# ---- users, environment, cwd ---------------------------------------------------------------------

def test_runs_as_the_default_user_with_its_groups(run_exec):
    r = run_exec(["sh", "-c", "id -u; id -g; id -G; echo $HOME $USER $LOGNAME; pwd"])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0] == str(FAKE_UID)
    assert lines[1] == str(FAKE_UID)
    assert sorted(lines[2].split()) == sorted([str(FAKE_UID), str(FAKE_EXTRA_GID)])
    home = lines[3].split()[0]
    assert lines[3] == f"{home} user user"
    assert lines[4] == home


def test_root_only_when_requested_by_name(run_exec):
    assert run_exec(["id", "-u"], "--user", "root").stdout == b"0\n"
    r = run_exec(["id", "-u"], extra_agent_args=["--default-user", "root"])
    assert r.returncode == 255
    assert b"must be requested explicitly" in r.stderr
    r = run_exec(["id", "-u"], "--user", "toor")
    assert r.returncode == 255


def test_unknown_user_is_refused(run_exec):
    r = run_exec(["true"], "--user", "ghost")
    assert r.returncode == 255
    assert b"no such user" in r.stderr


def test_environment_is_clean_plus_env_file_plus_request(run_exec, monkeypatch):
    monkeypatch.setenv("LEAK_FROM_HOST", "1")
    r = run_exec(["env"], *ROOT, "--env", "GREETING=hi", "--env", "WAYLAND_DISPLAY=override")
    assert r.returncode == 0, r.stderr
    env = dict(line.split("=", 1) for line in r.stdout.decode().splitlines())
    assert env["GREETING"] == "hi"
    assert env["WAYLAND_DISPLAY"] == "override"
    assert env["XDG_RUNTIME_DIR"] == "/tmp"
    assert env["USER"] == "root" and env["HOME"] == "/root" and env["SHELL"] == "/bin/sh"
    assert "/usr/bin" in env["PATH"]
    assert "LEAK_FROM_HOST" not in env and "TERM" not in env


def test_malformed_env_file_lines_are_warned_about(run_exec, agent_log):
    r = run_exec(["true"], *ROOT)
    assert r.returncode == 0
    assert "Ignoring malformed line 2 of the session environment file" in agent_log.read_text()


def test_cwd_is_used(run_exec, tmp_path):
    r = run_exec(["pwd"], *ROOT, "--cwd", str(tmp_path))
    assert r.stdout.decode().strip() == str(tmp_path)


def test_bad_cwd_fails_with_a_message(run_exec):
    r = run_exec(["pwd"], *ROOT, "--cwd", "/no/such/dir")
    assert r.returncode == 127
    assert b"cannot change directory" in r.stderr


# ---- signals and liveness ------------------------------------------------------------------------

def test_signal_is_forwarded_to_the_process_group(exec_bin, agent_bin, agent_args):
    proc = subprocess.Popen(
        [str(exec_bin), "--spawn-agent", "--agent", str(agent_bin)]
        + [f"--agent-arg={a}" for a in agent_args]
        + ["--user", "root", "--", "sh", "-c", "trap 'echo caught; exit 7' TERM; echo ready; "
                                                "while :; do sleep 0.1; done"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 7, err
    assert out == b"caught\n"


def read_status(peer, timeout=15):
    """Returns live_sessions of the next STATUS frame."""
    payload = peer.wait_for(vp.STATUS, 0)
    return struct.unpack_from("<I", payload)[0]


@pytest.mark.parametrize("tracking", [[], ["--no-cgroup"]], ids=["cgroup", "process-group"])
def test_background_process_keeps_the_session_live(raw_agent, tracking):
    a = raw_agent(extra_args=tracking, handshake=False)
    a.peer.send(vp.hello())
    assert read_status(a.peer) == 0
    out, err, result = a.peer.run(
        1, ["sh", "-c", "sleep 1.5 >/dev/null 2>&1 </dev/null & exit 0"], user="root")
    assert result == (0, 0)
    started = time.monotonic()
    # STATUS went to 1 with the OPEN, and drops to 0 only when the background sleep is gone.
    while read_status(a.peer) != 0:
        pass
    assert time.monotonic() - started > 1.0


def test_host_hangup_kills_the_session(raw_agent, tmp_path):
    pid_file = tmp_path / "pid"
    a = raw_agent()
    a.peer.send(vp.open_exec(1, ["sh", "-c", f"echo $$ > {pid_file}; exec sleep 100"],
                             user="root"))
    a.peer.wait_for(vp.ACCEPT, 1)
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    assert a.close() == 0
    # The agent exits only after killing (and reaping) the session.
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_power_in_fd_mode_exits_without_rebooting(raw_agent):
    a = raw_agent()
    a.peer.send(vp.frame(vp.POWER, 0, struct.pack("<I", 1)))
    assert a.proc.wait(timeout=10) == 0


# ---- a dead agent ----------------------------------------------------------------------------------

def cgroup2_mount():
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split(" - ")
        if len(fields) == 2 and fields[1].split()[0] == "cgroup2":
            return Path(fields[0].split()[4])
    return Path("/nonexistent")


def test_agent_killed_mid_session_fails_the_client_fast(exec_bin, agent_bin, agent_args,
                                                         raw_agent, tmp_path):
    pid_file = tmp_path / "agent.pid"
    sleep_pid_file = tmp_path / "sleep.pid"
    proc = subprocess.Popen(
        [str(exec_bin), "--spawn-agent", "--agent", str(agent_bin),
         "--agent-pid-file", str(pid_file)]
        + [f"--agent-arg={a}" for a in agent_args]
        + ["--user", "root", "--", "sh", "-c",
           f"echo $$ > {sleep_pid_file}; echo ready; exec sleep 30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    agent_pid = int(pid_file.read_text())
    sleep_pid = int(sleep_pid_file.read_text())
    os.kill(agent_pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 255
    assert b"connection to the VM lost" in err

    # The orphaned session belongs to nobody now. With cgroup2, the next agent to start kills
    # what is left in groups of agents that no longer run.
    groups = list(cgroup2_mount().glob(f"**/vmsilo-session-{agent_pid}-*"))
    if not groups:
        os.kill(sleep_pid, signal.SIGKILL)
        return
    raw_agent()
    wait_until_gone(sleep_pid)
    deadline = time.monotonic() + 10
    for group in groups:
        while group.exists():
            try:
                group.rmdir()
            except OSError:  # EBUSY until the kernel has emptied it
                assert time.monotonic() < deadline
                time.sleep(0.05)


# ---- hostile frames from the host side ---------------------------------------------------------

def assert_still_works(a, stream=101):
    out, err, result = a.peer.run(stream, ["echo", "alive"], user="root")
    assert (out, result) == (b"alive\n", (0, 0))


def test_oversized_frame_resets_the_channel_and_the_agent_lives_on(raw_agent):
    a = raw_agent()
    a.peer.send(vp.HEADER.pack(vp.PAYLOAD_MAX + 1, vp.DATA, 0, 1))
    # The agent drops the channel state and says HELLO again; a new HELLO starts over.
    a.peer.wait_for(vp.HELLO, 0)
    a.peer.send(vp.hello())
    assert_still_works(a)
    assert a.proc.poll() is None


def test_data_for_an_unknown_stream_is_answered_with_close(raw_agent):
    a = raw_agent()
    a.peer.send(vp.data(999, 0, b"who?"))
    payload = a.peer.wait_for(vp.CLOSE, 999)
    assert struct.unpack("<i", payload)[0] == -71  # -EPROTO
    assert_still_works(a)


def test_data_after_close_is_ignored(raw_agent):
    a = raw_agent()
    out, err, result = a.peer.run(1, ["true"], user="root")
    a.peer.send(vp.data(1, 0, b"late"))
    a.peer.send(vp.eof(1, 0))
    assert_still_works(a)


def test_credit_overflow_fails_only_that_stream(raw_agent):
    a = raw_agent()
    a.peer.send(vp.open_exec(1, ["sleep", "100"], user="root"))
    a.peer.wait_for(vp.ACCEPT, 1)
    a.peer.send(vp.credit(1, 4 * 1024 * 1024))
    payload = a.peer.wait_for(vp.CLOSE, 1)
    assert struct.unpack("<i", payload)[0] == -71
    assert_still_works(a)


def test_data_beyond_the_window_fails_only_that_stream(raw_agent):
    a = raw_agent()
    a.peer.send(vp.open_exec(1, ["sleep", "100"], user="root"))
    a.peer.wait_for(vp.ACCEPT, 1)
    chunk = b"x" * 65535
    # 512 KiB against a 256 KiB window plus the 64 KiB the stdin pipe of sleep takes.
    for _ in range(8):
        a.peer.send(vp.data(1, 0, chunk))
    payload = a.peer.wait_for(vp.CLOSE, 1)
    assert struct.unpack("<i", payload)[0] == -71
    assert_still_works(a)


def test_malformed_open_is_rejected(raw_agent):
    a = raw_agent()
    body = struct.pack("<II", vp.KIND_EXEC, 1024) + struct.pack("<HHI", vp.TAG_ARG, 0, 1000)
    a.peer.send(vp.frame(vp.OPEN, 7, body))
    payload = a.peer.wait_for(vp.REJECT, 7)
    assert struct.unpack_from("<i", payload)[0] < 0
    assert_still_works(a)


def test_garbage_before_hello_is_discarded(raw_agent):
    a = raw_agent(handshake=False)
    a.peer.send(vp.data(5, 0, b"stale") + vp.hello())
    a.peer.wait_for(vp.HELLO, 0)
    assert_still_works(a)


def test_host_restart_hello_kills_old_sessions(raw_agent, tmp_path):
    pid_file = tmp_path / "pid"
    a = raw_agent()
    a.peer.send(vp.open_exec(1, ["sh", "-c", f"echo $$ > {pid_file}; exec sleep 100"],
                             user="root"))
    a.peer.wait_for(vp.ACCEPT, 1)
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    a.peer.send(vp.hello())  # the host restarted
    a.peer.wait_for(vp.HELLO, 0)
    deadline = time.monotonic() + 10
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "old session survived a host restart"
        time.sleep(0.05)
    assert_still_works(a)


# ---- FORWARD -------------------------------------------------------------------------------------

def test_forward_stream_relays_to_the_service_socket(raw_agent, agent_args):
    services = Path(agent_args[agent_args.index("--services-dir") + 1])
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(services / "echo.sock"))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
            conn.sendall(data.upper())

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    a = raw_agent()
    body = struct.pack("<II", vp.KIND_FORWARD, 256 * 1024) + vp.tlv(vp.TAG_SERVICE, "echo")
    a.peer.send(vp.frame(vp.OPEN, 3, body))
    a.peer.wait_for(vp.ACCEPT, 3)
    a.peer.send(vp.data(3, 0, b"hello service"))
    a.peer.send(vp.eof(3, 0))
    got = b""
    while True:
        ftype, sid, payload = a.peer.recv_frame()
        if sid != 3:
            continue
        if ftype == vp.DATA:
            got += payload[1:]
        elif ftype == vp.CLOSE:
            break
    assert got == b"HELLO SERVICE"
    server.close()


def test_forward_to_a_missing_service_is_rejected(raw_agent):
    a = raw_agent()
    body = struct.pack("<II", vp.KIND_FORWARD, 1024) + vp.tlv(vp.TAG_SERVICE, "absent")
    a.peer.send(vp.frame(vp.OPEN, 3, body))
    payload = a.peer.wait_for(vp.REJECT, 3)
    assert struct.unpack_from("<i", payload)[0] == -2  # -ENOENT


# ---- transports and reconnection -----------------------------------------------------------------

class FdSocket:
    """Just enough of a socket (recv/sendall/settimeout) over a plain fd, for vmsilo_proto.Peer."""

    def __init__(self, fd, keep_open=None):
        self.fd = fd
        self.keep_open = keep_open  # a pty slave: without one open, master reads fail (EIO)
        self.timeout = 20

    def settimeout(self, timeout):
        self.timeout = timeout

    def recv(self, n):
        if not select.select([self.fd], [], [], self.timeout)[0]:
            raise TimeoutError("timed out")
        try:
            return os.read(self.fd, n)
        except OSError:
            return b""

    def sendall(self, data):
        while data:
            data = data[os.write(self.fd, data):]

    def close(self):
        os.close(self.fd)
        if self.keep_open is not None:
            os.close(self.keep_open)


def wait_for_pid_file(path, timeout=10):
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.05)
    return int(path.read_text())


def wait_until_gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, f"process {pid} still alive"
        time.sleep(0.05)


def test_virtio_port_host_hangup_kills_sessions_and_reconnects(agent_bin, agent_args, tmp_path):
    """A pty stands in for the virtio port (found by name through a fake sysfs): closing its
    master is the host going away; a new one at the same device path is the host coming back."""
    sysfs = tmp_path / "sysfs" / "vport9p1"
    sysfs.mkdir(parents=True)
    (sysfs / "name").write_text("org.vmsilo.agent\n")
    dev_dir = tmp_path / "dev"
    dev_dir.mkdir()

    def new_port():
        master, slave = pty.openpty()
        tty.setraw(slave)  # the agent does this too, but the test may write first
        link = dev_dir / "vport9p1"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(os.ttyname(slave))
        return vp.Peer(FdSocket(master, keep_open=slave))

    peer = new_port()
    proc = subprocess.Popen([str(agent_bin), "--virtio-sysfs", str(sysfs.parent),
                             "--virtio-dev-dir", str(dev_dir)] + agent_args,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        peer.send(vp.hello())
        peer.wait_for(vp.HELLO, 0)
        assert peer.run(1, ["echo", "first"], user="root")[0] == b"first\n"
        pid_file = tmp_path / "pid"
        peer.send(vp.open_exec(3, ["sh", "-c", f"echo $$ > {pid_file}; exec sleep 100"],
                               user="root"))
        peer.wait_for(vp.ACCEPT, 3)
        pid = wait_for_pid_file(pid_file)

        peer.sock.close()  # the host goes away
        wait_until_gone(pid)

        peer = new_port()  # ... and comes back
        peer.wait_for(vp.HELLO, 0)
        peer.send(vp.hello())
        assert peer.run(1, ["echo", "second"], user="root")[0] == b"second\n"
        assert proc.poll() is None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        peer.sock.close()
    assert proc.returncode == 0, err


def test_stdio_transport(agent_bin, agent_args):
    ours, theirs = vp.socketpair()
    proc = subprocess.Popen([str(agent_bin), "--stdio"] + agent_args, stdin=theirs,
                            stdout=theirs, stderr=subprocess.PIPE)
    theirs.close()
    peer = vp.Peer(ours)
    peer.send(vp.hello())
    peer.wait_for(vp.HELLO, 0)
    assert peer.run(1, ["echo", "over stdio"], user="root")[0] == b"over stdio\n"
    ours.close()
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err


def vsock_loopback_works():
    try:
        listener = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
        listener.bind((socket.VMADDR_CID_ANY, socket.VMADDR_PORT_ANY))
        listener.listen(1)
        port = listener.getsockname()[1]
        client = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
        client.settimeout(1)
        client.connect((1, port))  # VMADDR_CID_LOCAL
        client.close()
        listener.close()
        return True
    except OSError:
        return False


def test_vsock_transport_serves_one_host_after_another(agent_bin, agent_args):
    if not vsock_loopback_works():
        pytest.skip("no vsock loopback (vsock_loopback module) on this machine")
    port = 20000 + os.getpid() % 10000
    proc = subprocess.Popen([str(agent_bin), "--vsock", str(port)] + agent_args,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        for attempt in range(2):
            s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
            deadline = time.monotonic() + 10
            while True:
                try:
                    s.connect((1, port))
                    break
                except OSError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            peer = vp.Peer(s)
            peer.send(vp.hello())
            peer.wait_for(vp.HELLO, 0)
            assert peer.run(1, ["echo", str(attempt)], user="root")[0] == f"{attempt}\n".encode()
            s.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


# ---- the host session library against a misbehaving agent ----------------------------------------

def fake_agent_client(exec_bin, *command):
    """vmsilo-exec on one end of a socketpair; the test plays the agent on the other."""
    ours, theirs = vp.socketpair()
    proc = subprocess.Popen([str(exec_bin), "--fd", str(theirs.fileno()), "--"] + list(command),
                            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    theirs.close()
    peer = vp.Peer(ours)
    peer.send(vp.hello())
    peer.wait_for(vp.HELLO, 0)
    return proc, peer


def test_agent_restart_mid_session_is_reported(exec_bin):
    proc, peer = fake_agent_client(exec_bin, "sleep", "100")
    peer.wait_for(vp.OPEN)
    stream = 1
    peer.send(vp.frame(vp.ACCEPT, stream, struct.pack("<I", 65536)))
    peer.send(vp.hello())  # the agent restarted
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 255
    assert b"agent restarted" in err


def test_agent_rejection_is_reported_with_its_message(exec_bin):
    proc, peer = fake_agent_client(exec_bin, "whatever")
    peer.wait_for(vp.OPEN)
    peer.send(vp.frame(vp.REJECT, 1, struct.pack("<i", -2) + b"no such user\x07"))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 255
    assert b"cannot run 'whatever': no such user?" in err


def test_output_after_exit_and_close_is_delivered_in_order(exec_bin):
    proc, peer = fake_agent_client(exec_bin, "x")
    peer.wait_for(vp.OPEN)
    peer.send(vp.frame(vp.ACCEPT, 1, struct.pack("<I", 65536)))
    peer.send(vp.data(1, 1, b"a" * 60000) + vp.data(1, 2, b"oops\n") + vp.eof(1, 1)
              + vp.eof(1, 2) + vp.frame(vp.EXIT, 1, struct.pack("<BBHi", 0, 0, 0, 3))
              + vp.close(1))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 3
    assert out == b"a" * 60000 and err == b"oops\n"


# ---- guest-opened FORWARD streams (GUEST_FORWARD) ------------------------------------------------

@pytest.fixture
def forward_agent(raw_agent, tmp_path):
    """forward_agent(caps=CAP_GUEST_FORWARD) starts an agent whose kernel command line names the
    host service 'wayland' and whose env file sets no WAYLAND_DISPLAY; returns (agent, socket
    path of the 'wayland' listener)."""
    cmdline = tmp_path / "cmdline-forward"
    cmdline.write_text("console=ttyS0 vmsilo.forward=wayland quiet\n")
    env_file = tmp_path / "session-forward.env"
    env_file.write_text("XDG_RUNTIME_DIR=/tmp\n")
    # Neither directory exists: the agent makes both, as /run/vmsilo/forward on a systemd root.
    forward_dir = tmp_path / "run-vmsilo" / "forward"
    path = forward_dir / "wayland.sock"

    def start(caps=vp.CAP_GUEST_FORWARD):
        a = raw_agent(["--kernel-cmdline", str(cmdline), "--env-file", str(env_file),
                       "--forward-dir", str(forward_dir)], caps=caps)
        deadline = time.monotonic() + 10
        while not path.exists():
            assert time.monotonic() < deadline, "the agent made no wayland socket"
            time.sleep(0.02)
        return a, path

    return start


def guest_connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(str(path))
    return s


def wait_guest_open(peer):
    """The next OPEN the agent sends: (id, kind, window, service)."""
    while True:
        ftype, sid, payload = peer.recv_frame()
        if ftype == vp.OPEN:
            kind, window = struct.unpack_from("<II", payload)
            tag, _res, n = struct.unpack_from("<HHI", payload, 8)
            assert tag == vp.TAG_SERVICE and len(payload) == 16 + n
            return sid, kind, window, payload[16:].decode()


def recv_exactly(s, n):
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        assert chunk, "connection closed early"
        got += chunk
    return got


def test_guest_socket_is_the_default_users_only(forward_agent):
    _, path = forward_agent()
    st = path.stat()
    assert st.st_uid == FAKE_UID and (st.st_mode & 0o777) == 0o600


def test_guest_connection_becomes_a_forward_stream_to_the_host_service(forward_agent):
    a, path = forward_agent()
    c = guest_connect(path)
    sid, kind, window, service = wait_guest_open(a.peer)
    assert sid & vp.GUEST_BIT and kind == vp.KIND_FORWARD and service == "wayland"
    assert window == 256 * 1024
    a.peer.send(vp.frame(vp.ACCEPT, sid, struct.pack("<I", 65536)))
    c.sendall(b"wl_display@1.get_registry")
    got = b""
    while len(got) < 25:
        ftype, fsid, payload = a.peer.recv_frame()
        if fsid == sid and ftype == vp.DATA:
            assert payload[0] == 0
            got += payload[1:]
    assert got == b"wl_display@1.get_registry"
    a.peer.send(vp.data(sid, 0, b"wl_registry.global"))
    assert recv_exactly(c, 18) == b"wl_registry.global"
    c.shutdown(socket.SHUT_WR)
    assert a.peer.wait_for(vp.EOF, sid) == b"\x00"
    a.peer.send(vp.eof(sid, 0))
    assert c.recv(10) == b""  # our EOF reached the guest program
    assert struct.unpack("<i", a.peer.wait_for(vp.CLOSE, sid))[0] == 0
    a.peer.send(vp.close(sid))
    c.close()


def test_rejected_guest_stream_closes_the_connection(forward_agent):
    a, path = forward_agent()
    c = guest_connect(path)
    sid, *_ = wait_guest_open(a.peer)
    a.peer.send(vp.frame(vp.REJECT, sid, struct.pack("<i", -111) + b"no host service listening"))
    assert c.recv(10) == b""
    # The agent sends nothing more on a rejected stream, and goes on working.
    assert_still_works(a)


def test_without_the_capability_connections_are_closed_unopened(forward_agent):
    a, path = forward_agent(caps=0)
    c = guest_connect(path)
    assert c.recv(10) == b""
    a.peer.send(vp.frame(vp.PING, 0, b"marker"))
    while True:
        ftype, _sid, payload = a.peer.recv_frame()
        assert ftype != vp.OPEN, "an OPEN without GUEST_FORWARD in use"
        if ftype == vp.PONG:
            assert payload == b"marker"
            break


def test_guest_streams_are_capped_at_64(forward_agent):
    a, path = forward_agent()
    conns = [guest_connect(path) for _ in range(64)]
    ids = {wait_guest_open(a.peer)[0] for _ in range(64)}
    assert len(ids) == 64 and all(i & vp.GUEST_BIT for i in ids)
    extra = guest_connect(path)
    assert extra.recv(10) == b""  # the 65th is closed, not opened
    a.peer.send(vp.frame(vp.PING, 0, b"after"))
    while (f := a.peer.recv_frame())[0] != vp.PONG:
        assert f[0] != vp.OPEN
    # Ending one stream makes room for a new connection.
    first = sorted(ids)[0]
    a.peer.send(vp.frame(vp.REJECT, first, struct.pack("<i", -1)))
    deadline = time.monotonic() + 10
    while True:
        late = guest_connect(path)
        late.settimeout(0.5)
        try:
            if late.recv(1) == b"":
                assert time.monotonic() < deadline
                continue
        except socket.timeout:
            break
    assert wait_guest_open(a.peer)[0] not in ids - {first}
    for c in conns:
        c.close()


def test_a_stalled_guest_stream_does_not_stall_the_others(forward_agent):
    a, path = forward_agent()
    stalled, live = guest_connect(path), guest_connect(path)
    s1 = wait_guest_open(a.peer)[0]
    s2 = wait_guest_open(a.peer)[0]
    for sid in (s1, s2):
        a.peer.send(vp.frame(vp.ACCEPT, sid, struct.pack("<I", 65536)))
    # Fill s1's whole window (256 KiB): its guest program never reads.
    for _ in range(4):
        a.peer.send(vp.data(s1, 0, b"x" * 65535))
    a.peer.send(vp.data(s1, 0, b"x" * 4))
    for i in range(20):
        msg = b"ping %d" % i
        a.peer.send(vp.data(s2, 0, msg))
        assert recv_exactly(live, len(msg)) == msg
        live.sendall(b"pong")
        got = b""
        while len(got) < 4:
            ftype, sid, payload = a.peer.recv_frame()
            if sid == s2 and ftype == vp.DATA:
                got += payload[1:]
        assert got == b"pong"
    stalled.close()
    live.close()


def test_wayland_display_is_in_every_session(forward_agent):
    a, _ = forward_agent()
    out, _err, status = a.peer.run(5, ["sh", "-c", 'echo "$WAYLAND_DISPLAY $XDG_RUNTIME_DIR"'])
    assert status == (0, 0) and out == b"wayland-0 /tmp\n"


def test_no_wayland_display_without_the_service(raw_agent, tmp_path):
    env_file = tmp_path / "bare.env"
    env_file.write_text("")
    a = raw_agent(["--env-file", str(env_file)])
    out, _err, status = a.peer.run(5, ["sh", "-c", 'echo "${WAYLAND_DISPLAY-unset}"'])
    assert out == b"unset\n"
    assert not (tmp_path / "forward").exists()
