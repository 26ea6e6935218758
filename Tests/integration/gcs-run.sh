#!/usr/bin/env bash
# Tests/integration/gcs-run.sh: the example workflow with every file in Cloud Storage
# (`--default-storage-provider gcs --default-storage-prefix gs://bucket/run1`) on fake-gcs-server:
#   1. a run from scratch builds everything in the bucket; its outputs equal a local run's;
#   2. a second run has nothing to do (freshness from the objects' times, local copies in step);
#   3. replacing one sample's FASTQ in the bucket re-runs exactly that sample's jobs and their consumers;
#   4. a missing input object is a clear error naming it;
#   and the working directory itself never holds an output;
#   5. the same tutorial through a proxy that answers 10% of the requests with a 503, a reset, a cut
#      download or a lost answer: it finishes, every object equals the local copy its job wrote;
#   6. 24 MB outputs (resumable uploads in chunks) through 20% faults, with --max-storage-transfers 2:
#      the uploads resume where the emulator stopped, the objects equal the files;
#   7. without --keep-storage-local-copies no local copy outlives the run, and --local-storage-prefix
#      moves them (Snakemake's flags).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
for tool in bwa samtools bcftools curl; do command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }; done
tmp="$(mktemp -d)"
trap '"$ROOT/scripts/testbeds/fake-gcs.sh" stop "$tmp/server" || true; if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi' EXIT
source "$ROOT/Tests/integration/lib/checks.bash"

rc=0; "$ROOT/scripts/testbeds/fake-gcs.sh" start "$tmp/server" >/dev/null || rc=$?
[[ "$rc" == 77 ]] && { echo "SKIP: fake-gcs-server not installed"; exit 77; }
[[ "$rc" == 0 ]] || { echo "FAIL: fake-gcs-server did not start"; exit 1; }
E="$(cat "$tmp/server/endpoint")"
export STORAGE_EMULATOR_HOST="$E"
curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"bucket"}' "$E/storage/v1/b?project=test" >/dev/null
put() {   # put LOCAL-FILE KEY
    curl -sf -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$1" \
        "$E/upload/storage/v1/b/bucket/o?uploadType=media&name=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$2")" >/dev/null
}
get() { curl -sf "$E/storage/v1/b/bucket/o/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")?alt=media"; }
objects() { curl -sf "$E/storage/v1/b/bucket/o?prefix=$1" | python3 -c 'import json, sys; print("\n".join(sorted(o["name"] for o in json.load(sys.stdin).get("items", []))))'; }

python3 "$ROOT/data/generate_tutorial_data.py" --out "$tmp/data" --reads 400 --length 4000 --snps 3 >/dev/null
for f in genome.fa samples/A.fastq samples/B.fastq samples/C.fastq; do put "$tmp/data/$f" "run1/data/$f"; done

# The reference: a local run.
mkdir -p "$tmp/local" "$tmp/remote"
for d in local remote; do cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$tmp/$d/"; done
cp -r "$tmp/data" "$tmp/local/data"
(cd "$tmp/local" && "$FLOW_BIN" run --cores 2 >"$tmp/local.log" 2>&1) || { fail "local run"; cat "$tmp/local.log"; }

