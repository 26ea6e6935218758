// Modules as Snakemake uses them: `use rule` with prefixes (what they leave alone, nested ones),
// `rules.X` inside a module meaning the rule as used, each module's own wildcard constraints and
// config, `with:` merging params, and errors in module declarations.

import Foundation
import XCTest
import FlowLang
@testable import FlowWorkflow

final class ModuleTests: SnakefileTestCase {
    private func files(_ rule: Rule?) -> [String] {
        guard let rule else { return [] }
        let inputs: [String] = rule.input.compactMap { if case .file(let f) = $0.item { return f.pattern }; return nil }
        return inputs + ["->"] + rule.output.items.map(\.pattern) + rule.log.items.map(\.pattern)
    }

    func testPrefixLeavesLocalAbsoluteAndParentPathsAlone() throws {
        try write("m/Snakefile", """
        rule a:
            input: local("in.txt"), "/abs/x.txt", "../up.txt", "rel.txt"
            output: "out.txt"
            log: "a.log"
            shell: "cat {input} > {output}"
        """)
        let w = try load("""
        module m:
            snakefile: "m/Snakefile"
            prefix: "p"
        use rule * from m as m_*
        use rule a from m as other with:
            output: "other.txt"
        """)
        XCTAssertEqual(files(w.rule(named: "m_a")), ["in.txt", "/abs/x.txt", "../up.txt", "p/rel.txt", "->", "p/out.txt", "p/a.log"])
        // What `with:` replaces is taken as written there.
        XCTAssertEqual(files(w.rule(named: "other")), ["in.txt", "/abs/x.txt", "../up.txt", "p/rel.txt", "->", "other.txt", "p/a.log"])
    }

    func testNestedModulePrefixesCompose() throws {
        try write("deep.smk", """
        rule run:
            output: txt="A/foo.txt"
            shell: "touch {output}"
        rule run2:
            input: rules.run.output.txt
            output: "out/run2.txt"
            shell: "cp {input} {output}"
        """)
        try write("shallow.smk", """
        module A:
            snakefile: "deep.smk"
            prefix: "b-"
        use rule * from A as A_*
        """)
        let w = try load("""
        module B:
            snakefile: "shallow.smk"
            replace_prefix: {"b-/A/": ""}
        use rule * from B as B_*
        use rule A_run2 from B as again with:
            threads: 2
        """)
        XCTAssertEqual(files(w.rule(named: "B_A_run")), ["->", "foo.txt"])
        XCTAssertEqual(files(w.rule(named: "B_A_run2")), ["foo.txt", "->", "b-/out/run2.txt"])
        XCTAssertEqual(files(w.rule(named: "again")), ["foo.txt", "->", "b-/out/run2.txt"])
        // `rules.run.output` named run's job as the producer, by its final name.
        XCTAssertEqual(w.rule(named: "B_A_run2")?.inputProducers, [0: "B_A_run"])
    }

    func testRulesInsideAModuleMeanTheUsedRules() throws {
        try write("m/Snakefile", """
        rule a:
            output: a="results/a.txt"
            shell: "touch {output}"
        def unpack_a(wildcards):
            return {"a": rules.a.output.a}
        def path_of_a():
            return rules.a.output.a
        """)
        let w = try load("""
        module other:
            snakefile: "m/Snakefile"
            prefix: "results/other"
        use rule * from other as other_*
        rule all:
            input: rules.other_a.output.a
        """)
        XCTAssertEqual(files(w.rule(named: "all")), ["results/other/results/a.txt", "->"])
        XCTAssertEqual(w.rule(named: "all")?.inputProducers, [0: "other_a"])
        // The mark against prefixing twice does not reach the registered rule (nor the DAG).
        guard case .file(let input)? = w.rule(named: "all")?.input.first?.item else { return XCTFail() }
        XCTAssertEqual(input.flags, [])
        // Called once the workflow is loaded (as input functions are): the used rule, marked as
        // already prefixed so that a function result is not prefixed again.
        let module = try XCTUnwrap(w.interpreter.globals.get("other"))
        let function = try w.interpreter.getAttribute(module, "path_of_a")
        let path = try w.interpreter.call(function, Arguments())
        XCTAssertEqual(path.stringValue, "results/other/results/a.txt")
        guard case .object(let o) = path, let flagged = o as? FlaggedPathObject else { return XCTFail("\(path)") }
        XCTAssertTrue(flagged.flags.contains(.pathModified))
        XCTAssertEqual(flagged.producer, "other_a")
    }

