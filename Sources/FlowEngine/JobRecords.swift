// What the state store learns from a run's jobs: remote jobs while they are in flight (so a
// restarted flow can adopt or cancel them, matched by the job's stable key) and, after success,
// each output's provenance (rule, params, code, input set, software, command, times, host).
// Writes are queued and committed once per scheduler step.

import Foundation
import FlowDAG
import FlowExec
import FlowState
import FlowWorkflow

final class JobRecords {
    let store: StateStore?
    let dag: DAG
    let evaluator: JobEvaluator
    let runID: String
    let host = ProcessInfo.processInfo.hostName
    private var remote: [JobID: (executor: String, id: String)] = [:]
    private var local: [JobID: Int] = [:]

    init(store: StateStore?, dag: DAG, evaluator: JobEvaluator, runID: String) {
        self.store = store
        self.dag = dag
        self.evaluator = evaluator
        self.runID = runID
    }

    /// Committed before the job starts: after a kill -9 of flow, a partial output must be
    /// recognisable as incomplete (WAL without fsync makes this commit cheap).
    func markIncomplete(_ locations: [String]) throws {
        try store?.markIncomplete(paths: locations, runID: runID)
    }

    func clearIncomplete(_ locations: [String]) {
        store?.enqueue { $0.clearIncomplete(paths: locations) }
    }

    /// - Parameter key: the key it is recorded under (a group's); nil: the job's own.
    func remoteJobStarted(_ job: JobID, key: String? = nil, attempt: Int, externalID: String, executor: String, externalRunID: String) {
        let now = unixTime()
        let record = ExternalJob(executor: executor, externalID: externalID, runID: externalRunID, jobKey: key ?? dag.jobKey(job),
                                 attempt: attempt, state: .submitted, submittedAt: now, updatedAt: now)
        store?.enqueue { $0.putExternalJob(record) }
        // Committed now, not at the end of the scheduler step: a flow killed between two submissions
        // must find every job it submitted when it restarts, or it would submit them again.
        try? store?.flush()
        remote[job] = (executor, externalID)
    }

    /// A local job's process group, committed with the scheduler step's batch: a flow killed while
    /// the job runs leaves it for the next run to end (see CrashRecovery). A job started since the
    /// last commit is found by the run marker in its environment instead (a commit per job cost
    /// ~20% of a 10,000-job build).
    func localJobStarted(_ job: JobID, pgid: Int) {
        let record = ProcessGroupRecord(runID: runID, startedGroup: pgid, jobKey: dag.jobKey(job), startedAt: unixTime())
        store?.enqueue { $0.putProcessGroup(record) }
        local[job] = pgid
    }

    /// The job's attempt ended (its process was reaped, or its remote job finished).
    func jobEnded(_ job: JobID) {
        if let pgid = local.removeValue(forKey: job) {
            store?.enqueue { $0.deleteProcessGroup(runID: runID, pgid: pgid) }
        }
        guard let ended = remote.removeValue(forKey: job) else { return }
        store?.enqueue { $0.deleteExternalJob(executor: ended.executor, externalID: ended.id) }
    }

    /// Provenance of a successful job's outputs, with the mtimes the plan will compare against.
    func succeeded(_ job: JobID, outputs: [String], mtimes: [Double?], command: String?, started: Double?) {
        guard let store else { return }
        let rule = dag.rule(of: job)
        let signature = JobSignature.default(for: rule)
        let paramsHash = (try? evaluator.paramsHash(job)) ?? nil
        let meta = JobRecord(rule: rule.name, jobKey: dag.jobKey(job), paramsHash: paramsHash ?? "",
                             codeHash: signature.codeHash ?? "", inputs: InputSet(dag.inputPaths(of: job)),
                             softwareEnvHash: signature.softwareHash ?? "", shellCommand: command,
                             startTime: started ?? 0, endTime: Date().timeIntervalSince1970, exitStatus: 0,
                             host: host, runID: runID)
        store.enqueue {
            $0.record(outputs: outputs, meta: meta, outputMtimes: mtimes)
            $0.clearIncomplete(paths: outputs)
        }
    }

    /// Attempts in flight, for their history rows (`flow status`, the report's timeline).
    private var history: [JobID: RunJob] = [:]

    func attemptStarted(_ job: JobID, attempt: Int, reason: String, executor: String, externalID: String, at time: Double) {
        guard let store else { return }
        let wildcards = dag.wildcards(of: job).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let row = RunJob(runID: runID, jobid: job, attempt: attempt, rule: dag.ruleName(of: job), wildcards: wildcards,
                         reason: reason, executor: executor, externalID: externalID, host: host, startTime: time)
        history[job] = row
        store.enqueue { $0.putRunJob(row) }
    }

    /// An attempt that never reached its executor (setup failed) gets a row too, without executor.
    func attemptEnded(_ job: JobID, attempt: Int, result: JobResult) {
        guard let store else { return }
        let now = unixTime()
        var row = history.removeValue(forKey: job)
            ?? RunJob(runID: runID, jobid: job, attempt: attempt, rule: dag.ruleName(of: job), startTime: now)
        row.endTime = now
        switch result {
        case .succeeded:
            row.state = .succeeded
            row.exitStatus = 0
        case .failed(let failure):
            row.state = failure.kind == .cancelled ? .cancelled : .failed
            row.exitStatus = failure.exitStatus.map(Int.init)
            row.message = failure.reason
        }
        store.enqueue { $0.putRunJob(row) }
    }

    func flush() throws { try store?.flush() }
}
