# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 70-network.sh: NIC names (vmsilo.ifname=), addresses, routes, DHCP and DNS.

# vmsilo.ifname=NAME,MAC: give the NIC with that MAC a stable name.
rename_nics() {
        ip link set dev lo up 2>/dev/null
        set -f
        # shellcheck disable=SC2086 # splitting is the point
        set -- $ifname_args
        set +f
        for arg; do
                name=${arg%%,*}
                mac=$(echo "${arg#*,}" | tr 'A-F' 'a-f')
                case "$name" in
                "" | *[!A-Za-z0-9_-]*)
                        log warn "ignoring vmsilo.ifname='$arg': bad name"
                        continue
                        ;;
                esac
                if [ ${#name} -gt 15 ]; then
                        log warn "ignoring vmsilo.ifname='$arg': name longer than 15"
                        continue
                fi
                case "$mac" in
                [0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]) ;;
                *)
                        log warn "ignoring vmsilo.ifname='$arg': bad MAC"
                        continue
                        ;;
                esac
                found=
                for dev in /sys/class/net/*; do
                        [ -r "$dev/address" ] || continue
                        read -r addr <"$dev/address"
                        [ "$addr" = "$mac" ] && found=${dev##*/}
                done
                if [ -z "$found" ]; then
                        log warn "no NIC with MAC $mac for '$name'"
                elif [ "$found" != "$name" ]; then
                        if ip link set dev "$found" name "$name"; then
                                log info "renamed NIC $found to $name"
                        else
                                log error "failed to rename NIC $found to $name"
                        fi
                fi
        done
}

# Addresses, routes, DHCP, DNS (docs/networking.md).
# After rename_nics: vmsilo.ip=IF,CIDR  vmsilo.ip6=IF,CIDR  vmsilo.route=IF,DEST,VIA
# vmsilo.route6=IF,DEST,VIA  vmsilo.dhcp=IF  vmsilo.dns=ADDR. Values are checked against a strict
# character set and anything else is ignored with a warning.
UDHCPC_SCRIPT=$RUN_DIR/udhcpc.script

net_ifname_ok() {
        case "$1" in
        "" | *[!A-Za-z0-9_-]*) return 1 ;;
        esac
        [ ${#1} -le 15 ]
}

net_addr_ok() {
        case "$1" in
        "" | *[!0-9A-Fa-f.:/]*) return 1 ;;
        esac
        return 0
}

net_link_up() {
        ip link set dev "$1" up || log error "failed to set $1 up"
}

# The script udhcpc runs on lease events (busybox exports $interface, $ip, $mask, $router, $dns).
# Nameservers from vmsilo.dns= win over the lease's.
write_udhcpc_script() {
        cat >"$UDHCPC_SCRIPT" <<'SCRIPT'
#!/bin/sh
case "$1" in
deconfig)
        ip -4 addr flush dev "$interface"
        ip link set dev "$interface" up
        ;;
bound | renew)
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        for r in $router; do
                ip route replace default via "$r" dev "$interface"
                break
        done
        if [ ! -e /run/vmsilo/dns.static ] && [ -n "$dns" ]; then
                for d in $dns; do echo "nameserver $d"; done >/etc/resolv.conf
        fi
        echo "vmsilo-udhcpc: $interface $ip/${mask:-24}" >/dev/kmsg
        ;;
esac
exit 0
SCRIPT
        chmod 0755 "$UDHCPC_SCRIPT"
}

net_apply() {
        # net_apply KIND VALUE
        kind=$1
        v=$2
        ifc=${v%%,*}
        rest=${v#*,}
        if ! net_ifname_ok "$ifc"; then
                log warn "ignoring vmsilo.$kind='$v': bad interface name"
                return
        fi
        case "$kind" in
        ip | ip6)
                if ! net_addr_ok "$rest" || [ "$rest" = "$v" ]; then
                        log warn "ignoring vmsilo.$kind='$v': bad address"
                        return
                fi
                net_link_up "$ifc"
                if [ "$kind" = ip6 ]; then
                        # Static addresses are ours: skip duplicate address detection's delay.
                        echo 0 >"/proc/sys/net/ipv6/conf/$ifc/accept_dad" 2>/dev/null
                        ip -6 addr add "$rest" dev "$ifc" || log error "failed to add $rest to $ifc"
                else
                        ip addr add "$rest" dev "$ifc" || log error "failed to add $rest to $ifc"
                fi
                ;;
        route | route6)
                dest=${rest%%,*}
                via=${rest#*,}
                if ! net_addr_ok "$dest" || ! net_addr_ok "$via" || [ "$via" = "$rest" ]; then
                        log warn "ignoring vmsilo.$kind='$v': bad route"
                        return
                fi
                case "$dest" in
                0.0.0.0/0 | ::/0) dest=default ;;
                esac
                fam=-4
                [ "$kind" = route6 ] && fam=-6
                net_link_up "$ifc"
                ip "$fam" route add "$dest" via "$via" dev "$ifc" ||
                        log error "failed to add route $dest via $via on $ifc"
                ;;
        dhcp)
                net_link_up "$ifc"
                # -b: go to the background at once and keep the lease renewed.
                udhcpc -i "$ifc" -s "$UDHCPC_SCRIPT" -b -t 10 -T 1 -A 3 \
                        -p "$RUN_DIR/udhcpc.$ifc.pid" >/dev/null 2>&1 ||
                        log error "failed to start udhcpc on $ifc"
                ;;
        esac
}

setup_network() {
        dns=
        set -f
        # shellcheck disable=SC2086 # splitting is the point
        set -- $net_args
        set +f
        write_udhcpc_script
        # Addresses before routes, whatever order the command line has.
        for pass in address route dhcp; do
                for word; do
                        kind=${word%%=*}
                        kind=${kind#vmsilo.}
                        v=${word#*=}
                        case "$pass:$kind" in
                        address:ip | address:ip6 | route:route | route:route6 | dhcp:dhcp)
                                net_apply "$kind" "$v"
                                ;;
                        address:dns)
                                if net_addr_ok "$v"; then
                                        dns="$dns $v"
                                else
                                        log warn "ignoring bad vmsilo.dns='$v'"
                                fi
                                ;;
                        esac
                done
                if [ "$pass" = address ] && [ -n "$dns" ]; then
                        for d in $dns; do echo "nameserver $d"; done >/etc/resolv.conf
                        : >"$RUN_DIR/dns.static"
                fi
        done
}
