#!/usr/bin/env bash
# Tests/integration/slurm-run.sh: `flow run --executor slurm` against the Slurm test bed (scripts/slurm-up.sh).
#   a. workflows/tutorial on Slurm makes the same files as a local run, with the same variant calls (VCF body;
#      header lines with dates/commands ignored), the same alignments and the same plot; its jobs ran as Slurm jobs,
#      except rule all, which has no command (run locally, as Snakemake does);
#   b. a failing Slurm job: exit 1, "Error in rule" with its exit status, its output removed, the job running
#      alongside finishes, nothing new starts; with -k independent jobs still run;
#   c. a job past its runtime (runtime=1, sleep 120) is reported as TIMEOUT (60-90 s: runs in the background
#      while d-f run);
#   d. SIGINT to flow: exit 130, every job of the run cancelled (nothing of it left in squeue), outputs removed;
#   e. SIGKILL of flow with jobs running, then `flow run --unlock` and a restart: the jobs are adopted (each Slurm
#      job name submitted once, each job's command ran once) and the run completes;
#   f. --retries 1 after a first failure on Slurm: success on attempt 2.
# Skipped (exit 77) unless FLOW_TEST_SLURM=1 or `sinfo` answers (FLOW_TEST_SLURM=0 skips always).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ "${FLOW_TEST_SLURM:-}" == 0 ]] || { [[ "${FLOW_TEST_SLURM:-}" != 1 ]] && ! sinfo -h >/dev/null 2>&1; }; then
    echo "SKIP: the Slurm test bed is not up (scripts/slurm-up.sh; FLOW_TEST_SLURM=1)"
    exit 77
