#!/usr/bin/env bash
# Tests/integration/engine-rerun.sh: what `flow run` decides to re-run, on the example workflow (workflows/tutorial)
# copied to a temp folder (a small synthetic workflow when bwa/samtools/bcftools are missing):
#   1. a first `flow run --cores 2` builds everything; a second run prints "Nothing to be done" and touches nothing;
#   2. `touch` of one sample's FASTQ: exactly the jobs downstream of that sample re-run, in the dry run's job list
#      and in the real run (compared as sets of rule|wildcards pairs); other samples' outputs stay untouched;
#   3. editing one rule's shell command (a harmless `# comment`): exactly that rule's jobs re-run with the reason
#      "Code has changed since last execution", their consumers with "Input files updated by another job";
#      nothing else re-runs, and a following run has nothing to do;
#   4. a deleted intermediate whose consumers are up to date is not rebuilt;
#   5. an edited `script:` file re-runs its rule only (tutorial).
# FLOW_TEST_SYNTHETIC=1 uses the synthetic workflow even when the tools are there.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
tmp="$(mktemp -d)"
# FLOW_TEST_KEEP=1 keeps the work folder (and its *.log files) for a look after a failure.
trap 'if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; fi' EXIT
cd "$tmp"

source "$ROOT/Tests/integration/lib/checks.bash"
# reasons_in LOG: "rule|wildcards|reason" per job.
reasons_in() {
    awk '/^(local)?(rule|checkpoint) [^ ]+:$/ { if (r != "") print r "|" w "|" why; r = substr($2, 1, length($2) - 1); w = ""; why = ""; next }
         /^    wildcards: / { w = substr($0, 16) }
         /^    reason: / { why = substr($0, 13) }
         END { if (r != "") print r "|" w "|" why }' "$1" | sort -u
}
mtimes() { stat -c '%n %Y.%y' "$@"; }

if [[ "${FLOW_TEST_SYNTHETIC:-0}" != 1 ]] && command -v bwa >/dev/null && command -v samtools >/dev/null && command -v bcftools >/dev/null; then
    echo "workflow: workflows/tutorial"
    cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" .
    python3 "$ROOT/data/generate_tutorial_data.py" --out data >/dev/null
    TOUCHED=data/samples/B.fastq
    # Sample B's jobs and everything that takes all samples.
    EXPECT_TOUCH="bwa_map|sample=B
samtools_sort|sample=B
samtools_index|sample=B
bcftools_call|
plot_quals|
all|"
    UNTOUCHED_BY_B="mapped_reads/A.bam mapped_reads/C.bam sorted_reads/A.bam sorted_reads/C.bam sorted_reads/A.bam.bai data/genome.fa.bwt"
    EDIT_RULE=samtools_index
    EDIT_FROM='"samtools index {input}"'
    EDIT_TO='"samtools index {input}  # harmless comment"'
    EXPECT_EDIT_CODE="samtools_index|sample=A
samtools_index|sample=B
samtools_index|sample=C"
    EXPECT_EDIT_DOWNSTREAM="bcftools_call|
plot_quals|
all|"
    UNTOUCHED_BY_EDIT="mapped_reads/A.bam sorted_reads/A.bam sorted_reads/B.bam sorted_reads/C.bam data/genome.fa.fai"
else
    echo "workflow: synthetic (bwa/samtools/bcftools missing)"
    mkdir -p data/samples
    for s in A B C; do printf 'reads of %s\n' "$s" > "data/samples/$s.fastq"; done
    cat > Snakefile <<'EOF'
SAMPLES = ["A", "B", "C"]

rule all:
    input: "calls/all.vcf", "plots/quals.svg"

rule bwa_map:
    input: "data/samples/{sample}.fastq"
    output: "mapped_reads/{sample}.bam"
    shell: "cat {input} > {output}"

