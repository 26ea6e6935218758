# bench/lib.sh: helpers sourced by the transfer benchmarks (gcs_roundtrip.sh, gfal_roundtrip.sh).

# timed LABEL CMD...: runs CMD under GNU time; prints "LABEL: <seconds> s, <MB/s>, peak RSS <MB>" for a
# transfer of $MB megabytes. Needs $WORK (a scratch folder) and $MB.
timed() {
    local label="$1"; shift
    /usr/bin/time -v -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; echo "$label: FAILED"; return 1; }
    awk -v label="$label" -v mb="$MB" '
        /Maximum resident set size/ { rss = $NF / 1024 }
        /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = (n == 3 ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2]) }
        END { printf "%-28s %6.2f s  %7.1f MB/s  peak RSS %6.1f MB\n", label ":", s, mb * 1.048576 / s, rss }' "$WORK/time"
}
