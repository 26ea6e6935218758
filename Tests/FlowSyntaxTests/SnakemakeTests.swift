// Snakemake's grammar: rules and checkpoints, directive contents in both layouts, run blocks,
// workflow-level directives, modules and `use rule`.
import XCTest
@testable import FlowSyntax

final class SnakemakeTests: XCTestCase {
    func testRules() {
        assertTable([
            ("rule a:\n    input: 'x'\n", "(rule a (input: \"x\"))"),
            ("rule:\n    output: 'x'", "(rule _ (output: \"x\"))"),
            ("checkpoint c:\n    output: directory('d')", "(checkpoint c (output: (call directory \"d\")))"),
            ("rule a:\n    \"\"\"Doc.\"\"\"\n    input: 'x'", "(rule a doc=\"Doc.\" (input: \"x\"))"),
            ("rule a:  # comment\n    # between\n    input: 'x'  # after\n    # more\n    output: 'y'",
             "(rule a (input: \"x\") (output: \"y\"))"),
            ("rule a:\n    input: 'a', b='c', *l, **d", "(rule a (input: \"a\" (kw b \"c\") (* l) (** d)))"),
            ("rule a:\n    input:\n        'a',\n        # comment\n        b='c',\n    output:\n        'o'",
             "(rule a (input: \"a\" (kw b \"c\")) (output: \"o\"))"),
            ("rule a:\n    input:\n        'a',\n            'b'\n    threads: 4", "(rule a (input: \"a\" \"b\") (threads: 4))"),
            ("rule a:\n    input: 'a',\n        'b'\n    threads: 4", "(rule a (input: \"a\" \"b\") (threads: 4))"),
            ("rule a:\n    shell:\n        'a '\n        'b '\n        \"c\"", "(rule a (shell: \"a b c\"))"),
            ("rule a:\n    shell: 'a' 'b'", "(rule a (shell: \"ab\"))"),
            ("rule a:\n    shell: \"\"\"\n        x\n        \"\"\"", "(rule a (shell: \"\\n        x\\n        \"))"),
            ("rule a:\n    params:\n        x=lambda w: w.s,\n        y={'a': 1}", "(rule a (params: (kw x (lambda (w) (. w s))) (kw y (dict (\"a\" 1)))))"),
            ("rule a:\n    input: expand('{s}', s=[1,\n  2])\n    output: 'o'", "(rule a (input: (call expand \"{s}\" (kw s (list 1 2)))) (output: \"o\"))"),
            ("rule a:\n    output: 'o'\n    run:\n        x = 1\n        print(x)\n", "(rule a (output: \"o\") (run: (= x 1) (call print x)))"),
            ("rule a:\n    run: print(1)", "(rule a (run: (call print 1)))"),
            ("rule a:\n    run:\n        rule_b = 1", "(rule a (run: (= rule_b 1)))"),
            ("rule All: input: 'C'\nx = 1", "(rule All (input: \"C\")) (= x 1)"),
            ("if x:\n    rule a:\n        input: 'x'\nelse:\n    rule b:\n        input: 'y'",
             "(if x (then (rule a (input: \"x\"))) (else (rule b (input: \"y\"))))"),
            ("for i in range(3):\n    rule:\n        name: f'r{i}'\n        output: f'{i}'",
             "(for i (call range 3) (do (rule _ (name: (f \"r\" (fmt i))) (output: (f (fmt i))))))"),
            ("rule a:\n    conda: 'env.yaml'\n    container: 'docker://x'\n    wrapper: 'v1/x'",
             "(rule a (conda: \"env.yaml\") (container: \"docker://x\") (wrapper: \"v1/x\"))"),
            ("rule a:\n    notebook: 'n.py.ipynb'", "(rule a (notebook: \"n.py.ipynb\"))"),
            ("rule a:\n    resources:\n        mem_mb=lambda wc, attempt: attempt * 1000,\n        tmpdir='/t'",
             "(rule a (resources: (kw mem_mb (lambda (wc attempt) (* attempt 1000))) (kw tmpdir \"/t\")))"),
            ("rule a:\n    input: rules.b.output\n    output: touch('x')",
             "(rule a (input: (. (. rules b) output)) (output: (call touch \"x\")))"),
        ], parse)
    }

