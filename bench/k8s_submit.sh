#!/usr/bin/env bash
# bench/k8s_submit.sh [N] [SMALL_N]: N trivial jobs (default 1000) through `flow run --executor k8s --jobs 200
# --seconds-between-status-checks 1` against scripts/testservers/kube_apiserver.py (plain HTTP, token auth; its
# kubelet runs each pod's command as a local process, at most MAX_PODS at once, default 4: --max-pods), then,
# when a Snakemake venv is there, flow and Snakemake 9.27.1 + snakemake-executor-plugin-kubernetes on SMALL_N
# jobs (default 100), each against a fresh server. Prints one column per run (bench/k8s_requests.py): wall
# time, submission rate (Job POSTs per second, first to last POST in the server's log), API requests per job by
# kind, status rounds. Checks every run made its N outputs (files on the volume; objects in the bucket).
# Env: FLOW_BIN, SNAKEMAKE_K8S_VENV (default .venv-snakemake-k8s, from scripts/setup.sh --with-snakemake-k8s;
# without it the Snakemake side is skipped with the reason), MAX_PODS (0: no limit), SNAKEMAKE_TIMEOUT (1800 s),
# KEEP=1 keeps the scratch folder (request logs, run logs, pod folders).
#
# What it took to run Snakemake's plugin (0.5.1, kubernetes client 32.0.1) unchanged against this server:
# - The plugin declares no shared file system (implies_no_shared_fs; Snakemake then empties --shared-fs-usage
#   whatever is asked), so it needs a default storage provider: snakemake-storage-plugin-gcs 1.1.4 against
#   fake-gcs-server (scripts/testbeds/fake-gcs.sh), `--default-storage-provider gcs --default-storage-prefix
#   gs://bench-N --storage-gcs-project test`; google-cloud-storage follows STORAGE_EMULATOR_HOST, which
#   `--envvars STORAGE_EMULATOR_HOST` hands to the pods (the plugin puts it in a Secret, the pods read it through
#   secretKeyRef).
# - Its Job runs `/bin/sh -c "<pip install --target .snakemake/pip-deployments snakemake-storage-plugin-gcs &&
#   python -m snakemake --deploy-sources gs://.../archive <sha> ... && python -m snakemake --target-jobs ...>"` in
#   workingDir /workdir on an emptyDir (the kubelet maps it to a per-pod folder). The "image" is the kubelet's
#   environment: the venv's bin first on PATH, and PIP_NO_INDEX=1 PIP_FIND_LINKS=<venv>/wheelhouse so the pods'
#   pip install (Snakemake adds it for every registered storage plugin) reads local wheels, not PyPI.
# - The server needed nothing new for the plugin: it reads Job status through GET .../jobs/NAME/status, lists
#   pods by job-name=, deletes each pod then its Job (propagationPolicy Foreground), creates and deletes a Secret.
#   --max-pods was added so that the pods (each costs ~8 s of CPU: pip install and two Snakemake processes) do
#   not all run at once on the 2 cores the tools themselves need: without it Snakemake's own submission loop
#   starves (MAX_PODS=0 below).
# Same settings on both sides: --jobs 200, status checks every second; Snakemake keeps its defaults of 100 Job
# submissions per second and 10 status checks per second (--max-jobs-per-timespan, --max-status-checks-per-second).
#
# Figures (2026-12-07, 2 cores, flow debug build of 834096d, `bench/k8s_submit.sh 1000 100`, about 8 minutes):
#   MAX_PODS=4             flow N=1000   flow N=100   Snakemake N=100
#   wall time               29.4 s        3.2 s        403.8 s
#   Job POSTs, first-last   23.30 s       0.20 s       1.65 s
#   submission              42.9 Jobs/s   507.6        60.6
#   API requests per job    1.09          1.11         72.88 (34.43 GET job status + 35.43 pod lists + POST +
#                                                      DELETE pod + DELETE job; Secret POST/DELETE once)
#   status rounds           29            3            102
#   MAX_PODS=0: flow 6.4 s / 182.1 Jobs/s / 1.02 per job / 6 rounds (N=1000), 1.2 s / 196.1 / 1.05 / 1 (N=100);
#   Snakemake 463.4 s / 2.1 Jobs/s (its 100 POSTs took 46.89 s: the pods of the first ones ran at once beside it,
#   load 60-100) / 18.48 per job / 8 rounds (about a minute each on that loaded machine).
# flow at N=1000 submits as jobs finish (200 in flight, 4 pods at a time): its first-to-last rate is the node's
# pace; at N=100, all in flight at once, it is the submission itself. Snakemake's 60.6 at N=100 stays under its
# default cap of 100 per second. Snakemake at N=1000: not run, about 8 s of CPU per pod makes it about an hour.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/release/flow}"
[[ -x "$FLOW_BIN" ]] || FLOW_BIN="$ROOT/.build/debug/flow"
N="${1:-1000}"
SMALL_N="${2:-100}"
VENV="${SNAKEMAKE_K8S_VENV:-$ROOT/.venv-snakemake-k8s}"
MAX_PODS="${MAX_PODS:-4}"
tmp="$(mktemp -d)"
server=""
gcs=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
    [[ -n "$gcs" ]] && TESTBEDS_VENV="$gcs" "$ROOT/scripts/testbeds/fake-gcs.sh" stop "$tmp/gcs" || true
    if [[ -n "${KEEP:-}" ]]; then echo "kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# snakefile DIR N PREFIX: N independent one-line jobs.
