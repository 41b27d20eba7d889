# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host menu entries for guest applications (docs/desktop.md): vmsilod installs what an image
build extracted into <state>/exports/share (root's, on XDG_DATA_DIRS), and removes its own
entries when the VM or the program goes away. No VM boots: the images are fake directories."""
import os
import pathlib
import shutil
import struct
import subprocess
import zlib

import pytest

from daemon import FAKE_BOOT_FILES, Daemon, build_dir, fake_boot_vm, public_dir, scratch_dir


def png(side):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\0" + b"\x00\x80\xff\xff" * side for _ in range(side))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
       b'<rect width="16" height="16" fill="#36c"/></svg>\n')


def entry(name, exec_line, extra=""):
    return f"[Desktop Entry]\nType=Application\nName={name}\nExec={exec_line}\n{extra}"


def fake_image(state, vmname, digest, apps, icons):
    """<state>/images/rootfs/<digest>/desktop/{applications,icons} and the per-VM pointer, as
    `vmsilo image build` leaves them."""
    image = state / "images" / "rootfs" / digest
    for sub, files in (("applications", apps), ("icons", icons)):
        d = image / "desktop" / sub
        d.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (d / name).write_bytes(data.encode() if isinstance(data, str) else data)
    pointers = state / "images" / "vms"
    pointers.mkdir(parents=True, exist_ok=True)
    link = pointers / vmname
    if link.is_symlink():
        link.unlink()
    # Relative, as the builder writes it: the state dir may be seen at another path (the unit's
    # sandbox test binds it at /var/lib/vmsilo).
    link.symlink_to(pathlib.Path("..") / "rootfs" / digest)
    return image


def exec_argv(value):
    """The Desktop Entry spec's Exec tokenisation (string escapes, then quoting), as a launcher
    does it; raises on anything a launcher would have to hand to a shell."""
    value = value.replace("\\\\", "\0")
    assert "\\" not in value, value
    value = value.replace("\0", "\\")
    words, word, quoted, i = [], None, False, 0
    while i < len(value):
        c = value[i]
        if quoted:
            if c == "\\":
                i += 1
                word += value[i]
            elif c == '"':
                quoted = False
            else:
                word += c
        elif c == " ":
            if word is not None:
                words.append(word)
            word = None
        elif c == '"':
            quoted, word = True, word or ""
        else:
            assert c not in "\t\n'\\><~|&;$*?#()`", value
            word = (word or "") + c
        i += 1
    assert not quoted
    if word is not None:
        words.append(word)
    for w in words:
        assert "%" not in w.replace("%%", ""), f"field code in {value!r}"
    return [w.replace("%%", "%") for w in words]


def read_entry(path):
    lines = path.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    keys = {}
    for line in lines[1:]:
        key, _, value = line.partition("=")
        assert key not in keys, f"duplicate {key} in {path}"
        keys[key] = value
    return keys


@pytest.fixture
def state():
    with scratch_dir("vmsilo-state-") as s:
        yield s


@pytest.fixture
def boot_files():
    with scratch_dir("vmsilo-boot-", FAKE_BOOT_FILES) as d:
        yield d


def start_daemon(tmp_path, state, boot_files, names):
    vms = [fake_boot_vm(boot_files, n) for n in names]
    return Daemon(tmp_path, state, vms).start()


def run_once(tmp_path, state, boot_files, names):
    tmp_path.mkdir(parents=True, exist_ok=True)
    d = start_daemon(tmp_path, state, boot_files, names)
    assert d.stop() == 0, d.output()
    return d.output()


def apps_dir(state):
    return state / "exports" / "share" / "applications"


def icons_dir(state):
    return state / "exports" / "share" / "icons" / "vmsilo"


def make_images(state):
    fake_image(state, "work", "a" * 64, {
        "org.example.Editor.desktop": entry("Editor", "editor --new", "Categories=Utility;\n"),
        "evil.desktop": entry("Evil", "rm -rf ~; x"),
        "backtick.desktop": entry("Tick", "app `id` $(id)"),
        "spoof.desktop": entry("x] [banking", "app"),
    }, {
        "org.example.Editor.png": png(32),
        "evil.png": png(16),
    })
    fake_image(state, "web", "b" * 64, {
        "browser.desktop": entry("Browser", "browser", "Terminal=false\n"),
        "term.desktop": entry("Top", "htop", "Terminal=true\n"),
    }, {
        "browser.svg": SVG,
        "term.png": b"\x89PNG\r\n\x1a\nnot really a png",
    })


def test_entries_are_installed_by_root_and_launch_through_vm_run(tmp_path, state, boot_files):
    make_images(state)
    out = run_once(tmp_path, state, boot_files, ["work", "web"])
    apps = apps_dir(state)
    names = sorted(p.name for p in apps.iterdir())
    assert names == ["vmsilo-web.browser.desktop", "vmsilo-web.term.desktop",
                     "vmsilo-work.org.example.Editor.desktop"], out

    editor = read_entry(apps / "vmsilo-work.org.example.Editor.desktop")
    assert editor["Name"] == "[work] Editor"
    argv = exec_argv(editor["Exec"])
    assert argv[0].endswith("/vm-run") and argv[0].startswith("/"), argv
    assert argv[1:] == ["work", "editor", "--new"]
    assert editor["Icon"] == str(icons_dir(state) / "work.org.example.Editor.png")
    assert editor["Categories"] == "Utility;"
    assert editor["X-Vmsilo-VM"] == "work"
    assert pathlib.Path(editor["Icon"]).read_bytes() == png(32)

    browser = read_entry(apps / "vmsilo-web.browser.desktop")
    assert exec_argv(browser["Exec"])[1:] == ["web", "browser"]
    assert "Icon" not in browser, "an SVG is rasterised at image build, never installed as is"
    term = read_entry(apps / "vmsilo-web.term.desktop")
    assert term["Terminal"] == "true"
    assert "Icon" not in term, "a fake PNG must not be offered as an icon"
    assert sorted(p.name for p in icons_dir(state).iterdir()) == ["work.org.example.Editor.png"]

    for p in list(apps.iterdir()) + list(icons_dir(state).iterdir()):
        st = p.stat()
        assert (st.st_uid, st.st_gid) == (0, 0), p
        assert st.st_mode & 0o777 == 0o644, p
    # Every level is root's and world-readable: the session reads it, only root writes it.
    for d in (state / "exports", state / "exports" / "share", apps, icons_dir(state)):
        st = d.stat()
        assert st.st_uid == 0 and st.st_mode & 0o777 == 0o755, d
    assert "refused" in out


def test_hostile_exec_lines_never_reach_the_host_menu(tmp_path, state, boot_files):
    make_images(state)
    run_once(tmp_path, state, boot_files, ["work"])
    for p in apps_dir(state).iterdir():
        text = p.read_text()
        for bad in ("rm -rf", "~", ";  x", "`", "$(", "banking"):
            assert bad not in text, (p, text)
        exec_argv(read_entry(p)["Exec"])
    assert not (icons_dir(state) / "work.evil.png").exists()


def test_entries_go_away_with_their_vm_or_program(tmp_path, state, boot_files):
    make_images(state)
    apps = apps_dir(state)
    apps.mkdir(parents=True)
    # Files an admin put there, even named like ours, are never touched.
    (apps / "vmsilo-mine.desktop").write_text(entry("Mine", "mine"))
    (apps / "other.desktop").write_text(entry("Other", "other"))
    run_once(tmp_path / "a", state, boot_files, ["work", "web"])
    assert (apps / "vmsilo-web.browser.desktop").exists()

    # VM "web" leaves the configuration; "work"'s image is rebuilt without the editor.
    shutil.rmtree(state / "images" / "rootfs" / ("a" * 64))
    fake_image(state, "work", "c" * 64, {"calc.desktop": entry("Calc", "calc")}, {})
    run_once(tmp_path / "b", state, boot_files, ["work"])
    assert sorted(p.name for p in apps.iterdir()) == [
        "other.desktop", "vmsilo-mine.desktop", "vmsilo-work.calc.desktop"]
    assert list(icons_dir(state).iterdir()) == []

    # A restart with nothing changed rewrites nothing (menus reload on every change).
    calc = apps / "vmsilo-work.calc.desktop"
    before = calc.stat().st_ino
    run_once(tmp_path / "b2", state, boot_files, ["work"])
    assert calc.stat().st_ino == before

    # No VM has entries any more: every entry of ours goes.
    run_once(tmp_path / "c", state, boot_files, [])
    assert sorted(p.name for p in apps.iterdir()) == ["other.desktop", "vmsilo-mine.desktop"]


def test_no_vm_image_can_take_another_vms_entry_name(tmp_path, state, boot_files):
    # Under "vmsilo-<vm>-<id>", VM "a"'s entry "b-c" and VM "a-b"'s entry "c" were one file.
    fake_image(state, "a", "d" * 64, {"b-c.desktop": entry("Fake", "fake")}, {"b-c.png": png(8)})
    fake_image(state, "a-b", "e" * 64, {"c.desktop": entry("Real", "real")}, {"c.png": png(16)})
    out = run_once(tmp_path, state, boot_files, ["a", "a-b"])
    apps = apps_dir(state)
    assert sorted(p.name for p in apps.iterdir()) == [
        "vmsilo-a-b.c.desktop", "vmsilo-a.b-c.desktop"], out
    real = read_entry(apps / "vmsilo-a-b.c.desktop")
    assert (real["Name"], exec_argv(real["Exec"])[1:]) == ("[a-b] Real", ["a-b", "real"])
    assert real["Icon"] == str(icons_dir(state) / "a-b.c.png")
    assert read_entry(apps / "vmsilo-a.b-c.desktop")["Name"] == "[a] Fake"
    assert sorted(p.name for p in icons_dir(state).iterdir()) == ["a-b.c.png", "a.b-c.png"]


def test_a_reload_removes_the_entries_of_a_departed_vm(tmp_path, state, boot_files):
    make_images(state)
    apps = apps_dir(state)
    d = start_daemon(tmp_path, state, boot_files, ["work", "web"])
    try:
        assert (apps / "vmsilo-web.browser.desktop").exists()
        d.write_config([fake_boot_vm(boot_files, "work")])
        r = d.reload()
        assert r.returncode == 0, r.stderr
        assert not (apps / "vmsilo-web.browser.desktop").exists()
        assert any(p.name.startswith("vmsilo-work.") for p in apps.iterdir())
    finally:
        assert d.stop() == 0, d.output()


def test_a_planted_entry_symlink_is_replaced_not_followed(tmp_path, state, boot_files):
    make_images(state)
    victim = public_dir("vmsilo-victim-") / "victim"
    victim.write_text("root's file\n")
    apps = apps_dir(state)
    apps.mkdir(parents=True)
    planted = apps / "vmsilo-work.org.example.Editor.desktop"
    planted.symlink_to(victim)

    run_once(tmp_path, state, boot_files, ["work"])
    assert victim.read_text() == "root's file\n"
    assert not planted.is_symlink()
    assert read_entry(planted)["Name"] == "[work] Editor"
    shutil.rmtree(victim.parent)


def test_a_planted_icon_dir_symlink_gets_no_writes(tmp_path, state, boot_files):
    make_images(state)
    victim_dir = public_dir("vmsilo-victim-")
    icons = icons_dir(state).parent
    icons.mkdir(parents=True)
    (icons / "vmsilo").symlink_to(victim_dir)

    out = run_once(tmp_path, state, boot_files, ["work"])
    assert list(victim_dir.iterdir()) == [], out
    assert "Menu entries were not updated" in out
    shutil.rmtree(victim_dir)


def test_no_entries_still_makes_the_exports_dir(tmp_path, state, boot_files):
    """The session's XDG_DATA_DIRS names the dir whether or not a VM has entries."""
    d = start_daemon(tmp_path, state, boot_files, ["work"])
    try:
        assert d.status("work")["state"] == "stopped"
        assert apps_dir(state).is_dir() and list(apps_dir(state).iterdir()) == []
    finally:
        assert d.stop() == 0, d.output()


def test_the_profile_snippet_puts_the_exports_on_xdg_data_dirs():
    """data/vmsilo-xdg.sh (installed in /etc/profile.d): appended once, default kept."""
    snippet = build_dir() / "data" / "vmsilo-xdg.sh"
    script = f". {snippet}; echo \"$XDG_DATA_DIRS\"; . {snippet}; echo \"$XDG_DATA_DIRS\""
    env = {"PATH": os.environ["PATH"]}
    out = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "/usr/local/share:/usr/share:/var/lib/vmsilo/exports/share", out
    assert out[1] == out[0], "sourced twice, the dir must appear once"
    env["XDG_DATA_DIRS"] = "/opt/share"
    out = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "/opt/share:/var/lib/vmsilo/exports/share", out
