# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 80-shares.sh: the shared home and shared directories (docs/guest-image.md, "Shares").
#
# msize: 512000 is the most Linux 6.1's virtio transport takes (a larger value is cut down with
# a warning on the console). cache=mmap: no data cache, so what the host writes shows at once
# in the guest (these directories are shared with the host by design), yet shared writable mmap
# works, which cache=none refuses and browsers' and sqlite's files need. nosuid,nodev: files
# the host provides never gain privileges in the guest.
SHARE_9P_OPTIONS=trans=virtio,version=9p2000.L,msize=512000,cache=mmap,nosuid,nodev
SHARE_VIRTIOFS_OPTIONS=nosuid,nodev
SHARE_TAG_MAX=36
home_fs_arg=

# Mount tags come from the host's configuration; still, only names that are safe as a path
# component are used: [A-Za-z0-9_.-], not starting with '.' or '-', at most 36 bytes.
share_tag_ok() {
        case "$1" in
        "" | .* | -* | *[!A-Za-z0-9_.-]*) return 1 ;;
        esac
        [ ${#1} -le "$SHARE_TAG_MAX" ]
}

# fstab_names_tag ROOT TAG: whether ROOT/etc/fstab has an entry whose device field is TAG.
fstab_names_tag() {
        [ -r "$1/etc/fstab" ] || return 1
        while read -r spec _; do
                [ "$spec" = "$2" ] && return 0
        done <"$1/etc/fstab"
        return 1
}

# mount_share TYPE OPTIONS TAG TARGET
mount_share() {
        mkdir -p "$4"
        if mount -t "$1" -o "$2" "$3" "$4"; then
                log info "mounted $1 tag '$3' on $4"
        else
                log error "failed to mount $1 tag '$3' on $4"
        fi
}

# mount_shares PREFIX: mounts the guest's shares below the root PREFIX ("" for the initramfs
# root, /newroot before switch_root). The shared home (tag "home", vmsilo.home=9p|virtiofs) goes
# on PREFIX/home/user. Every other 9p tag goes on PREFIX/mnt/TAG, unless PREFIX/etc/fstab has an
# entry for the tag: then the guest's own fstab decides where and how. Tags are found in sysfs;
# virtio-fs tags (crosvm) only where the kernel lists them (/sys/fs/virtiofs, Linux 6.10+),
# otherwise through the guest's fstab.
mount_shares() {
        prefix=$1
        case "$home_fs_arg" in
        9p) mount_share 9p "$SHARE_9P_OPTIONS" home "$prefix$GUEST_HOME" ;;
        virtiofs) mount_share virtiofs "$SHARE_VIRTIOFS_OPTIONS" home "$prefix$GUEST_HOME" ;;
        esac
        for f in /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag /sys/fs/virtiofs/*/tag; do
                [ -r "$f" ] || continue
                # The kernel writes the tag with a trailing NUL (9p) or newline (virtio-fs).
                tag=$(tr -d '\000\n' <"$f")
                fs=9p
                options=$SHARE_9P_OPTIONS
                case "$f" in
                /sys/fs/virtiofs/*)
                        fs=virtiofs
                        options=$SHARE_VIRTIOFS_OPTIONS
                        ;;
                esac
                [ "$tag" = home ] && [ "$home_fs_arg" = "$fs" ] && continue
                if ! share_tag_ok "$tag"; then
                        log warn "not mounting $fs tag '$tag': not [A-Za-z0-9_.-] or too long"
                        continue
                fi
                if fstab_names_tag "$prefix" "$tag"; then
                        log info "$fs tag '$tag' is left to the guest's fstab"
                        continue
                fi
                mount_share "$fs" "$options" "$tag" "$prefix/mnt/$tag"
        done
}
