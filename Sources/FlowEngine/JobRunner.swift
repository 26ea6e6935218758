// The scheduler's delegate for one round of a run: it wires the parts that each own one job —
// `JobSpecBuilder` (the spec of an attempt), `JobFiles` (staging and the output life cycle),
// `JobRecords` (state: remote ids, provenance, incomplete markers), `JobReports` (what the user
// is told) — and keeps the per-attempt facts between a job's start and its end (start time,
// command, shadow directory, which view of the files it has) and temp() bookkeeping.

import Foundation
import FlowDAG
import FlowExec
import FlowLang
import FlowState
import FlowStorage
import FlowSystem
import FlowWorkflow

final class JobRunner: SchedulerDelegate {
    let plan: Plan
    var dag: DAG { plan.dag }
    let evaluator: JobEvaluator
    let options: EngineOptions
    let reporter: EngineReporter
    let storage: Storage
    let records: JobRecords
    let reports: JobReports
    let builder: JobSpecBuilder
    /// The run id remote job names derive from: an interrupted run's id when its jobs are adopted.
    var externalRunID: String
    /// Jobs an interrupted run left on the remote back end (job key → attempt): their first
    /// dispatch here adopts them, so their outputs, which they may still be writing or may have
    /// finished while flow was down, must not be removed first.
    var adoptable: [String: Int] = [:]
    /// Whether remote jobs see flow's file system (false: the back end stages their files).
    let remoteSharesFileSystem: Bool
    let workdir: String
    /// Retries allowed per job (rule retries or --retries).
    private var retryBudget: [JobID: Int]
    var attempts: [JobID: Attempt] = [:]
    /// This round's job groups: scheduler ids from `groupBase` on are groups (id - groupBase
    /// indexes `groups.groups`), each run as one job.
    var groups = JobGroups()
    var groupBase = Int.max
    /// Groups between dispatch and end.
    var groupRuns: [Int: GroupRun] = [:]
    private var temps: TempFiles
    private(set) var done = 0
    /// Jobs done in earlier rounds (checkpoints) and jobs planned in all: for "N of M steps".
    var baseDone = 0
    var totalJobs = 0
    private var succeededJobs = Set<Int>()
    func succeeded(_ index: Int) -> Bool { succeededJobs.contains(index) }
    /// Local copies of remote files this runner's jobs staged in or wrote (removed after the run
    /// unless --keep-storage-local-copies).
    private(set) var localCopies = Set<String>()

    /// What is known about an attempt between its dispatch and its end.
    struct Attempt {
        var started: Double?
        var command: String?
        var shadow: ShadowDirectory?
        var files: JobFiles
        var isLocal: Bool
    }

    init(plan: Plan, jobs: [JobID], evaluator: JobEvaluator, options: EngineOptions, reporter: EngineReporter,
         store: StateStore?, storage: Storage, runID: String, remoteSharesFileSystem: Bool) {
        self.plan = plan
        self.evaluator = evaluator
        self.options = options
        self.reporter = reporter
        self.storage = storage
        self.externalRunID = runID
        self.remoteSharesFileSystem = remoteSharesFileSystem
        self.workdir = FileManager.default.currentDirectoryPath
        records = JobRecords(store: store, dag: plan.dag, evaluator: evaluator, runID: runID)
        reports = JobReports(plan: plan, evaluator: evaluator, options: options)
        builder = JobSpecBuilder(dag: plan.dag, evaluator: evaluator, options: options, workdir: workdir,
                                 wrappers: WrapperSource(prefix: options.wrapperPrefix, cacheDirectory: workdir + "/.flow/wrappers",
                                                         storage: storage))
        retryBudget = Dictionary(uniqueKeysWithValues: jobs.map { ($0, plan.dag.rule(of: $0).retries ?? options.retries) })
        temps = TempFiles(plan: plan, jobs: jobs, keepAll: options.notemp)
    }

    /// Local rules, rules without an action (`rule all`) and every rule of a local run execute on
    /// this host (Snakemake: is_local includes norun rules).
    static func runsLocally(_ rule: Rule, executor: String) -> Bool {
        if executor == "local" || rule.isLocal { return true }
        if case .none = rule.action { return true }
        return false
    }

    func files(isLocal: Bool) -> JobFiles {
        JobFiles(storage: storage, shared: isLocal || remoteSharesFileSystem)
    }

    func outputEntries(_ job: JobID) -> [JobFiles.Output] {
        let paths = dag.outputPaths(of: job)
        let rule = dag.rule(of: job)
        return paths.enumerated().map { i, p in
            let file = i < rule.output.items.count ? rule.output.items[i] : IOFile(p)
            var sha = file.sha256
            if let fn = rule.outputChecksumFunctions[file.pattern] {
                sha = (try? evaluator.resolve(fn, job: job, attempt: 1, threads: nil))?.stringValue
            }
            return JobFiles.Output(file: storage.jobFile(p), flags: dag.outputFlags(of: job, i), sha256: sha)
        }
    }

