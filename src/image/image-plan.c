/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-plan.c: kernel, module and manifest decisions of the image builder. Pure. */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "cpio.h"
#include "image-plan.h"
#include "strv.h"

/* The agent's channel is a virtio-console port: without it the guest is unreachable. */
const char *const image_modules_required[] = {
        "virtio_console",
        NULL,
};

/* Transports first (microvm: MMIO; q35: PCI), then devices, filesystems and sockets. Their
 * dependencies and softdeps (ext4's crc32c) come from libkmod (image-modules.c). Sound: the
 * HDA codec driver before the controller, so the codec QEMU emulates binds while the controller
 * probes (after switch_root no module is left to request). */
const char *const image_modules_optional[] = {
        "virtio_mmio",
        "virtio_pci",
        "virtio_blk",
        "virtio_net",
        "virtio_balloon",
        "virtio_rng",
        "9pnet_virtio",
        "9p",
        "virtiofs",
        "overlay",
        "vmw_vsock_virtio_transport",
        "ext4",
        "snd_hda_codec_generic",
        "snd_hda_intel",
        NULL,
};

char *image_plan_init_stage_dest(const char *name) {
        size_t n = strlen(name);
        char *dest;

        if (n <= 3 || !streq(name + n - 3, ".sh"))
                return NULL;
        for (size_t i = 0; i < n - 3; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
                                    name[i]))
                        return NULL;
        if (asprintf(&dest, IMAGE_INIT_STAGES_PATH "/%s", name) < 0)
                return NULL;
        return dest;
}

const char *image_plan_module_compression(const char *path) {
        static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
        size_t n = strlen(path);

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t m = strlen(suffixes[i]);
                if (n >= m && streq(path + n - m, suffixes[i]))
                        return path + n - m + strlen(".ko");
        }
        return NULL;
}

/* "kernel/arch/x86/crypto/crc32c-intel.ko.xz" → "crc32c_intel", as the kernel names it; NULL
 * for a path that is no module file or on OOM. */
static char *module_name_from_path(const char *path) {
        const char *base = strrchr(path, '/'), *compression;
        size_t n;
        char *name;

        base = base ? base + 1 : path;
        compression = image_plan_module_compression(base);
        if (!compression)
                return NULL;
        n = (size_t) (compression - base) - strlen(".ko");
        /* Kernel module names are [A-Za-z0-9_-]; anything else (say "a.ko.xz.ko") is no module. */
        if (n == 0 || strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") <
                                        n)
                return NULL;
        name = strndup(base, n);
        if (!name)
                return NULL;
        for (char *p = name; *p; p++)
                if (*p == '-')
                        *p = '_';
        return name;
}

static bool kernel_entry_is_candidate(const char *name) {
        size_t n = strlen(name);

        if (strncmp(name, "vmlinuz-", strlen("vmlinuz-")) != 0 || n == strlen("vmlinuz-"))
                return false;
        /* Debian leaves "*.old" and dpkg leftovers next to the real ones. */
        if (strchr(name, '/') || strstr(name, ".dpkg-") || (n > 4 && streq(name + n - 4, ".old")) ||
                        (n > 4 && streq(name + n - 4, ".bak")))
                return false;
        return true;
}

