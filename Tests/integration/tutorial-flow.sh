#!/usr/bin/env bash
# Tests/integration/tutorial-flow.sh: `flow run --cores 2` runs the example workflow (workflows/tutorial) from
# scratch, the calls match the planted SNPs, and a second run has nothing to do (the outputs stay untouched).
# Skipped while the flow binary has no `run` command.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
run_help="$([[ -x "$FLOW_BIN" ]] && "$FLOW_BIN" run --help 2>&1 || true)"
if [[ "$run_help" != *--cores* ]]; then
    echo "skipped: $FLOW_BIN has no 'run' command yet"
    exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$tmp/"
python3 "$ROOT/data/generate_tutorial_data.py" --out "$tmp/data" >/dev/null
cd "$tmp"
"$FLOW_BIN" run --cores 2
for f in calls/all.vcf plots/quals.svg sorted_reads/A.bam.bai logs/bwa_map/C.log; do
    [[ -e "$f" ]] || { echo "missing output: $f"; exit 1; }
done
python3 "$ROOT/data/check_tutorial_calls.py" calls/all.vcf data/planted_snps.tsv
before="$(stat -c %Y.%y calls/all.vcf plots/quals.svg)"
"$FLOW_BIN" run --cores 2
[[ "$(stat -c %Y.%y calls/all.vcf plots/quals.svg)" == "$before" ]] || { echo "second run rebuilt outputs"; exit 1; }
echo "tutorial with flow: ok"
