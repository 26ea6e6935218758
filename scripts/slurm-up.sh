#!/usr/bin/env bash
# scripts/slurm-up.sh: bring up a single-node Slurm test bed (munge + slurmctld + slurmd) on this machine.
#
# No arguments; idempotent (daemons already running from an earlier call are reused).
# Follows shared/reference/test-servers.md §1:
#   1. installs slurm-wlm and munge with apt-get unless they are already installed;
#   2. starts munged as user munge (unless a munged is already running);
#   3. writes /etc/slurm/slurm.conf, taking CPUs and RealMemory from `slurmd -C`;
#   4. starts slurmctld, then slurmd, and polls `sinfo` until the node is idle;
#   5. smoke test: `sbatch --parsable --wrap 'echo hi'` must reach COMPLETED and write "hi".
# State, spool, logs and pid files live under $SLURM_LAB (default /tmp/flow-slurm-lab).
# The PIDs of the daemons this script started are in $SLURM_LAB/*.pid; scripts/slurm-down.sh kills exactly those.
# Timings are appended to $SLURM_LAB/logs/slurm-up-timings.txt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SLURM_LAB="${SLURM_LAB:-/tmp/flow-slurm-lab}"
SLURM_CONF_PATH=/etc/slurm/slurm.conf
T0="$(now)"
timings=()
mark() { timings+=("$1 $(elapsed "$2")s"); log "$1: $(elapsed "$2") s"; }

alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# 1. packages
t="$(now)"
ensure_packages slurm-wlm munge
mark "packages" "$t"

mkdir -p "$SLURM_LAB"/{state,spool,logs,jobs}
chown slurm:slurm "$SLURM_LAB/state" "$SLURM_LAB/logs"
chmod 755 "$SLURM_LAB" "$SLURM_LAB/logs"

# 2. munge
t="$(now)"
install -d -o munge -g munge -m 755 /run/munge
if alive "$SLURM_LAB/munged.pid"; then
    log "munged already running (pid $(cat "$SLURM_LAB/munged.pid"))"
elif [[ -S /run/munge/munge.socket.2 ]] && munge -n >/dev/null 2>&1; then
    log "a munged not started by this script is running; using it"
else
    [[ -s /etc/munge/munge.key ]] || { log "no /etc/munge/munge.key (reinstall munge)"; exit 1; }
    rm -f /run/munge/munged.pid
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
    for _ in $(seq 50); do [[ -s /run/munge/munged.pid ]] && break; sleep 0.1; done
    cp /run/munge/munged.pid "$SLURM_LAB/munged.pid"
    munge -n | unmunge >/dev/null
    log "munged started (pid $(cat "$SLURM_LAB/munged.pid"))"
fi
mark "munge" "$t"

# 3. slurm.conf
t="$(now)"
node_line="$(slurmd -C | head -n 1)"           # NodeName=vm CPUs=2 ... RealMemory=24105
node="$(sed -n 's/.*NodeName=\([^ ]*\).*/\1/p' <<<"$node_line")"
cpus="$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")"
mem="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")"
conf="$(mktemp)"
cat >"$conf" <<CONF
# Written by flow's scripts/slurm-up.sh: a one-node test cluster. State lives in $SLURM_LAB.
ClusterName=flowtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
MinJobAge=600
ReturnToService=2
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_LAB/logs/jobcomp.txt
AccountingStorageType=accounting_storage/none
StateSaveLocation=$SLURM_LAB/state
SlurmdSpoolDir=$SLURM_LAB/spool
SlurmctldPidFile=$SLURM_LAB/slurmctld.pid
SlurmdPidFile=$SLURM_LAB/slurmd.pid
SlurmctldLogFile=$SLURM_LAB/logs/slurmctld.log
SlurmdLogFile=$SLURM_LAB/logs/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p /etc/slurm
conf_changed=0
if ! cmp -s "$conf" "$SLURM_CONF_PATH"; then
    install -m 644 "$conf" "$SLURM_CONF_PATH"
    conf_changed=1
fi
rm -f "$conf"
mark "config" "$t"

# 4. daemons
t="$(now)"
if alive "$SLURM_LAB/slurmctld.pid"; then
    log "slurmctld already running (pid $(cat "$SLURM_LAB/slurmctld.pid"))"
    if [[ "$conf_changed" == 1 ]]; then scontrol reconfigure; fi
else
    /usr/sbin/slurmctld
fi
if alive "$SLURM_LAB/slurmd.pid"; then
    log "slurmd already running (pid $(cat "$SLURM_LAB/slurmd.pid"))"
else
    /usr/sbin/slurmd
fi
state=""
for _ in $(seq 300); do
    state="$(sinfo -h -o %T 2>/dev/null | head -n 1 || true)"
    [[ "$state" == "idle" || "$state" == "mixed" || "$state" == "allocated" ]] && break
    sleep 0.2
done
if [[ "$state" != "idle" && "$state" != "mixed" && "$state" != "allocated" ]]; then
    log "node did not become idle (state: '${state}'); last log lines:"
    tail -n 20 "$SLURM_LAB/logs/slurmctld.log" "$SLURM_LAB/logs/slurmd.log" >&2 || true
    exit 1
fi
for f in slurmctld slurmd; do
    for _ in $(seq 50); do [[ -s "$SLURM_LAB/$f.pid" ]] && break; sleep 0.1; done
done
mark "daemons up, node $state" "$t"

# 5. smoke test
t="$(now)"
job="$(cd "$SLURM_LAB/jobs" && sbatch --parsable --output="$SLURM_LAB/jobs/smoke-%j.out" --wrap 'echo hi')"
job="${job%%;*}"
jstate=""
for _ in $(seq 600); do
    jstate="$(scontrol show job -o "$job" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')"
    case "$jstate" in
        COMPLETED) break ;;
        FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)
            log "smoke job $job ended $jstate"; scontrol show job -o "$job" >&2; exit 1 ;;
    esac
    sleep 0.1
done
[[ "$jstate" == COMPLETED ]] || { log "smoke job $job did not complete (state $jstate)"; exit 1; }
out="$SLURM_LAB/jobs/smoke-$job.out"
for _ in $(seq 50); do [[ -s "$out" ]] && break; sleep 0.1; done
[[ "$(cat "$out")" == "hi" ]] || { log "smoke job output is not 'hi': $(cat "$out" 2>&1)"; exit 1; }
mark "smoke job $job completed" "$t"

mark "total" "$T0"
{ printf '%s ' "$(date -Is)"; printf '%s; ' "${timings[@]}"; echo; } >>"$SLURM_LAB/logs/slurm-up-timings.txt"
log "Slurm is up: partition debug, node $node ($cpus CPUs, ${mem} MB); SLURM_LAB=$SLURM_LAB"
