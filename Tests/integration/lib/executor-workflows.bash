# Tests/integration/lib/executor-workflows.bash: the small workflows every remote executor's script runs
# (slurm-run.sh, flux-run.sh), written as ./Snakefile in the current folder (sourced, not run).
#   failing_workflow SLOW   bad (exit 3, after writing partial output), slow (SLOW seconds, alongside it),
#                           independent (only with -k); bad and slow have priority so they start first
#   sleepers_workflow       three jobs out/{0,1,2}.txt that sleep 60 s (to interrupt)
#   ledger_workflow VAR S   three jobs out/{0,1,2}.txt, each appends "i $VAR" to ledger.txt (VAR: the
#                           executor's job-id variable), then sleeps S seconds (to kill flow and adopt)
#   flaky_workflow          one job that fails on its first attempt and succeeds on its second

failing_workflow() {
    cat > Snakefile <<EOF
rule all:
    input: "a.txt", "b.txt", "c.txt"

rule bad:
    output: "a.txt"
    priority: 10
    shell: "echo partial > {output}; exit 3"

rule slow:
    output: "b.txt"
    priority: 10
    shell: "sleep $1; echo ok > {output}"

rule independent:
    output: "c.txt"
    shell: "echo ok > {output}"
EOF
}

sleepers_workflow() {
    cat > Snakefile <<'EOF'
rule all:
    input: expand("out/{i}.txt", i=range(3))

rule wait:
    output: "out/{i}.txt"
    shell: "echo start > {output}; sleep 60; echo done >> {output}"
EOF
}

ledger_workflow() {
    cat > Snakefile <<EOF
rule all:
    input: expand("out/{i}.txt", i=range(3))

rule wait:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} \$$1 >> ledger.txt; sleep $2; echo done > {output}"
EOF
}

flaky_workflow() {
    cat > Snakefile <<'EOF'
rule flaky:
    output: "flaky.txt"
    shell: "n=$(cat attempts 2>/dev/null || echo 0); n=$((n + 1)); echo $n > attempts; if [ $n -lt 2 ]; then exit 1; fi; echo ok > {output}"
EOF
}