snakefile() {
    mkdir -p "$1"
    cat > "$1/Snakefile" <<SNAKE
rule all:
    input: expand("out/{i}.txt", i=range($2))
rule one:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE
}

# start_server DIR [VAR=VALUE...]: a fresh test server logging to DIR/requests.log; its kubelet's pods see the
# server's environment (plus the VAR=VALUE given: the "image"), its per-pod folders live under DIR/node.
start_server() {
    local d="$1"; shift
    mkdir -p "$d/node"
    env TMPDIR="$d/node" "$@" python3 "$ROOT/scripts/testservers/kube_apiserver.py" --token bench --pvc "work=$d/work" \
        --max-pods "$MAX_PODS" --kubeconfig "$d/kubeconfig" --log "$d/requests.log" > "$d/port" &
    server=$!
    for _ in $(seq 100); do grep -q PORT "$d/port" 2>/dev/null && return 0; sleep 0.1; done
    echo "the test server did not start" >&2; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

columns=()
# run_flow N: flow on a fresh server, N jobs; checks the N outputs exist.
run_flow() {
    local n="$1" d="$tmp/flow-$1" t0 t1
    snakefile "$d/work" "$n"
    start_server "$d"
    t0=$(date +%s.%N)
    (cd "$d/work" && KUBECONFIG="$d/kubeconfig" "$FLOW_BIN" run --executor k8s --jobs 200 --seconds-between-status-checks 1 \
        --kubernetes-persistent-volumes "work:$d/work" > "$d/run.log" 2>&1) || { tail -20 "$d/run.log"; exit 1; }
    t1=$(date +%s.%N)
    stop_server
    local made; made=$(find "$d/work/out" -name '*.txt' | wc -l)
    [[ "$made" -eq "$n" ]] || { echo "flow made $made of $n outputs" >&2; exit 1; }
    columns+=("flow:$n:$t0:$t1:$d/requests.log")
}

# check_snakemake: sets why (why the Snakemake side cannot run; empty when it can) and gcs (the venv holding
# fake-gcs-server).
why=""
check_snakemake() {
    [[ -x "$VENV/bin/snakemake" ]] || { why="no Snakemake venv at $VENV (set SNAKEMAKE_K8S_VENV, or run scripts/setup.sh --with-snakemake-k8s)"; return; }
    "$VENV/bin/python" -c 'import snakemake_executor_plugin_kubernetes, snakemake_storage_plugin_gcs' 2>/dev/null \
        || { why="$VENV lacks snakemake-executor-plugin-kubernetes or snakemake-storage-plugin-gcs"; return; }
    ls "$VENV"/wheelhouse/snakemake_storage_plugin_gcs-*.whl > /dev/null 2>&1 \
        || { why="$VENV/wheelhouse has no snakemake_storage_plugin_gcs wheel (the pods' pip install reads only there)"; return; }
    local v
    for v in "$VENV" "${TESTBEDS_VENV:-$ROOT/.venv-testbeds}"; do
        TESTBEDS_VENV="$v" "$ROOT/scripts/testbeds/fake-gcs.sh" binary > /dev/null 2>&1 && { gcs="$v"; return; }
    done
    why="fake-gcs-server is installed neither in $VENV nor in the test beds' venv"
}

# run_snakemake N: Snakemake + the kubernetes plugin on a fresh server, N jobs, outputs in a fresh bucket of the
# GCS emulator (the plugin declares no shared file system); checks the N objects exist.
run_snakemake() {
    local n="$1" d="$tmp/snakemake-$1" t0 t1 endpoint
    snakefile "$d/work" "$n"
    if [[ ! -s "$tmp/gcs/endpoint" ]]; then
        TESTBEDS_VENV="$gcs" "$ROOT/scripts/testbeds/fake-gcs.sh" start "$tmp/gcs" > /dev/null
    fi
    endpoint="$(cat "$tmp/gcs/endpoint")"
    curl -sf -X POST -H 'Content-Type: application/json' -d "{\"name\":\"bench-$n\"}" "$endpoint/storage/v1/b?project=test" > /dev/null
    # The "image": the venv's python and pip first on PATH; the pods' `pip install` of the storage plugin reads
    # the local wheelhouse only (no package index).
    start_server "$d" PATH="$VENV/bin:$PATH" PIP_NO_INDEX=1 PIP_FIND_LINKS="$VENV/wheelhouse"
    t0=$(date +%s.%N)
    (cd "$d/work" && STORAGE_EMULATOR_HOST="$endpoint" KUBECONFIG="$d/kubeconfig" timeout "${SNAKEMAKE_TIMEOUT:-1800}" \
        "$VENV/bin/snakemake" --executor kubernetes --container-image snakemake/snakemake:v9.27.1 --jobs 200 \
        --seconds-between-status-checks 1 --default-storage-provider gcs --default-storage-prefix "gs://bench-$n" \
        --storage-gcs-project test --envvars STORAGE_EMULATOR_HOST > "$d/run.log" 2>&1) \
        || { tail -30 "$d/run.log"; echo "Snakemake failed (log above)" >&2; exit 1; }
    t1=$(date +%s.%N)
    stop_server
    local made
    made=$(python3 - "$endpoint" "bench-$n" <<'PY'
import json, sys, urllib.parse, urllib.request
n, token = 0, ""
while True:
    q = urllib.parse.urlencode({"prefix": "out/", **({"pageToken": token} if token else {})})
    page = json.load(urllib.request.urlopen("%s/storage/v1/b/%s/o?%s" % (sys.argv[1], sys.argv[2], q)))
    n += len(page.get("items", []))
    token = page.get("nextPageToken")
    if not token:
        break
print(n)
PY
)
    [[ "$made" -eq "$n" ]] || { echo "Snakemake made $made of $n objects" >&2; exit 1; }
    columns+=("Snakemake:$n:$t0:$t1:$d/requests.log")
}

check_snakemake
run_flow "$N"
if [[ -z "$why" ]]; then
    [[ "$SMALL_N" != "$N" ]] && run_flow "$SMALL_N"
    run_snakemake "$SMALL_N"
fi
python3 "$ROOT/bench/k8s_requests.py" "${columns[@]}"
if [[ -n "$why" ]]; then
    echo "Snakemake: skipped: $why"
elif [[ "$SMALL_N" != "$N" ]]; then
    echo "Snakemake ran at N=$SMALL_N only (flow at both): each of its pods runs pip install and two Snakemake processes (about 8 s of CPU) on this one node; N=$N would take about $((N * 8 / 2 / 60)) minutes on 2 cores"
fi
