// StateStoreTests: schema creation, reopening and round trips of every table through the
// public API, including batching and the job rows shared between outputs.
import Foundation
import XCTest
@testable import FlowState

final class StateStoreTests: XCTestCase {
    var workdir = ""
    override func setUpWithError() throws { workdir = try makeWorkdir() }
    override func tearDown() { removeWorkdir(workdir) }

    func testCreatesFlowDirectoryAndSchemaOnFreshWorkdir() throws {
        let nested = workdir + "/a/b"  // missing parents are created too
        let store = try StateStore(workdir: nested)
        XCTAssertEqual(store.databasePath, nested + "/.flow/state.db")
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.databasePath))
        XCTAssertEqual(store.schemaVersion, Schema.currentVersion)
        let tables = try store.locked { () -> Set<String> in
            let query = try store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            var names = Set<String>()
            while try query.step() { names.insert(query.string(0)) }
            return names
        }
        XCTAssertEqual(tables, ["meta", "texts", "jobs", "outputs", "incomplete", "runs", "external_jobs", "run_jobs", "run_plans",
                                "process_groups"])
        XCTAssertEqual(try store.allRecords(), [:])
        XCTAssertEqual(try store.incompletePaths(), [])
    }

    func testReopenKeepsEverything() throws {
        do {
            let store = try StateStore(workdir: workdir)
            try store.record(outputs: ["out/a"], meta: sampleRecord(1))
            try store.markIncomplete(paths: ["out/b"], runID: "r1")
            try store.beginRun(RunRecord(id: "r1", startTime: 10, pid: 99, host: "h"))
        }
        let reopened = try StateStore(workdir: workdir)
        XCTAssertEqual(try reopened.records(for: ["out/a"])["out/a"], sampleRecord(1))
        XCTAssertEqual(try reopened.incompletePaths(), ["out/b"])
        XCTAssertEqual(try reopened.runs().map(\.id), ["r1"])
    }

    func testRecordRoundTripsEveryField() throws {
        let store = try StateStore(workdir: workdir)
        var meta = sampleRecord(7, inputs: ["b", "a", "b", "dir with space/ü.txt"])
        meta.shellCommand = nil
        meta.runID = nil
        meta.exitStatus = 3
        try store.record(outputs: ["out/x", "out/y"], meta: meta, outputMtimes: [1.5, nil])
        let loaded = try store.records(for: ["out/x", "out/y", "out/none"])
        XCTAssertEqual(loaded.count, 2)
        var expected = meta
        expected.outputMtime = 1.5
        XCTAssertEqual(loaded["out/x"], expected)
        expected.outputMtime = nil
        XCTAssertEqual(loaded["out/y"], expected)
        XCTAssertEqual(loaded["out/x"]?.inputs.paths, ["a", "b", "dir with space/ü.txt"])
        XCTAssertEqual(try store.allRecords(), loaded)
    }

    func testInputSetIgnoresOrderAndDuplicates() {
        XCTAssertEqual(InputSet(["b", "a", "a"]), InputSet(["a", "b"]))
        XCTAssertNotEqual(InputSet(["a"]), InputSet(["a", "b"]))
        XCTAssertEqual(InputSet([String]()).paths, [])
    }

    func testRerecordingReplacesAndDropsUnreferencedJobs() throws {
        let store = try StateStore(workdir: workdir)
        try store.record(outputs: ["o1", "o2"], meta: sampleRecord(1))
        try store.record(outputs: ["o1"], meta: sampleRecord(2))
        XCTAssertEqual(try store.records(for: ["o1"])["o1"]?.jobKey, "copy[sample=s2]")
        XCTAssertEqual(try store.records(for: ["o2"])["o2"]?.jobKey, "copy[sample=s1]")
        XCTAssertEqual(try jobRows(store), 2, "job 1 still owns o2")
        try store.record(outputs: ["o2"], meta: sampleRecord(3))
        XCTAssertEqual(try jobRows(store), 2, "job 1 lost its last output and was deleted")
        try store.remove(paths: ["o1", "o2", "never-recorded"])
        XCTAssertEqual(try store.allRecords(), [:])
        XCTAssertEqual(try jobRows(store), 0)
    }

    func testIncompleteMarkers() throws {
        let store = try StateStore(workdir: workdir)
        try store.markIncomplete(paths: ["a", "b", "c"], runID: "r1")
        try store.markIncomplete(paths: ["c"], runID: "r2")
        XCTAssertEqual(try store.incompletePaths(), ["a", "b", "c"])
        XCTAssertEqual(try store.incompleteMarkers(), ["a": "r1", "b": "r1", "c": "r2"])
        try store.clearIncomplete(paths: ["a", "c", "zzz"])
        XCTAssertEqual(try store.incompletePaths(), ["b"])
    }

    func testRuns() throws {
        let store = try StateStore(workdir: workdir)
        try store.beginRun(RunRecord(id: "r1", startTime: 100, pid: 1, host: "h1", command: "flow -c2"))
        try store.beginRun(RunRecord(id: "r2", startTime: 200, pid: 2, host: "h2"))
        try store.endRun(id: "r1", status: .failed, at: 150)
        XCTAssertEqual(try store.runs(), [
            RunRecord(id: "r1", startTime: 100, endTime: 150, status: .failed, pid: 1, host: "h1", command: "flow -c2"),
            RunRecord(id: "r2", startTime: 200, status: .running, pid: 2, host: "h2"),
        ])
        XCTAssertEqual(try store.runs(limit: 1).map(\.id), ["r2"])
        XCTAssertEqual(try store.run(id: "r2")?.pid, 2)
        XCTAssertNil(try store.run(id: "nope"))
    }

    func testExternalJobs() throws {
        let store = try StateStore(workdir: workdir)
        let a = ExternalJob(executor: "slurm", externalID: "1001", runID: "r1", jobKey: "map[s=A]", submittedAt: 10)
        let b = ExternalJob(executor: "slurm", externalID: "1002", runID: "r1", jobKey: "map[s=B]", attempt: 2,
                            state: .running, submittedAt: 11)
        let c = ExternalJob(executor: "flux", externalID: "f1", runID: "r1", jobKey: "map[s=C]", submittedAt: 12)
        try store.putExternalJob(a)
        try store.putExternalJob(b)
        try store.putExternalJob(c)
        XCTAssertEqual(try store.externalJobs(), [a, b, c])
        XCTAssertEqual(try store.externalJobs(executor: "slurm"), [a, b])

        try store.updateExternalJob(executor: "slurm", externalID: "1001", state: .succeeded, at: 20)
        XCTAssertEqual(try store.externalJobs(executor: "slurm"), [b])
        var finished = a
        finished.state = .succeeded
        finished.updatedAt = 20
        XCTAssertEqual(try store.externalJobs(executor: "slurm", activeOnly: false), [finished, b])

        // A restarted run adopts b: same external id, new run id.
        var adopted = b
        adopted.runID = "r2"
        try store.putExternalJob(adopted)
        XCTAssertEqual(try store.externalJobs(executor: "slurm"), [adopted])
        try store.deleteExternalJob(executor: "slurm", externalID: "1002")
        try store.deleteExternalJob(executor: "flux", externalID: "f1")
        XCTAssertEqual(try store.externalJobs(activeOnly: false), [finished])
    }

    func testBatchedWritesCommitTogetherOnFlush() throws {
        let store = try StateStore(workdir: workdir)
        for index in 1...1000 {
            store.enqueue { batch in
                batch.markIncomplete(paths: ["out/\(index)"], runID: "r")
                batch.record(outputs: ["out/\(index)"], meta: sampleRecord(index))
                if index % 2 == 0 { batch.clearIncomplete(paths: ["out/\(index)"]) }
            }
        }
        XCTAssertEqual(store.pendingCount, 2500)
        // Nothing is visible before the flush: reads see committed state only.
        let other = try StateStore(workdir: workdir)
        XCTAssertEqual(try other.recordCount(), 0)
        let commitsBefore = store.commitCount
        try store.flush()
        XCTAssertEqual(store.pendingCount, 0)
        XCTAssertEqual(try other.recordCount(), 1000)
        XCTAssertEqual(try other.incompletePaths().count, 500)
        XCTAssertEqual(try other.records(for: ["out/7"])["out/7"], sampleRecord(7))
        XCTAssertEqual(store.commitCount, commitsBefore + 1, "2,500 writes, one transaction")
        try store.flush()  // empty flush is a no-op
    }

    func testFailedBatchRollsBackAndStaysPending() throws {
        let store = try StateStore(workdir: workdir)
        // Another connection holds the write lock, so the flush cannot commit.
        let blocker = try Database(path: store.databasePath, busyTimeout: 0)
        let impatient = try StateStore(workdir: workdir, busyTimeout: 0)
        try blocker.execute("BEGIN IMMEDIATE")
        impatient.enqueue { $0.record(outputs: ["a"], meta: sampleRecord(1)) }
        XCTAssertThrowsError(try impatient.flush()) { error in
            XCTAssertTrue(String(describing: error).contains("locked"), "\(error)")
        }
        XCTAssertEqual(impatient.pendingCount, 1)
        try blocker.execute("ROLLBACK")
        try impatient.flush()
        XCTAssertEqual(try store.recordCount(), 1)
    }

    func testApplyingASeparateBatch() throws {
        let store = try StateStore(workdir: workdir)
        var batch = WriteBatch()
        batch.beginRun(RunRecord(id: "r", startTime: 1, pid: 5, host: "h"))
        batch.record(outputs: ["x"], meta: sampleRecord(1))
        batch.putExternalJob(ExternalJob(executor: "k8s", externalID: "pod-1", runID: "r", jobKey: "k", submittedAt: 2))
        batch.endRun(id: "r", status: .succeeded, at: 3)
        XCTAssertEqual(batch.count, 4)
        try store.apply(batch)
        XCTAssertEqual(try store.run(id: "r")?.status, .succeeded)
        XCTAssertEqual(try store.externalJobs().map(\.externalID), ["pod-1"])
        XCTAssertEqual(try store.recordCount(), 1)
    }

    func testSchemaFromNewerFlowIsRefused() throws {
        do {
            let store = try StateStore(workdir: workdir)
            try store.locked { try store.db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'") }
        }
        XCTAssertThrowsError(try StateStore(workdir: workdir)) { error in
            XCTAssertEqual(error as? StateError, .schemaTooNew(
                path: workdir + "/.flow/state.db", found: 99, supported: Schema.currentVersion))
            XCTAssertTrue(String(describing: error).contains("newer flow"))
        }
    }

    func testGarbageDatabaseGivesClearErrorNamingTheFile() throws {
        let path = workdir + "/.flow/state.db"
        try FileManager.default.createDirectory(atPath: workdir + "/.flow", withIntermediateDirectories: true)
        try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try StateStore(workdir: workdir)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains(path), text)
            XCTAssertTrue(text.contains("file is not a database"), text)
            XCTAssertTrue(text.contains("move it aside"), text)
        }
    }

    func testDamagedDatabaseWithValidHeaderFailsWithoutCrashing() throws {
        let path: String
        do {
            let store = try StateStore(workdir: workdir)
            path = store.databasePath
            for index in 0..<200 { try store.record(outputs: ["o\(index)"], meta: sampleRecord(index)) }
        }
        // Keep the 100-byte header, overwrite the rest of the file (the WAL was checkpointed on close).
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 100)
        handle.write(Data(repeating: 0xa5, count: 16_384))
        try handle.close()
        do {
            let store = try StateStore(workdir: workdir)
            _ = try store.allRecords()
            XCTFail("a damaged database should not read back")
        } catch {
            XCTAssertTrue(String(describing: error).contains(path), "\(error)")
        }
    }

    func testRolledBackBatchDoesNotLeaveStaleTextIDs() throws {
        let store = try StateStore(workdir: workdir)
        try store.locked {
            try store.db.execute("""
                CREATE TEMP TRIGGER refuse_boom BEFORE INSERT ON outputs WHEN NEW.path = 'boom'
                BEGIN SELECT RAISE(ABORT, 'refused'); END
                """)
        }
        // The first record interns the new rule name, then the batch fails and rolls back.
        XCTAssertThrowsError(try store.record(outputs: ["boom"], meta: sampleRecord(1, rule: "fresh_rule")))
        try store.record(outputs: ["fine"], meta: sampleRecord(2, rule: "fresh_rule"))
        XCTAssertEqual(try StateStore(workdir: workdir).allRecords()["fine"]?.rule, "fresh_rule")
    }

    func testTextsAddedByAnotherConnectionAreFoundForReadsAndWrites() throws {
        let a = try StateStore(workdir: workdir)
        let b = try StateStore(workdir: workdir)
        try a.record(outputs: ["x"], meta: sampleRecord(1, rule: "first"))
        XCTAssertEqual(try b.allRecords()["x"]?.rule, "first")
        try b.record(outputs: ["y"], meta: sampleRecord(2, rule: "second"))
        XCTAssertEqual(try a.allRecords()["y"]?.rule, "second", "a's text cache misses, then reloads")
        XCTAssertEqual(try a.records(for: ["y"])["y"]?.rule, "second")
        try a.record(outputs: ["z"], meta: sampleRecord(3, rule: "second"))  // reuses b's text row
        XCTAssertEqual(try b.records(for: ["z"])["z"]?.rule, "second")
        XCTAssertEqual(try a.locked { try a.count("SELECT count(*) FROM texts WHERE value = 'second'") }, 1)
    }

    private func jobRows(_ store: StateStore) throws -> Int {
        try store.locked { try store.count("SELECT count(*) FROM jobs") }
    }
}
