# SPDX-License-Identifier: LGPL-2.1-or-later
"""A VM start's preparation (shared home copy as the user, overlay formatting) runs in a helper
child of vmsilod (src/shared/helper.c): a stopped or stuck helper never stalls the daemon, and
is killed with its process group at its deadline (--helper-timeout). No VM boots: every start
here ends before the VMM would run."""
import json
import os
import pathlib
import shutil
import signal
import time

import pytest

from daemon import (FAKE_BOOT_FILES, Daemon, ensure_test_user, fake_boot_vm, public_dir, vm,
                    scratch_dir, wait_for)

DEADLINE_S = 4


@pytest.fixture
def files():
    with scratch_dir("daemonfs-helpers-", FAKE_BOOT_FILES + ("root.img",)) as d:
        # A mkfs.ext4 that hangs: records its environment, then its pid.
        script = d / "stuck-mkfs"
        script.write_text(f"#!/bin/sh\nenv > {d}/env\necho $$ > {d}/pid\nexec sleep 600\n")
        script.chmod(0o755)
        yield d


@pytest.fixture
def state():
    with scratch_dir("daemonfs-state-") as s:
        yield s


def overlay_vm(files, name="slow"):
    return fake_boot_vm(files, name, rootDisk={"path": str(files / "root.img"), "id": "root"},
                        rootOverlay={"type": "qcow2", "size": "64M"})


def start_daemon(tmp_path, state, vms, files):
    return Daemon(tmp_path, state, vms, extra_args=[
        "--mkfs-ext4", str(files / "stuck-mkfs"), "--helper-timeout", f"{DEADLINE_S}s"]).start()


def read_pid(path):
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text else None


def is_alive(pid):
    """Running, stopped or sleeping, not gone and not a zombie."""
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def timed_status(d, name):
    t0 = time.monotonic()
    state = d.status(name)
    return state, time.monotonic() - t0


def children(pid):
    """Direct children of pid, from every thread's children list."""
    out = []
    for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return out


def test_a_stuck_overlay_tool_is_killed_at_its_deadline_while_the_daemon_answers(
        tmp_path, state, files):
    d = start_daemon(tmp_path, state, [overlay_vm(files)], files)
    try:
        t0 = time.monotonic()
        reply = d.control({"method": "start", "vm": "slow", "wait": False})
        assert reply["ok"], reply
        pid = wait_for(lambda: read_pid(files / "pid"), timeout=20, step=0.01)
        os.kill(pid, signal.SIGSTOP)
        # Meanwhile the daemon answers at once, and the VM says it is starting.
        for _ in range(5):
            status, took = timed_status(d, "slow")
            assert status["state"] == "starting" and took < 1.0, (status, took)
            time.sleep(0.3)
        d.wait_state("slow", "failed", timeout=DEADLINE_S + 10)
        elapsed = time.monotonic() - t0
        assert DEADLINE_S - 0.5 <= elapsed < DEADLINE_S + 5, elapsed
        assert f"took more than {DEADLINE_S} s" in d.status("slow")["reason"], d.status("slow")
        wait_for(lambda: not is_alive(pid), timeout=5)
        # sd-event reaped the helper: vmsilod has no zombie child.
        assert [c for c in children(d.proc.pid) if not is_alive(c)] == []
        # The tool ran by its absolute path with a clean environment: nothing of ours.
        env = (files / "env").read_text()
        assert "VMSILO_" not in env and "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n" in env, env
        assert not list((state / "overlays").glob("slow.*")), list((state / "overlays").iterdir())
    finally:
        assert d.stop() == 0, d.output()


def test_stopping_a_vm_during_its_preparation_kills_the_helper(tmp_path, state, files):
    d = start_daemon(tmp_path, state, [overlay_vm(files)], files)
    try:
        assert d.control({"method": "start", "vm": "slow", "wait": False})["ok"]
        pid = wait_for(lambda: read_pid(files / "pid"), timeout=20, step=0.01)
        reply = d.control({"method": "stop", "vm": "slow"})
        assert reply["ok"], reply
        assert d.status("slow")["state"] == "stopped"
        wait_for(lambda: not is_alive(pid), timeout=5)
    finally:
        assert d.stop() == 0, d.output()


def test_sigterm_during_a_preparation_exits_cleanly(tmp_path, state, files):
    d = start_daemon(tmp_path, state, [overlay_vm(files)], files)
    assert d.control({"method": "start", "vm": "slow", "wait": False})["ok"]
    pid = wait_for(lambda: read_pid(files / "pid"), timeout=20, step=0.01)
    t0 = time.monotonic()
    assert d.stop(timeout=10) == 0, d.output()
    assert time.monotonic() - t0 < 5
    wait_for(lambda: not is_alive(pid), timeout=5)


