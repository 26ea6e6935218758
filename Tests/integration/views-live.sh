#!/usr/bin/env bash
# Tests/integration/views-live.sh: the live view of `flow run` on a terminal, in tmux (a real terminal emulator;
# the pane is read with capture-pane as a user would see it).
#   1. Mid-run the footer shows the right counts: 7 jobs, 2 running on --cores 2, then one done (its jobs wait for
#      gate files the test creates), a line for the rule, and the running jobs with their local pid; the finished
#      job's log line is above the footer.
#   1b. The terminal narrowed to 50 columns mid-run: the next footer replaces the old one whole (nothing left).
#   2. Ctrl-C: flow exits 130, the footer is gone from the screen, and the shell's next command prints at the
#      start of a clean line.
#   3. With NO_COLOR, or with output piped, the plain Snakemake lines (no footer, no escape codes).
# Skipped (77) only when tmux is not installed (scripts/setup.sh --with-testbeds installs it).
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
if ! command -v tmux >/dev/null; then echo "SKIP: tmux is not installed (scripts/setup.sh --with-testbeds installs it)"; exit 77; fi
tmp="$(mktemp -d)"
SOCKET="flowlive$$"
MARK="flowlivetest$$x$RANDOM"
cleanup() {
    tmux -L "$SOCKET" kill-server 2>/dev/null || true
    for pid in $(pgrep -f "$MARK" || true); do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
source "$ROOT/Tests/integration/lib/checks.bash"
cd "$tmp"
cat > Snakefile <<SNAKE
rule all:
    input: expand("out/{s}.txt", s=list("ABCDEF"))
rule work:
    output: "out/{s}.txt"
    shell: "while [ ! -e gate_{wildcards.s} ]; do sleep 0.1; done; echo $MARK > {output}"
SNAKE
pane() { tmux -L "$SOCKET" capture-pane -p -t live; }
# wait_pane SECONDS REGEX: until the pane shows a line matching REGEX.
wait_pane() {
    local deadline=$((SECONDS + $1))
    until pane | grep -qE "$2"; do
        [[ $SECONDS -lt $deadline ]] || return 1
        sleep 0.2
    done
}
tmux -L "$SOCKET" -f /dev/null new-session -d -s live -x 120 -y 40 "env -u NO_COLOR TERM=screen bash --norc --noprofile"
tmux -L "$SOCKET" send-keys -t live "cd $tmp && PS1='$ ' && clear" Enter
tmux -L "$SOCKET" send-keys -t live "$FLOW_BIN run --cores 2; echo EXIT=\$?" Enter
if wait_pane 30 "0/7 done, 2 running, 5 queued, 0 failed"; then pass "footer: 0/7 done, 2 running, 5 queued"; else fail "footer: 0/7 done, 2 running, 5 queued"; pane; fi
check "footer: a line for rule work (0/6, 2 running)" grep -qE "^  work +0/6 done, 2 running$" <(pane)
running="$(pane | sed -n 's/^  > work s=\([A-F]\) (job [0-9]*, local [0-9]*) [0-9]*:[0-9]*$/\1/p')"
check "footer: the two running jobs with their local pid ($(tr '\n' ' ' <<<"$running"))" test "$(wc -l <<<"$running")" = 2
first="$(head -1 <<<"$running")"
touch "gate_$first"
if wait_pane 30 "1/7 done, 2 running, 4 queued, 0 failed"; then pass "footer after one job: 1/7 done, 2 running, 4 queued"; else fail "footer after one job"; pane; fi
check "footer: rule work 1/6 done, 2 running" grep -qE "^  work +1/6 done, 2 running$" <(pane)
check "the finished job's line scrolls above the footer" \
    bash -c "pane_text=\"\$(tmux -L $SOCKET capture-pane -p -t live)\"; grep -n 'Finished jobid: [0-9]* (Rule: work) s=$first' <<<\"\$pane_text\" | cut -d: -f1 | { read l; f=\$(grep -n '/7 done' <<<\"\$pane_text\" | cut -d: -f1); [ \"\$l\" -lt \"\$f\" ]; }"
check "the job header stays out of the log (the footer shows it)" ! grep -q "^rule work:" <(pane)

# A narrower terminal re-wraps the footer's long lines (tmux reflows them): the next redraw must climb every row
# they now take, leaving nothing of the old footer behind.
tmux -L "$SOCKET" resize-window -t live -x 50
touch "gate_$(tail -1 <<<"$running")"
if wait_pane 30 "^2/7 done"; then pass "footer at 50 columns: 2/7 done"; else fail "footer at 50 columns: 2/7 done"; pane; fi
sleep 1.5   # a few more redraws (at least one a second)
check "after the terminal narrowed: one footer, nothing of the old one left ($(pane | grep -c '/7 done') heads)" \
    test "$(pane | grep -c '/7 done')" = 1

# Ctrl-C
tmux -L "$SOCKET" send-keys -t live C-c
if wait_pane 30 "^EXIT=130$"; then pass "Ctrl-C: flow exits 130"; else fail "Ctrl-C: flow exits 130"; pane; fi
after="$(pane)"
check "Ctrl-C: no footer left on the screen" ! grep -qE "/7 done, [0-9]+ running|^  > work|^  work +[0-9]" <<<"$after"
tmux -L "$SOCKET" send-keys -t live "echo CLEAN-\$((40 + 2))" Enter
if wait_pane 10 "^CLEAN-42$"; then pass "the terminal is clean: the next command prints at column 0"; else fail "the terminal is clean"; pane; fi
for pid in $(pgrep -f "$MARK" || true); do kill -KILL "$pid" 2>/dev/null || true; done

# Plain lines: NO_COLOR, and a pipe.
rm -rf out .flow/locks; touch gate_A gate_B gate_C gate_D gate_E gate_F
tmux -L "$SOCKET" send-keys -t live "clear; NO_COLOR=1 $FLOW_BIN run --cores 2 > plain.log 2>&1; NO_COLOR=1 $FLOW_BIN run --cores 2 --forceall | cat > piped.log; echo DONE=\$?" Enter
wait_pane 60 "^DONE=0$" || { fail "plain runs finished"; pane; }
for log in plain.log piped.log; do
    check "$log: Snakemake's plain lines" grep -q "^7 of 7 steps (100%) done$" $log
    check "$log: no escape codes, no footer" ! grep -qE $'\e\\[|/7 done, ' $log
done
[[ $failures == 0 ]] || { echo "$failures check(s) failed"; exit 1; }
echo "live view in tmux: ok"
