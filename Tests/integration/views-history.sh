#!/usr/bin/env bash
# Tests/integration/views-history.sh: `flow history` and `flow status` against real runs.
#   1. A run with a job that fails once and succeeds on its retry (--retries 1), a job that always fails and
#      --keep-going: history says failed with the right counts; status lists each job's attempts (exit status,
#      local pid, duration), the reason it ran, and the job that never started after the failure.
#   2. While a run is in progress, status (read-only) answers at once and says "running"; after the run is
#      killed with SIGKILL it says "killed", for the run and for the jobs that were running.
#   3. The text views show the same runs; --json is valid JSON.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
tmp="$(mktemp -d)"
MARK="flowhistorytest$$x$RANDOM"
flow_pid=""
cleanup() {
    [[ -n "$flow_pid" ]] && kill -KILL "$flow_pid" 2>/dev/null || true
    for pid in $(pgrep -f "$MARK" || true); do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
source "$ROOT/Tests/integration/lib/checks.bash"
cd "$tmp"
# json FILE EXPR: evaluate a Python expression on the parsed JSON in FILE (bound to d).
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r = ($2); print(r)" "$1"; }

cat > Snakefile <<'SNAKE'
rule all:
    input: expand("ok/{i}.txt", i=range(3)), "flaky.txt", "after_bad.txt"
rule ok:
    output: "ok/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
rule flaky:
    output: "flaky.txt"
    shell: "if [ -e attempt1 ]; then echo done > {output}; else touch attempt1; exit 3; fi"
rule bad:
    output: "bad.txt"
    shell: "exit 5"
rule after_bad:
    input: "bad.txt"
    output: "after_bad.txt"
    shell: "cp {input} {output}"
SNAKE
set +e
"$FLOW_BIN" run --cores 1 --retries 1 --keep-going --nocolor >run1.log 2>&1
status=$?
set -e
check "the failing run exits 1" test "$status" = 1
"$FLOW_BIN" history --json > history.json
check "history: one run, failed" test "$(json history.json 'len(d), d[0]["outcome"]')" = "(1, 'failed')"
check "history: counts (7 planned, 4 done, 1 failed, 2 never started, 2 retries)" \
    test "$(json history.json '[d[0][k] for k in ("planned","succeeded","failed","not_started","retries")]')" = "[7, 4, 1, 2, 2]"
"$FLOW_BIN" status --json > status.json
flaky='[j for j in d["jobs"] if j["rule"]=="flaky"][0]'
check "status: the flaky job ran twice, failed with 3 then succeeded" \
    test "$(json status.json "[(a['state'], a['exit_status']) for a in $flaky['attempts']]")" = "[('failed', 3), ('succeeded', 0)]"
check "status: each attempt has the local executor and the job's pid" \
    test "$(json status.json "all(a['executor']=='local' and a['external_id'].isdigit() for a in $flaky['attempts'])")" = True
check "status: durations are recorded" test "$(json status.json "all(a['seconds'] >= 0 for j in d['jobs'] for a in j['attempts'])")" = True
check "status: the reason each job ran" test "$(json status.json "$flaky['reason']")" = "Missing output files: flaky.txt"
bad='[j for j in d["jobs"] if j["rule"]=="bad"][0]'
check "status: the failing job failed on both attempts with exit status 5" \
    test "$(json status.json "$bad['state'], [a['exit_status'] for a in $bad['attempts']]")" = "('failed', [5, 5])"
check "status: the jobs after the failure never started" test "$(json status.json "d['not_started_by_rule']")" = "{'after_bad': 1, 'all': 1}"
"$FLOW_BIN" status > status.txt
check "status text: the failed section lists the bad job and its message" grep -q "^failed (1):" status.txt
check "status text: not started jobs" grep -q "^not started (2): after_bad 1, all 1" status.txt

# 2. A run in progress, then killed.
rm -f attempt1
cat > Snakefile <<SNAKE
rule all:
    input: expand("slow/{i}.txt", i=range(4))
rule slow:
    output: "slow/{i}.txt"
    shell: "sleep 30 && echo $MARK"
SNAKE
"$FLOW_BIN" run --cores 2 --nocolor >run2.log 2>&1 &
flow_pid=$!
deadline=$((SECONDS + 30))
until [[ "$(pgrep -f "$MARK" | wc -l)" -ge 2 ]]; do
    [[ $SECONDS -lt $deadline ]] || { fail "the slow jobs did not start"; exit 1; }
    sleep 0.2
done
sleep 1.5   # one scheduler step commits the running attempts
start_ns=$(date +%s%N)
"$FLOW_BIN" status --json > running.json
took_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
check "status during a run answers within 3 s (it never waits for the run's lock): ${took_ms} ms" test "$took_ms" -lt 3000
check "status during a run: running, 2 jobs running" \
    test "$(json running.json "d['run']['outcome'], sorted(j['state'] for j in d['jobs'] if j['rule']=='slow')")" = "('running', ['running', 'running'])"
kill -KILL "$flow_pid"; wait "$flow_pid" 2>/dev/null || true; flow_pid=""
for pid in $(pgrep -f "$MARK" || true); do kill -KILL "$pid" 2>/dev/null || true; done
"$FLOW_BIN" status --json > killed.json
check "status after SIGKILL: the run and its running jobs are killed" \
    test "$(json killed.json "d['run']['outcome'], sorted(j['state'] for j in d['jobs'])")" = "('killed', ['killed', 'killed'])"
"$FLOW_BIN" history > history.txt
check "history text: both runs, the last killed" test "$(awk 'NR > 1' history.txt | grep -oE ' (succeeded|failed|interrupted|killed|running) ' | tr -d ' ' | tr '\n' ' ')" = "failed killed "
"$FLOW_BIN" history --json -n 1 > last.json
check "history -n 1: only the killed run" test "$(json last.json "len(d), d[0]['outcome']")" = "(1, 'killed')"
[[ $failures == 0 ]] || { echo "$failures check(s) failed"; exit 1; }
echo "history and status: ok"
