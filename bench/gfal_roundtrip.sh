#!/usr/bin/env bash
# gfal round trip: uploads an N MB (default 200) random file to the WebDAV test bed over davs:// with
# flow's gfal adapter (flow-storage-bench under /usr/bin/time -v), downloads it back, checks the
# sha256, and prints peak RSS and throughput, next to baselines that run here: gfal-copy (gfal2's
# CLI) and curl (PUT/GET with an empty Expect:) against the same server. Goal: peak RSS under 60 MB.
#
# Usage: bench/gfal_roundtrip.sh [megabytes]   (BIN=path/to/flow-storage-bench to skip the build;
#        CONFIG=release for a release build, default debug)
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-200}"
export PATH="/opt/swift/usr/bin:$PATH" GFAL_PYTHONBIN=/usr/bin/python3 TZ=UTC
if [[ -z "${BIN:-}" ]]; then
    swift build -c "${CONFIG:-debug}" --product flow-storage-bench >&2
    BIN="$(swift build -c "${CONFIG:-debug}" --show-bin-path)/flow-storage-bench"
fi
WORK="$(mktemp -d)"
trap 'scripts/testbeds/webdav.sh stop "$WORK/server"; rm -rf "$WORK"' EXIT
scripts/testbeds/webdav.sh start "$WORK/server" >/dev/null
export X509_CERT_DIR="$WORK/server/certs"
DAVS="$(cat "$WORK/server/endpoint-davs")"
HTTPS="https://${DAVS#davs://}"
head -c "$((MB * 1024 * 1024))" /dev/urandom >"$WORK/big"
sum="$(sha256sum <"$WORK/big" | cut -d' ' -f1)"

source "bench/lib.sh"

echo "gfal round trip of $MB MB over davs:// (wsgidav + cheroot on 127.0.0.1, TLS)"
timed "flow store (upload)" "$BIN" store "$WORK/big" "$DAVS/bench/big"
timed "flow retrieve (download)" "$BIN" retrieve "$DAVS/bench/big" "$WORK/back"
[[ "$(sha256sum <"$WORK/back" | cut -d' ' -f1)" == "$sum" ]] && echo "sha256 matches" || { echo "sha256 MISMATCH"; exit 1; }
rm -f "$WORK/back"
if command -v gfal-copy >/dev/null; then
    timed "gfal-copy upload" gfal-copy -f "file://$WORK/big" "$DAVS/bench/big2"
    timed "gfal-copy download" gfal-copy -f "$DAVS/bench/big2" "file://$WORK/back2"
    rm -f "$WORK/back2"
fi
timed "curl PUT" curl -sf --cacert "$WORK/server/ca.pem" -H 'Expect:' -T "$WORK/big" "$HTTPS/bench/big3"
timed "curl GET" curl -sf --cacert "$WORK/server/ca.pem" -o "$WORK/back3" "$HTTPS/bench/big3"
