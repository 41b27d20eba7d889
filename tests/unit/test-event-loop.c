/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-event-loop.c: tests for src/basic/event-loop.c: each source kind fires, one-shot timers
 * fire once, sources freed from handlers are not dispatched. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "event-loop.h"
#include "time-util.h"

typedef struct Counter {
        EventLoop *loop;
        unsigned calls;
        int exit_after; /* exit the loop after this many calls */
        uint64_t usec;
        int signo;
} Counter;

static void counter_hit(Counter *c) {
        c->calls++;
        if ((int) c->calls >= c->exit_after)
                event_loop_exit(c->loop, 7);
}

static int on_time(EventSource *s, uint64_t usec, void *userdata) {
        Counter *c = userdata;

        c->usec = usec;
        counter_hit(c);
        return 0;
}

static int on_defer(EventSource *s, void *userdata) {
        counter_hit(userdata);
        return 0;
}

static void test_event_loop_time_fires_once_at_its_deadline(void **state) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;
        _cleanup_(event_source_freep) EventSource *t = NULL, *stop = NULL;
        Counter c = { .exit_after = 100 }, done = { .exit_after = 1 };
        uint64_t deadline = now_usec() + 20 * USEC_PER_MSEC;

        assert_int_equal(event_loop_new(&l), 0);
        c.loop = done.loop = l;
        assert_int_equal(event_loop_add_time(l, deadline, on_time, &c, &t), 0);
        /* A later timer ends the run: the first must have fired exactly once by then. */
        assert_int_equal(event_loop_add_time(
                                         l, deadline + 30 * USEC_PER_MSEC, on_time, &done, &stop),
                        0);
        assert_int_equal(event_loop_run(l), 7);
        assert_int_equal(c.calls, 1);
        assert_true(c.usec >= deadline);
        assert_false(event_source_get_enabled(t));
}

static void test_event_loop_time_in_the_past_fires_at_once(void **state) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;
        _cleanup_(event_source_freep) EventSource *t = NULL;
        Counter c = { .exit_after = 1 };

        assert_int_equal(event_loop_new(&l), 0);
        c.loop = l;
        assert_int_equal(event_loop_add_time(l, 0, on_time, &c, &t), 0);
        assert_int_equal(event_loop_run(l), 7);
        assert_int_equal(c.calls, 1);
}

static int on_signal(EventSource *s, const struct signalfd_siginfo *si, void *userdata) {
        Counter *c = userdata;

        c->signo = (int) si->ssi_signo;
        counter_hit(c);
        return 0;
}

static void test_event_loop_signal_is_delivered_to_its_source(void **state) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;
        _cleanup_(event_source_freep) EventSource *sig = NULL;
        Counter c = { .exit_after = 1 };
        sigset_t mask, old;

        sigemptyset(&mask);
        sigaddset(&mask, SIGUSR1);
        assert_int_equal(sigprocmask(SIG_BLOCK, &mask, &old), 0);
        assert_int_equal(event_loop_new(&l), 0);
        c.loop = l;
        assert_int_equal(event_loop_add_signal(l, SIGUSR1, on_signal, &c, &sig), 0);
        assert_int_equal(kill(getpid(), SIGUSR1), 0);
        assert_int_equal(event_loop_run(l), 7);
        assert_int_equal(c.signo, SIGUSR1);
        assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void test_event_loop_defer_runs_every_iteration_while_enabled(void **state) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;
        _cleanup_(event_source_freep) EventSource *d = NULL;
        Counter c = { .exit_after = 3 };

        assert_int_equal(event_loop_new(&l), 0);
        c.loop = l;
        /* Nothing else is pending: the loop must not block while a defer source is enabled. */
        assert_int_equal(event_loop_add_defer(l, on_defer, &c, &d), 0);
        assert_int_equal(event_loop_run(l), 7);
        assert_int_equal(c.calls, 3);
}

typedef struct PostCheck {
        EventLoop *loop;
        EventSource *defer;
        unsigned posts, defers_seen_by_post;
        unsigned defers;
} PostCheck;

static int on_check_defer(EventSource *s, void *userdata) {
        PostCheck *p = userdata;

        p->defers++;
        return 0;
}

/* Post runs before every wait: it sees each defer dispatch, then disables the defer source, so
 * the loop would block if it ran again; it exits instead. */
