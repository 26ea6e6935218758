// FlowExec scheduler: what the engine hears and decides during a run.
//
// Owns: `SchedulerDelegate` (prepare a job spec right before dispatch, hear starts and ends,
// decide retries, flush batched state writes once per scheduler step, see progress), the
// per-job `JobResult`/`JobFailure`, and the run's `SchedulerSummary`. Persistence (SQLite),
// output cleanup and printing live behind this protocol, in the engine.

public protocol SchedulerDelegate: AnyObject {
    /// The spec for this attempt, built right before dispatch so params/resources callables see
    /// `attempt`. Throwing fails the job (no retry).
    func prepare(job: Int, attempt: Int) throws -> JobSpec
    func jobStarted(job: Int, attempt: Int, externalID: String, executor: String)
    /// An attempt's command succeeded: the engine's checks of what it left (outputs present, of
    /// the right kind). A failure returned here makes it a failed attempt (retried like one).
    func verify(job: Int, attempt: Int) -> JobFailure?
    /// A submitted attempt changed state without ending (queued → running), with the backend's view.
    func jobStateChanged(job: Int, attempt: Int, state: ExternalJobState, executor: String)
    /// Called once per attempt. When `willRetry` is false the result is final: on failure the
    /// engine removes outputs / marks them incomplete.
    func jobFinished(job: Int, attempt: Int, result: JobResult, willRetry: Bool)
    /// Whether a failed attempt gets another (--retries, per-rule retries). Not asked for
    /// infrastructure failures (own budget), cancellations or setup errors.
    func shouldRetry(job: Int, attempt: Int, failure: JobFailure) -> Bool
    /// End of a scheduler step: commit what the callbacks since the last flush wrote.
    func flush()
    /// Counts after every finished job (for "N of M steps (P%) done").
    func progress(_ progress: SchedulerProgress)
    /// A status poll of `executor` failed; the scheduler keeps its jobs and retries later.
    func executorError(executor: String, error: Error)
}

extension SchedulerDelegate {
    public func jobStateChanged(job: Int, attempt: Int, state: ExternalJobState, executor: String) {}
    public func verify(job: Int, attempt: Int) -> JobFailure? { nil }
    public func shouldRetry(job: Int, attempt: Int, failure: JobFailure) -> Bool { false }
    public func flush() {}
    public func progress(_ progress: SchedulerProgress) {}
    public func executorError(executor: String, error: Error) {}
}

public struct JobFailure: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The command exited non-zero or was killed (status 128+signal).
        case exitStatus
        /// The command succeeded but what it left is wrong (outputs missing or of the wrong kind).
        case outputs
        /// Infrastructure (node lost, preempted) — retried on `infrastructureRetries`.
        case infrastructure
        /// The executor no longer knows the job.
        case lost
        /// Interrupted by the user (SIGINT/SIGTERM) or the engine.
        case cancelled
        /// `prepare` threw, submission failed, or the job needs more than the global limits.
        case setup
    }

    public var kind: Kind
    public var exitStatus: Int32?
    public var reason: String
    /// The executor's id for the attempt, if it was submitted.
    public var externalID: String?
    /// What the executor kept of the job's output (failures only).
    public var logs: String?

    public init(kind: Kind, exitStatus: Int32? = nil, reason: String, externalID: String? = nil, logs: String? = nil) {
        self.kind = kind
        self.exitStatus = exitStatus
        self.reason = reason
        self.externalID = externalID
        self.logs = logs
    }

    public var description: String { reason }
}

public enum JobResult: Equatable, Sendable {
    case succeeded
    case failed(JobFailure)
}

public struct SchedulerProgress: Equatable, Sendable {
    public var done: Int
    public var failed: Int
    public var running: Int
    public var total: Int

    public init(done: Int, failed: Int, running: Int, total: Int) {
        self.done = done
        self.failed = failed
        self.running = running
        self.total = total
    }

    /// Whole percent of jobs done, as Snakemake prints it.
    public var percent: Int { total == 0 ? 100 : done * 100 / total }
}

public struct SchedulerSummary: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        case success
        case failed
        /// Cancelled by a signal (its number; 0 for a programmatic request).
        case interrupted(signal: Int32)
    }

    public var outcome: Outcome
    public var total: Int
    public var succeeded: Int
    /// Jobs whose final attempt failed (not counting cancellations).
    public var failedJobs: [Int]
    /// Jobs that were running when the run was cancelled.
    public var cancelledJobs: [Int]
    /// Jobs never started: a dependency failed, the run stopped, or it was interrupted.
    public var skipped: Int

    public init(outcome: Outcome, total: Int, succeeded: Int, failedJobs: [Int], cancelledJobs: [Int], skipped: Int) {
        self.outcome = outcome
        self.total = total
        self.succeeded = succeeded
        self.failedJobs = failedJobs
        self.cancelledJobs = cancelledJobs
        self.skipped = skipped
    }

    /// The process exit status the CLI should use: 0, 1, or 130 for an interrupt (143 for SIGTERM).
    public var exitStatus: Int32 {
        switch outcome {
        case .success: return 0
        case .failed: return 1
        case .interrupted(let signal): return signal > 0 ? 128 + signal : 130
        }
    }
}
