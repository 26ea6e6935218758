// Records: the plain values FlowState stores and returns (job provenance, runs, external job
// ids). Strings, numbers and times only: FlowState must not know flow's DAG or workflow types,
// so callers flatten what they need (hashes, job keys) before handing it over.

/// The set of input paths a job ran with, kept sorted and deduplicated as one NUL-joined string.
/// Snakemake's "set of input files changed" trigger compares sets, so order must not matter, and
/// one string compare is what a 100k-job no-op check can afford (no per-job array).
public struct InputSet: Hashable, Sendable, CustomStringConvertible {
    /// Sorted, deduplicated paths joined with "\0" (a byte no path can contain). Empty paths
    /// are not paths and are dropped, so "no inputs" has one representation.
    public let joined: String

    public init<S: Sequence>(_ paths: S) where S.Element == String {
        let sorted = Set(paths.lazy.filter { !$0.isEmpty }).sorted()
        joined = sorted.joined(separator: "\0")
    }

    /// Trusts `joined` to be in canonical form already (read back from the database).
    init(canonical joined: String) { self.joined = joined }

    public var paths: [String] {
        joined.isEmpty ? [] : joined.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    }

    public var isEmpty: Bool { joined.isEmpty }
    public var description: String { paths.description }
}

/// What flow knows about the job that last produced an output.
public struct JobRecord: Equatable, Sendable {
    public var rule: String
    /// Rule plus its sorted wildcards, e.g. `map[sample=A,unit=1]`; identifies the job across runs.
    public var jobKey: String
    public var paramsHash: String
    /// Hash of the shell command / script / run: block source.
    public var codeHash: String
    public var inputs: InputSet
    public var softwareEnvHash: String
    /// The shell command exactly as run; nil for script:/run: jobs.
    public var shellCommand: String?
    /// Seconds since the Unix epoch.
    public var startTime: Double
    public var endTime: Double
    public var exitStatus: Int
    public var host: String
    public var runID: String?
    /// Per output: its mtime when the job completed, to notice later modification outside
    /// flow. Ignored by `record(outputs:meta:)` when per-output mtimes are passed separately.
    public var outputMtime: Double?

    public init(rule: String, jobKey: String, paramsHash: String = "", codeHash: String = "",
                inputs: InputSet = InputSet([String]()), softwareEnvHash: String = "",
                shellCommand: String? = nil, startTime: Double = 0, endTime: Double = 0,
                exitStatus: Int = 0, host: String = "", runID: String? = nil, outputMtime: Double? = nil) {
        self.rule = rule
        self.jobKey = jobKey
        self.paramsHash = paramsHash
        self.codeHash = codeHash
        self.inputs = inputs
        self.softwareEnvHash = softwareEnvHash
        self.shellCommand = shellCommand
        self.startTime = startTime
        self.endTime = endTime
        self.exitStatus = exitStatus
        self.host = host
        self.runID = runID
        self.outputMtime = outputMtime
    }
}

/// One invocation of flow in this working directory.
public struct RunRecord: Equatable, Sendable {
    public enum Status: String, Sendable {
        /// `killed`: found dead by a later run (kill -9, lost session), which ended its jobs.
        case running, succeeded, failed, interrupted, killed
    }
    public var id: String
    public var startTime: Double
    public var endTime: Double?
    /// A run still `running` whose process is gone was killed; `WorkdirLock` tells which.
    public var status: Status
    public var pid: Int
    public var host: String
    public var command: String?

    public init(id: String, startTime: Double, endTime: Double? = nil, status: Status = .running,
                pid: Int, host: String, command: String? = nil) {
        self.id = id
        self.startTime = startTime
        self.endTime = endTime
        self.status = status
        self.pid = pid
        self.host = host
        self.command = command
    }
}

/// A job handed to an external system (Slurm, Flux, Kubernetes, ...) under that system's id, so
/// a restarted flow can adopt jobs that are still running instead of submitting them again.
public struct ExternalJob: Equatable, Sendable {
    /// flow's view of the job; executors map their native states onto these.
    public enum State: String, Sendable, CaseIterable {
        case submitted, running, succeeded, failed, cancelled
        public var isActive: Bool { self == .submitted || self == .running }
    }
    public var executor: String
    public var externalID: String
    public var runID: String
    public var jobKey: String
    public var attempt: Int
    public var state: State
    public var submittedAt: Double
    public var updatedAt: Double

    public init(executor: String, externalID: String, runID: String, jobKey: String, attempt: Int = 1,
                state: State = .submitted, submittedAt: Double, updatedAt: Double? = nil) {
        self.executor = executor
        self.externalID = externalID
        self.runID = runID
        self.jobKey = jobKey
        self.attempt = attempt
        self.state = state
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt ?? submittedAt
    }
}

/// A local job's process group, recorded while the job runs: after a kill -9 of flow, the next
/// run ends the groups still alive before it reruns their jobs (see `OrphanedJobs`).
public struct ProcessGroupRecord: Equatable, Sendable {
    public var runID: String
    public var pgid: Int
    /// Start ticks of the group's first process (see `ProcessIdentity.startTicks`); nil if unknown.
    public var startTicks: UInt64?
    public var jobKey: String
    public var startedAt: Double

    public init(runID: String, pgid: Int, startTicks: UInt64?, jobKey: String, startedAt: Double) {
        self.runID = runID
        self.pgid = pgid
        self.startTicks = startTicks
        self.jobKey = jobKey
        self.startedAt = startedAt
    }
}
