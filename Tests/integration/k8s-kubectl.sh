#!/usr/bin/env bash
# Tests/integration/k8s-kubectl.sh: proves scripts/testservers/kube_apiserver.py honest with a client nobody
# here wrote, real kubectl: over TLS with a bearer token, `kubectl create -f` (default strict validation,
# through the OpenAPI v3 stub), `get jobs -l ... -o json`, `wait --for=condition=complete`, `logs job/X`,
# a failing job's Failed condition, AlreadyExists and NotFound errors, `delete` with its wait, the
# client-certificate identity, and a full node (--max-pods 1: the second pod waits, Unschedulable).
# Skipped (exit 77) without kubectl, python3 or openssl.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
for tool in kubectl python3 openssl; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done
source "$ROOT/Tests/integration/lib/checks.bash"
tmp="$(mktemp -d)"
server_pid=""
full_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; [[ -n "$full_pid" ]] && kill "$full_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

python3 "$ROOT/scripts/testservers/kube_apiserver.py" --tls "$tmp/tls" --token s3cret-token \
    --kubeconfig "$tmp/kubeconfig" --log "$tmp/requests.log" > "$tmp/port" 2> "$tmp/server.err" &
server_pid=$!
for _ in $(seq 100); do grep -q PORT "$tmp/port" 2>/dev/null && break; sleep 0.1; done
export KUBECONFIG="$tmp/kubeconfig"
K=(kubectl --cache-dir "$tmp/cache" --request-timeout 20s)
echo "kubectl: $(kubectl version --client -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"

cat > "$tmp/job.yaml" <<'YAML'
apiVersion: batch/v1
kind: Job
metadata:
  name: hello
  labels: {flow/run: r1}
spec:
  backoffLimit: 0
  template:
    metadata:
      labels: {flow/run: r1}
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: ["/bin/sh", "-c", "echo hello from $HOSTNAME; echo done"]
YAML
sed -e 's/name: hello/name: broken/' -e 's/echo hello.*done/echo failing; exit 3/' "$tmp/job.yaml" > "$tmp/broken.yaml"

out="$("${K[@]}" create -f "$tmp/job.yaml" 2>&1)" && pass "kubectl create -f (strict validation): $out" || fail "kubectl create -f: $out"
out="$("${K[@]}" create -f "$tmp/job.yaml" 2>&1)" && fail "duplicate create should fail" || \
    check "duplicate create: AlreadyExists ($out)" grep -q 'AlreadyExists' <<<"$out"
out="$("${K[@]}" wait --for=condition=complete job/hello --timeout=30s 2>&1)" && pass "kubectl wait: $out" || fail "kubectl wait: $out"
json="$("${K[@]}" get jobs -l flow/run=r1 -o json)"
check "get jobs -l -o json: one job, succeeded 1" test "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["items"]), d["items"][0]["status"].get("succeeded"))' <<<"$json")" = "1 1"
out="$("${K[@]}" logs job/hello 2>&1)" || true
check "kubectl logs job/hello shows the pod's output ($out)" grep -q '^hello from hello-' <<<"$out"
"${K[@]}" create -f "$tmp/broken.yaml" >/dev/null
out="$("${K[@]}" wait --for=condition=failed job/broken --timeout=30s 2>&1)" && pass "a failing job: $out" || fail "failing job: $out"
code="$("${K[@]}" get pods -l job-name=broken -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.exitCode}')"
check "its pod terminated with exit code 3 (got $code)" test "$code" = 3
out="$("${K[@]}" delete job hello 2>&1)" && pass "kubectl delete: $out" || fail "kubectl delete: $out"
out="$("${K[@]}" get job hello 2>&1)" && fail "get after delete should fail" || \
    check "get after delete: NotFound ($out)" grep -q 'NotFound' <<<"$out"
out="$("${K[@]}" delete jobs -l flow/run=r1 2>&1)" && pass "delete by label: $out" || fail "delete by label: $out"
check "nothing left with the label" test -z "$("${K[@]}" get jobs,pods -l flow/run=r1 -o name 2>&1)"
out="$(kubectl --cache-dir "$tmp/cache2" --kubeconfig /dev/null --server "https://127.0.0.1:$(awk '{print $2}' "$tmp/port")" \
    --certificate-authority "$tmp/tls/ca.crt" --token wrong-token get jobs 2>&1)" && fail "a wrong token should be refused" || \
    check "a wrong token: Unauthorized ($out)" grep -qi 'unauthorized\|must be logged in' <<<"$out"
out="$(kubectl --cache-dir "$tmp/cache3" --kubeconfig /dev/null --server "https://127.0.0.1:$(awk '{print $2}' "$tmp/port")" \
    --certificate-authority "$tmp/tls/ca.crt" --client-certificate "$tmp/tls/client.crt" --client-key "$tmp/tls/client.key" \
    get jobs -o name 2>&1)" && pass "client certificate accepted: $out" || fail "client certificate: $out"
check "the server logged every request" test "$(wc -l < "$tmp/requests.log")" -gt 10

# A node that runs one pod at a time: the second Job's pod stays Pending, Unschedulable "Too many pods", until
# the first pod ends; then it runs too.
python3 "$ROOT/scripts/testservers/kube_apiserver.py" --tls "$tmp/tls" --token t --max-pods 1 --kubeconfig "$tmp/full.kubeconfig" \
    > "$tmp/full.port" 2>> "$tmp/server.err" &
full_pid=$!
for _ in $(seq 100); do grep -q PORT "$tmp/full.port" 2>/dev/null && break; sleep 0.1; done
F=(kubectl --kubeconfig "$tmp/full.kubeconfig" --cache-dir "$tmp/cache4" --request-timeout 20s)
sed -e 's/name: hello/name: first/' -e 's/echo hello.*done/sleep 2/' "$tmp/job.yaml" | "${F[@]}" create -f - >/dev/null
sleep 0.5
sed -e 's/name: hello/name: second/' -e 's/echo hello.*done/true/' "$tmp/job.yaml" | "${F[@]}" create -f - >/dev/null
sleep 0.5
why="$("${F[@]}" get pods -l job-name=second -o jsonpath='{.items[0].status.phase} {.items[0].status.conditions[0].reason}: {.items[0].status.conditions[0].message}')"
check "full node: the second pod waits ($why)" grep -q '^Pending Unschedulable: .*Too many pods' <<<"$why"
out="$("${F[@]}" wait --for=condition=complete job/first job/second --timeout=30s 2>&1)" \
    && pass "both complete once the first pod ends: $out" || fail "full node: $out"
if [[ -s "$tmp/server.err" ]]; then echo "server stderr:"; sed 's/^/    /' "$tmp/server.err"; fi
echo "$failures failures"
[[ $failures == 0 ]]
