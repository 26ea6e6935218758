#!/usr/bin/env bash
# scripts/testbeds/xrootd.sh: an XRootD server (Debian's xrootd-server) for the gfal adapter's
# root:// tests. xrootd has no bind-address option and refuses to run as root, so it runs as the
# `xrootd` user inside a private network namespace (`unshare -n`, loopback only), and the command
# under test runs in that same namespace: nothing listens on the host.
#
#   xrootd.sh run DIR CMD...   start xrootd on root://127.0.0.1:1094 exporting DIR/data as //data
#                              (so root://127.0.0.1:1094//data/x is DIR/data/x), run CMD with
#                              XROOTD_ENDPOINT=root://127.0.0.1:1094//data, stop the server by its
#                              recorded PID, exit with CMD's status
#   xrootd.sh check            exit 0 when the test bed can run here, 77 (with the reason) when not
# DIR and its parents must be traversable by the xrootd user (DIR/data is made writable for it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

check() {
    command -v xrootd >/dev/null || { log "xrootd not installed (scripts/setup.sh installs xrootd-server)"; return 77; }
    id xrootd >/dev/null 2>&1 || { log "no xrootd user"; return 77; }
    [[ "$(id -u)" == 0 ]] || { log "needs root (to run xrootd as the xrootd user in a private network namespace)"; return 77; }
    unshare -n true 2>/dev/null || { log "cannot make a private network namespace (unshare -n)"; return 77; }
}

case "${1:-}" in
    check) check ;;
    run)
        dir="${2:?usage: xrootd.sh run DIR CMD...}"
        shift 2
        [[ $# -gt 0 ]] || { log "usage: xrootd.sh run DIR CMD..."; exit 2; }
        check || exit 77
        mkdir -p "$dir/data" "$dir/admin" "$dir/run"
        dir="$(cd "$dir" && pwd)"
        chmod 755 "$dir"
        chown -R xrootd: "$dir/data" "$dir/admin" "$dir/run"
        runuser -u xrootd -- test -w "$dir/data" || { log "$dir is not reachable by the xrootd user (check its parents' permissions)"; exit 77; }
        cat >"$dir/xrootd.cfg" <<EOF
all.export /data
oss.localroot $dir
xrd.port 1094
xrootd.chksum adler32
all.adminpath $dir/admin
all.pidpath $dir/run
EOF
        # Inside the namespace: loopback up, the server in the background (its PID recorded),
        # wait until it answers, run the command, stop the server.
        exec unshare -n -- bash -c '
            set -u
            dir="$1"; shift
            ip link set lo up
            xrootd -R xrootd -c "$dir/xrootd.cfg" -l "$dir/run/xrootd.log" -n flowtest </dev/null >/dev/null 2>&1 &
            echo $! >"$dir/xrootd.pid"
            up=0
            for _ in $(seq 100); do
                if (exec 3<>/dev/tcp/127.0.0.1/1094) 2>/dev/null; then up=1; break; fi
                sleep 0.05
            done
            if [[ $up != 1 ]]; then echo "xrootd did not start (see $dir/run/xrootd.log*)" >&2; kill "$(cat "$dir/xrootd.pid")" 2>/dev/null; exit 1; fi
            rc=0
            XROOTD_ENDPOINT=root://127.0.0.1:1094//data "$@" || rc=$?
            kill "$(cat "$dir/xrootd.pid")" 2>/dev/null
            wait 2>/dev/null
            exit $rc
        ' xrootd-run "$dir" "$@" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
