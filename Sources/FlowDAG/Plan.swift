// The plan: which jobs of the DAG must run and why (Snakemake's `update_needrun`).
//
// 1. Scope: `--until` makes the named jobs the targets; `--omit-from` drops the named jobs and
//    everything downstream (their dependencies become targets); only jobs upstream of targets count.
// 2. Incomplete outputs are an error unless `--rerun-incomplete` (then they are a reason).
// 3. In topological order, each job not downstream of a job already running gets its own reason:
//    forced; target jobs with missing outputs (or without outputs); inputs newer than the oldest
//    output (the oldest output of the nearest consumer when the job has none: deleted
//    intermediates are not rebuilt for nothing); then provenance (params, input set, code, software).
// 4. Propagation: a running job makes its consumers run ("Input files updated by another job",
//    unless every shared file is ancient() and exists), and makes its producers run when the files
//    it needs from them are missing.

import FlowStorage
import FlowWorkflow

public struct PlanOptions {
    /// `-F/--forceall`: every job in scope runs.
    public var forceAll = false
    /// `-f/--force`: the target jobs run.
    public var forceTargets = false
    /// `-R/--forcerun`: jobs of these rules run (and everything downstream).
    public var forceRules: Set<String> = []
    /// `--until`: rule names or files; only they and their dependencies are considered.
    public var until: [String] = []
    /// `--omit-from`: rule names or files; they and everything downstream are left out.
    public var omitFrom: [String] = []
    public var rerunTriggers: RerunTriggers = .all
    public var rerunIncomplete = false
    /// Keys of jobs still running on a remote back end (left by an interrupted run, to be
    /// adopted): their incomplete outputs are in progress, a reason to run (adopt), not an error.
    public var inProgressJobs: Set<String> = []
    /// Incomplete outputs left by a run that was killed (its jobs have been ended): rerun
    /// without --rerun-incomplete, as they cannot be anything but partial.
    public var crashedOutputs: Set<String> = []
    public var ignoreIncomplete = false
    /// Current params/code/software hashes of a job; default: `JobSignature.default(for:)`.
    public var signature: ((DAG, JobID) -> JobSignature)?

    public init() {}
}

public final class Plan {
    public let dag: DAG
    public let options: PlanOptions
    private let provenance: ProvenanceSource?

    /// Per job: considered at all (after --until/--omit-from).
    public private(set) var inScope: [Bool] = []
    public private(set) var needsRun: [Bool] = []
    /// Jobs that must run, dependencies first.
    public private(set) var runJobs: [JobID] = []
    private var reasonSlot: [Int32] = []
    private var reasons: [RerunReason] = []
    private var isTarget: [Bool] = []
    private var isTargetFile: [Bool] = []
    /// Targets chosen by --until/--omit-from: all their outputs are requested.
    private var requestsAllOutputs: [Bool] = []

    // Per-file stat cache: every path is stat'ed at most once per plan.

    public init(dag: DAG, provenance: ProvenanceSource? = nil, options: PlanOptions = PlanOptions()) throws {
        self.dag = dag
        self.options = options
        self.provenance = provenance
        let n = dag.jobs.count
        inScope = [Bool](repeating: false, count: n)
        needsRun = [Bool](repeating: false, count: n)
        reasonSlot = [Int32](repeating: -1, count: n)
        isTarget = [Bool](repeating: false, count: n)
        requestsAllOutputs = [Bool](repeating: false, count: n)
        isTargetFile = [Bool](repeating: false, count: dag.files.count)
        for f in dag.targetFiles { isTargetFile[f] = true }

        let candidates = computeScope()
        var wanted: [FileID] = []
        for j in candidates { wanted.append(contentsOf: dag.jobs[j].output) }
        dag.prefetchStats(wanted)
        var seeds: [JobID] = []
        try checkIncomplete(candidates, forced: &seeds)
        let forcedRules = Set(options.forceRules.compactMap { dag.workflow.ruleIndex(named: $0) })
        let targetRuleSet = Set(dag.targetRules)
        for j in candidates {
            let forced = options.forceAll || forcedRules.contains(dag.jobs[j].rule)
                || (options.forceTargets && isTarget[j])
            if forced { withReason(j) { $0.forced = true }; seeds.append(j) }
        }
        decide(candidates, preset: seeds, targetRules: targetRuleSet)
        runJobs = candidates.filter { needsRun[$0] }
    }

