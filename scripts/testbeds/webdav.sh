#!/usr/bin/env bash
# scripts/testbeds/webdav.sh: a WebDAV server (wsgidav + cheroot, from the PyPI packages that
# scripts/setup.sh --with-testbeds installs) on 127.0.0.1, over HTTP and over HTTPS with a CA
# generated here by openssl, both serving DIR/data anonymously read-write, for the gfal adapter.
#
#   webdav.sh start DIR   start both servers on free ports; writes DIR/webdav-http.pid, DIR/webdav-https.pid,
#                         DIR/endpoint-dav (dav://127.0.0.1:P), DIR/endpoint-davs (davs://127.0.0.1:Q),
#                         DIR/certs (an X509_CERT_DIR holding the CA: export it for gfal) and DIR/ca.pem;
#                         prints both endpoints
#                         with WEBDAV_FAULT_RATE=R (0..1) also a fault-injecting proxy in front of the HTTP
#                         server (scripts/testservers/fault_proxy.py: 503s, resets, cut downloads, seeded by
#                         WEBDAV_FAULT_SEED, kinds WEBDAV_FAULTS): DIR/endpoint-faulty (dav://127.0.0.1:R), counts in DIR/faults.json;
#                         and a second one that speaks TLS (the test CA's certificate) to its clients and plain
#                         HTTP to the same server: DIR/endpoint-faulty-davs (davs://127.0.0.1:S), DIR/faults-davs.json
#   webdav.sh stop DIR    stop exactly the servers the pid files name
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# serve NAME PORT [CERT KEY]: one wsgidav in the background, its pid in DIR/webdav-NAME.pid.
serve() {
    local name="$1" port="$2" cert="${3:-}" key="${4:-}"
    {
        printf 'host: 127.0.0.1\nport: %s\nserver: cheroot\nverbose: 1\n' "$port"
        printf 'provider_mapping:\n  "/": "%s"\n' "$dir/data"
        printf 'http_authenticator:\n  domain_controller: null\n  accept_basic: false\n  accept_digest: false\n'
        printf 'simple_dc:\n  user_mapping:\n    "*": true\n'
        printf 'dir_browser:\n  enable: false\n'
        printf 'logging:\n  enable_loggers: []\n'
        if [[ -n "$cert" ]]; then printf 'ssl_certificate: "%s"\nssl_private_key: "%s"\n' "$cert" "$key"; fi
    } >"$dir/wsgidav-$name.yaml"
    # The server must not keep the caller's descriptors: a caller waiting for this script to
    # finish (a pipe, Foundation's Process) would otherwise wait for the server too.
    (
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            [[ "$fd" -gt 2 ]] && eval "exec $fd>&-" 2>/dev/null
        done
        exec "$TESTBEDS_VENV/bin/wsgidav" --config "$dir/wsgidav-$name.yaml" </dev/null >"$dir/webdav-$name.log" 2>&1
    ) &
    echo $! >"$dir/webdav-$name.pid"
}

# ca DIR: a CA and a server certificate for 127.0.0.1/localhost signed by it, plus DIR/certs laid
# out as an X509_CERT_DIR (the CA under its subject hash), which is how gfal (davix) takes a CA.
ca() {
    local d="$1"
    mkdir -p "$d/certs"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 7 -subj "/CN=flow test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -out "$d/server.pem" \
        -days 7 -extfile "$d/server.ext" 2>/dev/null
    cp "$d/ca.pem" "$d/certs/ca.pem"
    ln -sf ca.pem "$d/certs/$(openssl x509 -hash -noout -in "$d/ca.pem").0"
}

# fault_proxy UPSTREAM-PORT NAME SCHEME [TLS-ARGS...]: a proxy in the background, its pid in
# DIR/webdav-NAME.pid, its endpoint in DIR/endpoint-NAME, its counts in DIR/faults[-davs].json.
fault_proxy() {
    local upstream="$1" name="$2" scheme="$3" stats="$dir/faults.json"
    shift 3
    [[ "$name" == faulty ]] || stats="$dir/faults-${name#faulty-}.json"
    (
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            [[ "$fd" -gt 2 ]] && eval "exec $fd>&-" 2>/dev/null
        done
        exec python3 "$FLOW_ROOT/scripts/testservers/fault_proxy.py" --upstream "127.0.0.1:$upstream" --rate "$WEBDAV_FAULT_RATE" \
            --seed "${WEBDAV_FAULT_SEED:-1}" --faults "${WEBDAV_FAULTS:-503,reset,truncate}" --stats "$stats" "$@" </dev/null >"$dir/$name.out" 2>&1
    ) &
    echo $! >"$dir/webdav-$name.pid"
    for _ in $(seq 100); do
        if grep -q '^PORT ' "$dir/$name.out" 2>/dev/null; then
            echo "$scheme://127.0.0.1:$(awk '/^PORT / { print $2 }' "$dir/$name.out")" >"$dir/endpoint-$name"
            cat "$dir/endpoint-$name"
            return 0
        fi
        sleep 0.05
    done
    log "the fault proxy did not start (see $dir/$name.out)"
    return 1
}

case "${1:-}" in
    start)
        dir="${2:?usage: webdav.sh start DIR}"
        mkdir -p "$dir/data"
        dir="$(cd "$dir" && pwd)"
        [[ -x "$TESTBEDS_VENV/bin/wsgidav" ]] || { log "wsgidav not installed (scripts/setup.sh --with-testbeds)"; exit 77; }
        command -v openssl >/dev/null || { log "openssl missing"; exit 77; }
        ca "$dir"
        http_port="$(free_port)"
        https_port="$(free_port)"
        serve http "$http_port"
        serve https "$https_port" "$dir/server.pem" "$dir/server.key"
        for _ in $(seq 200); do
            if curl -sf -o /dev/null -X PROPFIND -H 'Depth: 0' "http://127.0.0.1:$http_port/" \
                && curl -sf -o /dev/null --cacert "$dir/ca.pem" -X PROPFIND -H 'Depth: 0' "https://127.0.0.1:$https_port/"; then
                echo "dav://127.0.0.1:$http_port" >"$dir/endpoint-dav"
                echo "davs://127.0.0.1:$https_port" >"$dir/endpoint-davs"
                cat "$dir/endpoint-dav" "$dir/endpoint-davs"
                if [[ -n "${WEBDAV_FAULT_RATE:-}" ]]; then
                    fault_proxy "$http_port" faulty dav
                    fault_proxy "$http_port" faulty-davs davs --tls-cert "$dir/server.pem" --tls-key "$dir/server.key"
                fi
                exit 0
            fi
            sleep 0.05
        done
        log "wsgidav did not answer on ports $http_port/$https_port (see $dir/webdav-*.log)"
        exit 1 ;;
    stop)
        dir="${2:?usage: webdav.sh stop DIR}"
        for name in http https faulty faulty-davs; do
            [[ -s "$dir/webdav-$name.pid" ]] || continue
            kill "$(cat "$dir/webdav-$name.pid")" 2>/dev/null || true
            rm -f "$dir/webdav-$name.pid"
        done ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
