# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 75-system.sh: device node permissions (mdev) and sysctls.

# Without a config, mdev -s makes every node 0660 root:root, and the guest user could not even
# write /dev/null. These are the usual world-usable character devices; the rest stay private.
write_mdev_conf() {
        cat >/etc/mdev.conf <<'EOF'
null 0:0 666
zero 0:0 666
full 0:0 666
random 0:0 666
urandom 0:0 666
tty 0:0 666
ptmx 0:0 666
.* 0:0 660
EOF
}

# Unprivileged ping (ICMP echo sockets for every group), as systemd sets by default. Root
# images carry the same in /etc/sysctl.d; a user's own rootDisk keeps this unless it sets its own.
set_sysctls() {
        echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range ||
                log warn "cannot set net.ipv4.ping_group_range"
}
