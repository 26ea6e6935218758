#!/usr/bin/env bash
# Tests/integration/crash-trials.sh: kill -9 at random points of a 1,000-job run, then one command
# must restore a complete, correct result.
#
# Each trial runs a workflow of N jobs (N/2 "a" jobs, N/2 "b" jobs each reading one "a" output),
# every job appending its output in three steps with pauses and logging START/STEP/END lines with
# its pid to a shared events.log. Once a random number of jobs (1..90% of N) has started, the
# engine is killed: odd trials SIGKILL the engine alone (its jobs are orphaned), even trials
# SIGKILL every process of its session (the engine runs under setsid), as a closed SSH session or a
# lost node would. Right after the kill the finished outputs (present, not marked incomplete) are
# stamped (bytes, mtime). Then the recovery command runs (flow: one `flow run`), and the trial
# counts (lib/crash_trials.py):
#   missing / wrong outputs (wrong = bytes differ from one clean run: overlapping writes repeat
#   parts), finished outputs rerun (changed, or their job started again), jobs running twice at once.
# For flow every trial must end with all four at 0 and the recovery exiting 0.
#
# Environment: ENGINE=flow (default) or snakemake (SNAKEMAKE=path; recovery is then Snakemake's
# documented `--unlock` followed by `--rerun-incomplete`, and the figures are reported, not
# asserted); TRIALS (20), PARALLEL trials at once (4), N jobs (1000), CORES per run (8), PAUSE
# seconds between a job's steps (0.03; longer jobs outlive a slow recovery's start: with
# `N=200 PAUSE=4 CORES=50 TRIALS=5` Snakemake 9.27.1's engine-only kills left 49 outputs with
# overlapping writes and 35 jobs running twice at once in 5 trials, flow's none).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
ENGINE="${ENGINE:-flow}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
SNAKEMAKE="${SNAKEMAKE:-/work/main/.venv-snakemake/bin/snakemake}"
TRIALS="${TRIALS:-20}"
PARALLEL="${PARALLEL:-4}"
N="${N:-1000}"
CORES="${CORES:-8}"
PAUSE="${PAUSE:-0.03}"
if [[ "$ENGINE" == flow && ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
if [[ "$ENGINE" == snakemake && ! -x "$SNAKEMAKE" ]]; then echo "SKIP: no snakemake at $SNAKEMAKE"; exit 77; fi
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the results"; exit 77; }
command -v setsid >/dev/null || { echo "SKIP: setsid is needed for the session kills"; exit 77; }
HELPER="$ROOT/Tests/integration/lib/crash_trials.py"
tmp="$(mktemp -d)"
MARK="flowcrashtrial$$x$RANDOM"
cleanup() {
    # Whatever a trial left (an engine not killed because of a failure, orphans of Snakemake runs).
    pkill -KILL -f "$MARK" 2>/dev/null || true
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
source "$ROOT/Tests/integration/lib/checks.bash"

if [[ "$ENGINE" == flow ]]; then engine=("$FLOW_BIN" run --cores "$CORES"); else engine=("$SNAKEMAKE" --cores "$CORES"); fi
run_engine() { "${engine[@]}" "$@"; }  # the engine on this trial's workflow
recover() {
    if [[ "$ENGINE" == flow ]]; then run_engine; else run_engine --unlock && run_engine --rerun-incomplete; fi
}
started() { grep -c '^START' events.log 2>/dev/null || true; }
session_processes() { ps -eo sid=,pid= | awk -v s="$1" '$1 == s { print $2 }'; }

# trial NUMBER: prints "trial K mode=… kill_after=… rc=… missing=… wrong=… finished_rerun=… concurrent=…"
trial() {
    local k="$1" dir="$tmp/trial$1" mark="${MARK}t${1}x"
    mkdir -p "$dir" && cd "$dir"
    mkfifo pause.fifo
    { echo "PAUSE=$PAUSE"; cat; } > job.sh <<'EOF'
# job.sh OUTPUT KEY [INPUT]: the input's bytes, then three parts, each logged, with pauses.
out="$1" key="$2"
exec 9<>pause.fifo
echo "START $key $$" >> events.log
[[ -n "${3:-}" ]] && cat "$3" >> "$out"
for step in 1 2 3; do
    read -r -t "$PAUSE" -u 9 _ || true
    echo "$key part $step" >> "$out"
    echo "STEP $key $$ $step" >> events.log
done
echo "END $key $$" >> events.log
EOF
    cat > Snakefile <<EOF
rule all:
    input: expand("b/{i}.txt", i=range($N // 2))

rule a:
    output: "a/{i}.txt"
    shell: "bash job.sh {output} a-{wildcards.i} '' $mark"

rule b:
    input: "a/{i}.txt"
    output: "b/{i}.txt"
    shell: "bash job.sh {output} b-{wildcards.i} {input} $mark"
EOF
    local mode=engine
    (( k % 2 == 0 )) && mode=session
    local kill_after=$(( 1 + (RANDOM * 32768 + RANDOM) % (N * 9 / 10) ))
    # setsid makes the engine lead a new session (not being a group leader here, it does not
    # fork: $! is the engine itself, and the session id is its pid).
    setsid "${engine[@]}" > run1.log 2>&1 < /dev/null &
    local pid=$!
    local deadline=$((SECONDS + 300))
    while [[ "$(started)" -lt "$kill_after" ]] && kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do
        sleep 0.02
    done
    if [[ "$mode" == engine ]]; then
        # The engine itself, not the bash that exec'd it (same pid).
        kill -KILL "$pid" 2>/dev/null || true
    else
        local round
        for round in 1 2 3; do
            local pids; pids="$(session_processes "$pid")"
            [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null || true
        done
    fi
    wait "$pid" 2>/dev/null || true
    local kill_offset; kill_offset="$(stat -c %s events.log 2>/dev/null || echo 0)"
    python3 "$HELPER" snapshot "$dir" "$ENGINE" > finished.snapshot
    local rc=0
    recover > run2.log 2>&1 || rc=$?
    # Orphans of the killed run (if the engine left any) may still write: give them time, then count.
    local wait_end=$((SECONDS + 15))
    while pgrep -f "$mark" >/dev/null && [[ $SECONDS -lt $wait_end ]]; do sleep 0.2; done
    local orphans_after; orphans_after="$(pgrep -fc "$mark" || true)"
    echo "trial $k mode=$mode kill_after=$kill_after finished=$(wc -l < finished.snapshot) rc=$rc orphans_left=${orphans_after:-0} $(python3 "$HELPER" verdict "$dir" "$N" finished.snapshot "$kill_offset")"
}

results="$tmp/results"
: > "$results"
pids=()
for ((k = 1; k <= TRIALS; k++)); do
    ( trial "$k" >> "$results" ) &
    pids+=($!)
    if (( ${#pids[@]} >= PARALLEL )); then wait "${pids[0]}" || true; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || true; done

sort -k2 -n "$results"
total() { awk -v key="$1" '{ for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[1] == key) s += kv[2] } END { print s + 0 }' "$results"; }
failed_runs="$(awk '$0 !~ / rc=0 / { n++ } END { print n + 0 }' "$results")"
echo "$ENGINE: $(wc -l < "$results") trials; recovery failed in $failed_runs; missing outputs $(total missing); wrong (overlapping) outputs $(total wrong); finished jobs rerun $(total finished_rerun); jobs running twice at once $(total concurrent)"
if [[ "$ENGINE" == flow ]]; then
    check "all $TRIALS trials ran" [ "$(wc -l < "$results")" = "$TRIALS" ]
    check "one 'flow run' restored the result in every trial" [ "$failed_runs" = 0 ]
    check "no output missing" [ "$(total missing)" = 0 ]
    check "no output with overlapping writes" [ "$(total wrong)" = 0 ]
    check "no cleanly finished job rerun" [ "$(total finished_rerun)" = 0 ]
    check "no job running twice at the same time" [ "$(total concurrent)" = 0 ]
    [[ $failures == 0 ]] || { echo "$failures checks failed (FLOW_TEST_KEEP=1 keeps $tmp)"; exit 1; }
fi
exit 0
