#!/usr/bin/env bash
# Tests/integration/picas-run.sh: PiCaS against the project's CouchDB subset (scripts/testservers/couchdb_server.py)
# and the stock picas 1.1.2 client from PyPI (a venv in a cache folder; skipped with 77 when pip cannot install it).
#   a. interop, stock client only: create_views (5 views through ViewDefinition.sync), push (one _bulk_docs),
#      three RunActors racing over 30 tokens with 10% forced 409s: each token claimed and done exactly once,
#      overview_total counts, a failing token in the error view, log attachments read back;
#   b. `flow worker` drains tokens the stock client pushed (logs attached, exit codes, failures in error);
#   c. `flow run --profile picas` (the tutorial) drained by three stock picas workers: outputs equal the local run;
#   d. the tutorial drained by three `flow worker`s with 10% forced claim races (409) and 10% 5xx, each token run once;
#   e. a failing job: exit 1, its log attachment shown in the error report and saved under .flow/logs/picas/;
#   f. SIGKILL of a worker mid-token: the stale lock is scrubbed back to todo and the token runs once more;
#   g. SIGKILL of flow, restart: the tokens of the first run are adopted, not pushed again;
#   h. the password appears in no token, log, server log or .flow/ file.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
source "$ROOT/Tests/integration/lib/checks.bash"
source "$ROOT/Tests/integration/lib/picas.bash"
T_START=$SECONDS
tmp="$(mktemp -d)"
bg_pids=()
cleanup() {
    for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
if ! picas_venv; then echo "SKIP: cannot install picas==$PICAS_VERSION with pip"; exit 77; fi

# ---- a. stock client against the test server
section "a. stock picas client: views, push, three racing RunActors"
couch_start "$tmp/a" --seed 7
bg_pids+=("$COUCH_PID")
export PICAS_DATABASE=interop
"${PICAS_STOCK[@]}" views
cmds=()
for i in $(seq 1 29); do cmds+=("echo out-$i; echo err-$i >&2"); done
cmds+=("echo failing; exit 5")
check "push: 30 tokens in one _bulk_docs" [ "$("${PICAS_STOCK[@]}" push "${cmds[@]}")" == "[$(printf 'true, %.0s' $(seq 29))true]" ]
check "overview_total: 30 todo" [ "$("${PICAS_STOCK[@]}" overview)" == '{"done": 0, "error": 0, "locked": 0, "todo": 30}' ]
couch_faults '{"rate": 0.1, "kinds": ["409"]}'
mkdir -p "$tmp/a/w1" "$tmp/a/w2" "$tmp/a/w3"
workers=()
for w in 1 2 3; do (cd "$tmp/a/w$w" && "${PICAS_STOCK[@]}" worker > worker.log 2>&1) & workers+=($!); done
wait "${workers[@]}" || true
couch_faults '{"rate": 0}'
stats="$(couch_stats)"
echo "    server: $(echo "$stats" | json 'd["requests"]'), faults $(echo "$stats" | json 'd["faults"]')"
check "forced 409s happened ($(echo "$stats" | json 'd["faults"].get("409", 0)'))" [ "$(echo "$stats" | json 'd["faults"].get("409", 0)')" -gt 0 ]
check "every token claimed exactly once (30 ids, all 1)" [ "$(echo "$stats" | json 'sorted(set(d["claims"].values())) == [1] and len(d["claims"]) == 30')" == True ]
check "every token done exactly once" [ "$(echo "$stats" | json 'sorted(set(d["completions"].values())) == [1] and len(d["completions"]) == 30')" == True ]
check "overview_total: 29 done, 1 error" [ "$("${PICAS_STOCK[@]}" overview)" == '{"done": 29, "error": 1, "locked": 0, "todo": 0}' ]
logs="$("${PICAS_STOCK[@]}" logs)"
check "log attachments read back (token_7: out-7 / err-7)" [ "$(echo "$logs" | json 'd["token_7"]["out"] + d["token_7"]["err"]')" == "$(printf 'out-7\nerr-7')" ]
check "the failing token is in the error view with exit code 5" [ "$(echo "$logs" | json 'd["token_30"]["view"] + " " + str(d["token_30"]["exit_code"])')" == "error 5" ]
check "an unknown map function is a clear 400" bash -c "curl -s -u '$PICAS_USER:$PICAS_PASSWORD' -X PUT -d '{\"views\":{\"x\":{\"map\":\"function(doc){ if (doc.a.b) emit(1,1) }\"}}}' $COUCH_URL/interop/_design/X >/dev/null && curl -s -u '$PICAS_USER:$PICAS_PASSWORD' $COUCH_URL/interop/_design/X/_view/x | grep -q unsupported_view"
check "no credentials: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' "$COUCH_URL/interop")" == 401 ]
kill "$COUCH_PID"

