# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmguest.py: boot a throw-away QEMU guest for integration tests.

    with VmGuest(kernel, initrd, append="vmsilo.shell=1") as g:
        g.wait_for_console(r"vmsilo-init: modules: (\\d+)/(\\d+) loaded")
        hello = g.agent_read(12)
        print(g.console_run("id user"))

The guest is a microvm under TCG with a virtio-serial bus carrying two ports: a virtconsole
(hvc0, the kernel console, passed to the guest as console=hvc0) and the agent port named
org.vmsilo.agent. Both are unix sockets that QEMU listens on in a private temp dir:
`console_socket_path` and `agent_socket_path`. VmGuest connects to the console before the guest
runs (QEMU waits for it) and records everything into `console_log` (also written to
`console_log_path`). It connects to the agent port too unless `connect_agent=False`, in which
case another client (e.g. vmsilod under test) may connect to `agent_socket_path` itself.

Timers: on a busy TCG host the guest kernel's PIT calibration fails, and a microvm (no HPET)
then hangs before /init for good. Two cures, chosen by `timer`:
  "tsc"    (default when /proc/cpuinfo has "cpu MHz") tells the kernel the TSC rate with
           tsc_early_khz=; under TCG the guest reads the host's TSC, so the host rate is right.
  "icount" runs `-icount shift=0`: guest time follows executed instructions (1 ns each).
           Deterministic, but ~1.5x slower to boot here.
  None     neither (fine on an idle host only).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

QEMU = os.environ.get("VMSILO_QEMU", "qemu-system-x86_64")
AGENT_PORT_NAME = "org.vmsilo.agent"


class GuestError(Exception):
    pass


