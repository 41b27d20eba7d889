/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-layout.h: where desktop entries live: in an image directory (written by
 * image_desktop_extract() at image build time) and in the state dir's exports (written by
 * vmsilod).
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
/* Relative to the state dir: what vmsilod exports to the host session, an XDG data dir
 * (data/vmsilo-xdg.sh adds it to XDG_DATA_DIRS). */
#define DESKTOP_EXPORTS_DATA_DIR "exports/share"
#define DESKTOP_EXPORTS_APPLICATIONS_DIR DESKTOP_EXPORTS_DATA_DIR "/applications"
#define DESKTOP_EXPORTS_ICONS_DIR DESKTOP_EXPORTS_DATA_DIR "/icons/vmsilo"