# ---- b. flow worker drains tokens the stock client pushed
section "b. flow worker drains stock tokens"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
couch_start "$tmp/b" --seed 8
bg_pids+=("$COUCH_PID")
export PICAS_DATABASE=stock
"${PICAS_STOCK[@]}" views
cmds=()
for i in $(seq 1 19); do cmds+=("echo out-$i; echo err-$i >&2; pwd > where-$i"); done
cmds+=("echo failing; exit 7")
"${PICAS_STOCK[@]}" push "${cmds[@]}" >/dev/null
couch_faults '{"rate": 0.1, "kinds": ["409", "503"]}'
mkdir -p "$tmp/b/work"
workers=()
for w in 1 2; do "$FLOW_BIN" worker --url "$COUCH_URL" --database stock -d "$tmp/b/work" > "$tmp/b/worker$w.log" 2>&1 & workers+=($!); done
wait "${workers[@]}" || fail "a flow worker exited non-zero"
couch_faults '{"rate": 0}'
stats="$(couch_stats)"
echo "    faults: $(echo "$stats" | json 'd["faults"]'); $(tail -1 "$tmp/b/worker1.log"); $(tail -1 "$tmp/b/worker2.log")"
check "every stock token claimed and done exactly once by flow workers" [ "$(echo "$stats" | json 'len(d["claims"]) == 20 and set(d["claims"].values()) == {1} and set(d["completions"].values()) == {1}')" == True ]
check "overview_total: 19 done, 1 error" [ "$("${PICAS_STOCK[@]}" overview)" == '{"done": 19, "error": 1, "locked": 0, "todo": 0}' ]
logs="$("${PICAS_STOCK[@]}" logs)"
check "the stock client reads flow's log attachments (token_5: out-5 / err-5)" [ "$(echo "$logs" | json 'd["token_5"]["out"] + d["token_5"]["err"]')" == "$(printf 'out-5\nerr-5')" ]
check "exit code 7 of the failing token" [ "$(echo "$logs" | json 'd["token_20"]["view"] + " " + str(d["token_20"]["exit_code"])')" == "error 7" ]
check "tokens ran in the worker's -d directory" [ "$(cat "$tmp/b/work/where-3")" == "$tmp/b/work" ]
kill "$COUCH_PID"

# ---- shared by c-h: the tutorial, run locally once for reference (lib/picas.bash)
tutorial_reference
# A stock worker that keeps polling (TaskViewIterator stops at an empty view) until $1/stop exists.
stock_loop() { while [[ ! -e "$1/stop" ]]; do "${PICAS_STOCK[@]}" worker >> worker.log 2>&1 || true; sleep 0.3; done; }

# ---- c. the tutorial on PiCaS, three stock picas workers
section "c. flow run --profile picas, three stock picas workers"
couch_start "$tmp/c" --seed 9
bg_pids+=("$COUCH_PID")
create_db tutorial
tutorial "$tmp/c/run"
loops=()
for w in 1 2 3; do mkdir -p "$tmp/c/w$w"; (cd "$tmp/c/w$w" && PICAS_DATABASE=tutorial stock_loop "$tmp/c") & loops+=($!); done
bg_pids+=("${loops[@]}")
t=$SECONDS
rc=0; (cd "$tmp/c/run" && flow_picas tutorial > run.log 2>&1) || rc=$?
echo "    tutorial drained by stock workers: $((SECONDS - t)) s"
touch "$tmp/c/stop"; wait "${loops[@]}" 2>/dev/null || true
check "flow run --profile picas exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/local" "$tmp/c/run" "stock workers"
stats="$(couch_stats)"
echo "    server: $(echo "$stats" | json 'd["requests"]')"
check "11 tokens (rule all runs locally), each claimed and done once" [ "$(echo "$stats" | all_once 11)" == True ]
check "tokens went in with _bulk_docs, status came from _all_docs" [ "$(echo "$stats" | json 'd["requests"].get("POST _all_docs", 0) > 0 and d["requests"].get("POST _bulk_docs", 0) > 0')" == True ]
check "the stock client sees the Monitor views flow created (overview: 11 done)" [ "$(PICAS_DATABASE=tutorial "${PICAS_STOCK[@]}" overview)" == '{"done": 11, "error": 0, "locked": 0, "todo": 0}' ]
check "log attachments saved under .flow/logs/picas/" [ "$(ls "$tmp/c/run/.flow/logs/picas/" | grep -c '\.err$')" = 11 ]
kill "$COUCH_PID"

