// WriteBatch: writes collected during one scheduling step and committed together by
// `StateStore.apply(_:)` / `flush()`, so thousands of job completions cost a few transactions.
// Only a list of operations; the SQL that applies them lives in StateStore+Writes.swift.

public struct WriteBatch: Sendable {
    enum Operation: Sendable {
        case record(outputs: [String], mtimes: [Double?]?, meta: JobRecord)
        case remove(paths: [String])
        case markIncomplete(paths: [String], runID: String, at: Double)
        case clearIncomplete(paths: [String])
        case beginRun(RunRecord)
        case endRun(id: String, status: RunRecord.Status, at: Double)
        case putExternalJob(ExternalJob)
        case updateExternalJob(executor: String, externalID: String, state: ExternalJob.State, at: Double)
        case deleteExternalJob(executor: String, externalID: String)
        case putRunJob(RunJob)
        case putRunPlan(runID: String, counts: [RunPlanCount])
        case putProcessGroup(ProcessGroupRecord)
        case deleteProcessGroup(runID: String, pgid: Int)
        case deleteProcessGroups(runID: String)
    }

    /// Applied in order, so "mark incomplete, record, clear" within one batch behaves as if
    /// each had been its own transaction.
    private(set) var operations: [Operation] = []

    public init() {}

    public var isEmpty: Bool { operations.isEmpty }
    public var count: Int { operations.count }
    public mutating func removeAll() { operations.removeAll(keepingCapacity: true) }

    /// Records `meta` as the producer of every path in `outputs`, replacing earlier records.
    /// `outputMtimes`, when given, is parallel to `outputs`; otherwise `meta.outputMtime`
    /// applies to all of them.
    public mutating func record(outputs: [String], meta: JobRecord, outputMtimes: [Double?]? = nil) {
        precondition(outputMtimes == nil || outputMtimes!.count == outputs.count,
                     "outputMtimes must have one entry per output")
        operations.append(.record(outputs: outputs, mtimes: outputMtimes, meta: meta))
    }

    /// Forgets the records of `paths` (e.g. after `flow --delete-all-output`).
    public mutating func remove(paths: [String]) { operations.append(.remove(paths: paths)) }

    /// Marks outputs as being produced by a job that has not finished. Must be committed before
    /// the job starts, so a crash leaves the marker behind.
    public mutating func markIncomplete(paths: [String], runID: String, at time: Double = unixTime()) {
        operations.append(.markIncomplete(paths: paths, runID: runID, at: time))
    }

    public mutating func clearIncomplete(paths: [String]) { operations.append(.clearIncomplete(paths: paths)) }

    public mutating func beginRun(_ run: RunRecord) { operations.append(.beginRun(run)) }

    public mutating func endRun(id: String, status: RunRecord.Status, at time: Double = unixTime()) {
        operations.append(.endRun(id: id, status: status, at: time))
    }

    /// Inserts or replaces the row for (executor, externalID).
    public mutating func putExternalJob(_ job: ExternalJob) { operations.append(.putExternalJob(job)) }

    public mutating func updateExternalJob(executor: String, externalID: String, state: ExternalJob.State,
                                           at time: Double = unixTime()) {
        operations.append(.updateExternalJob(executor: executor, externalID: externalID, state: state, at: time))
    }

    public mutating func deleteExternalJob(executor: String, externalID: String) {
        operations.append(.deleteExternalJob(executor: executor, externalID: externalID))
    }

    /// A local job's process group, from its start until it has been reaped.
    public mutating func putProcessGroup(_ group: ProcessGroupRecord) { operations.append(.putProcessGroup(group)) }

    public mutating func deleteProcessGroup(runID: String, pgid: Int) {
        operations.append(.deleteProcessGroup(runID: runID, pgid: pgid))
    }

    /// Forgets every group of a run (once they are known to be gone).
    public mutating func deleteProcessGroups(runID: String) { operations.append(.deleteProcessGroups(runID: runID)) }
}

extension WriteBatch {
    /// Inserts or replaces the history row of one attempt (run, job, attempt).
    public mutating func putRunJob(_ job: RunJob) { operations.append(.putRunJob(job)) }

    /// How many jobs per rule a run planned (the denominator of `flow status`).
    public mutating func putRunPlan(runID: String, counts: [RunPlanCount]) {
        operations.append(.putRunPlan(runID: runID, counts: counts))
    }
}

/// Unix time in seconds, the unit of every time FlowState stores.
public func unixTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
