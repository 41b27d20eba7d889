# SPDX-License-Identifier: LGPL-2.1-or-later
"""The vmsilo client without a daemon: help and usage errors of every command and multi-call
name, vm-run's exit statuses through a real agent behind a command socket, status/start/stop
against a fake control socket, vm-shell against a fake console, vm-start-debug --dry-run."""
import json
import os
import pty
import re
import select
import signal
import subprocess
import termios
import time
from pathlib import Path

import pytest

from conftest import CLI_ALIASES, cli_binary

COMMANDS = ("run", "start", "stop", "status", "list", "reload", "shell", "start-debug", "clipboard")


def run_cli(args, env=None, input=None, timeout=30, argv0=None):
    full_env = dict(os.environ)
    full_env.pop("VMSILO_RUNTIME_DIR", None)
    full_env.update(env or {})
    return subprocess.run(args, env=full_env, input=input, capture_output=True, timeout=timeout)


def vmsilo(*args, runtime=None, **kw):
    env = kw.pop("env", {})
    if runtime is not None:
        env = dict(env, VMSILO_RUNTIME_DIR=str(runtime))
    return run_cli([str(cli_binary())] + list(args), env=env, **kw)


# --- help and usage ----------------------------------------------------------------------------

def test_vmsilo_help_lists_every_command():
    r = vmsilo("--help")
    assert r.returncode == 0, r.stderr
    for command in COMMANDS:
        assert f"  {command} " in r.stdout.decode()


def test_vmsilo_help_names_every_clipboard_command():
    summary = next(line for line in vmsilo("--help").stdout.decode().splitlines()
                   if line.startswith("  clipboard "))
    text = vmsilo("clipboard", "--help").stdout.decode().split("Commands:\n")[1].split("\n\n")[0]
    commands = re.findall(r"^  (\S+)", text, re.MULTILINE)
    assert "paste-to" in commands, text
    for command in commands:
        assert re.search(rf"\b{command}\b", summary), f"{command} not in {summary!r}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help(command):
    r = vmsilo(command, "--help")
    assert r.returncode == 0, r.stderr
    usage = r.stdout.decode().splitlines()[0]
    assert usage.startswith(f"Usage: vmsilo {command} ")
    assert usage.split().count(command) == 1, usage


@pytest.mark.parametrize("name", CLI_ALIASES)
def test_every_multi_call_name_has_help(cli_links, name):
    r = run_cli([str(cli_links / name), "--help"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith(f"Usage: {name} ")


@pytest.mark.parametrize("args", [
    ["vm-run"],
    ["vm-run", "work"],
    ["vm-run", "--bogus", "work", "true"],
    ["vm-run", "--env", "NOEQUALS", "work", "true"],
    ["vm-run", "Not/A/Name", "true"],
    ["vm-start"],
    ["vm-stop", "-x", "work"],
    ["vm-shell"],
    ["vm-shell", "--root", "work"],
    ["vm-shell", "a", "b"],
    ["vm-start-debug"],
    ["vm-start-debug", "--vmm", "bochs", "work"],
    ["vmsilo", "status", "a", "b"],
    ["vmsilo", "list", "work"],
    ["vmsilo", "reload", "extra"],
    ["vmsilo", "reload", "--json"],
    ["vmsilo", "clipboard", "--bogus", "status"],
    ["vmsilo", "clipboard", "--socket"],
    ["vmsilo", "config", "--frob"],
    ["vmsilo", "config", "check", "-x"],
    ["vmsilo", "config", "show", "a.json", "b.json"],
    ["vmsilo", "config", "plan", "--vmm"],
    ["vmsilo", "config", "plan", "--accel", "hvf", "work"],
    ["vmsilo", "nosuchcommand"],
    ["vmsilo"],
])
def test_usage_errors_exit_2(cli_links, args):
    r = run_cli([str(cli_links / args[0])] + args[1:])
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert b"--help" in r.stderr
    if len(args) > 1:  # bare `vmsilo` prints its help instead
        # One style: the program, the error, and where its help is.
        assert re.fullmatch(rb"([a-z-]+): [^\n]+\n\1: See '[a-z -]+ --help'\.\n", r.stderr), \
            r.stderr


# --- vm-run --------------------------------------------------------------------------------------

def test_vm_run_without_socket_exits_125_and_names_the_vm(short_dir, cli_links):
    r = run_cli([str(cli_links / "vm-run"), "--runtime-dir", str(short_dir), "ghost", "true"])
    assert r.returncode == 125
    assert r.stderr.decode() == ("vm-run: no VM named 'ghost' (is vmsilod running? "
                                 "see 'vmsilo status')\n")


def test_vm_run_takes_the_runtime_dir_from_the_environment(short_dir, cli_links):
    r = run_cli([str(cli_links / "vm-run"), "ghost", "true"],
                env={"VMSILO_RUNTIME_DIR": str(short_dir)})
    assert r.returncode == 125
    assert b"no VM named 'ghost'" in r.stderr


def test_vm_run_to_a_dead_socket_exits_125(short_dir, cli_links):
    import socket
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(short_dir / "dead-command.socket"))
    s.close()
    r = run_cli([str(cli_links / "vm-run"), "--runtime-dir", str(short_dir), "dead", "true"])
    assert r.returncode == 125
    assert b"no VM named 'dead'" in r.stderr


def test_vm_run_connection_closed_before_hello_exits_125(short_dir, cli_links):
    import socket
    import threading
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(short_dir / "drop-command.socket"))
    listener.listen(1)

    def drop():
        conn, _ = listener.accept()
        conn.close()
    threading.Thread(target=drop, daemon=True).start()
    r = run_cli([str(cli_links / "vm-run"), "--runtime-dir", str(short_dir), "drop", "true"])
    listener.close()
    assert r.returncode == 125
    assert r.stderr.decode().startswith("vm-run: drop: ")


