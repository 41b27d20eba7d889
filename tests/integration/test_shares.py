# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared home, shared directories and additional disks on real QEMU guests (TCG), through a real
vmsilod: the home persists and is seeded from the template once, a shared directory has the
right owners on both sides, a disk carries its serial, block size and read-only flag, and the
keys QEMU cannot honour are refused before anything starts."""
import os
import shutil

import pytest

from daemon import Daemon, ensure_test_user, public_dir, vm

GUEST_UID = 1000


@pytest.fixture(scope="module")
def user():
    return ensure_test_user()


@pytest.fixture(scope="module")
def state_dir(user):
    # The default image is built by the first daemon into this dir; the VMM runs as the test
    # user, so it must be readable by it.
    d = public_dir("vmsilo-state-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def template(state_dir):
    t = state_dir / "home-template"
    (t / ".config" / "app").mkdir(parents=True)
    (t / ".profile").write_text("template v1\n")
    (t / ".config" / "app" / "settings").write_text("colour=blue\n")
    (t / "bin").mkdir()
    (t / "bin" / "hello").write_text("#!/bin/sh\necho hello from the template\n")
    (t / "bin" / "hello").chmod(0o755)
    # Copied as a link, never followed: the home must not get the host's shadow file.
    (t / "shadow").symlink_to("/etc/shadow")
    os.mkfifo(t / "fifo")
    for path in [t] + list(t.rglob("*")):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
    return t


@pytest.fixture(scope="module")
def host(tmp_path_factory, user):
    """World-traversable host dirs for the shares and disks."""
    base = public_dir("vmsilo-shares-")
    data = base / "data"
    data.mkdir()
    (data / "from-host").write_text("made on the host\n")
    os.chown(data, user.pw_uid, user.pw_gid)
    (data / "from-host").chmod(0o644)
    readonly = base / "readonly"
    readonly.mkdir()
    (readonly / "notice").write_text("read only\n")
    os.chown(readonly, user.pw_uid, user.pw_gid)
    existing = base / "existing-home"
    existing.mkdir(mode=0o700)
    (existing / "old").write_text("made before vmsilo\n")
    for path in (existing, existing / "old"):
        os.chown(path, user.pw_uid, user.pw_gid)
    for name, size in (("scratch.img", 4 << 20), ("big-blocks.img", 4 << 20),
                       ("trim.img", 4 << 20)):
        with open(base / name, "wb") as f:
            f.truncate(size)
        os.chown(base / name, user.pw_uid, user.pw_gid)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory, state_dir, template, host, user):
    ids = f"{GUEST_UID} {user.pw_uid} 1", f"{GUEST_UID} {user.pw_gid} 1"
    vms = [
        vm("homevm", sharedHome=str(host / "shared" / "homevm")),
        vm("oldhome", sharedHome=str(host / "existing-home")),
        vm("sharevm",
           sharedDirectories=[
               {"path": str(host / "data"), "tag": "data", "uid": GUEST_UID, "gid": GUEST_UID,
                "uidmap": ids[0], "gidmap": ids[1]},
               {"path": str(host / "readonly"), "tag": "ro.files", "readonly": True},
               # Not safe as a path component: the guest's /init leaves it alone.
               {"path": str(host / "readonly"), "tag": "odd:tag", "readonly": True},
           ],
           additionalDisks=[
               {"path": str(host / "scratch.img"), "id": "scratch", "ro": True},
               {"path": str(host / "big-blocks.img"), "id": "big", "block-size": 4096,
                "direct": True, "sparse": False},
               {"path": str(host / "trim.img"), "id": "trim"},
           ]),
    ]
    d = Daemon(tmp_path_factory.mktemp("daemon"), state_dir, vms).start()
    yield d
    assert d.stop() == 0, d.output()


def guest(daemon, name, script, user=None):
    args = ["run", "-T"] + (["-u", user] if user else []) + [name, "sh", "-c", script]
    r = daemon.cli(*args, timeout=300)
    assert r.returncode == 0, (r.stdout, r.stderr, daemon.output())
    return r.stdout.decode()


def stop(daemon, name):
    reply = daemon.control({"method": "stop", "vm": name})
    assert reply["ok"], reply
    daemon.wait_state(name, "stopped", timeout=120)


def owner(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid


def test_home_is_seeded_from_the_template(daemon, host, user):
    out = guest(daemon, "homevm",
                "cd /home/user && cat .profile .config/app/settings && bin/hello && "
                "readlink shadow && echo $(ls -A | sort) && "
                "stat -c '%u:%g %a' . .profile .config bin/hello")
    home = host / "shared" / "homevm"
    assert out.splitlines() == [
        "template v1", "colour=blue", "hello from the template", "/etc/shadow",
        ".config .profile bin shadow",
        "1000:1000 700", "1000:1000 644", "1000:1000 755", "1000:1000 755"]
    # On the host everything is the configured user's; the FIFO was not copied.
    for path in [home] + list(home.rglob("*")):
        assert owner(path) == (user.pw_uid, user.pw_gid), path
    # QEMU's mapped-xattr 9p server reads links in its own form: a file holding the target.
    assert not (home / "shadow").is_symlink()
    assert (home / "shadow").read_text() == "/etc/shadow"
    assert not (home / "fifo").exists()
    assert not [p for p in home.parent.iterdir() if p.name.startswith(".homevm.tmp-")]


def test_home_file_persists_across_restart_and_is_on_the_host(daemon, host, user):
    out = guest(daemon, "homevm",
                "echo kept > /home/user/note && stat -c '%u:%g' /home/user/note")
    assert out == "1000:1000\n"
    note = host / "shared" / "homevm" / "note"
    assert note.read_text() == "kept\n"
    assert owner(note) == (user.pw_uid, user.pw_gid)

    stop(daemon, "homevm")
    assert guest(daemon, "homevm", "cat /home/user/note") == "kept\n"


def test_changed_template_never_overwrites_an_existing_home(daemon, template):
    stop(daemon, "homevm")
    (template / ".profile").write_text("template v2\n")
    (template / "added-later").write_text("new\n")
    out = guest(daemon, "homevm", "cat /home/user/.profile; ls /home/user/added-later 2>&1 || :")
    assert out.startswith("template v1\n"), out
    assert "No such file" in out, out


def test_shared_directory_has_the_guest_user_inside_and_the_vmsilo_user_outside(daemon, host,
                                                                                 user):
    out = guest(daemon, "sharevm",
                "cd /mnt/data && cat from-host && stat -c '%u:%g' . && "
                "mkdir made && echo guest > made/file && stat -c '%u:%g' made made/file && "
                "id -u")
    assert out.splitlines() == ["made on the host", "1000:1000", "1000:1000", "1000:1000",
                                "1000"]
    assert (host / "data" / "made" / "file").read_text() == "guest\n"
    assert owner(host / "data" / "made") == (user.pw_uid, user.pw_gid)
    assert owner(host / "data" / "made" / "file") == (user.pw_uid, user.pw_gid)


def test_existing_home_is_used_as_it_is_with_its_root_given_to_the_guest_user(daemon, host,
                                                                             user):
    out = guest(daemon, "oldhome",
                "cd /home/user && cat old && stat -c '%u:%g' . old && echo new > new && ls")
    # The root is the guest user's (vmsilod marks it at every start); a file made on the host
    # shows its host owner: the documented cost of mapped-xattr.
    assert out.splitlines() == ["made before vmsilo", "1000:1000", f"{user.pw_uid}:{user.pw_gid}",
                                "new", "old"]
    assert (host / "existing-home" / "new").read_text() == "new\n"


def test_only_safe_tags_are_mounted_under_mnt(daemon):
    assert guest(daemon, "sharevm", "ls /mnt") == "data\nro.files\n"


def test_read_only_shared_directory_refuses_writes(daemon, host):
    out = guest(daemon, "sharevm",
                "cat /mnt/ro.files/notice; touch /mnt/ro.files/x 2>&1 && echo wrote || "
                "echo refused", user="root")
    assert out.splitlines()[0] == "read only"
    assert out.splitlines()[-1] == "refused", out
    assert not (host / "readonly" / "x").exists()


def find_disk(daemon, serial):
    out = guest(daemon, "sharevm",
                f"for d in /sys/block/vd*; do if [ \"$(cat $d/serial)\" = {serial} ]; then "
                "echo ${d##*/}; fi; done")
    names = out.split()
    assert len(names) == 1, out
    return names[0]


def test_read_only_disk_has_its_serial_and_refuses_writes(daemon):
    dev = find_disk(daemon, "scratch")
    out = guest(daemon, "sharevm",
                f"cat /sys/block/{dev}/ro; "
                f"echo x | dd of=/dev/{dev} bs=512 count=1 conv=fsync 2>&1 && echo wrote || "
                "echo refused", user="root")
    lines = out.splitlines()
    assert lines[0] == "1" and lines[-1] == "refused", out


def test_writable_disk_has_its_serial_block_size_and_takes_writes(daemon, host):
    dev = find_disk(daemon, "big")
    out = guest(daemon, "sharevm",
                f"cat /sys/block/{dev}/ro /sys/block/{dev}/queue/logical_block_size; "
                f"printf 'disk-data' | dd of=/dev/{dev} bs=4096 conv=sync,fsync 2>/dev/null "
                "&& echo wrote", user="root")
    assert out.splitlines() == ["0", "4096", "wrote"]
    assert (host / "big-blocks.img").read_bytes()[:9] == b"disk-data"


@pytest.mark.parametrize("serial,image,sparse", [
    ("trim", "trim.img", True),
    ("big", "big-blocks.img", False),
], ids=["sparse-default", "sparse-false"])
def test_sparse_disk_passes_discards_to_the_image(daemon, host, serial, image, sparse):
    dev = find_disk(daemon, serial)
    guest(daemon, "sharevm",
          f"dd if=/dev/urandom of=/dev/{dev} bs=64k count=16 conv=fsync 2>/dev/null", user="root")
    written = os.stat(host / image).st_blocks
    assert written >= 2048, written
    guest(daemon, "sharevm", f"blkdiscard /dev/{dev} 2>/dev/null; sync; true", user="root")
    left = os.stat(host / image).st_blocks
    if sparse:
        assert left < written // 2, (written, left)
    else:
        assert left >= written, (written, left)


@pytest.mark.parametrize("share,disk,message", [
    ({"uidmap": "0 0 65535"}, None,
     "nixosVms[0].sharedDirectories[0].uidmap: qemu's 9p server runs as the configured user "
     "and cannot map a range of 65535 ids"),
    ({"cache": "always"}, None,
     "nixosVms[0].sharedDirectories[0].cache: 'cache' is a crosvm shared-directory option "
     "with no qemu (9p) equivalent"),
    ({"uidmap": "1000 0 1"}, None,
     "nixosVms[0].sharedDirectories[0].uidmap: maps guest id 1000 to host uid 0, but qemu's "
     "9p server runs as the configured user"),
    (None, {"vhost": True},
     "nixosVms[0].additionalDisks[0].vhost: 'vhost' is a crosvm disk option with no qemu "
     "equivalent"),
], ids=["uidmap-range", "virtiofs-cache", "uidmap-other-host-user", "disk-key"])
def test_unsupported_keys_are_refused_before_anything_starts(tmp_path, state_dir, host, share,
                                                             disk, message):
    options = {}
    if share is not None:
        options["sharedDirectories"] = [dict(path=str(host / "data"), tag="t", **share)]
    if disk is not None:
        options["additionalDisks"] = [dict(path=str(host / "scratch.img"), **disk)]
    d = Daemon(tmp_path, state_dir, [vm("bad", autoStart=True, **options)])
    with pytest.raises(RuntimeError) as e:
        d.start()
    assert message in str(e.value)
    assert "nothing was started" in str(e.value)
    assert d.proc.wait() != 0
    d.log.close()
    assert not (d.runtime / "control.socket").exists()
