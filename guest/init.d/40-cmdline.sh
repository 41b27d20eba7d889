# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 40-cmdline.sh: what the host asks for on the kernel command line (docs/guest-image.md).

hostname_arg=vmsilo
# none (initramfs root) | overlay-tmpfs | overlay-disk | rw
root_arg=none
ifname_args=
net_args=
# A root shell on the console, what `vm-shell NAME` attaches to (the console is host-only).
shell_arg=1

# The host writes the command line; still, only accept the shapes documented in
# docs/guest-image.md and ignore the rest.
parse_cmdline() {
        read -r cmdline </proc/cmdline
        # Split on blanks without expanding globs a word might contain.
        set -f
        # shellcheck disable=SC2086 # splitting is the point
        set -- $cmdline
        set +f
        for word; do
                case "$word" in
                vmsilo.hostname=*)
                        v=${word#vmsilo.hostname=}
                        case "$v" in
                        "" | -* | *[!A-Za-z0-9.-]*) log warn "ignoring bad vmsilo.hostname='$v'" ;;
                        *) hostname_arg=$(echo "$v" | cut -c1-63) ;;
                        esac
                        ;;
                vmsilo.ifname=*)
                        ifname_args="$ifname_args ${word#vmsilo.ifname=}"
                        ;;
                vmsilo.ip=* | vmsilo.ip6=* | vmsilo.route=* | vmsilo.route6=* | vmsilo.dhcp=* | vmsilo.dns=*)
                        net_args="$net_args $word"
                        ;;
                vmsilo.loglevel=*)
                        v=${word#vmsilo.loglevel=}
                        if [ "$(level_value "$v")" -ge 0 ]; then
                                loglevel=$v
                        else
                                log warn "ignoring bad vmsilo.loglevel='$v'"
                        fi
                        ;;
                vmsilo.shell=0 | vmsilo.shell=1)
                        shell_arg=${word#vmsilo.shell=}
                        ;;
                vmsilo.home=9p | vmsilo.home=virtiofs)
                        home_fs_arg=${word#vmsilo.home=}
                        ;;
                vmsilo.home=*)
                        log warn "ignoring bad $word (9p or virtiofs)"
                        ;;
                vmsilo.root=*)
                        v=${word#vmsilo.root=}
                        case "$v" in
                        overlay-tmpfs | overlay-disk | rw) root_arg=$v ;;
                        *) log warn "ignoring bad vmsilo.root='$v'" ;;
                        esac
                        ;;
                esac
        done
        echo "$loglevel" >"$RUN_DIR/loglevel"
}
