// StateStore: flow's persistent memory of a working directory, `<workdir>/.flow/state.db`.
// Owns opening/creating the database, the pending write batch and serialising access; the
// SQL for writes, record reads and summaries sits in the StateStore+*.swift files beside it.
//
// Reads see committed state only: writes enqueued in `pending` become visible after `flush()`.
import Foundation
import FlowSystem

public final class StateStore: @unchecked Sendable {
    /// `<workdir>/.flow`
    public let directory: String
    /// `<workdir>/.flow/state.db`
    public let databasePath: String

    let db: Database
    /// Serialises every use of `db`, `statements` and `pendingBatch`: the scheduler may call
    /// in from several tasks, and a SQLite connection must not be used concurrently.
    private let mutex = NSLock()
    private var statements: [String: Statement] = [:]
    private var pendingBatch = WriteBatch()
    /// Cache of the `texts` table (see StateStore+Texts.swift).
    var texts = TextCache()

    public static func directory(forWorkdir workdir: String) -> String {
        (workdir as NSString).appendingPathComponent(".flow")
    }

    /// Opens (creating `.flow/` and the database if needed) and migrates the schema.
    /// `busyTimeout` bounds the wait for another connection's write (e.g. a concurrent
    /// `flow --summary` reading while a checkpoint runs).
    public convenience init(workdir: String, busyTimeout milliseconds: Int32 = 10_000) throws {
        try self.init(workdir: workdir, busyTimeout: milliseconds, readOnly: false)
    }

    /// `readOnly`: see `init(readingWorkdir:)`.
    init(workdir: String, busyTimeout milliseconds: Int32 = 10_000, readOnly: Bool) throws {
        directory = Self.directory(forWorkdir: workdir)
        databasePath = (directory as NSString).appendingPathComponent("state.db")
        if readOnly {
            guard FileManager.default.fileExists(atPath: databasePath) else {
                throw StateError.sqlite(path: databasePath, code: 14, message: "no state database (has flow run here?)", operation: "opening")
            }
            db = try Database(path: databasePath, busyTimeout: milliseconds, readOnly: true)
            let found = try Schema.version(db)
            if found > Schema.currentVersion {
                throw StateError.schemaTooNew(path: databasePath, found: found, supported: Schema.currentVersion)
            }
            return
        }
        try LocalFiles.makeDirectories(directory)
        db = try Database(path: databasePath, busyTimeout: milliseconds)
        try Schema.migrate(db)
    }

    /// Runs `body` with exclusive use of the connection.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        mutex.lock()
        defer { mutex.unlock() }
        return try body()
    }

    /// Callers hold `mutex`.
    func readTransaction<T>(_ body: () throws -> T) throws -> T { try db.readTransaction(body) }

    /// A prepared statement kept for the store's lifetime; callers hold `mutex`.
    func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql] { return cached }
        let prepared = try db.prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    public var schemaVersion: Int { (try? locked { try Schema.version(db) }) ?? 0 }

    /// Transactions this store has committed (see Database.commitCount).
    public var commitCount: Int { locked { db.commitCount } }

    // MARK: batching

    /// Adds writes to the pending batch; nothing reaches the database until `flush()`.
    public func enqueue(_ fill: (inout WriteBatch) -> Void) {
        locked { fill(&pendingBatch) }
    }

    public var pendingCount: Int { locked { pendingBatch.count } }

    /// Commits the pending batch in one transaction. On failure the batch is kept, so a retry
    /// (after the busy timeout, say) loses nothing.
    public func flush() throws {
        try locked {
            guard !pendingBatch.isEmpty else { return }
            try applyLocked(pendingBatch)
            pendingBatch.removeAll()
        }
    }

    /// Commits `batch` in one transaction (all or nothing).
    public func apply(_ batch: WriteBatch) throws {
        guard !batch.isEmpty else { return }
        try locked { try applyLocked(batch) }
    }

    private func applyLocked(_ batch: WriteBatch) throws {
        do {
            try db.transaction {
                for operation in batch.operations { try apply(operation) }
            }
        } catch {
            // Ids of texts inserted by the rolled-back transaction are gone again.
            texts = TextCache()
            throw error
        }
    }

    /// One-operation conveniences, each its own transaction.
    private func applyOne(_ fill: (inout WriteBatch) -> Void) throws {
        var batch = WriteBatch()
        fill(&batch)
        try apply(batch)
    }

    public func record(outputs: [String], meta: JobRecord, outputMtimes: [Double?]? = nil) throws {
        try applyOne { $0.record(outputs: outputs, meta: meta, outputMtimes: outputMtimes) }
    }
    public func remove(paths: [String]) throws { try applyOne { $0.remove(paths: paths) } }
    public func markIncomplete(paths: [String], runID: String) throws {
        try applyOne { $0.markIncomplete(paths: paths, runID: runID) }
    }
    public func clearIncomplete(paths: [String]) throws { try applyOne { $0.clearIncomplete(paths: paths) } }
    public func beginRun(_ run: RunRecord) throws { try applyOne { $0.beginRun(run) } }
    public func endRun(id: String, status: RunRecord.Status, at time: Double = unixTime()) throws {
        try applyOne { $0.endRun(id: id, status: status, at: time) }
    }
    public func putExternalJob(_ job: ExternalJob) throws { try applyOne { $0.putExternalJob(job) } }
    public func updateExternalJob(executor: String, externalID: String, state: ExternalJob.State,
                                  at time: Double = unixTime()) throws {
        try applyOne { $0.updateExternalJob(executor: executor, externalID: externalID, state: state, at: time) }
    }
    public func deleteExternalJob(executor: String, externalID: String) throws {
        try applyOne { $0.deleteExternalJob(executor: executor, externalID: externalID) }
    }
    public func putProcessGroup(_ group: ProcessGroupRecord) throws { try applyOne { $0.putProcessGroup(group) } }
    public func deleteProcessGroups(runID: String) throws { try applyOne { $0.deleteProcessGroups(runID: runID) } }
}
