# SPDX-License-Identifier: LGPL-2.1-or-later
"""The shipped systemd unit (data/vmsilod.service.in) breaks no feature: it verifies, and
vmsilod works inside a reproduction of its sandbox (ProtectSystem=strict, ProtectHome=read-only,
PrivateTmp=yes, its ReadWritePaths) made with bubblewrap, since systemd is not PID 1 here: it
installs the host menu entries and gets a VM through its preparation (shared home in /shared,
overlay disk formatted) to the VMM. No VM boots: the kernel is a fake, so the VMM exits."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest

from daemon import (binary, build_dir, control_answers, control_request, ensure_test_user,
                    scratch_dir)
from test_desktop import apps_dir, make_images

REPRODUCED = {"ProtectSystem": "strict", "ProtectHome": "read-only", "PrivateTmp": "yes"}


def unit_settings():
    settings = {}
    for line in (build_dir() / "data" / "vmsilod.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze missing")
def test_the_unit_verifies(tmp_path):
    unit = tmp_path / "vmsilod.service"
    text = (build_dir() / "data" / "vmsilod.service").read_text()
    # The installed paths do not exist in a build tree: point at the built daemon and CLI.
    built = {"ExecStart=": f"ExecStart={binary('vmsilod')} --config /etc/vmsilo/config.json",
             "ExecReload=": f"ExecReload={binary('vmsilo')} reload --runtime-dir /run/vmsilo"}
    lines = [built.get(line.split("=", 1)[0] + "=", line) for line in text.splitlines()]
    unit.write_text("\n".join(lines) + "\n")
    # --man=no: the man pages are not installed here (test_manpages.py checks the references).
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True)
    assert r.returncode == 0 and "vmsilod.service" not in r.stderr, r.stderr


def test_reload_runs_the_cli_synchronously():
    """systemctl reload waits for `vmsilo reload` and fails when vmsilod refuses the file."""
    reload = unit_settings()["ExecReload"]
    assert len(reload) == 1 and reload[0].split()[1:] == ["reload", "--runtime-dir", "/run/vmsilo"]
    assert reload[0].split()[0].endswith("/bin/vmsilo"), reload


def sandbox_argv(settings, binds):
    """bwrap arguments for the unit's mount protections. binds maps each ReadWritePaths entry
    to the host dir standing in for it (systemd makes them before the namespace exists)."""
    for key, value in REPRODUCED.items():
        assert settings[key] == [value], (key, settings.get(key))
    rw = settings["ReadWritePaths"][0].split()
    assert sorted(p.lstrip("-") for p in rw) == sorted(binds), rw
    argv = ["--die-with-parent", "--cap-add", "ALL"]
    # ProtectSystem=strict and ProtectHome=read-only: all of / read-only. The root is bwrap's
    # tmpfs until --remount-ro, so the ReadWritePaths mount points can be made in it.
    for entry in sorted(os.listdir("/")):
        path = "/" + entry
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif entry in ("dev", "proc", "tmp", "run") or not os.path.isdir(path):
            continue
        else:
            argv += ["--ro-bind", path, path]
    argv += ["--dev-bind", "/dev", "/dev", "--proc", "/proc",
             "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run"]  # PrivateTmp
    for path, host in binds.items():
        if path.startswith("/var/lib"):
            argv += ["--tmpfs", "/var/lib"]  # /var/lib/vmsilo must be creatable
        argv += ["--bind", str(host), path]
    return argv + ["--remount-ro", "/"]


@pytest.fixture
def dirs():
    user = ensure_test_user()
    with scratch_dir("daemonfs-unit-") as root:
        d = {name: root / name for name in ("run", "state", "shared")}
        for p in d.values():
            p.mkdir(mode=0o755)
        yield d, user


@pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap missing")
def test_vmsilod_works_inside_the_units_sandbox(dirs):
    (d, user) = dirs
    state = d["state"]
    make_images(state)
    for name in ("vmlinuz", "initramfs", "root.img"):
        (state / name).write_bytes(b"not a kernel")
    inside = pathlib.Path("/var/lib/vmsilo")
    config = {"enable": True, "user": user.pw_name, "nixosVms": [
        {"name": "work", "memory": 256, "cpus": 1, "vmm": "qemu",
         "kernel": str(inside / "vmlinuz"), "initramfs": str(inside / "initramfs"),
         "rootDisk": {"path": str(inside / "root.img"), "id": "root"},
         "rootOverlay": {"type": "qcow2", "size": "64M"}, "sharedHome": True}]}
    (state / "config.json").write_text(json.dumps(config))
    binds = {"/run/vmsilo": d["run"], "/var/lib/vmsilo": state, "/shared": d["shared"]}
    argv = [shutil.which("bwrap")] + sandbox_argv(unit_settings(), binds)
    # No PATH at all: root's helpers and the VMM come from absolute paths fixed at build time.
    env = {"PATH": "/nonexistent", "VMSILO_ACCEL": "tcg"}
    log = open(state.parent / "vmsilod.log", "wb")
    proc = subprocess.Popen(argv + [binary("vmsilod"), "--config", str(inside / "config.json")],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not control_answers(d["run"]):
            assert proc.poll() is None, (state.parent / "vmsilod.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # The menu entries went where the unit lets vmsilod write.
        assert "vmsilo-work.org.example.Editor.desktop" in os.listdir(apps_dir(state))
        def control(request):
            return control_request(d["run"], request)
        assert control({"method": "start", "vm": "work", "wait": False})["ok"]
        deadline = time.monotonic() + 60
        while (status := control({"method": "status", "vm": "work"})["vms"][0])["state"] \
                == "starting":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        output = (state.parent / "vmsilod.log").read_text()
        # Preparation passed under the sandbox; only the fake kernel stopped the VMM.
        assert "VMM exited" in status["reason"], (status, output)
        assert (d["shared"] / "work").is_dir(), output
        assert "VM 'work': started /" in output, output
    finally:
        # bwrap runs vmsilod as its child and exits with its status.
        for task in pathlib.Path(f"/proc/{proc.pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                os.kill(int(child), signal.SIGTERM)
        assert proc.wait(30) == 0, (state.parent / "vmsilod.log").read_text()
        log.close()


def test_config_check_warns_about_paths_the_unit_breaks(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"enable": True, "user": "nobody", "nixosVms": [
        {"name": "a", "additionalDisks": [{"path": "/home/u/data.img"},
                                          {"path": "/var/lib/vmsilo/ok.img"}]}]}))
    r = subprocess.run([binary("vmsilo"), "config", "check", str(config)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 1, r.stderr
    assert "'/home/u/data.img' is read-only under vmsilod.service (ProtectHome=read-only)" \
        in warnings[0]
