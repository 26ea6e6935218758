// HistoryView: `flow history` (the last runs: start, end, outcome, counts) and `flow status` (one
// run: its jobs by state with the reason each ran, attempts, executor ids and durations), as text
// for people and JSON for scripts. Built from what FlowState recorded; reads only.

import Foundation
import FlowState

public struct RunSummary: Codable, Equatable {
    public var id: String
    public var start: Double
    public var end: Double?
    /// running | succeeded | failed | interrupted | killed
    public var outcome: String
    public var host: String
    public var pid: Int
    public var command: String?
    /// Jobs the run planned, and what became of them (by each job's last attempt).
    public var planned: Int
    public var succeeded: Int
    public var failed: Int
    public var running: Int
    public var notStarted: Int
    /// Attempts beyond the first (retries).
    public var retries: Int
}

public struct JobStatus: Codable, Equatable {
    public struct Attempt: Codable, Equatable {
        public var attempt: Int
        public var state: String
        public var executor: String?
        public var externalID: String?
        public var host: String?
        public var start: Double
        public var end: Double?
        public var seconds: Double?
        public var exitStatus: Int?
        public var message: String?
    }
    public var jobid: Int
    public var rule: String
    public var wildcards: String
    /// The last attempt's state; `killed` for one still running when its run was killed.
    public var state: String
    public var reason: String
    public var attempts: [Attempt]
}

public struct RunStatus: Codable, Equatable {
    public var run: RunSummary
    public var jobs: [JobStatus]
    /// Planned jobs per rule that never started.
    public var notStartedByRule: [String: Int]
}

public enum HistoryView {
    /// The last `limit` runs, newest last.
    public static func summaries(_ store: StateStore, limit: Int?) throws -> [RunSummary] {
        try store.runs(limit: limit).map { run in
            let outcome = store.outcome(of: run)
            let counts = try store.runCounts(runID: run.id)
            var planned = 0, notStarted = 0
            for count in try store.runPlan(runID: run.id) {
                planned += count.jobs
                notStarted += max(0, count.jobs - (counts.startedByRule[count.rule] ?? 0))
            }
            let started = counts.byState.values.reduce(0, +)
            return RunSummary(
                id: run.id, start: run.startTime, end: run.endTime, outcome: outcome.rawValue, host: run.host, pid: run.pid,
                command: run.command, planned: max(planned, started), succeeded: counts.byState[.succeeded] ?? 0,
                failed: counts.byState[.failed] ?? 0, running: counts.byState[.running] ?? 0, notStarted: notStarted,
                retries: counts.retries)
        }
    }

    /// One run's status (`runID` nil: the latest run).
    public static func status(_ store: StateStore, runID: String?) throws -> RunStatus? {
        let run: RunRecord?
        if let runID { run = try store.run(id: runID) } else { run = try store.runs(limit: 1).last }
        return try run.map { try status(store, run: $0) }
    }

