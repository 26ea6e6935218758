// An executor injected into `Engine` replaces the registry's remote back end: jobs of non-local
// rules go to it, and jobs a previous run left on it are cancelled with --cancel-previous.

import Foundation
import XCTest
import FlowExec
import FlowState
@testable import FlowEngine

/// Runs nothing: "finishes" a job by creating its outputs.
final class FakeRemoteExecutor: Executor {
    let name = "fake"
    let capabilities = ExecutorCapabilities(sharesFileSystem: true, statusInterval: 0.01)
    let maxInFlight = 10
    private(set) var submitted: [String] = []
    private(set) var cancelled: [String] = []

    func submit(_ job: JobSpec) throws -> String {
        for output in job.outputs.map(\.path) {
            let path = output.hasPrefix("/") ? output : job.workingDirectory + "/" + output
            FileManager.default.createFile(atPath: path, contents: Data("fake\n".utf8))
        }
        submitted.append(job.externalName)
        return String(submitted.count)
    }

    func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        Dictionary(uniqueKeysWithValues: ids.map { ($0, .succeeded) })
    }

    func cancel(_ ids: [String]) { cancelled += ids }
    func logs(_ id: String) -> String? { nil }
}

final class InjectedExecutorTests: WorkdirTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try """
        localrules: all

        rule all:
            input: "a.txt", "b.txt"

        rule make:
            output: "{name}.txt"
            shell: "exit 1"
        """.write(toFile: directory + "/Snakefile", atomically: true, encoding: .utf8)
    }

    private func run(_ executor: FakeRemoteExecutor, cancelPrevious: Bool = false) throws -> (Int32, RecordingReporter) {
        var options = EngineOptions()
        options.directory = directory
        options.cores = 1
        options.latencyWait = 1
        options.cancelPrevious = cancelPrevious
        let reporter = RecordingReporter()
        defer { FileManager.default.changeCurrentDirectoryPath(originalDirectory) }
        return (try Engine(options: options, reporter: reporter, executor: executor).run(), reporter)
    }

    func testJobsOfRemoteRulesGoToTheInjectedExecutor() throws {
        let fake = FakeRemoteExecutor()
        let (status, reporter) = try run(fake)
        XCTAssertEqual(status, 0, "\(reporter.failed.map(\.reason))")
        XCTAssertEqual(fake.submitted.count, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/a.txt"))
    }

    func testCancelPreviousCancelsWhatAnEarlierRunLeftOnTheInjectedExecutor() throws {
        let store = try StateStore(workdir: directory)
        try store.putExternalJob(ExternalJob(executor: "fake", externalID: "77", runID: "earlier", jobKey: "make", submittedAt: 1))
        try store.flush()
        let fake = FakeRemoteExecutor()
        let (status, reporter) = try run(fake, cancelPrevious: true)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(fake.cancelled, ["77"])
        XCTAssertTrue(reporter.infos.contains("Cancelled 1 jobs of a previous run."), "\(reporter.infos)")
    }
}
