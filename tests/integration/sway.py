# SPDX-License-Identifier: LGPL-2.1-or-later
"""sway 1.7 headless as the test user in a runtime dir of the test's choosing (issue #13's test
desktop), and what tests ask it: the windows in its tree."""
import json
import os
import pathlib
import signal
import subprocess

from daemon import wait_for

SWAY_CONFIG = "output HEADLESS-1 resolution 1280x800\ndefault_border none\n"


def views(swaysock, user, env):
    """Every window (a node with a pid) in the tree of the sway at swaysock."""
    tree = subprocess.run(["swaymsg", "-s", swaysock, "-t", "get_tree", "-r"], check=True,
                          capture_output=True, user=user.pw_uid, env=env).stdout
    found = []

    def walk(node):
        if node.get("pid"):
            found.append(node)
        for child in node.get("nodes", []) + node.get("floating_nodes", []):
            walk(child)
    walk(json.loads(tree))
    return found


class Sway:
    """sway in run_dir (its XDG_RUNTIME_DIR, made 0700 for user), config and log in home."""

    def __init__(self, user, home, run_dir):
        self.user = user
        self.home = pathlib.Path(home)
        self.run = pathlib.Path(run_dir)
        self.run.mkdir(mode=0o700, exist_ok=True)
        os.chown(self.run, user.pw_uid, user.pw_gid)
        (self.home / "sway.conf").write_text(SWAY_CONFIG)
        self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(self.home),
                    "XDG_RUNTIME_DIR": str(self.run)}
        log = open(self.home / "sway.log", "ab")
        self.proc = subprocess.Popen(["sway", "-c", str(self.home / "sway.conf")],
                                     env={**self.env, "WLR_BACKENDS": "headless",
                                          "WLR_RENDERER": "pixman",
                                          "WLR_LIBINPUT_NO_DEVICES": "1"},
                                     stdout=log, stderr=log, user=user.pw_uid, group=user.pw_gid,
                                     extra_groups=[], cwd=self.home)
        log.close()
        self.compositor = self.run / "wayland-1"
        wait_for(lambda: self.compositor.exists() and list(self.run.glob("sway-ipc.*.sock")),
                 what="sway's sockets")
        self.swaysock = str(next(self.run.glob("sway-ipc.*.sock")))

    def views(self):
        return views(self.swaysock, self.user, self.env)

    def titled(self, title):
        """Whether a window has this title now."""
        return any(v.get("name") == title for v in self.views())

    def view(self, title, timeout=10.0):
        """The window titled title, once it is there."""
        return wait_for(lambda: next((v for v in self.views() if v.get("name") == title),
                                     None), timeout, f"a window titled {title!r}")

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