@pytest.mark.parametrize("command, status", [
    (["true"], 0),
    (["sh", "-c", "exit 42"], 42),
    (["sh", "-c", "kill -TERM $$"], 128 + signal.SIGTERM),
    (["sh", "-c", "kill -KILL $$"], 128 + signal.SIGKILL),
])
def test_vm_run_returns_the_command_status(short_dir, agent_command_socket, command, status):
    agent_command_socket("work")
    r = vmsilo("run", "-T", "-u", "root", "work", *command, runtime=short_dir)
    assert r.returncode == status, r.stderr


def test_vm_run_passes_stdin_stdout_stderr_through(short_dir, agent_command_socket):
    agent_command_socket("work")
    data = os.urandom(1024 * 1024)
    r = vmsilo("run", "-u", "root", "work", "sh", "-c", "cat; echo done >&2",
               runtime=short_dir, input=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    assert r.stderr == b"done\n"


def test_vm_run_with_stdin_closed_gives_the_command_an_empty_stdin(short_dir,
                                                                   agent_command_socket):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    r = subprocess.run([str(cli_binary()), "run", "-u", "root", "work", "sh", "-c",
                        "cat; echo end"], env=env, capture_output=True, timeout=30,
                       preexec_fn=lambda: os.close(0))
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"end\n"


def test_vm_run_options_after_the_name_belong_to_the_command(short_dir, agent_command_socket):
    agent_command_socket("work")
    r = vmsilo("run", "-u", "root", "--env", "GREETING=hi", "--cwd", "/", "work",
               "sh", "-c", 'echo "$GREETING $0 $1 $(pwd)"', "-T", "--help", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"hi -T --help /\n"


def test_vm_run_forwards_sigint_without_a_pty(short_dir, agent_command_socket):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    proc = subprocess.Popen([str(cli_binary()), "run", "-T", "-u", "root", "work", "sh", "-c",
                             "trap 'echo caught; exit 7' INT; echo ready; while :; do sleep 0.1; done"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 7, err
    assert out == b"caught\n"


def read_until(fd, needle, timeout=20):
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def spawn_on_pty(argv, env):
    """Runs argv with a fresh pty as its terminal; returns (pid, master fd, slave fd kept open
    here so the terminal settings can be read after the child exits)."""
    master, slave = pty.openpty()
    termios.tcsetattr(slave, termios.TCSANOW, termios.tcgetattr(slave))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.close(master)
        import fcntl
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.execve(argv[0], argv, env)
    return pid, master, slave


def test_vm_run_uses_a_pty_and_restores_the_terminal(short_dir, agent_command_socket):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir), TERM="xterm")
    pid, master, slave = spawn_on_pty([str(cli_binary()), "run", "-u", "root", "work", "sh", "-c",
                                       "tty >/dev/null && echo on-a-tty; read line; echo got-$line"],
                                      env)
    before = termios.tcgetattr(slave)
    try:
        seen = read_until(master, b"on-a-tty")
        assert b"on-a-tty" in seen
        # While the session runs the local terminal is raw: no local echo, no ICANON.
        assert not termios.tcgetattr(slave)[3] & termios.ICANON
        os.write(master, b"x\r")
        seen += read_until(master, b"got-x")
        assert b"got-x" in seen
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


def test_vm_run_on_a_terminal_announces_a_boot_and_its_length(short_dir, agent_command_socket):
    agent_command_socket("work", delay=1.5)
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir), TERM="xterm", LANG="C.UTF-8")
    status, seen = run_on_pty([str(cli_binary()), "run", "-T", "-u", "root", "work", "echo",
                               "ran"], env, b"ran")
    assert status == 0, seen
    before, up, after = seen.partition(b"vmsilo: VM 'work' is up (")
    assert before == "vmsilo: starting VM 'work'\u2026\r\n".encode(), seen
    seconds, _, rest = after.partition(b" s)\r\n")
    assert 1.5 <= float(seconds) < 10, seen
    assert rest == b"ran\r\n", seen


