#!/usr/bin/env bash
# scripts/slurm-up.sh: bring up a single-node Slurm test bed (munge + slurmctld + slurmd) on this machine.
#
# No arguments; idempotent (daemons already running from an earlier call are reused).
# Follows shared/reference/test-servers.md §1:
#   1. installs slurm-wlm and munge with apt-get unless they are already installed;
#   2. starts munged as user munge (unless a munged is already running);
#   3. writes /etc/slurm/slurm.conf, taking CPUs and RealMemory from `slurmd -C`, with the default partition `debug`
#      and `pilots`, whose cores up to 4 jobs share (token-pool pilots mostly wait: Tests/integration/picas-slurm.sh);
#   4. with WITH_DBD=1 only: also installs mariadb-server and slurmdbd, starts MariaDB (as user mysql, on 127.0.0.1),
#      creates the slurm_acct_db database and user, writes /etc/slurm/slurmdbd.conf, starts slurmdbd and registers
#      the cluster, so that plain `sacct` works (without it, `sacct -c` reads the jobcomp file instead);
#   5. starts slurmctld, then slurmd, and polls `sinfo` until the node is idle;
#   6. smoke test: `sbatch --parsable --wrap 'echo hi'` must reach COMPLETED and write "hi".
# If the configuration changed (e.g. WITH_DBD switched) while daemons from an earlier call run, they are restarted.
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
WITH_DBD="${WITH_DBD:-0}"
if [[ "$WITH_DBD" == 1 ]]; then
    ensure_packages slurm-wlm munge slurmdbd mariadb-server
else
    ensure_packages slurm-wlm munge
fi
mark "packages" "$t"

mkdir -p "$SLURM_LAB"/{state,spool,logs,jobs}
chown slurm:slurm "$SLURM_LAB/state" "$SLURM_LAB/logs"
chmod 755 "$SLURM_LAB" "$SLURM_LAB/logs"

# 2. slurm.conf (first, so that a changed configuration can restart running daemons)
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
$(if [[ "$WITH_DBD" == 1 ]]; then
    printf 'AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=127.0.0.1\n'
else
    printf 'AccountingStorageType=accounting_storage/none\n'
fi)
StateSaveLocation=$SLURM_LAB/state
SlurmdSpoolDir=$SLURM_LAB/spool
SlurmctldPidFile=$SLURM_LAB/slurmctld.pid
SlurmdPidFile=$SLURM_LAB/slurmd.pid
SlurmctldLogFile=$SLURM_LAB/logs/slurmctld.log
SlurmdLogFile=$SLURM_LAB/logs/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=pilots Nodes=ALL Default=NO MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
mkdir -p /etc/slurm
if ! cmp -s "$conf" "$SLURM_CONF_PATH"; then
    if alive "$SLURM_LAB/slurmctld.pid" || alive "$SLURM_LAB/slurmd.pid"; then
        log "slurm.conf changes: restarting the daemons of the earlier call"
        "$FLOW_ROOT/scripts/slurm-down.sh"
    fi
    install -m 644 "$conf" "$SLURM_CONF_PATH"
fi
rm -f "$conf"
mark "config" "$t"

# 3. munge
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

# 4. MariaDB + slurmdbd (WITH_DBD=1 only)
if [[ "$WITH_DBD" == 1 ]]; then
    t="$(now)"
    install -d -o mysql -g mysql -m 755 /run/mysqld
    if alive "$SLURM_LAB/mariadbd.pid"; then
        log "mariadbd already running (pid $(cat "$SLURM_LAB/mariadbd.pid"))"
    else
        [[ -d /var/lib/mysql/mysql ]] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
        rm -f /run/mysqld/mysqld.pid
        # mariadbd does not daemonize; it cannot write a pid file into root-owned folders, hence /run/mysqld.
        setsid runuser -u mysql -- /usr/sbin/mariadbd --bind-address=127.0.0.1 --socket=/run/mysqld/mysqld.sock \
            --pid-file=/run/mysqld/mysqld.pid --log-error="$SLURM_LAB/logs/mariadb.err" </dev/null >/dev/null 2>&1 &
        for _ in $(seq 300); do
            [[ -s /run/mysqld/mysqld.pid ]] && mariadb -e 'select 1' >/dev/null 2>&1 && break
            sleep 0.1
        done
        cp /run/mysqld/mysqld.pid "$SLURM_LAB/mariadbd.pid"
        log "mariadbd started (pid $(cat "$SLURM_LAB/mariadbd.pid"))"
    fi
    mariadb -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
        CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'flowtest';
        GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
    dbdconf="$(mktemp)"
    cat >"$dbdconf" <<DBD
# Written by flow's scripts/slurm-up.sh (WITH_DBD=1).
AuthType=auth/munge
DbdAddr=127.0.0.1
DbdHost=localhost
SlurmUser=slurm
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=flowtest
PidFile=$SLURM_LAB/slurmdbd.pid
LogFile=$SLURM_LAB/logs/slurmdbd.log
DBD
    install -m 600 -o slurm -g slurm "$dbdconf" /etc/slurm/slurmdbd.conf
    rm -f "$dbdconf"
    if alive "$SLURM_LAB/slurmdbd.pid"; then
        log "slurmdbd already running (pid $(cat "$SLURM_LAB/slurmdbd.pid"))"
    else
        /usr/sbin/slurmdbd
    fi
    for _ in $(seq 300); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.1; done
    sacctmgr -n list cluster format=cluster | grep -qw flowtest || sacctmgr -i add cluster flowtest >/dev/null
    mark "mariadb + slurmdbd" "$t"
fi

# 5. daemons
t="$(now)"
started=0
if alive "$SLURM_LAB/slurmctld.pid"; then
    log "slurmctld already running (pid $(cat "$SLURM_LAB/slurmctld.pid"))"
else
    /usr/sbin/slurmctld
    started=1
fi
if alive "$SLURM_LAB/slurmd.pid"; then
    log "slurmd already running (pid $(cat "$SLURM_LAB/slurmd.pid"))"
else
    /usr/sbin/slurmd
    started=1
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

# 6. smoke test, when this call started a daemon (a running test bed may be busy with someone's jobs:
#    there the node state above is the health check). Waits up to 3 minutes for the job.
if [[ "$started" == 0 && "${SLURM_SMOKE:-auto}" != 1 ]]; then
    mark "total (test bed was already up; smoke test skipped)" "$T0"
    exit 0
fi
t="$(now)"
job="$(cd "$SLURM_LAB/jobs" && sbatch --parsable --output="$SLURM_LAB/jobs/smoke-%j.out" --wrap 'echo hi')"
job="${job%%;*}"
jstate=""
for _ in $(seq 1800); do
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
