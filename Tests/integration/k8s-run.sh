#!/usr/bin/env bash
# Tests/integration/k8s-run.sh: `flow run --executor k8s` against scripts/testservers/kube_apiserver.py
# (TLS, bearer token, a kubelet running pods as local processes; the PVC "work" is the run's folder).
#   a. the tutorial, shared-volume mode, --jobs 4: the same files, VCF records, alignments and plot as locally;
#      every status round costs at most 3 API requests besides one log read per finished job;
#   b. the tutorial in staged mode (each pod in its own folder, inputs copied in, outputs back): same as local;
#   c. 10% API faults (429/500/503/reset) and 2 pods Evicted: the run completes with the same outputs; from
#      the server's log, no Job name was created twice and no job ran twice except the evicted ones' retry;
#   d. a failing job: exit 1, "Error in rule", its pod log shown; nothing of the run left (kubectl by label);
#   e. SIGINT while jobs run: exit 130, nothing of the run left;
#   f. SIGKILL while jobs run, then a restart: the Jobs are adopted (409, nothing created twice, each
#      command ran once) and the run completes;
#   g. --kubernetes-envvars: the job sees the value; it appears in no log, no .flow/ file, no request log.
# Skipped (exit 77) without python3, openssl, kubectl or the flow binary.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
for tool in python3 openssl kubectl bwa samtools bcftools; do command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }; done
[[ -x "$FLOW_BIN" ]] || { echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; }
source "$ROOT/Tests/integration/lib/checks.bash"
T_START=$SECONDS
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
section() { echo "---- $* (at $((SECONDS - T_START)) s)"; }

# start_server NAME DIR [ARGS...]: a server whose PVC "work" is DIR; sets KUBECONFIG, PORT, REQLOG.
start_server() {
    local name="$1" dir="$2"; shift 2
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    mkdir -p "$tmp/$name"
    python3 "$ROOT/scripts/testservers/kube_apiserver.py" --tls "$tmp/tls" --token "tok-$name" --pvc "work=$dir" \
        --kubeconfig "$tmp/$name/kubeconfig" --log "$tmp/$name/requests.log" "$@" > "$tmp/$name/port" 2> "$tmp/$name/server.err" &
    server_pid=$!
    for _ in $(seq 100); do grep -q PORT "$tmp/$name/port" 2>/dev/null && break; sleep 0.1; done
    PORT="$(awk '{print $2}' "$tmp/$name/port")"
    REQLOG="$tmp/$name/requests.log"
    export KUBECONFIG="$tmp/$name/kubeconfig"
}
stats() { curl -sk "https://127.0.0.1:$PORT/_stats"; }
left() { kubectl --cache-dir "$tmp/kcache" get jobs,pods,secrets -l app.kubernetes.io/managed-by=flow -o name 2>&1; }
K8S=(--executor k8s --jobs 4 --seconds-between-status-checks 0.5)
tutorial() {
    mkdir -p "$1"
    cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$1/"
    cp -rp "$tmp/data" "$1/data"
}
files() { (cd "$1" && find . -path ./.flow -prune -o -type f -print | sort); }
body() { grep -v '^##' "$1" 2>/dev/null || true; }
same_as_local() {
    same "$(files "$tmp/local")" "$(files "$1")" "$2: the same files as the local run"
    check "$2: calls/all.vcf has records" [ -n "$(body "$1/calls/all.vcf" | sed 1d)" ]
    check "$2: the same VCF records" [ "$(body "$tmp/local/calls/all.vcf")" == "$(body "$1/calls/all.vcf")" ]
    for s in A B C; do
        check "$2: the same alignments in sorted_reads/$s.bam" \
            [ "$(samtools view "$tmp/local/sorted_reads/$s.bam" | md5sum)" == "$(samtools view "$1/sorted_reads/$s.bam" | md5sum)" ]
    done
    check "$2: the same plot" cmp -s "$tmp/local/plots/quals.svg" "$1/plots/quals.svg"
}

