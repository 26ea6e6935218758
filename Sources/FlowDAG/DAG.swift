// FlowDAG: from targets to a wildcard-resolved DAG of jobs, and the plan (which jobs must run
// and why).
//
// Owns: matching requested files to producing rules, job creation (wildcards, inputs from
// patterns and input functions), the job graph (flat arrays: jobs and files indexed by integers,
// files interned once), rerun reasons and checkpoint re-evaluation. It reads the file system
// only through `Storage` and provenance only through `ProvenanceSource`; it knows nothing about
// SQLite, scheduling or executors, and evaluates no Python except input functions.
//
// Every graph walk is iterative (explicit stacks/queues): chains of any depth work.

import Dispatch
import Foundation
import FlowLang
import FlowStorage
import FlowWorkflow

public typealias JobID = Int
public typealias FileID = Int

/// One job: a rule with concrete wildcard values. Paths are `FileID`s into `DAG.files`.
public struct Job {
    public let rule: Int
    public internal(set) var wildcards: [(name: String, value: String)]
    public internal(set) var input: [FileID]
    /// Flags of each input (parallel to `input`), or empty when no input is flagged.
    public internal(set) var inputFlags: [FileFlags]
    public internal(set) var inputNames: [NameRange]
    public internal(set) var output: [FileID]
    public internal(set) var log: [FileID]
    public internal(set) var benchmark: FileID?
    /// Jobs producing some of this job's inputs (each once).
    public internal(set) var dependencies: [JobID]
    /// Outputs of checkpoints this job's input functions asked for before they existed: its inputs
    /// are unknown until those checkpoint jobs ran (`DAG.reevaluate(afterCheckpoint:)`).
    public internal(set) var checkpointTargets: [FileID]

    public var isPendingCheckpoint: Bool { !checkpointTargets.isEmpty }

    public func flags(ofInput i: Int) -> FileFlags { inputFlags.isEmpty ? [] : inputFlags[i] }
}

/// Interned paths (ninja's nodes): each distinct path once, with its producing job.
public struct FileTable {
    public private(set) var paths: [String] = []
    private var index = PathIndex()
    /// Producing job of each file, or -1 (a source file, or not resolved).
    public internal(set) var producer: [JobID] = []
    /// Resolution state during construction.
    var state: [FileState] = []
    /// The job whose first output this file is (job identity for deduplication), or -1.
    var keyJob: [JobID] = []

    public var count: Int { paths.count }
    public subscript(id: FileID) -> String { paths[id] }
    public func id(of path: String) -> FileID? { index.find(path, in: paths) }

    mutating func intern(_ path: String) -> FileID {
        let id = index.findOrInsert(path, nextID: paths.count, in: paths)
        if id == paths.count {
            paths.append(path)
            producer.append(-1)
            state.append(.unresolved)
            keyJob.append(-1)
        }
        return id
    }
}

/// An open-addressing hash index from path to FileID (FNV-1a over UTF-8, linear probing): the
/// hot lookup of DAG construction, several times cheaper than `Dictionary<String, Int>`.
struct PathIndex {
    /// Slot = id + 1 (0 is empty); `hashes` keeps the full hash to skip most string compares.
    private var slots: [Int32] = [Int32](repeating: 0, count: 1024)
    private var hashes: [UInt32] = [UInt32](repeating: 0, count: 1024)
    private var used = 0

    @inline(__always)
    private static func hash(_ path: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        var p = path
        p.withUTF8 { for b in $0 { h = (h ^ UInt32(b)) &* 16_777_619 } }
        return h
    }

    func find(_ path: String, in paths: [String]) -> FileID? {
        let h = PathIndex.hash(path)
        let mask = slots.count - 1
        var i = Int(h) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if hashes[i] == h, paths[Int(s) - 1] == path { return Int(s) - 1 }
            i = (i + 1) & mask
        }
    }

    /// The id of `path`, inserting it as `nextID` when absent.
    mutating func findOrInsert(_ path: String, nextID: Int, in paths: [String]) -> FileID {
        if (used + 1) * 2 > slots.count { grow(paths) }
        let h = PathIndex.hash(path)
        let mask = slots.count - 1
        var i = Int(h) & mask
        while true {
            let s = slots[i]
            if s == 0 {
                slots[i] = Int32(nextID + 1)
                hashes[i] = h
                used += 1
                return nextID
            }
            if hashes[i] == h, paths[Int(s) - 1] == path { return Int(s) - 1 }
            i = (i + 1) & mask
        }
    }

    private mutating func grow(_ paths: [String]) {
        let oldSlots = slots, oldHashes = hashes
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        hashes = [UInt32](repeating: 0, count: size)
        let mask = size - 1
        for k in 0..<oldSlots.count where oldSlots[k] != 0 {
            var i = Int(oldHashes[k]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = oldSlots[k]
            hashes[i] = oldHashes[k]
        }
    }
}

