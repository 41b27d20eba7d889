/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* image-desktop.h: desktop entries and icons taken from a guest root filesystem at image build
 * time, for vmsilod to offer in the host menu (docs/desktop.md). */
#pragma once

/* For each of packages (Debian package names installed in rootfs_dir), reads its file list from
 * the rootfs's dpkg database, and each /usr/share/applications/<id>.desktop it ships that
 * desktop_entry_parse() accepts goes to out_dir/applications/<id>.desktop in normalised form,
 * with its icon as out_dir/icons/<id>.png: a PNG encoded by desktop_icon_png_recode(), from a
 * guest PNG or an SVG rasterised by image_svg_rasterize(). Every read
 * stays inside rootfs_dir: symlinks resolve against it, never against the host's /. Entries and
 * packages that fail are logged and left out. out_dir is replaced atomically (its parent must
 * exist). Returns the number of entries written or a logged -errno. */
int image_desktop_extract(const char *rootfs_dir, char *const *packages, const char *out_dir);
