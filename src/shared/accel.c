/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accel.c: KVM-or-TCG decision (pure) and the host probe feeding it. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "fileio.h"

static bool word_in(const char *line, size_t len, const char *word) {
        size_t wlen = strlen(word);

        for (size_t i = 0; i + wlen <= len; i++) {
                bool starts = i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t' ||
                              line[i - 1] == ':';
                bool ends = i + wlen == len || line[i + wlen] == ' ' || line[i + wlen] == '\t';
                if (starts && ends && memcmp(line + i, word, wlen) == 0)
                        return true;
        }
        return false;
}

bool accel_cpuinfo_has_virt(const char *cpuinfo) {
        const char *p = cpuinfo;

        while (p && *p) {
                const char *eol = strchrnul(p, '\n');
                size_t len = (size_t) (eol - p);

                if (strncmp(p, "flags", 5) == 0 &&
                                (word_in(p, len, "vmx") || word_in(p, len, "svm")))
                        return true;
                p = *eol ? eol + 1 : eol;
        }
        return false;
}

uint32_t accel_cpuinfo_khz(const char *cpuinfo) {
        const char *p = cpuinfo;

        while (p && *p) {
                const char *eol = strchrnul(p, '\n');

                if (strncmp(p, "cpu MHz", 7) == 0) {
                        const char *colon = memchr(p, ':', (size_t) (eol - p));
                        unsigned long whole = 0, frac = 0, scale = 1000;
                        char *end = NULL;

                        if (!colon)
                                return 0;
                        whole = strtoul(colon + 1, &end, 10);
                        if (end && *end == '.')
                                for (const char *d = end + 1; *d >= '0' && *d <= '9' && scale > 1;
                                                d++) {
                                        scale /= 10;
                                        frac += (unsigned long) (*d - '0') * scale;
                                }
                        return whole > 0 && whole < 1000000 ? (uint32_t) (whole * 1000 + frac) : 0;
                }
                p = *eol ? eol + 1 : eol;
        }
        return 0;
}

int accel_probe(const char *cpuinfo_path, const char *kvm_path, AccelProbe *ret) {
        _cleanup_(freep) char *cpuinfo = NULL;
        int fd, r;

        /* Hosts with hundreds of CPUs have multi-megabyte cpuinfo files. */
        r = read_full_file(cpuinfo_path, 64 * 1024 * 1024, &cpuinfo, NULL);
        if (r < 0)
                return r;

        fd = open(kvm_path, O_RDWR | O_CLOEXEC);
        *ret = (AccelProbe){
                .kvm_openable = fd >= 0,
                .cpu_has_virt = accel_cpuinfo_has_virt(cpuinfo),
                .tsc_khz = accel_cpuinfo_khz(cpuinfo),
        };
        (void) safe_close(fd);
        return 0;
}

int accel_choose(AccelKind configured, const char *env_override, const AccelProbe *probe,
                AccelKind *ret, const char **ret_reason) {
        AccelKind want = configured;
        bool kvm_works = probe->kvm_openable && probe->cpu_has_virt;

        if (env_override && *env_override) {
                want = accel_kind_from_string(env_override);
                if (want < 0) {
                        *ret_reason = "VMSILO_ACCEL must be auto, kvm or tcg";
                        return -EINVAL;
                }
        }

        switch (want) {
        case ACCEL_TCG:
                *ret_reason = "TCG requested";
                *ret = ACCEL_TCG;
                return 0;
        case ACCEL_KVM:
                if (!kvm_works) {
                        *ret_reason = !probe->kvm_openable ? "KVM requested, but /dev/kvm cannot "
                                                             "be opened"
                                                           : "KVM requested, but the CPU shows no "
                                                             "vmx/svm flag";
                        return -EOPNOTSUPP;
                }
                *ret_reason = "KVM requested";
                *ret = ACCEL_KVM;
                return 0;
        case ACCEL_AUTO:
                if (kvm_works)
                        *ret_reason = "KVM works on this host";
                else if (!probe->kvm_openable)
                        *ret_reason = "/dev/kvm cannot be opened, using TCG";
                else
                        *ret_reason = "/dev/kvm opens but the CPU shows no vmx/svm flag "
                                      "(paravirtual KVM cannot run a stock kernel), using TCG";
                *ret = kvm_works ? ACCEL_KVM : ACCEL_TCG;
                return 0;
        default:
                *ret_reason = "unknown acceleration";
                return -EINVAL;
        }
}

int accel_resolve(AccelKind configured, const char *env_override, bool vmm_kvm_access,
                AccelKind *ret, uint32_t *ret_tsc_khz, const char **ret_reason) {
        AccelProbe probe = {};
        int r;

        (void) accel_probe("/proc/cpuinfo", "/dev/kvm", &probe);
        /* We probe as root; what counts is whether the sandboxed VMM can open it. */
        probe.kvm_openable = probe.kvm_openable && vmm_kvm_access;
        r = accel_choose(configured, env_override, &probe, ret, ret_reason);
        if (r < 0)
                return r;
        *ret_tsc_khz = probe.tsc_khz;
        return 0;
}
