# Tests/integration/lib/picas.bash: the PiCaS test bed shared by picas-*.sh (sourced, not run): the
# project's CouchDB subset (scripts/testservers/couchdb_server.py) with basic auth, and a venv with the stock
# picas 1.1.2 client (PyPI), made once and kept in a cache folder.
#   picas_venv            sets PICAS_PY (the venv's python) or returns 1 when pip cannot install picas
#   couch_start DIR [ARGS] starts a server logging to DIR/requests.log; sets COUCH_URL, COUCH_PID
#   couch_stats           the server's /_flow/stats JSON
#   create_db, all_once, json, and the tutorial helpers at the end
# The password is random per test run, so a grep for it finds only real leaks.

PICAS_VERSION=1.1.2
PICAS_CACHE="${FLOW_PICAS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/flow/picas-$PICAS_VERSION-venv}"
export PICAS_USER=flowtester
export PICAS_PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export COUCHDB_PASSWORD="$PICAS_PASSWORD"

picas_venv() {
    if [[ ! -x "$PICAS_CACHE/bin/python" ]] || ! "$PICAS_CACHE/bin/python" -c 'import picas' 2>/dev/null; then
        rm -rf "$PICAS_CACHE"
        mkdir -p "$(dirname "$PICAS_CACHE")"
        python3 -m venv "$PICAS_CACHE" >/dev/null 2>&1 || return 1
        "$PICAS_CACHE/bin/pip" install -q "picas==$PICAS_VERSION" >/dev/null 2>&1 || { rm -rf "$PICAS_CACHE"; return 1; }
    fi
    PICAS_PY="$PICAS_CACHE/bin/python"
    PICAS_STOCK=("$PICAS_PY" "$ROOT/scripts/testservers/picas_stock.py")
}

couch_start() {
    local dir="$1"; shift
    mkdir -p "$dir"
    python3 "$ROOT/scripts/testservers/couchdb_server.py" --user "$PICAS_USER" --log "$dir/requests.log" "$@" > "$dir/port" 2>"$dir/server.err" &
    COUCH_PID=$!
    local i
    for i in $(seq 50); do [[ -s "$dir/port" ]] && break; sleep 0.1; done
    COUCH_URL="http://127.0.0.1:$(awk '{print $2}' "$dir/port")"
    export PICAS_URL="$COUCH_URL"
}

couch_stats() { curl -sf "$COUCH_URL/_flow/stats"; }
couch_faults() { curl -sf -X POST -d "$1" "$COUCH_URL/_flow/faults" >/dev/null; }
# json EXPR: evaluates a Python expression over the JSON on stdin (bound to `d`).
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
create_db() { curl -sf -u "$PICAS_USER:$PICAS_PASSWORD" -X PUT "$COUCH_URL/$1" >/dev/null; }
# all_once N (stats JSON on stdin): N tokens, each claimed once and done once.
all_once() { json 'len(d["claims"]) == '"$1"' and set(d["claims"].values()) == {1} and set(d["completions"].values()) == {1}'; }

# The tutorial (lib/tutorial.bash), for scripts with $tmp, $ROOT, $FLOW_BIN and lib/checks.bash:
#   tutorial_reference [GEN-ARGS]  data generated into $tmp/local/data and the tutorial run there locally
#   tutorial DIR                   a copy of the workflow with that data, the genome index the local run
#                                  made included (so no token indexes it again), to run elsewhere
#   same_as_local $tmp/local DIR NAME   (lib/tutorial.bash) DIR holds what the local run made
#   flow_picas DB ARGS...          flow run --profile picas against $COUCH_URL, in the current folder
source "$ROOT/Tests/integration/lib/tutorial.bash"
tutorial_reference() {
    python3 "$ROOT/data/generate_tutorial_data.py" --out "$tmp/generated" "$@" >/dev/null
    tutorial_copy "$tmp/local" "$tmp/generated"
    (cd "$tmp/local" && "$FLOW_BIN" run --cores 2 > run.log 2>&1) || fail "local tutorial run failed"
}
# The genome index comes with the data, and with it the index job's log: the copy is as if that job had run there.
tutorial() {
    tutorial_copy "$1" "$tmp/local/data"
    mkdir -p "$1/logs" && cp -p "$tmp/local/logs/index_genome.log" "$1/logs/"
}
flow_picas() {
    local db="$1"; shift
    "$FLOW_BIN" run --profile "$ROOT/profiles/picas" --picas-url "$COUCH_URL" --picas-database "$db" \
        --seconds-between-status-checks 0.5 "$@"
}
