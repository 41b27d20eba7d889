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

# An HDA sound card (PCI class 0x0403) registers after its codec probe, which runs after insmod
# returns: wait for its PCM nodes (at most 10 s), so that they exist when /init gives them their
# group (85-root.sh). Only when a driver took the controller: a kernel without one has no card.
wait_for_sound() {
        for class in /sys/bus/pci/devices/*/class; do
                case $(cat "$class" 2>/dev/null) in
                0x0403*) [ -e "${class%/class}/driver" ] || continue ;;
                *) continue ;;
                esac
                tries=0
                while [ "$tries" -lt 200 ]; do
                        set -- /dev/snd/pcmC*
                        [ -e "$1" ] && return 0
                        sleep 0.05
                        tries=$((tries + 1))
                done
                log warn "the sound card registered no PCM in 10 s"
                return 0
        done
}
