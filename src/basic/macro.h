/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* macro.h: cleanup attributes, ownership transfer and small helpers used everywhere. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _fallthrough_ __attribute__((fallthrough))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Doubly linked lists through the members `next` and `prev` of each item; head points at the
 * first. REMOVE accepts an item that is on no list (both links NULL, not the head). */
#define LIST_PREPEND(head, item)                                                                   \
        do {                                                                                       \
                (item)->prev = NULL;                                                               \
                (item)->next = (head);                                                             \
                if (head)                                                                          \
                        (head)->prev = (item);                                                     \
                (head) = (item);                                                                   \
        } while (0)
#define LIST_REMOVE(head, item)                                                                    \
        do {                                                                                       \
                if ((item)->prev)                                                                  \
                        (item)->prev->next = (item)->next;                                         \
                else if ((head) == (item))                                                         \
                        (head) = (item)->next;                                                     \
                if ((item)->next)                                                                  \
                        (item)->next->prev = (item)->prev;                                         \
                (item)->next = (item)->prev = NULL;                                                \
        } while (0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Defines funcp(type **p) for use with _cleanup_(funcp); func must accept NULL-free values only
 * when called through this wrapper, since the wrapper checks for NULL itself. */
#define DEFINE_FREE_FUNC(type, func)                                                               \
        static inline void func##p(type *p) {                                                      \
                if (*p)                                                                            \
                        *p = func(*p);                                                             \
        }

/* For free()-like functions returning void. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
        static inline void func##p(type *p) {                                                      \
                if (*p)                                                                            \
                        func(*p);                                                                  \
        }

#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _p_ = (p);                                                           \
                (p) = NULL;                                                                        \
                _p_;                                                                               \
        })

#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _fd_ = (fd);                                                                   \
                (fd) = -EBADF;                                                                     \
                _fd_;                                                                              \
        })

#define IN_SET(x, ...)                                                                             \
        ({                                                                                         \
                const __typeof__(x) _set_[] = { __VA_ARGS__ };                                     \
                bool _found_ = false;                                                              \
                for (size_t _i_ = 0; _i_ < ELEMENTSOF(_set_); _i_++)                               \
                        if (_set_[_i_] == (x)) {                                                   \
                                _found_ = true;                                                    \
                                break;                                                             \
                        }                                                                          \
                _found_;                                                                           \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}

/* free() that returns NULL, for "p = mfree(p);". */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

#define streq(a, b) (strcmp((a), (b)) == 0)

static inline const char *strna(const char *s) {
        return s ? s : "n/a";
}

/* Zeroes secrets-free memory; used where a struct must read as "unset" after finish(). */
#define zero(x) memset(&(x), 0, sizeof(x))
