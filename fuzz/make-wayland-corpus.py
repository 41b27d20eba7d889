#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpus of fuzz/fuzz-wayland-wire.c: conversations between a client and a
compositor, as chunks of [flags u8][length u16 LE][bytes] (flags bit 7: from the compositor;
bit 6: the paste key first; bits 0-2: fds with the chunk). Also used by tests/integration/test_wayland_fence.py for the wire
bytes of its hostile clients.

fuzz/make-wayland-corpus.py [fuzz-dir]   (default: the directory of this script)
"""
import os
import struct
import sys

SERVER_ID_START = 0xFF000000


def msg(obj, opcode, *args):
    """args: int (u32), str (string), bytes (array)."""
    body = b""
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape") + b"\0"
            body += struct.pack("=I", len(a)) + a + b"\0" * (-len(a) % 4)
        elif isinstance(a, bytes):
            body += struct.pack("=I", len(a)) + a + b"\0" * (-len(a) % 4)
        else:
            body += struct.pack("=I", a & 0xFFFFFFFF)
    return struct.pack("=II", obj, (8 + len(body)) << 16 | opcode) + body


def raw_string(obj, opcode, data):
    """A string argument whose bytes are given as is (NUL included by the caller)."""
    body = struct.pack("=I", len(data)) + data + b"\0" * (-len(data) % 4)
    return struct.pack("=II", obj, (8 + len(body)) << 16 | opcode) + body


def chunk(data, events=False, fds=0, paste=False):
    out = b""
    while True:
        part, data = data[:0xFFFF], data[0xFFFF:]
        out += struct.pack("<BH", (0x80 if events else 0) | (0x40 if paste else 0) | fds,
                           len(part)) + part
        fds = paste = 0
        if not data:
            return out


# Object ids of the conversation: 2 registry, 3 compositor, 4 wm_base, 5 shm, 6 surface,
# 7 xdg_surface, 8 toplevel, 9 pool, 10 callback.
def get_registry():
    return msg(1, 1, 2)


GLOBALS = [(1, "wl_compositor", 5), (2, "zwlr_layer_shell_v1", 4), (3, "xdg_wm_base", 2),
           (4, "wl_shm", 1), (5, "zwlr_screencopy_manager_v1", 3), (6, "wl_seat", 7)]


def globals_events():
    return b"".join(msg(2, 0, n, i, v) for n, i, v in GLOBALS)


def bind(name, interface, version, new_id):
    return msg(2, 0, name, interface, version, new_id)


def toplevel():
    return (bind(1, "wl_compositor", 4, 3) + bind(3, "xdg_wm_base", 2, 4) +
            bind(4, "wl_shm", 1, 5) + msg(3, 0, 6) + msg(4, 2, 7, 6) + msg(7, 1, 8))


def session(title_request):
    return (chunk(get_registry()) + chunk(globals_events(), events=True) + chunk(toplevel()) +
            chunk(title_request))


# The frame (fuzz-wayland-wire runs with it on): the fence's own registry is the compositor's
# object 2 and binds 3-9 from it; the guest's registry 2 is the compositor's 10, its objects
# follow from 11 (compositor 11, wm_base 12, shm 13, seat 14, surface 15, xdg_surface 16,
# toplevel 17), the strips take 18-29, then pointer 30, pool 31, buffer 32.
FRAME_GLOBALS = [(1, "wl_compositor", 5), (2, "wl_subcompositor", 1), (3, "wl_shm", 1),
                 (4, "wp_viewporter", 1), (5, "zxdg_decoration_manager_v1", 1),
                 (6, "xdg_wm_base", 2), (7, "wl_seat", 7)]


def frame_session(viewporter=True):
    """Without viewporter (not announced), the fence binds one global less and each strip has a
    buffer instead of a viewport: its ids and the guest's upstream ids shift accordingly."""
    frame_globals = [g for g in FRAME_GLOBALS if viewporter or g[1] != "wp_viewporter"]
    announce = lambda registry: b"".join(msg(registry, 0, n, i, v) for n, i, v in frame_globals)
    registry = 10 if viewporter else 9
    toplevel_up = registry + 7
    strip_surface = toplevel_up + 1
    pointer_up = toplevel_up + 13 if viewporter else toplevel_up + 9
    return (chunk(announce(2), events=True) + chunk(get_registry()) +
            chunk(announce(registry), events=True) +
            chunk(bind(1, "wl_compositor", 4, 3) + bind(6, "xdg_wm_base", 2, 4) +
                  bind(3, "wl_shm", 1, 5) + bind(7, "wl_seat", 5, 6) + msg(3, 0, 7) +
                  msg(4, 2, 8, 7) + msg(8, 1, 9) + msg(8, 3, 10, 10, 200, 150) + msg(6, 0, 10) +
                  msg(7, 6)) +
            chunk(msg(5, 0, 11, 4096), fds=1) +
            chunk(msg(11, 0, 12, 0, 100, 80, 400, 1) + msg(7, 1, 12, 0, 0) + msg(7, 6)) +
            chunk(msg(toplevel_up, 0, 640, 480, b"") +
                  msg(pointer_up, 0, 5, strip_surface, 2 << 8, 30 << 8) +
                  msg(pointer_up, 3, 6, 7, 0x110, 1) + msg(pointer_up, 1, 8, strip_surface) +
                  msg(pointer_up, 0, 9, 15, 0, 0),
                  events=True) +
            chunk(msg(9, 0)) + chunk(msg(1, 1, toplevel_up) + msg(1, 1, strip_surface),
                                     events=True))


