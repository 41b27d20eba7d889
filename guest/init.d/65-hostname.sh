# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 65-hostname.sh: the hostname and /etc/hosts (vmsilo.hostname=).

setup_hostname() {
        hostname "$hostname_arg" || log error "failed to set hostname '$hostname_arg'"
        echo "$hostname_arg" >/etc/hostname
        printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost\n' "$hostname_arg" >/etc/hosts
}

