/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostile-vmm.c: a stand-in for a compromised VMM (tests/integration/test_sandbox.py). vmsilod
 * starts it through its real sandbox path in place of qemu-system-x86_64 (found first in PATH);
 * it ignores QEMU's arguments, tries what an escaped VMM would try, and prints one JSON object
 * per attempt on stdout (the VMM log the test reads): {"attempt": NAME, "ok": BOOL, "error": E}.
 * Targets come from the environment vmsilod passes on:
 *   HOSTILE_CONTROL_SOCKET, HOSTILE_COMMAND_SOCKET, HOSTILE_BUS_SOCKET: unix socket paths
 *   HOSTILE_ABSTRACT_SOCKET: an abstract unix socket name (without the leading NUL)
 *   HOSTILE_VICTIM_PID: a process of the same uid outside the sandbox
 *   HOSTILE_HOME_FILE: a file of the user's
 *   HOSTILE_TCP_PORT: a TCP (and UDP) port listening on the host's 127.0.0.1
 *   HOSTILE_OPEN: space-separated MODE:PATH (MODE r, w or rw), each opened so; reported as
 *   "open MODE PATH" (the devices and sysfs files a passthrough VMM may or may not reach)
 *   HOSTILE_FLOOD_NAME, HOSTILE_FLOOD_BYTES: the VM of that name (QEMU's "-name", crosvm's
 *   "--name") instead writes that many bytes to stdout and exits
 * Run as `crosvm stop SOCKET` (vmsilod stopping a crosvm VM) it exits 1 at once, as crosvm would
 * with no VM behind the socket.
 * Then it stays up like a VMM until SIGTERM (which QEMU handles too: as PID 1 of its namespace,
 * it would ignore the signal without a handler). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static void report(const char *attempt, bool ok, int error) {
        printf("{\"attempt\": \"%s\", \"ok\": %s, \"error\": \"%s\"}\n", attempt,
                        ok ? "true" : "false", ok ? "" : strerror(error));
        fflush(stdout);
}

static void try_unix(const char *attempt, const char *path, bool abstract) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t len;
        int fd, r;

        if (!path)
                return;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        strncpy(sa.sun_path + abstract, path, sizeof(sa.sun_path) - 2);
        len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + abstract + strlen(path) +
                           !abstract);
        r = connect(fd, (struct sockaddr *) &sa, len);
        report(attempt, r == 0, r == 0 ? 0 : errno);
        close(fd);
}

static void try_inet(const char *port_text) {
        struct sockaddr_in sa = { .sin_family = AF_INET,
                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int fd, r;

        if (!port_text)
                return;
        sa.sin_port = htons((uint16_t) atoi(port_text));
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        r = connect(fd, (struct sockaddr *) &sa, sizeof(sa));
        report("tcp_connect", r == 0, r == 0 ? 0 : errno);
        close(fd);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        r = (int) sendto(fd, "x", 1, 0, (struct sockaddr *) &sa, sizeof(sa));
        report("udp_send", r == 1, r == 1 ? 0 : errno);
        close(fd);
}

static void try_victim(const char *pid_text) {
        pid_t pid;
        char buf[16];
        struct iovec local = { .iov_base = buf, .iov_len = sizeof(buf) };
        struct iovec remote = { .iov_base = (void *) 0x400000, .iov_len = sizeof(buf) };
        char path[64];
        bool ok;
        int fd;

        if (!pid_text)
                return;
        pid = (pid_t) atoi(pid_text);
        /* Each result is taken before errno is: argument evaluation order is unspecified. */
        ok = ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0;
        report("ptrace", ok, errno);
        if (ok)
                (void) ptrace(PTRACE_DETACH, pid, NULL, NULL);
        ok = process_vm_readv(pid, &local, 1, &remote, 1, 0) >= 0 || errno == EFAULT;
        report("process_vm_readv", ok, errno);
        /* SIGCONT: proves the right to signal without harming a sleep. */
        ok = kill(pid, SIGCONT) == 0;
        report("kill", ok, errno);
        (void) snprintf(path, sizeof(path), "/proc/%d/mem", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        report("proc_mem", fd >= 0, fd >= 0 ? 0 : errno);
}

static void try_open(const char *attempt, const char *path, int flags) {
        int fd;

        if (!path)
                return;
        fd = open(path, flags | O_CLOEXEC);
        report(attempt, fd >= 0, fd >= 0 ? 0 : errno);
        if (fd >= 0)
                close(fd);
}

/* The fds it was given: a daemon socket among them would be authority by inheritance. */
static void report_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        bool first = true;

        printf("{\"attempt\": \"fds\", \"fds\": [");
        while (d && (e = readdir(d)))
                if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d)) {
                        printf("%s%s", first ? "" : ", ", e->d_name);
                        first = false;
                }
        printf("]}\n");
        if (d)
                closedir(d);
}