    private func logFiles(_ job: JobID) -> [JobFile] { dag.logPaths(of: job).map(storage.jobFile) }
    private func benchmarkFile(_ job: JobID) -> JobFile? { dag.benchmarkPath(of: job).map(storage.jobFile) }

    // MARK: SchedulerDelegate

    func prepare(job: Int, attempt: Int) throws -> JobSpec {
        if job >= groupBase { return try prepareGroup(job - groupBase, attempt: attempt) }
        let isLocal = Self.runsLocally(dag.rule(of: job), executor: options.executor)
        let key = dag.jobKey(job)
        let adopting = !isLocal && adoptable[key] == attempt
        adoptable[key] = nil   // a retry starts afresh
        return try prepareJob(job, attempt: attempt, isLocal: isLocal, adopting: adopting)
    }

    /// The spec of one job's attempt, its files made ready (unless a running attempt is adopted).
    func prepareJob(_ job: JobID, attempt: Int, isLocal: Bool, adopting: Bool) throws -> JobSpec {
        let rule = dag.rule(of: job)
        let files = files(isLocal: isLocal)
        let ns = try evaluator.namespace(job, attempt: attempt)
        var built = try builder.build(job: job, attempt: attempt, namespace: ns, runID: externalRunID, isLocal: isLocal,
                                      shared: files.shared, directory: workdir)
        let outputs = outputEntries(job)
        if files.shared {
            localCopies.formUnion((built.spec.inputs + built.spec.outputs).filter { $0.location != $0.path }.map(\.path))
        }
        if !adopting {
            try files.stageIn(built.spec.inputs)
            try files.prepare(outputs, logs: logFiles(job), benchmark: benchmarkFile(job))
            try files.backUp(outputs)
        }
        try records.markIncomplete(outputs.map(\.file.location))
        var shadow: ShadowDirectory?
        if files.shared, let mode = rule.shadow {
            // Named after the attempt's external name (stable key, run, attempt), so an adopted job
            // finds the shadow directory it runs in.
            let path = workdir + "/.flow/shadow/" + built.spec.externalName
            let made = adopting && LocalFiles.isDirectory(path)
                ? ShadowDirectory(path: path, workdir: workdir)
                : try ShadowDirectory.create(mode: mode, path: path, workdir: workdir, inputs: dag.inputPaths(of: job))
            try files.prepare([], logs: built.spec.outputs.filter { !$0.path.hasPrefix("/") }, benchmark: nil, in: made.path)
            built.spec.workingDirectory = made.path
            shadow = made
        }
        attempts[job] = Attempt(command: built.shownCommand, shadow: shadow, files: files, isLocal: isLocal)
        reporter.jobStarted(reports.report(job, isLocal: isLocal, namespace: ns, command: built.shownCommand), dryRun: false)
        return built.spec
    }

    func jobStarted(job index: Int, attempt: Int, externalID: String, executor: String) {
        let now = Date().timeIntervalSince1970
        let group = index >= groupBase ? groupRuns[index - groupBase] : nil
        for job in group?.members ?? [index] {
            attempts[job]?.started = now
            records.attemptStarted(job, attempt: attempt, reason: plan.reasonText(of: job) ?? "", executor: executor,
                                   externalID: externalID, at: now)
            reporter.jobSubmitted(jobid: job, attempt: attempt, executor: executor, externalID: externalID)
        }
        guard executor != "local" else {
            // A group runs as one process group, recorded under its first member.
            if let pgid = Int(externalID) { records.localJobStarted(group?.members[0] ?? index, pgid: pgid) }
            return
        }
        records.remoteJobStarted(group?.members[0] ?? index, key: group?.key, attempt: attempt, externalID: externalID,
                                 executor: executor, externalRunID: externalRunID)
    }

    func verify(job: Int, attempt: Int) -> JobFailure? {
        guard let state = attempts[job] else { return nil }
        if let shadow = state.shadow {
            do { try shadow.collect(builder.producedFiles(job)) } catch {
                return JobFailure(kind: .outputs, reason: "\(error)")
            }
        }
        // Declared logs exist after a successful job even when it wrote none (as in Snakemake).
        let logs = logFiles(job)
        for log in logs where !state.files.exists(log) { try? state.files.touch(log) }
        if let problem = state.files.finish(outputEntries(job), extra: logs, latencyWait: options.latencyWait) {
            return JobFailure(kind: .outputs, reason: problem)
        }
        return nil
    }

    func jobFinished(job: Int, attempt: Int, result: JobResult, willRetry: Bool) {
        if job >= groupBase { return groupFinished(job - groupBase, attempt: attempt, result: result, willRetry: willRetry) }
        jobFinished(job, attempt: attempt, result: result, willRetry: willRetry)
    }

