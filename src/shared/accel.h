/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* accel.h: choosing KVM or TCG. "KVM works" is decided, not assumed: /dev/kvm must open and the
 * CPU must advertise vmx or svm. A paravirtual /dev/kvm without them (nested clouds) opens fine
 * but hangs a stock guest kernel, then kills it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

typedef struct AccelProbe {
        bool kvm_openable; /* /dev/kvm opened read-write */
        bool cpu_has_virt; /* "vmx" or "svm" among the CPU flags */
        /* The host CPU's clock ("cpu MHz") in kHz, 0 if unknown. Under TCG the guest reads the
         * host's TSC; telling its kernel the rate (tsc_early_khz=) spares it the PIT calibration
         * that fails on a busy host and hangs a microvm (no HPET) before /init. */
        uint32_t tsc_khz;
} AccelProbe;

/* Pure: whether /proc/cpuinfo text lists vmx or svm as a whole word on a "flags" line. */
bool accel_cpuinfo_has_virt(const char *cpuinfo);
/* Pure: the first "cpu MHz" value of /proc/cpuinfo text in kHz, 0 if there is none. */
uint32_t accel_cpuinfo_khz(const char *cpuinfo);

/* Reads cpuinfo_path (normally /proc/cpuinfo) and tries to open kvm_path (normally /dev/kvm). */
int accel_probe(const char *cpuinfo_path, const char *kvm_path, AccelProbe *ret);

/* Pure. The environment override (VMSILO_ACCEL, may be NULL or empty) beats the configured choice;
 * ACCEL_AUTO becomes KVM when the probe says it works, else TCG. An explicit KVM request on a host
 * where KVM does not work is -EOPNOTSUPP; a bad override is -EINVAL. *ret_reason (static text)
 * says why, for the log, on success and failure alike. */
int accel_choose(AccelKind configured, const char *env_override, const AccelProbe *probe,
                AccelKind *ret, const char **ret_reason);

/* accel_probe() of this host (/proc/cpuinfo, /dev/kvm), then accel_choose(). vmm_kvm_access:
 * whether the VMM user gets /dev/kvm (sandbox_kvm_prepare() succeeded); without it /dev/kvm
 * counts as not openable, whatever root could do. *ret_tsc_khz gets the probe's tsc_khz (the
 * caller passes it to a TCG plan). A failed probe counts as "no KVM". */
int accel_resolve(AccelKind configured, const char *env_override, bool vmm_kvm_access,
                AccelKind *ret, uint32_t *ret_tsc_khz, const char **ret_reason);