    // MARK: Results

    public func reason(of job: JobID) -> RerunReason? {
        let s = reasonSlot[job]
        return s >= 0 && needsRun[job] ? reasons[Int(s)] : nil
    }

    public func reasonText(of job: JobID) -> String? { reason(of: job).map { $0.text(dag.files) } }

    /// The "Job stats" table: jobs to run per rule, sorted by rule name.
    public var jobCounts: [(rule: String, count: Int)] { dag.jobCounts(runJobs) }

    /// For each job to run: how many of its dependencies also run (the scheduler's counters).
    public func pendingDependencyCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: dag.jobs.count)
        for j in runJobs { counts[j] = dag.jobs[j].dependencies.reduce(0) { $0 + (needsRun[$1] ? 1 : 0) } }
        return counts
    }

    /// Jobs to run that consume a temp() output of `job`: once all have run, those temp files
    /// can be deleted (unless they are targets).
    public func tempConsumers(of job: JobID) -> [JobID] {
        if tempConsumerTable == nil { tempConsumerTable = buildTempConsumers() }
        return tempConsumerTable?[job] ?? []
    }

    private var tempConsumerTable: [JobID: [JobID]]?

    /// One pass over the inputs of the jobs to run.
    private func buildTempConsumers() -> [JobID: [JobID]] {
        var table: [JobID: [JobID]] = [:]
        for k in runJobs {
            for f in dag.jobs[k].input {
                let p = dag.files.producer[f]
                guard p >= 0, let i = dag.jobs[p].output.firstIndex(of: f), dag.outputFlags(of: p, i).contains(.temp) else { continue }
                if table[p]?.last != k { table[p, default: []].append(k) }
            }
        }
        return table
    }

    // MARK: Checkpoints

    /// Plans the jobs returned by `DAG.reevaluate(afterCheckpoint:)`: re-evaluated jobs keep
    /// running; new jobs run when those need their missing outputs or for their own reasons.
    /// Returns the jobs that newly need to run, dependencies first.
    ///
    /// Files are stat'ed afresh (jobs have run since the plan was made).
    @discardableResult
    public func update(with changed: [JobID]) -> [JobID] {
        let n = dag.jobs.count
        dag.invalidateStats()
        grow(to: n)
        let newJobs = changed.filter { !inScope[$0] }
        var seeds: [JobID] = []
        for j in changed where inScope[j] {
            if needsRun[j] { seeds.append(j) }
        }
        for j in newJobs { inScope[j] = true }
        let subset = topologicalSubset(changed)
        let before = Set(runJobs)
        decide(subset, preset: seeds, targetRules: [])
        let added = subset.filter { needsRun[$0] && !before.contains($0) }
        runJobs = dag.topologicalOrder().filter { needsRun[$0] }
        tempConsumerTable = nil
        return added
    }

    private func grow(to n: Int) {
        while inScope.count < n {
            inScope.append(false); needsRun.append(false); reasonSlot.append(-1); isTarget.append(false)
            requestsAllOutputs.append(false)
        }
        while isTargetFile.count < dag.files.count { isTargetFile.append(false) }
    }

    private func topologicalSubset(_ jobs: [JobID]) -> [JobID] {
        let member = Set(jobs)
        return dag.topologicalOrder().filter { member.contains($0) }
    }

    // MARK: Scope

    private func jobsNamed(_ specs: [String]) -> [JobID] {
        var rules = Set<Int>()
        var files = Set<FileID>()
        for s in specs {
            if let r = dag.workflow.ruleIndex(named: s) { rules.insert(r) } else if let f = dag.files.id(of: s) { files.insert(f) }
        }
        return dag.jobs.indices.filter { j in
            rules.contains(dag.jobs[j].rule) || dag.jobs[j].output.contains { files.contains($0) }
        }
    }

    /// Marks targets and the jobs in scope; returns the jobs in scope in topological order.
    private func computeScope() -> [JobID] {
        var targets = dag.targetJobs
        if !options.until.isEmpty { targets = jobsNamed(options.until) }
        var omitted = [Bool](repeating: false, count: dag.jobs.count)
        if !options.omitFrom.isEmpty {
            var queue = jobsNamed(options.omitFrom)
            for j in queue { omitted[j] = true }
            var head = 0
            while head < queue.count {
                let j = queue[head]; head += 1
                for k in dag.dependents(of: j) where !omitted[k] { omitted[k] = true; queue.append(k) }
            }
            var newTargets = targets.filter { !omitted[$0] }
            for j in queue { for d in dag.jobs[j].dependencies where !omitted[d] { newTargets.append(d) } }
            targets = newTargets
        }
        var stack: [JobID] = []
        for t in targets where !inScope[t] && !omitted[t] {
            inScope[t] = true; isTarget[t] = true; stack.append(t)
        }
        for t in targets { isTarget[t] = true }
        if !options.until.isEmpty || !options.omitFrom.isEmpty { for t in targets { requestsAllOutputs[t] = true } }
        while let j = stack.popLast() {
            for d in dag.jobs[j].dependencies where !inScope[d] && !omitted[d] { inScope[d] = true; stack.append(d) }
        }
        return dag.topologicalOrder().filter { inScope[$0] }
    }

    private func checkIncomplete(_ candidates: [JobID], forced: inout [JobID]) throws {
        guard let provenance, !options.ignoreIncomplete else { return }
        var incomplete: [String] = []
        for j in candidates {
            var files: [FileID] = []
            for o in dag.jobs[j].output where provenance.isIncomplete(dag.files[o]) && stat(o) != nil { files.append(o) }
            if files.isEmpty { continue }
            if options.rerunIncomplete || (!options.inProgressJobs.isEmpty && options.inProgressJobs.contains(dag.jobKey(j)))
                || files.allSatisfy({ options.crashedOutputs.contains(dag.files[$0]) }) {
                withReason(j) { $0.incompleteOutput = files }
                forced.append(j)
            } else {
                incomplete.append(contentsOf: files.map { dag.files[$0] })
            }
        }
        if !incomplete.isEmpty { throw DAGError.incompleteFiles(incomplete) }
    }

    // MARK: Needrun

    private func reason(_ j: JobID) -> RerunReason {
        reasonSlot[j] >= 0 ? reasons[Int(reasonSlot[j])] : RerunReason()
    }

    private func withReason(_ j: JobID, _ body: (inout RerunReason) -> Void) {
        if reasonSlot[j] < 0 {
            reasonSlot[j] = Int32(reasons.count)
            reasons.append(RerunReason())
        }
        body(&reasons[Int(reasonSlot[j])])
    }

    private func stat(_ f: FileID) -> FileStat? { dag.stat(f) }

    /// Output is missing for planning purposes (pipes and services always are).
    private func isMissing(_ job: JobID, outputIndex i: Int) -> Bool {
        if dag.outputFlags(of: job, i).contains(.pipe) || dag.outputFlags(of: job, i).contains(.service) { return true }
        return stat(dag.jobs[job].output[i]) == nil
    }

    /// The oldest mtime among a job's existing outputs and benchmark; directory() outputs count
    /// with their `.snakemake_timestamp` when present.
    private func ownOutputMintime(_ job: JobID) -> Double? {
        var t: Double?
        for (i, o) in dag.jobs[job].output.enumerated() {
            guard var s = stat(o) else { continue }
            if dag.outputFlags(of: job, i).contains(.directory), let stamp = dag.storage.statOrRecord(dag.files[o] + "/.snakemake_timestamp") {
                s = stamp
            }
            t = min(t ?? s.ownMtime, s.ownMtime)
        }
        if let b = dag.jobs[job].benchmark, let s = stat(b) { t = min(t ?? s.mtime, s.mtime) }
        return t
    }

    /// Computes reasons for `candidates` (topologically ordered), with `preset` jobs already
    /// running, then propagates.
    private func decide(_ candidates: [JobID], preset: [JobID], targetRules: Set<Int>) {
        let dependents = dag.dependentsTable()
        var candidate = [Bool](repeating: false, count: dag.jobs.count)
        for j in candidates { candidate[j] = true }

        // Output mintime, inherited from the nearest consumer for jobs without existing outputs.
        var mintime = [Double?](repeating: nil, count: dag.jobs.count)
        if options.rerunTriggers.contains(.mtime) {
            for j in candidates.reversed() {
                if let t = ownOutputMintime(j) { mintime[j] = t; continue }
                for k in dependents.items[dependents.offsets[j]..<dependents.offsets[j + 1]] where candidate[k] {
                    if let t = mintime[k] { mintime[j] = t; break }
                }
            }
        }

        var masked = [Bool](repeating: false, count: dag.jobs.count)
        var queue: [JobID] = []
        var visited = [Bool](repeating: false, count: dag.jobs.count)
        func mask(_ start: JobID) {
            var stack = [start]
            while let j = stack.popLast() {
                for k in dependents.items[dependents.offsets[j]..<dependents.offsets[j + 1]] where candidate[k] && !masked[k] {
                    masked[k] = true
                    stack.append(k)
                }
            }
        }
        for j in preset where candidate[j] && !visited[j] {
            visited[j] = true; queue.append(j); mask(j)
        }
        for j in candidates where !masked[j] && !visited[j] {
            if ownReason(j, mintime: mintime[j], targetRules: targetRules) {
                visited[j] = true
                queue.append(j)
                mask(j)
            }
        }

        var head = 0
        while head < queue.count {
            let j = queue[head]; head += 1
            needsRun[j] = true
            let job = dag.jobs[j]
            // Producers whose outputs this job needs and that are missing must run.
            for f in job.input {
                let d = dag.files.producer[f]
                guard d >= 0, candidate[d] else { continue }
                if let i = dag.jobs[d].output.firstIndex(of: f) {
                    guard isMissing(d, outputIndex: i) else { continue }
                } else if stat(f) != nil {
                    // A log or benchmark file some job takes as input: made by its job when missing.
                    continue
                }
                withReason(d) { r in if !r.missingOutput.contains(f) { r.missingOutput.append(f) } }
                if !visited[d] { visited[d] = true; queue.append(d) }
            }
            // Consumers run because this job (re)creates their inputs, unless every file they
            // take from it is ancient() and exists.
            for k in dependents.items[dependents.offsets[j]..<dependents.offsets[j + 1]] where candidate[k] && !visited[k] {
                let consumer = dag.jobs[k]
                if !consumer.inputFlags.isEmpty {
                    var allAncient = true
                    for (i, f) in consumer.input.enumerated() where dag.files.producer[f] == j {
                        if !(consumer.flags(ofInput: i).contains(.ancient) && stat(f) != nil) { allAncient = false; break }
                    }
                    if allAncient { continue }
                }
                visited[k] = true
                queue.append(k)
            }
        }
        // "Input files updated by another job": the inputs whose producers run.
        for j in queue {
            let input = dag.jobs[j].input
            var updated: [FileID] = []
            var seen = Set<FileID>()
            for f in input {
                let p = dag.files.producer[f]
                guard p >= 0, needsRun[p] else { continue }
                if input.count > 16 ? seen.insert(f).inserted : !updated.contains(f) { updated.append(f) }
            }
            if updated.isEmpty { continue }
            withReason(j) { r in
                if r.updatedInputRun.isEmpty { r.updatedInputRun = updated; return }
                var have = Set(r.updatedInputRun)
                for f in updated where have.insert(f).inserted { r.updatedInputRun.append(f) }
            }
        }
    }

    /// The reasons a job has by itself (not through other jobs); true when it must run.
    private func ownReason(_ j: JobID, mintime: Double?, targetRules: Set<Int>) -> Bool {
        let job = dag.jobs[j]
        var r = reason(j)
        if !r.isEmpty { return true }
        if isTarget[j] {
            if job.output.isEmpty && job.benchmark == nil {
                if !job.input.isEmpty {
                    if case .none = dag.workflow.rules[job.rule].action {
                        r.updatedInputRun = job.input.filter { stat($0) == nil }
                    } else {
                        r.noOutput = true
                    }
                } else {
                    r.noIO = true
                }
            } else {
                for (i, o) in job.output.enumerated() {
                    let requested = requestsAllOutputs[j] || targetRules.contains(job.rule) || isTargetFile[o] || isConsumed(o, by: j)
                    if requested && isMissing(j, outputIndex: i) { r.missingOutput.append(o) }
                }
                if targetRules.contains(job.rule), let b = job.benchmark, stat(b) == nil { r.missingOutput.append(b) }
            }
        }
        if r.isEmpty && !job.isPendingCheckpoint {
            if let t = mintime, options.rerunTriggers.contains(.mtime) {
                for (i, f) in job.input.enumerated() where !job.flags(ofInput: i).contains(.ancient) {
                    if let s = stat(f), Self.isNewer(s.mtime, than: t) { r.updatedInput.append(f) }
                }
            }
            if r.isEmpty, let provenance { provenanceReasons(j, provenance, &r) }
        }
        if r.isEmpty { return false }
        withReason(j) { $0 = r }
        return true
    }

    /// A `script:` edited after the job's outputs were written counts as changed code.
    private func scriptIsNewerThanOutputs(_ j: JobID) -> Bool {
        let rule = dag.workflow.rules[dag.jobs[j].rule]
        guard case .script(let path) = rule.action, !path.contains("{"), !path.contains("://") else { return false }
        let full = path.hasPrefix("/") || rule.basedir.isEmpty || rule.basedir == "." ? path : rule.basedir + "/" + path
        guard let script = dag.storage.statOrRecord(full), let outputs = ownOutputMintime(j) else { return false }
        return Self.isNewer(script.mtime, than: outputs)
    }

    /// Whether a file with modification time `a` is newer than one with `b`, only strictly. Stores
    /// that keep whole seconds (WebDAV, XRootD) give outputs a time truncated to the second, so a
    /// local file written a fraction of a second earlier in that second would look newer: against
    /// a whole-second time, whole seconds are compared.
    public static func isNewer(_ a: Double, than b: Double) -> Bool {
        b == b.rounded(.down) ? a.rounded(.down) > b : a > b
    }

    private func isConsumed(_ f: FileID, by producer: JobID) -> Bool {
        dag.dependents(of: producer).contains { k in inScope[k] && dag.jobs[k].input.contains(f) }
    }

    private func provenanceReasons(_ j: JobID, _ provenance: ProvenanceSource, _ r: inout RerunReason) {
        let job = dag.jobs[j]
        let triggers = options.rerunTriggers
        var signature: JobSignature?
        func current() -> JobSignature {
            if let s = signature { return s }
            let s = options.signature?(dag, j) ?? JobSignature.default(for: dag.workflow.rules[job.rule])
            signature = s
            return s
        }
        if triggers.contains(.code), scriptIsNewerThanOutputs(j) { r.codeChanged = true }
        for o in job.output {
            guard let record = provenance.record(for: dag.files[o]) else { continue }
            if triggers.contains(.params) {
                if let old = record.params, let new = current().params {
                    let before = Set(old), now = Set(new)
                    if before != now {
                        r.paramsChanged = true
                        for p in old where !now.contains(p) && !r.paramsOnlyBefore.contains(p) { r.paramsOnlyBefore.append(p) }
                        for p in new where !before.contains(p) && !r.paramsOnlyNow.contains(p) { r.paramsOnlyNow.append(p) }
                    }
                } else if let old = record.paramsHash, let new = current().paramsHash, old != new {
                    r.paramsChanged = true
                }
            }
            if triggers.contains(.input), let old = record.input {
                let now = Set(job.input.map { dag.files[$0] })
                if Set(old) != now { r.inputChanged = true }
            }
            if triggers.contains(.code), let old = record.codeHash, let new = current().codeHash, old != new {
                r.codeChanged = true
            }
            if triggers.contains(.softwareEnv), let old = record.softwareHash, old != current().softwareHash {
                r.softwareChanged = true
            }
        }
    }
}
