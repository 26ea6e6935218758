// Pins the Snakemake layer: Snakefile text in, Workflow model (and Snakemake API results) out.

import Foundation
import XCTest
import FlowLang
@testable import FlowWorkflow

final class WorkflowLoaderTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-workflow-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func write(_ name: String, _ text: String) throws {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: PathText.dirname(path), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func load(_ snakefile: String, config: [String] = []) throws -> Workflow {
        try write("Snakefile", snakefile)
        var options = WorkflowOptions(snakefile: dir + "/Snakefile")
        options.configOverrides = try ConfigLoader.parseOverrides(config)
        return try WorkflowLoader.load(options)
    }

    func testNonUTF8SnakefileIsReportedAsSuchNotAsMissing() throws {
        let path = dir + "/Snakefile"
        FileManager.default.createFile(atPath: path, contents: Data("rule a:\n    output: \"caf".utf8) + Data([0xE9]) + Data("\"\n".utf8))
        XCTAssertThrowsError(try WorkflowLoader.load(WorkflowOptions(snakefile: path))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("Snakefile \"\(path)\" is not UTF-8 text (invalid byte 0xE9 at line 2, column 17)"), text)
            XCTAssertFalse(text.contains("not found"), text)
        }
        XCTAssertThrowsError(try WorkflowLoader.load(WorkflowOptions(snakefile: dir + "/Missing"))) { error in
            XCTAssertTrue("\(error)".contains("not found or not readable"), "\(error)")
        }
    }

    private func global(_ w: Workflow, _ name: String) throws -> String {
        try w.interpreter.repr(try XCTUnwrap(w.interpreter.globals.get(name)))
    }

    func testExpandProductZipAllowMissingAndFormatSpecs() throws {
        let w = try load("""
        a = expand("{s}_{n}.txt", s=["x", "y"], n=[1, 2])
        b = expand("{s}_{n}.txt", zip, s=["x", "y"], n=[1, 2])
        c = expand("{s}/{other}.txt", s="x", allow_missing=True)
        d = expand("{n:03d}.txt", n=[7])
        e = expand(["a{s}", "b{s}"], s=["1"])
        f = expand("{s}.txt", s=["x"], unused=[1, 2, 3])
        """)
        XCTAssertEqual(try global(w, "a"), "['x_1.txt', 'x_2.txt', 'y_1.txt', 'y_2.txt']")
        XCTAssertEqual(try global(w, "b"), "['x_1.txt', 'y_2.txt']")
        XCTAssertEqual(try global(w, "c"), "['x/{other}.txt']")
        XCTAssertEqual(try global(w, "d"), "['007.txt']")
        XCTAssertEqual(try global(w, "e"), "['a1', 'b1']")
        // Keywords a pattern does not use do not multiply its results.
        XCTAssertEqual(try global(w, "f"), "['x.txt']")
    }

    func testExpandRejectsFlaggedPatterns() throws {
        XCTAssertThrowsError(try load("x = expand(temp(\"{s}.txt\"), s=[1])\n")) { error in
            XCTAssertTrue("\(error)".contains("Flags"), "\(error)")
        }
    }

    func testGlobWildcardsMatchesFilesOnDisk() throws {
        for name in ["data/a.fq", "data/b.fq", "data/sub/c.fq", "data/skip.txt"] { try write(name, "") }
        let w = try load("""
        W = glob_wildcards("\(dir)/data/{sample}.fq")
        T = glob_wildcards("\(dir)/data/{sample,[^/]+}.fq")
        samples = W.sample
        top = T.sample
        """)
        XCTAssertEqual(try global(w, "samples"), "['a', 'b', 'sub/c']")
        XCTAssertEqual(try global(w, "top"), "['a', 'b']")
    }

    func testConfigOverridesAreTypedAsSnakemakeTypesThem() throws {
        let d = try ConfigLoader.parseOverrides(["i=3", "f=0.5", "b=True", "s=text", "l=[1,2]", "e="])
        let interp = Interpreter()
        XCTAssertEqual(try interp.repr(.dict(d)), "{'i': 3, 'f': 0.5, 'b': True, 's': 'text', 'l': ['1', '2'], 'e': None}")
        XCTAssertThrowsError(try ConfigLoader.parseOverrides(["novalue"]))
        XCTAssertThrowsError(try ConfigLoader.parseOverrides(["1bad=2"]))
    }

    func testConfigfileMergesAndCommandLineWins() throws {
        try write("config.yaml", "a: 1\nnested:\n  x: 1\n  y: 2\n")
        let w = try load("""
        configfile: "\(dir)/config.yaml"
        seen = config
        """, config: ["a=5"])
        XCTAssertEqual(try global(w, "seen"), "{'a': 5, 'nested': {'x': 1, 'y': 2}}")
    }

    func testRuleDirectivesBecomeTheModel() throws {
        let w = try load("""
        rule all:
            \"\"\"Everything.\"\"\"
            input: "out/a.txt"

        rule copy:
            input: main="in/{s}.txt", extra=["x.txt", "y.txt"]
            output: temp("out/{s}.txt"), log=protected("out/{s}.log")
            params: opt="-v", n=lambda w: w.s
            threads: 4
            resources: mem_mb=100
            priority: 3
            wildcard_constraints: s="[a-z]+"
            shell: "cp {input.main} {output}"

        rule:
            output: "anon.txt"
            shell: "touch {output}"
        """)
        XCTAssertEqual(w.rules.map(\.name), ["all", "copy", "3"])
        XCTAssertEqual(w.defaultTarget?.name, "all")
        XCTAssertEqual(w.rules[0].docstring, "Everything.")
        let copy = try XCTUnwrap(w.rule(named: "copy"))
        XCTAssertEqual(copy.input.map(\.name), ["main", "extra", "extra"])
        XCTAssertEqual(copy.output.items.map(\.pattern), ["out/{s}.txt", "out/{s}.log"])
        XCTAssertTrue(copy.output.items[0].flags.contains(.temp))
        XCTAssertTrue(copy.output.items[1].flags.contains(.protected))
        XCTAssertEqual(copy.output.range(named: "log"), 1..<2)
        XCTAssertEqual(copy.params.map(\.name), ["opt", "n"])
        XCTAssertEqual(copy.priority, 3)
        XCTAssertEqual(copy.wildcardConstraints, ["s": "[a-z]+"])
        guard case .shell(let cmd) = copy.action else { return XCTFail("shell action expected") }
        XCTAssertEqual(cmd, "cp {input.main} {output}")
        guard case .int(4)? = copy.threads else { return XCTFail("threads 4 expected") }
    }

    func testDuplicateRuleNamesAndDuplicateOutputsAreErrors() throws {
        XCTAssertThrowsError(try load("rule a:\n    output: \"x\"\nrule a:\n    output: \"y\"\n")) { error in
            XCTAssertTrue("\(error)".contains("already used"), "\(error)")
        }
        XCTAssertThrowsError(try load("rule a:\n    output: \"x\", \"x\"\n")) { error in
            XCTAssertTrue("\(error)".contains("Duplicate output"), "\(error)")
        }
    }

    func testRunBlockKeepsDedentedSource() throws {
        let w = try load("""
        rule r:
            output: "o.txt"
            run:
                with open(output[0], "w") as f:
                    f.write("x")
        """)
        guard case .run(let block) = try XCTUnwrap(w.rule(named: "r")).action else { return XCTFail("run: expected") }
        XCTAssertEqual(block.text.trimmingCharacters(in: .whitespacesAndNewlines),
                       "with open(output[0], \"w\") as f:\n    f.write(\"x\")")
    }

    func testIncludedAndModuleRulesAreNotDefaultTargets() throws {
        try write("rules/extra.smk", "rule extra:\n    output: \"e.txt\"\n    shell: \"touch {output}\"\n")
        try write("mod/Snakefile", "rule a:\n    output: \"m/{x}.txt\"\n    shell: \"touch {output}\"\n")
        let w = try load("""
        include: "rules/extra.smk"
        module m:
            snakefile: "mod/Snakefile"
        use rule * from m as m_*
        rule main:
            input: "e.txt"
        """)
        XCTAssertEqual(w.rules.map(\.name), ["extra", "m_a", "main"])
        XCTAssertEqual(w.defaultTarget?.name, "main")
    }

    func testUseRuleWithOverridesAndRulesReferences() throws {
        let w = try load("""
        rule base:
            output: "base.txt"
            params: p=1
            shell: "echo {params.p} > {output}"
        use rule base as derived with:
            output: "derived.txt"
        rule consumer:
            input: rules.derived.output[0]
        """)
        let derived = try XCTUnwrap(w.rule(named: "derived"))
        XCTAssertEqual(derived.output.items.map(\.pattern), ["derived.txt"])
        guard case .file(let f) = try XCTUnwrap(w.rule(named: "consumer")).input[0].item else { return XCTFail() }
        XCTAssertEqual(f.pattern, "derived.txt")
    }

    func testShellFormatterFollowsSnakemake() throws {
        let interp = Interpreter()
        let input = NamedListObject(typeName: "InputFiles", paths: ["a b.txt", "c.txt"],
                                    names: [NameRange("pair", 0..<2, isSingle: false)])
        let params = NamedListObject(items: [.list(PyList([.int(1), .int(2)]))])
        let ns: [String: Value] = [
            "input": .object(input), "params": .object(params), "threads": .int(2),
            "wildcards": .object(NamedListObject(wildcards: [("s", "x"), ("n", "1")])),
        ]
        func fmt(_ t: String) throws -> String { try ShellFormatter.format(t, namespace: ns, interpreter: interp) }
        XCTAssertEqual(try fmt("cat {input} {{literal}}"), "cat a b.txt c.txt {literal}")
        XCTAssertEqual(try fmt("cat {input:q}"), "cat 'a b.txt' c.txt")
        XCTAssertEqual(try fmt("{input.pair}"), "a b.txt c.txt")
        XCTAssertEqual(try fmt("{input[1]} {params[0]} {threads}"), "c.txt 1 2 2")
        XCTAssertEqual(try fmt("{wildcards.s} {wildcards}"), "x s=x, n=1")
        XCTAssertThrowsError(try fmt("{nosuchname}")) { error in
            XCTAssertTrue("\(error)".contains("nosuchname"), "\(error)")
        }
    }

    func testCheckpointGetSignalsUntilOutputsExist() throws {
        let w = try load("""
        checkpoint split:
            output: directory("\(dir)/parts/{s}")
            shell: "mkdir -p {output}"
        def after(wildcards):
            return checkpoints.split.get(s=wildcards.s).output[0]
        """)
        let after = try XCTUnwrap(w.interpreter.globals.get("after"))
        let wildcards = Value.object(NamedListObject(wildcards: [("s", "A")]))
        XCTAssertThrowsError(try w.interpreter.call(after, Arguments([wildcards]))) { error in
            guard let e = error as? PyError, case .object(let o)? = e.value, let pending = o as? CheckpointPending else {
                return XCTFail("expected the checkpoint signal, got \(error)")
            }
            XCTAssertEqual(pending.rule, "split")
            XCTAssertEqual(pending.outputs, ["\(self.dir)/parts/A"])
        }
        try FileManager.default.createDirectory(atPath: dir + "/parts/A", withIntermediateDirectories: true)
        XCTAssertEqual(try w.interpreter.call(after, Arguments([wildcards])).pathValue, dir + "/parts/A")
    }

    func testUnknownModulesAndMissingSnakefilesGiveClearErrors() throws {
        XCTAssertThrowsError(try load("import pandas\n")) { error in
            XCTAssertTrue("\(error)".contains("module 'pandas' is not available in flow"), "\(error)")
        }
        XCTAssertThrowsError(try WorkflowLoader.load(WorkflowOptions(snakefile: dir + "/missing/Snakefile"))) { error in
            XCTAssertTrue("\(error)".contains("not found"), "\(error)")
        }
    }
}
