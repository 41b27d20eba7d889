/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* layout.h: where a VM's files live under the state dir (images, overlays) and the runtime dir
 * (sockets, logs, crosvm's directory), as path functions, so that vmsilod, vmsilo-balloond and
 * the CLI cannot disagree. Each returns a newly allocated path, or NULL when out of memory. */
#pragma once

#include "image-layout.h"
#include "rootfs-layout.h"
#include "wayland-layout.h"

/* <state>/images/default/<file>: the default guest image's kernel or initramfs. */
char *layout_default_image_file(const char *state_dir, const char *file);
/* <state>/images/vms/<vm>/root.ext4: the VM's built root image (through its pointer link). */
char *layout_vm_root_image(const char *state_dir, const char *vm);
/* <state>/overlays/<vm><suffix>: the VM's qcow2 overlay (".qcow2") and its temp files. */
char *layout_overlay_file(const char *state_dir, const char *vm, const char *suffix);
/* <runtime>/<vm><suffix>: the VM's files in the runtime dir (".log", ".qmp", "-command.socket",
 * "-console", ".vmm", "-debug"). */
char *layout_runtime_file(const char *runtime_dir, const char *vm, const char *suffix);
/* <runtime>/services/<vm>/fence.sock: the VM's Wayland fence (vmsilo-wayland). */
char *layout_wayland_fence(const char *runtime_dir, const char *vm);

#define LAYOUT_VMM_DIR_SUFFIX ".vmm"
#define LAYOUT_CROSVM_SOCKET_SUFFIX "-crosvm.socket"
#define LAYOUT_BALLOON_QMP_SUFFIX ".qmp"
#define LAYOUT_VMM_LOG_SUFFIX ".log"
/* vm-run's connections (the daemon plays the agent) and vm-shell's (the serial console). */
#define LAYOUT_COMMAND_SOCKET_SUFFIX "-command.socket"
#define LAYOUT_CONSOLE_SOCKET_SUFFIX "-console"
