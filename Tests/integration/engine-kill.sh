#!/usr/bin/env bash
# Tests/integration/engine-kill.sh: `flow run` killed in the middle of a run.
#   1. SIGKILL of flow while 8 slow jobs run on 2 cores (after some finished): the next `flow run` refuses the
#      partial outputs (IncompleteFilesException naming exactly them, running nothing); with --rerun-incomplete it
#      re-runs exactly the unfinished jobs, leaves every finished output untouched (mtime and content), and no
#      output ends up partial; a further run has nothing to do. (As in Snakemake, the killed run's lock stays until
#      `flow run --unlock`; the test checks that too.)
#   2. SIGKILL during the second attempt of a job (--retries 1): that attempt's partial output is still refused
#      as incomplete by the next run (the failed first attempt must not clear the new attempt's marker).
#   3. SIGINT (Ctrl-C) during a run: exit status 130, the running jobs' process groups are gone (no `sleep` left),
#      their partial outputs removed, finished outputs kept, and the working directory unlocked (the next run works
#      without --unlock).
# Job processes orphaned by SIGKILL are killed by process group (found through a marker in their command line).
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

# ---- 1. SIGKILL in the middle of 8 slow jobs
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
    kill_jobs "$MARK-slow"
    wait_for 10 no_job_processes "$MARK-slow" || true
    pass "flow killed with SIGKILL mid-run"
else
    fail "outputs never reached 2 complete + 1 partial (run1.log below)"; sed 's/^/    /' run1.log
fi
finished="$(complete_outputs)"
partial="$(partial_outputs)"
missing="$(for i in 0 1 2 3 4 5 6 7; do [[ -e "out/$i.txt" ]] || echo "out/$i.txt"; done)"
echo "after SIGKILL: $(count "$finished") complete, $(count "$partial") partial, $(count "$missing") missing"
check "some outputs complete, some partial after SIGKILL" [ "$(count "$finished")" -ge 2 -a "$(count "$partial")" -ge 1 ]
check "no job process left after killing their process groups" no_job_processes "$MARK-slow"
snap="$(stamp out/*.txt)"

rc=0; "$FLOW_BIN" run --cores 2 > run2.log 2>&1 || rc=$?
check "run without --rerun-incomplete fails (exit $rc)" [ "$rc" != 0 ]
check "it reports IncompleteFilesException" grep -q 'IncompleteFilesException' run2.log
same "$partial" "$(incomplete_in run2.log)" "it names exactly the partial outputs as incomplete"
check "it starts no job" [ -z "$(jobs_in run2.log)" ]
same "$snap" "$(stamp out/*.txt)" "it leaves every output as it was"

# As in Snakemake, the lock of the killed run stays until --unlock (flow says its process is gone).
rc=0; "$FLOW_BIN" run --cores 2 --rerun-incomplete > locked.log 2>&1 || rc=$?
check "after SIGKILL the working directory is still locked (exit $rc)" grep -q 'Directory cannot be locked' locked.log
check "the lock message says the locking flow is no longer running and names --unlock" \
    grep -q 'no longer running.*--unlock' locked.log