def test_vm_run_on_a_terminal_is_silent_when_the_vm_runs(short_dir, agent_command_socket):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir), TERM="xterm")
    status, seen = run_on_pty([str(cli_binary()), "run", "-T", "-u", "root", "work", "echo",
                               "ran"], env, b"ran")
    assert (status, seen) == (0, b"ran\r\n")


def test_vm_run_to_a_pipe_does_not_announce_a_boot(short_dir, agent_command_socket):
    agent_command_socket("work", delay=1)
    r = vmsilo("run", "-u", "root", "work", "echo", "ran", runtime=short_dir)
    assert (r.returncode, r.stdout, r.stderr) == (0, b"ran\n", b"")


# --- guest output to a terminal (issue #12 item 9) ----------------------------------------------

OSC52 = b"\x1b]52;c;aGVsbG8=\x07"
# What the guest prints: a clipboard write between text, then colours and cursor movement.
HOSTILE_PRINTF = r"printf 'A\033]52;c;aGVsbG8=\007B\033[31mC\033[0m\033[2;5HD\n'"
KEPT = b"AB\x1b[31mC\x1b[0m\x1b[2;5HD"


def run_on_pty(argv, env, marker, on_marker=None):
    """Runs argv on a fresh pty until it exits (on_marker() is called once marker was printed);
    returns (exit code, everything it printed)."""
    pid, master, slave = spawn_on_pty(argv, env)
    try:
        seen = read_until(master, marker)
        if on_marker:
            on_marker()
        _, status = os.waitpid(pid, 0)
        while select.select([master], [], [], 0.1)[0]:  # what it printed after the marker
            seen += os.read(master, 4096)
        return os.waitstatus_to_exitcode(status), seen
    finally:
        os.close(master)
        os.close(slave)


def test_vm_run_drops_osc52_on_a_terminal_and_keeps_colours(short_dir, agent_command_socket):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir), TERM="xterm")
    code, seen = run_on_pty([str(cli_binary()), "run", "-u", "root", "work", "sh", "-c",
                             HOSTILE_PRINTF], env, b"D")
    assert code == 0, seen
    assert b"\x1b]" not in seen
    assert b"aGVsbG8" not in seen
    assert KEPT in seen


