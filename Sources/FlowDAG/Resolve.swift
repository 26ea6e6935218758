// Dependency resolution: an iterative depth-first walk with an explicit stack of frames.
//
// A job frame walks a job's inputs; an input with no known producer pushes a choice frame that
// tries the candidate producing jobs in rule-order priority (Snakemake's `DAG.update`): a
// candidate whose own inputs cannot be resolved is discarded and its partial subtree rolled back
// (jobs are appended in creation order, so a subtree is always a suffix of `jobs`). The first
// working candidate wins when it is strictly higher in rule order than every other remaining
// candidate; otherwise the others are tried too and any that works without being lower is an
// ambiguity error.

import FlowWorkflow

struct Frame {
    var isChoice: Bool
    // Job frame.
    var job: JobID = -1
    var next = 0
    var missing: [FileID] = []
    var waitingFile: FileID = -1
    /// `jobs.count` to roll back to if this job fails.
    var mark = 0
    // Choice frame.
    var file: FileID = -1
    var candidates: [(rule: Int, values: [String])] = []
    var trying = -1
    var tryingMark = 0
    var tryingWasNew = false
    /// Candidates that failed (a set: most choices have one candidate and never fail).
    var discarded = Set<Int>()
    var selected: JobID = -1
    var selectedCandidate = -1
    var errors: [DAGError] = []
    var cycles: [DAGError] = []

    init(job: JobID, mark: Int) {
        isChoice = false
        self.job = job
        self.mark = mark
    }

    init(choice file: FileID, candidates: [(rule: Int, values: [String])]) {
        isChoice = true
        self.file = file
        self.candidates = candidates
    }
}

enum Outcome {
    case none
    case success(JobID)
    case failure(DAGError)
}

extension DAG {
    /// Runs frames until the root frame finishes. Hard errors (ambiguity) are thrown.
    func run(_ root: Frame) throws -> Outcome {
        var stack = [root]
        var outcome = Outcome.none
        while !stack.isEmpty {
            if stack[stack.count - 1].isChoice {
                outcome = try stepChoice(&stack, outcome)
            } else {
                outcome = try stepJob(&stack, outcome)
            }
        }
        return outcome
    }

    private func stepJob(_ stack: inout [Frame], _ incoming: Outcome) throws -> Outcome {
        let t = stack.count - 1
        let j = stack[t].job
        switch incoming {
        case .success(let p): addDependency(j, p)
        case .failure(let e):
            let f = stack[t].waitingFile
            // A file whose production failed but that exists is used as it is (Snakemake does).
            if (stat(f) != nil) { files.state[f] = .source } else { return fail(&stack, e) }
        case .none: break
        }
        let inputCount = jobs[j].input.count
        while stack[t].next < inputCount {
            let i = stack[t].next
            let f = jobs[j].input[i]
            stack[t].next += 1
            // before_update(): an existing file is used as it is, not rebuilt by its producer.
            if jobs[j].flags(ofInput: i).contains(.beforeUpdate), stat(f) != nil { continue }
            switch files.state[f] {
            case .produced:
                addDependency(j, files.producer[f])
            case .source:
                if !isPresentSource(f) { stack[t].missing.append(f) }
            case .failed:
                if isPresentSource(f) { files.state[f] = .source } else {
                    return fail(&stack, failures[f] ?? .noRuleToProduce(file: files.paths[f]))
                }
            case .unresolved:
                var candidates = index.candidates(for: files.paths[f])
                if !namedProducer.isEmpty, let r = namedProducer[f] {
                    let named = candidates.filter { $0.rule == r }
                    if !named.isEmpty { candidates = named }
                }
                if !jobs[j].wildcards.isEmpty, !candidates.isEmpty {
                    index.preferRequesterWildcards(&candidates, path: files.paths[f], requester: jobs[j].wildcards)
                }
                if candidates.isEmpty {
                    files.state[f] = .source
                    if !isPresentSource(f) { stack[t].missing.append(f) }
                } else {
                    stack[t].waitingFile = f
                    stack.append(Frame(choice: f, candidates: candidates))
                    return .none
                }
            }
        }
        if !stack[t].missing.isEmpty {
            let job = jobs[j]
            return fail(&stack, .missingInput(rule: ruleName(of: j), output: outputPaths(of: j),
                                              wildcards: job.wildcards.map { ($0.name, $0.value) },
                                              files: stack[t].missing.map { files.paths[$0] },
                                              location: RuleLocation(rule(of: j))))
        }
        if jobs[j].dependencies.count > 16 {
            // Deduplicated on insertion only while short; large lists are made unique here.
            var seen = Set<JobID>()
            jobs[j].dependencies = jobs[j].dependencies.filter { seen.insert($0).inserted }
        }
        jobComplete[j] = true
        for cp in pendingCheckpointJobs(jobs[j]) { pendingByCheckpoint[cp, default: []].append(j) }
        stack.removeLast()
        return .success(j)
    }

