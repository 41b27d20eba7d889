/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-pci.c: `vmsilo pci rules [FILE]`: the udev rule that claims isolatedPciDevices for
 * vfio-pci at boot, before a host driver binds them (docs/pci.md says how to install it). */
#include <stdio.h>
#include <string.h>

#include "cli-util.h"
#include "cli.h"
#include "log.h"
#include "vfio-plan.h"

static void help_pci(FILE *f) {
        fprintf(f,
                        "Usage: vmsilo pci rules [FILE]\n"
                        "\n"
                        "Print a udev rules file that sets driver_override=vfio-pci for every\n"
                        "isolatedPciDevices entry of FILE (default %s), so vfio-pci claims them\n"
                        "at boot. Install it as /etc/udev/rules.d/60-vmsilo-vfio.rules (see\n"
                        "docs/pci.md); vmsilod binds them at its start either way.\n"
                        "\n"
                        "Options:\n"
                        "  -h --help      show this help\n",
                        CONFIG_DEFAULT_PATH);
}

int cmd_pci(int argc, char **argv) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *rules = NULL;
        int r;

        if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                help_pci(stdout);
                return CLI_EXIT_OK;
        }
        if (argc < 2 || !streq(argv[1], "rules") || argc > 3) {
                help_pci(stderr);
                return CLI_EXIT_USAGE;
        }
        r = cli_load_config(argc == 3 ? argv[2] : CONFIG_DEFAULT_PATH, &c);
        if (r != CLI_EXIT_OK)
                return r;
        if (vfio_udev_rules(c->isolated_pci_devices, &rules) < 0)
                return log_oom(), CLI_EXIT_FAILURE;
        fputs(rules, stdout);
        return CLI_EXIT_OK;
}