cd "$tmp/remote"
flags=(--cores 2 --default-storage-provider gcs --default-storage-prefix gs://bucket/run1 --keep-storage-local-copies)
rc=0; "$FLOW_BIN" run "${flags[@]}" >"$tmp/run1.log" 2>&1 || rc=$?
check "run from scratch on GCS (exit $rc)" [ "$rc" = 0 ]
[[ "$rc" == 0 ]] || tail -30 "$tmp/run1.log"
same "$(cd "$tmp/local" && find calls plots mapped_reads sorted_reads data -type f ! -name planted_snps.tsv | sed "s|^|run1/|")" \
     "$(objects run1/ | grep -v '^run1/logs/')" "the bucket holds every output the local run made"
check "calls/all.vcf equals the local run's (records)" cmp -s <(grep -v '^##' "$tmp/local/calls/all.vcf") <(get run1/calls/all.vcf | grep -v '^##')
check "plots/quals.svg equals the local run's" cmp -s "$tmp/local/plots/quals.svg" <(get run1/plots/quals.svg)
check "no output in the working directory" test ! -e calls -a ! -e plots -a ! -e sorted_reads
check "local copies under .flow/storage/gs/bucket" test -s .flow/storage/gs/bucket/run1/calls/all.vcf

"$FLOW_BIN" run "${flags[@]}" >"$tmp/run2.log" 2>&1
check "second run: nothing to do" grep -q "Nothing to be done" "$tmp/run2.log"

sleep 1
echo "@extra read" >>"$tmp/data/samples/B.fastq"
put "$tmp/data/samples/B.fastq" run1/data/samples/B.fastq
"$FLOW_BIN" run "${flags[@]}" >"$tmp/run3.log" 2>&1 || fail "run after replacing B.fastq"
same "all|
bcftools_call|
bwa_map|sample=B
plot_quals|
samtools_index|sample=B
samtools_sort|sample=B" "$(jobs_in "$tmp/run3.log")" "replacing one FASTQ re-runs exactly that sample's jobs and their consumers"
"$FLOW_BIN" run "${flags[@]}" >"$tmp/run4.log" 2>&1
check "and then nothing to do" grep -q "Nothing to be done" "$tmp/run4.log"

# Sample C's reads, its BAMs and the calls gone from the bucket: its mapping must run and cannot.
for key in run1%2Fdata%2Fsamples%2FC.fastq run1%2Fmapped_reads%2FC.bam run1%2Fsorted_reads%2FC.bam run1%2Fcalls%2Fall.vcf; do curl -sf -X DELETE "$E/storage/v1/b/bucket/o/$key" >/dev/null; done
rc=0; "$FLOW_BIN" run "${flags[@]}" >"$tmp/run5.log" 2>&1 || rc=$?
check "a missing input object fails the run" test "$rc" != 0
check "and the error names it" grep -q "gs://bucket/run1/data/samples/C.fastq" "$tmp/run5.log"

# 5. Faults on every transfer path: a proxy in front of the emulator.
cd "$tmp" && mkdir -p faulty && cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" faulty/
for f in genome.fa samples/A.fastq samples/B.fastq samples/C.fastq; do put "$tmp/data/$f" "run2/data/$f"; done
python3 "$ROOT/scripts/testservers/fault_proxy.py" --upstream "${E#http://}" --rate 0.1 --seed 7 --stats "$tmp/faults.json" \
    --faults 503,reset,truncate,lost --gcs-status-queries >"$tmp/proxy.out" 2>/dev/null &
proxy=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/proxy.out" 2>/dev/null && break; sleep 0.05; done
cd "$tmp/faulty"
rc=0; STORAGE_EMULATOR_HOST="http://127.0.0.1:$(awk '/^PORT / {print $2}' "$tmp/proxy.out")" \
    "$FLOW_BIN" run --cores 2 --default-storage-provider gcs --default-storage-prefix gs://bucket/run2 --keep-storage-local-copies >"$tmp/faulty.log" 2>&1 || rc=$?
kill "$proxy" 2>/dev/null || true
check "with 10% faults the run finishes (exit $rc)" [ "$rc" = 0 ]
[[ "$rc" == 0 ]] || tail -20 "$tmp/faulty.log"
faults="$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(sum(s["faults"].values()), s["requests"], s["faults"])' "$tmp/faults.json" 2>/dev/null || echo "0 0")"
echo "    faults injected, requests: $faults"
check "faults were injected" [ "${faults%% *}" -gt 5 ]
bad=0
for obj in $(objects run2/ | grep -v '^run2/logs/'); do
    cmp -s <(get "$obj") ".flow/storage/gs/bucket/$obj" || { echo "    differs: $obj"; bad=$((bad + 1)); }
done
check "every stored object equals the local copy its job wrote" [ "$bad" = 0 ]
check "and the calls equal the local run's" cmp -s <(grep -v '^##' "$tmp/local/calls/all.vcf") <(get run2/calls/all.vcf | grep -v '^##')

# 6. Large outputs: resumable uploads through faults, two transfers at a time.
mkdir -p "$tmp/large" && cd "$tmp/large"
cat >Snakefile <<'EOF'
rule all:
    input: expand("big{i}.bin", i=range(3))
rule big:
    output: "big{i}.bin"
    shell: "head -c 24000000 /dev/urandom > {output}"
EOF
python3 "$ROOT/scripts/testservers/fault_proxy.py" --upstream "${E#http://}" --rate 0.2 --seed 5 --stats "$tmp/faults-large.json" \
    --faults 503,reset,lost --gcs-status-queries >"$tmp/proxy-large.out" 2>/dev/null &
proxy=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/proxy-large.out" 2>/dev/null && break; sleep 0.05; done
rc=0; FLOW_TEST_COPIES="$tmp" STORAGE_EMULATOR_HOST="http://127.0.0.1:$(awk '/^PORT / {print $2}' "$tmp/proxy-large.out")" \
    "$FLOW_BIN" run --cores 2 --max-storage-transfers 2 --default-storage-provider gcs --default-storage-prefix gs://bucket/large \
    --keep-storage-local-copies --local-storage-prefix '$FLOW_TEST_COPIES/copies' >"$tmp/large.log" 2>&1 || rc=$?
kill "$proxy" 2>/dev/null || true
check "24 MB outputs through 20% faults (exit $rc)" [ "$rc" = 0 ]
[[ "$rc" == 0 ]] || tail -20 "$tmp/large.log"
stats="$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(s["faults"].get("lost", 0), s["status_queries"], s["faults"])' "$tmp/faults-large.json" 2>/dev/null || echo "0 0")"
echo "    lost answers, status queries, faults: $stats"
read -r lost queries _ <<<"$stats"
check "answers to chunks were lost and the uploads asked where to go on" [ "$lost" -gt 0 -a "$queries" -gt 0 ]
bad=0
for i in 0 1 2; do cmp -s <(get "large/big$i.bin") "$tmp/copies/gs/bucket/large/big$i.bin" || { echo "    differs: big$i.bin"; bad=$((bad + 1)); }; done
check "every large object equals its file" [ "$bad" = 0 ]
check "--local-storage-prefix (\$VAR expanded) holds the local copies" test -s "$tmp/copies/gs/bucket/large/big0.bin" -a ! -e .flow/storage

# 7. Local copies without --keep-storage-local-copies: gone after the run, the objects stay.
mkdir -p "$tmp/nokeep" && cd "$tmp/nokeep"
cat >Snakefile <<'EOF'
rule all:
    input: "upper.txt"
rule upper:
    input: "data/genome.fa"
    output: "upper.txt"
    shell: "tr a-z A-Z < {input} > {output}"
EOF
rc=0; "$FLOW_BIN" run --cores 1 --default-storage-provider gcs --default-storage-prefix gs://bucket/run1 >"$tmp/nokeep.log" 2>&1 || rc=$?
check "a run without --keep-storage-local-copies (exit $rc)" [ "$rc" = 0 ]
check "leaves no local copy behind" test -z "$(find .flow -path '*storage*' 2>/dev/null)"
check "and its output is in the bucket" cmp -s <(tr a-z A-Z <"$tmp/data/genome.fa") <(get run1/upper.txt)

echo "gcs-run: $failures failures"
[[ "$failures" == 0 ]]
