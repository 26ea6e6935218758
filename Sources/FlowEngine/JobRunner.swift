// The scheduler's delegate for one run: turns a planned DAG job into a JobSpec right before it is
// dispatched (formatting the command, writing job programs for run:/script:), and handles what a
// finished attempt means for files and state (outputs checked or removed, provenance recorded,
// incomplete markers cleared, temp files deleted when their last consumer is done).

import Foundation
import FlowDAG
import FlowExec
import FlowLang
import FlowState
import FlowWorkflow

final class JobRunner: SchedulerDelegate {
    let plan: Plan
    var dag: DAG { plan.dag }
    let evaluator: JobEvaluator
    let options: EngineOptions
    let reporter: EngineReporter
    let store: StateStore?
    let runID: String
    /// The run id remote job names derive from: an interrupted run's id when its jobs are adopted.
    var externalRunID: String
    let workdir: String
    let host: String
    /// The DAG jobs of this round (scheduler job ids are DAG job ids).
    let jobs: [JobID]
    /// Retries allowed per job (rule retries or --retries).
    private var retryBudget: [JobID: Int]
    private var started: [Int: Double] = [:]
    private var commands: [Int: String] = [:]
    private var shadows: [Int: ShadowDirectory] = [:]
    private var externalIDs: [Int: (executor: String, id: String)] = [:]
    /// For each DAG job producing temp() files: consumers still to finish.
    private var tempPending: [JobID: Int] = [:]
    private var tempProducers: [JobID: [JobID]] = [:]
    private var targetFiles: Set<String>
    private(set) var done = 0
    /// Jobs done in earlier rounds (checkpoints) and jobs planned in all: for "N of M steps".
    var baseDone = 0
    var totalJobs = 0
    private var succeededJobs = Set<Int>()
    func succeeded(_ index: Int) -> Bool { succeededJobs.contains(index) }
    private(set) var failures: [(JobID, JobFailure)] = []

    init(plan: Plan, jobs: [JobID], evaluator: JobEvaluator, options: EngineOptions, reporter: EngineReporter,
         store: StateStore?, runID: String) {
        self.plan = plan
        self.jobs = jobs
        self.evaluator = evaluator
        self.options = options
        self.reporter = reporter
        self.store = store
        self.runID = runID
        self.externalRunID = runID
        self.workdir = FileManager.default.currentDirectoryPath
        self.host = ProcessInfo.processInfo.hostName
        retryBudget = Dictionary(uniqueKeysWithValues: jobs.map { ($0, plan.dag.rule(of: $0).retries ?? options.retries) })
        // Requested files are never deleted as temp(): the targets, and the inputs of target rules
        // (`rule all`'s inputs are what the user asked for).
        targetFiles = Set(plan.dag.targetFiles.map { plan.dag.files[$0] })
        for j in plan.dag.targetJobs { targetFiles.formUnion(plan.dag.inputPaths(of: j)) }
        if !options.notemp {
            for j in jobs {
                let consumers = plan.tempConsumers(of: j)
                guard !consumers.isEmpty else { continue }
                tempPending[j] = consumers.count
                for c in consumers { tempProducers[c, default: []].append(j) }
            }
        }
    }

    // MARK: Reports

