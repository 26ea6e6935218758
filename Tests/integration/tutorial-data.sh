#!/usr/bin/env bash
# Tests/integration/tutorial-data.sh: the example workflow's data generator is deterministic and leaves
# up-to-date files untouched; the plot script runs standalone on a small VCF and writes an SVG.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gen=(python3 "$ROOT/data/generate_tutorial_data.py" --reads 500 --length 5000 --snps 3)

"${gen[@]}" --out "$tmp/a" >/dev/null
"${gen[@]}" --out "$tmp/b" >/dev/null
diff -r "$tmp/a" "$tmp/b"
before="$(stat -c %Y.%y "$tmp/a/genome.fa" "$tmp/a/samples/A.fastq")"
out="$("${gen[@]}" --out "$tmp/a")"
[[ "$out" == *"already up to date"* ]] || { echo "second run rewrote files: $out"; exit 1; }
[[ "$(stat -c %Y.%y "$tmp/a/genome.fa" "$tmp/a/samples/A.fastq")" == "$before" ]]
"${gen[@]}" --out "$tmp/c" --seed 7 >/dev/null
! cmp -s "$tmp/a/genome.fa" "$tmp/c/genome.fa" || { echo "another seed gave the same genome"; exit 1; }
[[ "$(grep -c '^@A\.' "$tmp/a/samples/A.fastq")" == 500 ]]

printf '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t5\t.\tA\tG\t50.5\t.\t.\nchr1\t9\t.\tC\tT\t.\t.\t.\nchr1\t12\t.\tG\tT\t99\t.\t.\n' >"$tmp/x.vcf"
python3 "$ROOT/workflows/tutorial/scripts/plot-quals.py" "$tmp/x.vcf" "$tmp/plots/x.svg"
grep -q '<svg' "$tmp/plots/x.svg"
grep -q 'QUAL of 2 variant calls' "$tmp/plots/x.svg"
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$tmp/plots/x.svg"
echo "tutorial data generator and plot script: ok"