def paste_session():
    """The frame's registry is upstream 2, so the guest's 2 (registry), 3 (data device manager),
    4 (seat), 5 (data device) are upstream 3-6. The host's selection is announced (hidden), then
    the paste key offers the fence's own, which the guest reads and destroys; a receive on the
    host's offer id follows."""
    offer = SERVER_ID_START
    return (chunk(get_registry()) +
            chunk(msg(3, 0, 7, "wl_data_device_manager", 3) + msg(3, 0, 6, "wl_seat", 7),
                  events=True) +
            chunk(bind(7, "wl_data_device_manager", 3, 3) + bind(6, "wl_seat", 7, 4) +
                  msg(3, 1, 5, 4)) +
            chunk(msg(6, 0, offer) + msg(offer, 0, "text/plain") + msg(6, 5, offer),
                  events=True) +
            chunk(msg(offer, 1, "text/plain;charset=utf-8"), fds=1, paste=True) +
            chunk(msg(offer, 2)) + chunk(b"", paste=True) + chunk(msg(offer, 1, "x"), fds=1))


SEEDS = {
    "seed-paste": paste_session(),
    "seed-frame": frame_session(),
    "seed-frame-no-viewporter": frame_session(viewporter=False),
    "seed-typical": session(msg(8, 2, "hello")) + chunk(msg(5, 0, 9, 4096), fds=1) +
    chunk(msg(1, 0, 10)) + chunk(msg(10, 0, 1234) + msg(1, 1, 10), events=True) +
    chunk(msg(4, 0, 77) + msg(8, 0, 640, 480, b"\1\0\0\0") + msg(7, 0, 5), events=True) +
    chunk(msg(4, 3, 77) + msg(7, 4, 5) + msg(6, 6)),
    "seed-bind-hidden": chunk(get_registry()) + chunk(globals_events(), events=True) +
    chunk(bind(2, "zwlr_layer_shell_v1", 1, 3)),
    "seed-bind-unknown-name": chunk(get_registry()) + chunk(globals_events(), events=True) +
    chunk(bind(77, "wl_compositor", 1, 3)),
    "seed-bind-too-new": chunk(get_registry()) + chunk(globals_events(), events=True) +
    chunk(bind(1, "wl_compositor", 6, 3)),
    "seed-title-huge": session(msg(8, 2, "x" * (4096 - 13))),
    "seed-title-oversize": session(msg(8, 2, "x" * 65000)),
    "seed-title-invalid-utf8": session(raw_string(8, 2, b"a\xff\xc0\xaf\xed\xa0\x80b\0")),
    "seed-title-bidi": session(msg(8, 2, "\u202egnp.exe\u2066\u200f\x1b[2J")),
    "seed-title-no-nul": session(raw_string(8, 2, b"abcd")),
    "seed-object-flood": chunk(b"".join(msg(1, 0, i) for i in range(2, 2000))),
    "seed-fd-missing": chunk(get_registry()) + chunk(globals_events(), events=True) +
    chunk(bind(4, "wl_shm", 1, 3) + msg(3, 0, 4, 4096)),
    "seed-fds-extra": chunk(get_registry(), fds=7) + chunk(msg(1, 0, 3), fds=7),
    "seed-server-ids": chunk(msg(1, 0, SERVER_ID_START)) +
    chunk(msg(1, 1, 2) + msg(1, 0, 1, 3, "gone"), events=True),
    "seed-header-oversize": chunk(struct.pack("=II", 1, 0xFFFC << 16) + b"\0" * 100),
    "seed-unknown-object": chunk(msg(99, 0)),
    "seed-split-message": chunk(get_registry()[:5]) + chunk(get_registry()[5:]),
}


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(base, "corpus", "fuzz-wayland-wire")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
