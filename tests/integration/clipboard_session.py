# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pieces of a user's session for the clipboard tests: vmsilo-clipboard's raw protocol as a
fence speaks it, and a private session bus with a notification daemon that records every
Notify call (tests/helpers/notify-test-server, docs/graphics.md "Notifications")."""
import subprocess
import time

from daemon import build_dir, wait_for

RAW_CLIENT = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
reply = b""
while chunk := s.recv(65536):
    reply += chunk
sys.stdout.buffer.write(reply)
"""


def clipboard_request(user, sock, data, **kwargs):
    """One raw request to vmsilo-clipboard at sock, as user (a pwd entry); returns the reply."""
    return subprocess.run(["/usr/bin/python3", "-c", RAW_CLIENT, str(sock)], input=data,
                          capture_output=True, check=True, timeout=10, user=user.pw_uid,
                          group=user.pw_gid, extra_groups=[], **kwargs).stdout


class NotifyBus:
    """A session bus at run/bus (dbus-daemon as user) and, unless daemon is None, the
    notification daemon on it ("silent": one that never replies), logging into log_dir."""

    def __init__(self, user, run, log_dir, daemon="replies"):
        self.user, self.run, self.log_dir = user, run, log_dir
        self.address = f"unix:path={run}/bus"
        self.notices_file = log_dir / "notices"
        self.notices_file.touch()
        self.procs = []
        self.start(daemon)

    def spawn(self, argv, out):
        proc = subprocess.Popen(argv, env={"PATH": "/usr/bin:/bin", "HOME": str(self.log_dir),
                                           "DBUS_SESSION_BUS_ADDRESS": self.address},
                                stdout=out, stderr=out, user=self.user.pw_uid,
                                group=self.user.pw_gid, extra_groups=[], cwd=self.log_dir)
        out.close()
        self.procs.append(proc)
        return proc

    def start(self, daemon="replies"):
        self.spawn(["dbus-daemon", "--session", "--nofork", f"--address={self.address}"],
                   open(self.log_dir / "dbus.log", "ab"))
        wait_for((self.run / "bus").exists, what="the session bus")
        if daemon:
            before = self.notices_file.read_text().count("ready")
            self.spawn([str(build_dir() / "tests/helpers/notify-test-server")] +
                       (["--silent"] if daemon == "silent" else []),
                       open(self.notices_file, "ab"))
            wait_for(lambda: self.notices_file.read_text().count("ready") > before,
                     what="the notification daemon")

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        self.procs = []
        (self.run / "bus").unlink(missing_ok=True)

    def notices(self):
        """Every Notify call so far: [app, icon, summary, body, actions, expire_timeout]."""
        return [line.split("\t")[1:] for line in self.notices_file.read_text().splitlines()
                if line.startswith("notify\t")]

    def new_notices(self, before, count):
        """The notices after the first before, once there are count of them and, half a
        second later, still no more."""
        wait_for(lambda: len(self.notices()) >= before + count, what=f"{count} notices")
        time.sleep(0.5)
        return self.notices()[before:]
