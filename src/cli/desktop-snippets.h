/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-snippets.h: ready-made compositor settings that show each VM's colour in the title bars
 * the compositor draws for vmsilo windows (their app_ids start with "vmsilo-<vm>"; the frame
 * vmsilo-wayland draws needs none of this). `vmsilo desktop snippets sway|kwin`. Pure. */
#pragma once

#include "config.h"

typedef enum DesktopSnippetKind {
        DESKTOP_SNIPPET_SWAY,
        DESKTOP_SNIPPET_KWIN,
        _DESKTOP_SNIPPET_KIND_MAX,
} DesktopSnippetKind;

const char *desktop_snippet_kind_to_string(DesktopSnippetKind k);
DesktopSnippetKind desktop_snippet_kind_from_string(const char *s); /* -EINVAL if unknown */

/* The snippet for every VM of c, as text in *ret. */
int desktop_snippets_format(const Config *c, DesktopSnippetKind kind, char **ret);
