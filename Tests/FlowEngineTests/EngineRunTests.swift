// Small workflows run through `FlowEngine.Engine` in a temp directory: what a dry run plans and
// why, what a run creates, what a params change re-runs, temp() deletion and protected() outputs.
// Events are captured by a recording `EngineReporter`; nothing is printed.

import Foundation
import XCTest
@testable import FlowEngine

/// Keeps every engine event for assertions.
final class RecordingReporter: EngineReporter {
    var stats: [[(rule: String, count: Int)]] = []
    var planned: [JobReport] = []
    var started: [JobReport] = []
    var finished: [JobReport] = []
    var failed: [(job: JobReport, exitStatus: Int32?, reason: String)] = []
    var failedLogs: [String?] = []
    var infos: [String] = []
    var warnings: [String] = []
    var nothingToDoCalls = 0
    var dryRunReasons: [(reason: String, rules: [String])] = []

    func buildingDAG() {}
    func jobStats(_ counts: [(rule: String, count: Int)]) { stats.append(counts) }
    func jobStarted(_ job: JobReport, dryRun: Bool) { if dryRun { planned.append(job) } else { started.append(job) } }
    func jobFinished(_ job: JobReport) { finished.append(job) }
    func progress(done: Int, total: Int) {}
    func jobFailed(_ job: JobReport, exitStatus: Int32?, reason: String, removedOutputs: [String], logTail: String?) {
        failed.append((job, exitStatus, reason))
        failedLogs.append(logTail)
    }
    func nothingToDo() { nothingToDoCalls += 1 }
    func dryRunFinished(_ counts: [(rule: String, count: Int)], reasons: [(reason: String, rules: [String])]) {
        dryRunReasons = reasons
    }
    func info(_ message: String) { infos.append(message) }
    func warning(_ message: String) { warnings.append(message) }
    func flush() {}
}

final class EngineRunTests: WorkdirTestCase {
    // MARK: helpers

