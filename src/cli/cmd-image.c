/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-image.c: `vmsilo image …` runs the image builder, a program of its own
 * (libexec/vmsilo/vmsilo-image, src/image/): building images is root's work with libraries the
 * client does not need. Same arguments, same output, its exit status. */
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "vmsilo-config.h"

#define IMAGE_BUILDER_NAME "vmsilo-image"
#define IMAGE_BUILDER_ENV "VMSILO_IMAGE_BUILDER"

int cmd_image(int argc, char **argv) {
        _cleanup_(freep) char *sibling = NULL;
        const char *builder = getenv(IMAGE_BUILDER_ENV);

        /* $VMSILO_IMAGE_BUILDER, else the build tree's copy (this is <build>/src/cli/vmsilo),
         * else the installed one. */
        if (!builder || !*builder) {
                sibling = path_exe_sibling("../image/" IMAGE_BUILDER_NAME);
                builder = sibling ?: VMSILO_LIBEXECDIR "/" IMAGE_BUILDER_NAME;
        }
        argv[0] = (char *) builder;
        (void) execv(builder, argv);
        log_error_errno(errno, "Cannot run the image builder '%s': %m", builder);
        return CLI_EXIT_FAILURE;
}