    static func status(_ store: StateStore, run: RunRecord) throws -> RunStatus {
        let outcome = store.outcome(of: run)
        var byJob: [Int: [RunJob]] = [:]
        var order: [Int] = []
        for row in try store.runJobs(runID: run.id) {
            if byJob[row.jobid] == nil { order.append(row.jobid) }
            byJob[row.jobid, default: []].append(row)
        }
        var jobs: [JobStatus] = []
        var startedByRule: [String: Int] = [:]
        for jobid in order {
            let rows = byJob[jobid]!.sorted { $0.attempt < $1.attempt }
            let last = rows.last!
            var state = last.state.rawValue
            if last.state == .running && outcome != .running { state = "killed" }
            startedByRule[last.rule, default: 0] += 1
            jobs.append(JobStatus(
                jobid: jobid, rule: last.rule, wildcards: last.wildcards, state: state, reason: rows.first!.reason,
                attempts: rows.map {
                    JobStatus.Attempt(attempt: $0.attempt, state: $0.state == .running && outcome != .running ? "killed" : $0.state.rawValue,
                                      executor: $0.executor, externalID: $0.externalID, host: $0.host, start: $0.startTime,
                                      end: $0.endTime, seconds: $0.duration, exitStatus: $0.exitStatus, message: $0.message)
                }))
        }
        var notStarted: [String: Int] = [:]
        var planned = 0
        for count in try store.runPlan(runID: run.id) {
            planned += count.jobs
            let left = count.jobs - (startedByRule[count.rule] ?? 0)
            if left > 0 { notStarted[count.rule] = left }
        }
        let summary = RunSummary(
            id: run.id, start: run.startTime, end: run.endTime, outcome: outcome.rawValue, host: run.host, pid: run.pid,
            command: run.command, planned: max(planned, jobs.count),
            succeeded: jobs.filter { $0.state == "succeeded" }.count,
            failed: jobs.filter { $0.state == "failed" }.count,
            running: jobs.filter { $0.state == "running" || $0.state == "killed" }.count,
            notStarted: notStarted.values.reduce(0, +),
            retries: jobs.reduce(0) { $0 + $1.attempts.count - 1 })
        return RunStatus(run: summary, jobs: jobs, notStartedByRule: notStarted)
    }

    // MARK: Text

    public static func historyText(_ runs: [RunSummary]) -> String {
        guard !runs.isEmpty else { return "No runs recorded in this directory.\n" }
        var rows = [["run", "start", "end", "outcome", "jobs", "done", "failed", "running", "not started", "retries"]]
        for r in runs {
            rows.append([r.id, time(r.start), r.end.map(time) ?? "-", r.outcome, String(r.planned), String(r.succeeded),
                         String(r.failed), String(r.running), String(r.notStarted), String(r.retries)])
        }
        return table(rows)
    }

    public static func statusText(_ status: RunStatus) -> String {
        let r = status.run
        var out = "Run \(r.id): \(r.outcome)\n"
        out += "  started \(time(r.start))" + (r.end.map { ", ended \(time($0)) (\(duration($0 - r.start)))" } ?? "") + "\n"
        out += "  host \(r.host), pid \(r.pid)\n"
        if let command = r.command { out += "  command: \(command)\n" }
        out += "  jobs: \(r.planned) planned, \(r.succeeded) succeeded, \(r.failed) failed, \(r.running) "
            + (r.outcome == "running" ? "running" : "unfinished") + ", \(r.notStarted) not started, \(r.retries) retries\n"
        for state in ["failed", "killed", "running", "cancelled", "succeeded"] {
            let jobs = status.jobs.filter { $0.state == state }
            guard !jobs.isEmpty else { continue }
            out += "\n\(state) (\(jobs.count)):\n"
            var rows = [["job", "rule", "wildcards", "attempts", "executor ids", "time", "reason"]]
            for job in jobs {
                let ids = job.attempts.map { a in [a.executor, a.externalID].compactMap { $0 }.joined(separator: " ") }
                    .filter { !$0.isEmpty }.joined(separator: "; ")
                let seconds = job.attempts.compactMap(\.seconds).reduce(0, +)
                rows.append([String(job.jobid), job.rule, job.wildcards.isEmpty ? "-" : job.wildcards, String(job.attempts.count),
                             ids.isEmpty ? "-" : ids, job.attempts.last?.end == nil ? "-" : duration(seconds), job.reason])
            }
            out += table(rows, indent: "  ")
            for job in jobs where state == "failed" {
                if let message = job.attempts.last?.message { out += "  job \(job.jobid): \(message)\n" }
            }
        }
        if !status.notStartedByRule.isEmpty {
            out += "\nnot started (\(r.notStarted)): "
            out += status.notStartedByRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    public static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    // MARK: Formatting

    static func time(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.1f s", seconds) : ProgressModel.clock(seconds)
    }

    static func table(_ rows: [[String]], indent: String = "") -> String {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            indent + row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
