# SPDX-License-Identifier: LGPL-2.1-or-later
"""vmsilo_proto.py: a minimal Python speaker of the host<->guest protocol (docs/protocol.md), for
tests that need to send raw, possibly hostile, frames to the agent."""
import socket
import struct

HEADER = struct.Struct("<IHHI")
PAYLOAD_MAX = 65536

HELLO, PING, PONG, STATUS, POWER = 0x1, 0x2, 0x3, 0x4, 0x5
OPEN, ACCEPT, REJECT, DATA, EOF, CREDIT, SIGNAL, RESIZE, EXIT, CLOSE = range(0x10, 0x1A)
KIND_EXEC, KIND_FORWARD = 1, 2
TAG_ARG, TAG_ENV, TAG_CWD, TAG_USER, TAG_PTY, TAG_SERVICE = range(1, 7)


def frame(ftype, stream, payload=b"", size=None):
    return HEADER.pack(len(payload) if size is None else size, ftype, 0, stream) + payload


CAP_GUEST_FORWARD = 1 << 0
GUEST_BIT = 0x80000000


def hello(caps=0):
    return frame(HELLO, 0, struct.pack("<HHIQ", 1, 0, 0, caps))


def tlv(tag, value):
    if isinstance(value, str):
        value = value.encode()
    return struct.pack("<HHI", tag, 0, len(value)) + value


def open_exec(stream, argv, window=256 * 1024, env=(), user=None, cwd=None, pty=None):
    body = struct.pack("<II", KIND_EXEC, window)
    body += b"".join(tlv(TAG_ARG, a) for a in argv)
    body += b"".join(tlv(TAG_ENV, e) for e in env)
    if cwd is not None:
        body += tlv(TAG_CWD, cwd)
    if user is not None:
        body += tlv(TAG_USER, user)
    if pty is not None:
        rows, cols, term = pty
        body += tlv(TAG_PTY, struct.pack("<HH", rows, cols) + term.encode())
    return frame(OPEN, stream, body)


def data(stream, fd, payload):
    return frame(DATA, stream, bytes([fd]) + payload)


def eof(stream, fd):
    return frame(EOF, stream, bytes([fd]))


def credit(stream, increment):
    return frame(CREDIT, stream, struct.pack("<I", increment))


def close(stream, error=0):
    return frame(CLOSE, stream, struct.pack("<i", error))


class Peer:
    """The host end of a socketpair connected to an agent. Collects frames per stream."""

    def __init__(self, sock, timeout=20):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.buf = b""

    def send(self, raw):
        self.sock.sendall(raw)

    def recv_frame(self):
        """Returns (type, stream, payload) or None at EOF."""
        while True:
            if len(self.buf) >= HEADER.size:
                size, ftype, _flags, stream = HEADER.unpack_from(self.buf)
                assert size <= PAYLOAD_MAX, "agent sent an oversized frame"
                if len(self.buf) >= HEADER.size + size:
                    payload = self.buf[HEADER.size:HEADER.size + size]
                    self.buf = self.buf[HEADER.size + size:]
                    return ftype, stream, payload
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                return None
            self.buf += chunk

    def wait_for(self, ftype, stream=None):
        """Reads frames until one of ftype (on stream, if given) arrives; returns its payload."""
        while True:
            f = self.recv_frame()
            if f is None:
                raise EOFError("agent closed the channel")
            if f[0] == ftype and (stream is None or f[1] == stream):
                return f[2]

    def run(self, stream, argv, stdin=b"", **kwargs):
        """Runs argv on stream to completion; returns (stdout, stderr, (how, code)) or
        ("REJECT", error, message)."""
        self.send(open_exec(stream, argv, **kwargs))
        out = {1: b"", 2: b""}
        while True:
            f = self.recv_frame()
            if f is None:
                raise EOFError("agent closed the channel")
            ftype, sid, payload = f
            if sid != stream:
                continue
            if ftype == ACCEPT:
                # Fits the agent's window (256 KiB) in one go: tests keep stdin smaller.
                for i in range(0, len(stdin), 65535):
                    self.send(data(stream, 0, stdin[i:i + 65535]))
                self.send(eof(stream, 0))
            elif ftype == REJECT:
                (error,) = struct.unpack_from("<i", payload)
                return "REJECT", error, payload[4:].decode(errors="replace")
            elif ftype == DATA:
                out[payload[0]] += payload[1:]
                self.send(credit(stream, len(payload) - 1))
            elif ftype == EXIT:
                how, _core, _res, code = struct.unpack("<BBHi", payload[:8])
                result = (how, code)
            elif ftype == CLOSE:
                self.send(close(stream))
                return out[1], out[2], result


def socketpair():
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