rule samtools_sort:
    input: "mapped_reads/{sample}.bam"
    output: "sorted_reads/{sample}.bam"
    shell: "sort {input} > {output}"

rule samtools_index:
    input: "sorted_reads/{sample}.bam"
    output: "sorted_reads/{sample}.bam.bai"
    shell: "wc -c < {input} > {output}"

rule bcftools_call:
    input:
        bams=expand("sorted_reads/{sample}.bam", sample=SAMPLES),
        bais=expand("sorted_reads/{sample}.bam.bai", sample=SAMPLES)
    output: "calls/all.vcf"
    shell: "cat {input.bams} > {output}"

rule plot_quals:
    input: "calls/all.vcf"
    output: "plots/quals.svg"
    shell: "wc -l < {input} > {output}"
EOF
    TOUCHED=data/samples/B.fastq
    EXPECT_TOUCH="bwa_map|sample=B
samtools_sort|sample=B
samtools_index|sample=B
bcftools_call|
plot_quals|
all|"
    UNTOUCHED_BY_B="mapped_reads/A.bam mapped_reads/C.bam sorted_reads/A.bam sorted_reads/C.bam sorted_reads/A.bam.bai"
    EDIT_RULE=samtools_index
    EDIT_FROM='"wc -c < {input} > {output}"'
    EDIT_TO='"wc -c < {input} > {output}  # harmless comment"'
    EXPECT_EDIT_CODE="samtools_index|sample=A
samtools_index|sample=B
samtools_index|sample=C"
    EXPECT_EDIT_DOWNSTREAM="bcftools_call|
plot_quals|
all|"
    UNTOUCHED_BY_EDIT="mapped_reads/A.bam sorted_reads/A.bam sorted_reads/B.bam sorted_reads/C.bam"
fi

# 1. Build everything, then nothing to do.
rc=0; "$FLOW_BIN" run --cores 2 > run1.log 2>&1 || rc=$?
check "first run exits 0" [ "$rc" = 0 ]
check "first run made calls/all.vcf and plots/quals.svg" test -s calls/all.vcf -a -s plots/quals.svg
check "first run printed Complete" grep -q '^Complete\.' run1.log
all_outputs="$(ls mapped_reads/* sorted_reads/* calls/* plots/*)"
before="$(mtimes $all_outputs)"
rc=0; "$FLOW_BIN" run --cores 2 > run2.log 2>&1 || rc=$?
check "second run exits 0" [ "$rc" = 0 ]
check "second run prints 'Nothing to be done'" grep -q 'Nothing to be done' run2.log
check "second run starts no job" [ -z "$(jobs_in run2.log)" ]
same "$before" "$(mtimes $all_outputs)" "second run leaves every output untouched"
rc=0; "$FLOW_BIN" run -n --cores 2 > dry0.log 2>&1 || rc=$?
check "dry run of an up-to-date workflow lists no job" [ "$rc" = 0 -a -z "$(jobs_in dry0.log)" ]

# 2. touch one sample's FASTQ: exactly its downstream re-runs.
sleep 0.05
touch "$TOUCHED"
"$FLOW_BIN" run -n --cores 2 > dry1.log 2>&1
same "$EXPECT_TOUCH" "$(jobs_in dry1.log)" "dry run after touching $TOUCHED lists exactly sample B's downstream jobs"
check "dry run gives 'Updated input files: $TOUCHED' for bwa_map B" \
    grep -qx "bwa_map|sample=B|Updated input files: $TOUCHED" <(reasons_in dry1.log)
