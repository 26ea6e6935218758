// FlowExec registry: what a back end tells the rest of flow about itself.
//
// Owns: `ExecutorDescriptor` (name, aliases, summary, declared settings, factory) and
// `ExecutorContext` (what a factory gets: typed settings plus the run-wide limits). Each back end
// declares its descriptor in its own folder (Local/LocalDescriptor.swift,
// Slurm/SlurmDescriptor.swift); `ExecutorRegistry` only lists them.

/// What a factory needs to build an executor for one run.
public struct ExecutorContext {
    public var settings: ExecutorSettings
    /// The run's working directory (absolute).
    public var workdir: String
    /// -j/--jobs; nil when not given or unlimited.
    public var jobs: Int?
    /// --max-status-checks-per-second.
    public var maxStatusChecksPerSecond: Double
    /// --seconds-between-status-checks (general in Snakemake 8); nil: the back end's default.
    public var secondsBetweenStatusChecks: Double?
    /// The workflow's `envvars:` (names it declares its jobs need). A back end whose jobs do not
    /// inherit flow's environment passes their values on as secrets, never in a job body or a log.
    public var workflowEnvvars: [String]
    /// `--default-storage-prefix` (`gs://bucket/run1`): where a back end without flow's file
    /// system can leave what its jobs write besides their outputs (their logs).
    public var defaultStoragePrefix: String?

    public init(settings: ExecutorSettings, workdir: String, jobs: Int? = nil, maxStatusChecksPerSecond: Double = 10,
                secondsBetweenStatusChecks: Double? = nil, workflowEnvvars: [String] = [], defaultStoragePrefix: String? = nil) {
        self.settings = settings
        self.workflowEnvvars = workflowEnvvars
        self.defaultStoragePrefix = defaultStoragePrefix
        self.workdir = workdir
        self.jobs = jobs
        self.maxStatusChecksPerSecond = maxStatusChecksPerSecond
        self.secondsBetweenStatusChecks = secondsBetweenStatusChecks
    }
}

/// One back end: `--executor <name>`, its settings `--<name>-<setting>`, and how to build it.
public struct ExecutorDescriptor: Sendable {
    public let name: String
    /// Other names `--executor` accepts (flags and profile keys always use `name`, as Snakemake
    /// names a plugin's settings after the plugin).
    public let aliases: [String]
    /// One line for `--help`.
    public let summary: String
    /// Jobs run on this machine: the engine's own local executor serves them, so this back end
    /// needs no remote executor.
    public let isLocal: Bool
    public let settings: [ExecutorSetting]
    public let makeExecutor: @Sendable (ExecutorContext) throws -> any Executor

    public init(name: String, aliases: [String] = [], summary: String, isLocal: Bool = false,
                settings: [ExecutorSetting] = [], makeExecutor: @escaping @Sendable (ExecutorContext) throws -> any Executor) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.isLocal = isLocal
        self.settings = settings
        self.makeExecutor = makeExecutor
    }

    /// The flag and profile key of a setting, without `--` ("slurm-partition").
    public func key(of setting: ExecutorSetting) -> String { name + "-" + setting.name }
}
