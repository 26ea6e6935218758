// Runs whose files live in storage: URLs in rules (`storage("mem://…")`) on a back end that
// shares flow's file system are staged through local copies under .flow/storage (retrieved
// before the job, stored after it, freshness judged by the store's clock); a back end without
// one gets a failed job's own log shown with --show-failed-logs.

import Foundation
import XCTest
import FlowExec
import FlowStorage
@testable import FlowEngine
import FlowSystem

final class StorageRunTests: WorkdirTestCase {
    private func run(_ storage: Storage, executor: Executor? = nil, configure: (inout EngineOptions) -> Void = { _ in }) throws -> (Int32, RecordingReporter) {
        var options = EngineOptions()
        options.directory = directory
        options.cores = 1
        options.latencyWait = 0.5
        configure(&options)
        let reporter = RecordingReporter()
        defer { FileManager.default.changeCurrentDirectoryPath(originalDirectory) }
        return (try Engine(options: options, reporter: reporter, storage: storage, executor: executor).run(), reporter)
    }

    func testRemoteInputsAndOutputsAreStagedThroughLocalCopies() throws {
        try LocalFiles.writeAtomically("""
            rule all:
                input: storage("mem://bucket/results/upper.txt")

            rule upper:
                input: storage("mem://bucket/data/in.txt")
                output: storage("mem://bucket/results/upper.txt")
                shell: "tr a-z A-Z < {input} > {output}"
            """, to: directory + "/Snakefile")
        let bucket = InMemoryStorage()
        bucket.write("mem://bucket/data/in.txt", Array("hello\n".utf8))
        let storage = Storage(adapters: ["mem": bucket])

        let (status, events) = try run(storage) { $0.keepStorageLocalCopies = true }
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason))")
        XCTAssertEqual(bucket.contents("mem://bucket/results/upper.txt"), Array("HELLO\n".utf8))
        // The job saw local copies; the output's copy carries the store's modification time.
        let command = try XCTUnwrap(events.started.first { $0.rule == "upper" }?.shellCommand)
        XCTAssertEqual(command, "tr a-z A-Z < .flow/storage/mem/bucket/data/in.txt > .flow/storage/mem/bucket/results/upper.txt")
        let copy = try XCTUnwrap(PosixStorage().stat(directory + "/.flow/storage/mem/bucket/results/upper.txt"))
        XCTAssertEqual(copy.mtime, try XCTUnwrap(bucket.stat("mem://bucket/results/upper.txt")).mtime, accuracy: 1e-6)

        // Up to date by the store's clock: nothing to do.
        XCTAssertEqual(try run(storage).1.nothingToDoCalls, 1)

        // A newer input in the store is retrieved again and re-runs the job.
        bucket.write("mem://bucket/data/in.txt", Array("again\n".utf8))
        let (again, rerun) = try run(storage)
        XCTAssertEqual(again, 0)
        XCTAssertEqual(rerun.started.map(\.rule).filter { $0 == "upper" }, ["upper"])
        XCTAssertEqual(bucket.contents("mem://bucket/results/upper.txt"), Array("AGAIN\n".utf8))
    }

    func testLocalCopiesGoAfterTheRunUnlessKeptAndFollowTheLocalPrefix() throws {
        try LocalFiles.writeAtomically("""
            rule upper:
                input: storage("mem://bucket/data/in.txt")
                output: storage("mem://bucket/results/upper.txt")
                shell: "tr a-z A-Z < {input} > {output}"
            """, to: directory + "/Snakefile")
        let bucket = InMemoryStorage()
        bucket.write("mem://bucket/data/in.txt", Array("hello\n".utf8))
        try LocalFiles.writeAtomically("mine\n", to: directory + "/scratch/other.txt")
        let (status, events) = try run(Storage(adapters: ["mem": bucket])) { $0.localStoragePrefix = "scratch" }
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason))")
        let command = try XCTUnwrap(events.started.first?.shellCommand)
        XCTAssertEqual(command, "tr a-z A-Z < scratch/mem/bucket/data/in.txt > scratch/mem/bucket/results/upper.txt")
        XCTAssertEqual(bucket.contents("mem://bucket/results/upper.txt"), Array("HELLO\n".utf8))
        // The copies and the folders they made are gone; what else the prefix held stays.
        XCTAssertFalse(LocalFiles.exists(directory + "/scratch/mem"))
        XCTAssertEqual(try LocalFiles.read(directory + "/scratch/other.txt"), Array("mine\n".utf8))
        XCTAssertFalse(LocalFiles.exists(directory + "/.flow/storage"))
    }

    func testMissingRemoteInputIsAClearError() throws {
        try LocalFiles.writeAtomically("""
            rule upper:
                input: storage("mem://bucket/data/none.txt")
                output: "upper.txt"
                shell: "cp {input} {output}"
            """, to: directory + "/Snakefile")
        let storage = Storage(adapters: ["mem": InMemoryStorage()])
        XCTAssertThrowsError(try run(storage)) { error in
            XCTAssertTrue("\(error)".contains("mem://bucket/data/none.txt"), "\(error)")
        }
    }

    func testFailedJobShowsTheBackEndsLogWithShowFailedLogs() throws {
        try LocalFiles.writeAtomically("""
            rule fail:
                output: "never.txt"
                shell: "echo 'something went wrong on the node' >&2; exit 3"
            """, to: directory + "/Snakefile")
        let memory = InMemoryStorage()
        let storage = Storage(local: memory)
        let executor = IsolatedExecutor(storage: storage, root: directory + "/backend")
        let (status, events) = try run(storage, executor: executor) { $0.showFailedLogs = true }
        XCTAssertEqual(status, 1)
        XCTAssertEqual(events.failed.first?.exitStatus, 3)
        let logs = try XCTUnwrap(events.failedLogs.first ?? nil)
        XCTAssertTrue(logs.contains("==> log of the isolated job flow-"), logs)
        XCTAssertTrue(logs.contains("something went wrong on the node"), logs)
        // Without the flag the log is not printed.
        let (_, quiet) = try run(storage, executor: executor)
        XCTAssertEqual(quiet.failedLogs.count, 1)
        XCTAssertNil(quiet.failedLogs.first ?? nil)
    }
}
