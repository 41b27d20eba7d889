/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-config-helpers.h: loading snippets of configuration in the config tests. Test JSON is
 * written with single quotes ('name': 'a'), which q() turns into double quotes, so that the
 * documents stay readable inside C strings. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

/* A document with the required user and one VM named "a"; FIELDS starts with a comma. */
#define ONE_VM(fields) "{'user': 'u', 'nixosVms': [{'name': 'a'" fields "}]}"
/* A document with one VM "a" whose only interface is "wan" with the given fields. */
#define ONE_IF(fields) ONE_VM(", 'network': {'interfaces': {'wan': {" fields "}}}")

/* Returns a malloc'd copy of s with every ' replaced by ". */
static inline char *q(const char *s) {
        char *c = strdup(s);

        assert_non_null(c);
        for (char *p = c; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return c;
}

static inline void print_errors(const ConfigErrors *e) {
        for (size_t i = 0; i < e->n_items; i++)
                fprintf(stderr, "  error: %d:%d: %s: %s\n", e->items[i].line, e->items[i].column,
                                e->items[i].path, e->items[i].message);
}

/* Loads a document that must be valid. */
static inline Config *load_ok(const char *json) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        _cleanup_(freep) char *doc = q(json);
        Config *c = NULL;
        int r;

        r = config_load_string(doc, "test", &c, &e);
        if (r < 0)
                print_errors(&e);
        assert_int_equal(r, 0);
        assert_int_equal(e.n_items, 0);
        assert_non_null(c);
        return c;
}

/* Loads a file that must be valid. */
static inline Config *load_file_ok(const char *path) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};
        Config *c = NULL;
        int r;

        r = config_load_file(path, &c, &e);
        if (r < 0)
                print_errors(&e);
        assert_int_equal(r, 0);
        return c;
}

/* Loads a document that must be rejected; returns the errors for inspection. */
static inline void load_bad(const char *json, ConfigErrors *ret) {
        _cleanup_(freep) char *doc = q(json);
        Config *c = (Config *) 0x1; /* must survive a failed load untouched */

        assert_int_equal(config_load_string(doc, "test", &c, ret), -EINVAL);
        assert_ptr_equal(c, (Config *) 0x1);
        assert_true(ret->n_items > 0);
}

/* The document must be rejected with exactly one error, at path, whose message contains
 * message_part. */
static inline void assert_one_error(const char *json, const char *path, const char *message_part) {
        _cleanup_(config_errors_finish) ConfigErrors e = {};

        load_bad(json, &e);
        if (e.n_items != 1 || !streq(e.items[0].path, path) ||
                        !strstr(e.items[0].message, message_part)) {
                fprintf(stderr, "  expected: %s: …%s…\n", path, message_part);
                print_errors(&e);
                fail();
        }
}
