#!/usr/bin/env bash
# Tests/integration/storage-language.sh: the Snakefile's storage language through the `flow` binary.
#   1. `storage("davs://...")` in a rule, on a host that does not exist: `flow run -n` exits 1 and the first
#      line of its error names the URL and gfal's reason;
#   2. an unknown scheme in `storage(...)` lists the known schemes;
#   3. --default-storage-provider/--default-storage-prefix (and the same keys in a profile): a prefix whose scheme
#      cannot be served is an error naming the flag; `--default-storage-provider none` leaves paths alone.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
tmp="$(mktemp -d)"
trap 'if [[ "${FLOW_TEST_KEEP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi' EXIT
source "$ROOT/Tests/integration/lib/checks.bash"
cd "$tmp"

cat > Snakefile <<'EOF'
SAMPLES = ["a"]

rule all:
    input: storage("davs://host/x.txt")
EOF
status=0
"$FLOW_BIN" run -n > out.log 2> err.log || status=$?
check "davs:// query on a missing host fails the dry run" test "$status" = 1
first="$(head -n 1 err.log)"
check "the error names the URL and the reason: $first" grep -q "^cannot stat davs://host/x.txt: .*resolution failed" <<<"$first"

cat > Snakefile <<'EOF'
rule all:
    input: storage("s4://bucket/{x}.txt")
EOF
status=0
"$FLOW_BIN" run -n > out.log 2> err.log || status=$?
check "an unknown scheme fails" test "$status" = 1
check "the unknown scheme error lists the known schemes" grep -q "^$tmp/Snakefile:2:.*unknown storage scheme 's4://'.*(known: .*gs://" err.log

cat > Snakefile <<'EOF'
rule all:
    output: "x.txt"
    shell: "touch {output}"
EOF
status=0
"$FLOW_BIN" run -n --default-storage-provider gcs --default-storage-prefix s4://bkt/run1 > out.log 2> err.log || status=$?
check "an unservable --default-storage-prefix fails" test "$status" = 1
check "its error names the flag" grep -q "^--default-storage-prefix s4://bkt/run1: unknown storage scheme 's4://'" err.log

mkdir -p profile
printf 'default-storage-provider: gfal\ndefault-storage-prefix: root://host/run1\n' > profile/config.yaml
status=0
"$FLOW_BIN" run -n --profile profile > out.log 2> err.log || status=$?
check "profile keys set the default storage (root://host does not answer)" \
    grep -q "^cannot stat root://host/run1/x.txt: " err.log

check "--default-storage-provider none leaves paths alone" "$FLOW_BIN" run -n --default-storage-provider none -q
[[ $failures == 0 ]]