enum FileState: UInt8 {
    case unresolved, produced, source, failed
}

public final class DAG {
    public let workflow: Workflow
    /// Where files are stat'ed (a planning view: a store's error is recorded there, not thrown).
    public let storage: Storage
    /// Per-file stat memo (by FileID, no string hashing): each path is stat'ed once per plan,
    /// shared by resolution and planning.
    private var statKnown: [Bool] = []
    private var statValue: [FileStat?] = []
    let index: RuleIndex

    public internal(set) var jobs: [Job] = []
    public internal(set) var files = FileTable()
    /// Jobs requested by the targets (rule targets and the producers of file targets).
    public internal(set) var targetJobs: [JobID] = []
    /// Files requested as targets.
    public internal(set) var targetFiles: [FileID] = []
    /// Rules requested by name.
    public internal(set) var targetRules: [Int] = []

    // Construction state.
    private var targetJobSet = Set<JobID>()
    var jobComplete: [Bool] = []
    var failures: [FileID: DAGError] = [:]
    /// Jobs whose first output collides with another job's key (different rules, same path).
    var keyOverflow: [FileID: [JobID]] = [:]
    /// The job of each rule without outputs (one per rule), or -1.
    var noOutputJob: [JobID]
    /// Jobs waiting for each checkpoint job.
    var pendingByCheckpoint: [JobID: [JobID]] = [:]
    /// Files some rule's input names as another rule's output (`rules.a.output`): that rule (index)
    /// is their only candidate producer, as in Snakemake.
    var namedProducer: [FileID: Int] = [:]
    private var dependentsCache: (offsets: [Int], items: [JobID])?
    private var dependentsPatch: [JobID: [JobID]] = [:]

    /// Builds the DAG for `targets` (file paths or rule names; none: the workflow's default target).
    public init(workflow: Workflow, storage: Storage, targets: [String] = []) throws {
        self.workflow = workflow
        self.storage = storage
        self.index = try RuleIndex(workflow)
        self.noOutputJob = [JobID](repeating: -1, count: workflow.rules.count)
        var targets = targets
        if targets.isEmpty {
            // A Snakefile without rules has nothing to do (Snakemake exits successfully).
            guard let rule = workflow.defaultTarget else { return }
            targets = [rule.name]
        }
        for t in targets {
            if let r = workflow.ruleIndex(named: t) { try addTarget(rule: r) } else {
                try addTarget(file: workflow.applyDefaultStorage(to: t).path)
            }
        }
        try checkDirectoryOutputs()
    }

    /// No job may write inside another job's directory() output (Snakemake's ChildIOException):
    /// each output's ancestors are looked up among the directory outputs (none: nothing to do).
    private func checkDirectoryOutputs() throws {
        func trimmed(_ p: String) -> Substring { var s = Substring(p); while s.count > 1, s.hasSuffix("/") { s = s.dropLast() }; return s }
        var directories: [Substring: JobID] = [:]
        for j in jobs.indices {
            for (i, o) in jobs[j].output.enumerated() where outputFlags(of: j, i).contains(.directory) {
                directories[trimmed(files.paths[o])] = j
            }
        }
        guard !directories.isEmpty else { return }
        for j in jobs.indices {
            for o in jobs[j].output {
                var path = trimmed(files.paths[o])
                while let slash = path.lastIndex(of: "/") {
                    path = path[..<slash]
                    if let owner = directories[path], owner != j {
                        throw DAGError.childOutput(parent: String(path), parentRule: ruleName(of: owner),
                                                   child: files.paths[o], childRule: ruleName(of: j))
                    }
                }
            }
        }
    }

    /// The file's stat (nil: missing), from the memo or the storage.
    public func stat(_ f: FileID) -> FileStat? {
        if f < statKnown.count {
            if statKnown[f] { return statValue[f] }
        } else {
            // Plain appends grow geometrically (reserveCapacity to an exact n would copy every time).
            let n = max(files.count, f + 1)
            while statKnown.count < n { statKnown.append(false); statValue.append(nil) }
        }
        let s = storage.statOrRecord(files.paths[f])
        statKnown[f] = true
        statValue[f] = s
        return s
    }

