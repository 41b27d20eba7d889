/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* status-table.c: `vmsilo status` table formatting. Pure. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli-args.h"
#include "macro.h"
#include "status-table.h"

#define STATUS_COLUMNS 10
#define STATUS_CELL_MAX 128

typedef char Row[STATUS_COLUMNS][STATUS_CELL_MAX];

static const char *const headers[STATUS_COLUMNS] = {
        "NAME",
        "STATE",
        "UPTIME",
        "MEMORY",
        "CPUS",
        "SESSIONS",
        "VMM",
        "ACCEL",
        "BALLOON",
        "AVAIL",
};

/* Copies a string, replacing control characters, truncated to the cell. */
static void cell_string(char cell[static STATUS_CELL_MAX], const json_t *v) {
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        size_t i;

        if (!s || s[0] == '\0') {
                strcpy(cell, "-");
                return;
        }
        for (i = 0; s[i] != '\0' && i < STATUS_CELL_MAX - 1; i++)
                cell[i] = (unsigned char) s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
        cell[i] = '\0';
}

static void cell_integer(char cell[static STATUS_CELL_MAX], const json_t *v) {
        if (json_is_integer(v) && json_integer_value(v) >= 0)
                (void) snprintf(cell, STATUS_CELL_MAX, "%" JSON_INTEGER_FORMAT,
                                json_integer_value(v));
        else
                strcpy(cell, "-");
}

static void cell_memory(char cell[static STATUS_CELL_MAX], const json_t *v) {
        json_int_t mib;

        if (!json_is_integer(v) || json_integer_value(v) < 0) {
                strcpy(cell, "-");
                return;
        }
        mib = json_integer_value(v);
        if (mib >= 1024 && mib % 1024 == 0)
                (void) snprintf(cell, STATUS_CELL_MAX, "%" JSON_INTEGER_FORMAT "G", mib / 1024);
        else
                (void) snprintf(cell, STATUS_CELL_MAX, "%" JSON_INTEGER_FORMAT "M", mib);
}

char *status_format_uptime(const json_t *uptime_sec, char ret[static STATUS_UPTIME_MAX]) {
        uint64_t s;

        if (!json_is_integer(uptime_sec) || json_integer_value(uptime_sec) < 0) {
                strcpy(ret, "-");
                return ret;
        }
        s = (uint64_t) json_integer_value(uptime_sec);
        if (s < 60)
                (void) snprintf(ret, STATUS_UPTIME_MAX, "%" PRIu64 "s", s);
        else if (s < 3600)
                (void) snprintf(ret, STATUS_UPTIME_MAX, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
                                s % 60);
        else if (s < 86400)
                (void) snprintf(ret, STATUS_UPTIME_MAX, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
                                s % 3600 / 60);
        else
                (void) snprintf(ret, STATUS_UPTIME_MAX, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
                                s % 86400 / 3600);
        return ret;
}

static void row_fill(Row row, const json_t *vm) {
        char uptime[STATUS_UPTIME_MAX];

        cell_string(row[0], json_object_get(vm, "name"));
        cell_string(row[1], json_object_get(vm, "state"));
        (void) snprintf(row[2], STATUS_CELL_MAX, "%s",
                        status_format_uptime(json_object_get(vm, "uptime_sec"), uptime));
        cell_memory(row[3], json_object_get(vm, "memory_mib"));
        cell_integer(row[4], json_object_get(vm, "cpus"));
        cell_integer(row[5], json_object_get(vm, "sessions"));
        cell_string(row[6], json_object_get(vm, "vmm"));
        cell_string(row[7], json_object_get(vm, "accel"));
        cell_memory(row[8], json_object_get(vm, "balloon_mib"));
        cell_memory(row[9], json_object_get(vm, "guest_available_mib"));
}

/* "NAME: IFNAME tap TAP mac MAC ADDRESS…" for each interface of each VM. */
static void interfaces_print(FILE *f, const json_t *vms) {
        const json_t *vm, *ifc, *addr;
        size_t i, j, k;

        json_array_foreach(vms, i, vm) {
                char name[STATUS_CELL_MAX];

                cell_string(name, json_object_get(vm, "name"));
                json_array_foreach(json_object_get(vm, "interfaces"), j, ifc) {
                        char ifname[STATUS_CELL_MAX], tap[STATUS_CELL_MAX], mac[STATUS_CELL_MAX];

                        cell_string(ifname, json_object_get(ifc, "name"));
                        cell_string(tap, json_object_get(ifc, "tap"));
                        cell_string(mac, json_object_get(ifc, "mac"));
                        fprintf(f, "%s: %s tap %s mac %s", name, ifname, tap, mac);
                        json_array_foreach(json_object_get(ifc, "addresses"), k, addr) {
                                char a[STATUS_CELL_MAX];

                                cell_string(a, addr);
                                fprintf(f, " %s", a);
                        }
                        fputc('\n', f);
                }
        }
}

/* "NAME: gui: COMPOSITOR-OR-PROBLEM; fence STATE (pid P, N restarts[: LAST ERROR]); waypipe …"
 * for each VM with Wayland companions. */
