// FlowExec contract: the description of one job attempt handed to an executor.
//
// Owns: `JobSpec` (everything an executor needs to run one attempt of one job), `JobCommand` and
// `ResourceValue`. It is plain data built by the engine's `SchedulerDelegate.prepare`; it knows
// nothing about rules, wildcards or the DAG, so every backend (local, Slurm, Kubernetes, Flux,
// PiCaS) can be written against it alone.

/// What to run: shell text (run by bash in strict mode) or a job script on disk.
public enum JobCommand: Equatable, Sendable {
    /// Shell text, run as `bash -euo pipefail -c <text>` (Snakemake's strict mode).
    case shell(String)
    /// A self-contained script (see `JobScript`), run as `bash <path>`.
    case script(path: String)
}

/// A resource value as Snakemake allows them: integers (mem_mb, disk_mb, gpus) or strings
/// (partition names, tmpdir, constraints).
public enum ResourceValue: Equatable, Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case string(String)

    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let value): return value
        }
    }
}

public struct JobSpec: Equatable, Sendable {
    /// The scheduler's job id (stable within one run).
    public var id: Int
    /// The rule name, for messages and job names.
    public var name: String
    /// 1-based attempt number; retries increment it.
    public var attempt: Int
    /// Identifies the run; with `id` and `attempt` it makes `externalName`.
    public var runID: String
    public var command: JobCommand
    public var workingDirectory: String
    /// Added to (or overriding) the environment the executor itself runs with.
    public var environment: [String: String]
    public var threads: Int
    public var resources: [String: ResourceValue]
    /// Where the job's stdout/stderr go; nil inherits the executor's (local) or uses the
    /// backend's default (remote). The same path for both merges the streams. Files are appended
    /// to (retries keep earlier attempts' output); relative paths are relative to flow's own
    /// working directory, and missing parent directories are created.
    public var stdoutPath: String?
    public var stderrPath: String?
    /// The job's outputs, so the engine can wait for them to appear on a shared file system.
    public var outputs: [String]
    /// Local rules run on the submitting host even when a remote executor is configured.
    public var isLocal: Bool

    public init(id: Int, name: String, attempt: Int = 1, runID: String, command: JobCommand,
                workingDirectory: String, environment: [String: String] = [:], threads: Int = 1,
                resources: [String: ResourceValue] = [:], stdoutPath: String? = nil,
                stderrPath: String? = nil, outputs: [String] = [], isLocal: Bool = false) {
        self.id = id
        self.name = name
        self.attempt = attempt
        self.runID = runID
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.threads = threads
        self.resources = resources
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.outputs = outputs
        self.isLocal = isLocal
    }

    /// A name that is the same every time this attempt is submitted, so a backend can detect a
    /// duplicate submission (e.g. a 409 on create after a lost response) and adopt the job.
    /// Lowercase letters, digits and '-' only, at most 63 characters (a Kubernetes name).
    public var externalName: String {
        let run = String(runID.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        let suffix = "-\(id)-\(attempt)"
        return "flow-" + String(run.prefix(63 - 5 - suffix.count)) + suffix
    }
}
