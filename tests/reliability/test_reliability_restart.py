# SPDX-License-Identifier: LGPL-2.1-or-later
"""Reliability on daemons of their own: vmsilod killed with sessions open and restarted, and a
runtime dir on a full file system."""
import os
import signal
import subprocess
import time

import pytest

from daemon import Daemon, binary, public_dir, vm
from sessions import children_of, pid_alive, process_snapshot, wait_until


def test_killed_vmsilod_takes_its_vmms_along_and_a_restart_serves_again(tmp_path, state_dir):
    d = Daemon(tmp_path, state_dir, [vm("one")]).start(timeout=600)
    try:
        sessions = [subprocess.Popen([binary("vmsilo"), "run", "-T", name, "sleep", "600"],
                                     env=d.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    for name in ("one", "one")]
        assert wait_until(lambda: d.status("one")["sessions"] == 2,
                          timeout=300, interval=0.5), d.output()[-2000:]
        vmms = [d.status("one")["pid"]]
        vmms += [p for p in children_of(d.proc.pid) if p not in vmms]
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        # PR_SET_PDEATHSIG: every VMM of that daemon dies with it, nothing is orphaned.
        assert wait_until(lambda: not any(pid_alive(p) for p in vmms), timeout=10), \
            [p for p in vmms if pid_alive(p)]
        for s in sessions:
            _, err = s.communicate(timeout=30)
            assert s.returncode == 125, err
        # The same runtime dir, a new daemon: it replaces the stale sockets and serves.
        d.log.close()
        os.unlink(d.runtime / "control.socket")
        d.start(timeout=120)
        assert wait_until(lambda: d.control({"method": "status"}).get("ok"), timeout=30)
        assert d.status("one")["state"] == "stopped"
        r = d.run("one", "echo", "again", timeout=300)
        assert (r.returncode, r.stdout) == (0, b"again\n"), (r.stderr, d.output()[-2000:])
    finally:
        assert d.stop() == 0, d.output()


@pytest.fixture
def small_tmpfs():
    mnt = public_dir("vmsilo-tiny-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(mnt)],
                   check=True)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)
    mnt.rmdir()


def fill(path):
    """Fills the file system under path; returns the filler file."""
    filler = path / "filler"
    try:
        with open(filler, "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:
        pass
    return filler


def test_runtime_dir_on_a_full_file_system_fails_runs_cleanly_and_recovers(tmp_path, state_dir,
                                                                          small_tmpfs):
    d = Daemon(tmp_path, state_dir, [vm("tight")])
    d.runtime = small_tmpfs
    d.env["VMSILO_RUNTIME_DIR"] = str(small_tmpfs)
    d.start(timeout=600)
    try:
        filler = fill(small_tmpfs)
        r = d.run("tight", "echo", "full", timeout=300)
        # Either the VM starts anyway (sockets need no data blocks) or the run fails with
        # vmsilo's status and a reason; the daemon lives on and answers.
        assert r.returncode in (0, 125), r
        if r.returncode == 0:
            assert r.stdout == b"full\n"
        else:
            assert r.stderr, r
        assert d.proc.poll() is None, d.output()[-2000:]
        assert d.control({"method": "status"})["ok"]
        filler.unlink(missing_ok=True)
        sockets = {p.name for p in small_tmpfs.iterdir()}
        assert "control.socket" in sockets and "tight-command.socket" in sockets, sockets
        r = d.run("tight", "echo", "room", timeout=300)
        assert (r.returncode, r.stdout) == (0, b"room\n"), (r.stderr, d.output()[-2000:])
        snap = process_snapshot(d.proc.pid)
        assert snap["threads"] == 1
    finally:
        assert d.stop() == 0, d.output()
