// History: what each run did, attempt by attempt (the `run_jobs` and `run_plans` tables), for
// `flow history`, `flow status` and the report's timeline. Rows are written through WriteBatch
// with the rest of a scheduler step's writes; readers open the database read-only (WAL lets
// them read while a run writes, and they never take a write lock).

import Foundation

/// One attempt of one job in one run.
public struct RunJob: Equatable, Sendable {
    public enum State: String, Sendable, CaseIterable {
        case running, succeeded, failed, cancelled
    }
    public var runID: String
    /// The job's number in its run (as the run printed it).
    public var jobid: Int
    public var attempt: Int
    public var rule: String
    /// "name=value,name=value", sorted by name.
    public var wildcards: String
    /// Why the job ran (the plan's reason, as printed).
    public var reason: String
    public var state: State
    public var executor: String?
    public var externalID: String?
    public var host: String?
    public var startTime: Double
    public var endTime: Double?
    public var exitStatus: Int?
    /// Why a failed attempt failed.
    public var message: String?

    public init(runID: String, jobid: Int, attempt: Int = 1, rule: String, wildcards: String = "", reason: String = "",
                state: State = .running, executor: String? = nil, externalID: String? = nil, host: String? = nil,
                startTime: Double, endTime: Double? = nil, exitStatus: Int? = nil, message: String? = nil) {
        self.runID = runID
        self.jobid = jobid
        self.attempt = attempt
        self.rule = rule
        self.wildcards = wildcards
        self.reason = reason
        self.state = state
        self.executor = executor
        self.externalID = externalID
        self.host = host
        self.startTime = startTime
        self.endTime = endTime
        self.exitStatus = exitStatus
        self.message = message
    }

    public var duration: Double? { endTime.map { $0 - startTime } }
}

/// A run's jobs counted by the state of their last attempt (see `StateStore.runCounts`).
public struct RunCounts: Equatable, Sendable {
    public var byState: [RunJob.State: Int] = [:]
    public var retries = 0
    public var startedByRule: [String: Int] = [:]
    public init() {}
}

/// Jobs a run planned for one rule.
public struct RunPlanCount: Equatable, Sendable {
    public var rule: String
    public var jobs: Int
    public init(rule: String, jobs: Int) {
        self.rule = rule
        self.jobs = jobs
    }
}

extension StateStore {
    /// Opens `<workdir>/.flow/state.db` read-only: no directory or file is created, no schema is
    /// migrated, and no lock a running `flow run` needs is ever taken. Throws when there is no
    /// database yet.
    public convenience init(readingWorkdir workdir: String) throws {
        try self.init(workdir: workdir, readOnly: true)
    }

