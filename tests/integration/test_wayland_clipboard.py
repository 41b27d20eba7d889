# SPDX-License-Identifier: LGPL-2.1-or-later
"""Clipboard isolation through vmsilo-wayland against sway headless, without VMs: two fences,
VM 'gui' and VM 'b', each with a wl-test-client that sets or watches the selection, and
wl-clipboard on the host (docs/graphics.md "Clipboard")."""
import json
import os
import signal
import socket
import subprocess

import pytest

from clipboard_session import NotifyBus, clipboard_request
from daemon import build_dir, wait_for
from test_wayland_fence import Desktop, desktop_fixture


@pytest.fixture(scope="module")
def desktop():
    yield from desktop_fixture(Desktop, tools=("sway", "wl-copy", "wl-paste", "wtype"))


@pytest.fixture(scope="module")
def fence_b(desktop):
    socket = desktop.run / "b-wayland"
    # b's copy key is configured: Alt+K is taken from its windows, Ctrl+Shift+C is not
    desktop.fence(socket, "wayland-1", "proxy-b.log", "b", "--copy-key", "alt+k")
    return socket


@pytest.fixture(scope="module")
def keyboard(desktop):
    """A keyboard on sway for the whole module (headless has none): a wtype that sleeps before
    its one key. Clients then bind wl_keyboard at start, and get wl_keyboard.enter (with the
    serial set_selection wants) as soon as their window has the focus."""
    desktop.spawn(["wtype", "-s", "3600000", "x"], "wtype.log",
                  WAYLAND_DISPLAY="wayland-1")

    def keyboards():
        inputs = host(desktop, "swaymsg", "-s", desktop.swaysock, "-t", "get_inputs", "-r",
                      capture_output=True, check=True).stdout
        return [i for i in json.loads(inputs) if i.get("type") == "keyboard"]
    wait_for(keyboards, what="wtype's keyboard on sway")


def host(desktop, *argv, **kwargs):
    """wl-clipboard as the sway user, a client of sway itself (the host's clipboard)."""
    return subprocess.run(argv, user=desktop.user.pw_uid, group=desktop.user.pw_gid,
                          extra_groups=[], env={**desktop.env, "WAYLAND_DISPLAY": "wayland-1"},
                          cwd=desktop.dir, timeout=10, **kwargs)


def host_selection(desktop):
    r = host(desktop, "wl-paste", "--no-newline", capture_output=True)
    return r.stdout if r.returncode == 0 else None


def type_keys(desktop, *argv):
    """wtype: typing into the focused window."""
    host(desktop, "wtype", *argv, check=True, capture_output=True)


def roundtrip(proc, log):
    """Returns once the client has processed every event sent before now."""
    before = log.read_text().count("roundtrip")
    proc.send_signal(signal.SIGUSR1)
    wait_for(lambda: log.read_text().count("roundtrip") > before, what="a roundtrip")


def offers(log):
    return [line for line in log.read_text().splitlines() if line.startswith("selection offer")]


