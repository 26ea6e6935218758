#!/usr/bin/env bash
# Tests/integration/k8s-run.sh: `flow run --executor k8s` against scripts/testservers/kube_apiserver.py
# (TLS, bearer token, a kubelet running pods as local processes; the PVC "work" is the run's folder).
#   a. the tutorial, shared-volume mode, --jobs 4: the same files, VCF records, alignments and plot as locally;
#      the jobs' own logs under .flow/logs/k8s/ and no pod log read from the API; every status round costs at
#      most 3 API requests;
#   b. the tutorial in staged mode with every file in fake-gcs-server (--default-storage-provider gcs): each pod
#      in its own folder runs `flow job-files stage-in|stage-out` around its command (STORAGE_EMULATOR_HOST from
#      the run's Secret); no Job names the working directory; the bucket equals the local run; a second run does
#      nothing; the pods' own logs come back through the bucket (none read from the API, none left there);
#   c. 10% API faults (429/500/503/reset) and 2 pods Evicted: the run completes with the same outputs; from
#      the server's log, no Job name was created twice and no job ran twice except the evicted ones' retry;
#   d. a failing job: exit 1, "Error in rule", its pod log shown; nothing of the run left (kubectl by label);
#   e. SIGINT while jobs run: exit 130, nothing of the run left;
#   f. SIGKILL while jobs run, then a restart: the Jobs are adopted (409, nothing created twice, each
#      command ran once) and the run completes;
#   g. --kubernetes-envvars and the Snakefile's envvars:: the job sees the values; it appears in no log, no .flow/ file, no request log;
#   h. 50 jobs in flight at once (--jobs 50): every status round, log reads included, costs at most 3 API requests.
# Skipped (exit 77) without python3, openssl, kubectl or the flow binary.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
for tool in python3 openssl kubectl bwa samtools bcftools; do command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }; done
[[ -x "$FLOW_BIN" ]] || { echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; }
source "$ROOT/Tests/integration/lib/checks.bash"
source "$ROOT/Tests/integration/lib/tutorial.bash"
# Pods inherit the test server's environment (a local kubelet): storage credentials reach them only as flow passes them.
unset STORAGE_EMULATOR_HOST GOOGLE_APPLICATION_CREDENTIALS
T_START=$SECONDS
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    "$ROOT/scripts/testbeds/fake-gcs.sh" stop "$tmp/gcs" 2>/dev/null || true
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

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
knobs() { curl -sk -X POST -d "$1" "https://127.0.0.1:$PORT/_control" >/dev/null; }
left() { kubectl --cache-dir "$tmp/kcache" get jobs,pods,secrets -l app.kubernetes.io/managed-by=flow -o name 2>&1; }
K8S=(--executor k8s --jobs 4 --seconds-between-status-checks 0.5)
# .flow/ and .snakemake/ hold engine metadata and generated programs, which only shared-volume runs write there
# (tutorial_files leaves them out).

section "local reference run"
# The data as generated, before any run adds the genome's index next to it.
python3 "$ROOT/data/generate_tutorial_data.py" --out "$tmp/data" >/dev/null
tutorial_copy "$tmp/local" "$tmp/data"
(cd "$tmp/local" && "$FLOW_BIN" run --cores 2 > run.log 2>&1) || fail "local tutorial run failed"

