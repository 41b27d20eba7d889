# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a real vmsilod for tests: a config written to a temp runtime dir, the default guest image
built once per session into a shared state dir, the CLI called with that runtime dir."""
import contextlib
import json
import os
import pathlib
import pwd
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time

TEST_USER = "vmsilo-test"


def build_dir():
    return pathlib.Path(os.environ.get("VMSILO_BUILD_DIR", "build")).resolve()


def binary(name):
    paths = {"vmsilo": "src/cli/vmsilo", "vmsilod": "src/daemon/vmsilod",
             "vmsilo-image": "src/image/vmsilo-image",
             "vmsilo-agent": "src/agent/vmsilo-agent", "vmsilo-tray": "src/tray/vmsilo-tray",
             "tray-test-item": "tests/helpers/tray-test-item",
             "vmsilo-sound": "src/sound/vmsilo-sound"}
    return str(build_dir() / paths[name])


def guest_agent():
    """The agent guests get: static. A sanitised build's is dynamic, so scripts/test points
    $VMSILO_GUEST_AGENT at the plain build's while the rest of the suite runs sanitised."""
    return os.environ.get("VMSILO_GUEST_AGENT") or binary("vmsilo-agent")


def ensure_test_user():
    """The VMM runs as the configured user; tests use a system account of their own."""
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", TEST_USER], check=True)
        return pwd.getpwnam(TEST_USER)


def services_dir(runtime, name, user=TEST_USER):
    """<runtime>/services/<name>/, the VM's host companions' directory, as vmsilod makes it at
    VM start (made here too so a companion can listen before the VM starts)."""
    pw = pwd.getpwnam(user)
    path = pathlib.Path(runtime) / "services" / name
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, pw.pw_uid, pw.pw_gid)
    path.chmod(0o700)
    return path


def listen_as_user(path, user=TEST_USER, backlog=128):
    """A listening unix socket at path, bound and listened on by a child running as user: a
    host companion runs as the configured user, and vmsilod relays only to its sockets."""
    pw = pwd.getpwnam(user)
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(str(path))
            s.listen(backlog)
            socket.send_fds(theirs, [b"x"], [s.fileno()])
        finally:
            os._exit(0)
    _, fds, _, _ = socket.recv_fds(ours, 1, 1)
    os.waitpid(pid, 0)
    ours.close()
    theirs.close()
    return socket.socket(fileno=fds[0])


def public_dir(prefix):
    path = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def base_env(runtime_dir, state_dir):
    env = dict(os.environ)
    env.update({
        "VMSILO_RUNTIME_DIR": str(runtime_dir),
        "VMSILO_STATE_DIR": str(state_dir),
        "VMSILO_IMAGE_BUILDER": binary("vmsilo-image"),
        "VMSILO_AGENT": guest_agent(),
        "VMSILO_ACCEL": "tcg",
        # The tray host half vmsilod runs once the user's session bus is there (docs/tray.md).
        "VMSILO_TRAY": binary("vmsilo-tray"),
        # A QEMU VM's sound player, started in the VMM's sandbox (docs/sound.md).
        "VMSILO_SOUND": binary("vmsilo-sound"),
    })
    return env


# Placeholders for a VM's kernel and initramfs: with them vmsilod builds no default image, and
# no VM boots (the VMM fails on the fake kernel).
FAKE_BOOT_FILES = ("vmlinuz", "initramfs")


@contextlib.contextmanager
def scratch_dir(prefix, placeholders=()):
    """A public_dir() holding a placeholder file for each name in placeholders; removed after."""
    d = public_dir(prefix)
    for name in placeholders:
        (d / name).write_bytes(b"unused")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def fake_boot_vm(boot_dir, name, **options):
    """vm() booting the FAKE_BOOT_FILES in boot_dir."""
    return vm(name, kernel=str(boot_dir / "vmlinuz"), initramfs=str(boot_dir / "initramfs"),
              **options)


def vm(name, **options):
    """One nixosVms entry with small test defaults."""
    entry = {"name": name, "memory": 256, "cpus": 1, "vmm": "qemu", "sharedHome": False}
    entry.update(options)
    return entry


def wait_for(predicate, timeout=10.0, what="condition", step=0.05):
    """predicate()'s first true value, polled every step seconds; fails after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def control_answers(runtime):
    """Whether vmsilod's control socket in runtime accepts connections: it exists from bind()
    on, but refuses them until listen()."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(runtime / "control.socket"))
            return True
        except (FileNotFoundError, ConnectionRefusedError):
            return False


