#!/usr/bin/env bash
# Tests/integration/picas-grid.sh: PiCaS without a shared file system (`--picas-data-mode grid` with
# `--default-storage-provider gfal --default-storage-prefix PREFIX`): every token carries its whole script and
# its files' storage locations, and `flow worker`s started in a scratch folder of their own (never the
# working directory) stage each token's inputs in from storage and its outputs out. For two prefixes, davs://
# (the WebDAV test bed, scripts/testbeds/webdav.sh, its CA as X509_CERT_DIR) and file://:
#   the tutorial's outputs in the store equal the local run's; each token (every job but rule all) ran once; the working
#   directory holds no output; the workers' folder is empty afterwards; tokens carry `flow.inputs/outputs`
#   as storage URLs and their scripts never change into the working directory.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
for tool in bwa samtools bcftools curl; do command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }; done
source "$ROOT/Tests/integration/lib/checks.bash"
source "$ROOT/Tests/integration/lib/picas.bash"
T_START=$SECONDS
tmp="$(mktemp -d)"
bg_pids=()
cleanup() {
    for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    "$ROOT/scripts/testbeds/webdav.sh" stop "$tmp/server" >/dev/null 2>&1 || true
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

rc=0; "$ROOT/scripts/testbeds/webdav.sh" start "$tmp/server" >/dev/null || rc=$?
[[ "$rc" == 77 ]] && { echo "SKIP: wsgidav not installed"; exit 77; }
[[ "$rc" == 0 ]] || { echo "FAIL: the WebDAV test bed did not start"; exit 1; }
export X509_CERT_DIR="$tmp/server/certs"
DAVS="$(cat "$tmp/server/endpoint-davs")"
HTTPS="https://${DAVS#davs://}"

tutorial_reference --reads 400 --length 4000 --snps 3
jobs="$(jobs_in "$tmp/local/run.log" | grep -vc '^all|')"   # every job but the local rule all is a token
expected="$(cd "$tmp/local" && find calls plots mapped_reads sorted_reads data -type f ! -name planted_snps.tsv | sort)"

put_davs() {   # put_davs LOCAL-FILE KEY: MKCOL each parent under run1, then PUT
    local path="" part
    IFS=/ read -ra parts <<<"run1/$(dirname "$2")"
    for part in "${parts[@]}"; do
        path="$path/$part"
        curl -sf --cacert "$tmp/server/ca.pem" -X MKCOL "$HTTPS$path" -o /dev/null || true
    done
    curl -sf --cacert "$tmp/server/ca.pem" -H 'Expect:' -T "$1" "$HTTPS/run1/$2" -o /dev/null
}
put_file() { mkdir -p "$(dirname "$tmp/fs/run1/$2")"; cp "$1" "$tmp/fs/run1/$2"; }

# grid NAME PREFIX STORE-DIR PUT: STORE-DIR is where the store keeps PREFIX's objects on this machine.
grid() {
    local name="$1" prefix="$2" store="$3" put="$4" dir="$tmp/$1"
    section "$name: the tutorial through $prefix, workers in their own scratch folder"
    couch_start "$dir/couch" --seed 31
    bg_pids+=("$COUCH_PID")
    create_db grid || create_db grid
    mkdir -p "$dir/run" "$dir/workers"
    cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$dir/run/"
    local f
    for f in genome.fa samples/A.fastq samples/B.fastq samples/C.fastq; do "$put" "$tmp/local/data/$f" "data/$f"; done
    local workers=() w
    for w in 1 2 3; do
        (cd "$dir/workers" && exec "$FLOW_BIN" worker --url "$COUCH_URL" --database grid --idle-exit 600 --heartbeat 2) \
            > "$dir/worker$w.log" 2>&1 &
        workers+=($!)
    done
    bg_pids+=("${workers[@]}")
    cd "$dir/run"
    local t=$SECONDS rc=0
    flow_picas grid --picas-data-mode grid --default-storage-provider gfal --default-storage-prefix "$prefix" --keep-storage-local-copies > run.log 2>&1 || rc=$?
    echo "    drained by 3 flow workers through $prefix: $((SECONDS - t)) s"
    kill -TERM "${workers[@]}"; wait "${workers[@]}" 2>/dev/null || true
    check "$name: flow run exits 0 (got $rc)" [ "$rc" = 0 ] || { tail -30 run.log; tail -5 "$dir"/worker*.log; }
    same "$expected" "$(cd "$store" && find . -type f ! -path './logs/*' ! -name '.*' | sed 's|^\./||' | sort)" \
        "$name: the store holds every output the local run made"
    check "$name: calls/all.vcf equals the local run's (records)" \
        cmp -s <(vcf_body "$tmp/local/calls/all.vcf") <(vcf_body "$store/calls/all.vcf")
    check "$name: plots/quals.svg equals the local run's" cmp -s "$tmp/local/plots/quals.svg" "$store/plots/quals.svg"
    check "$name: no output in the working directory" test ! -e calls -a ! -e plots -a ! -e sorted_reads -a ! -e mapped_reads
    # Only the local rule `all` runs here, and it reads its two inputs through local copies.
    check "$name: nothing else retrieved here than rule all's inputs" [ "$(find .flow/storage -type f | sed 's|.*/run1/||' | sort | xargs)" == "calls/all.vcf plots/quals.svg" ]
    check "$name: the workers' folder is empty again (token folders removed)" test -z "$(ls -A "$dir/workers")"
    check "$name: the workers staged files (their logs say so)" grep -q 'staging in' "$dir/worker1.log" "$dir/worker2.log" "$dir/worker3.log"
    local stats tokens
    stats="$(couch_stats)"
    check "$name: each of the $jobs tokens claimed and done exactly once" [ "$(echo "$stats" | all_once "$jobs")" == True ]
    tokens="$(curl -sf -u "$PICAS_USER:$PICAS_PASSWORD" "$COUCH_URL/grid/_all_docs?include_docs=true")"
    check "$name: every token carries its inputs and outputs as storage locations" [ "$(echo "$tokens" | json 'all(r["doc"]["flow"]["inputs"] and r["doc"]["flow"]["outputs"] and all(f["location"].startswith("'"${prefix%%://*}"'://") for f in r["doc"]["flow"]["inputs"] + r["doc"]["flow"]["outputs"]) for r in d["rows"] if not r["id"].startswith("_design"))')" == True ]
    scripts="$(echo "$tokens" | json '[r["doc"].get("input", "") for r in d["rows"]]' | python3 -c 'import base64, re, sys; t = sys.stdin.read(); print(t); [print(base64.b64decode(m).decode(errors="replace")) for m in re.findall(r"printf %s ([A-Za-z0-9+/=]+)", t)]')"
    # (The Python prelude still names it as metadata, snakemake.scriptdir and workflow.basedir, as Snakemake does.)
    check "$name: no token's script changes into the working directory" bash -c '! grep -E "^cd " <<<"$1"' _ "$scripts"
    kill "$COUCH_PID"
    cd "$tmp"
}

grid davs "$DAVS/run1" "$tmp/server/data/run1" put_davs
grid file "file://$tmp/fs/run1" "$tmp/fs/run1" put_file

echo "picas-grid: $failures failures ($((SECONDS - T_START)) s)"
[[ $failures == 0 ]]
