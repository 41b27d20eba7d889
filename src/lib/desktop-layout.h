/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-layout.h: where desktop entries live: in an image directory (written by
 * image_desktop_extract() at image build time) and in the user's home (written by vmsilod).
 * Shared by the builder and the daemon; docs/desktop.md. */
#pragma once

/* Relative to the state dir: <vm> is a symlink to that VM's image directory. */
#define DESKTOP_IMAGE_POINTERS_DIR "images/vms"
/* Inside an image directory: applications/<id>.desktop (normalised) and icons/<id>.png (a PNG
 * we encoded). */
#define DESKTOP_IMAGE_SUBDIR "desktop"
#define DESKTOP_APPLICATIONS_SUBDIR "applications"
#define DESKTOP_ICONS_SUBDIR "icons"
/* Applications one image may offer; more are left out. */
#define DESKTOP_IMAGE_ENTRIES_MAX 256u
/* Relative to the user's home. */
#define DESKTOP_HOME_APPLICATIONS_DIR ".local/share/applications"
#define DESKTOP_HOME_ICONS_DIR ".local/share/icons/vmsilo"
