#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpora of fuzz/fuzz-frame.c and fuzz/fuzz-mux.c (docs/protocol.md).

fuzz/make-corpus.py [fuzz-dir]   (default: the directory of this script)

Seeds are named seed-*; reproducers found by fuzzing are kept next to them under other names
(crash-*, oom-*, ...) and are never touched by this script.
"""
import os
import struct
import sys

HELLO, PING, PONG, STATUS, POWER = 1, 2, 3, 4, 5
OPEN, ACCEPT, REJECT, DATA, EOF, CREDIT, SIGNAL, RESIZE, EXIT, CLOSE = range(0x10, 0x1A)
ARG, ENV, CWD, USER, PTY, SERVICE = 1, 2, 3, 4, 5, 6
EXEC, FORWARD = 1, 2
EPROTO, ENOENT = 71, 2
GUEST = 0x80000000


def frame(ftype, stream, payload=b"", size=None):
    return struct.pack("<IHHI", len(payload) if size is None else size, ftype, 0, stream) + payload


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def tlv(tag, value):
    if isinstance(value, str):
        value = value.encode()
    return struct.pack("<HHI", tag, 0, len(value)) + value


def open_exec(window, *args, env=(), cwd=None, user=None, pty=None):
    body = u32(EXEC) + u32(window) + b"".join(tlv(ARG, a) for a in args)
    body += b"".join(tlv(ENV, e) for e in env)
    if cwd is not None:
        body += tlv(CWD, cwd)
    if user is not None:
        body += tlv(USER, user)
    if pty is not None:
        rows, cols, term = pty
        body += tlv(PTY, struct.pack("<HH", rows, cols) + term.encode())
    return body


def hello(major=1, minor=0, caps=0):
    return struct.pack("<HHIQ", major, minor, 0, caps)


def data(fd, b):
    return bytes([fd]) + b


def exit_(how, core, code):
    return struct.pack("<BBHi", how, core, 0, code)


FRAME_SEEDS = {
    "hello": frame(HELLO, 0, hello()),
    "hello-v2": frame(HELLO, 0, hello(2, 3, 0xFF)),
    "ping": frame(PING, 0, b"benchmark"),
    "status": frame(STATUS, 0, struct.pack("<IIQ", 2, 0, 123456789)),
    "power": frame(POWER, 0, u32(1)),
    "open-exec": frame(OPEN, 1, open_exec(65536, "ls", "-l", env=["A=1"], cwd="/", user="user",
                                          pty=(24, 80, "xterm"))),
    "open-forward": frame(OPEN, 2, u32(FORWARD) + u32(100) + tlv(SERVICE, "org.vmsilo.tray")),
    "hello-guest-forward": frame(HELLO, 0, hello(1, 0, 1)),
    "open-guest-forward": frame(OPEN, 0x80000001, u32(FORWARD) + u32(1 << 18)
                                + tlv(SERVICE, "wayland")),
    "open-optional-tag": frame(OPEN, 3, open_exec(0, "true") + tlv(0x8001, "x")),
    "accept": frame(ACCEPT, 1, u32(4096)),
    "reject": frame(REJECT, 1, u32(-ENOENT) + b"no such\x1b[31m program"),
    "data": frame(DATA, 1, data(1, b"hello\n")),
    "eof": frame(EOF, 1, b"\x02"),
    "credit": frame(CREDIT, 1, u32(1 << 22)),
    "signal": frame(SIGNAL, 1, u32(15)),
    "resize": frame(RESIZE, 1, struct.pack("<HH", 50, 132)),
    "exit-code": frame(EXIT, 1, exit_(0, 0, 3)),
    "exit-signal": frame(EXIT, 1, exit_(1, 1, 11)),
    "close": frame(CLOSE, 1, u32(-EPROTO)),
    # hostile
    "oversize": frame(DATA, 1, b"", size=0x10001),
    "unknown-type": frame(0x42, 1, b"x"),
    "open-truncated-tlv": frame(OPEN, 1, open_exec(0, "ls") + struct.pack("<HH", ARG, 0)),
    "open-tlv-len-huge": frame(OPEN, 1, u32(EXEC) + u32(0) + struct.pack("<HHI", ARG, 0, 0xFFFFFFF8)),
    "open-nul-in-arg": frame(OPEN, 1, u32(EXEC) + u32(0) + tlv(ARG, b"l\0s")),
    "open-no-arg": frame(OPEN, 1, u32(EXEC) + u32(0) + tlv(CWD, "/")),
    "open-many-args": frame(OPEN, 1, open_exec(0, *(["a"] * 4097))),
    "open-bad-service": frame(OPEN, 1, u32(FORWARD) + u32(0) + tlv(SERVICE, "../x")),
    "exit-bad": frame(EXIT, 1, exit_(0, 1, 300)),
}

# fuzz-mux: the harness already did HELLO and opened 1 (EXEC, accepted, send window 1000,
# receive window 1000), 2 (EXEC+PTY, accepted, send window 0, receive window 10) and
# 3 (FORWARD, waiting for ACCEPT, receive window 100). Byte 0 is the feed chunk size.
def mux(chunk, *frames):
    return bytes([chunk]) + b"".join(frames)


MUX_SEEDS = {
    "session": mux(0,
                   frame(STATUS, 0, struct.pack("<IIQ", 1, 0, 1000)),
                   frame(DATA, 1, data(1, b"out")), frame(DATA, 1, data(2, b"err")),
                   frame(CREDIT, 1, u32(100)), frame(EOF, 1, b"\x01"), frame(EOF, 1, b"\x02"),
                   frame(EXIT, 1, exit_(0, 0, 0)), frame(CLOSE, 1, u32(0))),
    "session-chunked": mux(5, frame(DATA, 2, data(1, b"pty")), frame(CREDIT, 2, u32(10)),
                           frame(ACCEPT, 3, u32(100)), frame(DATA, 3, data(0, b"tray")),
                           frame(CLOSE, 3, u32(0))),
    "reject-forward": mux(1, frame(REJECT, 3, u32(-ENOENT) + b"no service")),
    "ping": mux(0, frame(PING, 0, b"x" * 64), frame(0x8123, 7, b"optional")),
    "guest-open": mux(0, frame(OPEN, GUEST | 1, open_exec(10, "x")),
                      frame(OPEN, GUEST | 2, u32(FORWARD) + u32(0) + tlv(SERVICE, "clip")),
                      frame(DATA, GUEST | 1, data(1, b"guest data"))),
    # The harness's first HELLO offered GUEST_FORWARD: guest FORWARD opens reach the owner
    # (accepted, rejected or left pending by id % 3), then data, EOF and CLOSE on them; a guest
    # EXEC is refused by the mux. After a HELLO without the bit, guest opens are refused.
    "guest-forward": mux(0,
                         frame(OPEN, GUEST | 3, u32(FORWARD) + u32(64) + tlv(SERVICE, "wayland")),
                         frame(OPEN, GUEST | 4, u32(FORWARD) + u32(0) + tlv(SERVICE, "sound")),
                         frame(OPEN, GUEST | 6, open_exec(10, "host-shell")),
                         frame(DATA, GUEST | 3, data(0, b"wl" * 100)),
                         frame(CREDIT, GUEST | 3, u32(1000)), frame(EOF, GUEST | 3, b"\x00"),
                         frame(CLOSE, GUEST | 3, u32(0)), frame(CLOSE, GUEST | 5, u32(0))),
    "guest-forward-no-cap": mux(0, frame(HELLO, 0, hello(caps=0)),
                                frame(OPEN, GUEST | 3, u32(FORWARD) + u32(64)
                                      + tlv(SERVICE, "wayland")),
                                frame(DATA, GUEST | 3, data(0, b"x"))),
    "restart": mux(0, frame(DATA, 1, data(1, b"a")), frame(HELLO, 0, hello()),
                   frame(ACCEPT, 4, u32(10))),
    # hostile
    "data-beyond-window": mux(0, frame(DATA, 2, data(1, b"x" * 11)), frame(DATA, 1, data(1, b"ok"))),
    "credit-overflow": mux(0, frame(CREDIT, 1, u32(1 << 22)), frame(DATA, 2, data(1, b"ok"))),
    "unknown-stream": mux(0, frame(DATA, 99, data(1, b"x")), frame(CLOSE, 99, u32(0))),
    "data-after-close": mux(0, frame(CLOSE, 1, u32(0)), frame(DATA, 1, data(1, b"late"))),
    "data-after-eof": mux(0, frame(EOF, 1, b"\x01"), frame(DATA, 1, data(1, b"late"))),
    "duplicate-open": mux(0, frame(OPEN, 1, open_exec(0, "x"))),
    "bad-hello": mux(0, frame(HELLO, 0, hello(2))),
    "oversize": mux(0, frame(DATA, 1, b"", size=0xFFFFFFFF)),
    "wrong-direction": mux(0, frame(SIGNAL, 1, u32(9)), frame(DATA, 1, data(0, b"x")),
                           frame(POWER, 0, u32(1))),
}


def write(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, blob in seeds.items():
        with open(os.path.join(directory, "seed-" + name), "wb") as f:
            f.write(blob)


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(base, "corpus", "fuzz-frame"), FRAME_SEEDS)
    write(os.path.join(base, "corpus", "fuzz-mux"), MUX_SEEDS)


if __name__ == "__main__":
    main()