static int on_check_post(EventSource *s, void *userdata) {
        PostCheck *p = userdata;

        p->posts++;
        p->defers_seen_by_post = p->defers;
        if (p->defers == 2) {
                event_source_set_enabled(p->defer, false);
                event_loop_exit(p->loop, 0);
        }
        return 0;
}

static void test_event_loop_post_runs_before_every_wait(void **state) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;
        _cleanup_(event_source_freep) EventSource *post = NULL;
        PostCheck p = {};

        assert_int_equal(event_loop_new(&l), 0);
        p.loop = l;
        assert_int_equal(event_loop_add_defer(l, on_check_defer, &p, &p.defer), 0);
        assert_int_equal(event_loop_add_post(l, on_check_post, &p, &post), 0);
        assert_int_equal(event_loop_run(l), 0);
        assert_int_equal(p.posts, 3); /* before the first wait, after each of two defers */
        assert_int_equal(p.defers_seen_by_post, 2);
        p.defer = event_source_free(p.defer);
}

typedef struct FreeCheck {
        EventLoop *loop;
        EventSource *victim;
        unsigned victim_calls;
} FreeCheck;

static int on_victim(EventSource *s, void *userdata) {
        FreeCheck *f = userdata;

        f->victim_calls++;
        return 0;
}

static int on_killer(EventSource *s, void *userdata) {
        FreeCheck *f = userdata;

        f->victim = event_source_free(f->victim);
        event_source_free(s);
        event_loop_exit(f->loop, 0);
        return 0;
}

static void test_event_loop_source_freed_by_an_earlier_handler_is_not_dispatched(void **state) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;
        EventSource *killer;
        FreeCheck f = {};

        assert_int_equal(event_loop_new(&l), 0);
        f.loop = l;
        /* Sources are prepended: the killer, added last, runs first in the same round. */
        assert_int_equal(event_loop_add_defer(l, on_victim, &f, &f.victim), 0);
        assert_int_equal(event_loop_add_defer(l, on_killer, &f, &killer), 0);
        assert_int_equal(event_loop_run(l), 0);
        assert_int_equal(f.victim_calls, 0);
}

static int on_readable(EventSource *s, int fd, uint32_t revents, void *userdata) {
        Counter *c = userdata;
        char b;

        assert_true(revents & EPOLLIN);
        assert_int_equal(read(fd, &b, 1), 1);
        counter_hit(c);
        return 0;
}

static void test_event_loop_io_with_no_events_is_not_dispatched(void **state) {
        _cleanup_(event_loop_freep) EventLoop *l = NULL;
        _cleanup_(event_source_freep) EventSource *io = NULL, *t = NULL;
        _cleanup_(closep) int r0 = -EBADF, w0 = -EBADF;
        Counter c = { .exit_after = 1 }, stop = { .exit_after = 1 };
        int p[2];

        assert_int_equal(pipe(p), 0);
        r0 = p[0];
        w0 = p[1];
        assert_int_equal(write(w0, "x", 1), 1);
        assert_int_equal(event_loop_new(&l), 0);
        c.loop = stop.loop = l;
        assert_int_equal(event_loop_add_io(l, r0, EPOLLIN, on_readable, &c, &io), 0);
        assert_int_equal(event_source_set_events(io, 0), 0);
        assert_int_equal(
                        event_loop_add_time(l, now_usec() + 10 * USEC_PER_MSEC, on_time, &stop, &t),
                        0);
        assert_int_equal(event_loop_run(l), 7);
        assert_int_equal(c.calls, 0);
        assert_int_equal(event_source_set_events(io, EPOLLIN), 0);
        stop.exit_after = 100;
        assert_int_equal(event_loop_run(l), 7);
        assert_int_equal(c.calls, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_event_loop_time_fires_once_at_its_deadline),
                cmocka_unit_test(test_event_loop_time_in_the_past_fires_at_once),
                cmocka_unit_test(test_event_loop_signal_is_delivered_to_its_source),
                cmocka_unit_test(test_event_loop_defer_runs_every_iteration_while_enabled),
                cmocka_unit_test(test_event_loop_post_runs_before_every_wait),
                cmocka_unit_test(
                                test_event_loop_source_freed_by_an_earlier_handler_is_not_dispatched),
                cmocka_unit_test(test_event_loop_io_with_no_events_is_not_dispatched),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