same "$snap" "$(stamp out/*.txt)" "the refused run leaves every output as it was"
rc=0; "$FLOW_BIN" run --unlock > unlock.log 2>&1 || rc=$?
check "flow run --unlock exits 0" [ "$rc" = 0 ]
"$FLOW_BIN" run -n --cores 2 --rerun-incomplete > dry3.log 2>&1
expected_jobs="$( (for f in $partial $missing; do i="${f#out/}"; echo "slow|i=${i%.txt}"; done; echo "all|") | sort -u)"
same "$expected_jobs" "$(jobs_in dry3.log)" "dry run with --rerun-incomplete lists exactly the unfinished jobs"
for f in $partial; do
    check "reason of the job writing $f is 'Incomplete output files: $f'" grep -q "reason: Incomplete output files: $f\$" dry3.log
done
finished_snap="$(stamp $finished)"
rc=0; "$FLOW_BIN" run --cores 2 --rerun-incomplete > run3.log 2>&1 || rc=$?
check "run with --rerun-incomplete exits 0" [ "$rc" = 0 ]
same "$expected_jobs" "$(jobs_in run3.log)" "it re-runs exactly the unfinished jobs"
same "$finished_snap" "$(stamp $finished)" "finished outputs untouched (mtime and content)"
check "all 8 outputs complete, none partial" [ "$(count "$(complete_outputs)")" = 8 -a -z "$(partial_outputs)" ]
rc=0; "$FLOW_BIN" run --cores 2 > run4.log 2>&1 || rc=$?
check "then nothing to be done" grep -q 'Nothing to be done' run4.log

# ---- 2. SIGKILL during a retry: the retry's partial output is still known as incomplete
mkdir "$tmp/retry" && cd "$tmp/retry"
cat > Snakefile <<EOF
rule flaky:
    output: "flaky.txt"
    shell: "n=\$(cat attempts 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n > attempts; echo start > {output}; if [ \$n -lt 2 ]; then exit 1; fi; sleep 30; echo done >> {output}  # $MARK-retry"
EOF
"$FLOW_BIN" run --cores 1 --retries 1 > run1.log 2>&1 &
flow_pid=$!
second_attempt_running() { [[ "$(cat attempts 2>/dev/null)" == 2 && "$(cat flaky.txt 2>/dev/null)" == start ]]; }
if wait_for 60 second_attempt_running; then
    sleep 1
    kill -KILL "$flow_pid"
    wait "$flow_pid" 2>/dev/null || true
    flow_pid=""
    kill_jobs "$MARK-retry"
    wait_for 10 no_job_processes "$MARK-retry" || true
    check "flaky.txt is partial after SIGKILL during attempt 2" [ "$(cat flaky.txt)" = start ]
    rc=0; "$FLOW_BIN" run --cores 1 > run2.log 2>&1 || rc=$?
    check "next run refuses the retry's partial output (exit $rc, IncompleteFilesException)" \
        grep -q 'IncompleteFilesException' run2.log
    check "flaky.txt is named as incomplete" grep -qx 'flaky.txt' <(incomplete_in run2.log)
    check "the partial flaky.txt is not taken as up to date" ! grep -q 'Nothing to be done' run2.log
else
    fail "the second attempt of flaky never started (run1.log below)"; sed 's/^/    /' run1.log
    [[ -n "$flow_pid" ]] && kill -KILL "$flow_pid" 2>/dev/null; flow_pid=""
fi

# ---- 3. SIGINT (Ctrl-C)
mkdir "$tmp/int" && cd "$tmp/int"
cat > Snakefile <<EOF
rule all:
    input: expand("out/{i}.txt", i=range(6))

rule quick:
    output: "quick.txt"
    shell: "echo quick > {output}"

rule slow:
    output: "out/{i}.txt"
    shell: "echo start > {output}; if [ {wildcards.i} -ge 2 ]; then sleep 60; fi; echo done >> {output}  # $MARK-int"
EOF
"$FLOW_BIN" run --cores 2 > run1.log 2>&1 &
flow_pid=$!
two_long_jobs_running() { [[ "$(count "$(partial_outputs)")" -ge 2 ]]; }
if wait_for 60 two_long_jobs_running; then
    sleep 0.5
    groups="$(for p in $(pgrep -f "$MARK-int"); do ps -o pgid= -p "$p" | tr -d ' '; done | sort -u)"
    partial="$(partial_outputs)"
    finished="$(complete_outputs)"
    finished_snap="$(stamp $finished)"
    t0=$SECONDS
    kill -INT "$flow_pid"
    rc=0; wait "$flow_pid" || rc=$?
    flow_pid=""
    echo "flow stopped $((SECONDS - t0)) s after SIGINT"
    check "exit status after SIGINT is 130 (got $rc)" [ "$rc" = 130 ]
    check "job process groups were found before SIGINT" [ -n "$groups" ]
    left=""
    # Zombies do not count: the container's PID 1 may never reap the orphans flow leaves to it.
    for g in $groups; do ps -e -o stat=,pgid= | awk '$1 !~ /^Z/ { print $2 }' | grep -qx "$g" && left="$left $g"; done
    check "no live process of the running jobs' groups left (groups: $(echo $groups))" [ -z "$left" ]
    check "no 'sleep 60' of this test left" no_job_processes "$MARK-int"
    removed=1; for f in $partial; do [[ -e "$f" ]] && removed=0; done
    check "outputs of the cancelled jobs removed ($(echo $partial))" [ "$removed" = 1 ]
    same "$finished_snap" "$(stamp $finished)" "outputs finished before SIGINT kept"
    check "flow says it is terminating" grep -q 'Terminating processes on user request' run1.log
    rc=0; "$FLOW_BIN" run --cores 1 quick.txt > run2.log 2>&1 || rc=$?
    check "the next run works without --unlock (exit $rc)" [ "$rc" = 0 -a -s quick.txt ]
    rc=0; "$FLOW_BIN" run -n --cores 2 > dry3.log 2>&1 || rc=$?
    check "the cancelled jobs are not reported as incomplete afterwards" ! grep -q 'IncompleteFilesException' dry3.log
else
    fail "two long jobs never ran at once (run1.log below)"; sed 's/^/    /' run1.log
fi
kill_jobs "$MARK-int"

if [[ "$failures" -gt 0 ]]; then
    echo "engine-kill: $failures check(s) FAILED (FLOW_TEST_KEEP=1 keeps the logs)"
    exit 1
fi
echo "engine-kill: all checks passed"