section "a. tutorial, shared volume"
tutorial_copy "$tmp/shared" "$tmp/data"
start_server a "$tmp/shared"
rc=0; (cd "$tmp/shared" && "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/shared" > run.log 2>&1) || rc=$?
check "shared-volume tutorial exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/local" "$tmp/shared" "shared volume"
check "pod logs saved under .flow/logs/k8s/ (12 jobs)" [ "$(ls "$tmp/shared/.flow/logs/k8s" | wc -l)" = 12 ]
check "nothing of the run left after it" [ -z "$(left)" ]
check "no pod log read from the API" [ "$(grep -c '/log"' "$REQLOG")" = 0 ]
# rounds_worst LOG: the most API requests flow made between consecutive job-list GETs (a status round),
# submissions (POST) apart. The last round ends where the sweep at the end of the run begins: its deletes
# select the whole run, a round's delete names the finished jobs (flow/job in (...)).
rounds_worst() {
    python3 - "$1" <<'PY'
import json, sys, urllib.parse
reqs = [r for r in map(json.loads, open(sys.argv[1])) if r["agent"].startswith("flow")]
rounds, cur = [], None
for r in reqs:
    if r["method"] == "DELETE" and "flow/job" not in urllib.parse.unquote_plus(r.get("query") or ""):
        break
    if r["method"] == "GET" and r["path"].endswith("/jobs"):
        if cur is not None: rounds.append(cur)
        cur = 0
    if cur is not None and r["method"] != "POST": cur += 1
if cur is not None: rounds.append(cur)
print("%d (%d rounds)" % (max(rounds) if rounds else 99, len(rounds)))
PY
}
worst="$(rounds_worst "$REQLOG")"
check "every status round: at most 3 API requests (worst $worst)" [ "${worst%% *}" -le 3 ]

section "b. tutorial, staged: every file in Cloud Storage (fake-gcs-server), staged by flow inside each pod"
# No volume is shared: the pods run in folders of their own and reach the files only through gs:// URLs, with
# `flow job-files` (the test's flow binary as the image's flow) and STORAGE_EMULATOR_HOST given to them through
# the run's Secret (--kubernetes-envvars). The API server itself is started without it.
rc=0; "$ROOT/scripts/testbeds/fake-gcs.sh" start "$tmp/gcs" >/dev/null || rc=$?
if [[ "$rc" == 77 ]]; then
    echo "SKIP b: fake-gcs-server not installed (scripts/setup.sh --with-testbeds)"
else
    check "fake-gcs-server started" [ "$rc" = 0 ]
    E="$(cat "$tmp/gcs/endpoint")"
    quote() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
    curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"bucket"}' "$E/storage/v1/b?project=test" >/dev/null
    for f in $(cd "$tmp/data" && find . -type f | sed 's|^\./||'); do
        curl -sf -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$tmp/data/$f" \
            "$E/upload/storage/v1/b/bucket/o?uploadType=media&name=$(quote "run1/data/$f")" >/dev/null
    done
    mkdir -p "$tmp/staged"
    cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$tmp/staged/"
    start_server b "$tmp/no-pvc"
    STAGED=(--kubernetes-data-mode staged --kubernetes-flow-binary "$FLOW_BIN" --kubernetes-envvars STORAGE_EMULATOR_HOST
            --default-storage-provider gcs --default-storage-prefix gs://bucket/run1)
    rc=0; (cd "$tmp/staged" && STORAGE_EMULATOR_HOST="$E" "$FLOW_BIN" run "${K8S[@]}" "${STAGED[@]}" --kubernetes-omit-job-cleanup \
        > run.log 2>&1) || rc=$?
    check "staged tutorial exits 0 (got $rc)" [ "$rc" = 0 ]
    [[ "$rc" == 0 ]] || tail -30 "$tmp/staged/run.log"
    kubectl --cache-dir "$tmp/kcache" get jobs -l app.kubernetes.io/managed-by=flow -o json > "$tmp/b/jobs.json"
    check "12 Jobs, each in its own folder (workingDir /flow/work on an emptyDir, no PVC)" python3 - "$tmp/b/jobs.json" <<'PY'
import json, sys
jobs = json.load(open(sys.argv[1]))["items"]
ok = len(jobs) == 12
for j in jobs:
    pod = j["spec"]["template"]["spec"]
    c = pod["containers"][0]
    ok &= c["workingDir"] == "/flow/work" and all("emptyDir" in v for v in pod.get("volumes", []))
    ok &= "job-files stage-in" in c["command"][2] and "gs://bucket/run1/" in c["command"][2]
sys.exit(0 if ok else 1)
PY
    # The one mention of the working directory allowed: the script prelude's workflow.basedir and scriptdir
    # (strings the `snakemake` object carries; the pod reads nothing there).
    check "no Job names a path in the working directory or the emulator's address" \
        [ -z "$(sed -e "s|_FlowWorkflow(\\\\\"$tmp/staged\\\\\", \\\\\"$tmp/staged/Snakefile\\\\\"||g" \
                    -e "s|scriptdir=\\\\\"$tmp/staged\\\\\"||g" "$tmp/b/jobs.json" | grep -F -e "$tmp/staged" -e "${E#http://}")" ]
    check "nothing staged into the working directory" [ "$(tutorial_files "$tmp/staged")" == "$(printf '%s\n' ./Snakefile ./config.yaml $(cd "$tmp/staged" && find ./scripts -type f) | sort)" ]
    # The bucket's objects next to the workflow: the same tree as the local run's.
    cp -r "$tmp/staged" "$tmp/staged-got"
    for key in $(curl -sf "$E/storage/v1/b/bucket/o?prefix=run1/" | python3 -c 'import json, sys; print("\n".join(o["name"] for o in json.load(sys.stdin).get("items", [])))'); do
        mkdir -p "$(dirname "$tmp/staged-got/${key#run1/}")"
        curl -sf "$E/storage/v1/b/bucket/o/$(quote "$key")?alt=media" > "$tmp/staged-got/${key#run1/}"
    done
    same_as_local "$tmp/local" "$tmp/staged-got" "staged through gs://"
    check "the pods' own logs fetched through the bucket (12 under .flow/logs/k8s)" [ "$(ls "$tmp/staged/.flow/logs/k8s" | wc -l)" = 12 ]
    check "no pod log read from the API" [ "$(grep -c '/log"' "$REQLOG")" = 0 ]
    check "and none left in the bucket" [ -z "$(curl -sf "$E/storage/v1/b/bucket/o?prefix=run1/.flow/" | python3 -c 'import json, sys; print("\n".join(o["name"] for o in json.load(sys.stdin).get("items", [])))')" ]
    created="$(stats | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["created"]))')"
    kubectl --cache-dir "$tmp/kcache" delete jobs,pods -l app.kubernetes.io/managed-by=flow > /dev/null
    rc=0; (cd "$tmp/staged" && STORAGE_EMULATOR_HOST="$E" "$FLOW_BIN" run "${K8S[@]}" "${STAGED[@]}" > run2.log 2>&1) || rc=$?
    check "second staged run: exit 0 (got $rc), nothing to be done" grep -q "Nothing to be done" "$tmp/staged/run2.log"
    check "and no Job created ($created before, $(stats | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["created"]))') after)" \
        [ "$(stats | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["created"]))')" = "$created" ]
    rm -f "$tmp/staged/run2.log"
    check "nothing of the run left after it" [ -z "$(left)" ]
    "$ROOT/scripts/testbeds/fake-gcs.sh" stop "$tmp/gcs" || true
fi

section "c. 10% API faults and 2 evictions"
tutorial_copy "$tmp/faults" "$tmp/data"
start_server c "$tmp/faults" --fault-rate 0.1 --faults 429,500,503,reset --evict 2 --seed 7
rc=0; (cd "$tmp/faults" && "$FLOW_BIN" run "${K8S[@]}" --kubernetes-persistent-volumes "work:$tmp/faults" > run.log 2>&1) || rc=$?
check "run with faults exits 0 (got $rc)" [ "$rc" = 0 ]
same_as_local "$tmp/local" "$tmp/faults" "faults"
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
knobs '{"fault_rate": 0}'   # the check's own kubectl must not meet the injected faults
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
# One variable through the flag, one through the Snakefile's `envvars:`; both reach the pod via the Secret.
cat > "$tmp/secret/Snakefile" <<'SNAKE'
envvars: "FLOW_TEST_TOKEN"
rule all:
    input: "seen.txt"
rule seen:
    output: "seen.txt"
    shell: "if [ \"$FLOW_TEST_SECRET:$FLOW_TEST_TOKEN\" = \"$(cat expected)\" ]; then echo yes > {output}; else echo no > {output}; fi"
SNAKE
secret="s3cr3t-$RANDOM$RANDOM-value"
token="t0ken-$RANDOM$RANDOM-value"
printf '%s:%s' "$secret" "$token" > "$tmp/secret/expected"
start_server g "$tmp/secret"
rc=0; (cd "$tmp/secret" && FLOW_TEST_SECRET="$secret" FLOW_TEST_TOKEN="$token" "$FLOW_BIN" run "${K8S[@]}" --verbose --kubernetes-envvars FLOW_TEST_SECRET \
    --kubernetes-persistent-volumes "work:$tmp/secret" > run.log 2>&1) || rc=$?
check "secret run exits 0 (got $rc)" [ "$rc" = 0 ]
check "the job saw both values (flag and envvars:) through the Secret" [ "$(cat "$tmp/secret/seen.txt" 2>/dev/null)" = yes ]
rm -f "$tmp/secret/expected"
check "the values are in no log, no .flow/ file, no request log" [ -z "$(grep -rlaF -e "$secret" -e "$token" "$tmp/secret" "$tmp/g" 2>/dev/null)" ]
check "the Secret is deleted after the run" [ -z "$(left)" ]

section "h. 50 jobs in flight"
mkdir -p "$tmp/fifty"
cat > "$tmp/fifty/Snakefile" <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(50))
rule one:
    output: "out/{i}.txt"
    shell: "sleep 4; echo job-{wildcards.i} | tee {output}"
SNAKE
start_server h "$tmp/fifty"
rc=0; (cd "$tmp/fifty" && "$FLOW_BIN" run --executor k8s --jobs 50 --seconds-between-status-checks 0.5 \
    --kubernetes-persistent-volumes "work:$tmp/fifty" > run.log 2>&1) || rc=$?
check "50-job run exits 0 (got $rc)" [ "$rc" = 0 ]
inflight="$(python3 - "$REQLOG" <<'PY'
import json, sys
reqs = [r for r in map(json.loads, open(sys.argv[1])) if r["agent"].startswith("flow")]
first_delete = min([i for i, r in enumerate(reqs) if r["method"] == "DELETE"] or [len(reqs)])
print(sum(1 for r in reqs[:first_delete] if r["method"] == "POST" and r["path"].endswith("/jobs")))
PY
)"
check "all 50 Jobs created before the first finished one was deleted (got $inflight)" [ "$inflight" = 50 ]
worst="$(rounds_worst "$REQLOG")"
check "every status round with 50 jobs in flight: at most 3 API requests, log reads included (worst $worst)" [ "${worst%% *}" -le 3 ]
check "50 own logs, each with its job's output" [ "$(cat "$tmp/fifty/.flow/logs/k8s/"*.log | sort -u | grep -c '^job-')" = 50 ]
check "nothing of the run left after it" [ -z "$(left)" ]

for d in a b c d e f g h; do [[ -s "$tmp/$d/server.err" ]] && { echo "server $d stderr:"; sed 's/^/    /' "$tmp/$d/server.err" | head -20; }; done
echo "k8s-run: $((SECONDS - T_START)) s, $failures failures"
[[ $failures == 0 ]]
