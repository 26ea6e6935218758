#!/usr/bin/env bash
# Tests/integration/slurm-testbed.sh: the Slurm test bed answers the commands flow's Slurm executor relies on
# (sbatch --parsable, scontrol show job -o, squeue -t all, sacct -c, scancel). Skipped when it is not up.
set -euo pipefail
if [[ "${FLOW_TEST_SLURM:-0}" != 1 ]]; then
    echo "skipped: Slurm test bed not up (scripts/test.sh starts it when Tests/ has Slurm tests)"
    exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

wait_state() {  # wait_state JOB: prints the final JobState (polls up to 3 minutes: the node may be busy)
    local s=""
    for _ in $(seq 1800); do
        s="$(scontrol show job -o "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')"
        case "$s" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
        sleep 0.1
    done
    echo "$s"
}

ok="$(sbatch --parsable --output="$tmp/ok-%j.out" --wrap 'echo hello from slurm')"
bad="$(sbatch --parsable --output="$tmp/bad-%j.out" --wrap 'exit 3')"
long="$(sbatch --parsable --output=/dev/null --wrap 'sleep 60')"
[[ "$ok" =~ ^[0-9]+$ && "$bad" =~ ^[0-9]+$ ]]
[[ "$(wait_state "$ok")" == COMPLETED ]]
[[ "$(cat "$tmp/ok-$ok.out")" == "hello from slurm" ]]
[[ "$(wait_state "$bad")" == FAILED ]]
scontrol show job -o "$bad" | grep -q 'ExitCode=3:0'
scancel "$long"
[[ "$(wait_state "$long")" == CANCELLED ]]
squeue -h -t all -o '%i|%T' | grep -q "^$bad|FAILED$"
sacct -c -j "$bad" --parsable2 --noheader --format=JobID,State,ExitCode | grep -q "^$bad|FAILED|3:0"
echo "slurm test bed: ok (jobs $ok $bad $long)"
