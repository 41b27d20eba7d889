/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shares.h: the host side of a VM's shared home and shared directories, done before the VMM
 * starts: creating the home from the template on first use, and the guest owner QEMU reports for
 * a share's root (share-ids.h). docs/launch-plans.md, "Shared directories". */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "share-ids.h"

/* In the state dir: copied into every new shared home. */
#define SHARES_HOME_TEMPLATE_NAME "home-template"
/* Where QEMU's 9p server (security_model=mapped-xattr) keeps the owner the guest sees: a
 * little-endian 32-bit id each (hw/9pfs/9p-local.c). */
#define SHARES_XATTR_UID "user.virtfs.uid"
#define SHARES_XATTR_GID "user.virtfs.gid"
#define SHARES_XATTR_MODE "user.virtfs.mode"
/* The longest the start's helper child waits for a home template copy (vmsilod itself never
 * waits: helper.h). */
#define SHARES_COPY_TIMEOUT_USEC (120ULL * 1000 * 1000)
/* Deeper templates are refused: each level holds two fds while it is copied. */
#define SHARES_COPY_DEPTH_MAX 64

typedef struct SharesCopyStats {
        unsigned files, directories, symlinks;
        unsigned skipped; /* devices, FIFOs, sockets: never copied */
} SharesCopyStats;

/* Splits an absolute path without a trailing '/' into its parent ("/" for "/x") and last
 * component. -EINVAL for anything else ("/", relative, "…/", "…/.", "…/.."). Pure. */
int shares_split_path(const char *path, char **ret_parent, char **ret_name);

/* ".NAME.tmp-XXXXXX", a mkdtemp() template for the new home next to it. Pure. */
int shares_temp_name(const char *name, char **ret);

/* Records owner (either id may be absent) as the guest owner of the open file or directory fd.
 * -EOPNOTSUPP when the file system has no user xattrs. */
int shares_set_guest_owner(int fd, const ShareOwner *owner);

/* Copies the tree below the directory src_fd into the directory dst_fd, with the caller's
 * permissions: regular files (mode & 0777), directories and symlinks (as links: never followed)
 * with their times; other types are skipped. Every copied file and directory gets owner as its
 * guest owner (ignored where the file system has no user xattrs). qemu_symlinks: links are
 * written in the form QEMU's mapped-xattr 9p server reads (a file holding the target, marked
 * S_IFLNK in user.virtfs.mode), since it cannot read real host links. Fails on the first
 * error, leaving what it copied so far for shares_clear_dir(). */
int shares_copy_tree(int src_fd, int dst_fd, const ShareOwner *owner, bool qemu_symlinks,
                SharesCopyStats *stats);

/* Removes everything below the directory fd, never following symlinks. */
int shares_clear_dir(int fd);

/* Creates the home directory path (mode 0700, owned by uid:gid) unless something exists there,
 * as a copy of template_dir made by uid:gid in a child process, so the template can offer
 * nothing that user could not read; a missing template gives an empty home. The copy is built
 * next to path and renamed into place: a failure leaves no half-made home, and an existing home
 * is never replaced. Every file and the home itself get the guest user as guest owner, and
 * links are written for QEMU with qemu_symlinks (see shares_copy_tree()). The parent is made if
 * missing (root's, 0755); no symbolic link is followed in path, and the parent must belong to
 * root or uid and not be writable by others. Returns 1 if it created the home, 0 if one
 * existed. Logs its errors. */
int shares_create_home(const char *path, const char *template_dir, bool qemu_symlinks, uid_t uid,
                gid_t gid);

/* Everything a VM's shares need before the VMM starts: the home (from
 * <state_dir>/home-template), and with mapped_xattr (the VMM's 9p server keeps guest owners and
 * links in user xattrs: QEMU's) the guest owner of the home's root (the guest user) and of each
 * shared directory that sets uid/gid/uidmap/gidmap, and links for it in a new home. Every share
 * root is opened without following links and refused unless root or uid owns it. Logs its
 * errors. */
int shares_prepare(
                const VmConfig *vm, bool mapped_xattr, const char *state_dir, uid_t uid, gid_t gid);
