// One `flow run`: evaluate, build the DAG, plan, then print (dry run, --dag, --summary) or
// execute through the scheduler, rounds at a time when checkpoints make the DAG grow.

import Foundation
import FlowDAG
import FlowExec
import FlowLang
import FlowStorage
import FlowState
import FlowWorkflow

extension Engine {
    /// Runs the workflow as the options say; returns the process exit status.
    public func run() throws -> Int32 {
        let workflow = try loadWorkflow()
        let workdir = FileManager.default.currentDirectoryPath
        if options.unlock {
            do { _ = try WorkdirLock.unlock(workdir: workdir, force: options.forceUnlock) } catch let e as StateError {
                throw EngineError(e.description)
            }
            reporter.info("Unlocked working directory.")
            return 0
        }
        if !options.cleanupMetadata.isEmpty { return try cleanupMetadata(options.cleanupMetadata, workdir: workdir) }
        reporter.buildingDAG()
        let dag: DAG
        do { dag = try DAG(workflow: workflow, storage: storage, targets: options.targets) } catch {
            // A file that looks missing because its store did not answer: the store's error says why.
            try storage.throwRecordedError()
            throw error
        }
        let store = try StateStore(workdir: workdir)
        let executes = !(options.dryRun || options.printDAG || options.printRuleGraph || options.printFileGraph || options.summary
                         || options.detailedSummary || options.deleteAllOutput || options.deleteTempOutput || options.touch)
        var lock: WorkdirLock?
        defer { lock?.release() }
        // The remote back end is made only when needed (a run with nothing to do never talks to it).
        var remote: Executor?
        defer { remote?.finish() }
        // The lock comes before planning (as in Snakemake): a live run's outputs in progress are
        // reported as its lock, not as incomplete files; a killed run's jobs are ended (and its lock
        // taken over) before the plan looks at outputs they might still be writing.
        if executes { lock = try acquireLock(workdir, store: store) }
        var previous = PreviousRemoteJobs()
        if executes, let name = remoteExecutorName, try !store.externalJobs(executor: name, activeOnly: true).isEmpty {
            // Settled under the lock taken above: it must not race another flow in this directory.
            remote = try makeRemoteExecutor(workflow)
            if let remote { previous = try settlePreviousRemoteJobs(remote, store: store, dag: dag) }
        }
        let provenance = try StateProvenance(store: store)
        let evaluator = try JobEvaluator(dag: dag, options: options)
        var planOptions = planOptions(evaluator)
        planOptions.inProgressJobs = Set(previous.adoptable.keys)
        planOptions.crashedOutputs = try crashedOutputs(store)
        let plan = try Plan(dag: dag, provenance: provenance, options: planOptions)
        // A store that could not answer during planning (a server error, a missing adapter)
        // stops the run here, before anything acts on a wrong picture.
        try storage.throwRecordedError()

        if options.printDAG || options.printRuleGraph || options.printFileGraph {
            print(options.printDAG ? jobGraph(plan) : options.printFileGraph ? fileGraph(plan) : ruleGraph(plan), terminator: "")
            return 0
        }
        if options.summary || options.detailedSummary {
            try printSummary(plan, store: store)
            return 0
        }
        if options.deleteAllOutput || options.deleteTempOutput {
            return deleteOutputs(plan, tempOnly: options.deleteTempOutput)
        }
        if plan.runJobs.isEmpty && !hasPendingCheckpoints(plan) {
            reporter.nothingToDo()
            return 0
        }
        for job in plan.runJobs { try evaluator.checkParams(job) }
        if options.dryRun {
            // A run checks pipe() and service() outputs when it forms groups; a dry run must fail alike.
            _ = try dag.checkPipes(plan.runJobs)
            try printDryRun(plan, evaluator: evaluator)
            return 0
        }
        if options.touch {
            return touchOutputs(plan)
        }
        if remote == nil { remote = try makeRemoteExecutor(workflow) }
        try store.beginRun(RunRecord(id: runID, startTime: unixTime(), pid: Int(getpid()), host: ProcessInfo.processInfo.hostName,
                                     command: CommandLine.arguments.joined(separator: " ")))
        store.enqueue { $0.putRunPlan(runID: runID, counts: plan.jobCounts.map { RunPlanCount(rule: $0.rule, jobs: $0.count) }) }
        // Handlers see `log`, the path of the run's log file (as in Snakemake).
        let logPath = workdir + "/.flow/log/" + runID + ".log"
        try? FileManager.default.createDirectory(atPath: workdir + "/.flow/log", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        workflow.interpreter.globals.set("log", .str(logPath))
        if let block = workflow.onstart { try workflow.interpreter.execute(block.statements, file: block.file) }
        let status = try execute(plan, evaluator: evaluator, store: store, remote: remote, previous: previous)
        try? store.endRun(id: runID, status: status == 0 ? .succeeded : (status >= 128 ? .interrupted : .failed))
        if status == 0, let block = workflow.onsuccess {
            try workflow.interpreter.execute(block.statements, file: block.file)
        } else if status != 0, let block = workflow.onerror {
            try? workflow.interpreter.execute(block.statements, file: block.file)
        }
        return status
    }

    private func planOptions(_ evaluator: JobEvaluator) -> PlanOptions {
        var p = PlanOptions()
        p.forceAll = options.forceAll
        p.forceTargets = options.force
        p.forceRules = Set(options.forceRun)
        p.until = options.until
        p.omitFrom = options.omitFrom
        p.rerunIncomplete = options.rerunIncomplete
        if let triggers = options.rerunTriggers {
            var t: RerunTriggers = []
            if triggers.contains("mtime") { t.insert(.mtime) }
            if triggers.contains("params") { t.insert(.params) }
            if triggers.contains("input") { t.insert(.input) }
            if triggers.contains("software-env") { t.insert(.softwareEnv) }
            if triggers.contains("code") { t.insert(.code) }
            p.rerunTriggers = t
        }
        p.signature = { dag, job in
            var s = JobSignature.default(for: dag.rule(of: job))
            s.paramsHash = (try? evaluator.paramsHash(job)) ?? nil
            return s
        }
        return p
    }

    private func hasPendingCheckpoints(_ plan: Plan) -> Bool {
        plan.dag.jobs.indices.contains { plan.inScope[$0] && plan.dag.jobs[$0].isPendingCheckpoint }
    }

    // MARK: Execution

    private func execute(_ plan: Plan, evaluator: JobEvaluator, store: StateStore, remote: Executor?,
                         previous: PreviousRemoteJobs) throws -> Int32 {
        let interruption = Interruption()
        interruption.installSignalHandlers()
        defer { Interruption.restoreSignalHandlers() }
        var local = LocalExecutor.Options()
        local.maxInFlight = options.jobs ?? .max
        // Every process of a job carries the run's id, so that a later run can find the ones a
        // killed flow left behind (OrphanedJobs), even those that left their process group.
        local.baseEnvironment = ProcessInfo.processInfo.environment.merging([OrphanedJobs.runMarkerVariable: runID]) { _, new in new }
        let localExecutor = try LocalExecutor(options: local)
        var adoptable = previous.adoptable
        var finished = Set<JobID>()
        var status: Int32 = 0
        var totalDone = 0
        var localCopies = Set<String>()
        // As Snakemake: local copies of remote files go once the run is over, unless kept.
        defer { if !options.keepStorageLocalCopies { JobFiles.removeLocalCopies(localCopies, under: storage.localCopyPrefix) } }
        // Rounds: run what is known; after checkpoints ran, the DAG grows and the plan with it.
        while true {
            let order = plan.runJobs.filter { !finished.contains($0) && !plan.dag.jobs[$0].isPendingCheckpoint }
            if order.isEmpty { break }
            let indexOf = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            let pending = Set(plan.dag.jobs.indices.filter { plan.dag.jobs[$0].isPendingCheckpoint })
            var schedulerJobs: [SchedulerJob] = []
            var runnable: [JobID] = []
            for j in order {
                // Jobs downstream of a pending checkpoint wait for the next round.
                if plan.dag.jobs[j].dependencies.contains(where: { pending.contains($0) || (indexOf[$0] == nil && plan.needsRun[$0] && !finished.contains($0)) }) { continue }
                runnable.append(j)
            }
            if runnable.isEmpty { break }
            let groups = try plan.dag.jobGroups(runnable, settings: GroupSettings(
                userGroups: remote != nil, overrides: options.groups, components: options.groupComponents))
            let groupBase = plan.dag.jobs.count
            schedulerJobs = try self.schedulerJobs(runnable, plan: plan, groups: groups, groupBase: groupBase) { j in
                // First estimates for the scheduler: functions that read inputs not yet made fail
                // here and are evaluated for real when the job starts (prepare decides).
                let threads = (try? evaluator.threads(j)) ?? 1
                var resources: [String: Int] = [:]
                for (name, value) in (try? evaluator.resources(j, threads: threads)) ?? [] {
                    if case .int(let n) = value { resources[name] = n }
                }
                return SchedulerJob(
                    id: j, threads: threads, resources: resources.filter { options.resources[$0.key] != nil },
                    priority: try schedulingPriority(j, evaluator),
                    isLocal: JobRunner.runsLocally(plan.dag.rule(of: j), executor: options.executor))
            }
            let runner = JobRunner(plan: plan, jobs: runnable, evaluator: evaluator, options: options, reporter: reporter,
                                   store: store, storage: storage, runID: runID,
                                   remoteSharesFileSystem: remote?.capabilities.sharesFileSystem ?? true)
            runner.groups = groups
            runner.groupBase = groupBase
            runner.baseDone = totalDone
            if let id = previous.runID { runner.externalRunID = id }
            runner.adoptable = adoptable
            runner.totalJobs = plan.runJobs.count
            if totalDone == 0 { reporter.jobStats(plan.jobCounts) }
            let scheduler = try Scheduler(jobs: schedulerJobs, options: SchedulerOptions(cores: options.cores, resources: options.resources, keepGoing: options.keepGoing),
                                          delegate: runner, localExecutor: localExecutor, remoteExecutor: remote, interruption: interruption)
            let summary = scheduler.run()
            adoptable = runner.adoptable
            localCopies.formUnion(runner.localCopies)
            try? store.flush()
            totalDone += runner.done
            for j in runnable where runner.succeeded(j) { finished.insert(j) }
            if summary.exitStatus != 0 {
                status = summary.exitStatus
                if status >= 128 { reporter.warning("Terminating processes on user request, this might take some time.") }
                break
            }
            // Checkpoints that just ran may resolve pending jobs; what jobs wrote must be stat'ed anew.
            plan.dag.invalidateStats()
            var changed: [JobID] = []
            for j in runnable where plan.dag.rule(of: j).isCheckpoint && finished.contains(j) {
                changed += try plan.dag.reevaluate(afterCheckpoint: j)
            }
            if !changed.isEmpty { plan.update(with: changed) }
            if changed.isEmpty && !runnable.isEmpty && order.count == runnable.count { break }
        }
        if status == 0 {
            let remaining = plan.runJobs.filter { !finished.contains($0) }
            if !remaining.isEmpty {
                throw EngineError("\(remaining.count) jobs could not be run: their inputs depend on checkpoints that did not produce what they need")
            }
            reporter.info("Complete.")
        } else if status < 128 {
            reporter.warning("Exiting because a job execution failed. Look above for error messages")
        }
        reporter.flush()
        return status
    }

    /// A job's priority for the scheduler. An invalid value is an error; a function that cannot
    /// run yet (it reads inputs not made yet) leaves the rule's static priority.
    private func schedulingPriority(_ job: JobID, _ evaluator: JobEvaluator) throws -> Int {
        do {
            return try evaluator.priority(job)
        } catch let e as EngineError {
            throw e
        } catch {
            return evaluator.dag.rule(of: job).priority
        }
    }

    /// The name remote jobs of this run are recorded under (nil: every job runs on this machine).
    private var remoteExecutorName: String? {
        if let injectedExecutor { return injectedExecutor.name }
        guard let descriptor = ExecutorRegistry.descriptor(named: options.executor), !descriptor.isLocal else { return nil }
        return descriptor.name
    }

    /// The injected executor, else the registry's back end for `--executor` (nil when jobs run
    /// on this machine).
    private func makeRemoteExecutor(_ workflow: Workflow) throws -> Executor? {
        if let injectedExecutor { return injectedExecutor }
        guard let descriptor = ExecutorRegistry.descriptor(named: options.executor) else {
            let names = ExecutorRegistry.all.map(\.name).joined(separator: ", ")
            throw EngineError("unknown executor '\(options.executor)' (available: \(names))")
        }
        if descriptor.isLocal { return nil }
        let settings = try options.executorSettings[descriptor.name] ?? ExecutorSettings(descriptor)
        if options.verbose {
            reporter.info("Executor \(descriptor.name): " + (settings.description.isEmpty ? "default settings" : settings.description))
        }
        return try descriptor.makeExecutor(ExecutorContext(
            settings: settings, workdir: FileManager.default.currentDirectoryPath, jobs: options.jobs,
            maxStatusChecksPerSecond: options.maxStatusChecksPerSecond,
            secondsBetweenStatusChecks: options.secondsBetweenStatusChecks, workflowEnvvars: workflow.envvars,
            defaultStoragePrefix: options.defaultStoragePrefix))
    }

    /// A unique id for this run (state records, job names).
    var runID: String { Engine.currentRunID }
    static let currentRunID: String = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd'T'HHmmss"
        return f.string(from: Date()) + "-" + String(getpid())
    }()
}
