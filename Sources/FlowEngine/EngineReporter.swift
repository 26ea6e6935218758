// What the engine tells the outside world while it works; FlowViews shows it (Snakemake's lines, or a
// live view on a terminal).
// Reports are plain data so that printers need no access to the DAG or the interpreter.

/// One job as the user sees it in plans, progress and errors.
public struct JobReport {
    public var jobid: Int
    public var rule: String
    public var isLocal: Bool
    public var isCheckpoint: Bool
    public var input: [String]
    public var output: [String]
    public var log: [String]
    public var reason: String
    public var wildcards: [(name: String, value: String)]
    public var threads: Int
    public var resources: [(name: String, value: String)]
    public var message: String?
    /// The formatted shell command (printed with -p and in error blocks).
    public var shellCommand: String?
    /// Non-shell actions in error blocks ("run", "script").
    public var actionKind: String
    /// Where the rule is defined: `in file "Snakefile", line 3` (error blocks name it).
    public var location: String?

    public init(jobid: Int, rule: String, isLocal: Bool = false, isCheckpoint: Bool = false, input: [String] = [],
                output: [String] = [], log: [String] = [], reason: String = "", wildcards: [(name: String, value: String)] = [],
                threads: Int = 1, resources: [(name: String, value: String)] = [], message: String? = nil,
                shellCommand: String? = nil, actionKind: String = "shell") {
        self.jobid = jobid
        self.rule = rule
        self.isLocal = isLocal
        self.isCheckpoint = isCheckpoint
        self.input = input
        self.output = output
        self.log = log
        self.reason = reason
        self.wildcards = wildcards
        self.threads = threads
        self.resources = resources
        self.message = message
        self.shellCommand = shellCommand
        self.actionKind = actionKind
    }
}

public protocol EngineReporter: AnyObject {
    func buildingDAG()
    /// Jobs to run per rule (the "Job stats" table), in the order given.
    func jobStats(_ counts: [(rule: String, count: Int)])
    /// A job about to run (or, in a dry run, that would run).
    func jobStarted(_ job: JobReport, dryRun: Bool)
    func jobFinished(_ job: JobReport)
    func progress(done: Int, total: Int)
    /// A failed job: the "Error in rule" block and what was removed.
    func jobFailed(_ job: JobReport, exitStatus: Int32?, reason: String, removedOutputs: [String], logTail: String?)
    func nothingToDo()
    /// The footer of a dry run: stats again, then reasons grouped by kind.
    func dryRunFinished(_ counts: [(rule: String, count: Int)], reasons: [(reason: String, rules: [String])])
    func info(_ message: String)
    func warning(_ message: String)
    /// Flushes buffered output (before exiting or blocking).
    func flush()
    /// A started job's attempt was handed to its executor under `externalID` (a pid for local jobs).
    func jobSubmitted(jobid: Int, attempt: Int, executor: String, externalID: String)
    /// A failed job will run again.
    func jobRetrying(jobid: Int)
}

/// Defaults, so a reporter that only prints lines (tests, plain output) need not know the newer events.
extension EngineReporter {
    public func jobSubmitted(jobid: Int, attempt: Int, executor: String, externalID: String) {}
    public func jobRetrying(jobid: Int) { info("Trying to restart job \(jobid).") }
}