    func testWorkflowDirectives() {
        assertTable([
            ("configfile: 'config.yaml'", "(configfile: \"config.yaml\")"),
            ("include: 'rules/a.smk'", "(include: \"rules/a.smk\")"),
            ("workdir: 'w'", "(workdir: \"w\")"),
            ("localrules: a, b", "(localrules: a b)"),
            ("ruleorder: a > b > c", "(ruleorder: (cmp a > b > c))"),
            ("wildcard_constraints:\n    s='[a-z]+',\n    n='\\\\d+'", "(wildcard_constraints: (kw s \"[a-z]+\") (kw n \"\\\\d+\"))"),
            ("envvars: 'A', 'B'", "(envvars: \"A\" \"B\")"),
            ("container: 'docker://x'", "(container: \"docker://x\")"),
            ("report: 'report/workflow.rst'", "(report: \"report/workflow.rst\")"),
            ("onstart:\n    print('start')\nonsuccess:\n    shell('x')\nonerror:\n    pass",
             "(onstart: (call print \"start\")) (onsuccess: (call shell \"x\")) (onerror: pass)"),
            ("if config.get('x'):\n    configfile: 'c.yaml'", "(if (call (. config get) \"x\") (then (configfile: \"c.yaml\")))"),
            ("scattergather:\n    split=8", "(scattergather: (kw split 8))"),
            ("storage:\n    provider='http'", "(storage: (kw provider \"http\"))"),
            ("storage web:\n    provider='http',\n    keep_local=True", "(storage: (kw tag \"web\") (kw provider \"http\") (kw keep_local True))"),
            ("storage = 1", "(= storage 1)"),
            ("storage:\n    provider='gcs',\n    max_requests_per_second=10,\n    **extra",
             "(storage: (kw provider \"gcs\") (kw max_requests_per_second 10) (** extra))"),
            ("x = storage.gcs('gs://b/{s}.txt', keep_local=True)", "(= x (call (. storage gcs) \"gs://b/{s}.txt\" (kw keep_local True)))"),
        ], parse)
    }

    func testModulesAndUseRule() {
        assertTable([
            ("module m:\n    snakefile: 'other/Snakefile'\n    config: config\n    prefix: 'p'\n    replace_prefix: {'a/': 'b/'}\n    skip_validation: True",
             "(module m (snakefile: \"other/Snakefile\") (config: config) (prefix: \"p\") (replace_prefix: (dict (\"a/\" \"b/\"))) (skip_validation: True))"),
            ("module:\n    name: 'test'\n    snakefile: 'x'", "(module  (name: \"test\") (snakefile: \"x\"))"),
            ("module m:\n    meta_wrapper: 'v1/meta'", "(module m (meta_wrapper: \"v1/meta\"))"),
            ("use rule * from m", "(use (rules *) (from m))"),
            ("use rule * from m as m_*", "(use (rules *) (from m) (as m_*))"),
            ("use rule a from m as b", "(use (rules a) (from m) (as b))"),
            ("use rule a as b with:\n    output: 'x'", "(use (rules a) (as b) (with (output: \"x\")))"),
            ("use rule * from m exclude x as y_*", "(use (rules *) (from m) (exclude x) (as y_*))"),
            ("use rule a, b from m as x_* exclude c, d with:\n    threads: 2\n    input:\n        'i'",
             "(use (rules a b) (from m) (exclude c d) (as x_*) (with (threads: 2) (input: \"i\")))"),
            ("use rule a from m with:\n    \"\"\"Doc.\"\"\"\n    output: 'x'", "(use (rules a) (from m) (with (output: \"x\")))"),
            ("use rule * from m as *_new", "(use (rules *) (from m) (as *_new))"),
        ], parse)
    }