check "dry run wrote nothing" [ "$(mtimes $all_outputs)" = "$before" ]
keep="$(mtimes $UNTOUCHED_BY_B)"
rc=0; "$FLOW_BIN" run --cores 2 > run3.log 2>&1 || rc=$?
check "run after touch exits 0" [ "$rc" = 0 ]
same "$EXPECT_TOUCH" "$(jobs_in run3.log)" "real run after touching $TOUCHED re-runs exactly sample B's downstream jobs"
same "$keep" "$(mtimes $UNTOUCHED_BY_B)" "outputs of samples A and C untouched"
check "mapped_reads/B.bam is newer than $TOUCHED" [ mapped_reads/B.bam -nt "$TOUCHED" ]
rc=0; "$FLOW_BIN" run --cores 2 > run4.log 2>&1 || rc=$?
check "then nothing to be done" grep -q 'Nothing to be done' run4.log

# 3. Edit one rule's shell command.
python3 - "$EDIT_FROM" "$EDIT_TO" <<'EOF'
import sys
old, new = sys.argv[1], sys.argv[2]
text = open("Snakefile").read()
assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
open("Snakefile", "w").write(text.replace(old, new))
EOF
"$FLOW_BIN" run -n --cores 2 > dry2.log 2>&1
same "$EXPECT_EDIT_CODE
$EXPECT_EDIT_DOWNSTREAM" "$(jobs_in dry2.log)" "dry run after editing $EDIT_RULE lists its jobs and their downstream only"
code_jobs="$(reasons_in dry2.log | awk -F'|' '$3 ~ /Code has changed since last execution/ { print $1 "|" $2 }')"
same "$EXPECT_EDIT_CODE" "$code_jobs" "exactly $EDIT_RULE's jobs have the reason 'Code has changed since last execution'"
downstream_ok=1
while IFS= read -r job; do
    [[ -z "$job" ]] && continue
    grep -q "^$(sed 's/[|]/[|]/g' <<<"$job")[|]Input files updated by another job" <(reasons_in dry2.log) || downstream_ok=0
done <<<"$EXPECT_EDIT_DOWNSTREAM"
check "their consumers run because 'Input files updated by another job'" [ "$downstream_ok" = 1 ]
check "dry-run footer names the reason 'code has changed since last execution' for $EDIT_RULE" \
    grep -A1 -q '^    code has changed since last execution:' dry2.log
keep="$(mtimes $UNTOUCHED_BY_EDIT)"
rc=0; "$FLOW_BIN" run --cores 2 > run5.log 2>&1 || rc=$?
check "run after the edit exits 0" [ "$rc" = 0 ]
same "$EXPECT_EDIT_CODE
$EXPECT_EDIT_DOWNSTREAM" "$(jobs_in run5.log)" "real run after editing $EDIT_RULE re-runs exactly its jobs and their downstream"
same "$keep" "$(mtimes $UNTOUCHED_BY_EDIT)" "upstream outputs untouched by the edit"
rc=0; "$FLOW_BIN" run --cores 2 > run6.log 2>&1 || rc=$?
check "after the edited run, nothing to be done (new code recorded)" grep -q 'Nothing to be done' run6.log

# 4. A deleted intermediate whose consumers are up to date is not rebuilt (Snakemake's rule).
rm mapped_reads/A.bam
rc=0; "$FLOW_BIN" run -n --cores 2 > dry7.log 2>&1 || rc=$?
check "deleting the intermediate mapped_reads/A.bam alone is not a reason to run" grep -q 'Nothing to be done' dry7.log

# 5. An edited script: (tutorial only): that rule re-runs because its code changed.
if [[ -f scripts/plot-quals.py ]]; then
    sleep 0.05
    echo "# harmless comment" >> scripts/plot-quals.py
    "$FLOW_BIN" run -n --cores 2 > dry8.log 2>&1
    same "plot_quals||Code has changed since last execution
all||Input files updated by another job: plots/quals.svg" "$(reasons_in dry8.log)" \
        "editing scripts/plot-quals.py re-runs plot_quals only ('Code has changed since last execution')"
fi

if [[ "$failures" -gt 0 ]]; then
    echo "engine-rerun: $failures check(s) FAILED (FLOW_TEST_KEEP=1 keeps the logs)"
    exit 1
fi
echo "engine-rerun: all checks passed"
