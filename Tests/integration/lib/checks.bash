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
# jobs_in LOG: the jobs a flow log lists, one "rule|wildcards" per line (dry run and real run alike).
jobs_in() {
    awk '/^(local)?(rule|checkpoint) [^ ]+:$/ { if (r != "") print r "|" w; r = substr($2, 1, length($2) - 1); w = ""; next }
         /^    wildcards: / { w = substr($0, 16) }
         END { if (r != "") print r "|" w }' "$1" | sort -u
}
# error_block LOG RULE: the "Error in rule RULE:" block of a flow log.
error_block() { awk -v rule="$2" '$0 == "Error in rule " rule ":" { on = 1 } on && /^\[/ { exit } on { print } on && /^$/ { exit }' "$1"; }
