# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmsilod end to end on real QEMU guests (TCG): socket activation, sessions, idle shutdown,
crash handling, dependencies, authorisation, bad configs, the console."""
import concurrent.futures
import hashlib
import os
import pathlib
import pty
import select
import signal
import socket
import subprocess
import time

import pytest

from daemon import TEST_USER, Daemon, binary, console_reply, ensure_test_user, public_dir, vm

VMS = [
    vm("main"),
    vm("idle", autoShutdown={"enable": True, "after": 5}),
    vm("crashy"),
    vm("base"),
    vm("top", dependsOn=["base"]),
    vm("booting"),
    vm("restart"),
]


@pytest.fixture(scope="session")
def state_dir():
    ensure_test_user()
    # The default image is built by the first daemon and shared by every later one; the VMM
    # runs as the test user, so the kernel must be readable by it.
    return public_dir("vmsilo-state-")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory, state_dir):
    # A service's usual limits (systemd: soft 1024): vmsilod raises the soft one itself.
    d = Daemon(tmp_path_factory.mktemp("daemon"), state_dir, VMS, nofile=(1024, 4096)).start()
    yield d
    assert d.stop() == 0, d.output()


def test_cold_run_boots_the_vm_and_returns_output(daemon):
    assert daemon.status("main")["state"] == "stopped"
    r = daemon.run("main", "uname", "-a")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"Linux "), r.stdout
    assert daemon.status("main")["state"] == "running"


def test_warm_run_reuses_the_running_vm(daemon):
    pid = daemon.status("main")["pid"] if daemon.status("main")["state"] == "running" else None
    r = daemon.run("main", "echo", "warm")
    assert (r.returncode, r.stdout) == (0, b"warm\n"), r.stderr
    if pid:
        assert daemon.status("main")["pid"] == pid


@pytest.mark.parametrize("command,status", [
    (["true"], 0),
    (["false"], 1),
    (["sh", "-c", "exit 42"], 42),
    (["sh", "-c", "kill -9 $$"], 128 + 9),
    (["sh", "-c", "kill -TERM $$"], 128 + 15),
])
def test_exit_status_and_signals_are_returned(daemon, command, status):
    r = daemon.run("main", *command)
    assert r.returncode == status, r.stderr


def test_guest_user_has_the_usual_devices_and_the_vm_name_as_hostname(daemon):
    r = daemon.run("main", "sh", "-c",
                   "id -u; hostname; echo x >/dev/null && head -c 3 /dev/zero | wc -c")
    assert (r.returncode, r.stdout) == (0, b"1000\nmain\n3\n"), r.stderr


def test_gpu_vm_agent_listens_for_the_wayland_host_service(daemon):
    # gpu and tray are on by default: the plan says vmsilo.forward=wayland,tray, the agent makes
    # the sockets the guest's waypipe server and vmsilo-tray connect to (only the guest user may),
    # and sessions get the display name. The default image has no waypipe: the display itself
    # is a root image's.
    r = daemon.run("main", "sh", "-c",
                   "grep -o 'vmsilo.forward=[a-z,]*' /proc/cmdline;"
                   " cd /run/vmsilo/forward && stat -c '%U %a %F' wayland.sock tray.sock;"
                   " echo \"$WAYLAND_DISPLAY\"")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().split("\n")[:4] == [
        "vmsilo.forward=wayland,tray", "user 600 socket", "user 600 socket", "wayland-0"], \
        r.stdout


def test_stdout_and_stderr_stay_apart(daemon):
    r = daemon.run("main", "sh", "-c", "echo out; echo err >&2")
    assert (r.stdout, r.stderr) == (b"out\n", b"err\n")


def test_16_mib_of_stdin_round_trips_intact(daemon):
    data = os.urandom(16 * 1024 * 1024)
    r = daemon.run("main", "cat", input=data, timeout=300)
    assert r.returncode == 0, r.stderr
    assert hashlib.sha256(r.stdout).hexdigest() == hashlib.sha256(data).hexdigest()


def test_twenty_concurrent_runs_keep_their_own_output(daemon):
    def one(i):
        r = daemon.run("main", "sh", "-c", f"for n in 1 2 3; do echo run-{i}-$n; done")
        return i, r
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        for i, r in pool.map(one, range(20)):
            assert r.returncode == 0, r.stderr
            assert r.stdout == "".join(f"run-{i}-{n}\n" for n in (1, 2, 3)).encode()


def test_idle_vm_shuts_down_and_starts_again_on_demand(daemon):
    r = daemon.run("idle", "true")
    assert r.returncode == 0, r.stderr
    daemon.wait_state("idle", "stopped", timeout=60)
    r = daemon.run("idle", "echo", "again")
    assert (r.returncode, r.stdout) == (0, b"again\n"), r.stderr


def test_killed_vmm_fails_the_running_session_fast_and_next_run_restarts(daemon):
    assert daemon.run("crashy", "true").returncode == 0
    pid = daemon.status("crashy")["pid"]
    session = subprocess.Popen([binary("vmsilo"), "run", "-T", "crashy", "sleep", "600"],
                               env=daemon.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1)
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    out, err = session.communicate(timeout=10)
    assert time.monotonic() - killed < 2.0
    assert session.returncode == 125, (session.returncode, err)
    assert b"crashy" in err or b"lost" in err or b"VM" in err, err
    r = daemon.run("crashy", "echo", "back")
    assert (r.returncode, r.stdout) == (0, b"back\n"), r.stderr


def test_ctrl_c_while_the_vm_boots_cancels_the_run(daemon):
    assert daemon.status("booting")["state"] == "stopped"
    run = subprocess.Popen([binary("vmsilo"), "run", "-T", "booting", "true"], env=daemon.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1)
    run.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, err = run.communicate(timeout=10)
    assert time.monotonic() - sent < 2.0
    assert run.returncode == 125, err
    assert b"interrupted" in err, err


def test_run_while_the_vm_stops_waits_and_boots_it_again(daemon):
    assert daemon.run("restart", "true").returncode == 0
    old_pid = daemon.status("restart")["pid"]
    reply = daemon.control({"method": "stop", "vm": "restart", "wait": False})
    assert reply["ok"] and reply["vm"]["state"] == "stopping", reply
    r = daemon.run("restart", "echo", "again")
    assert (r.returncode, r.stdout) == (0, b"again\n"), r.stderr
    assert daemon.status("restart")["pid"] != old_pid


def test_depends_on_starts_the_dependency_first(daemon):
    assert daemon.status("base")["state"] == "stopped"
    r = daemon.run("top", "true")
    assert r.returncode == 0, r.stderr
    assert daemon.status("base")["state"] in ("starting", "running")


def test_unauthorised_uid_is_refused_on_every_socket(daemon):
    nobody = 65534
    r = daemon.cli("status", user=nobody)
    assert r.returncode != 0
    assert b"permission denied" in r.stdout + r.stderr
    r = daemon.run("main", "true", user=nobody)
    assert r.returncode == 125
    assert b"permission denied" in r.stderr
    console = subprocess.run(
        ["python3", "-c",
         "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);"
         "print(s.recv(200).decode())", str(daemon.runtime / "main-console")],
        user=nobody, capture_output=True, timeout=30)
    assert "permission denied" in console.stdout.decode()


# Opens N connections to each socket given and holds them until stdin closes; prints "held".
HOLD_CONNECTIONS = r"""
import resource, socket, sys
n, paths = int(sys.argv[1]), sys.argv[2:]
resource.setrlimit(resource.RLIMIT_NOFILE, (n * len(paths) + 64,) * 2)
held = []
for path in paths:
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(path)
        except OSError:
            s.close()
            continue
        held.append(s)