    /// Stats many files at once, filling the memo: the storage batches them (the POSIX adapter
    /// on all cores; planning 100k jobs is otherwise dominated by sequential stat system calls).
    public func prefetchStats(_ ids: [FileID]) {
        while statKnown.count < files.count { statKnown.append(false); statValue.append(nil) }
        let todo = ids.filter { !statKnown[$0] }
        guard !todo.isEmpty else { return }
        let results = storage.statManyOrRecord(todo.map { files.paths[$0] })
        for (k, f) in todo.enumerated() {
            statKnown[f] = true
            statValue[f] = results[k]
        }
    }

    /// Forgets all stats (after jobs changed files), here and in the storage's caches.
    public func invalidateStats() {
        for i in statKnown.indices { statKnown[i] = false }
        storage.invalidateCaches()
    }

    public func rule(of job: JobID) -> Rule { workflow.rules[jobs[job].rule] }
    public func ruleName(of job: JobID) -> String { workflow.rules[jobs[job].rule].name }

    // MARK: Targets

    private func addTarget(rule r: Int) throws {
        let compiled = index.rules[r]
        if compiled.hasWildcards { throw DAGError.targetRuleHasWildcards(rule: compiled.name) }
        targetRules.append(r)
        if let existing = existingJob(rule: r, wildcards: []).job {
            addTargetJob(existing)
            return
        }
        let mark = jobs.count
        let id = register(try makeJob(rule: r, wildcards: [], firstOutput: nil))
        switch try run(Frame(job: id, mark: mark)) {
        case .success(let j): addTargetJob(j)
        case .failure(let e): throw e
        case .none: break
        }
    }

    private func addTarget(file path: String) throws {
        let f = files.intern(path)
        targetFiles.append(f)
        switch files.state[f] {
        case .produced:
            addTargetJob(files.producer[f])
            return
        case .source, .failed:
            if (storage.statOrRecord(path) != nil) { return }
            throw failures[f] ?? DAGError.noRuleToProduce(file: path)
        case .unresolved:
            let candidates = index.candidates(for: path)
            if candidates.isEmpty {
                files.state[f] = .source
                if (storage.statOrRecord(path) != nil) { return }
                throw DAGError.noRuleToProduce(file: path)
            }
            switch try run(Frame(choice: f, candidates: candidates)) {
            case .success(let j): addTargetJob(j)
            case .failure(let e):
                if (storage.statOrRecord(path) != nil) { return }
                throw e
            case .none: break
            }
        }
    }

    private func addTargetJob(_ j: JobID) {
        if targetJobSet.insert(j).inserted { targetJobs.append(j) }
    }

    // MARK: Queries

    public func outputPaths(of job: JobID) -> [String] { jobs[job].output.map { files.paths[$0] } }
    public func inputPaths(of job: JobID) -> [String] { jobs[job].input.map { files.paths[$0] } }
    public func logPaths(of job: JobID) -> [String] { jobs[job].log.map { files.paths[$0] } }
    public func benchmarkPath(of job: JobID) -> String? { jobs[job].benchmark.map { files.paths[$0] } }

    /// The flags of output `i` of `job` (from the rule's output patterns).
    public func outputFlags(of job: JobID, _ i: Int) -> FileFlags { index.rules[jobs[job].rule].outputFlags[i] }

    /// The outputs of `job` carrying `flag` (e.g. `.directory`, `.touch`, `.temp`, `.protected`).
    public func outputs(of job: JobID, flagged flag: FileFlags) -> [FileID] {
        let flags = index.rules[jobs[job].rule].outputFlags
        return jobs[job].output.indices.filter { flags[$0].contains(flag) }.map { jobs[job].output[$0] }
    }

    /// `{name: value}` of a job's wildcards.
    public func wildcards(of job: JobID) -> [String: String] {
        var d: [String: String] = [:]
        for w in jobs[job].wildcards { d[w.name] = w.value }
        return d
    }

    /// A stable identity: `rule` or `rule[a=1,b=2]` with wildcards sorted by name.
    public func jobKey(_ job: JobID) -> String {
        let w = jobs[job].wildcards
        let name = ruleName(of: job)
        if w.isEmpty { return name }
        return name + "[" + w.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "]"
    }

