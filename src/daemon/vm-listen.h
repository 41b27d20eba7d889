/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-listen.h: a VM's command and console sockets. */
#pragma once

#include "vm.h"

/* Creates the VM's sockets in the runtime dir: <name>-command.socket and <name>-console. */
int vm_listen(Vm *vm);
/* Removes them; their connections stay. */
void vm_unlisten(Vm *vm);
