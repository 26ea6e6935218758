#!/usr/bin/env bash
# Tests/integration/views-report.sh: `flow run --report report.html` on the tutorial workflow (workflows/tutorial),
# opened in a real headless browser (Debian's chromium, installed by scripts/setup.sh --with-testbeds).
#   1. The file is self-contained: no reference to anything outside it (no http(s) src/href, no <link>, no @import),
#      and the browser, with every host name unresolvable, logs nothing to its console (a script error, a failed
#      load would show there) and runs the report's script (it marks <body> with the number of timeline bars).
#   2. The DOM has the rule graph (a node per rule of the tutorial, with its job count), a timeline bar per job
#      recorded in .flow/state.db, per-rule runtimes, the plot marked report(...) embedded as an image under its
#      category with its caption, and the config.
#   3. A screenshot shows the rule colours of the graph and the timeline (pixels counted in the PNG).
#   4. A job without outputs that runs a command has its bar too (from the run history).
# Skipped (77) only when chromium is not installed.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$CHROMIUM" ]]; then echo "SKIP: chromium is not installed (scripts/setup.sh --with-testbeds installs it)"; exit 77; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
source "$ROOT/Tests/integration/lib/checks.bash"
cp -r "$ROOT/workflows/tutorial/Snakefile" "$ROOT/workflows/tutorial/config.yaml" "$ROOT/workflows/tutorial/scripts" \
    "$ROOT/workflows/tutorial/report" "$tmp/"
python3 "$ROOT/data/generate_tutorial_data.py" --out "$tmp/data" >/dev/null
cd "$tmp"
"$FLOW_BIN" run --cores 2 >run.log 2>&1 || { cat run.log; echo "FAIL: the tutorial did not run"; exit 1; }
"$FLOW_BIN" run --report report.html >report.log 2>&1 || { cat report.log; echo "FAIL: --report failed"; exit 1; }
check "the report is written" test -s report.html
check "no reference outside the file" ! grep -qiE '(src|href)="(https?:)?//|<link|@import|url\((https?:)?//' report.html

browser() {  # browser ARGS...: chromium headless, no network (every host unresolvable), its log on stderr
    timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox --user-data-dir="$tmp/profile" \
        --host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 "$@"
}
browser --dump-dom "file://$tmp/report.html" >dom.html 2>browser.log
check "the page loads with nothing on the console (no script error, no failed load)" ! grep -q "CONSOLE" browser.log
grep "CONSOLE" browser.log | head -5 || true
jobs_recorded="$(python3 - <<'PY'
import sqlite3
db = sqlite3.connect("file:.flow/state.db?mode=ro", uri=True)
print(db.execute("SELECT count(DISTINCT job_id) FROM outputs").fetchone()[0])
PY
)"
check "the report's script ran and counted a timeline bar per recorded job ($jobs_recorded)" \
    grep -q "<body data-report-ready=\"$jobs_recorded\"" dom.html
count_in() { grep -o "$1" dom.html | wc -l; }
rules="$(grep -cE '^rule [a-z_]+:' Snakefile)"
check "the rule graph has a node per rule ($rules)" test "$(count_in '<g class="node"')" = "$rules"
check "the rule graph shows job counts (3 bwa_map jobs)" grep -q 'bwa_map</text><text[^>]*>3 jobs</text>' dom.html
check "the rule graph has the edges of the tutorial's chain" test "$(count_in '<path class="edge"')" -ge 6
check "the timeline has a bar per recorded job" test "$(count_in '<rect class="job"')" = "$jobs_recorded"
check "runtimes per rule" grep -q '<td>samtools_sort</td><td data-value="3">3</td>' dom.html
check "the report() plot is embedded as an image" grep -q 'src="data:image/svg+xml;base64,' dom.html
check "under its category" grep -q '<h3>Variant calling</h3>' dom.html
check "with its caption (report/quals.rst)" grep -q "Histogram of the quality scores" dom.html
check "the config" grep -q '"genome": "data/genome.fa"' dom.html

browser --screenshot="$tmp/shot.png" --window-size=1280,1400 "file://$tmp/report.html" >/dev/null 2>>browser.log
check "a screenshot is taken" test -s shot.png
# The rule colours (as the report assigns them: hue = index/rules) in the picture: graph borders and timeline bars.
colors=()
for ((i = 0; i < rules; i++)); do colors+=("hsl($((i * 360 / rules)),60%,50%)"); done
counts="$(python3 "$ROOT/Tests/integration/lib/png_colors.py" shot.png "${colors[@]}")"
shown=0
while read -r n; do [[ "$n" -ge 150 ]] && shown=$((shown + 1)); done <<<"$counts"
# "all" has no recorded job (no outputs): its colour shows only in the graph and legend.
check "the screenshot shows every rule's colour (graph, timeline): $(tr '\n' ' ' <<<"$counts")" test "$shown" -ge "$((rules - 1))"
if [[ -n "${FLOW_TEST_KEEP_SCREENSHOT:-}" ]]; then cp shot.png "$FLOW_TEST_KEEP_SCREENSHOT"; fi

# A job without outputs that runs something leaves no file record: its bar comes from the run history. A target
# rule with nothing to run (the tutorial's `all`) has none.
mkdir -p "$tmp/noout" && cd "$tmp/noout"
cat > Snakefile <<'SNAKE'
rule all:
    input: "a.txt"
    shell: "echo all-done"
rule a:
    output: "a.txt"
    shell: "echo a > {output}"
SNAKE
"$FLOW_BIN" run --cores 1 >run.log 2>&1 || { cat run.log; echo "FAIL: the no-output workflow did not run"; exit 1; }
"$FLOW_BIN" run --report report.html >report.log 2>&1 || { cat report.log; echo "FAIL: --report failed"; exit 1; }
check "a timeline bar for the job without outputs (rule all ran a command) and for rule a" \
    test "$(grep -o '<rect class="job" data-rule="[a-z]*"' report.html | sort | tr '\n' ' ')" = '<rect class="job" data-rule="a" <rect class="job" data-rule="all" '
[[ $failures == 0 ]] || { echo "$failures check(s) failed"; exit 1; }
echo "report in a headless browser: ok"