    private func write(_ text: String, to name: String) throws {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func read(_ name: String) -> String? {
        try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    private func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/" + name)
    }

    /// Runs the engine on the Snakefile in `directory`; returns the exit status and the events.
    @discardableResult
    private func runEngine(dryRun: Bool = false, config: [String] = [], cores: Int = 2) throws -> (status: Int32, events: RecordingReporter) {
        var options = EngineOptions()
        options.directory = directory
        options.snakefile = directory + "/Snakefile"
        options.dryRun = dryRun
        options.cores = cores
        options.configEntries = config
        let reporter = RecordingReporter()
        let status = try Engine(options: options, reporter: reporter).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        return (status, reporter)
    }

    private func jobs(_ reports: [JobReport]) -> [String] {
        reports.map { r in ([r.rule] + r.wildcards.map { "\($0.name)=\($0.value)" }).joined(separator: " ") }.sorted()
    }

    private static let threeSamples = """
        SAMPLES = ["a", "b", "c"]

        rule all:
            input: "merged.txt"

        rule upper:
            input: "raw/{s}.txt"
            output: "upper/{s}.txt"
            shell: "tr a-z A-Z < {input} > {output}"

        rule merge:
            input: expand("upper/{s}.txt", s=SAMPLES)
            output: "merged.txt"
            shell: "cat {input} > {output}"
        """

    private func writeThreeSamples() throws {
        try write(Self.threeSamples, to: "Snakefile")
        for s in ["a", "b", "c"] { try write("sample \(s)\n", to: "raw/\(s).txt") }
    }

    // MARK: tests

    func testDryRunPlansEveryJobWithMissingOutputReasonAndWritesNothing() throws {
        try writeThreeSamples()
        let (status, events) = try runEngine(dryRun: true)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(events.stats.first?.map { "\($0.rule)=\($0.count)" }, ["all=1", "merge=1", "upper=3"])
        XCTAssertEqual(jobs(events.planned), ["all", "merge", "upper s=a", "upper s=b", "upper s=c"])
        let upperA = try XCTUnwrap(events.planned.first { $0.rule == "upper" && $0.wildcards.first?.value == "a" })
        XCTAssertEqual(upperA.reason, "Missing output files: upper/a.txt")
        let merge = try XCTUnwrap(events.planned.first { $0.rule == "merge" })
        XCTAssertTrue(merge.reason.contains("Missing output files: merged.txt"), merge.reason)
        XCTAssertTrue(events.started.isEmpty)
        XCTAssertFalse(exists("upper/a.txt"))
        XCTAssertFalse(exists("merged.txt"))
        XCTAssertEqual(events.dryRunReasons.first { $0.reason == "output files have to be generated" }?.rules, ["merge", "upper"])
    }

    func testRunCreatesOutputsThenHasNothingToDo() throws {
        try writeThreeSamples()
        let first = try runEngine()
        XCTAssertEqual(first.status, 0)
        XCTAssertEqual(read("merged.txt"), "SAMPLE A\nSAMPLE B\nSAMPLE C\n")
        XCTAssertEqual(jobs(first.events.finished), ["all", "merge", "upper s=a", "upper s=b", "upper s=c"])
        XCTAssertTrue(first.events.failed.isEmpty)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/.flow/state.db"))

        let second = try runEngine()
        XCTAssertEqual(second.status, 0)
        XCTAssertEqual(second.events.nothingToDoCalls, 1)
        XCTAssertTrue(second.events.started.isEmpty)
    }

    func testOneUpdatedInputRerunsItsDownstreamOnly() throws {
        try writeThreeSamples()
        XCTAssertEqual(try runEngine().status, 0)
        // A newer input: only sample b's job and what takes all samples.
        let future = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: future], ofItemAtPath: directory + "/raw/b.txt")
        let plan = try runEngine(dryRun: true)
        XCTAssertEqual(jobs(plan.events.planned), ["all", "merge", "upper s=b"])
        let upperB = try XCTUnwrap(plan.events.planned.first { $0.rule == "upper" })
        XCTAssertEqual(upperB.reason, "Updated input files: raw/b.txt")
    }

    func testChangedParamsRerunTheJobWithParamsReason() throws {
        try write("""
            rule all:
                input: "out.txt"

            rule make:
                output: "out.txt"
                params: level=config["level"]
                shell: "echo level {params.level} > {output}"
            """, to: "Snakefile")
        XCTAssertEqual(try runEngine(config: ["level=1"]).status, 0)
        XCTAssertEqual(read("out.txt"), "level 1\n")

        let same = try runEngine(dryRun: true, config: ["level=1"])
        XCTAssertEqual(same.events.nothingToDoCalls, 1, "same params: nothing to do")

        let changed = try runEngine(dryRun: true, config: ["level=2"])
        XCTAssertEqual(jobs(changed.events.planned), ["all", "make"])
        let make = try XCTUnwrap(changed.events.planned.first { $0.rule == "make" })
        XCTAssertTrue(make.reason.hasPrefix("Params have changed since last execution"), make.reason)
        XCTAssertEqual(changed.events.dryRunReasons.first { $0.reason == "params have changed since last execution" }?.rules, ["make"])

        XCTAssertEqual(try runEngine(config: ["level=2"]).status, 0)
        XCTAssertEqual(read("out.txt"), "level 2\n")
        XCTAssertEqual(try runEngine(dryRun: true, config: ["level=2"]).events.nothingToDoCalls, 1)
    }

    func testTempOutputIsDeletedAfterItsLastConsumer() throws {
        try write("""
            rule all:
                input: "final.txt"

            rule intermediate:
                output: temp("between.txt")
                shell: "echo between > {output}"

            rule first_use:
                input: "between.txt"
                output: "one.txt"
                shell: "cat {input} > {output}"

            rule second_use:
                input: "between.txt"
                output: "two.txt"
                shell: "cat {input} > {output}"

            rule final:
                input: "one.txt", "two.txt"
                output: "final.txt"
                shell: "cat {input} > {output}"
            """, to: "Snakefile")
        let result = try runEngine()
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(read("final.txt"), "between\nbetween\n")
        XCTAssertFalse(exists("between.txt"), "temp() output removed once both consumers ran")
        XCTAssertTrue(result.events.infos.contains("Removing temporary output between.txt."), "\(result.events.infos)")
        // The deleted intermediate is not a reason to run again.
        XCTAssertEqual(try runEngine(dryRun: true).events.nothingToDoCalls, 1)
    }

    func testProtectedOutputIsReadOnly() throws {
        try write("""
            rule all:
                input: "kept.txt"

            rule keep:
                output: protected("kept.txt")
                shell: "echo precious > {output}"
            """, to: "Snakefile")
        XCTAssertEqual(try runEngine().status, 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/kept.txt")
        let mode = try XCTUnwrap(attributes[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o222, 0, "protected() output has no write permission (mode \(String(mode, radix: 8)))")
        XCTAssertEqual(read("kept.txt"), "precious\n")
    }

    func testFailingJobReturnsOneAndRemovesItsOutput() throws {
        try write("""
            rule all:
                input: "bad.txt"

            rule bad:
                output: "bad.txt"
                shell: "echo partial > {output}; exit 4"
            """, to: "Snakefile")
        let result = try runEngine()
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.events.failed.map(\.job.rule), ["bad"])
        XCTAssertEqual(result.events.failed.first?.exitStatus, 4)
        XCTAssertFalse(exists("bad.txt"))
    }

    func testConfigFileIsRelativeToTheStartDirectoryNotToDirectory() throws {
        // Snakemake's CI layout: started in the repository, `--directory .test --configfile .test/c/config.yaml`.
        try write("""
            rule all:
                output: "out.txt"
                params: name=config["name"]
                shell: "echo {params.name} > {output}"
            """, to: "workflow/Snakefile")
        try write("name: from-start-dir\n", to: ".test/c/config.yaml")
        FileManager.default.changeCurrentDirectoryPath(directory)
        var options = EngineOptions()
        options.directory = ".test"
        options.snakefile = "workflow/Snakefile"
        options.configFiles = [".test/c/config.yaml"]
        let status = try Engine(options: options, reporter: RecordingReporter()).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(read(".test/out.txt"), "from-start-dir\n")
    }

    func testDryRunShowsACheckpointDecidedInputAsTBD() throws {
        // chipseq: the target rule's input function reads a checkpoint; Snakemake prints <TBD>.
        try write("""
            def after_split(wildcards):
                with open(checkpoints.split.get().output[0]) as f:
                    return [line.strip() for line in f]

            rule all:
                input: after_split

            checkpoint split:
                output: "parts.txt"
                shell: "echo a.txt > {output}"
            """, to: "Snakefile")
        let (status, events) = try runEngine(dryRun: true)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(events.planned.first { $0.rule == "all" }?.input, ["<TBD>"])
        XCTAssertEqual(events.planned.first { $0.rule == "split" }?.output, ["parts.txt"])
    }

    func testLogFileTakenAsInputIsWrittenByItsJobFirst() throws {
        try write("""
            rule all:
                input: "test.a.txt"

            rule a:
                output: "unused.{sample}.txt"
                log: "logs/{sample}.txt"
                shell: "echo {wildcards.sample} > {log}; touch {output}"

            rule b:
                input: "logs/{sample}.txt"
                output: "test.{sample}.txt"
                shell: "cp {input} {output}"
            """, to: "Snakefile")
        let result = try runEngine()
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(jobs(result.events.finished), ["a sample=a", "all", "b sample=a"])
        XCTAssertEqual(read("test.a.txt"), "a\n")
    }

    func testModuleRuleSeesItsModulesConfigAndJobTimeShellFString() throws {
        try write("""
            rule step:
                output: txt="step/{sample}.txt"
                shell: f"echo {{config}} {{wildcards.sample}} > {output.txt}"
            """, to: "module/Snakefile")
        try write("""
            module m:
                snakefile: "module/Snakefile"
                config: ["AAA"]
                prefix: "m"

            use rule * from m as m_*

            rule all:
                input: expand(rules.m_step.output.txt, sample="x")
                default_target: True
            """, to: "Snakefile")
        XCTAssertEqual(try runEngine().status, 0)
        XCTAssertEqual(read("m/step/x.txt"), "AAA x\n")
    }
}
