/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-qmp.c: the QMP client against a scripted QEMU on a socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "qmp.h"

typedef struct Fixture {
        sd_event *event;
        Qmp *qmp;
        int qemu; /* our end, playing QEMU */
} Fixture;

typedef struct Reply {
        bool called;
        int error;
        char *text; /* the return value, dumped */
        char *desc;
} Reply;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        int pair[2];

        assert_non_null(f);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        assert_int_equal(sd_event_new(&f->event), 0);
        assert_int_equal(qmp_new(f->event, pair[0], "test", &f->qmp), 0);
        f->qemu = pair[1];
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        qmp_free(f->qmp);
        sd_event_unref(f->event);
        close(f->qemu);
        free(f);
        return 0;
}

static void on_reply(
                Qmp *q, int error, json_t *untrusted_return, const char *desc, void *userdata) {
        Reply *r = userdata;

        r->called = true;
        r->error = error;
        r->text = untrusted_return ? json_dumps(untrusted_return, JSON_COMPACT | JSON_SORT_KEYS |
                                                                                  JSON_ENCODE_ANY)
                                   : NULL;
        r->desc = desc ? strdup(desc) : NULL;
}

static void run_until(Fixture *f, const bool *done) {
        for (int i = 0; i < 1000 && !*done; i++)
                assert_true(sd_event_run(f->event, 10000) >= 0);
        assert_true(*done);
}

static void pump(Fixture *f) {
        for (int i = 0; i < 20; i++)
                assert_true(sd_event_run(f->event, 1000) >= 0);
}

/* Reads one line QEMU received. */
static char *qemu_read_line(Fixture *f) {
        static char line[4096];
        size_t n = 0;

        pump(f);
        while (n < sizeof(line) - 1) {
                ssize_t k = recv(f->qemu, line + n, 1, MSG_DONTWAIT);
                if (k <= 0) {
                        pump(f);
                        k = recv(f->qemu, line + n, 1, MSG_DONTWAIT);
                }
                assert_true(k == 1);
                if (line[n] == '\n')
                        break;
                n++;
        }
        line[n] = '\0';
        return line;
}

static void qemu_send(Fixture *f, const char *text) {
        assert_true(send(f->qemu, text, strlen(text), 0) == (ssize_t) strlen(text));
}

