#!/usr/bin/env bash
# Tests/integration/gfal-run.sh: the example workflow with every file behind gfal
# (`--default-storage-provider gfal --default-storage-prefix PREFIX`), for two prefixes: WebDAV over
# HTTPS (davs://, wsgidav from scripts/testbeds/webdav.sh, its CA given as X509_CERT_DIR) and file://,
# and a third, root:// (xrootd), where scripts/testbeds/xrootd.sh can run: then this whole script runs
# again inside xrootd's private network namespace, which also runs the adapter's root:// contract test.
# For each:
#   1. a run from scratch builds everything in the store; its outputs equal a local run's;
#   2. a second run has nothing to do (whole-second remote times, local copies in step);
#   3. replacing one sample's FASTQ in the store re-runs exactly that sample's jobs and their consumers;
#   4. a missing input is a clear error naming it;
#   every stored object equals the local copy its job wrote, and the working directory never holds an
#   output. Two more scenarios run dav:// and davs:// through a proxy injecting 10% faults (503s, resets,
#   cut downloads; for davs:// the proxy terminates TLS), and root:// through a TCP relay resetting half of
#   the connections mid-stream (scripts/testservers/tcp_fault_proxy.py). The davs:// runs carry a BEARER_TOKEN, which must
#   appear in no log and nowhere under .flow/.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
for tool in bwa samtools bcftools curl; do command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }; done
# With xrootd available, everything runs inside its network namespace (loopback only: wsgidav too).
if [[ -z "${XROOTD_ENDPOINT:-}" && "${FLOW_TEST_XROOTD:-1}" == 1 ]]; then
    if "$ROOT/scripts/testbeds/xrootd.sh" check; then
        xdir="$(mktemp -d)"
        rc=0; "$ROOT/scripts/testbeds/xrootd.sh" run "$xdir" env XROOTD_DIR="$xdir" bash "${BASH_SOURCE[0]}" "$@" || rc=$?
        rm -rf "$xdir"
        exit "$rc"
    fi
    echo "NOTE: root:// not tested: xrootd cannot run here"
fi
tmp="$(mktemp -d)"
trap '"$ROOT/scripts/testbeds/webdav.sh" stop "$tmp/server" || true; if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi' EXIT
source "$ROOT/Tests/integration/lib/checks.bash"

rc=0; WEBDAV_FAULT_RATE=0.1 "$ROOT/scripts/testbeds/webdav.sh" start "$tmp/server" >/dev/null || rc=$?
[[ "$rc" == 77 ]] && { echo "SKIP: wsgidav not installed"; exit 77; }
[[ "$rc" == 0 ]] || { echo "FAIL: the WebDAV test bed did not start"; exit 1; }
export X509_CERT_DIR="$tmp/server/certs"
DAVS="$(cat "$tmp/server/endpoint-davs")"
HTTPS="https://${DAVS#davs://}"
token="flow-secret-$RANDOM$RANDOM$RANDOM"

python3 "$ROOT/data/generate_tutorial_data.py" --out "$tmp/data" --reads 400 --length 4000 --snps 3 >/dev/null

# The reference: a local run.
mkdir -p "$tmp/local"
cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$tmp/local/"
cp -r "$tmp/data" "$tmp/local/data"
(cd "$tmp/local" && "$FLOW_BIN" run --cores 2 >"$tmp/local.log" 2>&1) || { fail "local run"; cat "$tmp/local.log"; }
expected="$(cd "$tmp/local" && find calls plots mapped_reads sorted_reads data -type f ! -name planted_snps.tsv | sort)"

