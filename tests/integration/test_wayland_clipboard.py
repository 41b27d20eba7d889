# SPDX-License-Identifier: LGPL-2.1-or-later
"""Clipboard isolation through vmsilo-wayland against sway headless, without VMs: two fences,
VM 'gui' and VM 'b', each with a wl-test-client that sets or watches the selection, and
wl-clipboard on the host (docs/graphics.md "Clipboard")."""
import signal
import subprocess

import pytest

from daemon import wait_for
from test_wayland_fence import Desktop, desktop_fixture


@pytest.fixture(scope="module")
def desktop():
    yield from desktop_fixture(Desktop, tools=("sway", "wl-copy", "wl-paste", "wtype"))


@pytest.fixture(scope="module")
def fence_b(desktop):
    socket = desktop.run / "b-wayland"
    desktop.fence(socket, "wayland-1", "proxy-b.log", "b")
    return socket


def host(desktop, *argv, **kwargs):
    """wl-clipboard as the sway user, a client of sway itself (the host's clipboard)."""
    return subprocess.run(argv, user=desktop.user.pw_uid, group=desktop.user.pw_gid,
                          extra_groups=[], env={**desktop.env, "WAYLAND_DISPLAY": "wayland-1"},
                          cwd=desktop.dir, timeout=10, **kwargs)


def host_selection(desktop):
    r = host(desktop, "wl-paste", "--no-newline", capture_output=True)
    return r.stdout if r.returncode == 0 else None


def type_keys(desktop, *argv):
    """wtype: a virtual keyboard on sway (headless has none) typing into the focused window;
    its arrival gives that window the keyboard focus (wl_keyboard.enter)."""
    host(desktop, "wtype", *argv, check=True, capture_output=True)


def roundtrip(proc, log):
    """Returns once the client has processed every event sent before now."""
    before = log.read_text().count("roundtrip")
    proc.send_signal(signal.SIGUSR1)
    wait_for(lambda: log.read_text().count("roundtrip") > before, what="a roundtrip")


def offers(log):
    return [line for line in log.read_text().splitlines() if line.startswith("selection offer")]


def test_a_vms_selection_reaches_neither_the_host_nor_another_vm(desktop, fence_b):
    # the host's clipboard works, and starts with something of its own
    host(desktop, "wl-copy", "host-text", stdin=subprocess.DEVNULL,
         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wait_for(lambda: host_selection(desktop) == b"host-text", what="the host's selection")

    a, a_log = desktop.client("clip-a", "--set-selection", "secret of a")
    desktop.view("clip-a")
    type_keys(desktop, "x")
    # a had the keyboard and asked with the enter's serial: the request was made
    wait_for(lambda: "selection set" in a_log.read_text(), what="a's set_selection")
    roundtrip(a, a_log)
    assert host_selection(desktop) == b"host-text"
    assert "selection served" not in a_log.read_text()

    b, b_log = desktop.client("clip-b", "--title", "b", display=fence_b, vm="b")
    desktop.view("clip-b", vm="b")
    type_keys(desktop, "-s", "500", "x")  # the pause: b binds its wl_keyboard first
    wait_for(lambda: "key x pressed" in b_log.read_text(), what="b's keyboard focus")
    # b has the focus now: sway sends it the current selection, which the fence drops
    host(desktop, "wl-copy", "host-again", stdin=subprocess.DEVNULL,
         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wait_for(lambda: host_selection(desktop) == b"host-again", what="the host's new selection")
    roundtrip(b, b_log)
    roundtrip(a, a_log)
    assert offers(a_log) == [] and offers(b_log) == []
    assert "selection served" not in a_log.read_text()
