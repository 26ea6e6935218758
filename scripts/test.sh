#!/usr/bin/env bash
# scripts/test.sh: set up and run flow's whole test suite (this is what .ci/run calls).
#
#   1. scripts/setup.sh --no-build            system packages (apt only when something is missing)
#   2. scripts/slurm-up.sh                    only if Tests/ has Slurm tests (or FLOW_TEST_SLURM=1); torn down on exit
#   3. swift build, swift test                every target, every test target
#   4. Tests/integration/*.sh, scripts/tests/*.sh   script-level integration tests, each must exit 0; at the end,
#      each failed script's FAIL lines and last lines are printed again (a CI log may keep only its tail)
#
# Environment given to the tests: FLOW_BIN (the debug flow binary just built), FLOW_ROOT,
# FLOW_TEST_SLURM=1 and SLURM_LAB when the Slurm test bed is up.
# Knobs: FLOW_TEST_SLURM=0|1 (skip or force the test bed), SWIFT_TEST_ARGS (extra `swift test` arguments).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$FLOW_ROOT"
T0="$(now)"

step() { printf '\n==== %s\n' "$*"; }

step "setup"
scripts/setup.sh --no-build --with-testbeds
ensure_swift

# The Slurm test bed is needed when some test talks to Slurm.
want_slurm="${FLOW_TEST_SLURM:-auto}"
own_slurm=0
if [[ "$want_slurm" == auto ]]; then
    want_slurm=0
    if grep -rlisE --exclude='*.md' 'sbatch|squeue|slurm' Tests/ >/dev/null 2>&1; then want_slurm=1; fi
fi
if [[ "$want_slurm" == 1 ]]; then
    step "Slurm test bed"
    export SLURM_LAB="${SLURM_LAB:-/tmp/flow-slurm-lab}"
    # A test bed that was already up (someone else's, on a developer machine) is used and left running.
    if [[ -s "$SLURM_LAB/slurmctld.pid" ]] && kill -0 "$(cat "$SLURM_LAB/slurmctld.pid")" 2>/dev/null; then
        log "the Slurm test bed in $SLURM_LAB is already up: using it, leaving it up afterwards"
        own_slurm=0
    else
        own_slurm=1
        trap 'scripts/slurm-down.sh || true' EXIT
    fi
    scripts/slurm-up.sh
    export FLOW_TEST_SLURM=1
else
    log "no Slurm tests found under Tests/; not starting the Slurm test bed"
    export FLOW_TEST_SLURM=0
fi

step "package structure"
python3 scripts/check_package_deps.py

step "swift build"
t="$(now)"
swift build
FLOW_BIN="$(swift build --show-bin-path)/flow"
export FLOW_BIN FLOW_ROOT
log "swift build: $(elapsed "$t") s"

step "swift test"
t="$(now)"
# shellcheck disable=SC2086
timeout 3600 swift test ${SWIFT_TEST_ARGS:-}
log "swift test: $(elapsed "$t") s"

step "integration tests"
shopt -s nullglob
passed=0
failed=0
skipped=0
failures=()
# Each script's output is also kept, so that the end of the run (all a CI log may show) repeats what failed.
out_dir="$(mktemp -d)"
for t_script in Tests/integration/*.sh scripts/tests/*.sh; do
    t="$(now)"
    printf -- '---- %s\n' "$t_script"
    rc=0
    timeout 900 bash "$t_script" 2>&1 | tee "$out_dir/$(basename "$t_script").out" || rc=${PIPESTATUS[0]}
    if [[ "$rc" == 0 ]]; then
        passed=$((passed + 1))
        printf -- '---- ok: %s (%s s)\n' "$t_script" "$(elapsed "$t")"
    elif [[ "$rc" == 77 ]]; then
        skipped=$((skipped + 1))
        printf -- '---- skipped: %s\n' "$t_script"
    else
        failed=$((failed + 1))
        failures+=("$t_script")
        printf -- '---- FAILED: %s (%s s)\n' "$t_script" "$(elapsed "$t")"
    fi
done
if [[ "$want_slurm" == 1 && "$own_slurm" == 1 ]]; then   # tear down now: the summary must be the last line
    step "Slurm test bed down"
    scripts/slurm-down.sh || true
    trap - EXIT
fi
for t_script in "${failures[@]}"; do
    out="$out_dir/$(basename "$t_script").out"
    step "again, what failed in $t_script: its FAIL lines, then its last 25 lines"
    grep -E '^(FAIL|ERROR)' "$out" | head -40 || true
    echo "...."
    tail -n 25 "$out"
done
rm -rf "$out_dir"
[[ "$failed" == 0 ]] || printf 'failed integration tests: %s\n' "${failures[*]}"
log "all steps: $(elapsed "$T0") s"
echo "integration: $passed passed, $failed failed, $skipped skipped"
[[ "$failed" == 0 ]]
