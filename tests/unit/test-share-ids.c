/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-share-ids.c: share-ids.c, the id keys of a shared directory as QEMU honours them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "share-ids.h"

static void test_parse_id_accepts_decimal_ids_up_to_max(void **state) {
        static const struct {
                const char *s;
                uint32_t want;
        } cases[] = {
                { "0", 0 },
                { "1000", 1000 },
                { "4294967294", SHARE_IDS_ID_MAX },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint32_t v = 7;

                assert_int_equal(share_ids_parse_id(cases[i].s, &v), 0);
                assert_int_equal(v, cases[i].want);
        }
}

static void test_parse_id_rejects_everything_else_and_keeps_ret(void **state) {
        static const struct {
                const char *s;
                int want;
        } cases[] = {
                { "", -EINVAL },
                { "-1", -EINVAL },
                { "+1", -EINVAL },
                { " 1", -EINVAL },
                { "1 ", -EINVAL },
                { "0x10", -EINVAL },
                { "users", -EINVAL },
                { "4294967295", -ERANGE },
                { "99999999999999999999", -ERANGE },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint32_t v = 7;

                assert_int_equal(share_ids_parse_id(cases[i].s, &v), cases[i].want);
                assert_int_equal(v, 7);
        }
}

static void test_parse_map_reads_one_triple(void **state) {
        ShareIdMap m;

        assert_int_equal(share_ids_parse_map("1000 999 1", &m), 0);
        assert_int_equal(m.inner, 1000);
        assert_int_equal(m.outer, 999);
        assert_int_equal(m.count, 1);
        assert_int_equal(share_ids_parse_map("0 0 65535", &m), 0);
        assert_int_equal(m.count, 65535);
}

static void test_parse_map_rejects_other_shapes(void **state) {
        static const char *const bad[] = {
                "",
                "1000",
                "1000 999",
                "1000 999 0",
                "1000  999 1",
                " 1000 999 1",
                "1000 999 1 ",
                "1000 999 1 2 3 4",
                "1000\t999\t1",
                "a b c",
                "1000 4294967295 1",
        };
        ShareIdMap m = { .inner = 7 };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(share_ids_parse_map(bad[i], &m) < 0);
                assert_int_equal(m.inner, 7);
        }
}

static void test_owner_prefers_uid_over_the_maps_inner_id(void **state) {
        KeyValue items[] = {
                { .key = "uidmap", .value = "1000 999 1" },
                { .key = "uid", .value = "1001" },
                { .key = "gidmap", .value = "1002 998 1" },
        };
        KeyValueList l = { .items = items, .n_items = 3 };
        ShareOwner o;

        assert_int_equal(share_ids_owner(&l, &o), 0);
        assert_true(o.has_uid && o.has_gid);
        assert_int_equal(o.uid, 1001);
        assert_int_equal(o.gid, 1002);
}

static void test_owner_without_id_keys_has_no_ids(void **state) {
        KeyValue items[] = { { .key = "readonly", .value = "true" } };
        KeyValueList l = { .items = items, .n_items = 1 };
        ShareOwner o;

        assert_int_equal(share_ids_owner(&l, &o), 0);
        assert_false(o.has_uid);
        assert_false(o.has_gid);
}

static void test_owner_rejects_a_bad_key(void **state) {
        KeyValue items[] = { { .key = "gid", .value = "users" } };
        KeyValueList l = { .items = items, .n_items = 1 };
        ShareOwner o;

        assert_int_equal(share_ids_owner(&l, &o), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_id_accepts_decimal_ids_up_to_max),
                cmocka_unit_test(test_parse_id_rejects_everything_else_and_keeps_ret),
                cmocka_unit_test(test_parse_map_reads_one_triple),
                cmocka_unit_test(test_parse_map_rejects_other_shapes),
                cmocka_unit_test(test_owner_prefers_uid_over_the_maps_inner_id),
                cmocka_unit_test(test_owner_without_id_keys_has_no_ids),
                cmocka_unit_test(test_owner_rejects_a_bad_key),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
