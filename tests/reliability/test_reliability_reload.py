# SPDX-License-Identifier: LGPL-2.1-or-later
"""Configuration reload on a daemon of its own (README "Reloading the configuration"): VMs are
added and retired, a bad file is refused with every error and the running configuration,
including a running guest and its session, carries on."""
import os
import signal
import subprocess

from daemon import Daemon, binary, vm
from sessions import pid_alive, wait_until


def test_reload_adds_retires_and_refuses_a_bad_file(tmp_path, state_dir):
    d = Daemon(tmp_path, state_dir, [vm("keep")]).start(timeout=600)
    try:
        r = d.run("keep", "echo", "up", timeout=300)
        assert (r.returncode, r.stdout) == (0, b"up\n"), r.stderr
        pid = d.status("keep")["pid"]
        session = subprocess.Popen([binary("vmsilo"), "run", "-T", "keep", "sh", "-c",
                                    "read line; echo got $line"], env=d.env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        assert wait_until(lambda: d.status("keep")["sessions"] >= 1, timeout=60)

        # SIGHUP: a new VM appears with its sockets; the running one is untouched.
        d.write_config([vm("keep", autoShutdown={"enable": True, "after": 600}), vm("extra")])
        d.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "Reloaded" in d.output(), timeout=30), d.output()[-2000:]
        assert d.status("extra")["state"] == "stopped"
        assert (d.runtime / "extra-command.socket").exists()
        assert d.status("keep")["pid"] == pid
        assert d.status("keep")["auto_shutdown_sec"] == 600

        # A file with several mistakes: refused, each one named, nothing changes.
        d.config_path.write_text('{"enable": true, "user": "vmsilo-test", "nixosVms": ['
                                 '{"name": "keep", "memroy": 256}, {"name": "bad name"}]}')
        r = d.reload()
        assert r.returncode == 1, r
        err = r.stderr.decode()
        assert "memroy" in err and "did you mean" in err, err
        assert "nixosVms[1].name" in err, err
        assert "running configuration stays" in d.output()
        reply = d.control({"method": "status"})
        assert sorted(v["name"] for v in reply["vms"]) == ["extra", "keep"]
        assert d.status("keep")["pid"] == pid and pid_alive(pid)
        out, err = session.communicate(b"hello\n", timeout=60)
        assert (session.returncode, out) == (0, b"got hello\n"), err

        # "keep" leaves the config: stopped, its sockets gone, its name unknown.
        d.write_config([vm("extra")])
        r = d.reload()
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"Reloaded: 1 VMs configured.\n"
        assert wait_until(lambda: not pid_alive(pid), timeout=60), d.output()[-2000:]
        assert not (d.runtime / "keep-command.socket").exists()
        reply = d.control({"method": "status"})
        assert [v["name"] for v in reply["vms"]] == ["extra"]
        r = d.run("keep", "true")
        assert r.returncode == 125 and b"keep" in r.stderr, r
        assert os.path.exists(d.runtime / "control.socket")
    finally:
        assert d.stop() == 0, d.output()