def test_the_user_stopping_the_home_copy_cannot_stall_the_daemon(tmp_path, state, files):
    """The template copy runs as the configured user, who may SIGSTOP it: the daemon goes on
    answering and the copy dies at the deadline, leaving no home behind."""
    user = ensure_test_user()
    template = state / "home-template"
    # Big enough that the copy is still running when the test looks for it.
    for i in range(40):
        sub = template / f"d{i}"
        sub.mkdir(parents=True)
        for j in range(100):
            (sub / f"f{j}").write_bytes(b"x" * 512)
    shared = public_dir("daemonfs-shared-")
    home = shared / "homevm"
    d = start_daemon(tmp_path, state, [fake_boot_vm(files, "homevm", sharedHome=str(home))],
                     files)
    try:
        assert d.control({"method": "start", "vm": "homevm", "wait": False})["ok"]

        def user_child():
            # vmsilod -> helper (root) -> copy (the user)
            for helper in children(d.proc.pid):
                for c in children(helper):
                    try:
                        if os.stat(f"/proc/{c}").st_uid == user.pw_uid:
                            os.kill(c, signal.SIGSTOP)
                            return c
                    except (FileNotFoundError, ProcessLookupError):
                        pass
            return None
        copier = wait_for(user_child, timeout=10, step=0.01)
        status, took = timed_status(d, "homevm")
        assert status["state"] == "starting" and took < 1.0, (status, took)
        d.wait_state("homevm", "failed", timeout=DEADLINE_S + 10)
        assert "took more than" in d.status("homevm")["reason"]
        wait_for(lambda: not is_alive(copier), timeout=5)
        assert not home.exists()
    finally:
        assert d.stop() == 0, d.output()
        shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture
def builder(files):
    """A stand-in image builder: records its arguments and pid, then waits until the test writes
    the exit status it is to end with into `go`."""
    script = files / "slow-builder"
    script.write_text(f"#!/bin/sh\necho \"$*\" > {files}/args\necho $$ > {files}/pid\n"
                      f"while [ ! -e {files}/go ]; do sleep 0.05; done\n"
                      f"exit \"$(cat {files}/go)\"\n")
    script.chmod(0o755)
    return script


def start_building_daemon(tmp_path, state, builder):
    """A VM booting the default image, so vmsilod builds it: through the stand-in builder."""
    return Daemon(tmp_path, state, [vm("plain")],
                  extra_args=["--image-builder", str(builder)]).start(timeout=20)


def test_the_default_image_builds_in_the_background_while_the_daemon_answers(
        tmp_path, state, files, builder):
    d = start_building_daemon(tmp_path, state, builder)
    try:
        pid = wait_for(lambda: read_pid(files / "pid"), timeout=20, step=0.01)
        assert (files / "args").read_text() == f"build --state-dir {state}\n"
        os.kill(pid, signal.SIGSTOP)
        status, took = timed_status(d, "plain")
        assert status["state"] == "stopped" and took < 1.0, (status, took)
        # A VM booting the image waits for it, "starting", and the daemon still answers.
        assert d.control({"method": "start", "vm": "plain", "wait": False})["ok"]
        for _ in range(3):
            status, took = timed_status(d, "plain")
            assert status["state"] == "starting" and took < 1.0, (status, took)
            time.sleep(0.2)
        os.kill(pid, signal.SIGCONT)
        (files / "go").write_text("1")
        d.wait_state("plain", "failed", timeout=10)
        assert "default guest image could not be built" in d.status("plain")["reason"]
        wait_for(lambda: not is_alive(pid), timeout=5)
        assert [c for c in children(d.proc.pid) if not is_alive(c)] == []
        # Until a reload builds it again, starting refuses at once.
        reply = d.control({"method": "start", "vm": "plain", "wait": False})
        assert not reply["ok"] and "vmsilo reload" in json.dumps(reply), reply
        # A reload builds it again; this time the build succeeds and the start goes on past it
        # (to the VMM, which has no kernel to boot here).
        (files / "go").unlink()
        (files / "pid").unlink()
        assert d.reload().returncode == 0, d.output()
        second = wait_for(lambda: read_pid(files / "pid"), timeout=20, step=0.01)
        assert second != pid
        assert d.control({"method": "start", "vm": "plain", "wait": False})["ok"]
        assert d.status("plain")["state"] == "starting"
        (files / "go").write_text("0")
        wait_for(lambda: "The default guest image is ready." in d.output(), timeout=10)
        wait_for(lambda: d.status("plain")["state"] != "starting", timeout=30)
        assert "kernel or initramfs missing" in d.status("plain")["reason"], d.status("plain")
    finally:
        assert d.stop() == 0, d.output()


def test_sigterm_during_the_default_image_build_kills_the_builder(tmp_path, state, files, builder):
    d = start_building_daemon(tmp_path, state, builder)
    pid = wait_for(lambda: read_pid(files / "pid"), timeout=20, step=0.01)
    t0 = time.monotonic()
    assert d.stop(timeout=10) == 0, d.output()
    assert time.monotonic() - t0 < 5
    wait_for(lambda: not is_alive(pid), timeout=5)
