#!/usr/bin/env bash
# scripts/conformance.sh: run Snakemake's own test cases against `flow run` (shared/conformance).
#
# Usage: scripts/conformance.sh [--flow PATH] [--only CASES] [--jobs N] [--report FILE] [--min-pass N] [--keep failed]
#   --flow PATH     flow binary (default: .build/release/flow; $FLOW also works)
#   --only CASES    comma-separated case names or globs instead of the whole target list
#   --jobs N        cases in parallel (default 2)
#   --report FILE   JSON report (default: $CONFORMANCE_SCRATCH/report.json)
#   --min-pass N    exit 1 when fewer than N cases pass (default 0: the run only measures)
#   --keep WHICH    keep work folders: none|failed|all (default none)
# Environment: CONFORMANCE_DIR (default: ../shared/conformance beside the repository), RUN_CASES (its run_cases.py),
#   CONFORMANCE_SCRATCH (default /tmp/flow-conformance; Snakemake's tests are unpacked into it, never into the repo).
# Snakemake's tests come from the local mirror of its repository when there is one
# (/work/.mirror/snakemake+snakemake/repo, `git archive HEAD tests`), else from a shallow clone of
# github.com/snakemake/snakemake at cases.json's repo_commit when that commit can be fetched.
# The target list is passing-with-snakemake.txt (237 cases that pass with Snakemake 9.27.1). The nested cases
# (a rule calling snakemake) need .venv-snakemake (scripts/setup.sh --with-snakemake); without it they fail.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLOW="${FLOW:-$FLOW_ROOT/.build/release/flow}"
CONFORMANCE_DIR="${CONFORMANCE_DIR:-$(cd "$FLOW_ROOT/.." && pwd)/shared/conformance}"
RUN_CASES="${RUN_CASES:-$CONFORMANCE_DIR/run_cases.py}"
SCRATCH="${CONFORMANCE_SCRATCH:-/tmp/flow-conformance}"
MIRROR="${SNAKEMAKE_MIRROR:-/work/.mirror/snakemake+snakemake/repo}"
jobs=2
only=""
report=""
min_pass=0
keep=none
while [[ $# -gt 0 ]]; do
    case "$1" in
        --flow) FLOW="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --report) report="$2"; shift 2 ;;
        --min-pass) min_pass="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) log "unknown argument: $1"; exit 2 ;;
    esac
done
report="${report:-$SCRATCH/report.json}"

[[ -f "$RUN_CASES" ]] || { log "no run_cases.py at $RUN_CASES (set CONFORMANCE_DIR or RUN_CASES)"; exit 1; }
[[ -x "$FLOW" ]] || { log "no flow binary at $FLOW: run scripts/setup.sh (or pass --flow)"; exit 1; }
cases_dir="$(dirname "$RUN_CASES")"
commit="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("repo_commit", ""))' "$cases_dir/cases.json")"

# 1. Snakemake's tests, unpacked once per commit into $SCRATCH/tests.
mkdir -p "$SCRATCH"
stamp="$SCRATCH/tests.commit"
if [[ -d "$SCRATCH/tests" && -f "$stamp" ]]; then
    log "using Snakemake tests in $SCRATCH/tests ($(cat "$stamp"))"
else
    rm -rf "$SCRATCH/tests" "$stamp"
    if git -C "$MIRROR" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        got="$(git -C "$MIRROR" rev-parse HEAD)"
        log "extracting tests/ from the mirror $MIRROR ($got)"
        git -C "$MIRROR" archive HEAD tests | tar -x -C "$SCRATCH"
    else
        clone="$SCRATCH/snakemake-src"
        rm -rf "$clone"
        log "cloning github.com/snakemake/snakemake (shallow)"
        # GIT_CONFIG_NOSYSTEM: this machine's /etc/gitconfig redirects github.com to local package copies.
        if ! GIT_CONFIG_NOSYSTEM=1 git clone -q --depth 1 https://github.com/snakemake/snakemake "$clone"; then
            log "cannot clone Snakemake's repository, and there is no mirror at $MIRROR (set SNAKEMAKE_MIRROR)"
            exit 1
        fi
        if [[ -n "$commit" ]] && GIT_CONFIG_NOSYSTEM=1 git -C "$clone" fetch -q --depth 1 origin "$commit" 2>/dev/null; then
            git -C "$clone" checkout -q "$commit"
        else
            log "warning: commit $commit not reachable; using the default branch's head"
        fi
        got="$(git -C "$clone" rev-parse HEAD)"
        git -C "$clone" archive HEAD tests | tar -x -C "$SCRATCH"
        rm -rf "$clone"
    fi
    [[ "$got" == "$commit"* ]] || log "warning: tests are from $got, cases.json was made from $commit"
    echo "$got" >"$stamp"
fi

# 2. Run the cases.
args=(--engine "$FLOW run" --tests-dir "$SCRATCH/tests" --jobs "$jobs" --report "$report" --keep "$keep"
      --work-root "$SCRATCH")
if [[ -n "$only" ]]; then
    args+=(--only "$only")
else
    args+=(--only-file "$cases_dir/passing-with-snakemake.txt")
fi
if [[ -x "$SNAKEMAKE_VENV/bin/snakemake" ]]; then
    args+=(--path-prepend "$SNAKEMAKE_VENV/bin")
else
    log "no $SNAKEMAKE_VENV: the cases that call snakemake inside a rule will fail (scripts/setup.sh --with-snakemake)"
fi
log "python3 $RUN_CASES ${args[*]}"
python3 "$RUN_CASES" "${args[@]}"
log "report: $report"

passed="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["passed"])' "$report")"
if (( passed < min_pass )); then
    log "only $passed cases passed, fewer than --min-pass $min_pass"
    exit 1
fi