# ---- d. the tutorial drained by three flow workers with 10% injected 409 races and 503s
section "d. three flow workers, 10% 409/503"
couch_start "$tmp/d" --seed 10 --conflict-rate 0.1 --fault-rate 0.1 --faults 503,500
bg_pids+=("$COUCH_PID")
create_db tutorial || create_db tutorial
tutorial "$tmp/d/run"
workers=()
for w in 1 2 3; do "$FLOW_BIN" worker --url "$COUCH_URL" --database tutorial --idle-exit 600 --heartbeat 2 > "$tmp/d/worker$w.log" 2>&1 & workers+=($!); done
bg_pids+=("${workers[@]}")
t=$SECONDS
rc=0; (cd "$tmp/d/run" && flow_picas tutorial > run.log 2>&1) || rc=$?
echo "    tutorial drained by flow workers: $((SECONDS - t)) s"
kill -TERM "${workers[@]}"; wait "${workers[@]}" 2>/dev/null || true
check "flow run exits 0 with faults injected (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/local" "$tmp/d/run" "flow workers"
stats="$(couch_stats)"
echo "    faults: $(echo "$stats" | json 'd["faults"]')"
check "5xx faults were injected" [ "$(echo "$stats" | json 'd["faults"].get("503", 0) + d["faults"].get("500", 0) > 0')" == True ]
check "each of the 11 tokens ran exactly once (server log)" [ "$(echo "$stats" | all_once 11)" == True ]
check "idle workers stop on SIGTERM with a summary" grep -q 'tokens run' "$tmp/d/worker1.log"
kill "$COUCH_PID"

# ---- e, f, g share one server
couch_start "$tmp/efg" --seed 11
bg_pids+=("$COUCH_PID")

# ---- e. a failing job
section "e. a failing job: exit 1, its log shown and saved"
create_db fail
mkdir -p "$tmp/e/run" && cd "$tmp/e/run"
printf 'rule bad:\n    output: "bad.txt"\n    shell: "echo partial > {output}; echo boom-from-the-job >&2; exit 3"\n' > Snakefile
"$FLOW_BIN" worker --url "$COUCH_URL" --database fail --idle-exit 600 > "$tmp/e/worker.log" 2>&1 &
wpid=$!; bg_pids+=("$wpid")
rc=0; flow_picas fail --retries 0 > run.log 2>&1 || rc=$?
kill -TERM "$wpid"; wait "$wpid" 2>/dev/null || true
check "exit status 1 (got $rc)" [ "$rc" = 1 ]
check "Error in rule bad, exit status 3" bash -c "grep -q 'Error in rule bad' run.log && grep -q 'exit status: 3' run.log"
check "the job's stderr (log attachment) is shown" grep -q boom-from-the-job run.log
check "and saved under .flow/logs/picas/" bash -c "cat .flow/logs/picas/*.err | grep -q boom-from-the-job"
check "the failed output is removed" [ ! -e bad.txt ]