static void handshake(Fixture *f) {
        qemu_send(f, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
        assert_non_null(strstr(qemu_read_line(f), "\"qmp_capabilities\""));
        qemu_send(f, "{\"return\": {}, \"id\": 1}\r\n");
        pump(f);
}

static void reply_finish(Reply *r) {
        free(r->text);
        free(r->desc);
}

static void test_qmp_holds_commands_until_the_handshake_is_done(void **state) {
        Fixture *f = *state;
        Reply r = {};

        assert_int_equal(qmp_call(f->qmp, "query-balloon", NULL, on_reply, &r), 0);
        pump(f);
        qemu_send(f, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
        assert_non_null(strstr(qemu_read_line(f), "\"qmp_capabilities\""));
        qemu_send(f, "{\"return\": {}, \"id\": 2}\r\n");
        assert_non_null(strstr(qemu_read_line(f), "\"query-balloon\""));
        qemu_send(f, "{\"return\": {\"actual\": 268435456}, \"id\": 1}\r\n");
        run_until(f, &r.called);
        assert_int_equal(r.error, 0);
        assert_string_equal(r.text, "{\"actual\":268435456}");
        reply_finish(&r);
}

static void test_qmp_matches_replies_by_id_and_skips_events(void **state) {
        Fixture *f = *state;
        Reply a = {}, b = {};

        handshake(f);
        assert_int_equal(qmp_call(f->qmp, "first", NULL, on_reply, &a), 0);
        assert_int_equal(qmp_call(f->qmp, "second", NULL, on_reply, &b), 0);
        qemu_send(f, "{\"event\": \"BALLOON_CHANGE\", \"data\": {}}\n"
                     "{\"return\": 2, \"id\": 3}\n{\"return\": 1, \"id\": 2}\n");
        run_until(f, &b.called);
        assert_true(a.called);
        assert_string_equal(a.text, "1");
        assert_string_equal(b.text, "2");
        reply_finish(&a);
        reply_finish(&b);
}

static void test_qmp_reports_qemu_errors_with_their_description(void **state) {
        Fixture *f = *state;
        Reply r = {};

        handshake(f);
        assert_int_equal(qmp_call(f->qmp, "nope", NULL, on_reply, &r), 0);
        qemu_send(f, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no such command\"}, "
                     "\"id\": 2}\n");
        run_until(f, &r.called);
        assert_int_equal(r.error, -EIO);
        assert_string_equal(r.desc, "no such command");
        reply_finish(&r);
}

static void test_qmp_accepts_unsigned_64_bit_stats(void **state) {
        Fixture *f = *state;
        Reply r = {};

        handshake(f);
        assert_int_equal(qmp_call(f->qmp, "qom-get", NULL, on_reply, &r), 0);
        qemu_send(f, "{\"return\": {\"stats\": {\"stat-free-memory\": 18446744073709551615}}, "
                     "\"id\": 2}\n");
        run_until(f, &r.called);
        assert_int_equal(r.error, 0);
        assert_non_null(strstr(r.text, "stat-free-memory"));
        reply_finish(&r);
}

static void test_qmp_malformed_message_fails_pending_calls(void **state) {
        Fixture *f = *state;
        Reply r = {};

        handshake(f);
        assert_int_equal(qmp_call(f->qmp, "x", NULL, on_reply, &r), 0);
        qemu_send(f, "{this is not json\n");
        run_until(f, &r.called);
        assert_int_equal(r.error, -ECONNRESET);
        assert_int_equal(qmp_call(f->qmp, "y", NULL, NULL, NULL), -ECONNRESET);
        reply_finish(&r);
}

static void test_qmp_message_over_the_limit_breaks_the_connection(void **state) {
        Fixture *f = *state;
        Reply r = {};
        char chunk[65536];

        handshake(f);
        assert_int_equal(qmp_call(f->qmp, "x", NULL, on_reply, &r), 0);
        memset(chunk, ' ', sizeof(chunk));
        for (size_t sent = 0; sent <= QMP_MESSAGE_MAX && !r.called; sent += sizeof(chunk)) {
                ssize_t n = send(f->qemu, chunk, sizeof(chunk), MSG_DONTWAIT);
                assert_true(n > 0 || errno == EAGAIN);
                pump(f);
        }
        run_until(f, &r.called);
        assert_int_equal(r.error, -ECONNRESET);
        reply_finish(&r);
}

static void test_qmp_closed_connection_fails_pending_calls(void **state) {
        Fixture *f = *state;
        Reply r = {};

        handshake(f);
        assert_int_equal(qmp_call(f->qmp, "x", NULL, on_reply, &r), 0);
        shutdown(f->qemu, SHUT_RDWR);
        run_until(f, &r.called);
        assert_int_equal(r.error, -ECONNRESET);
        reply_finish(&r);
}

static void test_qmp_ignores_replies_to_ids_it_never_sent(void **state) {
        Fixture *f = *state;
        Reply r = {};

        handshake(f);
        assert_int_equal(qmp_call(f->qmp, "x", NULL, on_reply, &r), 0);
        qemu_send(f, "{\"return\": 666, \"id\": 99}\n{\"return\": 7, \"id\": \"2\"}\n");
        pump(f);
        assert_false(r.called);
        qemu_send(f, "{\"return\": 7, \"id\": 2}\n");
        run_until(f, &r.called);
        assert_string_equal(r.text, "7");
        reply_finish(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_qmp_holds_commands_until_the_handshake_is_done,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_qmp_matches_replies_by_id_and_skips_events, setup, teardown),
                cmocka_unit_test_setup_teardown(test_qmp_reports_qemu_errors_with_their_description,
                                setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_qmp_accepts_unsigned_64_bit_stats, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_qmp_malformed_message_fails_pending_calls, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_qmp_message_over_the_limit_breaks_the_connection, setup,
                                teardown),
                cmocka_unit_test_setup_teardown(
                                test_qmp_closed_connection_fails_pending_calls, setup, teardown),
                cmocka_unit_test_setup_teardown(
                                test_qmp_ignores_replies_to_ids_it_never_sent, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
