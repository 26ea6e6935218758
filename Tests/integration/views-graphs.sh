#!/usr/bin/env bash
# Tests/integration/views-graphs.sh: `--dag`, `--rulegraph` and `--filegraph` print Graphviz that `dot -Tsvg`
# renders (one SVG node per job / rule, one edge per dependency), and `flow completion bash|zsh|fish` prints
# scripts the shells accept (bash and zsh parse them; fish when installed), naming the subcommands.
set -euo pipefail
ROOT="${FLOW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/debug/flow}"
if [[ ! -x "$FLOW_BIN" ]]; then echo "SKIP: no flow binary at $FLOW_BIN"; exit 77; fi
if ! command -v dot >/dev/null; then echo "SKIP: no dot (graphviz; scripts/setup.sh installs it)"; exit 77; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
source "$ROOT/Tests/integration/lib/checks.bash"
cd "$tmp"
cat > Snakefile <<'SNAKE'
SAMPLES = ["A", "B", "C"]
rule all:
    input: "merged.txt"
rule make:
    output: "raw/{s}.txt"
    shell: "echo {wildcards.s} > {output}"
rule upper:
    input: "raw/{s}.txt"
    output: "up/{s}.txt"
    shell: "tr a-z A-Z < {input} > {output}"
rule merge:
    input: expand("up/{s}.txt", s=SAMPLES), extra=lambda w: "raw/A.txt"
    output: "merged.txt"
    shell: "cat {input} > {output}"
SNAKE
# svg_count FILE CLASS: elements <g class="CLASS"> in an SVG dot wrote.
svg_count() { grep -c "<g id=\"[a-z]*[0-9]*\" class=\"$2\"" "$1" || true; }
for mode in dag rulegraph filegraph; do
    "$FLOW_BIN" run --$mode > $mode.dot 2>$mode.err
    if dot -Tsvg $mode.dot > $mode.svg 2>dot-$mode.err; then pass "--$mode renders with dot -Tsvg"; else fail "--$mode renders with dot -Tsvg"; cat dot-$mode.err; fi
    check "--$mode: dot says nothing (no warning)" test ! -s dot-$mode.err
done
# 3 make + 3 upper + merge + all = 8 jobs; edges: make->upper (3), upper->merge (3), make A->merge, merge->all.
check "--dag: a node per job (8)" test "$(svg_count dag.svg node)" = 8
check "--dag: an edge per dependency (8)" test "$(svg_count dag.svg edge)" = 8
check "--rulegraph: a node per rule (4), an edge per rule dependency (4)" test "$(svg_count rulegraph.svg node) $(svg_count rulegraph.svg edge)" = "4 4"
check "--filegraph: a node per rule with its files" test "$(svg_count filegraph.svg node)" = 4
check "--filegraph: the files of rule upper" grep -q 'input: raw/{s}.txt' filegraph.svg
check "--filegraph: an input function" grep -q 'input: up/A.txt, up/B.txt, up/C.txt, &lt;function&gt;' filegraph.svg
check "--filegraph: outputs" grep -q 'output: merged.txt' filegraph.svg

for shell in bash zsh fish; do
    "$FLOW_BIN" completion $shell > completion.$shell
    check "completion $shell: names the subcommands" grep -q "history" completion.$shell
    if command -v $shell >/dev/null; then
        case $shell in
            bash) check "bash accepts its completion script" bash -c "source completion.bash && complete -p flow" ;;
            zsh) check "zsh parses its completion script" zsh -n completion.zsh ;;
            fish) check "fish parses its completion script" fish -n completion.fish ;;
        esac
    fi
done
set +e
"$FLOW_BIN" completion tcsh >/dev/null 2>unknown.err
status=$?
set -e
check "completion of an unknown shell fails, naming the known ones" test "$status" = 1 -a -n "$(grep -F "choose from bash, zsh, fish" unknown.err)"
[[ $failures == 0 ]] || { echo "$failures check(s) failed"; exit 1; }
echo "graphs and completion: ok"
