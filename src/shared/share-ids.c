/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-ids.c: uid/gid/uidmap/gidmap of a shared directory as QEMU honours them. Pure. */
#include <string.h>

#include "share-ids.h"

bool share_ids_is_key(const char *key) {
        return streq(key, "uid") || streq(key, "gid") || streq(key, "uidmap") ||
               streq(key, "gidmap");
}

/* Parses decimal digits from *p up to a space or the end; advances *p past them. */
static int parse_id_prefix(const char **p, uint32_t *ret) {
        uint64_t v = 0;
        const char *s = *p;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (uint64_t) (*s - '0');
                if (v > SHARE_IDS_ID_MAX)
                        return -ERANGE;
        }
        *p = s;
        *ret = (uint32_t) v;
        return 0;
}

int share_ids_parse_id(const char *s, uint32_t *ret) {
        uint32_t v;
        int r;

        r = parse_id_prefix(&s, &v);
        if (r < 0)
                return r;
        if (*s != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int share_ids_parse_map(const char *s, ShareIdMap *ret) {
        uint32_t v[3];
        int r;

        for (size_t i = 0; i < 3; i++) {
                if (i > 0 && *s++ != ' ')
                        return -EINVAL;
                r = parse_id_prefix(&s, &v[i]);
                if (r < 0)
                        return r;
        }
        if (*s != '\0' || v[2] == 0)
                return -EINVAL;
        *ret = (ShareIdMap){ .inner = v[0], .outer = v[1], .count = v[2] };
        return 0;
}

/* id_key wins over map_key's inner id. */
static int owner_id(const KeyValueList *options, const char *id_key, const char *map_key,
                bool *ret_has, uint32_t *ret) {
        const char *id = key_value_list_get(options, id_key);
        const char *map = key_value_list_get(options, map_key);
        ShareIdMap m;
        uint32_t v = 0;
        int r;

        if (map) {
                r = share_ids_parse_map(map, &m);
                if (r < 0)
                        return r;
                v = m.inner;
        }
        if (id) {
                r = share_ids_parse_id(id, &v);
                if (r < 0)
                        return r;
        }
        *ret_has = id || map;
        if (*ret_has)
                *ret = v;
        return 0;
}

int share_ids_owner(const KeyValueList *options, ShareOwner *ret) {
        ShareOwner o = {};
        int r;

        r = owner_id(options, "uid", "uidmap", &o.has_uid, &o.uid);
        if (r < 0)
                return r;
        r = owner_id(options, "gid", "gidmap", &o.has_gid, &o.gid);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}
