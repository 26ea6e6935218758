#!/usr/bin/env bash
# scripts/run-example.sh: generate the example data and run the example workflow (workflows/tutorial) with flow.
#
# Usage: scripts/run-example.sh [--snakemake] [extra arguments for the engine...]
#   default      runs `flow run --cores 2` with $FLOW (default: the release binary from scripts/setup.sh)
#   --snakemake  runs `snakemake --cores 2` from .venv-snakemake instead (scripts/setup.sh --with-snakemake)
# Then prints the outputs: the files made, the variant calls, and how they compare with the planted SNPs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

engine=flow
if [[ "${1:-}" == "--snakemake" ]]; then engine=snakemake; shift; fi
WF="$FLOW_ROOT/workflows/tutorial"

python3 "$FLOW_ROOT/data/generate_tutorial_data.py" --out "$WF/data"

if [[ "$engine" == flow ]]; then
    FLOW="${FLOW:-$FLOW_ROOT/.build/release/flow}"
    if [[ ! -x "$FLOW" ]]; then
        log "no flow binary at $FLOW: run scripts/setup.sh first (or set FLOW=/path/to/flow)"
        exit 1
    fi
    cmd=("$FLOW" run --cores 2 "$@")
else
    [[ -x "$SNAKEMAKE_VENV/bin/snakemake" ]] || { log "no $SNAKEMAKE_VENV: run scripts/setup.sh --with-snakemake"; exit 1; }
    cmd=("$SNAKEMAKE_VENV/bin/snakemake" --cores 2 "$@")
fi

cd "$WF"
log "in workflows/tutorial: ${cmd[*]}"
t="$(now)"
"${cmd[@]}"
log "$engine finished in $(elapsed "$t") s"

echo
echo "Outputs (workflows/tutorial):"
for f in mapped_reads/*.bam sorted_reads/*.bam sorted_reads/*.bai calls/all.vcf plots/quals.svg; do
    [[ -e "$f" ]] && printf '  %-28s %8d bytes\n' "$f" "$(stat -c %s "$f")"
done
echo
echo "Variant calls (calls/all.vcf):"
grep -v '^##' calls/all.vcf | cut -f 1,2,4,5,6,10- | expand -t 9 | sed 's/^/  /'
echo
python3 "$FLOW_ROOT/data/check_tutorial_calls.py" calls/all.vcf data/planted_snps.tsv
echo "Plot: $WF/plots/quals.svg"
