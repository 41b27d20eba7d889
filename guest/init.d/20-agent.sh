# SPDX-License-Identifier: LGPL-2.1-or-later
# Variables are shared between /init and its stages (set in one, used in another):
# shellcheck shell=sh disable=SC2034,SC2154
# 20-agent.sh: the agent's runner, `/init --run-agent`, which busybox init respawns.

# Respawned by busybox init (see the inittab below); not PID 1. The marker makes every start
# after the first wait 1 s, so a crashing agent cannot spin the CPU.
run_agent() {
        [ -r "$RUN_DIR/loglevel" ] && read -r loglevel <"$RUN_DIR/loglevel"
        console_ready=1
        if [ -e "$AGENT_STARTED" ]; then
                log warn "vmsilo-agent exited; restarting in 1 s"
                sleep 1
        fi
        : >"$AGENT_STARTED"
        VMSILO_LOG_LEVEL=$loglevel
        export VMSILO_LOG_LEVEL
        exec "$AGENT"
}
