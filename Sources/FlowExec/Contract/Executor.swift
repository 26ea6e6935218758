// FlowExec contract: the one interface every backend implements (executors.md §5.0).
//
// Owns: `Executor`, `ExternalJobState` and `ExecutorCapabilities`. A backend submits a
// `JobSpec`, reports states for many jobs in ONE batched call per round, cancels and returns
// logs. It does not decide about retries, ordering or limits: that is the `Scheduler`'s job.

/// The state of a submitted job as the backend sees it.
public enum ExternalJobState: Equatable, Sendable {
    case queued
    case running
    case succeeded
    /// The job's own command failed. Signals are reported as 128+n, like a shell.
    case failed(exitStatus: Int32, reason: String)
    /// The job never got a fair run (node failure, preemption, eviction): retried on its own budget.
    case infrastructureFailed(reason: String)
    /// The backend no longer knows the job.
    case lost

    public var isTerminal: Bool {
        switch self {
        case .queued, .running: return false
        case .succeeded, .failed, .infrastructureFailed, .lost: return true
        }
    }
}

public struct ExecutorCapabilities: Equatable, Sendable {
    /// Jobs see the submit host's file system (local, most Slurm sites) — outputs need no transfer.
    public var sharesFileSystem: Bool
    /// Seconds between status rounds. 0 means event-driven: `waitForProgress` returns as soon as
    /// a job may have changed, and the scheduler polls right after it.
    public var statusInterval: Double

    /// Seconds between status rounds of a polling back end: at most `checksPerSecond` rounds a
    /// second (--max-status-checks-per-second), and never closer than `minimum` (a shared scheduler).
    public static func statusInterval(checksPerSecond: Double, minimum: Double) -> Double {
        max(checksPerSecond > 0 ? 1 / checksPerSecond : 0, minimum)
    }

    public init(sharesFileSystem: Bool, statusInterval: Double) {
        self.sharesFileSystem = sharesFileSystem
        self.statusInterval = statusInterval
    }
}

public protocol Executor: AnyObject {
    /// Short backend name for messages ("local", "slurm", ...).
    var name: String { get }
    var capabilities: ExecutorCapabilities { get }
    /// At most this many jobs submitted and not yet finished (-j/--jobs).
    var maxInFlight: Int { get }

    /// Starts one attempt; returns the backend's id for it. Submitting the same
    /// `JobSpec.externalName` twice must not run the job twice.
    func submit(_ job: JobSpec) throws -> String
    /// States of the given jobs, in one batched request. An id missing from the answer keeps
    /// its previous state; a thrown error is transient (the scheduler retries with backoff).
    func poll(_ ids: [String]) throws -> [String: ExternalJobState]
    /// Stops the jobs. Afterwards `poll` reports them terminal.
    func cancel(_ ids: [String])
    /// Whatever the backend kept of the job's output, if anything.
    func logs(_ id: String) -> String?
    /// Blocks until a job may have changed, `timeout` seconds passed, or `interruption` fired.
    func waitForProgress(timeout: Double, interruption: Interruption?)
    /// The engine is done with this executor (the run ended, failed or was interrupted; never
    /// called after a kill -9, when leftovers are for the next run to adopt): clean up what the
    /// back end keeps per run (finished jobs, secrets).
    func finish()
}

extension Executor {
    public func finish() {}

    /// Interval-driven backends just sleep (waking early on an interruption).
    public func waitForProgress(timeout: Double, interruption: Interruption?) {
        if let interruption {
            interruption.wait(timeout: timeout)
        } else {
            Interruption.sleep(seconds: timeout)
        }
    }
}