def test_a_vms_selection_reaches_neither_the_host_nor_another_vm(desktop, keyboard, fence_b):
    # the host's clipboard works, and starts with something of its own
    host(desktop, "wl-copy", "host-text", stdin=subprocess.DEVNULL,
         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wait_for(lambda: host_selection(desktop) == b"host-text", what="the host's selection")

    a, a_log = desktop.client("clip-a", "--set-selection", "secret of a")
    desktop.view("clip-a")
    # a had the keyboard and asked with the enter's serial: the request was made
    wait_for(lambda: "selection set" in a_log.read_text(), what="a's set_selection")
    roundtrip(a, a_log)
    assert host_selection(desktop) == b"host-text"
    assert "selection served" not in a_log.read_text()

    b, b_log = desktop.client("clip-b", "--title", "b", display=fence_b, vm="b")
    desktop.view("clip-b", vm="b")
    type_keys(desktop, "x")
    wait_for(lambda: "key x pressed" in b_log.read_text(), what="b's keyboard focus")
    # b has the focus now: sway sends it the current selection, which the fence drops
    host(desktop, "wl-copy", "host-again", stdin=subprocess.DEVNULL,
         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wait_for(lambda: host_selection(desktop) == b"host-again", what="the host's new selection")
    roundtrip(b, b_log)
    roundtrip(a, a_log)
    assert offers(a_log) == [] and offers(b_log) == []
    assert "selection served" not in a_log.read_text()


def chord(*mods_and_key):
    """wtype's arguments for modifiers held around one key: chord("ctrl", "shift", "c")."""
    *mods, key = mods_and_key
    return ([a for m in mods for a in ("-M", m)] + [key] +
            [a for m in reversed(mods) for a in ("-m", m)])


def keys_seen(desktop, name, vm, display, *chords):
    """The keys a new client of vm, given the focus, sees pressed and released between an x
    and a y typed around chords (each a list of wtype arguments): their names."""
    proc, log = desktop.client(name, "--title", name, display=display, vm=vm)
    desktop.view(name, vm=vm)
    type_keys(desktop, "x")
    wait_for(lambda: "key x released" in log.read_text(), what=f"{name}'s keyboard focus")
    for argv in chords:
        type_keys(desktop, *argv)
    type_keys(desktop, "y")
    wait_for(lambda: "key y released" in log.read_text(), what=f"{name}'s last key")
    roundtrip(proc, log)
    seen = [line.split() for line in log.read_text().splitlines() if line.startswith("key ")]
    assert seen[:2] == [["key", "x", "pressed"], ["key", "x", "released"]]
    assert seen[-2:] == [["key", "y", "pressed"], ["key", "y", "released"]]
    between = seen[2:-2]
    # every key between came as a press and its release
    assert [s[2] for s in between] == ["pressed", "released"] * (len(between) // 2)
    return [s[1] for s in between[::2]]


def test_the_clipboard_keys_never_reach_the_vm(desktop, keyboard, fence_b):
    # wtype's keymap has c and v on one level: with Shift they are still c and v
    assert keys_seen(desktop, "keys-a", "gui", None, chord("ctrl", "shift", "c"),
                     chord("ctrl", "shift", "v"),
                     chord("ctrl", "c")) == ["c"]  # the guest's own Ctrl+C is its own
    log = desktop.proxy_log.read_text()
    assert "the copy key in a window of VM gui" in log
    assert "the paste key in a window of VM gui" in log

    assert keys_seen(desktop, "keys-b", "b", fence_b, chord("alt", "k"),
                     chord("ctrl", "shift", "c")) == ["c"]
    assert "the copy key in a window of VM b" in (desktop.dir / "proxy-b.log").read_text()


# The global clipboard: vmsilo-clipboard as the sway user, its socket in the user's runtime dir,
# with a session bus there and a notification daemon on it.


@pytest.fixture(scope="module")
def notify_bus(desktop):
    bus = NotifyBus(desktop.user, desktop.run, desktop.dir)
    yield bus
    bus.stop()


@pytest.fixture(scope="module")
def clipboard(desktop, notify_bus):
    sock = desktop.run / "vmsilo" / "clipboard.sock"
    proc = desktop.spawn([str(build_dir() / "src/clipboard/vmsilo-clipboard")], "clipboard.log",
                         ASAN_OPTIONS="detect_leaks=1",
                         UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    wait_for(sock.exists, what="vmsilo-clipboard's socket")
    yield sock
    # SIGTERM ends it cleanly (ASan builds: without a leak or sanitizer report)
    assert proc.poll() is None, "vmsilo-clipboard died"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0, (desktop.dir / "clipboard.log").read_text()


def request(desktop, sock, data):
    """One raw request as the user (what a fence sends); returns the reply."""
    return clipboard_request(desktop.user, sock, data, env=desktop.env, cwd=desktop.dir)


def vmsilo_clipboard(desktop, *args):
    return host(desktop, str(build_dir() / "src/cli/vmsilo"), "clipboard", *args,
                capture_output=True, text=True)


def assert_hung_up(path, data):
    """A request from root (another uid than the socket's owner, past the file mode) is
    closed without an answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(path))
    s.settimeout(5)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        assert s.recv(100) == b""
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.close()


def test_the_clipboard_socket_is_the_users_alone(desktop, clipboard):
    assert oct(clipboard.parent.stat().st_mode & 0o777) == "0o700"
    assert oct(clipboard.stat().st_mode & 0o777) == "0o600"
    assert clipboard.stat().st_uid == desktop.user.pw_uid
    # another uid (root here, past the file mode) is hung up on without an answer
    assert_hung_up(clipboard, b"status\n")


def test_a_copy_is_pasted_once_and_only_text_is_taken(desktop, clipboard):
    assert request(desktop, clipboard, b"copy gui\nsecret of gui") == b"ok 13 gui\n"
    assert vmsilo_clipboard(desktop, "status").stdout == "13 bytes from gui\n"
    assert request(desktop, clipboard, b"paste b\n") == b"ok 13 gui\nsecret of gui"
    assert request(desktop, clipboard, b"paste b\n") == b"empty\n"

    assert request(desktop, clipboard, b"copy gui\nkept") == b"ok 4 gui\n"
    two_mib = b"copy gui\n" + b"a" * (2 * 1024 * 1024)
    assert request(desktop, clipboard, two_mib) == b"error too large\n"
    assert request(desktop, clipboard, b"copy gui\n\x89PNG\r\n\x1a\n\xff") == \
        b"error not UTF-8 text\n"
    assert request(desktop, clipboard, b"copy gui\na\0b") == b"error not UTF-8 text\n"
    assert request(desktop, clipboard, b"copy ../x\nx") == b"error invalid request\n"
    # refusals leave the contents as they were
    assert vmsilo_clipboard(desktop, "status").stdout == "4 bytes from gui\n"
    assert vmsilo_clipboard(desktop, "clear").stdout == "empty\n"
    assert request(desktop, clipboard, b"paste b\n") == b"empty\n"


def test_to_host_and_from_host_go_through_the_compositor(desktop, clipboard):
    assert request(desktop, clipboard, "copy gui\nfrom the VM ✓".encode()) == b"ok 15 gui\n"
    r = vmsilo_clipboard(desktop, "to-host")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: host_selection(desktop) == "from the VM ✓".encode(), what="wl-paste")
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"
    r = vmsilo_clipboard(desktop, "to-host")
    assert r.returncode == 1 and "empty" in r.stderr

    host(desktop, "wl-copy", "host text", stdin=subprocess.DEVNULL,
         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wait_for(lambda: host_selection(desktop) == b"host text", what="the host's selection")
    r = vmsilo_clipboard(desktop, "from-host")
    assert r.returncode == 0, r.stderr
    assert vmsilo_clipboard(desktop, "status").stdout == "9 bytes from host\n"
    assert request(desktop, clipboard, b"paste b\n") == b"ok 9 host\nhost text"


def test_the_copy_key_copies_the_vms_selection(desktop, keyboard, clipboard, notify_bus):
    vmsilo_clipboard(desktop, "clear")
    display = desktop.run / "c-wayland"
    desktop.fence(display, "wayland-1", "proxy-c.log", "c", "--clipboard", str(clipboard))
    c, c_log = desktop.client("copy-c", "--title", "copy-c", "--set-selection", "secret of c",
                              display=display, vm="c")
    desktop.view("copy-c", vm="c")
    wait_for(lambda: "selection set" in c_log.read_text(), what="c's set_selection")
    roundtrip(c, c_log)
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"  # not without the key

    before = len(notify_bus.notices())
    type_keys(desktop, *chord("ctrl", "shift", "c"))
    wait_for(lambda: vmsilo_clipboard(desktop, "status").stdout == "11 bytes from c\n",
             what="the copy in vmsilo-clipboard")
    assert "selection served" in c_log.read_text()
    # the fence logs once vmsilo-clipboard answered, which may be after the status above
    wait_for(lambda: "Copied 11 bytes from VM c to the global clipboard." in
             (desktop.dir / "proxy-c.log").read_text(), what="the fence's log line")
    # one notification, naming the fence's VM (its --vm) and the size, never the text
    assert notify_bus.new_notices(before, 1) == \
        [["vmsilo", "edit-copy", "Copied from [c]", "11 bytes", "0", "-1"]]
    assert request(desktop, clipboard, b"paste b\n") == b"ok 11 c\nsecret of c"
    assert notify_bus.new_notices(before + 1, 1) == \
        [["vmsilo", "edit-paste", "Pasted to [b]", "11 bytes from [c]", "0", "-1"]]
    assert "secret" not in notify_bus.notices_file.read_text()


def focus(desktop, name, vm):
    host(desktop, "swaymsg", "-s", desktop.swaysock, f'[app_id="^vmsilo-{vm}\\.{name}$"] focus',
         check=True, capture_output=True)


def reads(log):
    return [line for line in log.read_text().splitlines() if line.startswith("selection read")]


def test_copy_in_one_vm_and_paste_once_in_another(desktop, keyboard, clipboard):
    vmsilo_clipboard(desktop, "clear")
    pa, pb = desktop.run / "pa-wayland", desktop.run / "pb-wayland"
    desktop.fence(pa, "wayland-1", "proxy-pa.log", "pa", "--clipboard", str(clipboard))
    desktop.fence(pb, "wayland-1", "proxy-pb.log", "pb", "--clipboard", str(clipboard))
    pb_log = desktop.dir / "proxy-pb.log"
    got = desktop.dir / "paste-b.txt"
    got.touch()
    os.chown(got, desktop.user.pw_uid, desktop.user.pw_gid)
    b, b_log = desktop.client("paste-b", "--title", "paste-b", "--read-selection", str(got),
                              display=pb, vm="pb")
    desktop.view("paste-b", vm="pb")
    text = "the text of pa ✓ \u202e"
    a, a_log = desktop.client("copy-a", "--title", "copy-a", "--set-selection", text,
                              display=pa, vm="pa")
    desktop.view("copy-a", vm="pa")
    wait_for(lambda: "selection set" in a_log.read_text(), what="a's set_selection")

    # without the keys: b hears of nothing, the host's clipboard is not a's
    focus(desktop, "paste-b", "pb")
    type_keys(desktop, "x")
    wait_for(lambda: "key x released" in b_log.read_text(), what="b's keyboard focus")
    roundtrip(b, b_log)
    assert offers(b_log) == []
    assert host_selection(desktop) != text.encode()
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"

    # Ctrl+Shift+C in a, then Ctrl+Shift+V in b: b's selection is exactly a's text
    focus(desktop, "copy-a", "pa")
    type_keys(desktop, "x")
    wait_for(lambda: "key x released" in a_log.read_text(), what="a's keyboard focus")
    type_keys(desktop, *chord("ctrl", "shift", "c"))
    size = len(text.encode())
    wait_for(lambda: vmsilo_clipboard(desktop, "status").stdout == f"{size} bytes from pa\n",
             what="the copy in vmsilo-clipboard")
    focus(desktop, "paste-b", "pb")
    type_keys(desktop, *chord("ctrl", "shift", "v"))
    wait_for(lambda: reads(b_log), what="b's read of the pasted selection")
    assert reads(b_log) == [f"selection read {size}"]
    assert offers(b_log) == ["selection offer text/plain;charset=utf-8"]
    assert got.read_bytes() == text.encode()
    assert f"Pasted {size} bytes from pa into VM pb." in pb_log.read_text()
    # paste once: the global clipboard is empty, a second paste offers nothing
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"
    type_keys(desktop, *chord("ctrl", "shift", "v"))
    wait_for(lambda: "the global clipboard is empty" in pb_log.read_text(),
             what="the second paste")
    roundtrip(b, b_log)
    assert reads(b_log) == [f"selection read {size}"]
    # the keys reached neither VM, and the host's clipboard never held the text
    assert not [k for k in ("c", "v") if f"key {k} pressed" in a_log.read_text() + b_log.read_text()]
    assert host_selection(desktop) != text.encode()

    # a new paste is a new offer (b destroys the old one, whose id the fence then reuses)
    assert request(desktop, clipboard, b"copy pa\nsecond") == b"ok 6 pa\n"
    type_keys(desktop, *chord("ctrl", "shift", "v"))
    wait_for(lambda: len(reads(b_log)) == 2, what="b's second read")
    assert got.read_bytes() == b"second"
    assert desktop.cuts() == [] and "cut:" not in pb_log.read_text()


def copy_key_in_new_client(desktop, name, fence, vm, *selection):
    """A new client of vm's fence sets the selection as selection says, gets the focus, and the
    copy key is pressed in it; returns its log."""
    c, c_log = desktop.client(name, "--title", name, "--set-selection", *selection,
                              display=fence, vm=vm)
    desktop.view(name, vm=vm)
    wait_for(lambda: "selection set" in c_log.read_text(), what=f"{name}'s set_selection")
    type_keys(desktop, "x")
    wait_for(lambda: "key x released" in c_log.read_text(), what=f"{name}'s keyboard focus")
    type_keys(desktop, *chord("ctrl", "shift", "c"))
    return c_log


def test_the_copy_key_refuses_binary_and_oversized_selections(desktop, keyboard, clipboard):
    vmsilo_clipboard(desktop, "clear")
    pc = desktop.run / "pc-wayland"
    desktop.fence(pc, "wayland-1", "proxy-pc.log", "pc", "--clipboard", str(clipboard))
    log = desktop.dir / "proxy-pc.log"
    copy_key_in_new_client(desktop, "bin-c", pc, "pc", b"\x89PNG\r\n\x1a\n\xff")
    wait_for(lambda: "vmsilo-clipboard refused the selection of VM pc: not UTF-8 text" in
             log.read_text(), what="the refusal of binary text")
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"

    # 2 MiB: refused whole, never truncated
    copy_key_in_new_client(desktop, "big-c", pc, "pc", "ab", "--repeat", str(1024 * 1024))
    wait_for(lambda: "the selection of VM pc was not copied: it is larger than 1 MiB" in
             log.read_text(), what="the refusal of 2 MiB")
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"

    # exactly 1 MiB is taken
    copy_key_in_new_client(desktop, "mib-c", pc, "pc", "ab", "--repeat", str(512 * 1024))
    wait_for(lambda: vmsilo_clipboard(desktop, "status").stdout == "1048576 bytes from pc\n",
             what="1 MiB copied")

    # a thousand made-up types before the text ones: the text is still what is taken
    vmsilo_clipboard(desktop, "clear")
    copy_key_in_new_client(desktop, "spam-c", pc, "pc", "plain text", "--spam-types", "1000")
    wait_for(lambda: vmsilo_clipboard(desktop, "status").stdout == "10 bytes from pc\n",
             what="the text type among the spam")
    assert desktop.cuts() == [] and "cut:" not in log.read_text()


def test_scripts_copy_from_one_vm_and_paste_to_another(desktop, keyboard, clipboard):
    vmsilo_clipboard(desktop, "clear")
    qa, qb = desktop.run / "qa-wayland", desktop.run / "qb-wayland"
    qa_control, qb_control = desktop.run / "qa-control.sock", desktop.run / "qb-control.sock"
    desktop.fence(qa, "wayland-1", "proxy-qa.log", "qa", "--clipboard", str(clipboard),
                  "--control", str(qa_control))
    desktop.fence(qb, "wayland-1", "proxy-qb.log", "qb", "--clipboard", str(clipboard),
                  "--control", str(qb_control))
    assert oct(qa_control.stat().st_mode & 0o777) == "0o600"
    got = desktop.dir / "script-b.txt"
    got.touch()
    os.chown(got, desktop.user.pw_uid, desktop.user.pw_gid)

    # no program of qb has had the focus yet: nothing to paste to
    r = vmsilo_clipboard(desktop, "--control", str(qb_control), "paste-to", "qb")
    assert r.returncode == 1 and "no program of VM qb has had the keyboard focus" in r.stderr
    b, b_log = desktop.client("script-b", "--title", "script-b", "--read-selection", str(got),
                              display=qb, vm="qb")
    desktop.view("script-b", vm="qb")
    a, a_log = desktop.client("script-a", "--title", "script-a", "--set-selection",
                              "from a script", display=qa, vm="qa")
    desktop.view("script-a", vm="qa")
    wait_for(lambda: "selection set" in a_log.read_text(), what="a's set_selection")

    r = vmsilo_clipboard(desktop, "--control", str(qa_control), "copy-from", "qa")
    assert (r.returncode, r.stdout) == (0, "13 bytes from qa\n"), r.stderr
    assert vmsilo_clipboard(desktop, "status").stdout == "13 bytes from qa\n"
    # b is not focused now, but its program had the focus last of qb's
    r = vmsilo_clipboard(desktop, "--control", str(qb_control), "paste-to", "qb")
    assert (r.returncode, r.stdout) == (0, "13 bytes offered to qb\n"), r.stderr
    wait_for(lambda: reads(b_log), what="b's read of the pasted selection")
    assert got.read_bytes() == b"from a script"
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"
    r = vmsilo_clipboard(desktop, "--control", str(qb_control), "paste-to", "qb")
    assert r.returncode == 1 and "The global clipboard is empty." in r.stderr
    roundtrip(b, b_log)
    assert len(reads(b_log)) == 1

    # only the user: another uid is hung up on unanswered
    assert_hung_up(qa_control, b"copy\n")
    assert request(desktop, qa_control, b"bogus\n") == b"error invalid request\n"
    assert vmsilo_clipboard(desktop, "status").stdout == "empty\n"
