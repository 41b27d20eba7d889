/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-keys.c: unknown-option detection with "did you mean" suggestions. Pure. */
#include <string.h>
#include <strings.h>

#include "config-internal.h"

/* Levenshtein distance, capped: keys are short, and anything beyond the cap is "far". */
#define EDIT_DISTANCE_KEY_MAX 64

size_t config_keys_edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        size_t row[EDIT_DISTANCE_KEY_MAX + 1];

        if (la > EDIT_DISTANCE_KEY_MAX || lb > EDIT_DISTANCE_KEY_MAX)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];

                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

                        row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
                        diag = up;
                }
        }
        return row[lb];
}

const char *config_keys_suggest(const char *key, const char *const *known) {
        const char *best = NULL;
        size_t best_distance = 3;

        for (const char *const *k = known; *k; k++) {
                size_t d;

                if (strcasecmp(key, *k) == 0)
                        return *k;
                d = config_keys_edit_distance(key, *k);
                if (d < best_distance) {
                        best = *k;
                        best_distance = d;
                }
        }
        return best;
}

static bool key_is_known(const char *key, const char *const *known) {
        for (const char *const *k = known; *k; k++)
                if (streq(key, *k))
                        return true;
        return false;
}

int config_keys_check(ConfigErrors *e, const char *path, json_t *obj, const char *const *known) {
        const char *key;
        json_t *v;

        json_object_foreach(obj, key, v) {
                _cleanup_(freep) char *p = NULL;
                const char *suggestion;
                int r;

                if (key_is_known(key, known))
                        continue;
                p = config_path_key(path, key);
                if (!p)
                        return -ENOMEM;
                suggestion = config_keys_suggest(key, known);
                if (suggestion)
                        r = config_error_add(e, 0, 0, p, "unknown option, did you mean '%s'?",
                                        suggestion);
                else
                        r = config_error_add(e, 0, 0, p, "unknown option");
                if (r < 0)
                        return r;
        }
        return 0;
}
