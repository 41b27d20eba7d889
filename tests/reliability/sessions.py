# SPDX-License-Identifier: LGPL-2.1-or-later
"""sessions.py: what the reliability tests need beyond tests/integration/daemon.py: one exec
session over a fresh connection to <vm>-command.socket (what `vm-run` does, minus the process),
process accounting for vmsilod, and guest-side helpers."""
import hashlib
import os
import socket
import struct
import threading
import time

import vmsilo_proto as P

# A subshell, so that `FIND_AGENT_PID + " | xargs kill"` pipes all of its output.
FIND_AGENT_PID = ("(for f in /proc/[0-9]*/status; do grep -qx 'Name:.vmsilo-agent' $f && "
                  "{ d=${f%/status}; echo ${d#/proc/}; }; done; true)")


def _read_frame(rfile):
    header = rfile.read(P.HEADER.size)
    if len(header) < P.HEADER.size:
        raise EOFError("channel closed")
    size, ftype, _flags, stream = P.HEADER.unpack(header)
    return ftype, stream, rfile.read(size) if size else b""


def run_session(daemon, vm, argv, stdin=b"", timeout=120):
    """Runs argv in vm over one command-socket connection; returns (exit code, stdout, stderr).
    stdin is written by a thread while output is read, honouring the granted window."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(daemon.runtime / f"{vm}-command.socket"))
        rfile = s.makefile("rb")
        lock = threading.Lock()
        cond = threading.Condition()
        window = [0]
        out = {1: bytearray(), 2: bytearray()}
        code = None

        def send(raw):
            with lock:
                s.sendall(raw)

        def feed():
            view = memoryview(stdin)
            while view:
                with cond:
                    while window[0] <= 0:
                        if not cond.wait(timeout):
                            return
                    n = min(len(view), 65535, window[0])
                    window[0] -= n
                send(P.data(1, 0, bytes(view[:n])))
                view = view[n:]
            send(P.eof(1, 0))

        send(P.hello())
        send(P.open_exec(1, argv, window=1 << 20))
        feeder = None
        try:
            while True:
                ftype, sid, payload = _read_frame(rfile)
                if sid != 1:
                    continue
                if ftype == P.ACCEPT:
                    window[0] = struct.unpack_from("<I", payload)[0]
                    feeder = threading.Thread(target=feed, daemon=True)
                    feeder.start()
                elif ftype == P.CREDIT:
                    with cond:
                        window[0] += struct.unpack_from("<I", payload)[0]
                        cond.notify()
                elif ftype == P.DATA:
                    out[payload[0]] += payload[1:]
                    send(P.credit(1, len(payload) - 1))
                elif ftype == P.EXIT:
                    code = struct.unpack_from("<i", payload, 4)[0]
                elif ftype == P.REJECT:
                    raise RuntimeError(f"REJECT: {payload!r}")
                elif ftype == P.CLOSE:
                    send(P.close(1))
                    return code, bytes(out[1]), bytes(out[2])
        finally:
            with cond:
                window[0] = 1 << 30
                cond.notify()
            rfile.close()


def sha(data):
    return hashlib.sha256(data).hexdigest()


def process_snapshot(pid):
    """vmsilod's open fds, threads, children and VmRSS (KiB)."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.split()
    return {"fds": fds, "threads": int(status["Threads"][0]), "children": len(children_of(pid)),
            "rss_kib": int(status["VmRSS"][0])}


def children_of(pid):
    """The pids whose parent is pid."""
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


def pid_alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def guest_root(daemon, vm, script, timeout=60):
    """Runs a shell script as root in the guest through the CLI; returns the CompletedProcess."""
    return daemon.cli("run", "-T", "-u", "root", vm, "sh", "-c", script, timeout=timeout)
