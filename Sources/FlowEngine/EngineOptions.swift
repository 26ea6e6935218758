// FlowEngine: one run of a workflow, from the Snakefile to finished jobs.
//
// Owns: the order of the stages (evaluate -> DAG -> plan -> schedule -> record) and the
// translation between them (DAG jobs to scheduler jobs, job results to state records). It does not
// parse flags (FlowCLI does) and does not print (it reports events to an `EngineReporter`).

import FlowExec
import FlowLang

/// Everything a run needs to know, already parsed and typed.
public struct EngineOptions {
    public var targets: [String] = []
    /// nil: look up Snakefile, snakefile, workflow/Snakefile, workflow/snakefile.
    public var snakefile: String?
    public var directory: String?
    public var configFiles: [String] = []
    public var configEntries: [String] = []
    /// Where Snakefiles' imports of modules outside flow's own set come from (the CLI registers
    /// FlowPython's CPython loader); nil: such imports fail.
    public var foreignModules: ForeignModuleLoader?

    public var dryRun = false
    public var forceAll = false
    public var force = false
    public var forceRun: [String] = []
    public var until: [String] = []
    public var omitFrom: [String] = []
    public var rerunIncomplete = false
    /// nil: all triggers (mtime, params, input, software-env, code).
    public var rerunTriggers: Set<String>?
    public var touch = false

    public var cores = 1
    /// Jobs in flight for remote executors (nil: unlimited).
    public var jobs: Int?
    public var resources: [String: Int] = [:]
    public var defaultResources: [String] = []
    public var setThreads: [String: Int] = [:]
    public var setResources: [String: [String: String]] = [:]
    /// `--groups RULE=GROUP`: replaces rules' `group:` (remote runs).
    public var groups: [String: String] = [:]
    /// `--group-components GROUP=N`: connected parts of one group name run as one group job.
    public var groupComponents: [String: Int] = [:]
    /// `--local-groupid`: the `groupid` input functions see when jobs run on this machine.
    public var localGroupID = "local"
    public var keepGoing = false
    public var retries = 0
    public var latencyWait = 5.0
    /// A name in `ExecutorRegistry` (FlowCLI resolves aliases).
    public var executor = "local"
    /// Typed settings per executor name (`--slurm-partition`, profile `slurm-partition:`),
    /// already checked against the registry; executors without an entry get their defaults.
    public var executorSettings: [String: ExecutorSettings] = [:]
    public var maxStatusChecksPerSecond = 10.0
    /// --seconds-between-status-checks; nil: the executor's default.
    public var secondsBetweenStatusChecks: Double?
    public var cancelPrevious = false
    public var notemp = false
    public var keepIncomplete = false
    public var nolock = false
    /// `--default-storage-provider` / `--default-storage-prefix` (checked by the workflow loader).
    public var defaultStorageProvider: String?
    public var defaultStoragePrefix: String?
    /// `--max-storage-transfers`: a job's files transferred at once.
    public var maxStorageTransfers = 4
    /// `--local-storage-prefix` (nil: .flow/storage) and `--keep-storage-local-copies`.
    public var localStoragePrefix: String?
    public var keepStorageLocalCopies = false

    public var printDAG = false
    public var printRuleGraph = false
    public var printFileGraph = false
    public var summary = false
    public var detailedSummary = false
    public var deleteAllOutput = false
    public var deleteTempOutput = false
    public var unlock = false
    /// With `unlock`: remove the lock even while its holder still runs on this host.
    public var forceUnlock = false
    /// After a killed run: wait for its orphaned jobs to end instead of ending them.
    public var waitForOrphans = false
    /// `--cleanup-metadata`: forget the records and incomplete marks of these files.
    public var cleanupMetadata: [String] = []

    public var printShellCommands = false
    /// `--wrapper-prefix`: where `wrapper:` scripts come from (nil: Snakemake's default, GitHub).
    public var wrapperPrefix: String?
    public var quiet = false
    public var verbose = false
    public var showFailedLogs = false

    public init() {}

    /// Snakemake's default Snakefile locations, in lookup order.
    public static let defaultSnakefiles = ["Snakefile", "snakefile", "workflow/Snakefile", "workflow/snakefile"]
}
