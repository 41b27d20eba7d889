/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-agent.c: the guest agent's main(): parse arguments, set up, run. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent.h"
#include "args.h"
#include "log.h"
#include "vmsilo-config.h"

/* Children get fresh pipes as 0, 1 and 2; make sure none of our own fds can be created there. */
static void ensure_std_fds(void) {
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0) {
                        int null_fd = open("/dev/null", O_RDWR);
                        if (null_fd >= 0 && null_fd != fd)
                                (void) close(null_fd);
                }
}

int main(int argc, char **argv) {
        _cleanup_(agent_freep) Agent *a = NULL;
        AgentArgs args;
        int r;

        ensure_std_fds();
        log_set_program_name("vmsilo-agent");
        r = args_parse(argc, argv, &args);
        if (r < 0)
                return EXIT_FAILURE;
        if (args.help) {
                args_help(argv[0]);
                return EXIT_SUCCESS;
        }
        if (args.version) {
                printf("vmsilo-agent %s\n", VMSILO_VERSION);
                return EXIT_SUCCESS;
        }
        if (!args.log_level_given && getenv("VMSILO_LOG_LEVEL")) {
                LogLevel l = log_level_from_string(getenv("VMSILO_LOG_LEVEL"));
                if (l >= 0)
                        args.log_level = l;
                else
                        log_warning("Ignoring invalid $VMSILO_LOG_LEVEL '%s'.",
                                        getenv("VMSILO_LOG_LEVEL"));
        }
        log_set_max_level(args.log_level);

        r = agent_new(&args, &a);
        if (r < 0)
                return EXIT_FAILURE;
        r = agent_run(a);
        return r < 0 ? EXIT_FAILURE : r;
}
