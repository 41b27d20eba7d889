#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seeds of fuzz/corpus/fuzz-tray-wire/: tray-wire messages (docs/tray.md), good
and hostile, as the guest half could send them."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz-tray-wire")


def s(text):
    b = text if isinstance(text, bytes) else text.encode()
    return struct.pack("<H", len(b)) + b


def pixmaps(*pms):
    out = struct.pack("<B", len(pms))
    for w, h, data in pms:
        out += struct.pack("<III", w, h, len(data)) + data
    return out


def menu(*nodes):
    out = struct.pack("<H", len(nodes))
    for node_id, parent, label in nodes:
        out += struct.pack("<iHBBBb", node_id, parent, 0, 3, 0, -1) + s(label)
    return out


def message(kind, key, payload=b""):
    body = struct.pack("<BI", kind, key) + payload
    return struct.pack("<I", len(body)) + body


def item(key, title, icon=(), entries=(), tooltip="tip"):
    payload = (s("id") + s("ApplicationStatus") + s(title) + s("Active") + s("") + s(tooltip)
               + b"\x02" + pixmaps(*icon) + pixmaps() + menu(*entries))
    return message(0x01, key, payload)


ROOT = 0xffff
seeds = {
    "good": item(1, "Mail", [(2, 2, b"\xff" * 16)], [(1, ROOT, "Open"), (2, ROOT, "More"),
                                                       (3, 1, "Sub")]),
    "markup-invalid-utf8": item(2, b"<b>x</b>&amp;\xff\xfe\xe2\x80\xae", tooltip="<i>t</i>"),
    "big-pixmap-header": item(3, "big", [(20000, 20000, b"\0" * 16)]),
    "deep-menu": item(4, "deep", (), [(i + 1, ROOT if i == 0 else i - 1, "d") for i in range(6)]),
    "duplicate-ids": item(5, "dup", (), [(1, ROOT, "a"), (1, ROOT, "b")]),
    "remove": message(0x02, 1),
    "actions": message(0x10, 1, struct.pack("<ii", 3, 4)) + message(0x13, 1, struct.pack("<iB", -120, 1))
    + message(0x14, 1, struct.pack("<iB", 3, 0)) + message(0x15, 1, struct.pack("<i", 2)),
    "stream": item(1, "a") + item(1, "b") + message(0x02, 1),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, "seed-" + name), "wb") as f:
        f.write(data)
