/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-snippets.c: sway and KWin settings for vmsilo windows' title bars. Pure. */
#include <stdio.h>
#include <stdlib.h>

#include "desktop-snippets.h"
#include "macro.h"
#include "string-table.h"

static const char *const desktop_snippet_kind_table[_DESKTOP_SNIPPET_KIND_MAX] = {
        [DESKTOP_SNIPPET_SWAY] = "sway",
        [DESKTOP_SNIPPET_KWIN] = "kwin",
};
DEFINE_STRING_TABLE_LOOKUP(desktop_snippet_kind, DesktopSnippetKind, _DESKTOP_SNIPPET_KIND_MAX);

#define RGB(v) (unsigned) ((v) >> 16 & 0xff), (unsigned) ((v) >> 8 & 0xff), (unsigned) ((v) &0xff)

/* The app_ids of a VM's windows: "vmsilo-<vm>" and "vmsilo-<vm>.<entry id>" (appid.c), never
 * another VM's ("vmsilo-web" must not match "vmsilo-web-dev"). VM names need no escaping. */
#define APP_ID_REGEX "^vmsilo-%s(\\.|$)"

/* sway cannot colour one window's title bar, but title_format takes Pango markup. */
static void sway(FILE *f, const VmConfig *vm) {
        fprintf(f,
                        "# VM '%s', colour %s\n"
                        "for_window [app_id=\"" APP_ID_REGEX "\"] border normal %u, "
                        "title_format \"<span background='#%02x%02x%02x' "
                        "foreground='#%02x%02x%02x'> %%title </span>\"\n",
                        vm->name, vm->color, vm->name, MAX(vm->frame_width, 1u), RGB(vm->color_rgb),
                        RGB(vm->text_rgb));
}

/* A window rule forcing a colour scheme whose window-manager colours are the VM's. */
static void kwin_rule(FILE *f, size_t i, const VmConfig *vm) {
        fprintf(f,
                        "[vmsilo-%zu]\n"
                        "Description=vmsilo VM %s\n"
                        "wmclass=" APP_ID_REGEX "\n"
                        "wmclassmatch=3\n"
                        "wmclasscomplete=false\n"
                        "decocolor=vmsilo-%s\n"
                        "decocolorrule=2\n"
                        "\n",
                        i + 1, vm->name, vm->name, vm->name);
}

static void kwin_colors(FILE *f, const VmConfig *vm) {
        fprintf(f,
                        "# ~/.local/share/color-schemes/vmsilo-%s.colors\n"
                        "[General]\n"
                        "Name=vmsilo-%s\n"
                        "[WM]\n"
                        "activeBackground=%u,%u,%u\n"
                        "activeForeground=%u,%u,%u\n"
                        "inactiveBackground=%u,%u,%u\n"
                        "inactiveForeground=%u,%u,%u\n"
                        "\n",
                        vm->name, vm->name, RGB(vm->color_rgb), RGB(vm->text_rgb),
                        RGB(vm->color_rgb), RGB(vm->text_rgb));
}

static void kwin(FILE *f, const Config *c) {
        fprintf(f,
                        "# ~/.config/kwinrulesrc (merge with existing rules), then: "
                        "qdbus org.kde.KWin /KWin reconfigure\n"
                        "[General]\n"
                        "count=%zu\n"
                        "rules=",
                        c->n_vms);
        for (size_t i = 0; i < c->n_vms; i++)
                fprintf(f, "%svmsilo-%zu", i > 0 ? "," : "", i + 1);
        fputs("\n\n", f);
        for (size_t i = 0; i < c->n_vms; i++)
                kwin_rule(f, i, &c->vms[i]);
        for (size_t i = 0; i < c->n_vms; i++)
                kwin_colors(f, &c->vms[i]);
}

int desktop_snippets_format(const Config *c, DesktopSnippetKind kind, char **ret) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        if (kind == DESKTOP_SNIPPET_SWAY) {
                fputs("# sway: include from ~/.config/sway/config, then: swaymsg reload\n", f);
                for (size_t i = 0; i < c->n_vms; i++)
                        sway(f, &c->vms[i]);
        } else
                kwin(f, c);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}
