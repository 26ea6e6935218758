// FlowExec scheduler: the plain-data inputs of a run — jobs and limits.
//
// Owns: `SchedulerJob` (what the scheduler must know about a job before it runs: dependencies,
// threads, resources, priority, where it runs) and `SchedulerOptions` (--cores, --resources,
// -k, retry budgets, backoff). Built by the engine from its DAG; nothing here knows rules or files.
// A job group is one `SchedulerJob` too: the engine collapses its members before scheduling, and
// its `JobSpec` (see `JobGroup`) runs them all.

public struct SchedulerJob: Equatable, Sendable {
    public var id: Int
    /// Ids of jobs that must succeed before this one starts (all in the same run).
    public var dependencies: [Int]
    /// Cores this job occupies while it runs locally (capped at --cores).
    public var threads: Int
    /// Integer resources (mem_mb, gpus, ...) counted against `SchedulerOptions.resources`.
    /// First-attempt estimate: the `JobSpec` from `prepare` has the final say.
    public var resources: [String: Int]
    /// Higher runs first; ties go to the earlier job in the list given to the scheduler.
    public var priority: Int
    /// Runs on the local executor even when a remote one is configured (localrules).
    public var isLocal: Bool

    public init(id: Int, dependencies: [Int] = [], threads: Int = 1, resources: [String: Int] = [:],
                priority: Int = 0, isLocal: Bool = false) {
        self.id = id
        self.dependencies = dependencies
        self.threads = threads
        self.resources = resources
        self.priority = priority
        self.isLocal = isLocal
    }
}

public struct SchedulerOptions: Equatable, Sendable {
    /// --cores: the sum of threads of running local jobs stays at or below this.
    public var cores: Int
    /// --resources name=N: global limits; resources without a limit are not counted.
    public var resources: [String: Int]
    /// -k/--keep-going: after a failure, keep starting jobs that do not depend on it.
    public var keepGoing: Bool
    /// Extra attempts for infrastructure failures (preemption, node loss), apart from --retries.
    public var infrastructureRetries: Int
    /// First delay after a failed status poll; doubles per consecutive failure, with jitter.
    public var pollBackoff: Double
    public var maxPollBackoff: Double
    /// How many ready jobs that do not fit may be passed over to find one that does.
    public var backfillLimit: Int

    public init(cores: Int, resources: [String: Int] = [:], keepGoing: Bool = false,
                infrastructureRetries: Int = 3, pollBackoff: Double = 1, maxPollBackoff: Double = 60,
                backfillLimit: Int = 64) {
        self.cores = max(1, cores)
        self.resources = resources
        self.keepGoing = keepGoing
        self.infrastructureRetries = infrastructureRetries
        self.pollBackoff = pollBackoff
        self.maxPollBackoff = maxPollBackoff
        self.backfillLimit = backfillLimit
    }
}

public enum SchedulerError: Error, Equatable, CustomStringConvertible {
    case duplicateJob(Int)
    case unknownDependency(job: Int, dependency: Int)
    /// Some jobs (ids given) depend on each other in a cycle.
    case cycle([Int])

    public var description: String {
        switch self {
        case .duplicateJob(let id): return "job \(id) is listed twice"
        case .unknownDependency(let job, let dependency): return "job \(job) depends on unknown job \(dependency)"
        case .cycle(let ids): return "jobs \(ids.prefix(10).map(String.init).joined(separator: ", ")) form a dependency cycle"
        }
    }
}
