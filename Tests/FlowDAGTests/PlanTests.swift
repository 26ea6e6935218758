import FlowDAG
import FlowStorage
import FlowLang
import FlowWorkflow
import XCTest

/// a.in -> [mid] -> b.mid -> [final] -> c.out, with `all` collecting c.out.
private func chain(midFlags: [FileFlags] = [[]], finalInputFlags: [FileFlags] = [[]]) -> Workflow {
    makeWorkflow([
        makeRule("all", input: ["c.out"], shell: nil),
        makeRule("final", input: ["b.mid"], output: ["c.out"], inputFlags: finalInputFlags),
        makeRule("mid", input: ["a.in"], output: ["b.mid"], outputFlags: midFlags),
    ])
}

final class PlanTests: XCTestCase {
    func testNothingToDoWhenUpToDate() throws {
        let disk = InMemoryStorage(["a.in": 1, "b.mid": 2, "c.out": 3])
        let dag = try DAG(workflow: chain(), disk: disk)
        let plan = try Plan(dag: dag)
        XCTAssertEqual(plan.runJobs, [])
        XCTAssertTrue(plan.jobCounts.isEmpty)
    }

    func testMissingOutputAndPropagation() throws {
        let disk = InMemoryStorage(["a.in": 1])
        let dag = try DAG(workflow: chain(), disk: disk)
        let plan = try Plan(dag: dag)
        XCTAssertEqual(plan.runJobs.map { dag.ruleName(of: $0) }, ["mid", "final", "all"])
        XCTAssertEqual(plan.reasonText(dag, producing: "b.mid"), "Missing output files: b.mid")
        XCTAssertEqual(plan.reasonText(dag, producing: "c.out"),
                       "Missing output files: c.out; Input files updated by another job: b.mid")
        XCTAssertEqual(plan.reasonText(of: dag.targetJobs[0]), "Input files updated by another job: c.out")
        XCTAssertEqual(plan.jobCounts.map { "\($0.rule)=\($0.count)" }, ["all=1", "final=1", "mid=1"])
    }

    func testUpdatedInput() throws {
        let disk = InMemoryStorage(["a.in": 10, "b.mid": 2, "c.out": 3])
        let dag = try DAG(workflow: chain(), disk: disk)
        let plan = try Plan(dag: dag)
        XCTAssertEqual(plan.reasonText(dag, producing: "b.mid"), "Updated input files: a.in")
        XCTAssertEqual(plan.reasonText(dag, producing: "c.out"), "Input files updated by another job: b.mid")
        // With --rerun-triggers without mtime, newer inputs do not count.
        var options = PlanOptions()
        options.rerunTriggers = [.params, .code]
        XCTAssertEqual(try Plan(dag: dag, options: options).runJobs, [])
    }

    func testDeletedIntermediateIsNotRebuiltWhenDownstreamIsNewer() throws {
        let disk = InMemoryStorage(["a.in": 1, "c.out": 3])
        let dag = try DAG(workflow: chain(midFlags: [.temp]), disk: disk)
        XCTAssertEqual(try Plan(dag: dag).runJobs, [])
        // ... but it is when its input is newer than the final output.
        disk.touch("a.in", mtime: 5)
        let plan = try Plan(dag: DAG(workflow: chain(midFlags: [.temp]), disk: disk))
        XCTAssertEqual(plan.runJobs.count, 3)
    }

    func testAncientInputIgnoresMtimeAndUpstreamRuns() throws {
        let disk = InMemoryStorage(["a.in": 10, "b.mid": 20, "c.out": 3])
        let dag = try DAG(workflow: chain(finalInputFlags: [.ancient]), disk: disk)
        XCTAssertEqual(try Plan(dag: dag).runJobs, [])
        var options = PlanOptions()
        options.forceRules = ["mid"]
        let plan = try Plan(dag: dag, options: options)
        XCTAssertEqual(plan.runJobs.map { dag.ruleName(of: $0) }, ["mid"])
        XCTAssertEqual(plan.reasonText(dag, producing: "b.mid"), "Forced execution")
    }

