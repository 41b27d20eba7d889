/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-plan.h: the decisions of `vmsilo image build` that need no I/O: which kernel, which
 * modules in which order, where each file goes in the initramfs, and the inputs manifest that
 * decides whether to rebuild. Pure: buffers and texts in, results in ret_*; no files, no logging.
 * The I/O lives in image-build.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "macro.h"

/* Bump when the image layout or /init contract changes: old caches then rebuild. */
#define IMAGE_LAYOUT_VERSION 2
#define IMAGE_MANIFEST_MAGIC "vmsilo-image-manifest"

/* File names inside an image directory (<state>/images/default/). */
#define IMAGE_KERNEL_NAME "vmlinuz"
#define IMAGE_INITRD_NAME "initramfs.cpio"
#define IMAGE_MANIFEST_NAME "manifest"

/* Paths inside the initramfs (relative, as cpio wants them). */
#define IMAGE_AGENT_PATH "usr/bin/vmsilo-agent"
#define IMAGE_BUSYBOX_PATH "bin/busybox"
#define IMAGE_INIT_PATH "init"
#define IMAGE_MODULES_ORDER_PATH "lib/vmsilo/modules.order"
/* /init's stages (guest/init.d), sourced in name order. */
#define IMAGE_INIT_STAGES_PATH "lib/vmsilo/init.d"
/* /init copies it into a root disk that lacks the agent. */
#define IMAGE_AGENT_UNIT_PATH "lib/vmsilo/vmsilo-agent.service"

/* Longest kernel version string accepted (utsname release is 64 bytes). */
#define IMAGE_KERNEL_VERSION_MAX 64

/* NULL-terminated module names. Required ones must be loadable or built in; optional ones are
 * left out with a warning when the kernel has neither. */
extern const char *const image_modules_required[];
extern const char *const image_modules_optional[];

/* Where the init stage file called name goes in the initramfs ("lib/vmsilo/init.d/NAME"), or NULL
 * if name is not a stage: stages are "[A-Za-z0-9_-]+.sh", so editor backups and dot files in the
 * directory are left out, and none can name a path. NULL also on OOM (errno ENOMEM). */
char *image_plan_init_stage_dest(const char *name);

/* The compression suffix of a module path ending in ".ko", ".ko.xz", ".ko.zst" or ".ko.gz":
 * "", ".xz", ".zst" or ".gz" (pointing into path); NULL for anything else. */
const char *image_plan_module_compression(const char *path);

/* Picks the newest (strverscmp) "vmlinuz-<version>" among directory entry names; -ENOENT if
 * there is none. ret gets the entry name. */
int image_plan_pick_kernel(char *const *entries, char **ret);

/* Kernel release ("6.1.0-57-amd64") from an x86 bzImage's setup header; -ENOEXEC if buf is not a
 * bzImage or carries no version string. */
int image_plan_kernel_version(const uint8_t *buf, size_t size, char **ret);
/* From a file name "vmlinuz-<version>"; -EINVAL otherwise. */
int image_plan_kernel_version_from_name(const char *name, char **ret);

/* 1 for a statically linked ELF64 little-endian executable (no PT_INTERP), 0 for a dynamically
 * linked one, -ENOEXEC for anything else. */
int image_plan_elf_is_static(const uint8_t *buf, size_t size);

/* Applet paths from `busybox --list-full` output ("bin/sh\nusr/bin/[\n…"), checked to be valid
 * cpio paths below bin/, sbin/, usr/bin/ or usr/sbin/ or at the top level; -EBADMSG otherwise.
 * Duplicates and busybox's own path (IMAGE_BUSYBOX_PATH) are left out. */
int image_plan_applets(const char *list_full, char ***ret);

/* "lib/modules/<version>/<name>.ko" for a modules.dep path; NULL on OOM or a bad path. */
char *image_plan_module_dest(const char *kernel_version, const char *dep_path);

typedef struct ImageInput {
        char *role; /* "kernel", "busybox", "agent", "init", "module" */
        char *path; /* where it was read from (modules: the modules.dep path) */
        char sha256_hex[SHA256_HEX_SIZE];
} ImageInput;

/* What an image was built from. Two manifests with equal text describe equal images. */
typedef struct ImageManifest {
        char *kernel_version;
        ImageInput *inputs; /* in build order; modules in load order */
        size_t n_inputs;
} ImageManifest;

void image_manifest_init(ImageManifest *m);
void image_manifest_finish(ImageManifest *m);
int image_manifest_set_kernel_version(ImageManifest *m, const char *version);
/* Copies role and path; -EINVAL if either is empty or holds a control character (the manifest
 * is line-based). */
int image_manifest_add(ImageManifest *m, const char *role, const char *path,
                const uint8_t digest[SHA256_DIGEST_SIZE]);
/* Text form: a magic + layout version line, "kernel-version V", then "ROLE SHA256 PATH" per
 * input. */
int image_manifest_format(const ImageManifest *m, char **ret);

/* Whether an image whose stored manifest text is `stored` (NULL: none, or unreadable) must be
 * rebuilt to match `fresh`. */
bool image_plan_needs_rebuild(const char *stored, const char *fresh);
