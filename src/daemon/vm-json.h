/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-json.h: a VM's status as JSON. */
#pragma once

#include <jansson.h>

#include "vm.h"

/* The VM object of the control protocol (docs/daemon-sockets.md). */
json_t *vm_to_json(const Vm *vm);