int image_plan_pick_kernel(char *const *entries, char **ret) {
        const char *best = NULL;
        char *c;

        STRV_FOREACH(e, entries) {
                if (kernel_entry_is_candidate(*e) && (!best || strverscmp(*e, best) > 0))
                        best = *e;
        }
        if (!best)
                return -ENOENT;
        c = strdup(best);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

static bool kernel_version_is_valid(const char *v, size_t n) {
        if (n == 0 || n > IMAGE_KERNEL_VERSION_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (v[i] <= ' ' || v[i] > '~' || v[i] == '/')
                        return false;
        return !(n == 1 && v[0] == '.') && !(n == 2 && v[0] == '.' && v[1] == '.');
}

int image_plan_kernel_version_from_name(const char *name, char **ret) {
        const char *v;
        char *c;

        if (strncmp(name, "vmlinuz-", strlen("vmlinuz-")) != 0)
                return -EINVAL;
        v = name + strlen("vmlinuz-");
        if (!kernel_version_is_valid(v, strlen(v)))
                return -EINVAL;
        c = strdup(v);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* x86 boot protocol (Documentation/x86/boot.rst): "HdrS" at 0x202, protocol version at 0x206,
 * kernel_version at 0x20e: offset - 0x200 of a NUL-terminated "release (builder) #…" string. */
#define BZIMAGE_MAGIC_OFFSET 0x202
#define BZIMAGE_VERSION_PTR_OFFSET 0x20e
#define BZIMAGE_SETUP_BASE 0x200

int image_plan_kernel_version(const uint8_t *buf, size_t size, char **ret) {
        size_t offset, n;
        char *c;

        if (size < BZIMAGE_VERSION_PTR_OFFSET + 2 ||
                        memcmp(buf + BZIMAGE_MAGIC_OFFSET, "HdrS", 4) != 0)
                return -ENOEXEC;
        offset = (size_t) (buf[BZIMAGE_VERSION_PTR_OFFSET] | buf[BZIMAGE_VERSION_PTR_OFFSET + 1]
                                                                             << 8) +
                 BZIMAGE_SETUP_BASE;
        if (offset == BZIMAGE_SETUP_BASE || offset >= size)
                return -ENOEXEC;
        for (n = 0; offset + n < size && n <= IMAGE_KERNEL_VERSION_MAX; n++)
                if (buf[offset + n] == ' ' || buf[offset + n] == '\0')
                        break;
        if (!kernel_version_is_valid((const char *) buf + offset, n))
                return -ENOEXEC;
        c = strndup((const char *) buf + offset, n);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

int image_plan_elf_is_static(const uint8_t *buf, size_t size) {
        Elf64_Ehdr eh;

        if (size < sizeof(eh))
                return -ENOEXEC;
        memcpy(&eh, buf, sizeof(eh));
        if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
                        eh.e_ident[EI_DATA] != ELFDATA2LSB ||
                        !IN_SET(eh.e_type, (Elf64_Half) ET_EXEC, (Elf64_Half) ET_DYN) ||
                        eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > size ||
                        eh.e_phnum > (size - eh.e_phoff) / sizeof(Elf64_Phdr))
                return -ENOEXEC;
        for (size_t i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;

                memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
                if (ph.p_type == PT_INTERP)
                        return 0;
        }
        return 1;
}

static bool applet_path_is_valid(const char *p) {
        static const char *const prefixes[] = { "bin/", "sbin/", "usr/bin/", "usr/sbin/" };

        if (!cpio_path_is_valid(p))
                return false;
        if (!strchr(p, '/'))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0 &&
                                !strchr(p + strlen(prefixes[i]), '/'))
                        return true;
        return false;
}

int image_plan_applets(const char *list_full, char ***ret) {
        _cleanup_(strv_freep) char **l = strv_new_empty();
        int r;

        if (!l)
                return -ENOMEM;
        for (const char *p = list_full; *p;) {
                size_t len = strcspn(p, "\n");
                _cleanup_(freep) char *line = strndup(p, len);

                if (!line)
                        return -ENOMEM;
                p += len;
                if (*p == '\n')
                        p++;
                if (len == 0)
                        continue;
                /* busybox lists itself; an applet named like /init would replace it. */
                if (!applet_path_is_valid(line) || streq(line, IMAGE_INIT_PATH))
                        return -EBADMSG;
                if (streq(line, IMAGE_BUSYBOX_PATH) || strv_contains(l, line))
                        continue;
                r = strv_consume(&l, TAKE_PTR(line));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

char *image_plan_module_dest(const char *kernel_version, const char *dep_path) {
        _cleanup_(freep) char *name = NULL;
        char *dest;

        name = module_name_from_path(dep_path);
        if (!name)
                return NULL;
        if (asprintf(&dest, "lib/modules/%s/%s.ko", kernel_version, name) < 0)
                return NULL;
        return dest;
}

void image_manifest_init(ImageManifest *m) {
        *m = (ImageManifest){};
}

void image_manifest_finish(ImageManifest *m) {
        for (size_t i = 0; i < m->n_inputs; i++) {
                free(m->inputs[i].role);
                free(m->inputs[i].path);
        }
        free(m->inputs);
        free(m->kernel_version);
        *m = (ImageManifest){};
}

static bool manifest_field_is_valid(const char *s) {
        if (!s || !*s)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        return false;
        return true;
}

int image_manifest_set_kernel_version(ImageManifest *m, const char *version) {
        char *c;

        if (!kernel_version_is_valid(version, strlen(version)))
                return -EINVAL;
        c = strdup(version);
        if (!c)
                return -ENOMEM;
        free(m->kernel_version);
        m->kernel_version = c;
        return 0;
}

int image_manifest_add(ImageManifest *m, const char *role, const char *path,
                const uint8_t digest[SHA256_DIGEST_SIZE]) {
        _cleanup_(freep) char *r = NULL, *p = NULL;
        ImageInput *inputs;

        if (!manifest_field_is_valid(role) || strchr(role, ' ') || !manifest_field_is_valid(path))
                return -EINVAL;
        r = strdup(role);
        p = strdup(path);
        if (!r || !p)
                return -ENOMEM;
        inputs = reallocarray(m->inputs, m->n_inputs + 1, sizeof(ImageInput));
        if (!inputs)
                return -ENOMEM;
        m->inputs = inputs;
        m->inputs[m->n_inputs] = (ImageInput){ .role = TAKE_PTR(r), .path = TAKE_PTR(p) };
        (void) digest_hex(digest, m->inputs[m->n_inputs].sha256_hex);
        m->n_inputs++;
        return 0;
}

int image_manifest_format(const ImageManifest *m, char **ret) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (!m->kernel_version)
                return -EINVAL;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "%s %d\nkernel-version %s\n", IMAGE_MANIFEST_MAGIC, IMAGE_LAYOUT_VERSION,
                        m->kernel_version);
        for (size_t i = 0; i < m->n_inputs; i++)
                fprintf(f, "%s %s %s\n", m->inputs[i].role, m->inputs[i].sha256_hex,
                                m->inputs[i].path);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

bool image_plan_needs_rebuild(const char *stored, const char *fresh) {
        return !streq_ptr(stored, fresh);
}