# scenario NAME PREFIX STORE-DIR PUT: PUT LOCAL-FILE KEY uploads one input; STORE-DIR is where the
# store keeps PREFIX's files on this machine (to list and read what the runs wrote).
scenario() {
    local name="$1" prefix="$2" store="$3" put="$4" work="$tmp/$1"
    mkdir -p "$work"
    cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$work/"
    for f in genome.fa samples/A.fastq samples/B.fastq samples/C.fastq; do "$put" "$tmp/data/$f" "data/$f"; done
    cd "$work"
    local flags=(--cores 2 --default-storage-provider gfal --default-storage-prefix "$prefix" --keep-storage-local-copies)
    local t0=$SECONDS
    local rc=0
    "$FLOW_BIN" run "${flags[@]}" >"$tmp/$name-1.log" 2>&1 || rc=$?
    check "$name: run from scratch" test "$rc" = 0
    [[ "$rc" == 0 ]] || tail -30 "$tmp/$name-1.log"
    echo "    ($name: from scratch in $((SECONDS - t0)) s)"
    same "$expected" "$(cd "$store" && find . -type f ! -path './logs/*' ! -name '.*' | sed 's|^\./||' | sort)" \
        "$name: the store holds every output the local run made"
    check "$name: calls/all.vcf equals the local run's (records)" \
        cmp -s <(grep -v '^##' "$tmp/local/calls/all.vcf") <(grep -v '^##' "$store/calls/all.vcf")
    check "$name: plots/quals.svg equals the local run's" cmp -s "$tmp/local/plots/quals.svg" "$store/plots/quals.svg"
    check "$name: no output in the working directory" test ! -e calls -a ! -e plots -a ! -e sorted_reads
    check "$name: local copies under .flow/storage" test -n "$(find .flow/storage -path '*/calls/all.vcf' -size +0)"
    check "$name: no partial transfer left in the store" test -z "$(find "$store" -name '*.flow-part-*')"
    # Every object in the store has the bytes of the local copy the job wrote (kept under .flow/storage).
    local copies=".flow/storage/${prefix%%://*}/$(tr -s / <<<"${prefix#*://}")" f compared=0 differ=0
    while IFS= read -r f; do
        [[ -f "$copies/$f" ]] || continue
        compared=$((compared + 1))
        cmp -s "$store/$f" "$copies/$f" || { differ=$((differ + 1)); echo "    differs: $f"; }
    done < <(cd "$store" && find . -type f ! -name '.*' | sed 's|^\./||')
    check "$name: all $compared stored objects equal their local copies" test "$differ" = 0 -a "$compared" -ge 10

    "$FLOW_BIN" run "${flags[@]}" >"$tmp/$name-2.log" 2>&1
    check "$name: second run: nothing to do" grep -q "Nothing to be done" "$tmp/$name-2.log"
    grep -q "Nothing to be done" "$tmp/$name-2.log" || grep -E "^(local)?rule |reason:|rror|wildcards:" "$tmp/$name-2.log" | head -20

    sleep 1
    echo "@extra read" >>"$tmp/data/samples/B.fastq"
    "$put" "$tmp/data/samples/B.fastq" data/samples/B.fastq
    "$FLOW_BIN" run "${flags[@]}" >"$tmp/$name-3.log" 2>&1 || fail "$name: run after replacing B.fastq"
    same "all|
bcftools_call|
bwa_map|sample=B
plot_quals|
samtools_index|sample=B
samtools_sort|sample=B" "$(jobs_in "$tmp/$name-3.log")" "$name: replacing one FASTQ re-runs exactly that sample's jobs and their consumers"
    "$FLOW_BIN" run "${flags[@]}" >"$tmp/$name-4.log" 2>&1
    check "$name: and then nothing to do" grep -q "Nothing to be done" "$tmp/$name-4.log"

    # Sample C's reads, its BAMs and the calls gone from the store: its mapping must run and cannot.
    rm -f "$store/data/samples/C.fastq" "$store/mapped_reads/C.bam" "$store/sorted_reads/C.bam" "$store/calls/all.vcf"
    rc=0
    "$FLOW_BIN" run "${flags[@]}" >"$tmp/$name-5.log" 2>&1 || rc=$?
    check "$name: a missing input fails the run" test "$rc" != 0
    check "$name: and the error names it" grep -q "$prefix/data/samples/C.fastq" "$tmp/$name-5.log"
    cd "$tmp"
}

put_davs() {   # put_davs LOCAL-FILE KEY: a WebDAV upload under $RUN (MKCOL for each parent, then PUT)
    local path="$RUN" part
    curl -sf --cacert "$tmp/server/ca.pem" -X MKCOL "$HTTPS/$RUN" -o /dev/null || true
    IFS=/ read -ra parts <<<"$(dirname "$2")"
    for part in "${parts[@]}"; do
        path="$path/$part"
        curl -sf --cacert "$tmp/server/ca.pem" -X MKCOL "$HTTPS/$path" -o /dev/null || true
    done
    curl -sf --cacert "$tmp/server/ca.pem" -H 'Expect:' -T "$1" "$HTTPS/$RUN/$2" -o /dev/null
}
put_file() { mkdir -p "$(dirname "$tmp/fs/run1/$2")"; cp "$1" "$tmp/fs/run1/$2"; }

cp -r "$tmp/data" "$tmp/data.orig"
cp -r "$tmp/data" "$tmp/data.first"
RUN=run1
export BEARER_TOKEN="$token"
scenario davs "$DAVS/run1" "$tmp/server/data/run1" put_davs
unset BEARER_TOKEN
check "davs: the bearer token is in no log" test -z "$(grep -l "$token" "$tmp"/davs-*.log)"
check "davs: nor anywhere under .flow/" test -z "$(grep -rl "$token" "$tmp/davs/.flow")"
rm -rf "$tmp/data" && mv "$tmp/data.orig" "$tmp/data"
scenario file "file://$tmp/fs/run1" "$tmp/fs/run1" put_file

# WebDAV behind a proxy that answers 10% of all requests with a 503, a reset connection or a cut
# download: the runs must still finish, and every stored object must be whole.
rm -rf "$tmp/data" && cp -r "$tmp/data.first" "$tmp/data"
RUN=run2
scenario faulty "$(cat "$tmp/server/endpoint-faulty")/run2" "$tmp/server/data/run2" put_davs
check "faulty: faults were injected ($(cat "$tmp/server/faults.json"))" \
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["faults"]; sys.exit(0 if sum(c.values()) >= 20 else 1)' "$tmp/server/faults.json"
# The same over TLS: a proxy that terminates davs:// (the test CA's certificate) injects the faults.
rm -rf "$tmp/data" && cp -r "$tmp/data.first" "$tmp/data"
RUN=run3
scenario faulty-davs "$(cat "$tmp/server/endpoint-faulty-davs")/run3" "$tmp/server/data/run3" put_davs
check "faulty-davs: faults were injected ($(cat "$tmp/server/faults-davs.json"))" \
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["faults"]; sys.exit(0 if sum(c.values()) >= 20 else 1)' "$tmp/server/faults-davs.json"

if [[ -n "${XROOTD_ENDPOINT:-}" ]]; then
    put_root() { xrdcp -s -f --path "$1" "$XROOTD_ENDPOINT/run1/$2"; }
    rm -rf "$tmp/data" && cp -r "$tmp/data.first" "$tmp/data"
    scenario root "$XROOTD_ENDPOINT/run1" "$XROOTD_DIR/data/run1" put_root
    # root:// through a TCP relay that resets half the connections somewhere in their first 200 kB
    # (mid-request or mid-transfer). XrdCl keeps one connection per server and process, so a run makes
    # only a few: hence half. The relay runs in xrootd's namespace like everything here.
    upstream="${XROOTD_ENDPOINT#root://}"
    python3 "$ROOT/scripts/testservers/tcp_fault_proxy.py" --upstream "${upstream%%/*}" --rate 0.5 --seed 3 \
        --stats "$tmp/faults-root.json" >"$tmp/tcp-proxy.out" 2>/dev/null &
    relay=$!
    for _ in $(seq 100); do grep -q '^PORT ' "$tmp/tcp-proxy.out" 2>/dev/null && break; sleep 0.05; done
    faulty_root="root://127.0.0.1:$(awk '/^PORT / {print $2}' "$tmp/tcp-proxy.out")//data"
    put_faulty_root() { xrdcp -s -f --path "$1" "$XROOTD_ENDPOINT/run2/$2"; }
    rm -rf "$tmp/data" && cp -r "$tmp/data.first" "$tmp/data"
    # XrdCl notices a dead stream at its stream timeout (60 s, checked every 15 s): shorter here, as
    # a user on a flaky link would set it.
    export XRD_STREAMTIMEOUT=5 XRD_TIMEOUTRESOLUTION=1
    scenario faulty-root "$faulty_root/run2" "$XROOTD_DIR/data/run2" put_faulty_root
    unset XRD_STREAMTIMEOUT XRD_TIMEOUTRESOLUTION
    kill "$relay" 2>/dev/null || true
    check "faulty-root: connections were reset ($(cat "$tmp/faults-root.json"))" \
        python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["faults"]["reset"] >= 3 else 1)' "$tmp/faults-root.json"
    xctest="$(dirname "$FLOW_BIN")/flowPackageTests.xctest"
    if [[ -x "$xctest" ]]; then
        check "root: the adapter keeps the contract (GfalStorageTests.testXRootDKeepsTheContract)" \
            bash -c '"$1" FlowStorageTests.GfalStorageTests/testXRootDKeepsTheContract 2>&1 | grep -q "testXRootDKeepsTheContract.* passed"' _ "$xctest"
    fi
fi

echo "gfal-run: $failures failures"
[[ "$failures" == 0 ]]
