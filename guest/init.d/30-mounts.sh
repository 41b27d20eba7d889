# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 30-mounts.sh: the API file systems (/proc, /sys, /dev, /run, cgroup2…).

mount_fs() {
        # mount_fs TYPE TARGET OPTIONS
        mkdir -p "$2"
        mount -t "$1" -o "$3" "$1" "$2" || log error "failed to mount $1 on $2"
}

mount_all() {
        mount_fs proc /proc nosuid,nodev,noexec
        mount_fs sysfs /sys nosuid,nodev,noexec
        mount_fs devtmpfs /dev nosuid,mode=0755
        mount_fs devpts /dev/pts nosuid,noexec,mode=0620,ptmxmode=0666
        mount_fs tmpfs /dev/shm nosuid,nodev,mode=1777
        mount_fs tmpfs /run nosuid,nodev,mode=0755
        mount_fs tmpfs /tmp nosuid,nodev,mode=1777
        # favordynmods (Linux 6.0+): moving a task into a cgroup takes no RCU grace period. The
        # agent moves the first process of every session; without it that wait was ~30 % of a
        # warm vm-run under TCG (docs/benchmarks.md). Older kernels refuse it: mount without.
        mkdir -p /sys/fs/cgroup
        mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,favordynmods cgroup2 /sys/fs/cgroup \
                2>/dev/null || mount_fs cgroup2 /sys/fs/cgroup nosuid,nodev,noexec,nsdelegate
        ln -sf /proc/self/fd /dev/fd
        ln -sf /proc/mounts /etc/mtab
        mkdir -p "$RUN_DIR"
}
