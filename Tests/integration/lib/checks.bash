# Tests/integration/lib/checks.bash: helpers shared by the integration scripts (sourced, not run:
# scripts/test.sh runs Tests/integration/*.sh only). Counts failures in $failures; each script exits
# non-zero when it is not 0.

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# check DESCRIPTION [!] COMMAND...: PASS when the command succeeds (fails, with "!").
check() {
    local what="$1" negate=0; shift
    if [[ "$1" == "!" ]]; then negate=1; shift; fi
    if "$@"; then [[ $negate == 0 ]]; else [[ $negate == 1 ]]; fi && pass "$what" || fail "$what"
}
# same EXPECTED ACTUAL DESCRIPTION: compare two newline-separated sets.
same() {
    if [[ "$(sort -u <<<"$1")" == "$(sort -u <<<"$2")" ]]; then pass "$3"
    else fail "$3"; diff <(sort -u <<<"$1") <(sort -u <<<"$2") | sed 's/^/    /' || true; fi
}
# same_text EXPECTED ACTUAL DESCRIPTION: compare two texts exactly (order and repeats count).
same_text() {
    if [[ "$1" == "$2" ]]; then pass "$3"
    else fail "$3"; diff <(echo "$1") <(echo "$2") | head -20 | sed 's/^/    /' || true; fi
}
# wait_for SECONDS COMMAND...: run COMMAND every 0.2 s until it succeeds; 1 when SECONDS pass first.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [[ $SECONDS -lt $deadline ]] || return 1; sleep 0.2; done
}
# section TITLE: a heading with the seconds since the script set T_START.
section() { echo "---- $* (at $((SECONDS - ${T_START:-0})) s)"; }
# jobs_in LOG: the jobs a flow log lists, one "rule|wildcards" per line (dry run and real run alike).
jobs_in() {
    awk '/^(local)?(rule|checkpoint) [^ ]+:$/ { if (r != "") print r "|" w; r = substr($2, 1, length($2) - 1); w = ""; next }
         /^    wildcards: / { w = substr($0, 16) }
         END { if (r != "") print r "|" w }' "$1" | sort -u
}
# error_block LOG RULE: the "Error in rule RULE:" block of a flow log.
error_block() { awk -v rule="$2" '$0 == "Error in rule " rule ":" { on = 1 } on && /^\[/ { exit } on { print } on && /^$/ { exit }' "$1"; }
