/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-image.c: `vmsilo image …` runs the image builder, a program of its own
 * (libexec/vmsilo/vmsilo-image, src/image/): building images is root's work with libraries the
 * client does not need. Same arguments, same output, its exit status. */
#include "cli-util.h"
#include "cli.h"

int cmd_image(int argc, char **argv) {
        /* This is <build>/src/cli/vmsilo in the build tree. */
        return cli_exec_helper("VMSILO_IMAGE_BUILDER", "../image/vmsilo-image", "vmsilo-image",
                        /* set_argv0= */ true, argv);
}
