/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-build.c: reads the image inputs, decides with image-plan.c, writes the cpio and swaps the
 * new image directory into place. */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "buffer.h"
#include "cpio.h"
#include "fileio.h"
#include "fs-util.h"
#include "image-build.h"
#include "image-modules.h"
#include "image-plan.h"
#include "log.h"
#include "spawn-util.h"
#include "strv.h"

/* Largest single input read into memory (a kernel, a module, a binary). */
#define IMAGE_INPUT_SIZE_MAX (512u * 1024u * 1024u)
#define IMAGE_BOOT_DIR "/boot"
#define IMAGE_MODULES_ROOT "/lib/modules"

typedef struct Blob {
        uint8_t *data;
        size_t size;
} Blob;

static void blob_finish(Blob *b) {
        free(b->data);
        *b = (Blob){};
}

/* One module of the image: where it came from and the plain .ko bytes once decompressed. */
typedef struct ImageModule {
        char *dep_path; /* as in modules.dep, relative to the modules dir */
        char *dest;     /* path inside the cpio */
        Blob raw;       /* the file as read (maybe compressed) */
} ImageModule;

/* A file of the initramfs that is not a module: where it goes and its bytes. */
typedef struct ImageFile {
        char *dest;
        Blob blob;
} ImageFile;

typedef struct ImageInputs {
        char *kernel_path;
        char *kernel_version;
        char *modules_dir;
        Blob kernel, busybox, agent, init, agent_unit;
        ImageModule *modules;
        size_t n_modules;
        ImageFile *stages; /* /init's stages, in name order */
        size_t n_stages;
        char **missing_optional;
        ImageManifest manifest;
        char *manifest_text;
} ImageInputs;

static void image_inputs_finish(ImageInputs *in) {
        free(in->kernel_path);
        free(in->kernel_version);
        free(in->modules_dir);
        blob_finish(&in->kernel);
        blob_finish(&in->busybox);
        blob_finish(&in->agent);
        blob_finish(&in->init);
        blob_finish(&in->agent_unit);
        for (size_t i = 0; i < in->n_modules; i++) {
                free(in->modules[i].dep_path);
                free(in->modules[i].dest);
                blob_finish(&in->modules[i].raw);
        }
        free(in->modules);
        for (size_t i = 0; i < in->n_stages; i++) {
                free(in->stages[i].dest);
                blob_finish(&in->stages[i].blob);
        }
        free(in->stages);
        strv_free(in->missing_optional);
        image_manifest_finish(&in->manifest);
        free(in->manifest_text);
        *in = (ImageInputs){};
}

static _printf_(2, 3) void progress(const ImageBuildOptions *o, const char *format, ...) {
        va_list ap;

        if (!o->progress)
                return;
        va_start(ap, format);
        (void) vfprintf(stderr, format, ap);
        va_end(ap);
        (void) fputc('\n', stderr);
}

/* Reads fd to EOF (up to IMAGE_INPUT_SIZE_MAX bytes) into *ret. */
static int read_fd_full(int fd, Blob *ret) {
        char *data;
        size_t size;
        int r;

        r = read_full_fd(fd, IMAGE_INPUT_SIZE_MAX, &data, &size);
        if (r < 0)
                return r;
        *ret = (Blob){ .data = (uint8_t *) data, .size = size };
        return 0;
}

static int read_file_full(const char *path, Blob *ret) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        return read_fd_full(fd, ret);
}

/* Reads a text file as a NUL-terminated string. */
static int read_text_file(const char *path, char **ret) {
        _cleanup_(freep) char *text = NULL;
        size_t size;
        int r;

        r = read_full_file(path, IMAGE_INPUT_SIZE_MAX, &text, &size);
        if (r < 0)
                return r;
        if (strlen(text) != size)
                return -EBADMSG;
        *ret = TAKE_PTR(text);
        return 0;
}

/* Runs argv (argv[0] an absolute path, or a name looked up in $PATH) with stdin from /dev/null
 * and returns its stdout. A non-zero exit is -EIO. */
