// FlowExec contract: the description of one job attempt handed to an executor.
//
// Owns: `JobSpec` (everything an executor needs to run one attempt of one job, or of one group of
// jobs run as one — see `JobGroup`), `JobCommand` and `ResourceValue`. It is plain data built by the engine's `SchedulerDelegate.prepare`; it knows
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

/// A file a job reads or writes: where flow keeps it, and where the job sees it.
public struct JobFile: Equatable, Sendable, Codable {
    /// Where the file lives for flow: a path relative to flow's working directory, or a storage
    /// URL (`gs://bucket/key`).
    public var location: String
    /// Where the job sees it, relative to the job's working directory (a storage URL's local
    /// copy, `.flow/storage/gs/bucket/key`; a plain path is itself).
    public var path: String

    public init(location: String, path: String) {
        self.location = location
        self.path = path
    }

    public init(_ path: String) { self.init(location: path, path: path) }
}

/// A file flow generates for a job (the program of a `run:` block, a `script:` with its
/// prelude, a long command), carried as text so that a back end without flow's file system can
/// write it where the job runs.
public struct JobProgram: Equatable, Sendable {
    /// Relative to the job's working directory.
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

public struct JobSpec: Equatable, Sendable {
    /// The scheduler's job id (stable within one run).
    public var id: Int
    /// The rule name, for messages and job names.
    public var name: String
    /// What identifies the job across runs, whatever the DAG's numbering: the rule and its
    /// wildcards (`bwa_map[sample=A]`). Adoption after a restart matches on it.
    public var key: String
    /// 1-based attempt number; retries increment it.
    public var attempt: Int
    /// Identifies the run; with `key` and `attempt` it makes `externalName`.
    public var runID: String
    public var command: JobCommand
    /// Where a back end that shares flow's file system runs the job (absolute). A back end that
    /// does not runs it in a directory of its own, with the same relative layout.
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
    /// What the job reads: a back end without a shared file system stages these in.
    public var inputs: [JobFile]
    /// What the job must leave behind (outputs, logs, benchmark): staged out after it ran.
    public var outputs: [JobFile]
    /// Files flow generated for the job, to be written before it runs.
    public var programs: [JobProgram]
    /// The container image to run the job in: the rule's `container:`; nil leaves the choice to
    /// the back end (its default image setting, or the host).
    public var container: String?
    /// Local rules run on the submitting host even when a remote executor is configured.
    public var isLocal: Bool
    /// Set when this job is a group of jobs run as one (`JobGroup.spec`): its command runs the
    /// members, its threads, resources, files and programs are theirs combined.
    public var group: JobGroup?

    public init(id: Int, name: String, key: String? = nil, attempt: Int = 1, runID: String, command: JobCommand,
                workingDirectory: String, environment: [String: String] = [:], threads: Int = 1,
                resources: [String: ResourceValue] = [:], stdoutPath: String? = nil,
                stderrPath: String? = nil, inputs: [JobFile] = [], outputs: [JobFile] = [],
                programs: [JobProgram] = [], container: String? = nil, isLocal: Bool = false) {
        self.id = id
        self.name = name
        self.key = key ?? "\(name)#\(id)"
        self.attempt = attempt
        self.runID = runID
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.threads = threads
        self.resources = resources
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.inputs = inputs
        self.outputs = outputs
        self.programs = programs
        self.container = container
        self.isLocal = isLocal
    }

    /// A name that is the same every time this attempt of this job is submitted by this run, so
    /// a backend can detect a duplicate submission (a 409 on create after a lost response, a
    /// restarted flow) and adopt the job: `flow-<run>-<rule>-<hash of key>-<attempt>`. It is
    /// derived from the stable `key`, never from the DAG's numbering, which checkpoints change
    /// between runs. Lowercase letters, digits and '-' only, at most 63 characters, starting and
    /// ending with a letter or digit (a Kubernetes name).
    public var externalName: String {
        let suffix = "-" + Self.hash(key) + "-\(attempt)"
        let rule = Self.nameSafe(name)
        let run = Self.nameSafe(runID)
        let budget = 63 - 5 - suffix.count
        let runPart = String(run.prefix(max(8, budget / 2)))
        let rulePart = String(rule.prefix(max(0, budget - runPart.count - 1)))
        let middle = rulePart.isEmpty ? runPart : runPart + "-" + rulePart
        return "flow-" + middle.trimmingDashes() + suffix
    }

    private static func nameSafe(_ text: String) -> String {
        var out = ""
        for c in text.lowercased() {
            let ok = c.isASCII && (c.isLetter || c.isNumber)
            if ok { out.append(c) } else if out.last != "-" { out.append("-") }
        }
        return out.trimmingDashes()
    }

    /// 12 hex digits of FNV-1a 64: stable across processes and platforms (Hasher is seeded).
    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(12))
    }
}

private extension String {
    func trimmingDashes() -> String {
        var s = Substring(self)
        while s.first == "-" { s = s.dropFirst() }
        while s.last == "-" { s = s.dropLast() }
        return String(s)
    }
}
