/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-json.c: typed, error-recording getters from jansson objects. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config-internal.h"
#include "strv.h"

const char *config_json_type_name(const json_t *v) {
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return "an object";
        case JSON_ARRAY:
                return "a list";
        case JSON_STRING:
                return "a string";
        case JSON_INTEGER:
                return "an integer";
        case JSON_REAL:
                return "a number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "a boolean";
        case JSON_NULL:
        default:
                return "null";
        }
}

static int type_error(ConfigErrors *e, const char *path, const char *key, const char *expected,
                const json_t *v) {
        _cleanup_(freep) char *p = config_path_key(path, key);

        if (!p)
                return -ENOMEM;
        return config_error_add(
                        e, 0, 0, p, "expected %s, got %s", expected, config_json_type_name(v));
}

int config_json_bool(ConfigErrors *e, const char *path, json_t *obj, const char *key, bool *ret) {
        json_t *v = json_object_get(obj, key);

        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return type_error(e, path, key, "a boolean", v);
        *ret = json_is_true(v);
        return 1;
}

int config_json_uint(ConfigErrors *e, const char *path, json_t *obj, const char *key, uint64_t min,
                uint64_t max, const char *unit, uint64_t *ret) {
        json_t *v = json_object_get(obj, key);
        json_int_t i;

        if (!v)
                return 0;
        if (!json_is_integer(v))
                return type_error(e, path, key, "an integer", v);
        i = json_integer_value(v);
        if (i < 0 || (uint64_t) i < min || (uint64_t) i > max) {
                _cleanup_(freep) char *p = config_path_key(path, key);

                if (!p)
                        return -ENOMEM;
                return config_error_add(e, 0, 0, p,
                                "must be between %" PRIu64 " and %" PRIu64 "%s, got "
                                "%" JSON_INTEGER_FORMAT,
                                min, max, unit ?: "", i);
        }
        *ret = (uint64_t) i;
        return 1;
}

static int set_string(const char *s, char **ret) {
        char *c = strdup(s);

        if (!c)
                return -ENOMEM;
        free(*ret);
        *ret = c;
        return 1;
}

int config_json_string(ConfigErrors *e, const char *path, json_t *obj, const char *key,
                bool nullable, char **ret) {
        json_t *v = json_object_get(obj, key);

        if (!v || (nullable && json_is_null(v)))
                return 0;
        if (!json_is_string(v))
                return type_error(e, path, key, nullable ? "a string or null" : "a string", v);
        return set_string(json_string_value(v), ret);
}

int config_json_strv(ConfigErrors *e, const char *path, json_t *obj, const char *key, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        json_t *v = json_object_get(obj, key), *item;
        size_t i;

        if (!v)
                return 0;
        if (!json_is_array(v))
                return type_error(e, path, key, "a list of strings", v);
        l = strv_new_empty();
        if (!l)
                return -ENOMEM;
        json_array_foreach(v, i, item) {
                if (!json_is_string(item)) {
                        _cleanup_(freep) char *p = config_path_key(path, key);
                        _cleanup_(freep) char *pi = p ? config_path_index(p, i) : NULL;

                        if (!pi)
                                return -ENOMEM;
                        return config_error_add(e, 0, 0, pi, "expected a string, got %s",
                                        config_json_type_name(item));
                }
                if (strv_extend(&l, json_string_value(item)) < 0)
                        return -ENOMEM;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 1;
}

int config_json_object(
                ConfigErrors *e, const char *path, json_t *obj, const char *key, json_t **ret) {
        json_t *v = json_object_get(obj, key);

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_object(v))
                return type_error(e, path, key, "an object", v);
        *ret = v;
        return 1;
}

int config_json_array(
                ConfigErrors *e, const char *path, json_t *obj, const char *key, json_t **ret) {
        json_t *v = json_object_get(obj, key);

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_is_array(v))
                return type_error(e, path, key, "a list", v);
        *ret = v;
        return 1;
}

static bool option_key_is_valid(const char *key) {
        if (!*key)
                return false;
        for (const char *p = key; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '_' && *p != '-')
                        return false;
        return true;
}

/* The option's value as the VMM will see it. Returns 1 and sets *ret, 0 if v is not a scalar
 * we accept, -ENOMEM. */
static int option_value_format(json_t *v, char **ret) {
        char *s = NULL;

        if (json_is_string(v))
                s = strdup(json_string_value(v));
        else if (json_is_boolean(v))
                s = strdup(json_is_true(v) ? "true" : "false");
        else if (json_is_integer(v)) {
                if (asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
                        s = NULL;
        } else
                return 0;
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 1;
}

static bool key_is_skipped(const char *key, const char *const *skip) {
        for (const char *const *k = skip; k && *k; k++)
                if (streq(*k, key))
                        return true;
        return false;
}

static int options_append(KeyValueList *l, const char *key, char *value) {
        KeyValue *items;
        char *k;

        k = strdup(key);
        if (!k)
                return -ENOMEM;
        items = reallocarray(l->items, l->n_items + 1, sizeof(KeyValue));
        if (!items) {
                free(k);
                return -ENOMEM;
        }
        l->items = items;
        l->items[l->n_items++] = (KeyValue){ .key = k, .value = value };
        return 0;
}

static int option_add(
                ConfigErrors *e, const char *path, const char *key, json_t *v, KeyValueList *l) {
        _cleanup_(freep) char *p = NULL, *value = NULL;
        int r;

        p = config_path_key(path, key);
        if (!p)
                return -ENOMEM;
        if (!option_key_is_valid(key))
                return config_error_add(e, 0, 0, p,
                                "option names may only contain letters, digits, '_' and '-'");
        r = option_value_format(v, &value);
        if (r < 0)
                return r;
        if (r == 0)
                return config_error_add(e, 0, 0, p, "expected a string, integer or boolean, got %s",
                                config_json_type_name(v));
        if (strchr(value, ','))
                return config_error_add(
                                e, 0, 0, p, "must not contain ',' (it separates VMM options)");
        r = options_append(l, key, value);
        if (r < 0)
                return r;
        TAKE_PTR(value);
        return 0;
}

int config_json_options(ConfigErrors *e, const char *path, json_t *obj, const char *const *skip,
                KeyValueList *ret) {
        const char *key;
        json_t *v;
        int r;

        json_object_foreach(obj, key, v) {
                if (key_is_skipped(key, skip))
                        continue;
                r = option_add(e, path, key, v, ret);
                if (r < 0)
                        return r;
        }
        return 0;
}