def test_vm_run_raw_terminal_passes_osc52(short_dir, agent_command_socket):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir), TERM="xterm")
    code, seen = run_on_pty([str(cli_binary()), "run", "--raw-terminal", "-u", "root", "work",
                             "sh", "-c", HOSTILE_PRINTF], env, b"D")
    assert code == 0, seen
    assert b"A" + OSC52 + b"B\x1b[31mC" in seen


def test_vm_run_filters_both_outputs_on_a_terminal_without_a_pty(short_dir,
                                                                   agent_command_socket):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    code, seen = run_on_pty([str(cli_binary()), "run", "-T", "-u", "root", "work", "sh", "-c",
                             HOSTILE_PRINTF + " >&2; printf 'out\\033P$qm\\033\\\\end'"],
                            env, b"end")
    assert code == 0, seen
    assert b"\x1b]" not in seen and b"\x1bP" not in seen
    assert KEPT in seen
    assert b"outend" in seen


def test_vm_run_parses_stdout_and_stderr_on_one_terminal_as_one_stream(short_dir,
                                                                          agent_command_socket):
    # ESC on stdout, the rest of an OSC 52 on stderr: the terminal would see them as one
    # sequence, so the filter must too, and drop it whole rather than print "]52;…" as text.
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    code, seen = run_on_pty([str(cli_binary()), "run", "-T", "-u", "root", "work", "sh", "-c",
                             r"printf '\033'; sleep 0.3; printf ']52;c;aGk=\007' >&2; echo end"],
                            env, b"end")
    assert code == 0, seen
    assert b"52;c;" not in seen
    assert b"end" in seen


def test_vm_run_to_pipes_is_byte_exact(short_dir, agent_command_socket):
    agent_command_socket("work")
    r = vmsilo("run", "-u", "root", "work", "sh", "-c",
               HOSTILE_PRINTF + "; " + HOSTILE_PRINTF + " >&2", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    expected = b"A" + OSC52 + b"B\x1b[31mC\x1b[0m\x1b[2;5HD\n"
    assert r.stdout == expected
    assert r.stderr == expected


@pytest.mark.parametrize("lang, shown", [("C.UTF-8", "grüne ✓".encode()), ("C", b"grne ")])
def test_vm_run_passes_utf8_to_a_utf8_terminal_only(short_dir, agent_command_socket, lang, shown):
    agent_command_socket("work")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir), LANG=lang)
    env.pop("LC_ALL", None)
    env.pop("LC_CTYPE", None)
    code, seen = run_on_pty([str(cli_binary()), "run", "-T", "-u", "root", "work", "sh", "-c",
                             r"printf '<gr\303\274ne \342\234\223>'"], env, b">")
    assert code == 0, seen
    assert b"<" + shown + b">" in seen


@pytest.mark.parametrize("args, shown", [
    ([], b"login: \x1b[1mbold\x1b[0m#"),
    (["--raw-terminal"],
     b"log" + OSC52 + b"in\x1bP+q544e\x1b\\: \x1b]0;title\x1b\\\x1b[1mbold\x1b[0m#"),
])
def test_vm_shell_filters_the_console_on_a_terminal_unless_raw(short_dir, fake_console, args,
                                                               shown):
    console = fake_console("work", greeting=b"log" + OSC52 + b"in\x1bP+q544e\x1b\\: "
                           b"\x1b]0;title\x1b\\\x1b[1mbold\x1b[0m#")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    code, seen = run_on_pty([str(cli_binary()), "shell", *args, "work"], env, b"#",
                            on_marker=lambda: console.conn.shutdown(2))
    assert code == 0, seen
    assert shown in seen
    if not args:
        assert b"\x1b]" not in seen and b"\x1bP" not in seen