# ---- f. SIGKILL of a worker mid-token
section "f. SIGKILL of a worker mid-token: scrubbed and run once more"
create_db kill
mkdir -p "$tmp/f/run" && cd "$tmp/f/run"
printf 'rule slow:\n    output: "slow.txt"\n    shell: "echo $$ >> pids; sleep 4; echo ran >> runs; echo ok > {output}"\n' > Snakefile
flow_picas kill --picas-grace 3 > run.log 2>&1 &
fpid=$!; bg_pids+=("$fpid")
"$FLOW_BIN" worker --url "$COUCH_URL" --database kill --heartbeat 1 --idle-exit 60 > "$tmp/f/worker1.log" 2>&1 &
w1=$!; bg_pids+=("$w1")
for i in $(seq 150); do [[ -s pids ]] && break; sleep 0.1; done
# A node going away takes the worker and its job with it.
kill -KILL "$w1"; kill -KILL -- "-$(head -1 pids)" 2>/dev/null || true
"$FLOW_BIN" worker --url "$COUCH_URL" --database kill --heartbeat 1 --idle-exit 60 > "$tmp/f/worker2.log" 2>&1 &
w2=$!; bg_pids+=("$w2")
rc=0; wait "$fpid" || rc=$?
kill -TERM "$w2"; wait "$w2" 2>/dev/null || true
stats="$(couch_stats)"
check "flow run exits 0 after the worker was killed (got $rc)" [ "$rc" = 0 ]
slow() { json '[v for k, v in d["'"$1"'"].items() if "-slow-" in k]'; }
check "the token was scrubbed once, claimed twice, done once" [ "$(echo "$stats" | slow scrubs)$(echo "$stats" | slow claims)$(echo "$stats" | slow completions)" == "[1][2][1]" ]
check "the job completed once after the kill" [ "$(cat runs 2>/dev/null)" == ran ]

# ---- g. SIGKILL of flow, restart: tokens adopted
section "g. SIGKILL of flow, restart: the tokens are adopted"
create_db adopt
tutorial "$tmp/g/run" && cd "$tmp/g/run"
flow_picas adopt > run1.log 2>&1 &
fpid=$!; bg_pids+=("$fpid")
count_tokens() { curl -sf -u "$PICAS_USER:$PICAS_PASSWORD" "$COUCH_URL/adopt/_all_docs" | json 'len([r for r in d["rows"] if not r["id"].startswith("_design")])'; }
for i in $(seq 100); do [[ "$(count_tokens)" -ge 3 ]] && break; sleep 0.1; done
first="$(count_tokens)"
# $fpid is the subshell running flow_picas: kill flow itself (its child), then the subshell, which may
# have ended already on its own once flow died (so that kill may fail). No --unlock: the restarted flow
# finds the killed one's lock and takes it over.
pkill -KILL -P "$fpid" 2>/dev/null || true
kill -KILL "$fpid" 2>/dev/null || true; wait "$fpid" 2>/dev/null || true
flow_picas adopt > run2.log 2>&1 &
fpid=$!; bg_pids+=("$fpid")
# Workers come once the restarted flow has adopted the tokens (flow prepares a job, removing its
# stale outputs, before it submits or adopts it).
for i in $(seq 100); do [[ "$(grep -c '^rule bwa_map:' run2.log)" == 3 ]] && break; sleep 0.1; done
workers=()
for w in 1 2; do "$FLOW_BIN" worker --url "$COUCH_URL" --database adopt --idle-exit 600 > "$tmp/g/worker$w.log" 2>&1 & workers+=($!); done
bg_pids+=("${workers[@]}")
rc=0; wait "$fpid" || rc=$?
kill -TERM "${workers[@]}"; wait "${workers[@]}" 2>/dev/null || true
check "the restarted run exits 0 (got $rc)" [ "$rc" = 0 ]
check "it adopted the first run's jobs" grep -q 'Adopting' run2.log
check "11 tokens in all ($first pushed before the kill): none pushed twice" [ "$(count_tokens)" = 11 ]
stats="$(couch_stats)"
check "every token ran once" [ "$(echo "$stats" | json 'all(v == 1 for k, v in d["completions"].items() if k.startswith("flow-") and "slow" not in k and "bad" not in k)')" == True ]
same_as_local "$tmp/local" "$tmp/g/run" "restarted run"
cd "$tmp"

# ---- h. the password is nowhere
section "h. the password is in no token, log or .flow/ file"
for db in fail kill adopt; do
    curl -sf -u "$PICAS_USER:$PICAS_PASSWORD" "$COUCH_URL/$db/_all_docs?include_docs=true&attachments=true" >> "$tmp/all-tokens.json"
done
check "tokens dumped with their attachments ($(wc -c < "$tmp/all-tokens.json") bytes)" [ -s "$tmp/all-tokens.json" ]
leaks="$(grep -rlF -- "$PICAS_PASSWORD" "$tmp" 2>/dev/null || true)"
check "no file under the test folder (workdirs, .flow/, worker and server logs, tokens) holds the password" [ -z "$leaks" ]
[[ -z "$leaks" ]] || echo "$leaks" | sed 's/^/    leak: /'
kill "$COUCH_PID"

echo "picas-run: $failures failures ($((SECONDS - T_START)) s)"
[[ $failures == 0 ]]