fi
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
T_START=$SECONDS
tmp="$(mktemp -d)"
bg_pids=()
cleanup() {
    for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    # Cancel whatever this test left in Slurm: jobs whose working directory is under $tmp.
    local ids
    ids="$(squeue -h -u "$(id -u)" -o '%i|%Z' 2>/dev/null | awk -F'|' -v t="$tmp" 'index($2, t) == 1 { print $1 }')"
    [[ -n "$ids" ]] && scancel $ids 2>/dev/null || true
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

source "$ROOT/Tests/integration/lib/checks.bash"
source "$ROOT/Tests/integration/lib/tutorial.bash"
source "$ROOT/Tests/integration/lib/executor-workflows.bash"
# The Slurm job-name prefix of the run flow started in the current folder (.flow/log/<run id>.log).
run_prefix() {
    local log
    log="$(ls -t .flow/log/*.log 2>/dev/null | head -1)"
    [[ -n "$log" ]] || return 1
    echo "flow-$(basename "$log" .log | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '-')-"
}
# Slurm jobs (any state squeue still shows) whose name starts with PREFIX: "id|name|state" lines.
slurm_jobs() { squeue -h -t all -u "$(id -u)" -o '%i|%j|%T' | awk -F'|' -v p="$1" 'index($2, p) == 1' | sort; }
active_jobs() { slurm_jobs "$1" | awk -F'|' '$3 !~ /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE)$/'; }
SLURM=(--executor slurm --jobs 4 --latency-wait 10 --seconds-between-status-checks 1)

# ---- a. the tutorial on Slurm and locally
section "a. tutorial: local vs Slurm"
tutorial_copy "$tmp/local"
tutorial_copy "$tmp/slurm" "$tmp/local/data"
(cd "$tmp/local" && "$FLOW_BIN" run --cores 2 > run.log 2>&1) || fail "local tutorial run failed"
cd "$tmp/slurm"
t=$SECONDS
rc=0; "$FLOW_BIN" run "${SLURM[@]}" > run.log 2>&1 || rc=$?
echo "tutorial on Slurm: $((SECONDS - t)) s"
check "tutorial on Slurm exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/local" "$tmp/slurm" "Slurm"
prefix="$(run_prefix)"
n="$(slurm_jobs "$prefix" | awk -F'|' '$3 == "COMPLETED"' | wc -l)"
check "the 12 jobs with a command ran as Slurm jobs ($n COMPLETED jobs named $prefix*)" [ "$n" -ge 12 ]
# Snakemake runs rules without shell/run/script (rule all) locally (Workflow.is_local: rule.norun).
check "rule all (no command) is not submitted to Slurm ($n Slurm jobs, 12 expected)" [ "$n" = 12 ]
rc=0; "$FLOW_BIN" run "${SLURM[@]}" > run2.log 2>&1 || rc=$?
check "a second Slurm run has nothing to do" grep -q 'Nothing to be done' run2.log

# ---- c. TIMEOUT, in the background
section "c. runtime exceeded (background)"
mkdir "$tmp/timeout" && cd "$tmp/timeout"
cat > Snakefile <<'EOF'
rule slowpoke:
    output: "slowpoke.txt"
    resources: runtime=1
    shell: "echo start > {output}; sleep 120; echo done >> {output}"
EOF
timeout_t0=$SECONDS
(rc=0; "$FLOW_BIN" run "${SLURM[@]}" > run.log 2>&1 || rc=$?; echo "$rc" > rc) &
bg_pids+=($!)
timeout_pid=$!

# ---- b. a failing job on Slurm, with and without -k
section "b. failing job"
mkdir "$tmp/fail" && cd "$tmp/fail"
failing_workflow 4
rc=0; "$FLOW_BIN" run --executor slurm --jobs 2 --latency-wait 10 --seconds-between-status-checks 1 > run.log 2>&1 || rc=$?
check_failing_run "failing Slurm job" "$rc"
mkdir "$tmp/fail-k" && cd "$tmp/fail-k"
failing_workflow 4
rc=0; "$FLOW_BIN" run --executor slurm --jobs 2 --latency-wait 10 --seconds-between-status-checks 1 -k > run.log 2>&1 || rc=$?
check_keep_going_run "-k on Slurm" "$rc"

# ---- d. SIGINT
section "d. SIGINT"
mkdir "$tmp/int" && cd "$tmp/int"
sleepers_workflow
"$FLOW_BIN" run "${SLURM[@]}" > run.log 2>&1 &
flow_pid=$!
bg_pids+=($flow_pid)
some_running() { local p; p="$(run_prefix)" && slurm_jobs "$p" | grep -q '|RUNNING$' && [[ "$(slurm_jobs "$p" | wc -l)" -ge 3 ]]; }
if wait_for 60 some_running; then
    prefix="$(run_prefix)"
    submitted="$(slurm_jobs "$prefix" | cut -d'|' -f1)"
    kill -INT "$flow_pid"
    rc=0; wait "$flow_pid" || rc=$?
    check "SIGINT on a Slurm run: exit 130 (got $rc)" [ "$rc" = 130 ]
    no_active() { [[ -z "$(active_jobs "$prefix")" ]]; }
    check "SIGINT: nothing of the run left pending or running in squeue" wait_for 15 no_active
    states="$(slurm_jobs "$prefix" | cut -d'|' -f3 | sort -u)"
    check "SIGINT: all $(echo $submitted | wc -w) submitted jobs CANCELLED (states: $(echo $states))" [ "$states" = CANCELLED ]
    check "SIGINT: outputs of the cancelled jobs removed" [ -z "$(ls out 2>/dev/null)" ]
    if command -v sqlite3 >/dev/null; then
        check "SIGINT: no remote job left in the state database" \
            [ "$(sqlite3 .flow/state.db 'select count(*) from external_jobs')" = 0 ]
    fi
else
    fail "SIGINT: the jobs never ran (run.log below)"; sed 's/^/    /' run.log
    kill -KILL "$flow_pid" 2>/dev/null || true
fi

# ---- e. SIGKILL, restart, adoption
section "e. SIGKILL and adoption"
mkdir "$tmp/adopt" && cd "$tmp/adopt"
ledger_workflow SLURM_JOB_ID 10
"$FLOW_BIN" run "${SLURM[@]}" > run1.log 2>&1 &
flow_pid=$!
bg_pids+=($flow_pid)
all_submitted_one_running() {
    local p; p="$(run_prefix)" && [[ "$(slurm_jobs "$p" | wc -l)" -ge 3 ]] && [[ -s ledger.txt ]]
}
if wait_for 60 all_submitted_one_running; then
    prefix="$(run_prefix)"
    kill -KILL "$flow_pid"
    wait "$flow_pid" 2>/dev/null || true
    before="$(slurm_jobs "$prefix" | cut -d'|' -f1,2)"
    echo "killed flow with jobs: $(echo $before)"
    "$FLOW_BIN" run --unlock > unlock.log 2>&1 || fail "flow run --unlock failed"
    t=$SECONDS
    rc=0; "$FLOW_BIN" run "${SLURM[@]}" > run2.log 2>&1 || rc=$?
    echo "restarted run: $((SECONDS - t)) s"
    check "restarted Slurm run completes (exit $rc)" [ "$rc" = 0 ]
    check "it says it adopts the jobs of the killed run" grep -q 'Adopting [0-9]* jobs still known from run' run2.log
    check "all outputs written" [ -s out/0.txt -a -s out/1.txt -a -s out/2.txt ]
    check "it adopts the $(echo "$before" | wc -l) jobs of the killed run" \
        grep -q "Adopting $(echo "$before" | wc -l) jobs" run2.log
    names="$(slurm_jobs "$prefix" | cut -d'|' -f2 | sort)"
    check "each Slurm job name submitted exactly once ($(echo $names))" [ -z "$(echo "$names" | uniq -d)" ]
    # The killed run's jobs keep their Slurm ids; only jobs it had not submitted yet (rule all) may be new.
    after="$(slurm_jobs "$prefix" | cut -d'|' -f1,2 | grep -F -f <(echo "$before" | cut -d'|' -f2) | sort)"
    same_text "$(echo "$before" | sort)" "$after" "no job of the killed run submitted again after the restart"
    same_text "0
1
2" "$(cut -d' ' -f1 ledger.txt | sort)" "each job's command ran exactly once"
else
    fail "adoption: jobs were never all submitted and running (run1.log below)"; sed 's/^/    /' run1.log
    kill -KILL "$flow_pid" 2>/dev/null || true
fi

# ---- f. --retries 1 on Slurm
section "f. retries"
mkdir "$tmp/retry" && cd "$tmp/retry"
flaky_workflow
rc=0; "$FLOW_BIN" run "${SLURM[@]}" --retries 1 > run.log 2>&1 || rc=$?
check "--retries 1 on Slurm: success after a first failure (exit $rc)" [ "$rc" = 0 ]
check "--retries 1 on Slurm: two attempts, output written" [ "$(cat attempts)" = 2 -a "$(cat flaky.txt 2>/dev/null)" = ok ]
prefix="$(run_prefix)"
# Job names are flow-<run>-<rule>-<hash of the job's key>-<attempt>: the same job, two attempts.
same_text "${prefix}flaky-KEY-1|FAILED
${prefix}flaky-KEY-2|COMPLETED" "$(slurm_jobs "$prefix" | cut -d'|' -f2,3 | sed -E 's/-[0-9a-f]{12}-([0-9]+)[|]/-KEY-\1|/' | sort)" \
    "--retries 1 on Slurm: attempt 1 FAILED, attempt 2 COMPLETED in Slurm"

# ---- c (result)
section "c. waiting for the TIMEOUT run"
cd "$tmp/timeout"
wait "$timeout_pid" || true
echo "TIMEOUT run: $((SECONDS - timeout_t0)) s"
rc="$(cat rc 2>/dev/null || echo none)"
check "job past its runtime: exit 1 (got $rc)" [ "$rc" = 1 ]
block="$(error_block run.log slowpoke)"
check "job past its runtime: reported as TIMEOUT" grep -q 'TIMEOUT' <<<"$block"
check "job past its runtime: partial output removed" [ ! -e slowpoke.txt ]
prefix="$(run_prefix)"
check "Slurm says TIMEOUT too" grep -q '|TIMEOUT$' <(slurm_jobs "$prefix")

echo "slurm-run: $((SECONDS - T_START)) s in all"
if [[ "$failures" -gt 0 ]]; then
    echo "slurm-run: $failures check(s) FAILED (FLOW_TEST_KEEP=1 keeps the logs)"
    exit 1
fi
echo "slurm-run: all checks passed"