    private func fail(_ stack: inout [Frame], _ error: DAGError) -> Outcome {
        let mark = stack[stack.count - 1].mark
        stack.removeLast()
        rollback(to: mark)
        return .failure(error)
    }

    private func addDependency(_ j: JobID, _ p: JobID) {
        if jobs[j].dependencies.count <= 16, jobs[j].dependencies.contains(p) { return }
        jobs[j].dependencies.append(p)
    }

    private func stepChoice(_ stack: inout [Frame], _ incoming: Outcome) throws -> Outcome {
        let t = stack.count - 1
        switch incoming {
        case .success(let p):
            if try accept(&stack[t], p) { return try finishChoice(&stack) }
        case .failure(let e):
            stack[t].discarded.insert(stack[t].trying)
            if e.involvesCycle { stack[t].cycles.append(e) } else { stack[t].errors.append(e) }
        case .none: break
        }
        let f = stack[t].file
        while stack[t].next < stack[t].candidates.count {
            let ci = stack[t].next
            stack[t].next += 1
            let r = stack[t].candidates[ci].rule
            let wildcards = index.rules[r].bind(stack[t].candidates[ci].values)
            stack[t].trying = ci
            let (found, key) = existingJob(rule: r, wildcards: wildcards)
            if let existing = found {
                if !jobComplete[existing] {
                    stack[t].discarded.insert(ci)
                    stack[t].cycles.append(cycleError(stack, repeated: existing, file: f))
                    continue
                }
                stack[t].tryingWasNew = false
                if try accept(&stack[t], existing) { return try finishChoice(&stack) }
                continue
            }
            let job: Job
            do {
                job = try makeJob(rule: r, wildcards: wildcards, firstOutput: key)
            } catch let e as DAGError {
                stack[t].discarded.insert(ci)
                stack[t].errors.append(e)
                continue
            }
            // A job reading f is a cycle, unless it reads f as it is before its update (before_update()).
            if job.input.indices.contains(where: { job.input[$0] == f && !job.flags(ofInput: $0).contains(.beforeUpdate) }) {
                stack[t].discarded.insert(ci)
                stack[t].cycles.append(.cyclicDependency(rule: index.rules[r].name, file: files.paths[f],
                                                         cycle: ["\(index.rules[r].name) (\(files.paths[f]))"],
                                                         location: index.rules[r].location))
                continue
            }
            let mark = jobs.count
            let id = register(job)
            stack[t].tryingMark = mark
            stack[t].tryingWasNew = true
            stack.append(Frame(job: id, mark: mark))
            return .none
        }
        return try finishChoice(&stack)
    }

    /// Records a working candidate; returns true when the choice is decided.
    private func accept(_ frame: inout Frame, _ p: JobID) throws -> Bool {
        let ci = frame.trying
        if frame.selected < 0 {
            frame.selected = p
            frame.selectedCandidate = ci
            let r = frame.candidates[ci].rule
            let strictlyHighest = frame.candidates.indices.allSatisfy { k in
                k == ci || frame.discarded.contains(k) || index.compare(r, frame.candidates[k].rule) > 0
            }
            return strictlyHighest
        }
        if index.compare(frame.candidates[frame.selectedCandidate].rule, frame.candidates[ci].rule) > 0 {
            if frame.tryingWasNew { rollback(to: frame.tryingMark) }
            return false
        }
        throw DAGError.ambiguousRules(file: files.paths[frame.file], a: summary(frame.selected), b: summary(p))
    }

