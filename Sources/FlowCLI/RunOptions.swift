// `flow run` flags, named as Snakemake names them (long names, short forms and aliases), so
// that command lines and profiles written for Snakemake work unchanged. Executor settings
// (`--slurm-partition`, ...) are not here: they come from `ExecutorRegistry` (ExecutorFlags.swift).

import ArgumentParser
import Foundation
import FlowExec

public struct RunOptions: ParsableArguments {
    public init() {}

    @Argument(help: "Files or rule names to build (default: the rule marked default_target, else the first rule).")
    public var targets: [String] = []

    // MARK: Workflow and configuration
    @Option(name: [.short, .long], help: "The Snakefile (default: Snakefile, snakefile, workflow/Snakefile or workflow/snakefile).")
    public var snakefile: String?

    @Option(name: [.short, .long], help: "Working directory for the run (created if missing).")
    public var directory: String?

    @Option(name: .long, parsing: .upToNextOption, help: "YAML or JSON config files; they override the Snakefile's configfile: values.")
    public var configfile: [String] = []

    @Option(name: [.customLong("config"), .customShort("C")], parsing: .upToNextOption,
            help: "Config values as key=value (typed as Snakemake does: int, float, True/False, YAML lists); they win over config files.")
    public var config: [String] = []

    @Option(name: .long, help: "A profile: a folder name under ./profiles, $XDG_CONFIG_HOME/flow, ~/.config/snakemake, or a path. Its config.yaml keys are long flag names.")
    public var profile: String?

    // MARK: What to run
    @Flag(name: [.customShort("n"), .customLong("dry-run"), .customLong("dryrun")], help: "Print the jobs that would run, and why, without running them.")
    public var dryRun = false

    @Flag(name: [.customShort("F"), .long], help: "Run every job of the DAG, whether or not its outputs are up to date.")
    public var forceall = false

    @Flag(name: [.short, .long], help: "Run the jobs producing the targets even if up to date.")
    public var force = false

    @Option(name: [.customShort("R"), .long], parsing: .upToNextOption, help: "Force the given rules (and what depends on them) to run.")
    public var forcerun: [String] = []

    @Option(name: [.customShort("U"), .long], parsing: .upToNextOption, help: "Run only up to the given rules or files (inclusive).")
    public var until: [String] = []

    @Option(name: [.customShort("O"), .customLong("omit-from")], parsing: .upToNextOption, help: "Do not run the given rules or files, nor what depends on them.")
    public var omitFrom: [String] = []

    @Flag(name: [.customLong("rerun-incomplete"), .customLong("ri")], help: "Re-run jobs whose outputs are marked incomplete (from an interrupted run).")
    public var rerunIncomplete = false

    @Option(name: .customLong("rerun-triggers"), parsing: .upToNextOption,
            help: "What makes a job re-run besides missing outputs: mtime, params, input, software-env, code (default: all).")
    public var rerunTriggers: [String] = []

    @Flag(name: [.short, .long], help: "Mark existing outputs as up to date (touch them) instead of running jobs.")
    public var touch = false

    // MARK: Resources and scheduling
    @Option(name: [.short, .long], help: "Cores to use for local jobs: a number or 'all'.")
    public var cores: String?

    @Option(name: [.short, .long], help: "Jobs in flight at once (remote executors), or cores for local runs when --cores is absent; 'unlimited' allowed.")
    public var jobs: String?

    @Option(name: [.customLong("resources"), .customLong("res")], parsing: .upToNextOption, help: "Global resource limits as name=integer (e.g. mem_mb=4000).")
    public var resources: [String] = []

    @Option(name: .customLong("default-resources"), parsing: .upToNextOption, help: "Default resources for every rule as name=value (values may be Python expressions over input, threads, attempt).")
    public var defaultResources: [String] = []

    @Option(name: .customLong("set-threads"), parsing: .upToNextOption, help: "Override a rule's threads: rule=N.")
    public var setThreads: [String] = []

    @Option(name: .customLong("set-resources"), parsing: .upToNextOption, help: "Override a rule's resources: rule:name=value.")
    public var setResources: [String] = []

    @Option(name: .customLong("groups"), parsing: .upToNextOption, help: "Assign rules to groups: rule=group (overrides group: in the workflow).")
    public var groups: [String] = []

    @Option(name: .customLong("group-components"), parsing: .upToNextOption, help: "Connected parts a group may span: group=N (default 1).")
    public var groupComponents: [String] = []

    @Option(name: .customLong("local-groupid"), help: "The groupid input functions see for jobs run on this machine (default: local).")
    public var localGroupID: String?

    @Flag(name: [.short, .customLong("keep-going")], help: "Go on with independent jobs after a job fails.")
    public var keepGoing = false

    @Option(name: [.customLong("retries"), .customLong("restart-times"), .customShort("T")], help: "Times to retry a failed job (attempt is passed to resource functions).")
    public var retries: Int?

    @Option(name: [.customLong("latency-wait"), .customLong("output-wait"), .customShort("w")], help: "Seconds to wait for outputs of remote jobs to appear on a shared file system.")
    public var latencyWait: Double?

    @Option(name: [.customLong("executor"), .customShort("e")],
            help: "Where jobs run: \(ExecutorRegistry.all.map(\.name).joined(separator: ", ")) (default: local; settings below).")
    public var executor: String?

    @Option(name: .customLong("max-status-checks-per-second"), help: "Upper bound on status polls of remote executors per second.")
    public var maxStatusChecksPerSecond: Double?

    @Option(name: .customLong("seconds-between-status-checks"), help: "Minimum seconds between status rounds of remote executors.")
    public var secondsBetweenStatusChecks: Double?

