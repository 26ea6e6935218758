#!/usr/bin/env bash
# Streaming memory benchmark for FlowHTTP: downloads N MB (default 200) from the fault server to a
# file and uploads it back with flow-http-bench under /usr/bin/time -v, then prints the peak RSS.
# The goal is a peak RSS under 60 MB whatever N is: bodies are streamed, never held in memory.
#
# Usage: bench/http_stream.sh [megabytes]      (BIN=path/to/flow-http-bench to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-200}"
export PATH="/opt/swift/usr/bin:$PATH"

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (Debian package 'time')" >&2
    apt-get install -y time >/dev/null
fi
if [[ -z "${BIN:-}" ]]; then
    swift build -c release --product flow-http-bench >&2
    BIN="$(swift build -c release --show-bin-path)/flow-http-bench"
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

: > "$WORK/server.out"
python3 scripts/testservers/fault_server.py > "$WORK/server.out" 2>/dev/null &
SERVER_PID=$!
for _ in $(seq 100); do grep -q '^PORT ' "$WORK/server.out" && break; sleep 0.1; done
PORT="$(awk '/^PORT /{print $2}' "$WORK/server.out")"
[[ -n "$PORT" ]] || { echo "fault server did not start" >&2; exit 1; }

/usr/bin/time -v "$BIN" "http://127.0.0.1:$PORT" "$MB" "$WORK" 2> "$WORK/time.txt"
RSS_KB="$(awk -F': ' '/Maximum resident set size/{print $2}' "$WORK/time.txt")"
echo "peak RSS for $MB MB down + up: $((RSS_KB / 1024)) MB ($RSS_KB kB); goal: under 60 MB"
