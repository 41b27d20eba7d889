# SPDX-License-Identifier: LGPL-2.1-or-later
"""Root never follows the user's links into a share, and shares nothing that neither root nor
the configured user owns (src/basic/safe-open.c, src/daemon/shares.c). No VM boots: each start
is refused while it is being prepared."""
import os

import pytest

from daemon import FAKE_BOOT_FILES, Daemon, ensure_test_user, fake_boot_vm, scratch_dir


@pytest.fixture
def files():
    with scratch_dir("daemonfs-roots-", FAKE_BOOT_FILES) as d:
        yield d


def start_and_fail(tmp_path, files, vms, name):
    d = Daemon(tmp_path, files / "state", vms)
    (files / "state").mkdir(exist_ok=True)
    d.start()
    try:
        assert d.control({"method": "start", "vm": name, "wait": False})["ok"]
        d.wait_state(name, "failed", timeout=30)
        return d.status(name)["reason"], d.output()
    finally:
        assert d.stop() == 0, d.output()


def test_a_shared_home_behind_a_users_link_creates_nothing_where_it_points(tmp_path, files):
    user = ensure_test_user()
    mine = files / "mine"
    mine.mkdir()
    os.chown(mine, user.pw_uid, user.pw_gid)
    secret = files / "secret"
    secret.mkdir(mode=0o700)
    # The user swapped the parent of the configured home for a link to a root-only dir.
    (mine / "vms").symlink_to(secret)
    home = mine / "vms" / "homevm"
    vms = [fake_boot_vm(files, "homevm", sharedHome=str(home))]
    reason, log = start_and_fail(tmp_path, files, vms, "homevm")
    assert list(secret.iterdir()) == [], log
    assert "symbolic link" in log and str(mine / "vms") in log, log
    assert "cannot prepare" in reason


def test_a_share_root_of_another_user_is_refused(tmp_path, files):
    other = files / "other"
    other.mkdir()
    os.chown(other, 4242, 4242)
    reason, log = start_and_fail(tmp_path, files, [fake_boot_vm(
        files, "sharevm", sharedDirectories=[{"path": str(other), "tag": "t"}])], "sharevm")
    assert f"'{other}' belongs to uid 4242" in log, log
    assert "cannot prepare" in reason


def test_a_share_root_reached_through_a_link_is_refused(tmp_path, files):
    """The link is an ancestor: O_NOFOLLOW on the last component alone would follow it."""
    user = ensure_test_user()
    real = files / "real" / "data"
    real.mkdir(parents=True)
    os.chown(real, user.pw_uid, user.pw_gid)
    (files / "link").symlink_to(real.parent)
    reason, log = start_and_fail(tmp_path, files, [fake_boot_vm(
        files, "sharevm", sharedDirectories=[{"path": str(files / "link" / "data"), "tag": "t",
                                              "uid": 1000, "gid": 1000}])], "sharevm")
    assert "symbolic link" in log, log
    assert os.listxattr(real) == []
