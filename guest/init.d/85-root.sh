# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 85-root.sh: the root disk (vmsilo.root=): mounted on $NEWROOT, completed, switched to.

# The disk whose virtio serial is $1 ("root", "overlay"), as /dev/vdX. virtio_blk probes
# asynchronously after insmod, so wait for it like for the console.
find_disk() {
        i=0
        while [ "$i" -lt "$DISK_WAIT_STEPS" ]; do
                for d in /sys/block/vd*; do
                        [ -r "$d/serial" ] || continue
                        read -r serial <"$d/serial"
                        if [ "$serial" = "$1" ] && [ -b "/dev/${d##*/}" ]; then
                                echo "/dev/${d##*/}"
                                return 0
                        fi
                done
                sleep 0.05
                i=$((i + 1))
        done
        return 1
}

# mount_ext4 DEV DIR OPTIONS: any ext2/3/4 image (the ext4 driver serves all three). A lower
# layer whose journal needs replaying cannot be replayed on a read-only disk: retry without it.
mount_ext4() {
        mount -t ext4 -o "$3" "$1" "$2" 2>/dev/null && return 0
        case "$3" in
        ro*) mount -t ext4 -o "$3,noload" "$1" "$2" ;;
        *) return 1 ;;
        esac
}

# The upper layer on the blank qcow2 disk the host made for this boot (vmsilod formats it as
# ext4 on the host; a disk that holds no file system yet is formatted here).
mount_upper_disk() {
        dev=$(find_disk overlay) || {
                log error "vmsilo.root=overlay-disk but no disk with serial 'overlay'"
                return 1
        }
        mount_ext4 "$dev" "$ROOT_UPPER" rw,noatime,noinit_itable && return 0
        log info "formatting the overlay disk $dev"
        mke2fs -q -m 0 "$dev" >/dev/null && mount_ext4 "$dev" "$ROOT_UPPER" rw,noatime
}

# Mounts the root disk on $NEWROOT as vmsilo.root= says. Returns 1 (and mounts nothing on
# $NEWROOT) on failure.
mount_root() {
        # A rootDisk with an "id" of its own has that serial; the root disk is always the first
        # one the host attaches (launch-plans.md), so /dev/vda is the fallback.
        dev=$(find_disk root) || dev=/dev/vda
        [ -b "$dev" ] || {
                log error "vmsilo.root=$root_arg but no root disk (serial 'root', or $dev)"
                return 1
        }
        mkdir -p "$NEWROOT"
        if [ "$root_arg" = rw ]; then
                mount_ext4 "$dev" "$NEWROOT" rw || {
                        log error "cannot mount the root disk $dev read-write (not ext4?)"
                        return 1
                }
                return 0
        fi
        mkdir -p "$ROOT_LOWER" "$ROOT_UPPER"
        mount_ext4 "$dev" "$ROOT_LOWER" ro || {
                log error "cannot mount the root disk $dev (not ext4?)"
                return 1
        }
        if [ "$root_arg" = overlay-disk ]; then
                mount_upper_disk || {
                        log error "cannot mount the overlay disk"
                        umount "$ROOT_LOWER"
                        return 1
                }
        else
                mount -t tmpfs -o mode=0755 tmpfs "$ROOT_UPPER"
        fi
        mkdir -p "$ROOT_UPPER/upper" "$ROOT_UPPER/work"
        mount -t overlay -o "lowerdir=$ROOT_LOWER,upperdir=$ROOT_UPPER/upper,workdir=$ROOT_UPPER/work" \
                overlay "$NEWROOT" || {
                log error "cannot mount the overlay root"
                umount "$ROOT_UPPER" "$ROOT_LOWER"
                return 1
        }
        return 0
}

# An image without the agent (a user's rootDisk) gets the initramfs's copy and its systemd unit,
# and the guest user if its passwd lacks one. Built images carry all of it already.
complete_newroot() {
        r=$NEWROOT
        if [ ! -e "$r$DISK_AGENT" ]; then
                log info "the root disk has no vmsilo-agent; installing the initramfs's"
                mkdir -p "$r${DISK_AGENT%/*}" "$r${DISK_AGENT_UNIT%/*}/multi-user.target.wants"
                cp "$AGENT" "$r$DISK_AGENT" && chmod 0755 "$r$DISK_AGENT"
                [ -e "$r$DISK_AGENT_UNIT" ] || cp "$AGENT_UNIT" "$r$DISK_AGENT_UNIT"
                ln -sf "$DISK_AGENT_UNIT" \
                        "$r${DISK_AGENT_UNIT%/*}/multi-user.target.wants/vmsilo-agent.service"
        fi
        if ! grep -q "^$GUEST_USER:" "$r/etc/passwd" 2>/dev/null; then
                mkdir -p "$r/etc"
                echo "$GUEST_USER:x:$GUEST_UID:$GUEST_GID:$GUEST_USER:$GUEST_HOME:$GUEST_SHELL" >>"$r/etc/passwd"
                grep -q "^$GUEST_USER:" "$r/etc/group" 2>/dev/null ||
                        echo "$GUEST_USER:x:$GUEST_GID:" >>"$r/etc/group"
        fi
        if [ ! -d "$r$GUEST_HOME" ]; then
                mkdir -p "$r$GUEST_HOME"
                chown "$GUEST_UID:$GUEST_GID" "$r$GUEST_HOME"
                chmod 0700 "$r$GUEST_HOME"
        fi
        give_sound_nodes_their_group "$r"
        # What this boot decided (DNS from the command line or a lease, the hostname) wins over
        # the image's copies; a symlink (systemd-resolved's) is replaced, not followed.
        for f in resolv.conf hostname hosts; do
                [ -e "/etc/$f" ] || continue
                rm -f "$r/etc/$f"
                cp "/etc/$f" "$r/etc/$f"
        done
}

# The sound card's nodes (made root's by devtmpfs; a root image has no udev to change that) go
# to the root's audio group, whose members (the guest user of built images) may then play.
give_sound_nodes_their_group() {
        [ -d /dev/snd ] || return 0
        gid=$(grep "^audio:" "$1/etc/group" 2>/dev/null | cut -d: -f3)
        [ -n "$gid" ] || return 0
        chgrp "$gid" /dev/snd/* || log warn "cannot give the sound card's nodes to group $gid"
}

# /dev, /proc, /sys (with its cgroup2 mount) and /run (with /run/vmsilo) move into the new root,
# so systemd finds them mounted; the initramfs's /tmp is dropped, the disk has its own.
switch_to_newroot() {
        # The guest user's XDG_RUNTIME_DIR (session.env), ready before the agent's first session.
        mkdir -p "/run/user/$GUEST_UID"
        chown "$GUEST_UID:$GUEST_GID" "/run/user/$GUEST_UID"
        chmod 0700 "/run/user/$GUEST_UID"
        for m in /dev /proc /sys /run; do
                mkdir -p "$NEWROOT$m"
                mount --move "$m" "$NEWROOT$m" || log error "cannot move $m into the new root"
        done
        umount /tmp 2>/dev/null
        log info "switching to the root disk ($root_arg)"
        exec switch_root "$NEWROOT" /sbin/init
}
