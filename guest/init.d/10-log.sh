# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 10-log.sh: logging for /init and its stages: to the console once there is one, before that
# to the kernel log, kept for the console. Sourced by /init (guest/init).

# error|warn|info|debug; vmsilo.loglevel= on the kernel command line.
loglevel=info
console_ready=0

level_value() {
        case "$1" in
        error) echo 0 ;;
        warn) echo 1 ;;
        info) echo 2 ;;
        debug) echo 3 ;;
        *) echo -1 ;;
        esac
}

early_messages=

# log LEVEL MESSAGE…: to the console once it exists. Before that (virtio_console not loaded yet),
# to the kernel log and kept for the console, since a console registered late does not replay
# the kernel log on its own.
log() {
        lvl=$1
        shift
        [ "$(level_value "$lvl")" -le "$(level_value "$loglevel")" ] || return 0
        if [ "$console_ready" = 1 ]; then
                echo "vmsilo-init: $*"
                return 0
        fi
        early_messages="${early_messages}vmsilo-init: $*
"
        if [ "$lvl" = error ] || [ "$lvl" = warn ]; then
                echo "<3>vmsilo-init: $*" >/dev/kmsg 2>/dev/null
        else
                echo "<5>vmsilo-init: $*" >/dev/kmsg 2>/dev/null
        fi
}
