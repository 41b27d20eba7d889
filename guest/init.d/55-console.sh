# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 55-console.sh: the console, once virtio_console has made it.

# The console opens at once on ttyS0 (vmsilod's plans); hvc0 appears only once virtio_console has
# probed its port, asynchronously.
open_console() {
        i=0
        while [ "$i" -lt "$CONSOLE_WAIT_STEPS" ]; do
                if (: </dev/console) 2>/dev/null; then
                        exec </dev/console >/dev/console 2>&1
                        console_ready=1
                        printf '%s' "$early_messages"
                        early_messages=
                        return 0
                fi
                sleep 0.05
                i=$((i + 1))
        done
        log error "no console after 5 s; continuing without one"
        return 1
}
