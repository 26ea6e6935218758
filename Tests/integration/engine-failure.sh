#!/usr/bin/env bash
# Tests/integration/engine-failure.sh: what `flow run` does when a job fails.
#   1. without -k: exit status 1, an "Error in rule" block with the job's exit status, the failed job's partial
#      output removed, the job that was running alongside still finishes, no new job starts, dependents never run;
#   2. with -k: the same failure, but independent jobs still run (dependents of the failed job do not); exit 1;
#   3. --retries 2 with a job failing on attempts 1 and 2 and succeeding on 3 (a counter file): success, 3
#      attempts; --retries 1 is not enough (exit 1, 2 attempts, no output); the rule's own `retries:` works too;
#   4. a job killed by a signal: exit status 137 and the signal's name in the error block.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
tmp="$(mktemp -d)"
trap 'if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi' EXIT

source "$ROOT/Tests/integration/lib/checks.bash"
# The "Error in rule NAME:" block of a log (up to the next blank line or timestamp).

# bad fails after writing a partial output; slow runs alongside (both have top priority); c and d are independent
# jobs that can only start once a core is free; after_bad needs bad's output.
write_failing_workflow() {
    cat > Snakefile <<'EOF'
rule all:
    input: "a.txt", "b.txt", "c.txt", "d.txt", "after_bad.txt"

rule bad:
    output: "a.txt"
    priority: 10
    shell: "echo partial > {output}; sleep 0.5; exit 3"

rule slow:
    output: "b.txt"
    priority: 10
    shell: "sleep 2; echo ok > {output}"

rule independent:
    output: "{name}.txt"
    wildcard_constraints: name="c|d"
    shell: "echo ok > {output}"

rule after_bad:
    input: "a.txt"
    output: "after_bad.txt"
    shell: "cp {input} {output}"
EOF
}

# ---- 1. without -k
mkdir "$tmp/stop" && cd "$tmp/stop"
write_failing_workflow
rc=0; "$FLOW_BIN" run --cores 2 > run.log 2>&1 || rc=$?
check "a failing job makes flow exit 1 (got $rc)" [ "$rc" = 1 ]
block="$(error_block run.log bad)"
check "an 'Error in rule bad:' block is printed" [ -n "$block" ]
check "it gives the exit status 3" grep -q '^    exit status: 3$' <<<"$block"
check "it names the output a.txt" grep -q '^    output: a.txt$' <<<"$block"
check "it shows the shell command" grep -q 'exit 3' <<<"$block"
check "the failed job's partial output a.txt is removed" [ ! -e a.txt ]
check "flow says it removes the failed job's outputs" grep -q 'Removing output files of failed job bad' run.log
check "the job running alongside (slow) finished: b.txt written" [ "$(cat b.txt 2>/dev/null)" = ok ]
check "no new job started after the failure (no c.txt, d.txt)" [ ! -e c.txt -a ! -e d.txt ]
same "bad|
slow|" "$(jobs_in run.log)" "only bad and slow were started"
check "the dependent job never ran" [ ! -e after_bad.txt ]
check "flow points to the error messages" grep -q 'Exiting because a job execution failed' run.log
rc=0; "$FLOW_BIN" run -n --cores 2 > dry.log 2>&1 || rc=$?
check "afterwards no output is reported incomplete (dry run exit $rc)" [ "$rc" = 0 ]
check "slow's output is recorded as done (not re-planned)" ! grep -q '^rule slow:' dry.log

# ---- 2. with -k
mkdir "$tmp/keep" && cd "$tmp/keep"
write_failing_workflow
rc=0; "$FLOW_BIN" run --cores 2 -k > run.log 2>&1 || rc=$?
check "-k: exit status still 1 (got $rc)" [ "$rc" = 1 ]
check "-k: 'Error in rule bad:' with exit status 3" grep -q '^    exit status: 3$' <<<"$(error_block run.log bad)"
check "-k: a.txt removed" [ ! -e a.txt ]
check "-k: independent jobs still ran (b.txt, c.txt, d.txt)" [ -s b.txt -a -s c.txt -a -s d.txt ]
check "-k: the job depending on the failed one did not run" [ ! -e after_bad.txt ]
same "bad|
slow|
independent|name=c
independent|name=d" "$(jobs_in run.log)" "-k: exactly bad, slow, c and d were started"

# ---- 3. retries
counter_workflow() {  # counter_workflow [RETRIES_DIRECTIVE]
    cat > Snakefile <<EOF
rule flaky:
    output: "flaky.txt"
    $1
    shell: "n=\$(cat attempts 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n > attempts; if [ \$n -lt 3 ]; then exit 1; fi; echo ok > {output}"
EOF
}
mkdir "$tmp/retries2" && cd "$tmp/retries2"
counter_workflow ""
rc=0; "$FLOW_BIN" run --cores 1 --retries 2 > run.log 2>&1 || rc=$?
check "--retries 2: a job failing twice then succeeding makes the run succeed (exit $rc)" [ "$rc" = 0 ]
check "--retries 2: three attempts ran" [ "$(cat attempts)" = 3 ]
check "--retries 2: output written" [ "$(cat flaky.txt 2>/dev/null)" = ok ]
check "--retries 2: two restarts announced" [ "$(grep -c '^Trying to restart job' run.log)" = 2 ]
check "--retries 2: Complete" grep -q '^Complete\.' run.log

mkdir "$tmp/retries1" && cd "$tmp/retries1"
counter_workflow ""
rc=0; "$FLOW_BIN" run --cores 1 --retries 1 > run.log 2>&1 || rc=$?
check "--retries 1: not enough (exit 1, got $rc)" [ "$rc" = 1 ]
check "--retries 1: two attempts ran" [ "$(cat attempts)" = 2 ]
check "--retries 1: no output" [ ! -e flaky.txt ]

mkdir "$tmp/rule-retries" && cd "$tmp/rule-retries"
counter_workflow "retries: 2"
rc=0; "$FLOW_BIN" run --cores 1 > run.log 2>&1 || rc=$?
check "rule 'retries: 2' without --retries succeeds on attempt 3 (exit $rc)" [ "$rc" = 0 -a "$(cat attempts)" = 3 ]

# ---- 4. a job killed by a signal: the error says so (Snakemake: "died with <Signals.SIGKILL: 9>")
mkdir "$tmp/signal" && cd "$tmp/signal"
cat > Snakefile <<'EOF'
rule killed:
    output: "killed.txt"
    shell: "echo partial > {output}; kill -9 $$"
EOF
rc=0; "$FLOW_BIN" run --cores 1 > run.log 2>&1 || rc=$?
block="$(error_block run.log killed)"
check "job killed by SIGKILL: exit 1 (got $rc), output removed" [ "$rc" = 1 -a ! -e killed.txt ]
check "job killed by SIGKILL: exit status 137 reported" grep -q '^    exit status: 137$' <<<"$block"
check "job killed by SIGKILL: the error names the signal (not just 'non-zero exit code')" grep -q 'SIGKILL' <<<"$block"

if [[ "$failures" -gt 0 ]]; then
    echo "engine-failure: $failures check(s) FAILED (FLOW_TEST_KEEP=1 keeps the logs)"
    exit 1
fi
echo "engine-failure: all checks passed"
