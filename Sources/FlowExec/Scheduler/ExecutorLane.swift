// FlowExec scheduler: one executor as the scheduler sees it.
//
// Owns: the jobs in flight on one executor (external id → job index and last known state), when it is next due for
// a status round, and the backoff after failed polls (exponential with jitter; the jobs stay
// in flight — a transient error never drops a job, executors.md §5.0).

final class ExecutorLane {
    let executor: Executor
    let isEventDriven: Bool
    private let interval: Double
    /// A submitted attempt: its job and the last state the executor reported (kept as is when a
    /// poll fails or omits the job).
    struct InFlight {
        var index: Int
        var state: ExternalJobState
    }

    /// External id → attempt in flight.
    var active: [String: InFlight] = [:]
    private var lastPoll: Double
    private var consecutiveErrors = 0
    private var backoffUntil: Double?

    init(_ executor: Executor, now: Double) {
        self.executor = executor
        interval = executor.capabilities.statusInterval
        isEventDriven = interval <= 0
        lastPoll = now
    }

    var hasRoom: Bool { active.count < executor.maxInFlight }

    /// When the next status round may happen; event-driven lanes are due at once unless backing off.
    var nextPoll: Double {
        if let backoffUntil { return backoffUntil }
        return isEventDriven ? lastPoll : lastPoll + interval
    }

    var isBackingOff: Bool { backoffUntil != nil }

    func pollSucceeded(at now: Double) {
        lastPoll = now
        consecutiveErrors = 0
        backoffUntil = nil
    }

    func pollFailed(at now: Double, options: SchedulerOptions) {
        lastPoll = now
        consecutiveErrors += 1
        let delay = min(options.maxPollBackoff, options.pollBackoff * Double(1 << min(consecutiveErrors - 1, 30)))
        // Jitter in [0.5, 1.0) of the delay keeps many flow instances from polling in lockstep.
        backoffUntil = now + delay * Double.random(in: 0.5..<1.0)
    }
}
