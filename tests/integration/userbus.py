# SPDX-License-Identifier: LGPL-2.1-or-later
"""The configured user's session bus as vmsilod finds it (<user runtime base>/<uid>/bus), for the
tray tests through vmsilod, and what they ask it: the StatusNotifierItems on it."""
import os
import pwd
import select
import subprocess

from daemon import TEST_USER, wait_for


def read_line(proc, timeout=20):
    """The next line proc prints (unbuffered reads: nothing is held back in a Python buffer)."""
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        assert ready, f"no line from {proc.args} in {timeout} s (got {line!r})"
        byte = os.read(proc.stdout.fileno(), 1)
        assert byte, f"{proc.args} exited"
        line += byte
    return line.decode()


class UserBus:
    """A dbus-daemon --session as the configured user at <user runtime>/<uid>/bus, where vmsilod
    looks for the user's session bus; processes on it run as that user too (a session bus lets
    in its own user only)."""

    def __init__(self, path):
        self.pw = pwd.getpwnam(TEST_USER)
        path.parent.mkdir(exist_ok=True)
        os.chown(path.parent, self.pw.pw_uid, self.pw.pw_gid)
        path.parent.chmod(0o700)
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=f"unix:path={path}")
        self.path = path
        self.proc = self.popen(["dbus-daemon", "--session", "--nofork",
                                f"--address=unix:path={path}"], stdout=subprocess.DEVNULL)
        wait_for(path.exists, what="the session bus socket")

    def popen(self, argv, **kwargs):
        return subprocess.Popen(argv, env=self.env, user=self.pw.pw_uid, group=self.pw.pw_gid,
                                extra_groups=[], **kwargs)

    def items(self):
        out = subprocess.run(["busctl", "--user", "list", "--acquired", "--no-legend"],
                             env=self.env, user=self.pw.pw_uid, capture_output=True, text=True,
                             timeout=10).stdout
        return [l.split()[0] for l in out.splitlines()
                if l.startswith("org.kde.StatusNotifierItem-")]

    def title(self, name):
        out = subprocess.run(["busctl", "--user", "get-property", name, "/StatusNotifierItem",
                              "org.kde.StatusNotifierItem", "Title"], env=self.env,
                             user=self.pw.pw_uid, capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.path.unlink(missing_ok=True)