    func testEachModuleKeepsItsWildcardConstraintsAndConfig() throws {
        try write("m/Snakefile", """
        rule a:
            output: "result/{sample}.txt"
            shell: "echo {config} > {output}"
        wildcard_constraints:
            sample="a"
        """)
        let w = try load("""
        module m:
            snakefile: "m/Snakefile"
            config: ["AAA"]
        use rule * from m
        rule b:
            output: "result/{sample}.txt"
            shell: "touch {output}"
        wildcard_constraints:
            sample="b"
        """)
        XCTAssertEqual(w.rule(named: "a")?.moduleWildcardConstraints, ["sample": "a"])
        XCTAssertNil(w.rule(named: "b")?.moduleWildcardConstraints)
        XCTAssertEqual(w.wildcardConstraints, ["sample": "b"])
        XCTAssertEqual(try w.interpreter.repr(try XCTUnwrap(w.rule(named: "a")?.moduleConfig)), "['AAA']")
        XCTAssertNil(w.rule(named: "b")?.moduleConfig)
    }

    func testUseRuleParamsMergeAsSnakemakeMergesThem() throws {
        let w = try load("""
        rule a:
            params: "pos1", "pos2", a=3, b=6
            output: "a.txt"
            shell: "echo {params} > {output}"
        use rule a as named_only with:
            params: b=9, c=1
            output: "b.txt"
        use rule a as positional with:
            params: "pos3", b=9
            output: "c.txt"
        """)
        func params(_ name: String) throws -> [String] {
            try XCTUnwrap(w.rule(named: name)).params.map { "\($0.name ?? "_")=\(try w.interpreter.str($0.value))" }
        }
        XCTAssertEqual(try params("named_only"), ["_=pos1", "_=pos2", "a=3", "b=9", "c=1"])
        XCTAssertEqual(try params("positional"), ["_=pos3", "a=3", "b=9"])
    }

    func testUseRuleStarWithWithIsAnErrorAsInSnakemake() throws {
        try write("m/Snakefile", """
        rule a:
            output: "a.txt"
            shell: "touch {output}"
        """)
        XCTAssertThrowsError(try load("""
        module M:
            snakefile: "m/Snakefile"
        use rule * from M as M_* with:
            threads: 4
        """)) { error in
            XCTAssertTrue("\(error)".contains("not allowed in combination with rule pattern '*'"), "\(error)")
        }
    }

    func testUsedRuleNamesCollideUnlessAStarImportMadeThem() throws {
        try write("m/Snakefile", """
        rule a:
            output: "a.txt"
            shell: "touch {output}"
        """)
        let module = "module m:\n    snakefile: \"m/Snakefile\"\n"
        // Changing a rule a `use rule *` made, under the same name: allowed once.
        let w = try load(module + "use rule * from m as m_*\nuse rule a from m as m_a with:\n    output: \"b.txt\"\n")
        XCTAssertEqual(w.rule(named: "m_a")?.output.items.map(\.pattern), ["b.txt"])
        XCTAssertThrowsError(try load(module + """
        use rule * from m as m_*
        use rule a from m as m_a with:
            threads: 1
        use rule a from m as m_a with:
            threads: 2
        """)) { error in
            XCTAssertTrue("\(error)".contains("modified more than once"), "\(error)")
        }
        // A `use rule *` whose names are taken already.
        XCTAssertThrowsError(try load(module + """
        use rule a from m as m_a with:
            output: "b.txt"
        use rule * from m as m_*
        """)) { error in
            XCTAssertTrue("\(error)".contains("already used by another rule"), "\(error)")
        }
    }

    func testModuleNamedTwiceIsAnError() throws {
        try write("m/Snakefile", "rule a:\n    output: \"a.txt\"\n")
        XCTAssertThrowsError(try load("""
        module test:
            name: "test"
            snakefile: "m/Snakefile"
        """)) { error in
            XCTAssertTrue("\(error)".contains("Ambiguous module name"), "\(error)")
        }
    }

    func testShellFStringIsEvaluatedAgainWithTheJobsNames() throws {
        let w = try load("""
        rule run:
            output: txt="A/foo.txt"
            shell: f"echo {{wildcards}} > {output.txt}"
        """)
        let rule = try XCTUnwrap(w.rule(named: "run"))
        // At definition time `output.txt` is a deferred item, as in Snakemake.
        guard case .shell(let shown) = rule.action else { return XCTFail() }
        XCTAssertFalse(shown.contains("A/foo.txt"), shown)
        let output = NamedListObject(typeName: "OutputFiles", paths: ["A/foo.txt"], names: [NameRange("txt", 0..<1, isSingle: true)])
        let command = try w.interpreter.call(try XCTUnwrap(rule.shellAtJobTime),
                                             Arguments([], keywords: [(name: "output", value: .object(output))]))
        XCTAssertEqual(command.stringValue, "echo {wildcards} > A/foo.txt")
    }
}
