#!/usr/bin/env bash
# Tests/integration/compare-dryrun.sh: scripts/compare_dryrun.py on a workflow laid out as the published ones
# (workflow/Snakefile, .test/config/config.yaml, .test/<name>/config.yaml, a module-style .test/<name>/workflow/),
# kept in a bare git repository as the fetched mirrors are:
#   1. every configuration is found and both tools plan the same jobs (scatter/gather, a log read by another
#      rule, a trailing slash, a checkpoint read by the target rule);
#   2. a configuration with a Snakefile error is reported as failing in both, with the error.
# Needs Snakemake 9.27.1 (.venv-snakemake-sheets or .venv-snakemake; SNAKEMAKE=... overrides); skips (77) without.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
snakemake="${SNAKEMAKE:-}"
for candidate in "$ROOT/.venv-snakemake-sheets/bin/snakemake" "$ROOT/.venv-snakemake/bin/snakemake"; do
    [[ -z "$snakemake" && -x "$candidate" ]] && snakemake="$candidate"
done
if [[ -z "$snakemake" ]]; then echo "SKIP: no Snakemake (scripts/setup.sh --with-snakemake)"; exit 77; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

src="$tmp/src"
mkdir -p "$src/workflow" "$src/.test/config" "$src/.test/big" "$src/.test/broken" "$src/.test/data"
cat > "$src/workflow/Snakefile" <<'EOF'
configfile: "config/config.yaml"

scattergather:
    split=3


def after_count(wildcards):
    with open(checkpoints.count.get().output[0]) as f:
        return ["summary.txt"] + [f"extra/{line.strip()}.txt" for line in f]


rule all:
    input:
        "report/",
        after_count,


rule part:
    output:
        scatter.split("parts/{scatteritem}.txt"),
    log:
        "logs/part.log",
    shell:
        "touch {output} {log}"


rule summary:
    input:
        gather.split("parts/{scatteritem}.txt"),
        "logs/part.log",
        expand("data/{s}.txt", s=config["samples"]),
    output:
        "summary.txt",
    shell:
        "cat {input} > {output}"


rule report:
    input:
        "summary.txt",
    output:
        directory("report/"),
    shell:
        "mkdir -p {output}"


checkpoint count:
    input:
        "summary.txt",
    output:
        "count.txt",
    shell:
        "echo a > {output}"


rule extra:
    output:
        "extra/{name}.txt",
    shell:
        "touch {output}"
EOF
printf 'samples: [a, b]\n' > "$src/.test/config/config.yaml"
printf 'samples: [a, b, c]\n' > "$src/.test/big/config.yaml"
mkdir -p "$src/.test/broken/workflow"
printf 'rule all:\n    input: undefined_name\n' > "$src/.test/broken/workflow/Snakefile"
for s in a b c; do echo "$s" > "$src/.test/data/$s.txt"; done
git -C "$src" init -q
git -C "$src" add -A
git -C "$src" -c user.name=t -c user.email=t@t commit -q -m workflow
mkdir -p "$tmp/mirrors/owner+workflow"
git clone -q --bare "$src" "$tmp/mirrors/owner+workflow/repo"

set +e
python3 "$ROOT/scripts/compare_dryrun.py" "$tmp/mirrors" --flow "$FLOW_BIN" --snakemake "$snakemake" \
    --scratch "$tmp/scratch" --json "$tmp/report.json" > "$tmp/out.txt" 2>&1
status=$?
set -e
cat "$tmp/out.txt"
[[ $status == 1 ]] || fail "exit status $status, expected 1 (one configuration fails in both)"

# 1. The two configurations plan the same jobs.
grep -q "^owner+workflow / config: same (5 jobs in Snakemake, 5 in flow)" "$tmp/out.txt" || fail "config"
grep -q "^owner+workflow / big: same (5 jobs in Snakemake, 5 in flow)" "$tmp/out.txt" || fail "big"
echo "ok: both configurations plan the same 5 jobs"

# 2. The broken one fails in both and says why.
grep -q "^owner+workflow / broken: both fail" "$tmp/out.txt" || fail "broken is not reported as failing in both"
python3 - "$tmp/report.json" <<'EOF'
import json, sys
cases = {c["case"]: c for c in json.load(open(sys.argv[1]))["owner+workflow"]}
assert set(cases) == {"config", "big", "broken"}, cases.keys()
assert "undefined_name" in cases["broken"]["errors"]["flow"], cases["broken"]["errors"]
assert "undefined_name" in cases["broken"]["errors"]["snakemake"], cases["broken"]["errors"]
assert cases["config"]["only_flow"] == [] and cases["config"]["only_snakemake"] == []
EOF
echo "ok: a broken configuration fails in both, with its error"
echo "compare-dryrun: 2 passed, 0 failed"