    /// Python-visible objects for a job (`wildcards`, `input`, `output`, `log`).
    public func wildcardsObject(_ job: JobID) -> NamedListObject { NamedListObject(wildcards: jobs[job].wildcards) }
    public func inputObject(_ job: JobID) -> NamedListObject {
        NamedListObject(typeName: "InputFiles", paths: inputPaths(of: job), names: jobs[job].inputNames)
    }
    public func outputObject(_ job: JobID) -> NamedListObject {
        NamedListObject(typeName: "OutputFiles", paths: outputPaths(of: job), names: namedRanges(workflow.rules[jobs[job].rule].output.names))
    }
    public func logObject(_ job: JobID) -> NamedListObject {
        NamedListObject(typeName: "Log", paths: logPaths(of: job), names: namedRanges(workflow.rules[jobs[job].rule].log.names))
    }

    private func namedRanges(_ names: [(name: String, range: Range<Int>)]) -> [NameRange] {
        names.map { NameRange($0.name, $0.range, isSingle: $0.range.count == 1) }
    }

    /// Jobs that consume an output of `job` (reverse edges): a table built once, patched when
    /// checkpoint re-evaluation changes a few jobs (so re-evaluating many checkpoints one by one
    /// stays linear).
    public func dependents(of job: JobID) -> ArraySlice<JobID> {
        if let p = dependentsPatch[job] { return p[...] }
        if let c = dependentsCache {
            return job + 1 < c.offsets.count ? c.items[c.offsets[job]..<c.offsets[job + 1]] : []
        }
        let c = dependentsTable()
        return c.items[c.offsets[job]..<c.offsets[job + 1]]
    }

    /// The full reverse-edge table (rebuilt when jobs were added or patched since).
    func dependentsTable() -> (offsets: [Int], items: [JobID]) {
        if let d = dependentsCache, dependentsPatch.isEmpty, d.offsets.count == jobs.count + 1 { return d }
        var counts = [Int](repeating: 0, count: jobs.count + 1)
        for j in jobs { for d in j.dependencies { counts[d + 1] += 1 } }
        for i in 0..<jobs.count { counts[i + 1] += counts[i] }
        var fill = counts
        var items = [JobID](repeating: 0, count: counts[jobs.count])
        for (id, j) in jobs.enumerated() {
            for d in j.dependencies { items[fill[d]] = id; fill[d] += 1 }
        }
        dependentsCache = (counts, items)
        dependentsPatch = [:]
        return (counts, items)
    }

    func invalidateDependents() {
        dependentsCache = nil
        dependentsPatch = [:]
    }

    /// Records that `job`'s dependencies changed from `old` and that `newJobs` were added.
    func patchDependents(job: JobID, old: [JobID], newJobs: Range<JobID>) {
        guard dependentsCache != nil else { return }
        func current(_ d: JobID) -> [JobID] { Array(dependents(of: d)) }
        let now = jobs[job].dependencies
        for d in old where !now.contains(d) { dependentsPatch[d] = current(d).filter { $0 != job } }
        for d in now where !old.contains(d) { dependentsPatch[d] = current(d) + [job] }
        for n in newJobs where n != job {
            for d in jobs[n].dependencies { dependentsPatch[d] = current(d) + [n] }
        }
    }

    /// All jobs, dependencies before dependents (Kahn's algorithm; ties by job id).
    public func topologicalOrder() -> [JobID] {
        let dependents = dependentsTable()
        var pending = jobs.map { $0.dependencies.count }
        var order: [JobID] = []
        order.reserveCapacity(jobs.count)
        for j in 0..<jobs.count where pending[j] == 0 { order.append(j) }
        var head = 0
        while head < order.count {
            let j = order[head]; head += 1
            for k in dependents.items[dependents.offsets[j]..<dependents.offsets[j + 1]] {
                pending[k] -= 1
                if pending[k] == 0 { order.append(k) }
            }
        }
        return order
    }

    /// The number of jobs per rule name, for a set of jobs (e.g. the plan's run set), sorted by name.
    public func jobCounts(_ jobIDs: [JobID]) -> [(rule: String, count: Int)] {
        var counts = [Int](repeating: 0, count: workflow.rules.count)
        for j in jobIDs { counts[jobs[j].rule] += 1 }
        return counts.enumerated().filter { $0.element > 0 }
            .map { (rule: workflow.rules[$0.offset].name, count: $0.element) }
            .sorted { $0.rule < $1.rule }
    }
}
