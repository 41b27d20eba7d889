# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 60-users.sh: root and the guest user (user.conf) of the initramfs root.

setup_users() {
        cat >/etc/passwd <<PASSWD
root:x:0:0:root:/root:/bin/sh
$GUEST_USER:x:$GUEST_UID:$GUEST_GID:$GUEST_USER:$GUEST_HOME:$GUEST_SHELL
PASSWD
        cat >/etc/group <<GROUP
root:x:0:
tty:x:5:
$GUEST_USER:x:$GUEST_GID:
GROUP
        # Locked passwords: nobody logs in; the agent switches users itself.
        cat >/etc/shadow <<SHADOW
root:*::0:99999:7:::
$GUEST_USER:*::0:99999:7:::
SHADOW
        chmod 0600 /etc/shadow
        mkdir -p "$GUEST_HOME"
        chown "$GUEST_UID:$GUEST_GID" "$GUEST_HOME"
        chmod 0700 "$GUEST_HOME"
}