def host_tsc_khz():
    """The host CPU's rate in kHz from /proc/cpuinfo, or None. On a VM host and on CPUs with an
    invariant TSC this is the TSC rate a TCG guest sees."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return int(float(line.split(":", 1)[1]) * 1000)
    except (OSError, ValueError):
        pass
    return None


class VmGuest:
    def __init__(self, kernel, initrd, append="", extra_args=(), memory_mib=512,
                 timer="auto", connect_agent=True, boot_timeout=120, qemu=QEMU):
        self.kernel = str(kernel)
        self.initrd = str(initrd)
        self.append = append
        self.extra_args = list(extra_args)
        self.memory_mib = memory_mib
        if timer == "auto":
            timer = "tsc" if host_tsc_khz() else "icount"
        self.timer = timer
        self.connect_agent = connect_agent
        self.boot_timeout = boot_timeout
        self.qemu = qemu
        self.workdir = tempfile.mkdtemp(prefix="vmguest-")
        self.console_socket_path = os.path.join(self.workdir, "console.sock")
        self.agent_socket_path = os.path.join(self.workdir, "agent.sock")
        self.qmp_socket_path = os.path.join(self.workdir, "qmp.sock")
        self.console_log_path = os.path.join(self.workdir, "console.log")
        self.stderr_path = os.path.join(self.workdir, "qemu.stderr")
        self.process = None
        self.started_at = None  # time.monotonic() at QEMU spawn
        self._console = None
        self._agent = None
        self._console_buf = bytearray()
        self._cond = threading.Condition()
        self._reader = None
        self._marker = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def argv(self):
        append = "console=hvc0 " + self.append
        if self.timer == "tsc":
            append += f" tsc_early_khz={host_tsc_khz()}"
        argv = [self.qemu,
                "-M", "microvm,x-option-roms=off,rtc=on", "-accel", "tcg",
                "-m", str(self.memory_mib), "-nodefaults", "-no-user-config", "-nographic",
                "-kernel", self.kernel, "-initrd", self.initrd, "-append", append.strip(),
                "-no-reboot",
                "-qmp", f"unix:{self.qmp_socket_path},server=on,wait=off",
                "-device", "virtio-serial-device",
                "-chardev", f"socket,id=console,path={self.console_socket_path},server=on,wait=on",
                "-device", "virtconsole,chardev=console",
                "-chardev", f"socket,id=agent,path={self.agent_socket_path},server=on,wait=off",
                "-device", f"virtserialport,chardev=agent,name={AGENT_PORT_NAME}"]
        if self.timer == "icount":
            argv += ["-icount", "shift=0"]
        return argv + self.extra_args

    def start(self):
        stderr = open(self.stderr_path, "wb")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                        stdout=stderr, stderr=stderr)
        stderr.close()
        # QEMU waits for this connection (wait=on) before it runs the guest: nothing is lost.
        self._console = self._connect(self.console_socket_path)
        self._reader = threading.Thread(target=self._read_console, daemon=True)
        self._reader.start()
        if self.connect_agent:
            self._agent = self._connect(self.agent_socket_path)
        return self

    def _connect(self, path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise GuestError(f"QEMU exited with {self.process.returncode}: {self.stderr()}")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if time.monotonic() > deadline:
                    raise GuestError(f"QEMU never listened on {path}")
                time.sleep(0.02)

    def _read_console(self):
        with open(self.console_log_path, "wb") as log:
            while True:
                try:
                    data = self._console.recv(65536)
                except OSError:
                    data = b""
                with self._cond:
                    self._console_buf += data
                    self._cond.notify_all()
                if not data:
                    return
                log.write(data)
                log.flush()

    def stop(self, timeout=10):
        """Stops QEMU (QMP quit, then SIGTERM, then SIGKILL) and removes the temp dir."""
        if self.process and self.process.poll() is None:
            try:
                self.qmp("quit")
            except (OSError, GuestError):
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        for s in (self._agent, self._console):
            if s:
                s.close()
        if self._reader:
            self._reader.join(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def wait_exit(self, timeout):
        """Waits for QEMU to exit on its own (guest poweroff/reboot); returns its status."""
        return self.process.wait(timeout=timeout)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
        return False

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    # -- QMP -----------------------------------------------------------------------------------

    def qmp(self, command, **arguments):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(self.qmp_socket_path)
            f = s.makefile("rw")
            json.loads(f.readline())  # greeting
            for cmd in ({"execute": "qmp_capabilities"},
                        {"execute": command, "arguments": arguments}):
                f.write(json.dumps(cmd) + "\n")
                f.flush()
                while True:
                    line = f.readline()
                    if not line:
                        return None  # QEMU went away (quit)
                    reply = json.loads(line)
                    if "event" not in reply:
                        break
                if "error" in reply:
                    raise GuestError(f"QMP {cmd['execute']}: {reply['error']}")
            return reply.get("return")

    # -- console -------------------------------------------------------------------------------

    @property
    def console_log(self):
        with self._cond:
            return self._console_buf.decode(errors="replace")

    def wait_for_console(self, pattern, timeout=None, start=0):
        """Waits until regex `pattern` matches the console output from offset `start`;
        returns the match."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + (timeout or self.boot_timeout)
        with self._cond:
            while True:
                m = regex.search(self._console_buf, start)
                if m:
                    return m
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise GuestError(f"QEMU exited while waiting for {pattern!r}; "
                                     f"console:\n{self.console_log_tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise GuestError(f"timed out waiting for {pattern!r}; "
                                     f"console:\n{self.console_log_tail()}")
                self._cond.wait(min(left, 0.5))

    def console_log_tail(self, size=4000):
        return self._console_buf[-size:].decode(errors="replace")

    def console_write(self, text):
        self._console.sendall(text.encode())

    def console_run(self, command, timeout=60):
        """Runs a shell command on the console (needs vmsilo.shell=1 and a prompt) and returns
        (exit status, output). The markers are split in the command so the tty's echo of the
        command line never matches them."""
        self._marker += 1
        n = self._marker
        with self._cond:
            start = len(self._console_buf)
        self.console_write(f"echo __VMG_BEGIN\"\"_{n}; {command}; echo __VMG_END\"\"_{n} $?\n")
        begin = self.wait_for_console(rf"__VMG_BEGIN_{n}\r?\n", timeout, start)
        end = self.wait_for_console(rf"__VMG_END_{n} (\d+)", timeout, begin.end())
        output = self._console_buf[begin.end():end.start()].decode(errors="replace")
        return int(end.group(1)), output.replace("\r\n", "\n")

    # -- agent port ----------------------------------------------------------------------------

    def agent_read(self, size, timeout=None):
        """Reads exactly size bytes from the agent port."""
        if not self._agent:
            raise GuestError("agent port not connected (connect_agent=False)")
        deadline = time.monotonic() + (timeout or self.boot_timeout)
        data = bytearray()
        while len(data) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestError(f"timed out after {len(data)}/{size} agent bytes; "
                                 f"console:\n{self.console_log_tail()}")
            self._agent.settimeout(left)
            try:
                chunk = self._agent.recv(size - len(data))
            except socket.timeout:
                continue
            if not chunk:
                raise GuestError("agent port closed")
            data += chunk
        return bytes(data)

    def agent_write(self, data):
        self._agent.sendall(data)