    func testRunBlockRange() throws {
        let source = "rule a:\n    output: 'o'\n    run:\n        x = 1\n        if x:\n            print(x)\n\nrule b:\n    input: 'o'\n"
        let file = SourceFile(path: "t", text: source)
        let body = try parseModule(file).body
        guard case .rule(let a) = body[0].kind, case .block(_, let range) = a.directives[1].content else { return XCTFail() }
        XCTAssertEqual(file.slice(range), "        x = 1\n        if x:\n            print(x)")
        XCTAssertEqual(file.slice(body[0].range), "rule a:\n    output: 'o'\n    run:\n        x = 1\n        if x:\n            print(x)")
        XCTAssertEqual(a.directives.map(\.location), [SourceLocation(line: 2, column: 5), SourceLocation(line: 3, column: 5)])
        XCTAssertEqual(body[1].location, SourceLocation(line: 8, column: 1))
    }

    func testWhatARuleDoesComesLastAndOnce() {
        XCTAssertEqual(parseError("rule a:\n    output: 'o'\n    shell: 'echo {params.b}'\n    params: b=1"),
                       "4:5: no directive may follow 'shell:' in rule 'a' (found 'params:'); run/shell/script/notebook/wrapper/template_engine/cwl must come last")
        XCTAssertEqual(parseError("rule a:\n    shell: 'x'\n    run:\n        pass"),
                       "3:5: multiple run/shell/script/notebook/wrapper/template_engine/cwl directives in rule 'a' ('shell:' and 'run:')")
        XCTAssertEqual(parseError("rule a:\n    output: 'o'\n    params: b=1\n    shell: 'x'\nrule b:\n    shell: 'y'"), "no error")
    }

    func testUnknownDirectives() {
        XCTAssertEqual(parseError("rule a:\n    inputs: 'x'"), "2:5: unknown directive 'inputs' in rule 'a'; did you mean 'input'?")
        XCTAssertEqual(parseError("rule:\n    outptu: 'x'"), "2:5: unknown directive 'outptu' in anonymous rule; did you mean 'output'?")
        XCTAssertEqual(parseError("checkpoint c:\n    banana: 1"), "2:5: unknown directive 'banana' in checkpoint 'c'")
        XCTAssertEqual(parseError("module m:\n    snakefiles: 'x'"), "2:5: unknown directive 'snakefiles' in module 'm'; did you mean 'snakefile'?")
        XCTAssertEqual(parseError("use rule a as b with:\n    treads: 1"), "2:5: unknown directive 'treads' in 'use rule' statement; did you mean 'threads'?")
        XCTAssertEqual(parseError("rule a:\n    input:\n    output: 'x'"), "2:10: expected content after 'input:'")
        XCTAssertEqual(parseError("rule a:\ninput: 'x'"), "2:1: expected an indented block after rule 'a' header")
        XCTAssertEqual(parseError("rule a:\n    input 'x'"), "2:11: expected ':' after 'input'")
        XCTAssertEqual(parseError("rule a:\n    input: 'x' 'y' z"), "2:20: invalid syntax")
        XCTAssertEqual(parseError("rule a:\n    input: 'x'\n    'doc'"), "3:5: unexpected string in rule 'a'; a docstring must come first")
        XCTAssertEqual(parseError("storage:\n    'gcs'"), "2:5: storage: takes name=value settings (provider=\"...\", ...), not a positional value")
        XCTAssertEqual(parseError("storage web:\n    'http', keep_local=True"), "2:5: storage: takes name=value settings (provider=\"...\", ...), not a positional value")
        XCTAssertEqual(parseError("notadirective: 3\nx"), "no error")  // an annotated assignment
    }
}