    func testForceAllForceTargetsAndForceRun() throws {
        let disk = InMemoryStorage(["a.in": 1, "b.mid": 2, "c.out": 3])
        let dag = try DAG(workflow: chain(), disk: disk)
        var all = PlanOptions()
        all.forceAll = true
        XCTAssertEqual(try Plan(dag: dag, options: all).runJobs.count, 3)
        var run = PlanOptions()
        run.forceRules = ["mid"]
        let plan = try Plan(dag: dag, options: run)
        XCTAssertEqual(plan.runJobs.map { dag.ruleName(of: $0) }, ["mid", "final", "all"])
        XCTAssertEqual(plan.reasonText(dag, producing: "c.out"), "Input files updated by another job: b.mid")
        let targeted = try DAG(workflow: chain(), disk: disk, targets: ["c.out"])
        var force = PlanOptions()
        force.forceTargets = true
        XCTAssertEqual(try Plan(dag: targeted, options: force).runJobs.map { targeted.ruleName(of: $0) }, ["final"])
    }

    func testUntilAndOmitFrom() throws {
        let disk = InMemoryStorage(["a.in": 1])
        let dag = try DAG(workflow: chain(), disk: disk)
        var until = PlanOptions()
        until.until = ["mid"]
        XCTAssertEqual(try Plan(dag: dag, options: until).runJobs.map { dag.ruleName(of: $0) }, ["mid"])
        var untilFile = PlanOptions()
        untilFile.until = ["c.out"]
        XCTAssertEqual(try Plan(dag: dag, options: untilFile).runJobs.map { dag.ruleName(of: $0) }, ["mid", "final"])
        var omit = PlanOptions()
        omit.omitFrom = ["final"]
        let plan = try Plan(dag: dag, options: omit)
        XCTAssertEqual(plan.runJobs.map { dag.ruleName(of: $0) }, ["mid"])
        XCTAssertEqual(plan.reasonText(dag, producing: "b.mid"), "Missing output files: b.mid")
    }

    func testProvenanceTriggers() throws {
        let disk = InMemoryStorage(["a.in": 1, "b.mid": 2, "c.out": 3])
        let dag = try DAG(workflow: chain(), disk: disk)
        let mid = try XCTUnwrap(dag.job(producing: "b.mid"))
        let code = JobSignature.codeHash(of: dag.rule(of: mid))
        let prov = FakeProvenance()
        prov.records["b.mid"] = OutputProvenance(paramsHash: "p1", codeHash: code, input: ["a.in"], softwareHash: nil)
        var options = PlanOptions()
        options.signature = { _, _ in JobSignature(paramsHash: "p1", codeHash: code) }
        XCTAssertEqual(try Plan(dag: dag, provenance: prov, options: options).runJobs, [])

        options.signature = { _, _ in JobSignature(paramsHash: "p2", codeHash: code) }
        var plan = try Plan(dag: dag, provenance: prov, options: options)
        XCTAssertEqual(plan.reasonText(of: mid), "Params have changed since last execution")
        XCTAssertEqual(plan.runJobs.count, 3)
        options.rerunTriggers = [.mtime, .code]
        XCTAssertEqual(try Plan(dag: dag, provenance: prov, options: options).runJobs, [])

        prov.records["b.mid"] = OutputProvenance(params: ["x=1", "y=2"], codeHash: code, input: ["a.in"])
        options = PlanOptions()
        options.signature = { _, _ in JobSignature(params: ["x=1", "y=3"], codeHash: code) }
        plan = try Plan(dag: dag, provenance: prov, options: options)
        XCTAssertEqual(plan.reasonText(of: mid), "Params have changed since last execution: Union of exclusive params "
                       + "before and now across all output: before: y=2 now: y=3 ")

        prov.records["b.mid"] = OutputProvenance(paramsHash: "p1", codeHash: "old", input: ["a.in"])
        plan = try Plan(dag: dag, provenance: prov)
        XCTAssertEqual(plan.reasonText(of: mid), "Code has changed since last execution")

        prov.records["b.mid"] = OutputProvenance(codeHash: code, input: ["other.in"])
        plan = try Plan(dag: dag, provenance: prov)
        XCTAssertEqual(plan.reasonText(of: mid), "Set of input files has changed since last execution")

        prov.records["b.mid"] = OutputProvenance(codeHash: code, input: ["a.in"], softwareHash: "conda-old")
        plan = try Plan(dag: dag, provenance: prov)
        XCTAssertEqual(plan.reasonText(of: mid), "Software environment definition has changed since last execution")
    }

