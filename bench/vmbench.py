# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmbench.py: the measurements behind bench/run. Each function times one thing and returns
seconds (or bytes); bench/run pairs them into ratios measured side by side in one run.

Baselines talk to the agent directly: a VmGuest (tests/integration/vmguest.py) boots the same
kernel + initramfs as the daemon's VM, with the agent port as a unix socket, and this module
speaks the channel protocol to it (tests/integration/vmsilo_proto.py)."""
import os
import socket
import statistics
import struct
import subprocess
import threading
import time

import vmsilo_proto as P
from daemon import binary
from vmguest import VmGuest

CHUNK = P.PAYLOAD_MAX - 1  # data bytes per DATA frame


def median(xs):
    return statistics.median(xs)


def qemu_cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [a.decode() for a in f.read().split(b"\0") if a]


def option(argv, name):
    for i, a in enumerate(argv[:-1]):
        if a == name:
            return argv[i + 1]
    return None


def guest_like(daemon_qemu_argv, kernel, initrd):
    """A VmGuest booting kernel+initrd like the daemon's VMM does: same -m, -smp, -cpu and
    kernel parameters (vmguest adds console=hvc0 and tsc_early_khz itself)."""
    append = option(daemon_qemu_argv, "-append") or ""
    params = [p for p in append.split() if not p.startswith(("console=", "tsc_early_khz="))]
    extra = []
    for name in ("-cpu", "-smp"):
        value = option(daemon_qemu_argv, name)
        if value:
            extra += [name, value]
    memory = int(option(daemon_qemu_argv, "-m") or 256)
    return VmGuest(kernel, initrd, append=" ".join(params), extra_args=extra, memory_mib=memory,
                   connect_agent=True)


def read_frame(sock_file):
    header = sock_file.read(P.HEADER.size)
    if len(header) < P.HEADER.size:
        raise EOFError("channel closed")
    size, ftype, _flags, stream = P.HEADER.unpack(header)
    payload = sock_file.read(size) if size else b""
    return ftype, stream, payload


class Channel:
    """The host end of an agent channel (or of a daemon command socket, where vmsilod plays the
    agent). HELLO is exchanged on construction."""

    def __init__(self, sock, timeout=120):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.rfile = sock.makefile("rb", buffering=1 << 17)
        self.send_lock = threading.Lock()
        self.send(P.hello())
        while True:
            ftype, _stream, _payload = read_frame(self.rfile)
            if ftype == P.HELLO:
                break
        self.next_stream = 1

    def send(self, raw):
        with self.send_lock:
            self.sock.sendall(raw)

    def ping(self, payload=b"x"):
        self.send(P.frame(P.PING, 0, payload))
        while True:
            ftype, _stream, got = read_frame(self.rfile)
            if ftype == P.PONG:
                return got

    def exec(self, argv, stdin_bytes=0, window=4 * 1024 * 1024, user=None):
        """Runs argv (as user: the OPEN's user field), feeding stdin_bytes zero bytes,
        discarding output; returns (exit code, stdout bytes). stdin is written by a thread so
        both directions flow at once."""
        sid = self.next_stream
        self.next_stream += 1
        self.send(P.open_exec(sid, argv, window=window, user=user))
        send_window = [0]
        cond = threading.Condition()
        out_bytes = 0
        code = None
        sender = None
        block = P.data(sid, 0, bytes(CHUNK))

        def feed():
            left = stdin_bytes
            while left > 0:
                with cond:
                    while send_window[0] <= 0:
                        cond.wait()
                    n = min(left, CHUNK, send_window[0])
                    send_window[0] -= n
                self.send(block if n == CHUNK else P.data(sid, 0, bytes(n)))
                left -= n
            self.send(P.eof(sid, 0))

        while True:
            ftype, stream, payload = read_frame(self.rfile)
            if stream != sid:
                continue
            if ftype == P.ACCEPT:
                (send_window[0],) = struct.unpack_from("<I", payload)
                sender = threading.Thread(target=feed, daemon=True)
                sender.start()
            elif ftype == P.CREDIT:
                with cond:
                    send_window[0] += struct.unpack_from("<I", payload)[0]
                    cond.notify()
            elif ftype == P.DATA:
                out_bytes += len(payload) - 1
                self.send(P.credit(sid, len(payload) - 1))
            elif ftype == P.EXIT:
                code = struct.unpack_from("<i", payload, 4)[0]
            elif ftype == P.REJECT:
                raise RuntimeError(f"REJECT {payload!r}")
            elif ftype == P.CLOSE:
                self.send(P.close(sid))
                if sender:
                    sender.join(timeout=10)
                return code, out_bytes

    def close(self):
        self.rfile.close()
        self.sock.close()


def host_agent(argv, log_path, fd=None):
    """A vmsilo-agent on the host (argv: its path and options, without the transport) with
    --fd, as fake_qemu.py runs the fake VMM's: over fd, or else over a new socketpair, whose
    Channel it returns. (Popen, Channel or None)."""
    ours = None
    if fd is None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        fd = theirs.detach()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(argv[:1] + ["--fd", str(fd)] + argv[1:], pass_fds=[fd],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                env={"PATH": "/usr/bin:/bin"})
    os.close(fd)
    return proc, Channel(ours) if ours else None


def command_socket_channel(daemon, vm):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(daemon.runtime / f"{vm}-command.socket"))
    return Channel(s)


def time_it(fn, *args, **kwargs):
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t0


def vm_run(daemon, vm, *argv, stdin=subprocess.DEVNULL, check=True, client=None, user=None):
    """client: another vmsilo binary to run instead of the build's (bench/run --compare-cli).
    user: vm-run's -u."""
    options = ["-u", user] if user else []
    r = subprocess.run([client or binary("vmsilo"), "run", "-T", *options, vm, *argv],
                       env=daemon.env,
                       stdin=stdin,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    if check and r.returncode != 0:
        raise RuntimeError(f"vm-run {vm} {argv} failed ({r.returncode}): {r.stderr!r}")
    return r.returncode


def pipe_cat(argv, env, nbytes):
    """head -c N /dev/zero | ARGV (a remote `cat`) | wc -c: N bytes in and N bytes out."""
    feeder = subprocess.Popen(["head", "-c", str(nbytes), "/dev/zero"], stdout=subprocess.PIPE)
    counter = subprocess.Popen(["wc", "-c"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    run = subprocess.Popen(argv, env=env, stdin=feeder.stdout, stdout=counter.stdin,
                           stderr=subprocess.PIPE)
    feeder.stdout.close()
    counter.stdin.close()
    _, err = run.communicate(timeout=1800)
    feeder.wait()
    out = int(counter.stdout.read().split()[0])
    counter.wait()
    if run.returncode != 0 or out != nbytes:
        raise RuntimeError(f"{argv[0]} cat: status {run.returncode}, {out}/{nbytes} bytes: "
                           f"{err!r}")


def vm_run_cat(daemon, vm, nbytes):
    pipe_cat([binary("vmsilo"), "run", "-T", vm, "cat"], daemon.env, nbytes)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def qemu_overhead_kib(pid, guest_mib):
    """QEMU's resident memory outside the guest-RAM mapping (the anonymous mapping of exactly
    the guest's size), in KiB."""
    total = 0
    current_is_ram = False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and len(parts) >= 5 and ":" not in parts[0]:
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                current_is_ram = (hi - lo) == guest_mib * 1024 * 1024
            elif parts[0] == "Rss:" and not current_is_ram:
                total += int(parts[1])
    return total


def machine():
    info = {"cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["kernel"] = os.uname().release
    info["load_avg_at_start"] = os.getloadavg()[0]
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True)
    info["qemu"] = qemu.stdout.splitlines()[0] if qemu.returncode == 0 else "unknown"
    info["accel"] = "kvm" if os.environ.get("VMSILO_ACCEL") == "kvm" else "tcg"
    return info


def is_sound_option(option, value):
    """The VM's sound card talks to its per-VM D-Bus (docs/sound.md), which a bare QEMU cannot
    reach; a guest exec does not use it."""
    return (option == "-audiodev" or (option == "-display" and value.startswith("dbus"))
            or (option == "-device" and value.startswith(("intel-hda", "hda-"))))


class BareVm:
    """The daemon's own QEMU command line run directly (no vmsilod, no CLI): the fd-passed
    chardevs become unix sockets in workdir. The console is left unconnected (QEMU drops its
    output). The timing baseline for everything vmsilo adds."""

    def __init__(self, daemon_qemu_argv, workdir):
        self.workdir = workdir
        self.agent_path = os.path.join(workdir, "agent.sock")
        argv = []
        skip = False
        for a, value in zip(daemon_qemu_argv, daemon_qemu_argv[1:] + [""]):
            if skip or is_sound_option(a, value):
                skip = not skip  # drop the option and its value
                continue
            if a.startswith("socket,id=") and ",fd=" in a:
                ident = a.split(",")[1].split("=")[1]
                a = f"socket,id={ident},path={os.path.join(workdir, ident + '.sock')}," \
                    "server=on,wait=off"
            argv.append(a)
        self.argv = argv
        self.proc = None
        self.started_at = None
        self.channel = None

    def boot(self, timeout=300):
        """Spawns QEMU and waits for the agent's first bytes on the port (its HELLO); returns
        seconds from spawn to those bytes."""
        for name in os.listdir(self.workdir):
            if name.endswith(".sock"):
                os.unlink(os.path.join(self.workdir, name))
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.agent_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("bare QEMU did not come up")
                time.sleep(0.002)
        s.settimeout(timeout)
        first = s.recv(1, socket.MSG_PEEK)
        elapsed = time.perf_counter() - self.started_at
        if not first:
            raise RuntimeError("agent port closed before HELLO")
        self.channel = Channel(s)
        return elapsed

    def stop(self):
        if self.channel:
            self.channel.close()
            self.channel = None
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