print("held", len(held), flush=True)
sys.stdin.read()
"""


def hold_connections(n, paths, user=None):
    """A process holding n connections to each of paths, once they are all made."""
    kwargs = {"user": user} if user is not None else {}
    p = subprocess.Popen(["python3", "-c", HOLD_CONNECTIONS, str(n)] + [str(x) for x in paths],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, **kwargs)
    line = p.stdout.readline()
    assert line.startswith(b"held "), line
    return p


def release(p):
    p.stdin.close()
    p.wait(timeout=30)


def assert_idle(d, seconds=3.0, cpu_max=0.5):
    """vmsilod is not spinning: little CPU time over a few seconds of wall time."""
    before = d.cpu_seconds()
    time.sleep(seconds)
    used = d.cpu_seconds() - before
    assert used < cpu_max, f"vmsilod used {used:.2f} s of CPU in {seconds} s"


def test_issue_12_refused_uid_holding_2000_connections_stalls_nothing(daemon):
    assert daemon.run("main", "true").returncode == 0
    fds_before = daemon.fd_count()
    flood = hold_connections(2000, [daemon.runtime / "main-command.socket",
                                    daemon.runtime / "control.socket",
                                    daemon.runtime / "main-console"], user=65534)
    try:
        time.sleep(1)  # connect() returns once queued: let vmsilod drain the backlogs first
        assert_idle(daemon)
        assert daemon.fd_count() < fds_before + 32, daemon.fd_count()
        for user in (None, TEST_USER):
            r = daemon.cli("status", user=user, timeout=30)
            assert r.returncode == 0, r.stderr
            r = daemon.run("main", "echo", "served", user=user, timeout=30)
            assert (r.returncode, r.stdout) == (0, b"served\n"), r.stderr
    finally:
        release(flood)
    r = daemon.run("main", "true", user=65534)
    assert (r.returncode, b"permission denied" in r.stderr) == (125, True), r.stderr


def test_issue_12_the_vmsilo_user_cannot_lock_root_out(daemon):
    flood = hold_connections(600, [daemon.runtime / "main-command.socket",
                                   daemon.runtime / "control.socket"], user=TEST_USER)
    try:
        time.sleep(1)
        r = daemon.cli("status", timeout=30)
        assert r.returncode == 0, r.stderr
        r = daemon.run("main", "echo", "root", timeout=60)
        assert (r.returncode, r.stdout) == (0, b"root\n"), r.stderr
    finally:
        release(flood)


def test_issue_12_refused_command_connection_that_says_nothing_is_closed(daemon):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        os.setresuid(-1, 65534, -1)  # connect as nobody: SO_PEERCRED takes the effective uid
        try:
            s.connect(str(daemon.runtime / "main-command.socket"))
        finally:
            os.setresuid(-1, 0, -1)
        s.settimeout(10)
        start = time.monotonic()
        while s.recv(4096):  # HELLO, then nothing until vmsilod gives up on it
            pass
        assert time.monotonic() - start < 5


def test_issue_12_out_of_fds_backs_off_instead_of_spinning(tmp_path, state_dir):
    d = Daemon(tmp_path, state_dir, [vm("idle")], nofile=(40, 40)).start()
    try:
        flood = hold_connections(100, [d.runtime / "control.socket"])
        try:
            assert_idle(d)
        finally:
            release(flood)
        assert d.cli("status", timeout=30).returncode == 0
    finally:
        assert d.stop() == 0, d.output()


def test_console_attach_shows_the_guest_and_ctrl_bracket_detaches(daemon):
    assert daemon.run("main", "true").returncode == 0
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary("vmsilo"), ["vmsilo", "shell", "main"], daemon.env)
    seen = b""
    deadline = time.monotonic() + 20
    os.write(fd, b"\r")
    while time.monotonic() < deadline and b"Ctrl+]" not in seen:
        if select.select([fd], [], [], 0.5)[0]:
            seen += os.read(fd, 4096)
    # Ctrl+] is read even while console output waits for the terminal (vmsilo shell never
    # blocks writing it); then, like a real terminal, keep reading until the shell is gone.
    os.write(fd, b"\x1d")
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail(f"vmsilo shell did not leave on Ctrl+]: {seen[-2000:]!r}")
    os.close(fd)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, seen


def test_console_of_the_default_image_has_a_shell_without_kernel_parameters(daemon):
    # The plan adds no vmsilo.shell=1: /init's inittab respawns a root shell on the console anyway.
    r = daemon.run("main", "cat", "/proc/cmdline")
    assert r.returncode == 0 and b"vmsilo.shell" not in r.stdout, r.stdout
    # The terminal echoes "$((6*7))"; only a shell prints 42 (and root's uid).
    console_reply(daemon.runtime, "main", b"echo shell-$((6*7))-$(id -u)", b"shell-42-0")


def test_broken_config_starts_nothing_and_says_why(tmp_path, state_dir):
    bad = Daemon(tmp_path, state_dir, [vm("ok"), vm("ok"), vm("BAD NAME", memory=1)])
    proc = subprocess.run([binary("vmsilod"), "--config", str(bad.config_path),
                           "--runtime-dir", str(bad.runtime)],
                          env=bad.env, capture_output=True, timeout=60)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "nixosVms[1].name" in err and "nixosVms[2]" in err, err
    assert not (bad.runtime / "control.socket").exists()
    assert list(bad.runtime.iterdir()) == []


def test_unknown_user_starts_nothing(tmp_path, state_dir):
    bad = Daemon(tmp_path, state_dir, [vm("x")], user="no-such-user-here")
    proc = subprocess.run([binary("vmsilod"), "--config", str(bad.config_path),
                           "--runtime-dir", str(bad.runtime)],
                          env=bad.env, capture_output=True, timeout=60)
    assert proc.returncode == 1
    assert b"no-such-user-here" in proc.stderr
    assert not (bad.runtime / "control.socket").exists()


def test_sigterm_stops_every_vm_and_exits_cleanly(tmp_path, state_dir):
    d = Daemon(tmp_path, state_dir, [vm("one")]).start()
    try:
        assert d.run("one", "true").returncode == 0
        pid = d.status("one")["pid"]
    finally:
        assert d.stop() == 0, d.output()
    assert not pathlib.Path(f"/proc/{pid}").exists()
