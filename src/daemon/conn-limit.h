/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conn-limit.h: how many connections each uid holds on one socket, and whether another may come
 * in: a cap for the socket and a lower one per uid, so no single uid (not even an authorised
 * one) can take every slot. Pure: no I/O, no clock. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

typedef struct ConnLimitUid {
        uid_t uid;
        size_t n; /* >= 1: entries are dropped when their last connection goes */
} ConnLimitUid;

typedef struct ConnLimit {
        size_t total_max;   /* connections on the socket, every uid together */
        size_t per_uid_max; /* connections of any one uid */
        size_t n_total;
        ConnLimitUid *uids; /* n_uids entries, at most n_total */
        size_t n_uids;
} ConnLimit;

/* A zeroed ConnLimit admits nothing: init it first. finish() accepts a zeroed one. */
void conn_limit_init(ConnLimit *l, size_t total_max, size_t per_uid_max);
void conn_limit_finish(ConnLimit *l);
/* Counts one more connection of uid: 0, or -EMFILE (the socket is at total_max), -EUSERS (uid is
 * at per_uid_max), -ENOMEM; nothing is counted on failure. */
int conn_limit_acquire(ConnLimit *l, uid_t uid);
/* Uncounts one connection of uid, which must hold one. */
void conn_limit_release(ConnLimit *l, uid_t uid);
/* Connections uid holds. */
size_t conn_limit_get(const ConnLimit *l, uid_t uid);
