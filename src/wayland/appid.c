/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* appid.c: guest app_ids to host desktop entry ids. Pure. */
#include <errno.h>
#include <stdio.h>

#include "appid.h"
#include "desktop-entry.h"

int appid_format(const char *vm, const char *untrusted_app_id, AppIdKnown known, void *userdata,
                char **ret) {
        /* desktop_host_file_name() takes only a valid entry id: no '/', no leading '.', so the
         * name never leaves the entries directory */
        if (untrusted_app_id && known && desktop_id_is_valid(untrusted_app_id) &&
                        known(vm, untrusted_app_id, userdata))
                return desktop_host_file_name("vmsilo-", vm, untrusted_app_id, "", ret);
        return asprintf(ret, "vmsilo-%s", vm) < 0 ? -ENOMEM : 0;
}
