#!/usr/bin/env bash
# bench/k8s_submit.sh [N]: N trivial jobs (default 1000) through `flow run --executor k8s --jobs 200` against
# scripts/testservers/kube_apiserver.py (plain HTTP, token auth; the kubelet runs each pod as a local process).
# Prints wall time, submissions per second (from the server's log: first to last Job POST) and API requests
# per job, split by kind.
# Not compared: Snakemake 9.27.1 + snakemake-executor-plugin-kubernetes was NOT run against this server. What was
# checked (2026-12-07): `pip install --dry-run snakemake-executor-plugin-kubernetes` in .venv-snakemake resolves
# (plugin 0.5.1 with the kubernetes client 32.0.1; not installed there, that venv is shared), and that client
# 32.0.1 in a scratch venv, with the server's generated kubeconfig (TLS + token), creates a Job, reads its status,
# lists its pod, reads the pod log and deletes it. Why no run: the plugin declares no shared file system, so
# Snakemake needs a storage plugin (snakemake-storage-plugin-gcs against fake-gcs-server) and its pods run
# `python -m snakemake` from the job image, which this server's kubelet would take from the host's PATH; wiring
# that up was left for later rather than reported half-done.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/release/flow}"
[[ -x "$FLOW_BIN" ]] || FLOW_BIN="$ROOT/.build/debug/flow"
N="${1:-1000}"
tmp="$(mktemp -d)"
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work"
cat > "$tmp/work/Snakefile" <<SNAKE
rule all:
    input: expand("out/{i}.txt", i=range($N))
rule one:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE
python3 "$ROOT/scripts/testservers/kube_apiserver.py" --token bench --pvc "work=$tmp/work" --kubeconfig "$tmp/kubeconfig" \
    --log "$tmp/requests.log" > "$tmp/port" &
pid=$!
for _ in $(seq 100); do grep -q PORT "$tmp/port" 2>/dev/null && break; sleep 0.1; done
start=$(date +%s.%N)
(cd "$tmp/work" && KUBECONFIG="$tmp/kubeconfig" "$FLOW_BIN" run --executor k8s --jobs 200 --seconds-between-status-checks 1 \
    --kubernetes-persistent-volumes "work:$tmp/work" > run.log 2>&1) || { tail -20 "$tmp/work/run.log"; exit 1; }
end=$(date +%s.%N)
python3 - "$tmp/requests.log" "$N" "$start" "$end" <<'PY'
import json, sys
reqs = [r for r in map(json.loads, open(sys.argv[1])) if r["agent"].startswith("flow")]
n = int(sys.argv[2]); wall = float(sys.argv[4]) - float(sys.argv[3])
posts = [r["t"] for r in reqs if r["method"] == "POST" and r["path"].endswith("/jobs")]
kinds = {}
for r in reqs:
    k = r["method"] + (" log" if r["path"].endswith("/log") else " jobs" if "/jobs" in r["path"] else " pods" if "/pods" in r["path"] else " other")
    kinds[k] = kinds.get(k, 0) + 1
rounds = sum(1 for r in reqs if r["method"] == "GET" and r["path"].endswith("/jobs"))
print("jobs %d  wall %.1f s  (%.1f jobs/s end to end)" % (n, wall, n / wall))
print("submission: %d POSTs in %.1f s = %.0f Jobs/s" % (len(posts), posts[-1] - posts[0], len(posts) / max(1e-9, posts[-1] - posts[0])))
print("API requests: %d = %.2f per job; status rounds: %d" % (len(reqs), len(reqs) / n, rounds))
print("by kind: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
PY