def test_vm_shell_to_a_pipe_is_byte_exact(short_dir, fake_console):
    greeting = b"log" + OSC52 + b"in\x9b6n\xff: "
    console = fake_console("work", greeting=greeting)
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    proc = subprocess.Popen([str(cli_binary()), "shell", "work"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert console.closed.wait(10)  # our stdin ended: vm-shell shut its side
    console.conn.shutdown(2)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out == greeting


# --- status, start, stop -------------------------------------------------------------------------

VMS = [
    {"name": "banking", "state": "running", "reason": None, "pid": 4242, "uptime_sec": 3725,
     "memory_mib": 2048, "cpus": 2, "sessions": 1, "clients": 1, "vmm": "qemu", "accel": "tcg",
     "auto_shutdown_sec": 300, "interfaces": []},
    {"name": "work", "state": "stopped", "reason": None, "pid": None, "uptime_sec": None,
     "memory_mib": 512, "cpus": 1, "sessions": 0, "clients": 0, "vmm": "crosvm", "accel": None,
     "auto_shutdown_sec": None, "interfaces": []},
]


def status_handler(request):
    if request["method"] != "status":
        return {"ok": False, "error": "unexpected"}
    if "vm" in request:
        vms = [v for v in VMS if v["name"] == request["vm"]]
        if not vms:
            return {"ok": False, "error": f"no VM named '{request['vm']}'"}
        return {"ok": True, "vms": vms}
    return {"ok": True, "vms": VMS}


def test_status_prints_a_table(short_dir, fake_control):
    server = fake_control(status_handler)
    r = vmsilo("status", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == (
        "NAME     STATE    UPTIME  MEMORY  CPUS  SESSIONS  VMM     ACCEL  BALLOON  AVAIL\n"
        "banking  running  1h02m   2G      2     1         qemu    tcg    -        -\n"
        "work     stopped  -       512M    1     0         crosvm  -      -        -\n")
    assert server.requests == [{"method": "status"}]


def test_status_shows_the_balloon_daemons_view(short_dir, fake_control):
    fake_control(status_handler)
    (Path(short_dir) / "balloond.json").write_text(json.dumps({"version": 1, "vms": [
        {"name": "banking", "balloon_bytes": 512 << 20, "guest_available_bytes": 700 << 20}]}))
    r = vmsilo("status", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert "banking  running  1h02m   2G      2     1         qemu    tcg    512M     700M" in \
        r.stdout.decode(), r.stdout
    r = vmsilo("status", "--json", "banking", runtime=short_dir)
    assert json.loads(r.stdout)[0]["balloon_mib"] == 512


def test_status_json_prints_the_daemon_array(short_dir, fake_control):
    fake_control(status_handler)
    r = vmsilo("status", "--json", "work", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [VMS[1]]
    assert r.stdout.startswith(b"[\n  {\n")


def test_list_prints_the_daemons_vm_names(short_dir, fake_control):
    server = fake_control(status_handler)
    r = vmsilo("list", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"banking\nwork\n"
    r = vmsilo("list", "--json", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == ["banking", "work"]
    assert server.requests == [{"method": "status"}] * 2


def test_completion_takes_vm_names_from_vmsilo_list(short_dir, cli_links, fake_control):
    fake_control(status_handler)
    completion = Path(__file__).resolve().parents[2] / "data/completion/vmsilo.bash"
    script = (f'source {completion}; COMP_WORDS=(vm-run b); COMP_CWORD=1; _vmsilo; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    r = run_cli(["bash", "-c", script], env={"PATH": f"{cli_links}:{os.environ['PATH']}",
                                             "VMSILO_RUNTIME_DIR": str(short_dir)})
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"banking\n"


def test_list_without_daemon_says_so(short_dir):
    r = vmsilo("list", runtime=short_dir)
    assert r.returncode == 1
    assert r.stdout == b""
    assert b"is vmsilod running?" in r.stderr


def test_status_of_an_unknown_vm_relays_the_error(short_dir, fake_control):
    fake_control(status_handler)
    r = vmsilo("status", "ghost", runtime=short_dir)
    assert r.returncode == 1
    assert r.stderr == b"vmsilo: no VM named 'ghost'\n"


def test_status_without_daemon_says_so(short_dir):
    r = vmsilo("status", runtime=short_dir)
    assert r.returncode == 1
    assert b"is vmsilod running?" in r.stderr


def test_errors_to_the_journal_carry_the_priority(short_dir, tmp_path):
    # systemd sets JOURNAL_STREAM to the device:inode of the stream it gives as stderr.
    with open(tmp_path / "journal", "wb+") as err:
        st = os.fstat(err.fileno())
        for stream, prefix in ((f"{st.st_dev}:{st.st_ino}", b"<3>"),
                               (f"{st.st_dev}:{st.st_ino + 1}", b"")):
            err.seek(0)
            err.truncate()
            env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir), JOURNAL_STREAM=stream)
            r = subprocess.run([str(cli_binary()), "status"], env=env, stderr=err, timeout=30)
            assert r.returncode == 1
            err.seek(0)
            line = err.read()
            assert line.startswith(prefix + b"vmsilo: "), line
            assert b"is vmsilod running?" in line


def test_status_reports_a_refusal(short_dir, fake_control):
    fake_control(lambda req: b'{"ok":false,"error":"permission denied: uid 1000 is neither '
                             b'root nor the vmsilo user"}\n')
    r = vmsilo("status", runtime=short_dir)
    assert r.returncode == 1
    assert b"permission denied" in r.stderr


def test_status_reports_a_garbled_reply(short_dir, fake_control):
    fake_control(lambda req: b"this is not json\n")
    r = vmsilo("status", runtime=short_dir)
    assert r.returncode == 1
    assert b"bad reply" in r.stderr


def start_stop_handler(request):
    name = request["vm"]
    if name == "ghost":
        return {"ok": False, "error": f"no VM named '{name}'"}
    if name == "broken":
        return {"ok": True, "vm": {"name": name, "state": "failed",
                                   "reason": "the guest agent did not answer within 60 s"}}
    state = {"start": "running", "stop": "stopped"}[request["method"]]
    if not request["wait"]:
        state = {"start": "starting", "stop": "stopping"}[request["method"]]
    return {"ok": True, "vm": {"name": name, "state": state, "reason": None}}


def test_vm_start_waits_and_prints_each_state(short_dir, cli_links, fake_control):
    server = fake_control(start_stop_handler)
    r = run_cli([str(cli_links / "vm-start"), "a", "b"], env={"VMSILO_RUNTIME_DIR": str(short_dir)})
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"a: running\nb: running\n"
    assert server.requests == [{"method": "start", "vm": "a", "wait": True},
                               {"method": "start", "vm": "b", "wait": True}]


def test_vm_start_no_wait_asks_not_to_wait(short_dir, fake_control):
    server = fake_control(start_stop_handler)
    r = vmsilo("start", "--no-wait", "a", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"a: starting\n"
    assert server.requests == [{"method": "start", "vm": "a", "wait": False}]


def test_vm_start_of_a_vm_that_fails_exits_1_with_the_reason(short_dir, fake_control):
    fake_control(start_stop_handler)
    r = vmsilo("start", "broken", runtime=short_dir)
    assert r.returncode == 1
    assert r.stderr == b"vmsilo: broken: failed: the guest agent did not answer within 60 s\n"


def test_vm_stop_relays_the_daemon_error_and_goes_on(short_dir, cli_links, fake_control):
    server = fake_control(start_stop_handler)
    r = run_cli([str(cli_links / "vm-stop"), "ghost", "work"],
                env={"VMSILO_RUNTIME_DIR": str(short_dir)})
    assert r.returncode == 1
    assert r.stderr == b"vm-stop: no VM named 'ghost'\n"
    assert r.stdout == b"work: stopped\n"
    assert [q["vm"] for q in server.requests] == ["ghost", "work"]


def test_vm_stop_reports_a_daemon_that_hangs_up(short_dir, fake_control):
    fake_control(lambda req: b"")
    r = vmsilo("stop", "work", runtime=short_dir)
    assert r.returncode == 1
    assert b"closed the connection" in r.stderr


# --- vm-shell ------------------------------------------------------------------------------------

def test_vm_shell_relays_both_ways_and_ctrl_bracket_detaches(short_dir, cli_links, fake_console):
    console = fake_console("work", greeting=b"login: ")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    pid, master, slave = spawn_on_pty([str(cli_links / "vm-shell"), "work"], env)
    before = termios.tcgetattr(slave)
    try:
        seen = read_until(master, b"login: ")
        assert b"Connected to work's console. Press Ctrl+] to leave." in seen
        assert b"login: " in seen
        assert not termios.tcgetattr(slave)[3] & termios.ICANON
        os.write(master, b"root\r\x03")
        deadline = time.monotonic() + 10
        while console.received != b"root\r\x03" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert console.received == b"root\r\x03"
        console.send(b"\r\n# ")
        seen = read_until(master, b"# ")
        assert b"\r\n# " in seen
        os.write(master, b"ls\x1dnot-sent")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert console.closed.wait(10)
        assert console.received == b"root\r\x03ls"
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


def test_vm_shell_ends_when_the_console_closes(short_dir, fake_console):
    console = fake_console("work", greeting=b"bye\n")
    env = dict(os.environ, VMSILO_RUNTIME_DIR=str(short_dir))
    pid, master, slave = spawn_on_pty([str(cli_binary()), "shell", "work"], env)
    before = termios.tcgetattr(slave)
    try:
        assert b"bye" in read_until(master, b"bye")
        console.conn.shutdown(2)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


def test_vm_shell_without_console_socket_names_the_vm(short_dir):
    r = vmsilo("shell", "ghost", runtime=short_dir)
    assert r.returncode == 1
    assert b"no VM named 'ghost'" in r.stderr


def write_config(path, vms, user="vmsilo-test"):
    path.write_text(json.dumps({"enable": True, "user": user, "nixosVms": vms}))
    return path


NET_VM = {"name": "net", "memory": 256, "cpus": 1, "vmm": "qemu",
          "network": {"interfaces": {"wan": {"type": "tap",
                                             "tap": {"hostAddress": "10.9.0.254/24"},
                                             "addresses": ["10.9.0.2/24"]}}}}


@pytest.mark.parametrize("extra, target", [([], "user@10.9.0.2"), (["--root"], "root@10.9.0.2")])
def test_vm_shell_ssh_runs_ssh_to_the_first_address(tmp_path, extra, target):
    config = write_config(tmp_path / "config.json", [NET_VM])
    fake_ssh = tmp_path / "bin" / "ssh"
    fake_ssh.parent.mkdir()
    fake_ssh.write_text('#!/bin/sh\necho "ssh $*"\n')
    fake_ssh.chmod(0o755)
    r = vmsilo("shell", "--ssh", *extra, "--config", str(config), "net",
               env={"PATH": f"{fake_ssh.parent}:/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == f"ssh -- {target}\n"


def test_vm_shell_ssh_without_an_address_says_so(tmp_path):
    config = write_config(tmp_path / "config.json",
                          [{"name": "plain", "memory": 256, "cpus": 1, "vmm": "qemu"}])
    r = vmsilo("shell", "--ssh", "--config", str(config), "plain")
    assert r.returncode == 1
    assert b"VM 'plain' has no static IPv4 address" in r.stderr


def test_vm_shell_ssh_of_an_unknown_vm_says_so(tmp_path):
    config = write_config(tmp_path / "config.json", [NET_VM])
    r = vmsilo("shell", "--ssh", "--config", str(config), "ghost")
    assert r.returncode == 1
    assert b"no VM named 'ghost'" in r.stderr


# --- what the client loads (issue #18) ----------------------------------------------------------

SANITIZER_RUNTIMES = ("libasan.", "libubsan.", "libtsan.", "liblsan.")


def dt_needed(binary):
    dynamic = subprocess.run(["readelf", "-d", str(binary)], check=True, capture_output=True,
                             text=True).stdout
    return [line.split("[")[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line]


def test_issue_18_the_client_needs_only_libc_and_jansson():
    """Every vm-run pays for each library the client loads: libsystemd alone cost ~0.9 ms a start
    (docs/benchmarks.md). The client's loop is src/basic/event-loop.c, vm-start-debug's sandbox
    (libseccomp, libacl) lives in libexec/vmsilo/vmsilo-start-debug. A sanitizer's runtime is the
    build's, not ours."""
    needed = [n for n in dt_needed(cli_binary()) if not n.startswith(SANITIZER_RUNTIMES)]
    assert "libc.so.6" in needed  # the check reads the right entries
    assert sorted(needed) == ["libc.so.6", "libjansson.so.4"]


def test_issue_18_vm_start_debug_has_the_sandbox_libraries():
    """The other half of the split: the sandbox did not vanish, it moved."""
    needed = dt_needed(cli_binary().parent / "vmsilo-start-debug")
    assert {"libseccomp.so.2", "libacl.so.1"} <= set(needed)


# --- vm-start-debug ------------------------------------------------------------------------------

def test_vm_start_debug_dry_run_prints_a_qemu_command_line(tmp_path, short_dir, cli_links):
    config = write_config(tmp_path / "config.json", [NET_VM])
    state = tmp_path / "state"
    r = run_cli([str(cli_links / "vm-start-debug"), "--dry-run", "--config", str(config),
                 "--state-dir", str(state), "--runtime-dir", str(short_dir), "net"],
                env={"VMSILO_ACCEL": "tcg", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    argv = r.stdout.decode().split()
    assert argv[0] == "qemu-system-x86_64"
    assert argv[argv.index("-kernel") + 1] == f"{state}/images/default/vmlinuz"
    assert argv[argv.index("-initrd") + 1] == f"{state}/images/default/initramfs.cpio"
    assert "tcg" in " ".join(argv)
    assert "stdio" in " ".join(argv)
    err = r.stderr.decode()
    assert "VMM: qemu (set for this VM)" in err
    assert "Acceleration: tcg (TCG requested)" in err


def test_vm_start_debug_uses_the_vms_own_kernel(tmp_path, short_dir):
    kernel = tmp_path / "my-kernel"
    kernel.write_bytes(b"")
    vm = dict(NET_VM, kernel=str(kernel))
    config = write_config(tmp_path / "config.json", [vm])
    r = vmsilo("start-debug", "-n", "--config", str(config), "--state-dir", str(tmp_path),
               "net", runtime=short_dir, env={"VMSILO_ACCEL": "tcg"})
    assert r.returncode == 0, r.stderr
    argv = r.stdout.decode().split()
    assert argv[argv.index("-kernel") + 1] == str(kernel)


def test_vm_start_debug_without_a_kernel_fails_with_a_hint(tmp_path, short_dir):
    config = write_config(tmp_path / "config.json", [NET_VM])
    r = vmsilo("start-debug", "--config", str(config), "--state-dir", str(tmp_path / "none"),
               "net", runtime=short_dir, env={"VMSILO_ACCEL": "tcg"})
    assert r.returncode == 1
    assert b"vmsilo image build" in r.stderr


def test_vm_start_debug_reports_config_errors(tmp_path, short_dir):
    config = tmp_path / "config.json"
    config.write_text('{"nixosVms": [{"name": "BAD NAME"}]}')
    r = vmsilo("start-debug", "-n", "--config", str(config), "x", runtime=short_dir)
    assert r.returncode == 1
    assert str(config).encode() in r.stderr


def test_vm_start_debug_picks_crosvm_when_it_is_in_path(tmp_path, short_dir):
    vm = {"name": "auto", "memory": 256, "cpus": 1}
    config = write_config(tmp_path / "config.json", [vm])
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "crosvm").write_text("#!/bin/sh\n")
    (fake_bin / "crosvm").chmod(0o755)
    r = vmsilo("start-debug", "-n", "--config", str(config), "--state-dir", str(tmp_path), "auto",
               runtime=short_dir, env={"PATH": f"{fake_bin}:/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().split()[0] == "crosvm"
    assert "VMM: crosvm (auto: crosvm found in PATH)" in r.stderr.decode()
    assert "Acceleration: kvm (crosvm always uses KVM)" in r.stderr.decode()


def test_vm_start_debug_vmm_option_overrides_the_configuration(tmp_path, short_dir):
    config = write_config(tmp_path / "config.json", [NET_VM])
    r = vmsilo("start-debug", "-n", "--vmm", "crosvm", "--config", str(config), "--state-dir",
               str(tmp_path), "net", runtime=short_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().split()[0] == "crosvm"
    assert "VMM: crosvm (--vmm)" in r.stderr.decode()
