/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* default-image.c: see default-image.h. */
#include <unistd.h>

#include "default-image.h"
#include "helper.h"
#include "log.h"
#include "vm.h"

static int default_image_child(void *userdata) {
        Manager *m = userdata;
        char *argv[] = { (char *) m->options.image_builder, (char *) "build",
                (char *) "--state-dir", (char *) m->options.state_dir, NULL };

        (void) execv(argv[0], argv);
        return log_error_errno(errno, "Cannot run the image builder '%s': %m", argv[0]);
}

static void on_default_image_done(Helper *h, int result, void *userdata) {
        Manager *m = userdata;

        m->image_build = helper_free(m->image_build);
        m->image_build_failed = result < 0;
        if (result < 0)
                log_error("The default guest image's build %s; VMs booting it will not start until a reload builds it.",
                                result == -ETIME ? "took too long"
                                                 : "failed (see its messages above)");
        else
                log_info("The default guest image is ready.");
        for (size_t i = 0; i < m->n_vms; i++)
                vm_default_image_done(m->vms[i], result);
}

int default_image_build(Manager *m) {
        int r;

        if (m->image_build)
                return 0;
        m->image_build_failed = false;
        r = helper_fork(m->event, "The default guest image's build", default_image_child,
                        DEFAULT_IMAGE_TIMEOUT_USEC, on_default_image_done, m, &m->image_build);
        if (r < 0) {
                m->image_build_failed = true;
                return log_error_errno(r, "Cannot start building the default guest image: %m");
        }
        return 0;
}
