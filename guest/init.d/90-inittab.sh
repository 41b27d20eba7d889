# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 90-inittab.sh: what busybox init runs once /init hands over (the agent, the console's shell).

write_inittab() {
        {
                echo "::respawn:/init --run-agent"
                if [ "$shell_arg" = 1 ]; then
                        read -r active </sys/class/tty/console/active
                        echo "${active##* }::respawn:-/bin/sh"
                fi
                echo "::shutdown:/bin/umount -a -r"
        } >/etc/inittab
}