section "local reference run"
mkdir -p "$tmp/local"
cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$tmp/local/"
python3 "$ROOT/data/generate_tutorial_data.py" --out "$tmp/data" >/dev/null
cp -rp "$tmp/data" "$tmp/local/data"
(cd "$tmp/local" && "$FLOW_BIN" run --cores 2 > run.log 2>&1) || fail "local tutorial run failed"

section "a. tutorial, shared volume"
tutorial "$tmp/shared"
start_server a "$tmp/shared"
rc=0; (cd "$tmp/shared" && "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/shared" > run.log 2>&1) || rc=$?
check "shared-volume tutorial exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/shared" "shared volume"
check "pod logs saved under .flow/logs/k8s/ (12 jobs)" [ "$(ls "$tmp/shared/.flow/logs/k8s" | wc -l)" = 12 ]
check "nothing of the run left after it" [ -z "$(left)" ]
# flow's requests between consecutive job-list GETs, log reads and submissions apart: the cost of one status
# round (the sweep at the end, after the last round, is not part of one).
worst="$(python3 - "$REQLOG" <<'PY'
import json, sys
reqs = [r for r in map(json.loads, open(sys.argv[1])) if r["agent"].startswith("flow")]
rounds, cur = [], None
for r in reqs:
    if r["method"] == "GET" and r["path"].endswith("/jobs"):
        if cur is not None: rounds.append(cur)
        cur = 0
    if cur is not None and not r["path"].endswith("/log") and r["method"] != "POST": cur += 1
print("%d (%d rounds)" % (max(rounds) if rounds else 99, len(rounds)))
PY
)"
check "every status round: at most 3 API requests besides log reads (worst $worst)" [ "${worst%% *}" -le 3 ]

section "b. tutorial, staged (no shared working directory)"
tutorial "$tmp/staged"
start_server b "$tmp/staged"
rc=0; (cd "$tmp/staged" && "$FLOW_BIN" run "${K8S[@]}" --kubernetes-data-mode staged > run.log 2>&1) || rc=$?
check "staged tutorial exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/staged" "staged"

section "c. 10% API faults and 2 evictions"
tutorial "$tmp/faults"
start_server c "$tmp/faults" --fault-rate 0.1 --faults 429,500,503,reset --evict 2 --seed 7
rc=0; (cd "$tmp/faults" && "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/faults" > run.log 2>&1) || rc=$?
check "run with faults exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/faults" "faults"
verdict="$(stats | python3 -c '
import json, sys, re
s = json.load(sys.stdin)
twice = [n for n, c in s["created"].items() if c > 1]
keys = {}
for n, c in s["started"].items():
    k = re.sub(r"-\d+$", "", n); keys[k] = keys.get(k, 0) + c
extra = sum(keys.values()) - len(keys)
print("faults=%s evicted=%d created_twice=%d extra_runs=%d" % (sum(s["faults"].values()), len(s["evicted"]), len(twice), extra))
')"
echo "    $verdict"
check "faults were injected and 2 pods evicted" grep -Eq 'faults=[1-9][0-9]* evicted=2' <<<"$verdict"
check "no Job created twice; only the 2 evicted jobs ran again" grep -q 'created_twice=0 extra_runs=2' <<<"$verdict"
check "nothing of the run left after it" [ -z "$(left)" ]

section "d. a failing job"
mkdir -p "$tmp/fail"
cat > "$tmp/fail/Snakefile" <<'SNAKE'
rule all:
    input: "a.txt", "b.txt"
rule a:
    output: "a.txt"
    shell: "echo this-is-the-pod-log; exit 3"
rule b:
    output: "b.txt"
    shell: "sleep 1; touch {output}"
SNAKE
start_server d "$tmp/fail"
rc=0; (cd "$tmp/fail" && "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/fail" > run.log 2>&1) || rc=$?
check "failing job: exit 1 (got $rc)" [ "$rc" = 1 ]
check "Error in rule a" grep -q '^Error in rule a:' "$tmp/fail/run.log"
check "its pod log is shown" grep -q 'this-is-the-pod-log' "$tmp/fail/run.log"
check "nothing of the run left after the failure" [ -z "$(left)" ]