    func testEditedScriptCountsAsCodeChange() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["o.txt"], shell: nil),
            makeRule("s", input: ["i.txt"], output: ["o.txt"], shell: nil) { $0.action = .script("scripts/s.py") },
        ])
        let disk = InMemoryStorage(["i.txt": 1, "o.txt": 5, "scripts/s.py": 2])
        let dag = try DAG(workflow: wf, disk: disk)
        let prov = FakeProvenance()
        XCTAssertEqual(try Plan(dag: dag, provenance: prov).runJobs, [])
        disk.touch("scripts/s.py", mtime: 9)
        let plan = try Plan(dag: dag, provenance: prov)
        XCTAssertEqual(plan.reasonText(dag, producing: "o.txt"), "Code has changed since last execution")
        XCTAssertEqual(dag.outputs(of: dag.job(producing: "o.txt")!, flagged: .temp), [])
    }

    func testIncompleteOutputs() throws {
        let disk = InMemoryStorage(["a.in": 1, "b.mid": 2, "c.out": 3])
        let dag = try DAG(workflow: chain(), disk: disk)
        let prov = FakeProvenance()
        prov.incomplete = ["b.mid"]
        XCTAssertThrowsDAGError(try Plan(dag: dag, provenance: prov)) {
            XCTAssertTrue($0.contains("Incomplete files:\nb.mid"), $0)
        }
        var options = PlanOptions()
        options.rerunIncomplete = true
        let plan = try Plan(dag: dag, provenance: prov, options: options)
        XCTAssertEqual(plan.reasonText(dag, producing: "b.mid"), "Incomplete output files: b.mid")
        XCTAssertEqual(plan.runJobs.count, 3)
    }

    func testTargetRulesWithoutOutput() throws {
        let wf = makeWorkflow([
            makeRule("hello", shell: "echo hi"),
            makeRule("collect", input: ["x"], shell: "cat x"),
        ])
        let disk = InMemoryStorage(["x": 1])
        let dag = try DAG(workflow: wf, disk: disk, targets: ["hello", "collect"])
        let plan = try Plan(dag: dag)
        XCTAssertEqual(plan.reasonText(of: 0), "Rules with neither input nor output files are always executed.")
        XCTAssertEqual(plan.reasonText(of: 1), "Rules with a run or shell declaration but no output are always executed.")
    }

    func testTempConsumers() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["x.1", "x.2"], shell: nil),
            makeRule("use", input: ["t.tmp"], output: ["x.{n}"]),
            makeRule("make", output: ["t.tmp"], outputFlags: [.temp]),
        ])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage())
        let plan = try Plan(dag: dag)
        let make = try XCTUnwrap(dag.job(producing: "t.tmp"))
        XCTAssertEqual(Set(plan.tempConsumers(of: make).map { dag.jobKey($0) }), ["use[n=1]", "use[n=2]"])
        XCTAssertEqual(plan.tempConsumers(of: dag.targetJobs[0]), [])
    }

    func testDirectoryOutputUsesTimestampFile() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["d.done"], shell: nil),
            makeRule("use", input: ["d"], output: ["d.done"]),
            makeRule("dir", input: ["src"], output: ["d"], outputFlags: [.directory]),
        ])
        let disk = InMemoryStorage(["src": 5, "d.done": 20])
        disk.touch("d", mtime: 1, isDirectory: true)
        disk.touch("d/.snakemake_timestamp", mtime: 10)
        let dag = try DAG(workflow: wf, disk: disk)
        XCTAssertEqual(try Plan(dag: dag).runJobs, [])
    }

    func testEachPathIsStatedOncePerPlan() throws {
        let disk = InMemoryStorage(["a.in": 10, "b.mid": 2, "c.out": 3])
        let dag = try DAG(workflow: chain(), disk: disk)
        let before = disk.statCount
        _ = try Plan(dag: dag)
        XCTAssertLessThanOrEqual(disk.statCount - before, dag.files.count)
    }
}

final class WholeSecondTimeTests: XCTestCase {
    func testNewerIsStrictAndWholeSecondTimesCompareBySeconds() {
        XCTAssertTrue(Plan.isNewer(10.5, than: 10.25))
        XCTAssertFalse(Plan.isNewer(10.25, than: 10.25))
        // An output stored where times have whole seconds (10) and an input written at 10.7 in that
        // same second: not newer.
        XCTAssertFalse(Plan.isNewer(10.7, than: 10))
        XCTAssertTrue(Plan.isNewer(11.0, than: 10))
    }
}
