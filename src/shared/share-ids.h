/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-ids.h: the id keys of a sharedDirectories entry (uid, gid, uidmap, gidmap) as QEMU's 9p
 * server can honour them. Pure.
 *
 * In crosvm these keys configure the user namespace of its per-device jail (`uidmap`/`gidmap`
 * "INNER OUTER COUNT", minijail syntax, guest ids to host ids; `uid`/`gid` the device's own ids
 * in it), which --disable-sandbox turns off: on crosvm they are errors (plan-validate.c).
 *
 * QEMU runs unprivileged as the configured user with security_model=mapped-xattr: on the host
 * every file belongs to that user, and the guest sees the owner it set itself, kept in the
 * user.virtfs.* xattrs. What that can express is one guest id standing for the configured user:
 * "INNER OUTER 1" with OUTER = the configured user, and uid/gid = INNER. vmsilod records that id
 * as the guest owner of the share's root (and QEMU reports it), so the guest user can write the
 * share. Ranges (COUNT > 1) and several triples cannot be honoured. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* The largest id accepted: (uid_t) -1 means "unchanged" to chown(2). */
#define SHARE_IDS_ID_MAX (UINT32_MAX - 1)

typedef struct ShareIdMap {
        uint32_t inner; /* guest id */
        uint32_t outer; /* host id */
        uint32_t count;
} ShareIdMap;

/* The guest owner of a share's root, from uid/gid or else the maps' inner ids. */
typedef struct ShareOwner {
        bool has_uid, has_gid;
        uint32_t uid, gid;
} ShareOwner;

/* Whether key is one of uid, gid, uidmap, gidmap. */
bool share_ids_is_key(const char *key);

/* Decimal 0..SHARE_IDS_ID_MAX, no sign, no spaces. -EINVAL on bad syntax, -ERANGE if larger. */
int share_ids_parse_id(const char *s, uint32_t *ret);

/* Exactly one "INNER OUTER COUNT" triple of decimal ids separated by single spaces, COUNT ≥ 1.
 * -EINVAL otherwise (a ',' — a second triple — cannot reach here: VMM option values never
 * contain one). */
int share_ids_parse_map(const char *s, ShareIdMap *ret);

/* The guest owner the options ask for: uid, else uidmap's inner id; likewise for gid. Options
 * without any of the four keys give an owner with neither id. -EINVAL if a present key does not
 * parse (plan_validate_vm() reports which). */
int share_ids_owner(const KeyValueList *options, ShareOwner *ret);
