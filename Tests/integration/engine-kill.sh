#!/usr/bin/env bash
# Tests/integration/engine-kill.sh: `flow run` killed in the middle of a run, and the one command that resumes.
#   1. SIGKILL of flow while 8 slow jobs run on 2 cores (after some finished): the jobs die with flow (its
#      watchdog ends their process groups; the test kills none). `flow run -n` lists exactly the unfinished jobs
#      (reason: incomplete output); one plain `flow run` takes over the dead run's lock (saying so), reruns exactly
#      the unfinished jobs, leaves every finished output untouched (mtime and content); then nothing to do.
#   2. SIGKILL of flow and its watchdog (as if the watchdog had been lost): the jobs run on as orphans. The next
#      `flow run` ends them (SIGTERM, then SIGKILL) before it reruns their jobs, so no output gets a second writer;
#      with --wait-for-orphans it waits for them instead, and reruns their jobs all the same.
#   3. SIGKILL during the second attempt of a job (--retries 1): the next plain run reruns it (the failed first
#      attempt must not clear the new attempt's incomplete mark), and the output ends complete.
#   4. --keep-incomplete: a failed job (its error names the rule's Snakefile and line) keeps its partial output,
#      which stops the next run with IncompleteFilesException,
#      which names the file, --rerun-incomplete and `flow run --cleanup-metadata` (which exists and works).
#   5. SIGINT (Ctrl-C) and SIGHUP (closed terminal) during a run: exit status 130 / 129, the running jobs' process
#      groups are gone, their partial outputs removed, finished outputs kept, the next run needs no --unlock.
#   6. `flow run --unlock` while a flow runs: refused, naming the live holder; that run's jobs each run once;
#      --unlock --force-unlock removes the lock.
# Job processes a failed check leaves behind are killed by process group (found through a marker in their command line).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
tmp="$(mktemp -d)"
MARK="flowkilltest$$x$RANDOM"
flow_pid=""
kill_jobs() {  # kill_jobs MARK: SIGKILL the process group of every process whose command line has MARK
    local pids pid pg
    pids="$(pgrep -f "$1" || true)"
    for pid in $pids; do
        pg="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
        [[ -n "$pg" && "$pg" != "$$" ]] && kill -KILL -- "-$pg" 2>/dev/null || true
    done
}
cleanup() {
    [[ -n "$flow_pid" ]] && kill -KILL "$flow_pid" 2>/dev/null || true
    kill_jobs "$MARK"
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

source "$ROOT/Tests/integration/lib/checks.bash"
# The files listed after "Incomplete files:" in a flow log.
incomplete_in() { sed -n '/^Incomplete files:/,/^$/p' "$1" | sed '1d;/^$/d' | sort -u; }
# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds; false on timeout.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [[ $SECONDS -lt $deadline ]] || return 1; sleep 0.1; done
}
# Output states of out/0..7.txt: complete (start+done), partial (start only), missing.
complete_outputs() { for f in out/*.txt; do [[ "$(cat "$f")" == $'start\ndone' ]] && echo "$f"; done 2>/dev/null | sort; true; }
partial_outputs() { for f in out/*.txt; do [[ "$(cat "$f")" == "start" ]] && echo "$f"; done 2>/dev/null | sort; true; }
count() { [[ -z "$1" ]] && echo 0 || wc -l <<<"$1"; }
has_complete_and_partial() {
    [[ "$(count "$(complete_outputs)")" -ge "$1" && "$(count "$(partial_outputs)")" -ge 1 ]]
}
no_job_processes() { ! pgrep -f "$1" >/dev/null; }
stamp() { for f in "$@"; do printf '%s %s %s\n' "$f" "$(stat -c %Y.%y "$f")" "$(md5sum < "$f" | cut -c1-32)"; done; }

# ---- 1. SIGKILL in the middle of 8 slow jobs: one plain `flow run` resumes
mkdir "$tmp/kill" && cd "$tmp/kill"
cat > Snakefile <<EOF
rule all:
    input: expand("out/{i}.txt", i=range(8))

rule slow:
    output: "out/{i}.txt"
    shell: "echo start > {output}; sleep 2; echo done >> {output}  # $MARK-slow"
EOF
"$FLOW_BIN" run --cores 2 > run1.log 2>&1 &
flow_pid=$!
# Kill once a second wave has started (2+ complete, 1+ partial), well before it ends.
if wait_for 60 has_complete_and_partial 2; then
    sleep 0.5
    kill -KILL "$flow_pid"
    wait "$flow_pid" 2>/dev/null || true
    flow_pid=""
    pass "flow killed with SIGKILL mid-run"
else
    fail "outputs never reached 2 complete + 1 partial (run1.log below)"; sed 's/^/    /' run1.log
fi
check "the jobs die with flow (no job process 6 s after the kill; the test killed none)" \
    wait_for 6 no_job_processes "$MARK-slow"
finished="$(complete_outputs)"
partial="$(partial_outputs)"
missing="$(for i in 0 1 2 3 4 5 6 7; do [[ -e "out/$i.txt" ]] || echo "out/$i.txt"; done)"
echo "after SIGKILL: $(count "$finished") complete, $(count "$partial") partial, $(count "$missing") missing"
check "some outputs complete, some partial after SIGKILL" [ "$(count "$finished")" -ge 2 -a "$(count "$partial")" -ge 1 ]
"$FLOW_BIN" run -n --cores 2 > dry2.log 2>&1
expected_jobs="$( (for f in $partial $missing; do i="${f#out/}"; echo "slow|i=${i%.txt}"; done; echo "all|") | sort -u)"
same "$expected_jobs" "$(jobs_in dry2.log)" "dry run lists exactly the unfinished jobs"
for f in $partial; do
    check "reason of the job writing $f is 'Incomplete output files: $f'" grep -q "reason: Incomplete output files: $f\$" dry2.log
done
finished_snap="$(stamp $finished)"
rc=0; "$FLOW_BIN" run --cores 2 > run2.log 2>&1 || rc=$?
check "one plain 'flow run' resumes (exit $rc)" [ "$rc" = 0 ]
check "it says it took over the dead run's lock" grep -q 'Took over the lock of a flow that is no longer running (pid ' run2.log
check "it needs neither --unlock nor --rerun-incomplete" ! grep -qE 'IncompleteFilesException|cannot be locked' run2.log
same "$expected_jobs" "$(jobs_in run2.log)" "it re-runs exactly the unfinished jobs"
same "$finished_snap" "$(stamp $finished)" "finished outputs untouched (mtime and content)"
check "all 8 outputs complete, none partial" [ "$(count "$(complete_outputs)")" = 8 -a -z "$(partial_outputs)" ]
rc=0; "$FLOW_BIN" run --cores 2 > run3.log 2>&1 || rc=$?
check "then nothing to be done" grep -q 'Nothing to be done' run3.log

# ---- 2. Orphans (flow and its watchdog killed): the next run ends them, or waits for them
two_partial() { [[ "$(count "$(partial_outputs)")" -ge 2 ]]; }
watchdog_of() { for p in $(pgrep -f flow-watchdog || true); do [[ "$(ps -o ppid= -p "$p" | tr -d ' ')" == "$1" ]] && echo "$p"; done; true; }
for variant in end wait; do
    mkdir "$tmp/orphans-$variant" && cd "$tmp/orphans-$variant"
    cat > Snakefile <<EOF
rule all:
    input: expand("out/{i}.txt", i=range(2))

rule slow:
    output: "out/{i}.txt"
    shell: "echo start >> {output}; sleep 3; echo done >> {output}  # $MARK-orphan-$variant"
EOF
    "$FLOW_BIN" run --cores 2 > run1.log 2>&1 &
    flow_pid=$!
    if wait_for 30 two_partial; then
        watchdog="$(watchdog_of "$flow_pid")"
        check "$variant: flow runs a watchdog" [ -n "$watchdog" ]
        kill -KILL $watchdog "$flow_pid"
        wait "$flow_pid" 2>/dev/null || true
        flow_pid=""
        check "$variant: the jobs outlive flow and its watchdog" ! no_job_processes "$MARK-orphan-$variant"
        flags=(--cores 2); [[ $variant == wait ]] && flags+=(--wait-for-orphans)
        rc=0; "$FLOW_BIN" run "${flags[@]}" > run2.log 2>&1 || rc=$?
        check "$variant: the next run exits 0 (got $rc)" [ "$rc" = 0 ]
        if [[ $variant == end ]]; then
            check "end: it ends the orphaned job processes, saying so" grep -q 'Ending [0-9]* job processes that the killed run .* left running' run2.log
        else
            check "wait: it waits for the orphaned job processes, saying so" grep -q 'Waiting for [0-9]* job processes that the killed run .* left running' run2.log
        fi
        check "$variant: both jobs rerun" [ "$(jobs_in run2.log | grep -c '^slow|')" = 2 ]
        check "$variant: every output written by one job only (start, done)" \
            [ "$(cat out/0.txt)" = $'start\ndone' -a "$(cat out/1.txt)" = $'start\ndone' ]
        check "$variant: no job process left" no_job_processes "$MARK-orphan-$variant"
    else
        fail "$variant: two jobs never ran at once (run1.log below)"; sed 's/^/    /' run1.log
        [[ -n "$flow_pid" ]] && kill -KILL "$flow_pid" 2>/dev/null; flow_pid=""
    fi
    kill_jobs "$MARK-orphan-$variant"
done

# ---- 3. SIGKILL during a retry: the retry's partial output is rerun
mkdir "$tmp/retry" && cd "$tmp/retry"
cat > Snakefile <<EOF
rule flaky:
    output: "flaky.txt"
    shell: "n=\$(cat attempts 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n > attempts; echo start > {output}; if [ \$n -lt 2 ]; then exit 1; fi; if [ \$n -lt 3 ]; then sleep 30; fi; echo done >> {output}  # $MARK-retry"
EOF
"$FLOW_BIN" run --cores 1 --retries 1 > run1.log 2>&1 &
flow_pid=$!
second_attempt_running() { [[ "$(cat attempts 2>/dev/null)" == 2 && "$(cat flaky.txt 2>/dev/null)" == start ]]; }
if wait_for 60 second_attempt_running; then
    sleep 1
    kill -KILL "$flow_pid"
    wait "$flow_pid" 2>/dev/null || true
    flow_pid=""
    wait_for 10 no_job_processes "$MARK-retry" || true
    check "flaky.txt is partial after SIGKILL during attempt 2" [ "$(cat flaky.txt)" = start ]
    rc=0; "$FLOW_BIN" run --cores 1 > run2.log 2>&1 || rc=$?
    check "the next plain run exits 0 (got $rc)" [ "$rc" = 0 ]
    check "it reruns flaky for its incomplete output" grep -q 'reason: Incomplete output files: flaky.txt' run2.log
    check "flaky.txt is complete" [ "$(cat flaky.txt)" = $'start\ndone' ]
else
    fail "the second attempt of flaky never started (run1.log below)"; sed 's/^/    /' run1.log
    [[ -n "$flow_pid" ]] && kill -KILL "$flow_pid" 2>/dev/null; flow_pid=""
fi

# ---- 4. --keep-incomplete: kept partial outputs need --rerun-incomplete (or --cleanup-metadata), as in Snakemake
mkdir "$tmp/keep" && cd "$tmp/keep"
cat > Snakefile <<EOF
rule half:
    output: "half.txt"
    shell: "echo start > {output}; test -e go"
EOF
rc=0; "$FLOW_BIN" run --cores 1 --keep-incomplete > run1.log 2>&1 || rc=$?
check "the failing job fails (exit $rc) and its output is kept" [ "$rc" = 1 -a -e half.txt ]
check "the failure names the rule's Snakefile and line, as Snakemake does" \
    grep -qx "CalledProcessError in file \"$PWD/Snakefile\", line 1:" run1.log
rc=0; "$FLOW_BIN" run --cores 1 > run2.log 2>&1 || rc=$?
check "the next run stops (exit $rc) with IncompleteFilesException" grep -q IncompleteFilesException run2.log
check "  ... and a failure status" [ "$rc" != 0 ]
same "half.txt" "$(incomplete_in run2.log)" "it names half.txt as incomplete"
check "it names --rerun-incomplete" grep -q 'rerun your command with the --rerun-incomplete flag' run2.log
check "it recommends 'flow run --cleanup-metadata', which exists" grep -q 'flow run --cleanup-metadata <filenames>' run2.log
rc=0; "$FLOW_BIN" run --cleanup-metadata half.txt > clean.log 2>&1 || rc=$?
check "flow run --cleanup-metadata half.txt exits 0 (got $rc)" [ "$rc" = 0 ]
rc=0; "$FLOW_BIN" run --cores 1 > run3.log 2>&1 || rc=$?
check "afterwards half.txt counts as complete (nothing to be done)" grep -q 'Nothing to be done' run3.log

# ---- 5. SIGINT (Ctrl-C) and SIGHUP (a closed terminal or SSH session)
for sig in INT HUP; do
mkdir "$tmp/sig$sig" && cd "$tmp/sig$sig"
cat > Snakefile <<EOF
rule all:
    input: expand("out/{i}.txt", i=range(6))

rule quick:
    output: "quick.txt"
    shell: "echo quick > {output}"

rule slow:
    output: "out/{i}.txt"
    shell: "echo start > {output}; if [ {wildcards.i} -ge 2 ]; then sleep 60; fi; echo done >> {output}  # $MARK-$sig"
EOF
"$FLOW_BIN" run --cores 2 > run1.log 2>&1 &
flow_pid=$!
two_long_jobs_running() { [[ "$(count "$(partial_outputs)")" -ge 2 ]]; }
if wait_for 60 two_long_jobs_running; then
    sleep 0.5
    groups="$(for p in $(pgrep -f "$MARK-$sig"); do ps -o pgid= -p "$p" | tr -d ' '; done | sort -u)"
    partial="$(partial_outputs)"
    finished="$(complete_outputs)"
    finished_snap="$(stamp $finished)"
    t0=$SECONDS
    kill -"$sig" "$flow_pid"
    rc=0; wait "$flow_pid" || rc=$?
    flow_pid=""
    echo "flow stopped $((SECONDS - t0)) s after SIG$sig"
    expected=130; [[ $sig == HUP ]] && expected=129
    check "SIG$sig: exit status is $expected (got $rc)" [ "$rc" = "$expected" ]
    check "SIG$sig: job process groups were found before the signal" [ -n "$groups" ]
    left=""
    # Zombies do not count: the container's PID 1 may never reap the orphans flow leaves to it.
    for g in $groups; do ps -e -o stat=,pgid= | awk '$1 !~ /^Z/ { print $2 }' | grep -qx "$g" && left="$left $g"; done
    check "no live process of the running jobs' groups left (groups: $(echo $groups))" [ -z "$left" ]
    check "no 'sleep 60' of this test left" no_job_processes "$MARK-$sig"
    removed=1; for f in $partial; do [[ -e "$f" ]] && removed=0; done
    check "outputs of the cancelled jobs removed ($(echo $partial))" [ "$removed" = 1 ]
    same "$finished_snap" "$(stamp $finished)" "SIG$sig: outputs finished before the signal kept"
    check "flow says it is terminating" grep -q 'Terminating processes on user request' run1.log
    rc=0; "$FLOW_BIN" run --cores 1 quick.txt > run2.log 2>&1 || rc=$?
    check "the next run works without --unlock (exit $rc)" [ "$rc" = 0 -a -s quick.txt ]
    rc=0; "$FLOW_BIN" run -n --cores 2 > dry3.log 2>&1 || rc=$?
    check "the cancelled jobs are not reported as incomplete afterwards" ! grep -q 'IncompleteFilesException' dry3.log
else
    fail "two long jobs never ran at once (run1.log below)"; sed 's/^/    /' run1.log
fi
kill_jobs "$MARK-$sig"
done

# ---- 6. --unlock while a flow runs: refused, naming the live holder; --force-unlock overrides
mkdir "$tmp/unlock" && cd "$tmp/unlock"
cat > Snakefile <<EOF
rule all:
    input: expand("out/{i}.txt", i=range(4))

rule slow:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} >> starts.log; echo start > {output}; sleep 2; echo done >> {output}  # $MARK-unlock"
EOF
"$FLOW_BIN" run --cores 2 > run1.log 2>&1 &
flow_pid=$!
if wait_for 30 two_partial; then
    rc=0; "$FLOW_BIN" run --unlock > unlock.log 2>&1 || rc=$?
    check "--unlock while the holder runs is refused (exit $rc)" [ "$rc" != 0 ]
    check "the refusal names the live holder and --force-unlock" \
        grep -q "Refusing to unlock .*still running (pid $flow_pid on .*--force-unlock" unlock.log
    rc=0; "$FLOW_BIN" run --cores 2 > run2.log 2>&1 || rc=$?
    check "a second run meanwhile is refused as locked (exit $rc)" grep -q 'is in use by another flow process' run2.log
    rc=0; wait "$flow_pid" || rc=$?
    flow_pid=""
    check "the running flow finishes (exit $rc)" [ "$rc" = 0 ]
    check "each job ran exactly once" [ "$(sort starts.log | uniq -c | awk '$1 != 1' | wc -l)" = 0 -a "$(wc -l < starts.log)" = 4 ]
    rm -rf out
    "$FLOW_BIN" run --cores 2 > run3.log 2>&1 &
    flow_pid=$!
    if wait_for 30 two_partial; then
        rc=0; "$FLOW_BIN" run --unlock --force-unlock > force.log 2>&1 || rc=$?
        check "--unlock --force-unlock removes a live holder's lock (exit $rc)" [ "$rc" = 0 -a ! -e .flow/locks/workdir.lock ]
    else
        fail "the third run never had two jobs running"
    fi
    kill -TERM "$flow_pid" 2>/dev/null || true; wait "$flow_pid" 2>/dev/null || true; flow_pid=""
else
    fail "two jobs never ran at once (run1.log below)"; sed 's/^/    /' run1.log
    [[ -n "$flow_pid" ]] && kill -KILL "$flow_pid" 2>/dev/null; flow_pid=""
fi
kill_jobs "$MARK-unlock"

if [[ "$failures" -gt 0 ]]; then
    echo "engine-kill: $failures check(s) FAILED (FLOW_TEST_KEEP=1 keeps the logs)"
    exit 1
fi
echo "engine-kill: all checks passed"
