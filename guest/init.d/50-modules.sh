# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 50-modules.sh: the initramfs's kernel modules, in the order the image builder resolved.

load_modules() {
        total=0
        loaded=0
        while read -r module; do
                [ -n "$module" ] || continue
                total=$((total + 1))
                if insmod "$module"; then
                        loaded=$((loaded + 1))
                        log debug "loaded ${module##*/}"
                else
                        log error "failed to load ${module##*/}"
                fi
        done <"$MODULES_ORDER"
}