def control_request(runtime, request):
    """One request on vmsilod's control socket in runtime: the decoded reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(120)
        s.connect(str(runtime / "control.socket"))
        s.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


class Daemon:
    def __init__(self, tmp, state_dir, vms, user=TEST_USER, extra_args=(), netns=None,
                 config=None, nofile=None):
        """netns: run vmsilod inside that network namespace (`ip netns exec`), so its TAPs,
        bridges and nftables table live only there. config: extra top-level options.
        nofile: (soft, hard) RLIMIT_NOFILE to start vmsilod with."""
        # Other uids must reach the sockets (to be refused by vmsilod, not by the file system),
        # and pytest's own temp dirs are private to root.
        self.runtime = public_dir("vmsilo-run-")
        self.state = pathlib.Path(state_dir)
        self.config_path = pathlib.Path(tmp) / "config.json"
        self.user = user
        self.write_config(vms, config)
        self.netns = netns
        self.env = base_env(self.runtime, self.state)
        self.log_path = pathlib.Path(tmp) / "vmsilod.log"
        self.extra_args = list(extra_args)
        self.nofile = nofile
        self.proc = None

    def write_config(self, vms, config=None):
        """Replaces the config file (atomically, as an editor would): for reload tests."""
        document = {"enable": True, "user": self.user, "nixosVms": vms}
        document.update(config or {})
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(document))
        tmp.rename(self.config_path)

    def reload(self):
        """`vmsilo reload`: the CompletedProcess."""
        return self.cli("reload", timeout=600)

    def start(self, timeout=120):
        self.log = open(self.log_path, "wb")
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        self.proc = subprocess.Popen(
            prefix + [binary("vmsilod"), "--config", str(self.config_path), "--runtime-dir",
             str(self.runtime), "--state-dir", str(self.state)] + self.extra_args,
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=self._set_limits if self.nofile else None)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers():
                # The control socket listens before the VMs' sockets do; vmsilod answers only
                # once its start is done (a `vmsilo run` right away found no VM socket).
                self.control({"method": "status"})
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("vmsilod exited: " + self.log_path.read_text())
            time.sleep(0.05)
        raise TimeoutError("vmsilod did not create its control socket")

    def answers(self):
        return control_answers(self.runtime)

    def _set_limits(self):
        resource.setrlimit(resource.RLIMIT_NOFILE, self.nofile)

    def cpu_seconds(self):
        """vmsilod's user + system CPU time so far."""
        fields = (pathlib.Path("/proc") / str(self.proc.pid) / "stat").read_text()
        fields = fields.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def output(self):
        return self.log_path.read_text(errors="replace")

    def cli(self, *args, input=None, timeout=120, user=None, check=False):
        kwargs = {}
        if user is not None:
            kwargs["user"] = user
        return subprocess.run([binary("vmsilo")] + list(args), env=self.env, input=input,
                              capture_output=True, timeout=timeout, check=check, **kwargs)

    def run(self, name, *command, input=None, timeout=120, **kw):
        return self.cli("run", "-T", name, *command, input=input, timeout=timeout, **kw)

    def control(self, request):
        return control_request(self.runtime, request)

    def status(self, name):
        reply = self.control({"method": "status", "vm": name})
        assert reply["ok"], reply
        return reply["vms"][0]

    def wait_state(self, name, state, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.status(name)["state"]
            if current == state:
                return
            time.sleep(0.2)
        raise TimeoutError(f"VM {name} is {current}, not {state}")


def fake_qemu_daemon(tmp_path_factory, vms):
    """vmsilod (not started) whose QEMU is fake_qemu.py, for vms [(name, options)]: no guest
    boots, the real vmsilo-agent runs on the host in the VMM sandbox. d.forward is the agents'
    forward directory; fake_qemu_cleanup(d) removes the fake's files after d.stop()."""
    here = pathlib.Path(__file__).parent
    fake = public_dir("vmsilo-fake-qemu-")
    shutil.copy(here / "fake_qemu.py", fake / "fake_qemu.py")
    shutil.copy(binary("vmsilo-agent"), fake / "vmsilo-agent")
    # Outside the shared directory, which the VMM sandbox mounts noexec.
    exe = public_dir("vmsilo-fake-qemu-bin-") / "qemu-system-x86_64"
    exe.write_text(f"#!/bin/sh\nexec /usr/bin/python3 {fake}/fake_qemu.py \"$@\"\n")
    exe.chmod(0o755)
    forward = fake / "forward"
    forward.mkdir()
    forward.chmod(0o777)  # the fake VMM (the configured user) makes one dir per VM
    # A kernel path that exists: no default image is built, the fake VMM ignores it. The fake
    # VMM's files are a shared directory: the VMM sandbox shows it nothing else of the host.
    d = Daemon(tmp_path_factory.mktemp("daemon"), public_dir("vmsilo-state-"),
               [vm(name, kernel="/etc/hostname",
                   sharedDirectories=[{"path": str(fake), "tag": "fake"}], **options)
                for name, options in vms],
               extra_args=["--qemu-system", str(exe)])
    d.env.update({
        "FAKE_QEMU_AGENT": str(fake / "vmsilo-agent"),
        "FAKE_QEMU_FORWARD_DIR": str(forward),
    })
    d.forward = forward
    d.fake_dirs = [fake, exe.parent]
    return d


def fake_qemu_cleanup(d):
    for path in d.fake_dirs:
        shutil.rmtree(path, ignore_errors=True)


def console_reply(runtime, name, command, expect, timeout=60):
    """Types command on VM name's console (vm-shell's socket) until expect shows; the output."""
    seen = b""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(pathlib.Path(runtime) / f"{name}-console"))
        s.settimeout(0.5)
        deadline = time.monotonic() + timeout
        next_try = 0
        while expect not in seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {expect!r} on {name}'s console: {seen[-2000:]!r}")
            if time.monotonic() > next_try:  # the shell may still be starting: type again
                s.sendall(command + b"\n")
                next_try = time.monotonic() + 5
            try:
                seen += s.recv(4096)
            except socket.timeout:
                pass
    return seen