static void gui_print(FILE *f, const json_t *vms) {
        const json_t *vm, *gui, *companion;
        size_t i, j;

        json_array_foreach(vms, i, vm) {
                char name[STATUS_CELL_MAX], where[STATUS_CELL_MAX];

                gui = json_object_get(vm, "gui");
                if (!json_is_object(gui))
                        continue;
                cell_string(name, json_object_get(vm, "name"));
                cell_string(where, json_object_get(gui, "compositor"));
                if (streq(where, "-")) {
                        cell_string(where, json_object_get(gui, "problem"));
                        fprintf(f, "%s: gui: %s", name, where);
                } else
                        fprintf(f, "%s: gui: compositor %s", name, where);
                json_array_foreach(json_object_get(gui, "companions"), j, companion) {
                        char cname[STATUS_CELL_MAX], state[STATUS_CELL_MAX], pid[STATUS_CELL_MAX],
                                        restarts[STATUS_CELL_MAX], error[STATUS_CELL_MAX];

                        cell_string(cname, json_object_get(companion, "name"));
                        cell_string(state, json_object_get(companion, "state"));
                        cell_integer(pid, json_object_get(companion, "pid"));
                        cell_integer(restarts, json_object_get(companion, "restarts"));
                        cell_string(error, json_object_get(companion, "last_error"));
                        fprintf(f, "; %s %s (pid %s, %s restarts%s%s)", cname, state, pid, restarts,
                                        streq(error, "-") ? "" : ": ",
                                        streq(error, "-") ? "" : error);
                }
                fputc('\n', f);
        }
}

void status_merge_balloond(json_t *vms, const json_t *balloond) {
        const json_t *entry;
        json_t *vm;
        size_t i, j;

        json_array_foreach(vms, i, vm) {
                const char *name = json_string_value(json_object_get(vm, "name"));

                json_array_foreach(json_object_get(balloond, "vms"), j, entry) {
                        json_t *balloon = json_object_get(entry, "balloon_bytes");
                        json_t *avail = json_object_get(entry, "guest_available_bytes");

                        if (!name || !streq_ptr(name, json_string_value(json_object_get(
                                                                      entry, "name"))))
                                continue;
                        if (json_is_integer(balloon) && json_integer_value(balloon) >= 0)
                                (void) json_object_set_new(vm, "balloon_mib",
                                                json_integer(json_integer_value(balloon) >> 20));
                        if (json_is_integer(avail) && json_integer_value(avail) >= 0)
                                (void) json_object_set_new(vm, "guest_available_mib",
                                                json_integer(json_integer_value(avail) >> 20));
                }
        }
}

static void row_print(FILE *f, const char *const cells[STATUS_COLUMNS],
                const size_t widths[STATUS_COLUMNS]) {
        for (size_t c = 0; c < STATUS_COLUMNS; c++) {
                if (c + 1 < STATUS_COLUMNS)
                        fprintf(f, "%-*s  ", (int) widths[c], cells[c]);
                else
                        fprintf(f, "%s\n", cells[c]);
        }
}

static void reasons_print(FILE *f, const json_t *vms) {
        size_t i;
        json_t *vm;

        json_array_foreach(vms, i, vm) {
                const json_t *reason = json_object_get(vm, "reason");
                char name[STATUS_CELL_MAX], text[STATUS_CELL_MAX];

                if (!json_is_string(reason) || json_string_length(reason) == 0)
                        continue;
                cell_string(name, json_object_get(vm, "name"));
                cell_string(text, reason);
                fprintf(f, "%s: failed: %s\n", name, text);
        }
}

int status_table_format(const json_t *vms, char **ret) {
        _cleanup_(freep) Row *rows = NULL;
        size_t widths[STATUS_COLUMNS], n, i, size = 0;
        _cleanup_(freep) char *text = NULL;
        json_t *vm;
        FILE *f;

        if (!json_is_array(vms))
                return -EINVAL;
        n = json_array_size(vms);
        rows = calloc(MAX(n, (size_t) 1), sizeof(Row));
        if (!rows)
                return -ENOMEM;
        for (size_t c = 0; c < STATUS_COLUMNS; c++)
                widths[c] = strlen(headers[c]);
        json_array_foreach(vms, i, vm) {
                row_fill(rows[i], vm);
                for (size_t c = 0; c < STATUS_COLUMNS; c++)
                        widths[c] = MAX(widths[c], strlen(rows[i][c]));
        }

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        row_print(f, headers, widths);
        for (i = 0; i < n; i++) {
                const char *cells[STATUS_COLUMNS];

                for (size_t c = 0; c < STATUS_COLUMNS; c++)
                        cells[c] = rows[i][c];
                row_print(f, cells, widths);
        }
        reasons_print(f, vms);
        interfaces_print(f, vms);
        gui_print(f, vms);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}

int status_list_format(const json_t *vms, bool json, char **ret) {
        _cleanup_(json_decrefp) json_t *names = NULL;
        _cleanup_(freep) char *text = NULL;
        size_t size = 0, i;
        json_t *vm;
        FILE *f;

        if (!json_is_array(vms))
                return -EINVAL;
        names = json_array();
        if (!names)
                return -ENOMEM;
        json_array_foreach(vms, i, vm) {
                const char *name = json_string_value(json_object_get(vm, "name"));

                if (name && cli_vm_name_is_valid(name) &&
                                json_array_append_new(names, json_string(name)) < 0)
                        return -ENOMEM;
        }

        if (json) {
                text = json_dumps(names, JSON_COMPACT);
                if (!text || asprintf(ret, "%s\n", text) < 0)
                        return -ENOMEM;
                return 0;
        }
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        json_array_foreach(names, i, vm)
                fprintf(f, "%s\n", json_string_value(vm));
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
        return 0;
}