    func insertRunJob(_ job: RunJob) throws {
        let insert = try statement("""
            INSERT OR REPLACE INTO run_jobs (run_id, jobid, attempt, rule, wildcards, reason, state, executor,
                                             external_id, host, start_time, end_time, exit_status, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.run {
            try $0.bind(1, job.runID)
            try $0.bind(2, job.jobid)
            try $0.bind(3, job.attempt)
            try $0.bind(4, job.rule)
            try $0.bind(5, job.wildcards)
            try $0.bind(6, job.reason)
            try $0.bind(7, job.state.rawValue)
            try $0.bind(8, job.executor)
            try $0.bind(9, job.externalID)
            try $0.bind(10, job.host)
            try $0.bind(11, job.startTime)
            try $0.bind(12, job.endTime)
            try $0.bind(13, job.exitStatus)
            try $0.bind(14, job.message)
        }
    }

    /// Whether the database has the history tables (a database of schema 1 opened read-only has not).
    var hasHistory: Bool { (try? locked { try Schema.version(db) }) ?? 0 >= 2 }

    /// Every attempt of the run `runID` (all runs when nil), in start order.
    public func runJobs(runID: String?) throws -> [RunJob] {
        guard hasHistory else { return [] }
        return try locked {
            let query = try statement("""
                SELECT run_id, jobid, attempt, rule, wildcards, reason, state, executor, external_id, host,
                       start_time, end_time, exit_status, message
                FROM run_jobs WHERE (?1 IS NULL OR run_id = ?1) ORDER BY start_time, jobid, attempt
                """)
            query.reset()
            defer { query.reset() }
            try query.bind(1, runID)
            var jobs: [RunJob] = []
            while try query.step() {
                jobs.append(RunJob(
                    runID: query.string(0), jobid: query.int(1), attempt: query.int(2), rule: query.string(3),
                    wildcards: query.string(4), reason: query.string(5),
                    state: RunJob.State(rawValue: query.string(6)) ?? .failed, executor: query.optionalString(7),
                    externalID: query.optionalString(8), host: query.optionalString(9), startTime: query.double(10),
                    endTime: query.optionalDouble(11), exitStatus: query.optionalInt(12), message: query.optionalString(13)))
            }
            return jobs
        }
    }

    /// What became of a run's jobs, counted in SQL (a `flow history` of runs of 100k jobs reads no job rows):
    /// jobs by the state of their last attempt, retries (attempts after the first), and jobs started per rule.
    public func runCounts(runID: String) throws -> RunCounts {
        guard hasHistory else { return RunCounts() }
        return try locked {
            var counts = RunCounts()
            let byState = try statement("""
                SELECT r.state, count(*), sum(r.attempt - 1) FROM run_jobs r
                WHERE r.run_id = ?1 AND r.attempt = (SELECT max(attempt) FROM run_jobs WHERE run_id = ?1 AND jobid = r.jobid)
                GROUP BY r.state
                """)
            byState.reset()
            defer { byState.reset() }
            try byState.bind(1, runID)
            while try byState.step() {
                counts.byState[RunJob.State(rawValue: byState.string(0)) ?? .failed, default: 0] += byState.int(1)
                counts.retries += byState.int(2)
            }
            let byRule = try statement("SELECT rule, count(DISTINCT jobid) FROM run_jobs WHERE run_id = ? GROUP BY rule")
            byRule.reset()
            defer { byRule.reset() }
            try byRule.bind(1, runID)
            while try byRule.step() { counts.startedByRule[byRule.string(0)] = byRule.int(1) }
            return counts
        }
    }

    /// Jobs per rule the run planned, by rule name.
    public func runPlan(runID: String) throws -> [RunPlanCount] {
        guard hasHistory else { return [] }
        return try locked {
            let query = try statement("SELECT rule, jobs FROM run_plans WHERE run_id = ? ORDER BY rule")
            query.reset()
            defer { query.reset() }
            try query.bind(1, runID)
            var counts: [RunPlanCount] = []
            while try query.step() { counts.append(RunPlanCount(rule: query.string(0), jobs: query.int(1))) }
            return counts
        }
    }
}

extension RunRecord {
    /// What became of a run: its recorded status, except that a run recorded as `running` whose
    /// process is gone was killed.
    public enum Outcome: String, Sendable {
        case running, succeeded, failed, interrupted, killed
    }
}

extension StateStore {
    /// The run's outcome. A `running` run is alive while the working directory's lock names it
    /// and its holder lives (start time and boot id guard against a reused pid); without such a
    /// lock (--nolock, or the lock was removed) its pid decides.
    public func outcome(of run: RunRecord) -> RunRecord.Outcome {
        switch run.status {
        case .succeeded: return .succeeded
        case .failed: return .failed
        case .interrupted: return .interrupted
        case .killed: return .killed   // a later run found it dead and took over
        case .running:
            let workdir = (directory as NSString).deletingLastPathComponent
            if let holder = WorkdirLock.currentHolder(workdir: workdir), holder.runID == run.id {
                return holder.isAlive == false ? .killed : .running
            }
            // Runs record Foundation's host name, which may be the full one of gethostname's.
            let host = run.host == ProcessInfo.processInfo.hostName ? ProcessIdentity.hostName : run.host
            let live = ProcessIdentity.liveness(pid: run.pid, host: host, bootID: nil, startTicks: nil)
            return live == .dead ? .killed : .running
        }
    }
}
