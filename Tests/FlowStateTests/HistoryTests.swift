import Foundation
import XCTest
@testable import FlowState

final class HistoryTests: XCTestCase {
    var workdir = ""
    override func setUpWithError() throws { workdir = try makeWorkdir() }
    override func tearDown() { removeWorkdir(workdir) }

    /// A database written by a flow of schema 1 is migrated in place: its records and runs stay,
    /// and the history tables appear.
    func testMigratesASchemaOneDatabase() throws {
        let path = StateStore.directory(forWorkdir: workdir)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            let db = try Database(path: path + "/state.db")
            try db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            try db.execute(Schema.migrations[0])
            try db.execute("INSERT INTO meta(key, value) VALUES('schema_version', '1')")
            try db.execute("INSERT INTO runs(id, start_time, status, pid, host) VALUES('old', 1, 'succeeded', 1, 'h')")
        }
        // Read-only before the migration: runs are there, no history yet, nothing written.
        let reader = try StateStore(readingWorkdir: workdir)
        XCTAssertEqual(reader.schemaVersion, 1)
        XCTAssertEqual(try reader.runs().map(\.id), ["old"])
        XCTAssertEqual(try reader.runJobs(runID: nil), [])
        let store = try StateStore(workdir: workdir)
        XCTAssertEqual(store.schemaVersion, Schema.currentVersion)
        XCTAssertEqual(try store.runs().map(\.id), ["old"])
        try store.apply({ var b = WriteBatch(); b.putRunJob(RunJob(runID: "old", jobid: 1, rule: "r", startTime: 2)); return b }())
        XCTAssertEqual(try reader.runJobs(runID: "old").count, 1)
    }

    func testAttemptsAndPlansRoundTrip() throws {
        let store = try StateStore(workdir: workdir)
        var batch = WriteBatch()
        batch.putRunPlan(runID: "r1", counts: [RunPlanCount(rule: "map", jobs: 3), RunPlanCount(rule: "all", jobs: 1)])
        let first = RunJob(runID: "r1", jobid: 4, attempt: 1, rule: "map", wildcards: "sample=A", reason: "Missing output files: a",
                           state: .running, executor: "slurm", externalID: "77", host: "node1", startTime: 10)
        batch.putRunJob(first)
        var ended = first
        ended.state = .failed
        ended.endTime = 12
        ended.exitStatus = 3
        ended.message = "exit 3"
        batch.putRunJob(ended)   // replaces the running row of the same attempt
        batch.putRunJob(RunJob(runID: "r1", jobid: 4, attempt: 2, rule: "map", wildcards: "sample=A", state: .succeeded,
                               executor: "slurm", externalID: "78", startTime: 13, endTime: 15, exitStatus: 0))
        batch.putRunJob(RunJob(runID: "r2", jobid: 1, rule: "x", startTime: 1))
        try store.apply(batch)
        let reader = try StateStore(readingWorkdir: workdir)
        let rows = try reader.runJobs(runID: "r1")
        XCTAssertEqual(rows, [ended, RunJob(runID: "r1", jobid: 4, attempt: 2, rule: "map", wildcards: "sample=A", state: .succeeded,
                                            executor: "slurm", externalID: "78", startTime: 13, endTime: 15, exitStatus: 0)])
        XCTAssertEqual(rows[0].duration, 2)
        XCTAssertEqual(try reader.runPlan(runID: "r1"), [RunPlanCount(rule: "all", jobs: 1), RunPlanCount(rule: "map", jobs: 3)])
        XCTAssertEqual(try reader.runJobs(runID: nil).count, 3)
    }

    func testReadOnlyOpenNeverCreatesADatabase() {
        XCTAssertThrowsError(try StateStore(readingWorkdir: workdir))
        XCTAssertFalse(FileManager.default.fileExists(atPath: workdir + "/.flow"))
    }

    func testOutcomeOfARunWhoseProcessIsGone() throws {
        let store = try StateStore(workdir: workdir)
        let host = ProcessInfo.processInfo.hostName
        // A child that has exited: its pid is dead.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        try store.beginRun(RunRecord(id: "dead", startTime: 1, pid: Int(child.processIdentifier), host: host))
        try store.beginRun(RunRecord(id: "alive", startTime: 2, pid: Int(getpid()), host: host))
        try store.beginRun(RunRecord(id: "done", startTime: 3, status: .failed, pid: Int(getpid()), host: host))
        let outcomes = try store.runs().map { store.outcome(of: $0) }
        XCTAssertEqual(outcomes, [.killed, .running, .failed])
    }
}

extension HistoryTests {
    /// Counts in SQL agree with the rows: a job's state is its last attempt's.
    func testRunCounts() throws {
        let store = try StateStore(workdir: workdir)
        var batch = WriteBatch()
        batch.putRunJob(RunJob(runID: "r", jobid: 1, attempt: 1, rule: "a", state: .failed, startTime: 1))
        batch.putRunJob(RunJob(runID: "r", jobid: 1, attempt: 2, rule: "a", state: .succeeded, startTime: 2))
        batch.putRunJob(RunJob(runID: "r", jobid: 2, attempt: 1, rule: "a", state: .failed, startTime: 1))
        batch.putRunJob(RunJob(runID: "r", jobid: 3, attempt: 1, rule: "b", state: .running, startTime: 3))
        batch.putRunJob(RunJob(runID: "other", jobid: 1, attempt: 1, rule: "a", state: .failed, startTime: 1))
        try store.apply(batch)
        let counts = try store.runCounts(runID: "r")
        XCTAssertEqual(counts.byState, [.succeeded: 1, .failed: 1, .running: 1])
        XCTAssertEqual(counts.retries, 1)
        XCTAssertEqual(counts.startedByRule, ["a": 2, "b": 1])
    }
}
