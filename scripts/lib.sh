# scripts/lib.sh: small helpers sourced by the other scripts in scripts/ (not run on its own).
# Owns: logging with elapsed time, the repository root, and the one way we call apt-get.

FLOW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FLOW_ROOT

# log MSG...: prints "[script] MSG" to stderr.
log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

# now: seconds since the epoch with milliseconds, for timings.
now() { date +%s.%N; }
# elapsed START: seconds since START, one decimal.
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

# missing_packages PKG...: prints the packages dpkg does not report as installed.
missing_packages() {
    local p status
    for p in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
        [[ "$status" == "install ok installed" ]] || printf '%s\n' "$p"
    done
}

# ensure_packages PKG...: installs the missing ones with apt-get; no apt call when none is missing.
ensure_packages() {
    local missing
    missing="$(missing_packages "$@")"
    if [[ -z "$missing" ]]; then
        return 0
    fi
    local sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
    # shellcheck disable=SC2086
    log "installing with apt-get: $(echo $missing)"
    local out rc=0
    out="$(mktemp)"
    # apt's progress goes to a file, shown only when something fails.
    # shellcheck disable=SC2086
    { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq \
        && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
            install -y -qq --no-install-recommends $missing; } >"$out" 2>&1 || rc=$?
    if [[ "$rc" != 0 ]]; then
        cat "$out" >&2
        log "apt-get failed (exit $rc)"
    fi
    rm -f "$out"
    return "$rc"
}

# ensure_swift: puts the toolchain on PATH when `swift` is not there yet (it lives in /opt/swift on our machines).
ensure_swift() {
    if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH="$PATH:/opt/swift/usr/bin"
    fi
    command -v swift >/dev/null 2>&1 || { log "swift not found (expected /opt/swift/usr/bin/swift)"; return 1; }
}

# The Snakemake used for benchmarks and conformance (never needed to build or test flow itself).
SNAKEMAKE_VERSION="9.27.1"
SNAKEMAKE_VENV="${SNAKEMAKE_VENV:-$FLOW_ROOT/.venv-snakemake}"
# Test servers that come from PyPI (scripts/setup.sh --with-testbeds).
TESTBEDS_VENV="${TESTBEDS_VENV:-$FLOW_ROOT/.venv-testbeds}"
export TESTBEDS_VENV
