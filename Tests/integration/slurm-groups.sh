#!/usr/bin/env bash
# Tests/integration/slurm-groups.sh: job groups on the Slurm test bed (scripts/slurm-up.sh).
#   a. `group:` chains of 3 jobs for 4 samples, `--group-components chain=2`, one ungrouped job and a pipe group:
#      each group is ONE sbatch (counted by an sbatch wrapper first on PATH), the jobs of a group ran in
#      dependency order inside that one Slurm job, and a second run has nothing to do (every member recorded);
#   b. the pipe group streams on Slurm: its producer writes its second line only after the consumer read the
#      first (both in the one Slurm job, joined by a FIFO);
#   c. a failing member: exit 1, the member before it keeps its output, one sbatch for the group.
# Skipped (exit 77) unless FLOW_TEST_SLURM=1 or `sinfo` answers (FLOW_TEST_SLURM=0 skips always).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ "${FLOW_TEST_SLURM:-}" == 0 ]] || { [[ "${FLOW_TEST_SLURM:-}" != 1 ]] && ! sinfo -h >/dev/null 2>&1; }; then
    echo "SKIP: the Slurm test bed is not up (scripts/slurm-up.sh; FLOW_TEST_SLURM=1)"
    exit 77
fi
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
tmp="$(mktemp -d)"
cleanup() {
    local ids
    ids="$(squeue -h -u "$(id -u)" -o '%i|%Z' 2>/dev/null | awk -F'|' -v t="$tmp" 'index($2, t) == 1 { print $1 }')"
    [[ -n "$ids" ]] && scancel $ids 2>/dev/null || true
    if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
source "$ROOT/Tests/integration/lib/checks.bash"

# An sbatch that logs each call, then runs the real one.
mkdir -p "$tmp/bin"
real_sbatch="$(command -v sbatch)"
cat > "$tmp/bin/sbatch" <<EOF
#!/usr/bin/env bash
echo "\$*" >> "\${SBATCH_LOG:?}"
exec "$real_sbatch" "\$@"
EOF
chmod +x "$tmp/bin/sbatch"
export PATH="$tmp/bin:$PATH"
SLURM=(--executor slurm --jobs 4 --latency-wait 10 --seconds-between-status-checks 1)
sbatch_calls() { [[ -f "$SBATCH_LOG" ]] && wc -l < "$SBATCH_LOG" || echo 0; }

# ---- a. user groups and a pipe group
echo "---- a. groups: one sbatch each"
mkdir "$tmp/a" && cd "$tmp/a"
export SBATCH_LOG="$tmp/a/sbatch.log"
cat > Snakefile <<'EOF'
SAMPLES = ["s1", "s2", "s3", "s4"]

rule all:
    input: expand("c/{s}.txt", s=SAMPLES), "solo.txt", "streamed.txt"

rule a:
    output: "a/{s}.txt"
    group: "chain"
    resources: mem_mb=100
    shell: "echo a {wildcards.s} $SLURM_JOB_ID $(date +%s.%N) > {output}"

rule b:
    input: "a/{s}.txt"
    output: "b/{s}.txt"
    group: "chain"
    resources: mem_mb=100
    shell: "cat {input} > {output}; echo b {wildcards.s} $SLURM_JOB_ID $(date +%s.%N) >> {output}"

rule c:
    input: "b/{s}.txt"
    output: "c/{s}.txt"
    group: "chain"
    resources: mem_mb=100
    shell: "cat {input} > {output}; echo c {wildcards.s} $SLURM_JOB_ID $(date +%s.%N) >> {output}"

rule solo:
    output: "solo.txt"
    resources: mem_mb=100
    shell: "echo solo > {output}"

rule produce:
    output: pipe("stream.txt")
    resources: mem_mb=100
    shell:
        "exec 3> {output}; echo 1 >&3; "
        "for i in $(seq 300); do [ -e got1 ] && break; sleep 0.1; done; [ -e got1 ]; "
        "echo 2 >&3; exec 3>&-"

rule consume:
    input: "stream.txt"
    output: "streamed.txt"
    resources: mem_mb=100
    shell: "while read -r line; do echo $line >> {output}; touch got$line; done < {input}"
EOF
rc=0; "$FLOW_BIN" run "${SLURM[@]}" --group-components chain=2 > run.log 2>&1 || rc=$?
check "grouped run on Slurm exits 0 (got $rc)" [ "$rc" = 0 ]
[[ $rc == 0 ]] || tail -30 run.log
# 4 chains in 2 groups of 2, solo, the pipe group: 4 submissions instead of 15.
n="$(sbatch_calls)"
check "4 sbatch calls for 2 chain groups, 1 pipe group and 1 ungrouped job (got $n)" [ "$n" = 4 ]
for s in s1 s2 s3 s4; do
    order="$(awk '{print $1}' "c/$s.txt" 2>/dev/null | tr '\n' ' ')"
    check "$s: a, b, c in dependency order (got '$order')" [ "$order" = "a b c " ]
    ids="$(awk '{print $3}' "c/$s.txt" 2>/dev/null | sort -u | wc -l)"
    check "$s: its three jobs ran in one Slurm job" [ "$ids" = 1 ]
    check "$s: each ran after the one before it" awk 'NR > 1 && $4 < prev { exit 1 } { prev = $4 }' "c/$s.txt"
done
check "s1 and s2 share a Slurm job (--group-components chain=2)" \
    [ "$(awk '{print $3}' c/s1.txt | head -1)" = "$(awk '{print $3}' c/s2.txt | head -1)" ]
check "s1 and s3 do not" [ "$(awk '{print $3}' c/s1.txt | head -1)" != "$(awk '{print $3}' c/s3.txt | head -1)" ]

# ---- b. the pipe streamed
echo "---- b. pipe group streams"
check "the consumer read both lines, the second written after it read the first" \
    [ "$(cat streamed.txt 2>/dev/null | tr '\n' ' ')" = "1 2 " ]
check "the pipe is gone after its group" [ ! -e stream.txt ]
rc=0; "$FLOW_BIN" run "${SLURM[@]}" --group-components chain=2 > run2.log 2>&1 || rc=$?
check "a second run has nothing to do" grep -q 'Nothing to be done' run2.log
check "and submits nothing" [ "$(sbatch_calls)" = 4 ]

# ---- c. a failing member
echo "---- c. failing member"
mkdir "$tmp/c" && cd "$tmp/c"
export SBATCH_LOG="$tmp/c/sbatch.log"
cat > Snakefile <<'EOF'
rule all:
    input: "second.txt"

rule first:
    output: "first.txt"
    group: "g"
    resources: mem_mb=100
    shell: "echo first > {output}"

rule second:
    input: "first.txt"
    output: "second.txt"
    group: "g"
    resources: mem_mb=100
    shell: "touch {output}; exit 5"
EOF
rc=0; "$FLOW_BIN" run "${SLURM[@]}" > run.log 2>&1 || rc=$?
check "a failing member fails the run (exit $rc)" [ "$rc" = 1 ]
check "one sbatch for the group" [ "$(sbatch_calls)" = 1 ]
check "the failing member is reported with its exit status" grep -q 'exit status: 5' run.log
check "the member before it keeps its output" grep -qx first first.txt
check "the failed member's output is removed" [ ! -e second.txt ]

[[ $failures == 0 ]] || { echo "$failures checks failed"; exit 1; }
echo "all checks passed"
