#!/usr/bin/env bash
# scripts/slurm-down.sh: tear down the Slurm test bed started by scripts/slurm-up.sh.
#
# Kills exactly the PIDs recorded in $SLURM_LAB/*.pid (default /tmp/flow-slurm-lab): slurmd, slurmctld, slurmdbd and
# mariadbd (WITH_DBD=1), and munged if slurm-up.sh started it. Other processes are never touched. Idempotent.
# Leaves $SLURM_LAB (logs, state) in place for inspection; pass --purge to delete it as well.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SLURM_LAB="${SLURM_LAB:-/tmp/flow-slurm-lab}"
purge=0
[[ "${1:-}" == "--purge" ]] && purge=1

stop() {    # stop NAME: TERM the recorded pid, wait up to 10 s, then KILL it.
    local f="$SLURM_LAB/$1.pid" pid
    [[ -s "$f" ]] || return 0
    pid="$(cat "$f")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            log "$1 ($pid) still running after 10 s; sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        log "stopped $1 (pid $pid)"
    fi
    rm -f "$f"
}

# Order: compute node first, then controller, accounting (WITH_DBD=1), database, then the authentication daemon.
stop slurmd
stop slurmctld
stop slurmdbd
stop mariadbd
stop munged
if [[ "$purge" == 1 ]]; then
    rm -rf "$SLURM_LAB"
    log "removed $SLURM_LAB"
fi