/* Its command line, as a JSON array of strings. */
static void report_argv(int argc, char **argv) {
        printf("{\"attempt\": \"argv\", \"argv\": [");
        for (int i = 0; i < argc; i++) {
                printf("%s\"", i ? ", " : "");
                for (const char *c = argv[i]; *c; c++)
                        printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
                printf("\"");
        }
        printf("]}\n");
}

static void flood(unsigned long long bytes) {
        static char line[4096];

        memset(line, 'x', sizeof(line) - 1);
        line[sizeof(line) - 1] = '\n';
        while (bytes > 0) {
                size_t n = bytes < sizeof(line) ? (size_t) bytes : sizeof(line);
                if (write(STDOUT_FILENO, line, n) < 0)
                        exit(1);
                bytes -= n;
        }
        /* _exit: nothing else may reach the log (a sanitiser's exit report would). */
        _exit(0);
}

static void on_term(int sig) {
        _exit(0);
}

static void try_opens(const char *list) {
        char *copy, *save = NULL;

        if (!list)
                return;
        copy = strdup(list);
        for (char *item = strtok_r(copy, " ", &save); item; item = strtok_r(NULL, " ", &save)) {
                char *path = strchr(item, ':'), attempt[512];
                int flags;

                if (!path)
                        continue;
                *path++ = '\0';
                flags = strcmp(item, "rw") == 0  ? O_RDWR
                        : strcmp(item, "w") == 0 ? O_WRONLY
                                                 : O_RDONLY;
                (void) snprintf(attempt, sizeof(attempt), "open %s %s", item, path);
                try_open(attempt, path, flags);
        }
        free(copy);
}

static const char *vm_name(int argc, char **argv) {
        for (int i = 1; i + 1 < argc; i++)
                if (strcmp(argv[i], "-name") == 0 || strcmp(argv[i], "--name") == 0)
                        return argv[i + 1];
        return "";
}

int main(int argc, char **argv) {
        const char *flood_name = getenv("HOSTILE_FLOOD_NAME");
        int r;

        (void) signal(SIGTERM, on_term);
        if (argc > 1 && strcmp(argv[1], "stop") == 0)
                return 1;
        if (flood_name && strcmp(flood_name, vm_name(argc, argv)) == 0)
                flood(strtoull(getenv("HOSTILE_FLOOD_BYTES") ?: "0", NULL, 10));
        printf("{\"attempt\": \"identity\", \"pid\": %d, \"uid\": %u, \"groups\": %d}\n",
                        (int) getpid(), (unsigned) getuid(), getgroups(0, NULL));
        report_fds();
        report_argv(argc, argv);
        try_unix("control_socket", getenv("HOSTILE_CONTROL_SOCKET"), false);
        try_unix("command_socket", getenv("HOSTILE_COMMAND_SOCKET"), false);
        try_unix("session_bus", getenv("HOSTILE_BUS_SOCKET"), false);
        try_unix("abstract_socket", getenv("HOSTILE_ABSTRACT_SOCKET"), true);
        try_victim(getenv("HOSTILE_VICTIM_PID"));
        try_open("home_file", getenv("HOSTILE_HOME_FILE"), O_RDONLY);
        try_inet(getenv("HOSTILE_TCP_PORT"));
        r = unshare(CLONE_NEWUSER);
        report("unshare_user_ns", r == 0, r == 0 ? 0 : errno);
        try_open("dev_kvm", "/dev/kvm", O_RDWR);
        try_opens(getenv("HOSTILE_OPEN"));
        printf("{\"attempt\": \"done\"}\n");
        fflush(stdout);
        for (;;)
                pause();
}