    /// Settles one job's attempt: its outputs checked and recorded, or removed after a failure.
    func jobFinished(_ job: JobID, attempt: Int, result: JobResult, willRetry: Bool) {
        let state = attempts.removeValue(forKey: job) ?? Attempt(files: files(isLocal: true), isLocal: true)
        let files = state.files
        let outputs = outputEntries(job)
        records.jobEnded(job)
        state.shadow?.remove()
        records.attemptEnded(job, attempt: attempt, result: result)
        switch result {
        case .succeeded:
            done += 1
            succeededJobs.insert(job)
            files.dropBackups(outputs)
            writeBenchmark(job, files: files, start: state.started)
            records.succeeded(job, outputs: outputs.map(\.file.location), mtimes: outputs.map { files.recordedMtime($0.file) },
                              command: state.command, started: state.started)
            reporter.jobFinished(reports.report(job, isLocal: state.isLocal))
            for file in temps.release(consumer: job) {
                reporter.info("Removing temporary output \(file).")
                try? files.removeEverywhere(storage.jobFile(file))
            }
        case .failed(let failure):
            var removed: [String] = []
            if !options.keepIncomplete || failure.kind == .setup {
                for output in outputs where files.exists(output.file) {
                    try? files.remove(output.file)
                    removed.append(output.file.path)
                }
                let restored = Set(files.restoreBackups(outputs))
                removed.removeAll(where: restored.contains)
                // A retry marks its outputs again before it starts; a queued clear would undo that.
                if !willRetry { records.clearIncomplete(outputs.map(\.file.location)) }
            }
            if failure.kind != .cancelled {
                reporter.jobFailed(reports.report(job, isLocal: state.isLocal, command: state.command), exitStatus: failure.exitStatus,
                                   reason: JobReports.reason(of: failure), removedOutputs: removed,
                                   logTail: options.showFailedLogs ? reports.failedLogs(job, files: files, failure: failure) : nil)
                if willRetry { reporter.jobRetrying(jobid: job) }
            }
        }
    }

    func shouldRetry(job index: Int, attempt: Int, failure: JobFailure) -> Bool {
        // A group gets the most retries any of its jobs has (Snakemake's restart_times).
        let jobs = index >= groupBase ? groups.groups[index - groupBase].jobs : [index]
        return attempt <= jobs.map { retryBudget[$0, default: 0] }.max() ?? 0
    }

    func flush() {
        do { try records.flush() } catch { reporter.warning("warning: cannot write the state database: \(error)") }
    }

    func progress(_ progress: SchedulerProgress) {
        // Jobs, not scheduler units: a group counts each of its jobs.
        reporter.progress(done: baseDone + done, total: max(totalJobs, baseDone + progress.total))
    }

    func executorError(executor: String, error: Error) {
        reporter.warning("warning: status check of the \(executor) executor failed (will retry): \(error)")
    }

    private func writeBenchmark(_ job: JobID, files: JobFiles, start: Double?) {
        guard let file = benchmarkFile(job) else { return }
        let seconds = Date().timeIntervalSince1970 - (start ?? Date().timeIntervalSince1970)
        let s = Int(seconds)
        let hms = String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        let header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        let row = String(format: "%.4f", seconds) + "\t\(hms)\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"
        let repeats = max(1, dag.rule(of: job).benchmarkRepeats)
        try? files.write(header + String(repeating: row, count: repeats), to: file)
    }
}

/// temp() bookkeeping: a producer's temp outputs are deleted once its last consumer in this
/// run has finished (or, without one, once the producer has). Requested files are never deleted: the targets, and the inputs of target
/// rules (`rule all`'s inputs are what the user asked for).
struct TempFiles {
    private let plan: Plan
    private var pending: [JobID: Int] = [:]
    private var producers: [JobID: [JobID]] = [:]
    private var targetFiles: Set<String>

    init(plan: Plan, jobs: [JobID], keepAll: Bool) {
        self.plan = plan
        targetFiles = Set(plan.dag.targetFiles.map { plan.dag.files[$0] })
        for j in plan.dag.targetJobs { targetFiles.formUnion(plan.dag.inputPaths(of: j)) }
        guard !keepAll else { return }
        for j in jobs {
            var consumers = plan.tempConsumers(of: j)
            if consumers.isEmpty {
                // Temp outputs no job of this run reads go as soon as their own job is done.
                let dag = plan.dag
                guard dag.outputPaths(of: j).indices.contains(where: { dag.outputFlags(of: j, $0).contains(.temp) }) else { continue }
                consumers = [j]
            }
            pending[j] = consumers.count
            for c in consumers { producers[c, default: []].append(j) }
        }
    }

    /// Records that `job` finished; returns the temp files no one needs any more.
    mutating func release(consumer job: JobID) -> [String] {
        var released: [String] = []
        for producer in producers[job] ?? [] {
            guard let count = pending[producer] else { continue }
            if count > 1 { pending[producer] = count - 1; continue }
            pending[producer] = nil
            let dag = plan.dag
            for (i, path) in dag.outputPaths(of: producer).enumerated()
                where dag.outputFlags(of: producer, i).contains(.temp) && !targetFiles.contains(path) {
                released.append(path)
            }
        }
        return released
    }
}
