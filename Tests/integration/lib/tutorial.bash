# Tests/integration/lib/tutorial.bash: the tutorial workflow as the executor tests run it (sourced
# after checks.bash, with ROOT set): a copy of it in a folder, and the check that a run on another
# executor made what the local run made.

# tutorial_copy DIR [DATA]: the tutorial's Snakefile, config and scripts in DIR, with its data copied
# from DATA, or generated there when no DATA is given. Copy DATA before a run uses it: the run
# indexes the genome next to it, and a copy made after would hold that job's outputs.
tutorial_copy() {
    mkdir -p "$1"
    cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" "$1/"
    if [[ -n "${2:-}" ]]; then cp -rp "$2" "$1/data"
    else python3 "$ROOT/data/generate_tutorial_data.py" --out "$1/data" >/dev/null; fi
}
# tutorial_files DIR: the files in DIR, without engine metadata and generated programs (.flow/, .snakemake/)
# and without the logs a test kept of flow itself at the top (run.log, run1.log, ...; the jobs' logs/ stay).
tutorial_files() {
    (cd "$1" && find . \( -path ./.flow -o -path ./.snakemake \) -prune -o -type f ! -regex '\./[^/]*\.log' -print | sort)
}
# vcf_body FILE: a VCF without its ## header lines (they hold dates and command lines).
vcf_body() { grep -v '^##' "$1" 2>/dev/null || true; }
# same_as_local LOCAL DIR LABEL: DIR holds what the run in LOCAL made: the same files, VCF records,
# alignments and plot.
same_as_local() {
    same "$(tutorial_files "$1")" "$(tutorial_files "$2")" "$3: the same files as the local run"
    check "$3: calls/all.vcf has records" [ -n "$(vcf_body "$2/calls/all.vcf" | sed 1d)" ]
    check "$3: the same VCF records" [ "$(vcf_body "$1/calls/all.vcf")" == "$(vcf_body "$2/calls/all.vcf")" ]
    for s in A B C; do
        check "$3: the same alignments in sorted_reads/$s.bam" \
            [ "$(samtools view "$1/sorted_reads/$s.bam" | md5sum)" == "$(samtools view "$2/sorted_reads/$s.bam" | md5sum)" ]
    done
    check "$3: the same plot" cmp -s "$1/plots/quals.svg" "$2/plots/quals.svg"
}
