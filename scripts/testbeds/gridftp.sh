#!/usr/bin/env bash
# scripts/testbeds/gridftp.sh: a GridFTP server (Debian's globus-gridftp-server-progs) on 127.0.0.1
# for the gfal adapter's gsiftp:// tests. GridFTP authenticates with GSI (X.509 on both ends), so
# this makes a throw-away PKI with openssl: a CA, a host certificate for 127.0.0.1/localhost, a user
# certificate, and a grid-mapfile mapping that user to the account the server runs as (as root,
# with -allow-root: it listens on loopback only and serves nothing outside DIR/data).
#
#   gridftp.sh start DIR   start the server on a free port serving DIR/data (restricted to it); writes
#                          DIR/gridftp.pid, DIR/endpoint (gsiftp://127.0.0.1:P/DIR/data: full paths, as
#                          GridFTP names files) and DIR/certs (an X509_CERT_DIR with the CA); the client
#                          credential is DIR/user.pem + DIR/user.key (export them as X509_USER_CERT and
#                          X509_USER_KEY, and DIR/certs as X509_CERT_DIR); prints the endpoint
#   gridftp.sh stop DIR    stop exactly the server DIR/gridftp.pid names
#   gridftp.sh check       exit 0 when the test bed can run here, 77 (with the reason) when not
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

SERVER=/usr/sbin/globus-gridftp-server

check() {
    [[ -x "$SERVER" ]] || { log "globus-gridftp-server not installed (scripts/setup.sh installs globus-gridftp-server-progs)"; return 77; }
    compgen -G '/usr/lib/*/gfal2-plugins/libgfal_plugin_gridftp.so' >/dev/null \
        || { log "gfal2's gridftp plugin not installed (scripts/setup.sh installs gfal2-plugin-gridftp)"; return 77; }
    command -v openssl >/dev/null || { log "openssl missing"; return 77; }
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# pki DIR: the CA (in DIR/certs under its subject hash, with the signing policy Globus reads next
# to it), DIR/host.pem|key for the server, DIR/user.pem|key for the client.
pki() {
    local d="$1"
    mkdir -p "$d/certs"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 7 -subj "/O=flow/CN=flow test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    # issue NAME SUBJECT EXTENSIONS: DIR/NAME.key and DIR/NAME.pem, a certificate signed by the CA.
    issue() {
        openssl req -newkey rsa:2048 -nodes -keyout "$d/$1.key" -out "$d/$1.csr" -subj "$2" 2>/dev/null
        printf '%b' "$3" >"$d/$1.ext"
        openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -out "$d/$1.pem" \
            -days 7 -extfile "$d/$1.ext" 2>/dev/null
        chmod 600 "$d/$1.key"
    }
    issue host "/O=flow/CN=localhost" \
        'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n'
    issue user "/O=flow/CN=flow test user" \
        'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
    local hash
    hash="$(openssl x509 -hash -noout -in "$d/ca.pem")"
    cp "$d/ca.pem" "$d/certs/$hash.0"
    printf "access_id_CA X509 '/O=flow/CN=flow test CA'\npos_rights globus CA:sign\ncond_subjects globus '\"/O=flow/*\"'\n" \
        >"$d/certs/$hash.signing_policy"
}

case "${1:-}" in
    check) check ;;
    start)
        dir="${2:?usage: gridftp.sh start DIR}"
        check || exit 77
        mkdir -p "$dir/data"
        dir="$(cd "$dir" && pwd)"
        pki "$dir"
        user="$(id -un)"
        printf '"/O=flow/CN=flow test user" %s\n' "$user" >"$dir/grid-mapfile"
        port="$(free_port)"
        args=(-c /dev/null -p "$port" -control-interface 127.0.0.1 -data-interface 127.0.0.1 -rp "$dir/data" -home-dir "$dir/data"
              -disable-usage-stats -l "$dir/gridftp.log" -d error,warn,info)
        [[ "$(id -u)" == 0 ]] && args+=(-allow-root)
        # The server must not keep the caller's descriptors: a caller waiting for this script to
        # finish (a pipe, Foundation's Process) would otherwise wait for the server too.
        (
            for fd in /proc/self/fd/*; do
                fd="${fd##*/}"
                [[ "$fd" -gt 2 ]] && eval "exec $fd>&-" 2>/dev/null
            done
            export X509_CERT_DIR="$dir/certs" X509_USER_CERT="$dir/host.pem" X509_USER_KEY="$dir/host.key" GRIDMAP="$dir/grid-mapfile"
            unset X509_USER_PROXY
            exec "$SERVER" "${args[@]}" </dev/null >"$dir/gridftp.out" 2>&1
        ) &
        echo $! >"$dir/gridftp.pid"
        for _ in $(seq 200); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                echo "gsiftp://127.0.0.1:$port$dir/data" >"$dir/endpoint"
                cat "$dir/endpoint"
                exit 0
            fi
            kill -0 "$(cat "$dir/gridftp.pid")" 2>/dev/null || break
            sleep 0.05
        done
        log "globus-gridftp-server did not answer on port $port (see $dir/gridftp.out, $dir/gridftp.log)"
        exit 1 ;;
    stop)
        dir="${2:?usage: gridftp.sh stop DIR}"
        # The server blocks SIGTERM (Globus keeps it for itself) and stops on SIGINT.
        if [[ -s "$dir/gridftp.pid" ]]; then
            pid="$(cat "$dir/gridftp.pid")"
            kill -INT "$pid" 2>/dev/null || true
            for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
            kill -KILL "$pid" 2>/dev/null || true
            rm -f "$dir/gridftp.pid"
        fi ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
