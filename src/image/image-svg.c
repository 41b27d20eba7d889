/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-svg.c: SVG icons rasterised in a sandbox. An SVG is a program for its renderer: it can
 * name files, URLs, DTDs and stylesheets (external entities, xml:base, @import, url() in CSS
 * escapes…), and no deny list of ours can know every way to spell that. So none reaches the host;
 * librsvg draws it inside bubblewrap where there is nothing to reach: no network namespace
 * peers, no file but /usr, and the only output is a PNG that desktop_icon_png_recode() decodes
 * and writes again. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "desktop-icon.h"
#include "fileio.h"
#include "image-svg.h"
#include "macro.h"
#include "spawn-util.h"

#define BWRAP_PATH "/usr/bin/bwrap"
#define RSVG_CONVERT_PATH "/usr/bin/rsvg-convert"
#define STR(x) STR_(x)
#define STR_(x) #x

/* The merged-/usr links of the host (Debian 12: /lib -> usr/lib…), so that rsvg-convert's
 * dynamic loader and libraries are found under the one directory the sandbox shows. */
static const char *const usr_links[] = { "/bin", "/sbin", "/lib", "/lib64" };

/* bwrap's arguments into argv: static strings, and the link targets read into targets. */
static void sandbox_argv(const char **argv, char targets[][PATH_MAX]) {
        size_t n = 0;

        argv[n++] = BWRAP_PATH;
        argv[n++] = "--unshare-all"; /* net, ipc, pid, uts, cgroup, user if it can */
        argv[n++] = "--die-with-parent";
        argv[n++] = "--new-session"; /* no TIOCSTI into our terminal */
        argv[n++] = "--cap-drop";
        argv[n++] = "ALL";
        argv[n++] = "--ro-bind";
        argv[n++] = "/usr";
        argv[n++] = "/usr";
        for (size_t i = 0; i < ELEMENTSOF(usr_links); i++) {
                ssize_t len = readlink(usr_links[i], targets[i], PATH_MAX - 1);

                if (len <= 0)
                        continue; /* not a link: not shown */
                targets[i][len] = '\0';
                argv[n++] = "--symlink";
                argv[n++] = targets[i];
                argv[n++] = usr_links[i];
        }
        argv[n++] = "--chdir";
        argv[n++] = "/";
        argv[n++] = "--";
        argv[n++] = RSVG_CONVERT_PATH;
        argv[n++] = "--width=" STR(IMAGE_SVG_PIXELS);
        argv[n++] = "--height=" STR(IMAGE_SVG_PIXELS);
        argv[n++] = "--keep-aspect-ratio";
        argv[n++] = "--format=png";
        argv[n] = NULL;
}

/* In the child: stdin, stdout, stderr (/dev/null: rsvg's messages quote the guest's SVG), limits,
 * then bwrap. Never returns. */
_Noreturn static void exec_sandbox(int in_fd, int out_fd) {
        static const struct {
                int resource;
                rlim_t max;
        } limits[] = {
                { RLIMIT_FSIZE, DESKTOP_ICON_SIZE_MAX }, /* the output memfd: a longer write fails
                                                          */
                { RLIMIT_AS, IMAGE_SVG_MEMORY_MAX },
                { RLIMIT_CPU, IMAGE_SVG_TIMEOUT_USEC / 1000000u },
                { RLIMIT_CORE, 0 },
        };
        char targets[ELEMENTSOF(usr_links)][PATH_MAX];
        const char *argv[32 + 3 * ELEMENTSOF(usr_links)];
        char *const envp[] = { NULL };
        int null_fd;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                _exit(127);
        null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null_fd < 0 || dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
                        dup2(null_fd, STDERR_FILENO) < 0)
                _exit(127);
        (void) close_range(3, ~0U, 0);
        for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
                struct rlimit rl = { .rlim_cur = limits[i].max, .rlim_max = limits[i].max };

                if (setrlimit(limits[i].resource, &rl) < 0)
                        _exit(127);
        }
        sandbox_argv(argv, targets);
        execve(BWRAP_PATH, (char *const *) argv, envp);
        _exit(127);
}

static int memfd_with(const char *name, const char *data, size_t size) {
        _cleanup_(closep) int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        int r;

        if (fd < 0)
                return -errno;
        r = write_full_fd(fd, data, size);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0 ||
                        fcntl(fd, F_ADD_SEALS,
                                        F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) <
                                        0)
                return -errno;
        return TAKE_FD(fd);
}

int image_svg_rasterize(
                const char *untrusted_svg, size_t untrusted_size, char **ret, size_t *ret_size) {
        _cleanup_(closep) int in_fd = -EBADF, out_fd = -EBADF, pidfd = -EBADF;
        pid_t pid;
        int status, r;

        in_fd = memfd_with("vmsilo-svg", untrusted_svg, untrusted_size);
        if (in_fd < 0)
                return in_fd;
        out_fd = memfd_create("vmsilo-svg-png", MFD_CLOEXEC);
        if (out_fd < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                exec_sandbox(in_fd, out_fd);
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = -errno;
                (void) kill(pid, SIGKILL);
                (void) wait_child(pid, &status);
                return r;
        }
        r = wait_child_deadline(pid, pidfd, IMAGE_SVG_TIMEOUT_USEC, &status);
        if (r >= 0)
                r = wait_status_to_errno(status);
        if (r < 0)
                return r;
        if (lseek(out_fd, 0, SEEK_SET) < 0)
                return -errno;
        return read_full_fd(out_fd, DESKTOP_ICON_SIZE_MAX, ret, ret_size);
}