static int spawn_capture(char *const *argv, Blob *ret) {
        _cleanup_(closep) int read_fd = -EBADF, write_fd = -EBADF;
        _cleanup_(blob_finish) Blob out = {};
        int pipe_fds[2], status, r, k;
        pid_t pid;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return -errno;
        read_fd = pipe_fds[0];
        write_fd = pipe_fds[1];

        r = spawn_child(argv, NULL, write_fd, &pid);
        if (r < 0)
                return r;
        write_fd = safe_close(write_fd);

        r = read_fd_full(read_fd, &out);
        read_fd = safe_close(read_fd);
        k = wait_child(pid, &status);
        if (r < 0)
                return r;
        if (k < 0)
                return k;
        r = wait_status_to_errno(status);
        if (r < 0)
                return r;
        *ret = out;
        out = (Blob){};
        return 0;
}

static int input_add(ImageInputs *in, const char *role, const char *path, const Blob *b) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        int r;

        digest_sha256(b->data, b->size, digest);
        r = image_manifest_add(&in->manifest, role, path, digest);
        if (r < 0)
                return log_error_errno(r, "Failed to record input '%s' in the manifest: %m", path);
        return 0;
}

static int read_input(ImageInputs *in, const char *role, const char *path, Blob *ret) {
        int r;

        r = read_file_full(path, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s '%s': %m", role, path);
        return input_add(in, role, path, ret);
}

static int read_static_binary(ImageInputs *in, const char *role, const char *path, Blob *ret) {
        int r;

        r = read_input(in, role, path, ret);
        if (r < 0)
                return r;
        r = image_plan_elf_is_static(ret->data, ret->size);
        if (r < 0)
                return log_error_errno(r, "%s '%s' is not an ELF64 executable.", role, path);
        if (r == 0)
                return log_error_errno(ENOEXEC,
                                "%s '%s' is dynamically linked; the image has no shared libraries.",
                                role, path);
        return 0;
}

static int pick_kernel(const ImageBuildOptions *o, char **ret) {
        _cleanup_(strv_freep) char **entries = strv_new_empty();
        _cleanup_(freep) char *name = NULL;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (o->kernel_path) {
                char *c = strdup(o->kernel_path);
                if (!c)
                        return log_oom();
                *ret = c;
                return 0;
        }
        if (!entries)
                return log_oom();
        d = opendir(IMAGE_BOOT_DIR);
        if (!d)
                return log_error_errno(errno, "Failed to list %s: %m", IMAGE_BOOT_DIR);
        while (r >= 0 && (de = readdir(d)))
                r = strv_extend(&entries, de->d_name);
        (void) closedir(d);
        if (r < 0)
                return log_oom();
        r = image_plan_pick_kernel(entries, &name);
        if (r == -ENOENT)
                return log_error_errno(r, "No %s/vmlinuz-* found; pass --kernel.", IMAGE_BOOT_DIR);
        if (r < 0)
                return log_oom();
        if (asprintf(ret, "%s/%s", IMAGE_BOOT_DIR, name) < 0)
                return log_oom();
        return 0;
}

static int read_kernel(const ImageBuildOptions *o, ImageInputs *in) {
        int r;

        r = pick_kernel(o, &in->kernel_path);
        if (r < 0)
                return r;
        r = read_input(in, "kernel", in->kernel_path, &in->kernel);
        if (r < 0)
                return r;
        r = image_plan_kernel_version(in->kernel.data, in->kernel.size, &in->kernel_version);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                const char *slash = strrchr(in->kernel_path, '/');

                r = image_plan_kernel_version_from_name(
                                slash ? slash + 1 : in->kernel_path, &in->kernel_version);
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0)
                        return log_error_errno(r,
                                        "Cannot tell the version of kernel '%s': no bzImage "
                                        "version string and not named vmlinuz-<version>.",
                                        in->kernel_path);
        }
        r = image_manifest_set_kernel_version(&in->manifest, in->kernel_version);
        if (r < 0)
                return log_error_errno(r, "Bad kernel version '%s': %m", in->kernel_version);
        return 0;
}