section "e. SIGINT"
mkdir -p "$tmp/int"
cat > "$tmp/int/Snakefile" <<'SNAKE'
rule all:
    input: expand("s{i}.txt", i=range(4))
rule s:
    output: "s{i}.txt"
    shell: "sleep 30; touch {output}"
SNAKE
start_server e "$tmp/int"
(cd "$tmp/int" && exec "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/int" > run.log 2>&1) &
pid=$!
for _ in $(seq 100); do [[ "$(stats | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["started"].values()))')" -ge 4 ]] && break; sleep 0.1; done
kill -INT "$pid"; rc=0; wait "$pid" || rc=$?
check "SIGINT: exit 130 (got $rc)" [ "$rc" = 130 ]
check "nothing of the run left after Ctrl-C" [ -z "$(left)" ]

section "f. SIGKILL and restart"
rm -rf "$tmp/kill"; mkdir -p "$tmp/kill"
sed 's/sleep 30/sleep 3/' "$tmp/int/Snakefile" > "$tmp/kill/Snakefile"
start_server f "$tmp/kill"
(cd "$tmp/kill" && exec "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/kill" > run1.log 2>&1) &
pid=$!
for _ in $(seq 100); do [[ "$(stats | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["started"].values()))')" -ge 4 ]] && break; sleep 0.1; done
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
check "after SIGKILL the Jobs are still there" [ "$(kubectl --cache-dir "$tmp/kcache" get jobs -l app.kubernetes.io/managed-by=flow -o name | wc -l)" = 4 ]
(cd "$tmp/kill" && "$FLOW_BIN" run --unlock > unlock.log 2>&1) || true
rc=0; (cd "$tmp/kill" && "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/kill" > run2.log 2>&1) || rc=$?
check "restart exits 0 (got $rc)" [ "$rc" = 0 ]
check "the restart adopted the jobs" grep -q 'Adopting 4 jobs' "$tmp/kill/run2.log"
verdict="$(stats | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("created=%d twice=%d conflicts=%d started=%d" % (len(s["created"]), sum(c > 1 for c in s["created"].values()), sum(s["conflicts"].values()), sum(s["started"].values())))')"
echo "    $verdict"
check "each Job created once, adopted by 409, each command ran once" grep -q 'created=4 twice=0 conflicts=4 started=4' <<<"$verdict"
check "outputs made" [ "$(ls "$tmp/kill"/s*.txt | wc -l)" = 4 ]
check "nothing of the run left after it" [ -z "$(left)" ]

section "g. a secret in envvars"
mkdir -p "$tmp/secret"
cat > "$tmp/secret/Snakefile" <<'SNAKE'
rule all:
    input: "seen.txt"
rule seen:
    output: "seen.txt"
    shell: "if [ \"$FLOW_TEST_SECRET\" = \"$(cat expected)\" ]; then echo yes > {output}; else echo no > {output}; fi"
SNAKE
secret="s3cr3t-$RANDOM$RANDOM-value"
printf '%s' "$secret" > "$tmp/secret/expected"
start_server g "$tmp/secret"
rc=0; (cd "$tmp/secret" && FLOW_TEST_SECRET="$secret" "$FLOW_BIN" run "${K8S[@]}" --verbose --kubernetes-envvars FLOW_TEST_SECRET \
    --kubernetes-persistent-volumes "work:$tmp/secret" > run.log 2>&1) || rc=$?
check "secret run exits 0 (got $rc)" [ "$rc" = 0 ]
check "the job saw the value through the Secret" [ "$(cat "$tmp/secret/seen.txt" 2>/dev/null)" = yes ]
rm -f "$tmp/secret/expected"
check "the value is in no log, no .flow/ file, no request log" [ -z "$(grep -rlaF "$secret" "$tmp/secret" "$tmp/g" 2>/dev/null)" ]
check "the Secret is deleted after the run" [ -z "$(left)" ]

for d in a b c d e f g; do [[ -s "$tmp/$d/server.err" ]] && { echo "server $d stderr:"; sed 's/^/    /' "$tmp/$d/server.err" | head -20; }; done
echo "k8s-run: $((SECONDS - T_START)) s, $failures failures"
[[ $failures == 0 ]]
