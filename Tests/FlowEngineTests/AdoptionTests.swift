// A flow killed with SIGKILL leaves its remote jobs running. The next flow must adopt each of
// them as the same job (matched by rule and wildcards, never by the DAG's numbering, which a
// checkpoint changes between the two runs) so that nothing runs twice, or, with
// --cancel-previous, cancel them and run the work afresh. The first run is a child process
// (this test binary re-run) so that it can really be killed; the batch system is a
// `DirectoryCluster`, which outlives it.

import Foundation
import XCTest
import FlowExec
@testable import FlowEngine
import FlowSystem

final class AdoptionTests: WorkdirTestCase {
    /// A checkpoint decides which `process` jobs exist: in the first run they are added after it
    /// ran (numbered last); in the restart they are built with the DAG (numbered first).
    static let snakefile = """
        checkpoint split:
            output: directory("parts")
            shell: "mkdir -p parts && for p in x y z; do echo $p > parts/$p.txt; done"

        rule other:
            output: "other/{i}.txt"
            shell: "echo {wildcards.i} > {output}"

        def processed(wildcards):
            parts = checkpoints.split.get().output[0]
            return expand("processed/{p}.txt", p=glob_wildcards(parts + "/{p}.txt").p)

        rule all:
            input: processed, expand("other/{i}.txt", i=range(4))
            default_target: True

        rule process:
            input: "parts/{p}.txt"
            output: "processed/{p}.txt"
            shell: "tr a-z A-Z < {input} > {output} && echo {wildcards.p} >> executions.log"
        """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try LocalFiles.makeDirectories(directory + "/work")
        try LocalFiles.writeAtomically(Self.snakefile, to: directory + "/work/Snakefile")
    }

    private var cluster: DirectoryCluster { get throws { try DirectoryCluster(directory: directory + "/cluster") } }

    private func runEngine(cancelPrevious: Bool = false, unlock: Bool = false) throws -> (Int32, RecordingReporter) {
        var options = EngineOptions()
        options.unlock = unlock
        options.directory = directory + "/work"
        options.cores = 2
        options.cancelPrevious = cancelPrevious
        options.latencyWait = 1
        let reporter = RecordingReporter()
        defer { FileManager.default.changeCurrentDirectoryPath(originalDirectory) }
        return (try Engine(options: options, reporter: reporter, executor: try cluster).run(), reporter)
    }

    /// Starts the first run in a child process with `process` jobs held, and kills it with
    /// SIGKILL once all three are submitted.
    private func killFirstRunWithJobsInFlight() throws {
        try cluster.hold(["process"])
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["FlowEngineTests.AdoptionTests/testChildRole"]
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW_ENGINE_CHILD_DIR"] = directory
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let deadline = Date().addingTimeInterval(60)
        while try cluster.events("submitted").filter({ $0.hasPrefix("process[") }).count < 3 {
            guard child.isRunning, Date() < deadline else { return XCTFail("the first run did not submit the process jobs") }
            usleep(20_000)
        }
        usleep(200_000)   // let the state store commit the remote ids (one scheduler step)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        // The held jobs go on running for a while after the restart: it finds them running.
        try cluster.hold(["process"], for: 1.5)
        // The killed flow's lock is stale; today a user removes it first (one command less is
        // the crash-safety issue's business).
        XCTAssertEqual(try runEngine(unlock: true).0, 0)
    }

    /// The first run, when this test binary is re-run as the child.
    func testChildRole() throws {
        guard let dir = ProcessInfo.processInfo.environment["FLOW_ENGINE_CHILD_DIR"] else { return }
        directory = dir
        _ = try runEngine()
    }

    private func ids(_ lines: [String], rule: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in lines where line.hasPrefix(rule + "[") {
            let words = line.split(separator: " ")
            result[String(words[0])] = String(words[1])
        }
        return result
    }

    func testRestartAdoptsEachJobByItsKeyAfterACheckpointRenumberedTheDAG() throws {
        try killFirstRunWithJobsInFlight()
        let submittedFirst = ids(try cluster.events("submitted"), rule: "process")
        XCTAssertEqual(submittedFirst.keys.sorted(), ["process[p=x]", "process[p=y]", "process[p=z]"])
        XCTAssertNil(try? String(contentsOfFile: directory + "/work/executions.log", encoding: .utf8))

        let (status, events) = try runEngine()
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason))")
        // No job was submitted again: all three were adopted, each as itself...
        XCTAssertEqual(ids(try cluster.events("submitted"), rule: "process"), submittedFirst)
        let adopted = ids(try cluster.events("adopted"), rule: "process")
        XCTAssertEqual(adopted.keys.sorted(), submittedFirst.keys.sorted())
        // ...although the restart numbered them differently (the point of matching by key).
        XCTAssertNotEqual(adopted, submittedFirst)
        // Each ran exactly once, and produced its own output.
        let executions = try String(contentsOfFile: directory + "/work/executions.log", encoding: .utf8)
        XCTAssertEqual(executions.split(separator: "\n").sorted(), ["x", "y", "z"])
        for p in ["x", "y", "z"] {
            XCTAssertEqual(try String(contentsOfFile: directory + "/work/processed/\(p).txt", encoding: .utf8), p.uppercased() + "\n")
        }
        XCTAssertTrue(events.infos.contains { $0.hasPrefix("Adopting 3 jobs") }, "\(events.infos)")
    }

    func testJobsThatFinishedWhileFlowWasDownKeepTheirOutputs() throws {
        try killFirstRunWithJobsInFlight()
        // The batch system runs the jobs while no flow is there.
        try cluster.runUnfinishedJobs()
        XCTAssertEqual(try String(contentsOfFile: directory + "/work/processed/x.txt", encoding: .utf8), "X\n")

        let (status, events) = try runEngine()
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason))")
        // Adopted as finished: not removed before adoption, not run again.
        XCTAssertEqual(try cluster.events("adopted").filter { $0.hasPrefix("process[") }.count, 0, "finished jobs are not running any more")
        let executions = try String(contentsOfFile: directory + "/work/executions.log", encoding: .utf8)
        XCTAssertEqual(executions.split(separator: "\n").sorted(), ["x", "y", "z"])
        for p in ["x", "y", "z"] {
            XCTAssertEqual(try String(contentsOfFile: directory + "/work/processed/\(p).txt", encoding: .utf8), p.uppercased() + "\n")
        }
    }

    func testCancelPreviousCancelsWhatTheKilledRunLeftAndRunsItAfresh() throws {
        try killFirstRunWithJobsInFlight()
        let left = try cluster.events("submitted").filter { $0.hasPrefix("process[") }.map { String($0.split(separator: " ")[2].dropFirst(5)) }
        XCTAssertEqual(left.count, 3)

        let (status, events) = try runEngine(cancelPrevious: true)
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason))")
        XCTAssertEqual(try cluster.events("cancelled").sorted(), left.sorted())
        XCTAssertTrue(try cluster.events("adopted").isEmpty)
        // The work ran once, as new jobs; the cancelled ones never ran.
        let submitted = try cluster.events("submitted").filter { $0.hasPrefix("process[") }
        XCTAssertEqual(submitted.count, 6)
        let executed = Set(try cluster.events("executed"))
        XCTAssertTrue(executed.isDisjoint(with: left))
        let executions = try String(contentsOfFile: directory + "/work/executions.log", encoding: .utf8)
        XCTAssertEqual(executions.split(separator: "\n").sorted(), ["x", "y", "z"])
        XCTAssertTrue(events.infos.contains("Cancelled 3 jobs of a previous run."), "\(events.infos)")
    }
}
