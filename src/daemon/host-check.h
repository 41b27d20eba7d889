/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-check.h: what a valid config still needs from this host before anything starts: the user,
 * the kernels and disks it names, the default guest image. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

/* Loads the configuration at path and runs every check that does not touch the host's state:
 * validation, host-wide network rules, what the VMMs can do (crosvm: whether it is installed),
 * the files it names. Every problem is logged; on failure returns -errno (-EINVAL: the file has
 * problems) and, if reterr is not NULL, every problem, one per line (NULL on OOM). */
int host_load_config(const char *path, bool crosvm, Config **ret, char **reterr);
/* Shared-directory id maps name host ids, so they are checked once the user is resolved (uid,
 * gid). Logs every problem; returns as host_load_config(). */
int host_check_share_hosts(const char *path, const Config *c, bool crosvm, uid_t uid, gid_t gid,
                char **reterr);
/* Looks up the configured user. -ENOENT with a logged error if it does not exist. */
int host_check_user(const Config *c, uid_t *ret_uid, gid_t *ret_gid);
/* Every explicit kernel, initramfs and disk path must exist; logs each one missing. Returns the
 * number of problems (0: fine). */
int host_check_paths(const Config *c);
/* Whether any VM boots the default image (no kernel of its own). */
bool host_needs_default_image(const Config *c);
