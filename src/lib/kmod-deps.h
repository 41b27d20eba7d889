/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmod-deps.h: kernel module load order from depmod's text files. Pure: the caller reads
 * modules.dep and modules.builtin and passes their contents in; nothing here touches a file.
 *
 * Module names are normalised as the kernel does: the basename without ".ko", ".ko.xz",
 * ".ko.zst" or ".ko.gz", with '-' read as '_' ("kernel/arch/x86/crypto/crc32c-intel.ko" is
 * "crc32c_intel"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Longest dependency chain followed; deeper ones fail with -ELOOP like a cycle. */
#define KMOD_DEPS_DEPTH_MAX 256
/* Longest module path accepted in modules.dep. */
#define KMOD_DEPS_PATH_MAX 4096

typedef struct KmodDeps KmodDeps;

/* Parses modules.dep ("path: dep-path dep-path…" per line). Returns -EBADMSG for a line without
 * ':' or with an unnamed module, -ENOTUNIQ for a module listed twice, -ENOMEM. */
int kmod_deps_parse(const char *dep_text, KmodDeps **ret);
/* Marks every module named in a modules.builtin text (one path per line) as built in. */
int kmod_deps_add_builtin(KmodDeps *d, const char *builtin_text);
KmodDeps *kmod_deps_free(KmodDeps *d);
DEFINE_FREE_FUNC(KmodDeps *, kmod_deps_free);

bool kmod_deps_is_builtin(const KmodDeps *d, const char *name);
/* The modules.dep path of a loadable module, or NULL. Owned by d. */
const char *kmod_deps_get_path(const KmodDeps *d, const char *name);

/* Load order for the wanted module names: every module after all of its dependencies, each once,
 * built-in ones left out. ret_order gets modules.dep paths. Wanted names that are neither
 * loadable nor built in go to ret_missing (may be NULL, then they are an -ENOENT error); a
 * dependency that is neither is always -ENOENT. Cycles and chains deeper than
 * KMOD_DEPS_DEPTH_MAX give -ELOOP. Both outputs are untouched on failure. */
int kmod_deps_order(const KmodDeps *d, char *const *wanted, char ***ret_order, char ***ret_missing);

/* Normalised module name of a path or name, or NULL on OOM or for a name that is empty or holds
 * a character outside [A-Za-z0-9_-]. */
char *kmod_name_from_path(const char *path);
/* The compression suffix of a module path: "" for plain ".ko", ".xz", ".zst", ".gz", or NULL if
 * path does not name a module. Points into path. */
const char *kmod_path_compression(const char *path);
