# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for qemu-system-x86_64 that vmsilod launches like the real one: it answers QMP on
the plan's qmp chardev fd and runs the real vmsilo-agent on the host over the plan's agent
chardev fd, with the plan's kernel command line (plus $FAKE_QEMU_EXTRA_CMDLINE) as the agent's
--kernel-cmdline and $FAKE_QEMU_FORWARD_DIR/<vm name> as its --forward-dir. No guest boots, so
the daemon's agent-channel code is tested in seconds; the VMM runs as the configured user, as
QEMU would.

With $FAKE_QEMU_HOSTILE naming this VM, no agent runs: this script plays a hostile guest on the
channel instead (HELLO with GUEST_FORWARD, then $FAKE_QEMU_HOSTILE_OPENS guest OPENs of
FORWARD 'wayland', kept open) and writes how the host answered to <forward dir>/answers.json.

With $FAKE_QEMU_AGENT_HANDOFF, the agent chardev fd goes to whoever listens on that unix socket
path (see hand_off_agent)."""
import ctypes
import json
import os
import socket
import subprocess
import sys
import threading


def chardev_fds(argv):
    fds = {}
    for i, a in enumerate(argv[:-1]):
        if a == "-chardev":
            fields = dict(f.split("=", 1) for f in argv[i + 1].split(",")[1:] if "=" in f)
            if "fd" in fields:
                fds[fields["id"]] = int(fields["fd"])
    return fds


def serve_qmp(sock, children):
    sock.sendall(b'{"QMP": {"version": {}, "capabilities": []}}\r\n')
    buf, decoder = "", json.JSONDecoder()
    while chunk := sock.recv(65536):
        buf += chunk.decode()
        while buf.strip():
            try:
                cmd, end = decoder.raw_decode(buf.lstrip())
            except json.JSONDecodeError:
                break
            buf = buf.lstrip()[end:]
            reply = {"return": {}}
            if "id" in cmd:
                reply["id"] = cmd["id"]
            sock.sendall(json.dumps(reply).encode() + b"\r\n")
            if cmd.get("execute") == "quit":
                break
    for c in children:
        c.kill()
    os._exit(0)


def hostile_guest(fd, forward_dir):
    import struct
    sock = socket.socket(fileno=fd)
    header = struct.Struct("<IHHI")

    def send(ftype, stream, payload):
        sock.sendall(header.pack(len(payload), ftype, 0, stream) + payload)

    buf = b""

    def recv_frame():
        nonlocal buf
        while True:
            if len(buf) >= 12:
                size, ftype, _, stream = header.unpack_from(buf)
                if len(buf) >= 12 + size:
                    payload, buf = buf[12:12 + size], buf[12 + size:]
                    return ftype, stream, payload
            chunk = sock.recv(65536)
            if not chunk:
                sys.exit(0)
            buf += chunk

    send(0x1, 0, struct.pack("<HHIQ", 1, 0, 0, 1))  # HELLO, GUEST_FORWARD
    while recv_frame()[0] != 0x1:
        pass
    n = int(os.environ["FAKE_QEMU_HOSTILE_OPENS"])
    service = b"wayland"
    for i in range(1, n + 1):
        send(0x10, 0x80000000 | i, struct.pack("<IIHHI", 2, 65536, 6, 0, len(service)) + service)
    answers = {}
    while len(answers) < n:
        ftype, stream, payload = recv_frame()
        if ftype == 0x11:
            answers[stream] = 0
        elif ftype == 0x12:
            answers[stream] = struct.unpack_from("<i", payload)[0]
    with open(os.path.join(forward_dir, "answers.json.tmp"), "w") as f:
        json.dump(sorted(answers.values()), f)
    os.rename(os.path.join(forward_dir, "answers.json.tmp"),
              os.path.join(forward_dir, "answers.json"))
    while recv_frame():
        pass


def sound_device(argv):
    """With the plan's sound arguments, the real QEMU's sound part: a paused QEMU (no guest)
    with the plan's -audiodev, -display and sound devices, on the plan's VM bus."""
    if "-audiodev" not in argv:
        return None
    args = []
    for i, a in enumerate(argv[:-1]):
        if a in ("-audiodev", "-display") or (
                a == "-device" and argv[i + 1].split(",")[0] in (
                    "intel-hda", "hda-output", "hda-duplex")):
            args += [a, argv[i + 1]]
    libc = ctypes.CDLL(None, use_errno=True)
    return subprocess.Popen(
        ["/usr/bin/qemu-system-x86_64", "-M", "microvm,pcie=on", "-accel", "tcg", "-nodefaults",
         "-no-user-config", "-S", *args],
        stdout=subprocess.DEVNULL, preexec_fn=lambda: libc.prctl(1, 9))


def hand_off_agent(path, fd):
    """Passes the agent chardev fd to the process listening on path and holds the VMM up
    until it hangs up: bench/run's path stage runs the agent there, as root, since the VMM
    user cannot switch users to exec anything (setgroups needs CAP_SETGID)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        socket.send_fds(s, [b"agent"], [fd])
        os.close(fd)
        s.recv(1)
    sys.exit(0)


def main():
    argv = sys.argv[1:]
    name = argv[argv.index("-name") + 1]
    fds = chardev_fds(argv)
    forward_dir = os.path.join(os.environ["FAKE_QEMU_FORWARD_DIR"], name)
    os.makedirs(forward_dir, exist_ok=True)
    cmdline = os.path.join(forward_dir, "cmdline")
    with open(cmdline, "w") as f:
        f.write(argv[argv.index("-append") + 1] + " " + os.environ.get("FAKE_QEMU_EXTRA_CMDLINE", ""))
    children = []
    qmp = socket.socket(fileno=fds["qmp"])
    threading.Thread(target=serve_qmp, args=(qmp, children), daemon=True).start()
    if os.environ.get("FAKE_QEMU_HOSTILE") == name:
        hostile_guest(fds["agent"], forward_dir)
        sys.exit(0)
    handoff = os.environ.get("FAKE_QEMU_AGENT_HANDOFF")
    if handoff:
        hand_off_agent(handoff, fds["agent"])
    libc = ctypes.CDLL(None, use_errno=True)
    # The VMM sandbox mounts everything but the VMM binary noexec: run the agent from a memfd.
    image = os.memfd_create("vmsilo-agent", 0)
    with open(os.environ["FAKE_QEMU_AGENT"], "rb") as f:
        os.write(image, f.read())
    agent = subprocess.Popen(
        [f"/proc/self/fd/{image}", "--fd", str(fds["agent"]), "--kernel-cmdline", cmdline,
         "--forward-dir", forward_dir, "--no-cgroup", "--env-file", "/dev/null",
         "--log-level", "debug"],
        pass_fds=[fds["agent"], image], preexec_fn=lambda: libc.prctl(1, 9))  # PR_SET_PDEATHSIG
    children.append(agent)
    sound = sound_device(argv)
    if sound:
        children.append(sound)
    os.close(fds["agent"])
    sys.exit(agent.wait())


if __name__ == "__main__":
    main()