    private func finishChoice(_ stack: inout [Frame]) throws -> Outcome {
        let frame = stack.removeLast()
        let f = frame.file
        if frame.selected >= 0 {
            try claimOutputs(of: frame.selected)
            if files.state[f] != .produced {
                files.state[f] = .produced
                files.producer[f] = frame.selected
            }
            return .success(frame.selected)
        }
        let error: DAGError
        if let cycle = frame.cycles.first {
            error = cycle
        } else if frame.errors.count == 1 {
            error = frame.errors[0]
        } else {
            error = .multiple(frame.errors)
        }
        if !error.involvesCycle {
            failures[f] = error
            files.state[f] = .failed
        }
        return .failure(error)
    }

    /// Makes `job` the producer of its outputs (once it is chosen and resolved).
    private func claimOutputs(of job: JobID) throws {
        for o in jobs[job].output {
            let p = files.producer[o]
            if p >= 0, p != job, files.state[o] == .produced {
                throw DAGError.conflictingOutput(file: files.paths[o], a: ruleName(of: p), b: ruleName(of: job))
            }
            files.producer[o] = job
            files.state[o] = .produced
        }
    }

    /// A source input (no rule makes it) is there to read: a symlink pointing nowhere is
    /// missing, as for Snakemake (os.path.exists follows links).
    private func isPresentSource(_ f: FileID) -> Bool {
        guard let s = stat(f) else { return false }
        return !s.isDangling
    }

    private func cycleError(_ stack: [Frame], repeated: JobID, file: FileID) -> DAGError {
        var steps: [String] = []
        for frame in stack.reversed() where !frame.isChoice {
            steps.append(describe(frame.job))
            if frame.job == repeated { break }
        }
        steps.reverse()
        steps.append(describe(repeated))
        return .cyclicDependency(rule: ruleName(of: repeated), file: files.paths[file], cycle: steps,
                                 location: RuleLocation(rule(of: repeated)))
    }

    private func describe(_ job: JobID) -> String {
        let out = jobs[job].output.first.map { " (\(files.paths[$0]))" } ?? ""
        return ruleName(of: job) + out
    }

    func summary(_ job: JobID) -> JobSummary {
        JobSummary(rule: ruleName(of: job), wildcards: jobs[job].wildcards.map { ($0.name, $0.value) },
                   input: inputPaths(of: job), output: outputPaths(of: job))
    }

    // MARK: Job identity

    /// The job of `rule` with these wildcards if it exists already; else the interned first
    /// output (the new job's identity), which `makeJob` takes.
    func existingJob(rule r: Int, wildcards: [(name: String, value: String)]) -> (job: JobID?, key: FileID?) {
        guard let first = index.rules[r].outputs.first else { return (noOutputJob[r] >= 0 ? noOutputJob[r] : nil, nil) }
        let f = files.intern(first.format(wildcards))
        let k = files.keyJob[f]
        if k >= 0, jobs[k].rule == r { return (k, f) }
        return (keyOverflow[f]?.first { jobs[$0].rule == r }, f)
    }

    /// Appends a new (unresolved) job and indexes its identity.
    func register(_ job: Job) -> JobID {
        let id = jobs.count
        jobs.append(job)
        jobComplete.append(false)
        if let f = job.output.first {
            if files.keyJob[f] < 0 { files.keyJob[f] = id } else { keyOverflow[f, default: []].append(id) }
        } else {
            noOutputJob[job.rule] = id
        }
        return id
    }

    /// Removes every job from `mark` on (a failed subtree) with its claims and identity entries.
    func rollback(to mark: Int) {
        guard mark < jobs.count else { return }
        for id in stride(from: jobs.count - 1, through: mark, by: -1) {
            let job = jobs[id]
            for o in job.output where files.producer[o] == id {
                files.producer[o] = -1
                files.state[o] = .unresolved
            }
            if let f = job.output.first {
                if files.keyJob[f] == id { files.keyJob[f] = -1 } else { keyOverflow[f]?.removeAll { $0 == id } }
            } else if noOutputJob[job.rule] == id {
                noOutputJob[job.rule] = -1
            }
            for cp in pendingCheckpointJobs(job) { pendingByCheckpoint[cp]?.removeAll { $0 == id } }
        }
        jobs.removeSubrange(mark...)
        jobComplete.removeSubrange(mark...)
        invalidateDependents()
    }

    func pendingCheckpointJobs(_ job: Job) -> [JobID] {
        job.checkpointTargets.compactMap { files.producer[$0] >= 0 ? files.producer[$0] : nil }
    }
}
