#!/usr/bin/env bash
# GCS round trip: uploads an N MB (default 200) random file to fake-gcs-server (the GCS emulator from
# PyPI, scripts/testbeds/fake-gcs.sh) with flow's gs:// adapter (flow-storage-bench under
# /usr/bin/time -v), downloads it back, checks the sha256, and prints peak RSS and throughput next to
# curl against the same server (one media upload, alt=media download). flow uploads objects above
# 8 MiB in a resumable session of 8 MiB chunks, CRC32C computed before and compared after.
# Goal: peak RSS under 60 MB whatever N is (bodies stream to and from files).
#
# Usage: bench/gcs_roundtrip.sh [megabytes]   (BIN=path/to/flow-storage-bench to skip the build;
#        CONFIG=release for a release build, default debug)
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-200}"
export PATH="/opt/swift/usr/bin:$PATH"
if [[ -z "${BIN:-}" ]]; then
    swift build -c "${CONFIG:-debug}" --product flow-storage-bench >&2
    BIN="$(swift build -c "${CONFIG:-debug}" --show-bin-path)/flow-storage-bench"
fi
WORK="$(mktemp -d)"
trap 'scripts/testbeds/fake-gcs.sh stop "$WORK/server"; rm -rf "$WORK"' EXIT
scripts/testbeds/fake-gcs.sh start "$WORK/server" >/dev/null
E="$(cat "$WORK/server/endpoint")"
export STORAGE_EMULATOR_HOST="$E"
curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"bench"}' "$E/storage/v1/b?project=test" >/dev/null
head -c "$((MB * 1024 * 1024))" /dev/urandom >"$WORK/big"
sum="$(sha256sum <"$WORK/big" | cut -d' ' -f1)"

source "bench/lib.sh"

echo "GCS round trip of $MB MB (fake-gcs-server on 127.0.0.1, HTTP)"
timed "flow store (upload)" "$BIN" store "$WORK/big" "gs://bench/big"
timed "flow retrieve (download)" "$BIN" retrieve "gs://bench/big" "$WORK/back"
[[ "$(sha256sum <"$WORK/back" | cut -d' ' -f1)" == "$sum" ]] && echo "sha256 matches" || { echo "sha256 MISMATCH"; exit 1; }
timed "curl upload (media)" curl -sf -X POST -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$WORK/big" \
    "$E/upload/storage/v1/b/bench/o?uploadType=media&name=big2"
timed "curl download (alt=media)" curl -sf -o "$WORK/back2" "$E/storage/v1/b/bench/o/big2?alt=media"
# The same resumable session flow uses (8 MiB chunks), by curl: what the emulator allows for it.
cat >"$WORK/resumable.sh" <<'EOF'
set -euo pipefail
file="$1" url="$2" chunk=$((8 << 20))
size="$(stat -c %s "$file")"
session="$(curl -sf -D - -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"name":"big3"}' "$url" | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')"
for ((off = 0; off < size; off += chunk)); do
    n=$(( size - off < chunk ? size - off : chunk )); total='*'
    (( off + n == size )) && total="$size"
    dd if="$file" bs=1048576 skip=$((off >> 20)) count=8 status=none |
        curl -sf -o /dev/null -X PUT -H 'Expect:' -H "Content-Range: bytes $off-$((off + n - 1))/$total" --data-binary @- "$session"
done
EOF
timed "curl upload (resumable)" bash "$WORK/resumable.sh" "$WORK/big" "$E/upload/storage/v1/b/bench/o?uploadType=resumable"