    func report(_ job: JobID, namespace ns: JobNamespace? = nil, command: String? = nil) -> JobReport {
        let rule = dag.rule(of: job)
        var report = JobReport(
            jobid: job, rule: rule.name, isLocal: runsLocally(rule), isCheckpoint: rule.isCheckpoint,
            input: dag.inputPaths(of: job), output: dag.outputPaths(of: job), log: dag.logPaths(of: job),
            reason: plan.reasonText(of: job) ?? "", wildcards: dag.wildcards(of: job).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        if let ns {
            report.threads = ns.threads
            report.resources = [("tmpdir", NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory())]
            for (i, item) in ns.resources.items.enumerated() {
                guard let name = ns.resources.names.first(where: { $0.range.lowerBound == i })?.name, name != "tmpdir" else { continue }
                report.resources.append((name, ShellFormatter.plainOrRepr(item, evaluator.interpreter)))
            }
            if let message = rule.message { report.message = try? evaluator.format(message, ns) }
        }
        report.shellCommand = command
        switch rule.action {
        case .run: report.actionKind = "run"
        case .script: report.actionKind = "script"
        default: break
        }
        return report
    }

    /// Local rules, rules without an action (`rule all`) and every rule of a local run execute on
    /// this host (Snakemake: is_local includes norun rules).
    func runsLocally(_ rule: Rule) -> Bool { Self.runsLocally(rule, executor: options.executor) }

    static func runsLocally(_ rule: Rule, executor: String) -> Bool {
        if executor == "local" || rule.isLocal { return true }
        if case .none = rule.action { return true }
        return false
    }

    // MARK: SchedulerDelegate

    func prepare(job index: Int, attempt: Int) throws -> JobSpec {
        let job = index
        let rule = dag.rule(of: job)
        let ns = try evaluator.namespace(job, attempt: attempt)
        let command: JobCommand
        var shown: String?
        let name = "\(rule.name)-\(job)-\(attempt)"
        switch rule.action {
        case .shell(let template):
            let cmd = try evaluator.format(template, ns)
            shown = cmd
            if cmd.utf8.count > 100_000 {
                // One argv string may not exceed 128 KiB (MAX_ARG_STRLEN): long commands go to a file.
                command = .script(path: try writeJobFile(name + ".sh", "set -euo pipefail\n" + cmd + "\n"))
            } else {
                command = .shell(cmd)
            }
        case .run(let block):
            let program = try PythonJob.runBlock(block, namespace: ns, workflow: dag.workflow, printShellCommands: options.printShellCommands)
            command = .shell("python3 " + ShellFormatter.shellQuote(try writeJobFile(name + ".py", program)))
        case .script(let template):
            command = try scriptCommand(template, ns: ns, rule: rule, name: name)
        case .none:
            command = .shell("true")
        case .unsupported(let directive, _):
            throw EngineError("rule \(rule.name): '\(directive):' is not supported by flow")
        }
        commands[index] = shown
        let outputs = outputEntries(job)
        try OutputFiles.prepare(outputs: outputs.map { ($0.path, $0.flags) }, logs: dag.logPaths(of: job), benchmark: dag.benchmarkPath(of: job))
        // Committed before the job starts: after a kill -9 of flow, a partial output must be
        // recognisable as incomplete (WAL without fsync makes this commit cheap).
        try store?.markIncomplete(paths: outputs.map(\.path), runID: runID)
        var jobDirectory = workdir
        if let mode = rule.shadow {
            let shadow = try ShadowDirectory.create(mode: mode, name: name, workdir: workdir, inputs: dag.inputPaths(of: job))
            for path in outputs.map(\.path) + dag.logPaths(of: job) + (dag.benchmarkPath(of: job).map { [$0] } ?? []) where !path.hasPrefix("/") {
                try OutputFiles.makeParent(shadow.path + "/" + path)
            }
            shadows[index] = shadow
            jobDirectory = shadow.path
        }
        var resources: [String: ResourceValue] = [:]
        for (i, item) in ns.resources.items.enumerated() {
            guard let n = ns.resources.names.first(where: { $0.range.lowerBound == i })?.name else { continue }
            switch item {
            case .int(let v): resources[n] = .int(v)
            case .float(let v): resources[n] = .int(Int(v.rounded(.up)))
            default: resources[n] = .string(ShellFormatter.plainOrRepr(item, evaluator.interpreter))
            }
        }
        reporter.jobStarted(report(job, namespace: ns, command: shown), dryRun: false)
        return JobSpec(id: job, name: rule.name, attempt: attempt, runID: externalRunID, command: command,
                       workingDirectory: jobDirectory, threads: ns.threads, resources: resources,
                       outputs: outputs.map(\.path), isLocal: runsLocally(rule))
    }

    private func scriptCommand(_ template: String, ns: JobNamespace, rule: Rule, name: String) throws -> JobCommand {
        var path = try evaluator.format(template, ns)
        if !path.hasPrefix("/") { path = rule.basedir + "/" + path }
        guard FileManager.default.fileExists(atPath: path) else {
            throw EngineError("rule \(rule.name): script \(path) not found")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "py":
            let program = try PythonJob.script(path: path, namespace: ns, workflow: dag.workflow, printShellCommands: options.printShellCommands)
            return .shell("python3 " + ShellFormatter.shellQuote(try writeJobFile(name + ".py", program)))
        case "sh", "bash":
            let program = try PythonJob.bashScript(path: path, namespace: ns, interpreter: evaluator.interpreter)
            return .shell("bash " + ShellFormatter.shellQuote(try writeJobFile(name + ".sh", program)))
        default:
            let interpreters = ["r": "Rscript", "rmd": "Rscript", "jl": "julia", "rs": "rust-script"]
            let tool = interpreters[ext] ?? ext
            throw EngineError("rule \(rule.name): script \(path): .\(ext) scripts are not supported by flow (only .py and .sh)"
                + (Self.onPath(tool) ? "" : "; \(tool) is not installed either"))
        }
    }

    private static func onPath(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    private func writeJobFile(_ name: String, _ text: String) throws -> String {
        let path = workdir + "/.flow/jobs/" + name
        try JobScript.makeDirectories(workdir + "/.flow/jobs")
        try JobScript.writeAtomically(text, to: path, mode: 0o644)
        return path
    }

    func outputEntries(_ job: JobID) -> [(path: String, flags: FileFlags, sha256: String?)] {
        let paths = dag.outputPaths(of: job)
        let rule = dag.rule(of: job)
        return paths.enumerated().map { i, p in
            let file = i < rule.output.items.count ? rule.output.items[i] : IOFile(p)
            var sha = file.sha256
            if let fn = rule.outputChecksumFunctions[file.pattern] {
                sha = (try? evaluator.resolve(fn, job: job, attempt: 1, threads: nil))?.stringValue
            }
            return (p, dag.outputFlags(of: job, i), sha)
        }
    }

    func jobStarted(job index: Int, attempt: Int, externalID: String, executor: String) {
        started[index] = Date().timeIntervalSince1970
        guard executor != "local" else { return }
        // Remote ids go to the state store so that a restarted flow can adopt or cancel them.
        let now = unixTime()
        let record = ExternalJob(executor: executor, externalID: externalID, runID: externalRunID, jobKey: dag.jobKey(index),
                                 attempt: attempt, state: .submitted, submittedAt: now, updatedAt: now)
        store?.enqueue { $0.putExternalJob(record) }
        externalIDs[index] = (executor, externalID)
    }

    func jobFinished(job index: Int, attempt: Int, result: JobResult, willRetry: Bool) {
        let job = index
        let outputs = outputEntries(job)
        var result = result
        if let remote = externalIDs.removeValue(forKey: index) {
            store?.enqueue { $0.deleteExternalJob(executor: remote.executor, externalID: remote.id) }
        }
        if let shadow = shadows.removeValue(forKey: index) {
            if case .succeeded = result {
                do {
                    try shadow.collect(outputs.map(\.path) + dag.logPaths(of: job) + (dag.benchmarkPath(of: job).map { [$0] } ?? []))
                } catch {
                    result = .failed(JobFailure(kind: .exitStatus, reason: "\(error)"))
                }
            }
            shadow.remove()
        }
        if case .succeeded = result, let problem = OutputFiles.finish(outputs: outputs, latencyWait: options.latencyWait) {
            result = .failed(JobFailure(kind: .exitStatus, reason: problem))
        }
        switch result {
        case .succeeded:
            done += 1
            succeededJobs.insert(index)
            // Declared logs exist after a successful job even when it wrote none (as in Snakemake).
            for log in dag.logPaths(of: job) where !OutputFiles.exists(log) { OutputFiles.touch(log) }
            writeBenchmark(job, start: started[index])
            record(job, index: index, outputs: outputs.map(\.path))
            reporter.jobFinished(report(job))
            releaseTemps(consumer: job)
        case .failed(let failure):
            var removed: [String] = []
            if !options.keepIncomplete || failure.kind == .setup {
                for o in outputs where OutputFiles.exists(o.path) {
                    try? OutputFiles.remove(o.path)
                    removed.append(o.path)
                }
                // A retry marks its outputs again before it starts; a queued clear would undo that.
                if !willRetry { store?.enqueue { $0.clearIncomplete(paths: outputs.map(\.path)) } }
            }
            if !willRetry { failures.append((job, failure)) }
            if failure.kind != .cancelled {
                // Snakemake's wording for a plain non-zero exit; the executor's own reason (TIMEOUT,
                // OUT_OF_MEMORY, a signal) whenever it says more than that.
                let generic = failure.kind == .exitStatus && (failure.exitStatus ?? 0) < 128
                    && !failure.reason.contains("TIMEOUT") && !failure.reason.contains("OUT_OF_MEMORY")
                let reason = generic ? "command exited with non-zero exit code" : failure.reason
                reporter.jobFailed(report(job, command: commands[index]), exitStatus: failure.exitStatus,
                                   reason: reason,
                                   removedOutputs: removed, logTail: options.showFailedLogs ? logTail(job) : nil)
                if willRetry { reporter.info("Trying to restart job \(job).") }
            }
        }
    }

    func shouldRetry(job index: Int, attempt: Int, failure: JobFailure) -> Bool {
        attempt <= retryBudget[index, default: 0]
    }

    func flush() {
        do { try store?.flush() } catch { reporter.warning("warning: cannot write the state database: \(error)") }
    }

    func progress(_ progress: SchedulerProgress) {
        reporter.progress(done: baseDone + progress.done, total: max(totalJobs, baseDone + progress.total))
    }

    func executorError(executor: String, error: Error) {
        reporter.warning("warning: status check of the \(executor) executor failed (will retry): \(error)")
    }

    // MARK: State and temp files

    private func record(_ job: JobID, index: Int, outputs: [String]) {
        guard let store else { return }
        let rule = dag.rule(of: job)
        let signature = JobSignature.default(for: rule)
        let paramsHash = (try? evaluator.paramsHash(job)) ?? nil
        let meta = JobRecord(rule: rule.name, jobKey: dag.jobKey(job), paramsHash: paramsHash ?? "",
                             codeHash: signature.codeHash ?? "", inputs: InputSet(dag.inputPaths(of: job)),
                             softwareEnvHash: signature.softwareHash ?? "", shellCommand: commands[index],
                             startTime: started[index] ?? 0, endTime: Date().timeIntervalSince1970, exitStatus: 0,
                             host: host, runID: runID)
        let mtimes = outputs.map { OutputFiles.mtime($0) }
        store.enqueue {
            $0.record(outputs: outputs, meta: meta, outputMtimes: mtimes)
            $0.clearIncomplete(paths: outputs)
        }
    }

    /// Deletes temp() outputs of producers once their last consumer in this run has finished.
    private func releaseTemps(consumer job: JobID) {
        for producer in tempProducers[job] ?? [] {
            guard let pending = tempPending[producer] else { continue }
            if pending > 1 { tempPending[producer] = pending - 1; continue }
            tempPending[producer] = nil
            for (i, path) in dag.outputPaths(of: producer).enumerated()
                where dag.outputFlags(of: producer, i).contains(.temp) && !targetFiles.contains(path) {
                reporter.info("Removing temporary output \(path).")
                try? OutputFiles.remove(path)
            }
        }
    }

    private func writeBenchmark(_ job: JobID, start: Double?) {
        guard let path = dag.benchmarkPath(of: job) else { return }
        let seconds = Date().timeIntervalSince1970 - (start ?? Date().timeIntervalSince1970)
        let s = Int(seconds)
        let hms = String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        let header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        let row = String(format: "%.4f", seconds) + "\t\(hms)\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"
        let repeats = max(1, dag.rule(of: job).benchmarkRepeats)
        try? (header + String(repeating: row, count: repeats)).write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func logTail(_ job: JobID) -> String? {
        var out = ""
        for path in dag.logPaths(of: job) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            out += "==> \(path) <==\n" + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        }
        return out.isEmpty ? nil : out
    }
}

extension ShellFormatter {
    /// str() of a value for display, never throwing.
    static func plainOrRepr(_ value: Value, _ interpreter: Interpreter) -> String {
        (try? plain(value, interpreter: interpreter)) ?? "\(value.typeName)"
    }
}
