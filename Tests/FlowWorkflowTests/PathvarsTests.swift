// Path variables (`<results>`): where they are defined, which definition wins, and the errors for
// cycles, undefined names and invalid definitions.

import Foundation
import XCTest
import FlowLang
@testable import FlowWorkflow

final class PathvarsTests: SnakefileTestCase {
    private func load(_ snakefile: String, configFile: String) throws -> Workflow {
        try write("config.yaml", configFile)
        return try load(snakefile, configFiles: ["config.yaml"])
    }

    private func outputs(_ w: Workflow, _ rule: String) -> [String] {
        w.rule(named: rule)?.output.items.map(\.pattern) ?? []
    }

    private func inputs(_ w: Workflow, _ rule: String) -> [String] {
        w.rule(named: rule)?.input.compactMap { if case .file(let f) = $0.item { return f.pattern }; return nil } ?? []
    }

    func testApplyResolvesNestedDefinitionsAndKeepsOtherAngleBrackets() throws {
        var p = Pathvars.defaults
        try p.update([("per", "{sample}"), ("nested", "<per>/x")], level: .workflow)
        XCTAssertEqual(try p.apply("<results>/<nested>.txt"), "results/{sample}/x.txt")
        XCTAssertEqual(try p.apply("a<b.txt"), "a<b.txt")
        XCTAssertEqual(try p.apply("<Not-A-Name>.txt"), "<Not-A-Name>.txt")
        XCTAssertThrowsError(try p.apply("<nothere>/x")) { error in
            XCTAssertTrue("\(error)".contains("Undefined pathvar 'nothere'"), "\(error)")
        }
    }

    func testLevelsDecideWhichDefinitionWins() throws {
        var p = Pathvars.defaults
        try p.update([("results", "rule")], level: .rule)
        try p.update([("results", "workflow")], level: .workflow)
        XCTAssertEqual(p.items["results"], "rule")
        try p.update([("results", "module-a")], level: .module)
        XCTAssertEqual(p.items["results"], "rule")
        var q = Pathvars.defaults
        try q.update([("results", "module-a")], level: .module)
        try q.update([("results", "module-b")], level: .module)
        XCTAssertEqual(q.items["results"], "module-b", "the later of the same level wins")
    }

    func testCyclicDefinitionsAreAnError() throws {
        XCTAssertThrowsError(try load("""
        pathvars:
            foo="foo/<bar>",
            bar="<foo>",
        """)) { error in
            XCTAssertTrue("\(error)".contains("Cyclic pathvar reference"), "\(error)")
        }
        XCTAssertThrowsError(try load("pathvars:\n    Bad=\"x\"\n")) { error in
            XCTAssertTrue("\(error)".contains("valid pathvar names"), "\(error)")
        }
    }

    func testWorkflowConfigAndRulePathvars() throws {
        let w = try load("""
        pathvars:
            results="results/custom",
            per="{sample}",
        rule a:
            output: "<results>/a/<per>.txt"
            shell: "touch {output}"
        rule b:
            input: "<results>/a/<per>.txt", "<resources>/<resname>.txt"
            output: "<results>/b/<per>.txt"
            pathvars: resname="test"
            shell: "touch {output}"
        use rule b as c with:
            output: "<results>/c/<per>.csv"
            pathvars: resname="test2"
        """, configFile: "pathvars:\n  resources: res\n")
        XCTAssertEqual(outputs(w, "a"), ["results/custom/a/{sample}.txt"])
        XCTAssertEqual(inputs(w, "b"), ["results/custom/a/{sample}.txt", "res/test.txt"])
        // The inherited input is resolved again with the new rule's own pathvars.
        XCTAssertEqual(inputs(w, "c"), ["results/custom/a/{sample}.txt", "res/test2.txt"])
        XCTAssertEqual(outputs(w, "c"), ["results/custom/c/{sample}.csv"])
        XCTAssertEqual(w.rule(named: "c")?.pathvars.items["resname"], "test2")
    }

    func testModulePathvarsBeatTheModulesOwnAndConfigPathvarsBeatThem() throws {
        try write("module/Snakefile", """
        pathvars:
            results="results/custom",
        rule b:
            output: "<results>/text.txt"
            shell: "touch {output}"
        """)
        let w = try load("""
        module foo:
            snakefile: "module/Snakefile"
            pathvars:
                results="results/foo"
        use rule * from foo as foo_*
        module foo2:
            snakefile: "module/Snakefile"
            pathvars:
                results="results/foo",
            config:
                {"pathvars": {"results": "results/foo2"}}
        use rule * from foo2 as foo2_*
        module foo3:
            snakefile: "module/Snakefile"
        use rule * from foo3 as foo3_*
        rule a:
            output: "<results>/text.txt"
            shell: "touch {output}"
        """)
        XCTAssertEqual(outputs(w, "foo_b"), ["results/foo/text.txt"])
        XCTAssertEqual(outputs(w, "foo2_b"), ["results/foo2/text.txt"])
        XCTAssertEqual(outputs(w, "foo3_b"), ["results/custom/text.txt"])
        XCTAssertEqual(outputs(w, "a"), ["results/text.txt"])
    }
}
