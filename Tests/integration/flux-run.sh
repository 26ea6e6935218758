#!/usr/bin/env bash
# Tests/integration/flux-run.sh: `flow run --executor flux` against the project's `flux` test double
# (scripts/testservers/flux, put first on PATH; each section gets its own instance folder as FLUX_URI).
#   0. `flow run --help` has the flux section; without a Flux instance flow stops with a clear message;
#   a. workflows/tutorial with --jobs 4 on Flux makes the same files as a local run (same VCF records,
#      alignments and plot); its 12 jobs with a command ran as Flux jobs, rule all locally;
#   b. a failing Flux job: exit 1, "Error in rule" with its exit status, output removed, the job alongside
#      finishes, nothing new starts; with -k independent jobs still run;
#   c. a job past its runtime (runtime="3s", which Snakemake rounds up to its 1-minute minimum) is reported as
#      TIMEOUT; a job with runtime=1 is given 60 s
#      (minutes, not seconds: Flux plugin bug b) and succeeds after 4 s;
#   d. SIGINT to flow: exit 130, every job cancelled (the double shows nothing active, all CANCELED);
#   e. SIGKILL of flow, `--unlock`, restart: the jobs are adopted (each job name submitted once, each
#      command ran once), the run completes; then --cancel-previous cancels what a killed run left;
#   f. --retries 1: attempt 1 FAILED, attempt 2 COMPLETED in Flux;
#   g. 50 jobs in flight: one `flux jobs` call per status round carrying all 50 ids (figures printed);
#   h. Flux plugin bugs a and e: `threads` reach Flux as cores (ncores), jobs see only allow-listed
#      environment variables (a secret in flow's environment does not reach them).
# Skipped (exit 77) without python3 or the tutorial's tools (bwa, samtools, bcftools).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
for tool in python3 bwa samtools bcftools; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh)"; exit 77; }
done
T_START=$SECONDS
tmp="$(mktemp -d)"
bg_pids=()
cleanup() {
    for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    # Cancel whatever this test left running in its instances.
    local inst ids
    for inst in "$tmp"/flux-*; do
        [[ -d "$inst/jobs" ]] || continue
        ids="$(FLUX_URI="$inst" flux jobs -n -o '{id.f58}' 2>/dev/null || true)"
        [[ -n "$ids" ]] && FLUX_URI="$inst" flux cancel $ids >/dev/null 2>&1 || true
    done
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

source "$ROOT/Tests/integration/lib/checks.bash"
source "$ROOT/Tests/integration/lib/tutorial.bash"
source "$ROOT/Tests/integration/lib/executor-workflows.bash"

# The double as `flux`, first on PATH.
mkdir -p "$tmp/bin"
ln -s "$ROOT/scripts/testservers/flux" "$tmp/bin/flux"
export PATH="$tmp/bin:$PATH"
# new_instance NAME: a fresh Flux instance (the double's state folder) as FLUX_URI.
new_instance() {
    mkdir -p "$tmp/flux-$1/jobs"
    export FLUX_URI="local://$tmp/flux-$1"
}
inst_dir() { echo "${FLUX_URI#local://}"; }
# Jobs of the current instance: "name|state|result" lines.
flux_jobs() { flux jobs -a -n -o '{name}|{state}|{result}' | sort; }
active_jobs() { flux jobs -n -o '{id.f58}'; }
# calls WHAT: figures from the double's call log (submits, status calls, ids per call, gaps between calls).
calls() {
    python3 - "$(inst_dir)/calls.jsonl" "$1" <<'EOF'
import json, sys
import os
calls = [json.loads(line) for line in open(sys.argv[1])] if os.path.exists(sys.argv[1]) else []
what = sys.argv[2]
status = [c for c in calls if c["argv"][:3] == ["jobs", "-a", "--json"]]
if what == "submits":
    print(sum(1 for c in calls if c["argv"][0] == "submit"))
elif what == "submitted-names":
    for c in calls:
        if c["argv"][0] == "submit":
            print(next(a for a in c["argv"] if a.startswith("--job-name=")).split("=", 1)[1])
elif what == "status-calls":
    print(len(status))
elif what == "max-ids":
    print(max((len(c["argv"]) - 3 for c in status), default=0))
elif what == "min-gap":
    times = [c["t"] for c in status]
    print("%.2f" % min((b - a for a, b in zip(times, times[1:])), default=99))
elif what == "span":
    print("%.1f" % (status[-1]["t"] - status[0]["t"]) if status else "0")
EOF
}
FLUX=(--executor flux --jobs 4 --latency-wait 5 --seconds-between-status-checks 0.5)

# ---- 0. help and no instance
section "0. help, no instance"
check "flow run --help has the flux executor's settings" grep -q -- '--flux-queue' <("$FLOW_BIN" run --help 2>&1)
mkdir "$tmp/noinst" && cd "$tmp/noinst"
printf 'rule a:\n    output: "a.txt"\n    shell: "touch {output}"\n' > Snakefile
rc=0; env -u FLUX_URI "$FLOW_BIN" run "${FLUX[@]}" > run.log 2>&1 || rc=$?
check "without FLUX_URI: flow fails (exit $rc)" [ "$rc" != 0 ]
check "without FLUX_URI: it says there is no Flux instance" grep -q 'no Flux instance: FLUX_URI is not set' run.log

# ---- c. TIMEOUT (and runtime in minutes), in the background
section "c. runtime exceeded (background)"
new_instance timeout
mkdir "$tmp/timeout" && cd "$tmp/timeout"
cat > Snakefile <<'EOF'
rule all:
    input: "slowpoke.txt", "minute.txt"

rule slowpoke:
    output: "slowpoke.txt"
    resources: runtime="3s"
    shell: "echo start > {output}; sleep 90; echo done >> {output}"

rule minute:
    output: "minute.txt"
    resources: runtime=1
    shell: "sleep 4; echo ok > {output}"
EOF
timeout_t0=$SECONDS
(rc=0; "$FLOW_BIN" run "${FLUX[@]}" -k > run.log 2>&1 || rc=$?; echo "$rc" > rc) &
bg_pids+=($!)
timeout_pid=$!
timeout_uri="$FLUX_URI"

# ---- a. the tutorial on Flux and locally
section "a. tutorial: local vs Flux"
new_instance tutorial
tutorial_copy "$tmp/local"
tutorial_copy "$tmp/flux" "$tmp/local/data"
(cd "$tmp/local" && "$FLOW_BIN" run --cores 2 > run.log 2>&1) || fail "local tutorial run failed"
cd "$tmp/flux"
t=$SECONDS
rc=0; "$FLOW_BIN" run "${FLUX[@]}" > run.log 2>&1 || rc=$?
echo "tutorial on Flux: $((SECONDS - t)) s"
check "tutorial on Flux exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/local" "$tmp/flux" "Flux"
n="$(flux_jobs | awk -F'|' '$3 == "COMPLETED"' | wc -l)"
check "the 12 jobs with a command ran as Flux jobs, rule all locally ($n COMPLETED Flux jobs, $(calls submits) submits)" \
    [ "$n" = 12 -a "$(calls submits)" = 12 ]
echo "tutorial: $(calls status-calls) flux jobs calls, at most $(calls max-ids) ids in one"
rc=0; "$FLOW_BIN" run "${FLUX[@]}" > run2.log 2>&1 || rc=$?
check "a second Flux run has nothing to do" grep -q 'Nothing to be done' run2.log

# ---- b. a failing job, with and without -k
section "b. failing job"
new_instance fail
mkdir "$tmp/fail" && cd "$tmp/fail"
failing_workflow 2
rc=0; "$FLOW_BIN" run --executor flux --jobs 2 --latency-wait 5 --seconds-between-status-checks 0.5 > run.log 2>&1 || rc=$?
check_failing_run "failing Flux job" "$rc"
new_instance fail-k
mkdir "$tmp/fail-k" && cd "$tmp/fail-k"
failing_workflow 2
rc=0; "$FLOW_BIN" run --executor flux --jobs 2 --latency-wait 5 --seconds-between-status-checks 0.5 -k > run.log 2>&1 || rc=$?
check_keep_going_run "-k on Flux" "$rc"

# ---- d. SIGINT
section "d. SIGINT"
new_instance int
mkdir "$tmp/int" && cd "$tmp/int"
sleepers_workflow
"$FLOW_BIN" run "${FLUX[@]}" > run.log 2>&1 &
flow_pid=$!
bg_pids+=($flow_pid)
three_running() { [[ "$(flux_jobs | grep -c '|RUN|')" -ge 3 ]]; }
if wait_for 30 three_running; then
    kill -INT "$flow_pid"
    rc=0; wait "$flow_pid" || rc=$?
    check "SIGINT on a Flux run: exit 130 (got $rc)" [ "$rc" = 130 ]
    no_active() { [[ -z "$(active_jobs)" ]]; }
    check "SIGINT: nothing of the run left active in flux jobs" wait_for 10 no_active
    results="$(flux_jobs | cut -d'|' -f3 | sort -u)"
    check "SIGINT: all $(flux_jobs | wc -l) submitted jobs CANCELED (results: $(echo $results))" [ "$results" = CANCELED ]
    check "SIGINT: outputs of the cancelled jobs removed" [ -z "$(ls out 2>/dev/null)" ]
else
    fail "SIGINT: the jobs never ran (run.log below)"; sed 's/^/    /' run.log
    kill -KILL "$flow_pid" 2>/dev/null || true
fi

# ---- e. SIGKILL, restart, adoption; --cancel-previous
section "e. SIGKILL and adoption"
new_instance adopt
mkdir "$tmp/adopt" && cd "$tmp/adopt"
ledger_workflow FLUX_JOB_ID 5
"$FLOW_BIN" run "${FLUX[@]}" > run1.log 2>&1 &
flow_pid=$!
bg_pids+=($flow_pid)
# Killed once flow has recorded all three jobs (what a restart adopts from) and one is running.
recorded() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from external_jobs").fetchone()[0])' .flow/state.db 2>/dev/null || echo 0; }
all_submitted_one_running() { [[ "$(calls submits)" -ge 3 ]] && [[ "$(recorded)" -ge 3 ]] && [[ -s ledger.txt ]]; }
if wait_for 30 all_submitted_one_running; then
    kill -KILL "$flow_pid"
    wait "$flow_pid" 2>/dev/null || true
    before="$(calls submitted-names | sort)"
    "$FLOW_BIN" run --unlock > unlock.log 2>&1 || fail "flow run --unlock failed"
    rc=0; "$FLOW_BIN" run "${FLUX[@]}" > run2.log 2>&1 || rc=$?
    check "restarted Flux run completes (exit $rc)" [ "$rc" = 0 ]
    check "it adopts the 3 jobs of the killed run" grep -q 'Adopting 3 jobs still known from run' run2.log
    check "all outputs written" [ -s out/0.txt -a -s out/1.txt -a -s out/2.txt ]
    names="$(calls submitted-names | sort)"
    same_text "$before" "$names" "no job submitted again after the restart ($(calls submits) flux submit calls in all)"
    check "each Flux job name submitted exactly once" [ -z "$(echo "$names" | uniq -d)" ]
    same_text "0
1
2" "$(cut -d' ' -f1 ledger.txt | sort)" "each job's command ran exactly once"
else
    fail "adoption: jobs were never all submitted and running (run1.log below)"; sed 's/^/    /' run1.log
    kill -KILL "$flow_pid" 2>/dev/null || true
fi
new_instance cancel-previous
mkdir "$tmp/cancel-previous" && cd "$tmp/cancel-previous"
sed 's/sleep 5/sleep 60/' "$tmp/adopt/Snakefile" > Snakefile
"$FLOW_BIN" run "${FLUX[@]}" > run1.log 2>&1 &
flow_pid=$!
bg_pids+=($flow_pid)
if wait_for 30 all_submitted_one_running; then
    kill -KILL "$flow_pid"
    wait "$flow_pid" 2>/dev/null || true
    "$FLOW_BIN" run --unlock > unlock.log 2>&1 || true
    old_names="$(calls submitted-names)"
    "$FLOW_BIN" run "${FLUX[@]}" --cancel-previous > run2.log 2>&1 &
    flow_pid=$!
    bg_pids+=($flow_pid)
    check "--cancel-previous: it says so" wait_for 20 grep -q 'Cancelled 3 jobs of a previous run' run2.log
    old_cancelled() { [[ "$(flux_jobs | grep -F -f <(echo "$old_names") | cut -d'|' -f3 | sort -u)" == CANCELED ]]; }
    check "--cancel-previous: the killed run's 3 jobs are CANCELED in Flux" wait_for 10 old_cancelled
    kill -INT "$flow_pid" 2>/dev/null || true
    wait "$flow_pid" 2>/dev/null || true
else
    fail "--cancel-previous: jobs never submitted (run1.log below)"; sed 's/^/    /' run1.log
    kill -KILL "$flow_pid" 2>/dev/null || true
fi

# ---- f. --retries 1
section "f. retries"
new_instance retry
mkdir "$tmp/retry" && cd "$tmp/retry"
flaky_workflow
rc=0; "$FLOW_BIN" run "${FLUX[@]}" --retries 1 > run.log 2>&1 || rc=$?
check "--retries 1 on Flux: success after a first failure (exit $rc)" [ "$rc" = 0 ]
check "--retries 1 on Flux: two attempts, output written" [ "$(cat attempts)" = 2 -a "$(cat flaky.txt 2>/dev/null)" = ok ]
same_text "FAILED
COMPLETED" "$(flux jobs -a -n -o '{name}|{result}' | sort | cut -d'|' -f2)" "--retries 1 on Flux: attempt 1 FAILED, attempt 2 COMPLETED in Flux"

# ---- g. 50 jobs in flight: one status call per round
section "g. 50 jobs in flight"
new_instance fifty
mkdir "$tmp/fifty" && cd "$tmp/fifty"
cat > Snakefile <<'EOF'
rule all:
    input: expand("out/{i}.txt", i=range(50))

rule nap:
    output: "out/{i}.txt"
    shell: "sleep 4; echo {wildcards.i} > {output}"
EOF
t=$SECONDS
rc=0; "$FLOW_BIN" run --executor flux --jobs 50 --latency-wait 5 --seconds-between-status-checks 1 > run.log 2>&1 || rc=$?
echo "50 jobs: $((SECONDS - t)) s, $(calls submits) submits, $(calls status-calls) flux jobs calls over $(calls span) s," \
    "at most $(calls max-ids) ids in one, at least $(calls min-gap) s between two"
check "50 jobs on Flux: exit 0 (got $rc), 50 outputs" [ "$rc" = 0 -a "$(ls out | wc -l)" = 50 ]
check "50 jobs in flight: one flux jobs call carried all 50 ids" [ "$(calls max-ids)" = 50 ]
# Rounds are 1 s apart; the call log's times carry the double's start-up jitter (~0.1 s), so two calls in
# one round would show as a gap far below 0.5 s.
check "one status call per round: never two within a round (gap $(calls min-gap) s >= 0.5 s)" \
    python3 -c "import sys; sys.exit(0 if float('$(calls min-gap)') >= 0.5 else 1)"
check "one status call per round: $(calls status-calls) calls for a $(calls span) s run (1 s rounds)" \
    python3 -c "import sys; sys.exit(0 if $(calls status-calls) <= $(calls span) / 0.9 + 1 else 1)"

# ---- h. cores and environment (plugin bugs a and e)
section "h. cores and environment"
new_instance env
mkdir "$tmp/env" && cd "$tmp/env"
cat > Snakefile <<'EOF'
rule env:
    output: "env.txt"
    threads: 2
    shell: "env > {output}"
EOF
rc=0; FLOW_TEST_SECRET=hunter2 "$FLOW_BIN" run "${FLUX[@]}" --cores 4 > run.log 2>&1 || rc=$?
check "env job: exit 0 (got $rc)" [ "$rc" = 0 ]
check "threads: 2 reach Flux as 2 cores (ncores)" [ "$(flux jobs -a -n -o '{ncores}')" = 2 ]
check "the job sees PATH" grep -q '^PATH=' env.txt
check "a secret in flow's environment does not reach the job" ! grep -q 'hunter2' env.txt

# ---- c (result)
section "c. waiting for the TIMEOUT run"
cd "$tmp/timeout"
export FLUX_URI="$timeout_uri"
wait "$timeout_pid" || true
echo "TIMEOUT run: $((SECONDS - timeout_t0)) s"
rc="$(cat rc 2>/dev/null || echo none)"
check "job past its runtime: exit 1 with -k (got $rc)" [ "$rc" = 1 ]
block="$(error_block run.log slowpoke)"
check "job past its runtime: reported as TIMEOUT" grep -q 'TIMEOUT' <<<"$block"
check "job past its runtime: partial output removed" [ ! -e slowpoke.txt ]
check "Flux says TIMEOUT too" grep -q '^flow-.*slowpoke.*|INACTIVE|TIMEOUT$' <(flux_jobs)
check "runtime=\"3s\" is Snakemake's minimum of one minute: 60 s in Flux" grep -qx '60.0' <(flux jobs -a -n -o '{name} {duration}' | awk '/slowpoke/ { print $2 }')
check "runtime=1 means a minute: the 4 s job succeeded (minute.txt)" [ "$(cat minute.txt 2>/dev/null)" = ok ]
check "runtime=1 reached Flux as 60 s (duration)" grep -qx '60.0' <(flux jobs -a -n -o '{name} {duration}' | awk '/minute/ { print $2 }')

echo "flux-run: $((SECONDS - T_START)) s in all"
if [[ "$failures" -gt 0 ]]; then
    echo "flux-run: $failures check(s) FAILED (FLOW_TEST_KEEP=1 keeps the logs)"
    exit 1
fi
echo "flux-run: all checks passed"