    @Flag(name: .customLong("cancel-previous"), help: "Cancel jobs still running from a previous, interrupted run instead of adopting them.")
    public var cancelPrevious = false

    @Flag(name: [.customLong("notemp"), .customLong("nt")], help: "Keep temp() outputs.")
    public var notemp = false

    @Flag(name: .customLong("keep-incomplete"), help: "Do not delete outputs of failed jobs.")
    public var keepIncomplete = false

    @Flag(name: .customLong("nolock"), help: "Do not lock the working directory.")
    public var nolock = false

    @Option(name: .customLong("default-storage-provider"), help: "Storage provider for every rule file not otherwise marked (e.g. gcs); 'none' for none.")
    public var defaultStorageProvider: String?

    @Option(name: .customLong("default-storage-prefix"), help: "Query prefix with a scheme for the default storage provider (e.g. gs://bucket/run1).")
    public var defaultStoragePrefix: String?

    @Option(name: .customLong("local-storage-prefix"), help: "Folder for local copies of storage files (default .flow/storage); environment variables are expanded.")
    public var localStoragePrefix: String?

    @Flag(name: .customLong("keep-storage-local-copies"), help: "Keep local copies of remote input and output files after the run.")
    public var keepStorageLocalCopies = false

    // flow's own: Snakemake has no such flag (its storage plugins limit requests per second).
    @Option(name: .customLong("max-storage-transfers"), help: "Storage transfers (downloads and uploads of a job's files) run at once (default 4).")
    public var maxStorageTransfers: Int?

    // MARK: Output
    @Flag(name: [.short, .customLong("printshellcmds")], help: "Print the shell commands of jobs.")
    public var printshellcmds = false

    @Flag(name: [.short, .long], help: "Print less: no job details, only a summary.")
    public var quiet = false

    @Option(name: .customLong("wrapper-prefix"), help: "Where wrapper: scripts come from: a URL (default https://github.com/snakemake/snakemake-wrappers/raw/), a folder, file:// or git+file:// (the spec's first component is then a git ref).")
    public var wrapperPrefix: String?

    @Flag(name: .long, help: "Print more (debugging output).")
    public var verbose = false

    @Flag(name: [.customLong("show-failed-logs")], help: "Print the log files of failed jobs.")
    public var showFailedLogs = false

    @Flag(name: [.customLong("nocolor")], help: "Do not use colour in the output.")
    public var nocolor = false

    // MARK: Other modes
    @Flag(name: [.short, .customLong("list-rules"), .customLong("list")], help: "List the rules with their docstrings.")
    public var listRules = false

    @Flag(name: [.customLong("list-target-rules"), .customLong("lt")], help: "List rules that can be targets (have no wildcards in their outputs).")
    public var listTargetRules = false

    @Flag(name: .long, help: "Print the job DAG in Graphviz dot.")
    public var dag = false

    @Flag(name: .long, help: "Print the rule graph in Graphviz dot.")
    public var rulegraph = false

    @Flag(name: .long, help: "Print the rule graph with each rule's input and output files in Graphviz dot.")
    public var filegraph = false

    @Option(name: .long, help: "Write a self-contained HTML report of the last runs (rule graph, job timeline, runtimes, report() files) to this file, and exit.")
    public var report: String?

    @Flag(name: [.customShort("S"), .long], help: "Print a table of the outputs: path, date, rule, status.")
    public var summary = false

    @Flag(name: [.customShort("D"), .customLong("detailed-summary")], help: "Like --summary, plus inputs, shell command and reasons.")
    public var detailedSummary = false

    @Flag(name: .long, help: "Remove the lock of the working directory and exit. Refused while the flow holding it still runs on this host (see --force-unlock). A lock left by a killed flow on this host needs no --unlock: the next run takes it over.")
    public var unlock = false

    @Flag(name: .customLong("force-unlock"), help: "With --unlock: remove the lock even though the flow holding it still runs on this host (that flow's jobs may then run twice).")
    public var forceUnlock = false

    @Flag(name: .customLong("wait-for-orphans"), help: "After a flow was killed here: wait for the jobs it left running to end, instead of ending them (SIGTERM, then SIGKILL). Their outputs are rerun either way.")
    public var waitForOrphans = false

    @Option(name: .customLong("cleanup-metadata"), parsing: .upToNextOption, help: "Forget what flow recorded about these files (the job that made them, incomplete marks) and exit.")
    public var cleanupMetadata: [String] = []

    @Flag(name: .customLong("delete-all-output"), help: "Delete every output of the DAG (not protected ones) and exit.")
    public var deleteAllOutput = false

    @Flag(name: .customLong("delete-temp-output"), help: "Delete every temp() output of the DAG and exit.")
    public var deleteTempOutput = false

    @Flag(name: [.customLong("list-untracked"), .customLong("lu")], help: "List files in the working directory that no rule produces or uses.")
    public var listUntracked = false
}

extension RunOptions {
    /// Every long flag name `flow run` accepts, aliases included ("cores", "dryrun", ...), as
    /// argument-parser knows them: read from its JSON description of the options, so the list
    /// cannot drift from the declarations above.
    static let longNames: [String] = {
        guard let data = RunOptions._dumpHelp().data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let command = root["command"] as? [String: Any],
              let arguments = command["arguments"] as? [[String: Any]] else { return [] }
        return arguments.flatMap { argument -> [String] in
            (argument["names"] as? [[String: Any]] ?? []).compactMap { name in
                name["kind"] as? String == "long" ? name["name"] as? String : nil
            }
        }.filter { $0 != "help" }
    }()
}
