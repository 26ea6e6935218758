// Which rule and which wildcard values produce a requested file, where Snakemake decides by more
// than output patterns: `rules.X.output` naming the producer, log files as products, the
// requesting job's wildcard values, and the paths input functions return in modules.

import FlowDAG
import FlowStorage
import FlowLang
import FlowWorkflow
import XCTest

final class RuleChoiceTests: XCTestCase {
    func testInputNamingItsProducerRuleIsNotAmbiguous() throws {
        // b and c both produce {sample}.inter; d's input is `rules.b.output`.
        let rules = [
            makeRule("all", input: ["test.out"], shell: nil),
            makeRule("a", output: ["{sample}.in"]),
            makeRule("b", input: ["{sample}.in"], output: ["{sample}.inter"]),
            makeRule("c", input: ["{sample}.in"], output: ["{sample}.inter"], shell: "exit 1"),
            makeRule("d", input: ["{sample}.inter"], output: ["{sample}.out"]) { $0.inputProducers = [0: "b"] },
        ]
        let dag = try DAG(workflow: makeWorkflow(rules), disk: InMemoryStorage())
        let inter = try XCTUnwrap(dag.job(producing: "test.inter"))
        XCTAssertEqual(dag.ruleName(of: inter), "b")

        // Without the producer named, both rules fit: Snakemake's ambiguity error.
        var plain = rules
        plain[4].inputProducers = [:]
        XCTAssertThrowsDAGError(try DAG(workflow: makeWorkflow(plain), disk: InMemoryStorage())) {
            XCTAssertTrue($0.contains("ambiguous"), $0)
        }
    }

    func testLogFileIsProducedByItsRuleAndMakesItRun() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["test.a.txt"], shell: nil),
            makeRule("a", output: ["unused.{sample}.txt"], log: ["logs/{sample}.txt"]),
            makeRule("b", input: ["logs/{sample}.txt"], output: ["test.{sample}.txt"]),
        ])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage())
        let a = try XCTUnwrap(dag.job(producing: "logs/a.txt"))
        XCTAssertEqual(dag.ruleName(of: a), "a")
        XCTAssertEqual(dag.wildcards(of: a), ["sample": "a"])
        let plan = try Plan(dag: dag)
        XCTAssertEqual(plan.runJobs.map { dag.ruleName(of: $0) }, ["a", "b", "all"])

        // The log exists: its job need not run for it.
        let done = try DAG(workflow: wf, disk: InMemoryStorage(["logs/a.txt": 1]))
        XCTAssertEqual(try Plan(dag: done).runJobs.map { done.ruleName(of: $0) }, ["b", "all"])
    }

    func testLogWithoutAllWildcardsIsNoProduct() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["logs/run.txt"], shell: nil),
            makeRule("a", output: ["out/{x}/{y}.txt"], log: ["logs/{x}.txt"]),
        ])
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: InMemoryStorage())) {
            XCTAssertTrue($0.contains("logs/run.txt"), $0)
        }
    }

    func testRequestingJobsWildcardValuesDecideAnAmbiguousSplit() throws {
        // "foo.ar1.fq" splits as sample=ar, read=1 by pattern; the requester has sample=a, read=r1.
        let wf = makeWorkflow([
            makeRule("all", input: ["test.a.r1.fq"], shell: nil),
            makeRule("a", input: ["foo.{sample}{read}.fq"], output: ["test.{sample}.{read}.fq"]),
            makeRule("b", output: ["foo.{sample}{read}.fq"]),
        ])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage())
        let b = try XCTUnwrap(dag.job(producing: "foo.ar1.fq"))
        XCTAssertEqual(dag.wildcards(of: b), ["sample": "a", "read": "r1"])

        // Values that break the producer's constraints are not taken over.
        let constrained = makeWorkflow([
            makeRule("all", input: ["test.a.r1.fq"], shell: nil),
            makeRule("a", input: ["foo.{sample}{read}.fq"], output: ["test.{sample}.{read}.fq"]),
            makeRule("b", output: ["foo.{sample}{read,[0-9]+}.fq"]),
        ])
        let other = try DAG(workflow: constrained, disk: InMemoryStorage())
        XCTAssertEqual(other.wildcards(of: try XCTUnwrap(other.job(producing: "foo.ar1.fq"))), ["sample": "ar", "read": "1"])
    }

    func testInputFunctionResultsGetPathvarsAndModulePrefixes() throws {
        var pathvars = Pathvars.defaults
        try pathvars.update([("name", "test")], level: .rule)
        let wf = makeWorkflow([
            makeRule("all", input: ["m/out.txt"], shell: nil),
            makeRule("m_b", output: ["m/out.txt"]) {
                $0.pathvars = pathvars
                $0.pathModifiers = [PathModifier(prefix: "m", replacePrefix: [])]
                $0.input = [
                    (nil, .function(inputFunction { _ in .str("<resources>/<name>.txt") }, flags: [])),
                    // A path already under the module (`rules.X.output` of a used rule) stays as it is.
                    (nil, .function(inputFunction { _ in .object(FlaggedPathObject("m/a.txt", flags: .pathModified)) }, flags: [])),
                    (nil, .function(inputFunction { _ in .object(FlaggedPathObject("here.txt", flags: .local)) }, flags: [])),
                ]
            },
        ])
        let disk = InMemoryStorage(["m/resources/test.txt": 1, "m/a.txt": 1, "here.txt": 1])
        let dag = try DAG(workflow: wf, disk: disk)
        let b = try XCTUnwrap(dag.job(producing: "m/out.txt"))
        XCTAssertEqual(dag.inputPaths(of: b), ["m/resources/test.txt", "m/a.txt", "here.txt"])
    }
}
