#!/usr/bin/env bash
# Tests/integration/pandas-sheets.sh: a Snakefile in the style of the published RNA-seq workflows
# (Tests/integration/pandas-sheets/Snakefile) that reads its sample and unit sheets with pandas through the
# CPython bridge: `pd.read_csv(..., sep="\t", dtype=...)`, `.set_index([...], drop=False)` with a two-level
# index, `units.loc[(sample, unit), "fq1"]`, `.dropna()`, `.isnull()`/`~`/`.all()`, a unit with no fq2, input
# functions returning a Series, a Series and an Index given to expand(), `"|".join(samples.index)`, and
# `snakemake.utils.validate` of the config and the sheet (jsonschema through the bridge) writing defaults back,
# and `lookup(query=..., within=df)` (cols, is_nrows, default, a namespace, wildcards in an input).
#   1. `flow run -n` plans exactly the expected jobs per rule, with each job's inputs taken from the sheets;
#   2. a real run builds every output from the right reads;
#   3. an input function indexing a missing column: KeyError with the Snakefile's file:line and a Python traceback;
#   4. FLOW_PYTHON naming no Python: a one-line error that says to set FLOW_PYTHON.
# Skips (77) when no python3 with pandas and a shared libpython is found (FLOW_PYTHON, python3, /usr/bin/python3).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
has_pandas() {
    "$1" -c "import pandas, sysconfig, sys; sys.exit(0 if sysconfig.get_config_var('Py_ENABLE_SHARED') else 1)" 2>/dev/null
}
python=""
for candidate in "${FLOW_PYTHON:-}" python3 /usr/bin/python3; do
    if [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null && has_pandas "$candidate"; then
        python="$(command -v "$candidate")"; break
    fi
done
if [[ -z "$python" ]]; then echo "SKIP: no python3 with pandas and a shared libpython (set FLOW_PYTHON)"; exit 77; fi
export FLOW_PYTHON="$python"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cd "$tmp"
mkdir -p config reads ref
cp -r "$ROOT/Tests/integration/pandas-sheets/." .
cat > config/config.yaml <<'YAML'
samples: config/samples.tsv
units: config/units.tsv
ref:
  index: ref/genome.idx
YAML
printf 'sample_name\tcondition\nA\ttreated\nB\tuntreated\nC\ttreated\n' > config/samples.tsv
printf 'sample_name\tunit_name\tfq1\tfq2\tstrandedness\n%s\n%s\n%s\n%s\n' \
    $'A\t1\treads/A-1_R1.fq\treads/A-1_R2.fq\tnone' $'A\t2\treads/A-2_R1.fq\treads/A-2_R2.fq\tnone' \
    $'B\t1\treads/B-1_R1.fq\treads/B-1_R2.fq\t' $'C\t1\treads/C-1.fq\t\t' > config/units.tsv
for f in A-1_R1 A-1_R2 A-2_R1 A-2_R2 B-1_R1 B-1_R2 C-1; do echo "$f" > "reads/$f.fq"; done
echo idx > ref/genome.idx

# 1. The plan: jobs per rule, and inputs from the sheets.
"$FLOW_BIN" run -n > plan.txt 2>&1 || { cat plan.txt; fail "dry run failed"; }
# The last job-stats table (the dry run prints one before and one after the jobs).
stats="$(awk '/^job  *count/ {s = ""; on = 1; next} on && /^-/ {next} on && NF == 2 {s = s $1 "=" $2 " "} /^total/ {on = 0} END {print s}' plan.txt)"
[[ "$stats" == "align=4 all=1 count=3 deseq2=1 trim_pe=3 trim_se=1 total=13 " ]] || { cat plan.txt; fail "job counts: $stats"; }
grep -q "^defaults: 2 GRCh38 \['batch1', 'batch1', 'batch1'\]$" plan.txt || { cat plan.txt; fail "validate() wrote no defaults"; }
grep -q "input: reads/C-1.fq$" plan.txt || fail "trim_se of C does not read reads/C-1.fq (a lookup() over the wildcards)"
grep -q "^lookup: \['A', 'C'\] True True reads/C-1.fq none GRCh38$" plan.txt || { cat plan.txt; fail "lookup() results"; }
grep -q "input: reads/A-2_R1.fq, reads/A-2_R2.fq$" plan.txt || fail "trim_pe of A/2 does not read both mates"
grep -q "input: trimmed/C_1_single.fq, ref/genome.idx$" plan.txt || fail "align of C is not single-end"
grep -q "input: star/A_1.bam, star/A_2.bam$" plan.txt || fail "count of A does not gather both units"
echo "ok: dry run plans 13 jobs from the pandas sheets"

# 2. A real run.
"$FLOW_BIN" run -c 2 -q > run.txt 2>&1 || { cat run.txt; fail "run failed"; }
[[ "$(cat counts/A.tsv | tr '\n' ' ')" == "A-1_R1 A-1_R2 A-2_R1 A-2_R2 " ]] || fail "counts/A.tsv: $(cat counts/A.tsv)"
[[ "$(cat counts/C.tsv)" == "C-1" ]] || fail "counts/C.tsv: $(cat counts/C.tsv)"
"$FLOW_BIN" run -n > again.txt 2>&1 || fail "second dry run failed"
grep -q "Nothing to be done" again.txt || { cat again.txt; fail "second run is not up to date"; }
echo "ok: the run builds every output from the right reads"

# 3. A Python exception inside an input function (at DAG time, so with no outputs left to reuse).
rm -rf trimmed star counts deseq2 .flow
sed -i 's/\["fq1", "fq2"\]\]\.dropna()/["fq1", "no_such_column"]].dropna()/' Snakefile
line="$(grep -n 'no_such_column' Snakefile | cut -d: -f1)"
[[ -n "$line" ]] || fail "could not plant the error"
if "$FLOW_BIN" run -n > err.txt 2>&1; then cat err.txt; fail "a missing column did not fail"; fi
grep -q "InputFunctionException in rule trim_pe" err.txt || { cat err.txt; fail "no InputFunctionException"; }
grep -q "KeyError: \"\['no_such_column'\] not in index\"" err.txt || { cat err.txt; fail "no KeyError from pandas"; }
grep -q "Snakefile\", line $line\$" err.txt || { cat err.txt; fail "the error does not name Snakefile line $line"; }
grep -q "Python traceback" err.txt || { cat err.txt; fail "no Python traceback"; }
echo "ok: a KeyError from pandas in an input function names Snakefile line $line"

# 4. No Python.
if FLOW_PYTHON=/nonexistent/python3 "$FLOW_BIN" run -n > nopy.txt 2>&1; then fail "ran without a Python"; fi
grep -q "set FLOW_PYTHON" nopy.txt || { cat nopy.txt; fail "the error does not say how to point flow at a Python"; }
echo "ok: without a Python the error says to set FLOW_PYTHON"
echo "pandas-sheets: 4 passed, 0 failed"
