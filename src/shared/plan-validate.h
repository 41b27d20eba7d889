/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan-validate.h: which VM options the chosen VMM can honour. Pure.
 *
 * Rule of thumb: a default adapts to the VMM quietly, an explicit request is honoured or
 * rejected. On QEMU, `gpu = true` (default on) and the global crosvm.* options simply do not
 * apply; but a gpu attribute set, sound keys other than capture and backend = "pulse", vhostUser
 * devices, per-VM crosvm.extraArgs/extraRunArgs, `type = "fs"` shares and crosvm-only keys of
 * disks, shares and PCI devices are errors naming the VM and the option. The per-VM
 * crosvm.logLevel is ignored on QEMU (it only changes crosvm's logging). On crosvm, shares are
 * 9p too: `type = "fs"`, the id keys and virtio-fs options, which need crosvm's own device jail,
 * are errors. */
#pragma once

#include <stdint.h>

#include "config.h"

/* Checks vm (c->vms[vm_index]) against vmm, which must be VMM_QEMU or VMM_CROSVM. Appends one
 * error per problem, its path starting "nixosVms[<vm_index>]". Returns the number of problems
 * (0: launchable), -EINVAL for VMM_AUTO or an invalid kind, or -ENOMEM. */
int plan_validate_vm(const VmConfig *vm, size_t vm_index, VmmKind vmm, ConfigErrors *errors);

/* Every VM of c; vmms[i] is the resolved VMM of c->vms[i]. Returns the total number of problems,
 * -EINVAL or -ENOMEM as above. */
int plan_validate_config(const Config *c, const VmmKind *vmms, ConfigErrors *errors);

/* What needs the configured user's ids, known only once vmsilod has resolved the user: on QEMU a
 * shared directory's uidmap/gidmap "GUEST HOST 1" must have HOST = uid/gid (share-ids.h).
 * Returns the number of problems appended, or -ENOMEM. */
int plan_validate_share_hosts(const Config *c, const VmmKind *vmms, uint32_t uid, uint32_t gid,
                ConfigErrors *errors);