static int read_modules(const ImageBuildOptions *o, ImageInputs *in) {
        _cleanup_(strv_freep) char **order = NULL, **missing_required = NULL;
        int r;

        if (o->modules_dir)
                in->modules_dir = strdup(o->modules_dir);
        else if (asprintf(&in->modules_dir, "%s/%s", IMAGE_MODULES_ROOT, in->kernel_version) < 0)
                in->modules_dir = NULL;
        if (!in->modules_dir)
                return log_oom();

        r = image_modules_resolve(
                        in->modules_dir, &order, &missing_required, &in->missing_optional);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r,
                                "Failed to resolve the modules of '%s' (pass --modules-dir?): %m",
                                in->modules_dir);
        if (strv_length(missing_required) > 0) {
                _cleanup_(freep) char *list = strv_join(missing_required, ", ");
                return log_error_errno(ENOENT,
                                "Kernel %s has neither a module nor a built-in driver for: %s",
                                in->kernel_version, strna(list));
        }

        in->modules = calloc(MAX(strv_length(order), (size_t) 1), sizeof(ImageModule));
        if (!in->modules)
                return log_oom();
        STRV_FOREACH(p, order) {
                ImageModule *m = &in->modules[in->n_modules++];
                _cleanup_(freep) char *full = NULL;

                m->dep_path = strdup(*p);
                m->dest = image_plan_module_dest(in->kernel_version, *p);
                if (!m->dep_path || !m->dest)
                        return log_oom();
                if (asprintf(&full, "%s/%s", in->modules_dir, *p) < 0)
                        return log_oom();
                r = read_file_full(full, &m->raw);
                if (r < 0)
                        return log_error_errno(r, "Failed to read module '%s': %m", full);
                r = input_add(in, "module", *p, &m->raw);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void free_dirents(struct dirent **list, int n) {
        for (int i = 0; i < n; i++)
                free(list[i]);
        free(list);
}

/* Every stage file of the init stages directory, in name order (the order /init sources them). */
static int read_init_stages(const ImageBuildOptions *o, ImageInputs *in) {
        struct dirent **list = NULL;
        int n, r = 0;

        n = scandir(o->init_stages_dir, &list, NULL, alphasort);
        if (n < 0)
                return log_error_errno(errno, "Failed to list the init stages in '%s': %m",
                                o->init_stages_dir);
        in->stages = calloc(MAX(n, 1), sizeof(ImageFile));
        if (!in->stages)
                r = log_oom();
        for (int i = 0; r >= 0 && i < n; i++) {
                _cleanup_(freep) char *dest = image_plan_init_stage_dest(list[i]->d_name);
                _cleanup_(freep) char *full = NULL;
                ImageFile *f;

                if (!dest)
                        continue;
                if (asprintf(&full, "%s/%s", o->init_stages_dir, list[i]->d_name) < 0) {
                        r = log_oom();
                        break;
                }
                f = &in->stages[in->n_stages++];
                f->dest = TAKE_PTR(dest);
                r = read_input(in, "init-stage", full, &f->blob);
        }
        free_dirents(list, n);
        if (r >= 0 && in->n_stages == 0)
                r = log_error_errno(
                                ENOENT, "No init stages (NN-name.sh) in '%s'.", o->init_stages_dir);
        return r;
}

static int read_inputs(const ImageBuildOptions *o, ImageInputs *in) {
        int r;

        progress(o, "Reading inputs…");
        r = read_kernel(o, in);
        if (r < 0)
                return r;
        r = read_static_binary(in, "busybox", o->busybox_path, &in->busybox);
        if (r < 0)
                return r;
        r = read_static_binary(in, "agent", o->agent_path, &in->agent);
        if (r < 0)
                return r;
        r = read_input(in, "init", o->init_path, &in->init);
        if (r < 0)
                return r;
        r = read_init_stages(o, in);
        if (r < 0)
                return r;
        r = read_input(in, "agent-unit", o->agent_unit_path, &in->agent_unit);
        if (r < 0)
                return r;
        r = read_modules(o, in);
        if (r < 0)
                return r;
        r = image_manifest_format(&in->manifest, &in->manifest_text);
        if (r < 0)
                return log_error_errno(r, "Failed to format the manifest: %m");
        return 0;
}

static bool image_is_current(const ImageBuildOptions *o, const ImageInputs *in) {
        _cleanup_(freep) char *path = NULL, *stored = NULL;
        static const char *const outputs[] = { IMAGE_KERNEL_NAME, IMAGE_INITRD_NAME };

        for (size_t i = 0; i < ELEMENTSOF(outputs); i++) {
                _cleanup_(freep) char *p = NULL;
                struct stat st;

                if (asprintf(&p, "%s/%s", o->output_dir, outputs[i]) < 0)
                        return false;
                if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
                        return false;
        }
        if (asprintf(&path, "%s/%s", o->output_dir, IMAGE_MANIFEST_NAME) < 0)
                return false;
        if (read_text_file(path, &stored) < 0)
                return false;
        return !image_plan_needs_rebuild(stored, in->manifest_text);
}

/* Plain .ko bytes of a module: the raw file, or its decompression by xz/zstd/gzip. Logs. */
static int module_plain(const ImageInputs *in, const ImageModule *m, Blob *ret) {
        const char *compression = image_plan_module_compression(m->dep_path);
        _cleanup_(freep) char *full = NULL;
        const char *tool;
        int r;

        assert(compression); /* checked by image_modules_resolve() */
        if (streq(compression, "")) {
                uint8_t *copy = malloc(MAX(m->raw.size, (size_t) 1));
                if (!copy)
                        return log_oom();
                memcpy(copy, m->raw.data, m->raw.size);
                *ret = (Blob){ .data = copy, .size = m->raw.size };
                return 0;
        }
        tool = streq(compression, ".xz") ? "xz" : streq(compression, ".zst") ? "zstd" : "gzip";
        if (asprintf(&full, "%s/%s", in->modules_dir, m->dep_path) < 0)
                return log_oom();
        r = spawn_capture((char *const[]){ (char *) tool, (char *) "-dcq", full, NULL }, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to decompress '%s' with %s: %m", full, tool);
        return 0;
}

typedef struct CpioBuild {
        CpioWriter writer;
        Buffer buffer;
        char **dirs; /* directories already in the archive */
} CpioBuild;

static void cpio_build_finish(CpioBuild *c) {
        buffer_finish(&c->buffer);
        c->dirs = strv_free(c->dirs);
}

/* Adds every missing parent directory of path (not path itself). */
static int cpio_build_parents(CpioBuild *c, const char *path) {
        _cleanup_(freep) char *p = strdup(path);
        int r;

        if (!p)
                return -ENOMEM;
        for (char *slash = strchr(p, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                if (!strv_contains(c->dirs, p)) {
                        r = cpio_writer_add_directory(&c->writer, p, 0755);
                        if (r < 0)
                                return r;
                        r = strv_extend(&c->dirs, p);
                        if (r < 0)
                                return r;
                }
                *slash = '/';
        }
        return 0;
}

static int cpio_build_dir(CpioBuild *c, const char *path, mode_t perm) {
        int r;

        r = cpio_build_parents(c, path);
        if (r < 0)
                return r;
        if (strv_contains(c->dirs, path))
                return 0;
        r = cpio_writer_add_directory(&c->writer, path, perm);
        if (r < 0)
                return r;
        return strv_extend(&c->dirs, path);
}

static int cpio_build_file(
                CpioBuild *c, const char *path, mode_t perm, const void *data, size_t size) {
        int r;

        r = cpio_build_parents(c, path);
        if (r < 0)
                return r;
        return cpio_writer_add_file(&c->writer, path, perm, data, size);
}

static int cpio_build_symlink(CpioBuild *c, const char *path, const char *target) {
        int r;

        r = cpio_build_parents(c, path);
        if (r < 0)
                return r;
        return cpio_writer_add_symlink(&c->writer, path, target);
}

static int add_base(CpioBuild *c, const ImageInputs *in) {
        static const struct {
                const char *path;
                mode_t perm;
        } dirs[] = {
                { "dev", 0755 },
                { "proc", 0555 },
                { "sys", 0555 },
                { "run", 0755 },
                { "tmp", 01777 },
                { "etc", 0755 },
                { "root", 0700 },
                { "home", 0755 },
                { "mnt", 0755 },
                { "var", 0755 },
                { "bin", 0755 },
                { "sbin", 0755 },
                { "usr/bin", 0755 },
                { "usr/sbin", 0755 },
                { "lib/vmsilo", 0755 },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                r = cpio_build_dir(c, dirs[i].path, dirs[i].perm);
                if (r < 0)
                        return r;
        }
        /* The kernel opens /dev/console for /init before anything mounts devtmpfs. */
        r = cpio_writer_add_device(&c->writer, "dev/console", S_IFCHR, 0600, 5, 1);
        if (r < 0)
                return r;
        r = cpio_build_symlink(c, "var/run", "../run");
        if (r < 0)
                return r;
        r = cpio_build_file(c, IMAGE_INIT_PATH, 0755, in->init.data, in->init.size);
        if (r < 0)
                return r;
        for (size_t i = 0; i < in->n_stages; i++) {
                r = cpio_build_file(c, in->stages[i].dest, 0644, in->stages[i].blob.data,
                                in->stages[i].blob.size);
                if (r < 0)
                        return r;
        }
        r = cpio_build_file(c, IMAGE_BUSYBOX_PATH, 0755, in->busybox.data, in->busybox.size);
        if (r < 0)
                return r;
        r = cpio_build_file(
                        c, IMAGE_AGENT_UNIT_PATH, 0644, in->agent_unit.data, in->agent_unit.size);
        if (r < 0)
                return r;
        return cpio_build_file(c, IMAGE_AGENT_PATH, 0755, in->agent.data, in->agent.size);
}

static int add_applets(CpioBuild *c, const ImageBuildOptions *o) {
        _cleanup_(blob_finish) Blob out = {};
        _cleanup_(strv_freep) char **applets = NULL;
        _cleanup_(freep) char *text = NULL;
        int r;

        r = spawn_capture((char *const[]){ (char *) o->busybox_path, (char *) "--list-full", NULL },
                        &out);
        if (r < 0)
                return log_error_errno(r, "Failed to run '%s --list-full': %m", o->busybox_path);
        text = strndup((const char *) out.data, out.size);
        if (!text)
                return log_oom();
        r = image_plan_applets(text, &applets);
        if (r < 0)
                return log_error_errno(r, "Unexpected applet list from '%s': %m", o->busybox_path);
        STRV_FOREACH(a, applets) {
                r = cpio_build_symlink(c, *a, "/" IMAGE_BUSYBOX_PATH);
                if (r < 0)
                        return log_error_errno(r, "Failed to add applet '%s': %m", *a);
        }
        return 0;
}

static int add_modules(CpioBuild *c, const ImageBuildOptions *o, const ImageInputs *in) {
        _cleanup_(strv_freep) char **order = strv_new_empty();
        _cleanup_(freep) char *text = NULL;
        int r;

        if (!order)
                return log_oom();
        progress(o, "Adding %zu kernel modules…", in->n_modules);
        for (size_t i = 0; i < in->n_modules; i++) {
                _cleanup_(blob_finish) Blob plain = {};
                _cleanup_(freep) char *line = NULL;

                r = module_plain(in, &in->modules[i], &plain);
                if (r < 0)
                        return r;
                r = cpio_build_file(c, in->modules[i].dest, 0644, plain.data, plain.size);
                if (r < 0)
                        return log_error_errno(r, "Failed to add module '%s': %m",
                                        in->modules[i].dep_path);
                if (asprintf(&line, "/%s\n", in->modules[i].dest) < 0)
                        return log_oom();
                r = strv_consume(&order, TAKE_PTR(line));
                if (r < 0)
                        return log_oom();
        }
        text = strv_join(order, "");
        if (!text)
                return log_oom();
        r = cpio_build_file(c, IMAGE_MODULES_ORDER_PATH, 0644, text, strlen(text));
        if (r < 0)
                return log_error_errno(r, "Failed to add the module order: %m");
        return 0;
}

static int build_cpio(const ImageBuildOptions *o, const ImageInputs *in, CpioBuild *c) {
        int r;

        cpio_writer_init(&c->writer, cpio_buffer_write, &c->buffer);
        r = add_base(c, in);
        if (r < 0)
                return log_error_errno(r, "Failed to lay out the initramfs: %m");
        r = add_applets(c, o);
        if (r < 0)
                return r;
        r = add_modules(c, o, in);
        if (r < 0)
                return r;
        r = cpio_writer_finish(&c->writer);
        if (r < 0)
                return log_error_errno(r, "Failed to finish the initramfs: %m");
        return 0;
}

/* A build killed half-way (vmsilod stopping during its background build kills it) leaves its
 * ".<base>.tmp-XXXXXX" behind. Called under the parent's lock, so none of them is in use. */
static void remove_stale_tmp_dirs(const char *parent, const char *base) {
        _cleanup_(freep) char *prefix = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (asprintf(&prefix, ".%s.tmp-", base) < 0)
                return;
        d = opendir(parent);
        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_(freep) char *path = NULL;

                if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 || de->d_type != DT_DIR ||
                                asprintf(&path, "%s/%s", parent, de->d_name) < 0)
                        continue;
                if (rm_rf(path) < 0)
                        log_warning("Cannot remove '%s', left by an interrupted build.", path);
                else
                        log_info("Removed '%s', left by an interrupted build.", path);
        }
}

static int write_image_dir(const ImageBuildOptions *o, const ImageInputs *in, const CpioBuild *c,
                const char *tmp) {
        _cleanup_(closep) int dir_fd = -EBADF;
        int r;

        dir_fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "Failed to open '%s': %m", tmp);
        if (fchmod(dir_fd, 0755) < 0)
                return log_error_errno(errno, "Failed to chmod '%s': %m", tmp);
        progress(o, "Writing %s and %s…", IMAGE_KERNEL_NAME, IMAGE_INITRD_NAME);
        r = write_new_file_at(dir_fd, IMAGE_KERNEL_NAME, in->kernel.data, in->kernel.size, 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s/%s': %m", tmp, IMAGE_KERNEL_NAME);
        r = write_new_file_at(dir_fd, IMAGE_INITRD_NAME, c->buffer.data + c->buffer.start,
                        buffer_size(&c->buffer), 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s/%s': %m", tmp, IMAGE_INITRD_NAME);
        /* The manifest goes last: a directory with a manifest is complete. */
        r = write_new_file_at(dir_fd, IMAGE_MANIFEST_NAME, in->manifest_text,
                        strlen(in->manifest_text), 0644);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s/%s': %m", tmp, IMAGE_MANIFEST_NAME);
        if (fsync(dir_fd) < 0)
                return log_error_errno(errno, "Failed to sync '%s': %m", tmp);
        return 0;
}

/* Serialises builds into one images directory; released when the fd closes. */
static int lock_parent(const char *parent, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;

        fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int split_output(const char *output_dir, char **ret_parent, char **ret_base) {
        _cleanup_(freep) char *path = strdup(output_dir);
        char *slash, *parent, *base;

        if (!path)
                return -ENOMEM;
        while (strlen(path) > 1 && path[strlen(path) - 1] == '/')
                path[strlen(path) - 1] = '\0';
        slash = strrchr(path, '/');
        if (slash && slash[1] == '\0')
                return -EINVAL;
        parent = slash ? strndup(path, slash == path ? 1 : (size_t) (slash - path)) : strdup(".");
        base = strdup(slash ? slash + 1 : path);
        if (!parent || !base) {
                free(parent);
                free(base);
                return -ENOMEM;
        }
        if (streq(base, ".") || streq(base, "..")) {
                free(parent);
                free(base);
                return -EINVAL;
        }
        *ret_parent = parent;
        *ret_base = base;
        return 0;
}

static int build_and_swap(const ImageBuildOptions *o, const ImageInputs *in, const char *parent,
                const char *base) {
        _cleanup_(cpio_build_finish) CpioBuild c = {};
        _cleanup_(rm_rf_and_freep) char *tmp = NULL;
        int r;

        STRV_FOREACH(name, in->missing_optional) {
                log_warning("Kernel %s has no module '%s', leaving it out.", in->kernel_version,
                                *name);
        }
        r = build_cpio(o, in, &c);
        if (r < 0)
                return r;
        r = mkdtemp_beside(o->output_dir, &tmp);
        if (r < 0)
                return log_error_errno(r, "Failed to create a directory in '%s': %m", parent);
        r = write_image_dir(o, in, &c, tmp);
        if (r < 0)
                return r;
        /* The old image, if any, ends up at tmp, which is removed. */
        r = rename_into_place(tmp, o->output_dir);
        if (r < 0)
                return log_error_errno(r, "Failed to move '%s' to '%s': %m", tmp, o->output_dir);
        return 0;
}

int image_build(const ImageBuildOptions *o) {
        _cleanup_(image_inputs_finish) ImageInputs in = {};
        _cleanup_(freep) char *parent = NULL, *base = NULL;
        _cleanup_(closep) int lock_fd = -EBADF;
        int r;

        r = split_output(o->output_dir, &parent, &base);
        if (r < 0)
                return log_error_errno(r, "Bad output directory '%s': %m", o->output_dir);
        r = mkdir_p(parent, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", parent);
        r = lock_parent(parent, &lock_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to lock '%s': %m", parent);
        remove_stale_tmp_dirs(parent, base);

        image_manifest_init(&in.manifest);
        r = read_inputs(o, &in);
        if (r < 0)
                return r;
        if (!o->force && image_is_current(o, &in)) {
                printf("Image '%s' is up to date (kernel %s, %zu modules).\n", o->output_dir,
                                in.kernel_version, in.n_modules);
                return 0;
        }
        r = build_and_swap(o, &in, parent, base);
        if (r < 0)
                return r;
        printf("Built image '%s': kernel %s, %zu modules.\n", o->output_dir, in.kernel_version,
                        in.n_modules);
        return 1;
}
