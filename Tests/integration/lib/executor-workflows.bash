# Tests/integration/lib/executor-workflows.bash: the small workflows every remote executor's script runs
# (slurm-run.sh, flux-run.sh), written as ./Snakefile in the current folder, and the checks of a failing
# run (sourced after lib/checks.bash, not run).
#   failing_workflow SLOW   bad (exit 3, after writing partial output), slow (SLOW seconds, alongside it),
#                           independent (only with -k); bad and slow have priority so they start first
#   sleepers_workflow       three jobs out/{0,1,2}.txt that sleep 60 s (to interrupt)
#   ledger_workflow VAR S   three jobs out/{0,1,2}.txt, each appends "i $VAR" to ledger.txt (VAR: the
#                           executor's job-id variable), then sleeps S seconds (to kill flow and adopt)
#   flaky_workflow          one job that fails on its first attempt and succeeds on its second
#   check_failing_run, check_keep_going_run   what a run of failing_workflow must show (below)

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

# check_failing_run WHAT RC: checks (lib/checks.bash) of a run of failing_workflow without -k that exited
# RC, its log in ./run.log: bad's error with its exit status, its output removed, slow finished, nothing new.
check_failing_run() {
    local what="$1" rc="$2" block
    check "$what: exit 1 (got $rc)" [ "$rc" = 1 ]
    block="$(error_block run.log bad)"
    check "$what: 'Error in rule bad:' block" [ -n "$block" ]
    check "$what: exit status 3 reported" grep -q '^    exit status: 3$' <<<"$block"
    check "$what: its output a.txt removed" [ ! -e a.txt ]
    check "$what: the job running alongside finished (b.txt)" [ "$(cat b.txt 2>/dev/null)" = ok ]
    check "$what: no new job started (no c.txt)" [ ! -e c.txt ]
    same_text "bad|
slow|" "$(jobs_in run.log)" "$what: only bad and slow were submitted"
}

# check_keep_going_run WHAT RC: the same workflow run with -k: it still fails, but the independent job ran.
check_keep_going_run() {
    check "$1: exit 1 (got $2), a.txt removed" [ "$2" = 1 -a ! -e a.txt ]
    check "$1: independent jobs ran (b.txt, c.txt)" [ -s b.txt -a -s c.txt ]
}
