// Job creation: a rule plus wildcard values becomes a `Job` with interned outputs, logs,
// benchmark and inputs. Inputs come from static patterns (formatted with the wildcards) and from
// input functions called with the Python-visible `wildcards` object (str, Path-like, flagged
// paths, (nested) lists or other iterables; `unpack()` takes a dict of named inputs or a list).
// An input function that raises `IncompleteCheckpoint` leaves the job pending on that checkpoint.

import FlowLang
import FlowWorkflow

struct ExpandedInput {
    var files: [FileID] = []
    var flags: [FileFlags] = []
    var anyFlags = false
    var names: [NameRange] = []
    var checkpointTargets: [FileID] = []

    /// Names a range of inputs. Consecutive items with the same name (a named list in `input:`,
    /// `reads=["a", "b"]`) form one range, so `input.reads` is the whole list.
    mutating func addName(_ name: String, _ range: Range<Int>, isSingle: Bool) {
        if let last = names.last, last.name == name, last.range.upperBound == range.lowerBound {
            names[names.count - 1] = NameRange(name, last.range.lowerBound..<range.upperBound, isSingle: false)
        } else {
            names.append(NameRange(name, range, isSingle: isSingle))
        }
    }
}

extension DAG {
    /// A new job of rule `r`; `firstOutput` is its first output when already interned.
    func makeJob(rule r: Int, wildcards: [(name: String, value: String)], firstOutput: FileID?) throws -> Job {
        let c = index.rules[r]
        var output: [FileID] = []
        output.reserveCapacity(c.outputs.count)
        for (i, t) in c.outputs.enumerated() {
            output.append(i == 0 && firstOutput != nil ? firstOutput! : files.intern(t.format(wildcards)))
        }
        let log = c.logs.map { files.intern($0.format(wildcards)) }
        let benchmark = c.benchmark.map { files.intern($0.format(wildcards)) }
        let input = try expandInputs(c, wildcards)
        return Job(rule: r, wildcards: wildcards, input: input.files, inputFlags: input.anyFlags ? input.flags : [],
                   inputNames: input.names, output: output, log: log, benchmark: benchmark, dependencies: [],
                   checkpointTargets: input.checkpointTargets)
    }

    /// The job's inputs; every failure is a `DAGError` (Python errors raised while iterating a
    /// function's result become input function errors).
    func expandInputs(_ c: CompiledRule, _ wildcards: [(name: String, value: String)]) throws -> ExpandedInput {
        do {
            return try expandInputsUnchecked(c, wildcards)
        } catch let e as DAGError {
            throw e
        } catch {
            throw DAGError.inputFunction(rule: c.name, wildcards: wildcards.map { ($0.name, $0.value) },
                                         message: inputFunctionMessage(error))
        }
    }

    /// An input function's error as Snakemake prints it: the exception, then where it was raised
    /// (outermost first) and any notes (a Python traceback from the CPython bridge).
    private func inputFunctionMessage(_ error: Error) -> String {
        guard let e = error as? PyError, !e.traceback.isEmpty || !e.notes.isEmpty else { return "\(error)" }
        var text = e.description
        if !e.traceback.isEmpty {
            text += "\nTraceback:\n" + e.traceback.reversed().map { "  File \"\($0.file)\", line \($0.location.line)" }
                .joined(separator: "\n")
        }
        for note in e.notes { text += "\n" + note }
        return text
    }

    private func expandInputsUnchecked(_ c: CompiledRule, _ wildcards: [(name: String, value: String)]) throws -> ExpandedInput {
        var out = ExpandedInput()
        var wildcardsObject: NamedListObject?
        func callFunction(_ fn: Value) throws -> Value? {
            let w = wildcardsObject ?? NamedListObject(wildcards: wildcards)
            wildcardsObject = w
            var result = fn
            // A function may return another function (Snakemake evaluates up to 10 levels).
            for _ in 0..<10 {
                guard case .object(let o) = result, o is PyCallable, !(o is NamedListObject) else { return result }
                do {
                    // Only a function that names `groupid` gets it (Snakemake inspects the signature).
                    if let sig = workflow.interpreter.signature(of: result), sig.names.dropFirst().contains("groupid") {
                        result = try workflow.interpreter.call(result, Arguments([.object(w)], keywords: [(name: "groupid", value: .str(workflow.groupID))]))
                    } else {
                        result = try workflow.interpreter.call(result, Arguments([.object(w)]))
                    }
                } catch {
                    if let signal = IncompleteCheckpoint.from(error) {
                        let f = files.intern(signal.targetFile)
                        out.checkpointTargets.append(f)
                        append(f, [], to: &out)
                        return nil
                    }
                    if let e = error as? DAGError { throw e }
                    throw DAGError.inputFunction(rule: c.name, wildcards: wildcards.map { ($0.name, $0.value) },
                                                 message: inputFunctionMessage(error))
                }
            }
            throw DAGError.workflow("Evaluated 10 nested input functions (i.e. input functions that themselves return "
                + "an input function.) in rule \(c.name). Does the workflow accidentally return a function instead of calling it?")
        }

        for item in c.inputs {
            switch item {
            case .file(let t, let flags, let name, let producer):
                if t.binding.contains(-1) {
                    throw DAGError.wildcardsNotInOutput(rule: c.name, kind: "input files", names: t.unboundNames, location: c.location)
                }
                if let name { out.addName(name, out.files.count..<out.files.count + 1, isSingle: true) }
                let f = files.intern(t.format(wildcards))
                if producer >= 0 { namedProducer[f] = producer }
                append(f, flags, to: &out)
            case .function(let fn, let flags, let name):
                let start = out.files.count
                guard let result = try callFunction(fn) else { continue }
                let single = try collect(result, flags, c, wildcards, into: &out)
                if let name { out.addName(name, start..<out.files.count, isSingle: single) }
            case .unpack(let fn):
                guard let result = try callFunction(fn) else { continue }
                switch result {
                case .dict(let d):
                    for (k, v) in zip(d.keys, d.values) {
                        let start = out.files.count
                        let single = try collect(v, [], c, wildcards, into: &out)
                        let name = k.stringValue ?? "\(k)"
                        out.names.append(NameRange(name, start..<out.files.count, isSingle: single))
                    }
                case .list, .tuple:
                    _ = try collect(result, [], c, wildcards, into: &out)
                default:
                    throw DAGError.workflow("Can only use unpack() on list and dict, but \(result.typeName) was returned (rule \(c.name)).")
                }
            }
        }
        return out
    }

    private func append(_ f: FileID, _ flags: FileFlags, to out: inout ExpandedInput) {
        // Flags are stored only once some input has one (most jobs have none).
        if !flags.isEmpty && !out.anyFlags {
            out.anyFlags = true
            out.flags = [FileFlags](repeating: [], count: out.files.count)
        }
        out.files.append(f)
        if out.anyFlags { out.flags.append(flags) }
    }

    /// Adds the paths in an input function's result; returns true when it was a single path.
    private func collect(_ value: Value, _ flags: FileFlags, _ c: CompiledRule,
                         _ wildcards: [(name: String, value: String)], into out: inout ExpandedInput) throws -> Bool {
        func add(_ path: String, _ extra: FileFlags) throws {
            var path = IOFile.withoutTrailingSlashes(path)
            if path.utf8.contains(UInt8(ascii: "{")) {
                // Results of input functions are formatted with the wildcards too.
                let p = try WildcardPattern(path)
                do {
                    path = try p.format { name in wildcards.first { $0.name == name }?.value }
                } catch {
                    throw DAGError.wildcardsNotInOutput(rule: c.name, kind: "input files",
                                                        names: p.names.filter { n in !wildcards.contains { $0.name == n } },
                                                        location: c.location)
                }
            }
            var flags = flags.union(extra)
            // Results get the rule's path variables and module prefixes, as its patterns did.
            if path.utf8.contains(UInt8(ascii: "<")) { path = try c.pathvars.apply(path) }
            if !c.pathModifiers.isEmpty { path = try PathModifier.apply(c.pathModifiers, to: path, flags: flags) }
            flags.remove(.pathModified)
            // Snakemake applies the default storage to input functions' results too.
            if workflow.defaultStorage != nil { (path, flags) = workflow.applyDefaultStorage(to: path, flags: flags) }
            append(files.intern(path), flags, to: &out)
        }
        func items(_ v: Value) throws -> [Value]? {
            switch v {
            case .list(let l): return l.items
            case .tuple(let t): return t
            case .set(let s): return s.elements
            case .object(let o):
                if let n = o as? NamedListObject { return n.items }
                if o is PyStringLike || o is PyPathLike { return nil }
                if let it = o as? PyIterable {
                    let iterator = try it.makeIterator(interpreter: workflow.interpreter)
                    var result: [Value] = []
                    while let x = try iterator.next(interpreter: workflow.interpreter) { result.append(x) }
                    return result
                }
                return nil
            default: return nil
            }
        }
        func single(_ v: Value) throws -> Bool {
            switch v {
            case .str(let s): try add(s, []); return true
            case .object(let o):
                if o is NamedListObject { return false }
                if let f = o as? FlaggedPath { try add(f.ioFile.pattern, f.ioFile.flags); return true }
                if let p = v.pathValue { try add(p, []); return true }
                return false
            default: return false
            }
        }
        if try single(value) { return true }
        // Iterables, flattened (explicit stack; nesting is shallow but need not be bounded).
        guard let top = try items(value) else { throw badResult(value, c, wildcards) }
        var stack: [(items: [Value], next: Int)] = [(top, 0)]
        while !stack.isEmpty {
            let t = stack.count - 1
            guard stack[t].next < stack[t].items.count else { stack.removeLast(); continue }
            let v = stack[t].items[stack[t].next]
            stack[t].next += 1
            if try single(v) { continue }
            guard let nested = try items(v) else { throw badResult(v, c, wildcards) }
            stack.append((nested, 0))
        }
        return false
    }

    private func badResult(_ v: Value, _ c: CompiledRule, _ wildcards: [(name: String, value: String)]) -> DAGError {
        .inputFunction(rule: c.name, wildcards: wildcards.map { ($0.name, $0.value) },
                       message: "Function did not return str or iterable of str. Encountered: \(v.typeName)")
    }

    // MARK: Checkpoints

    /// Jobs currently waiting for checkpoint job `checkpoint` to run.
    public func jobsPending(onCheckpoint checkpoint: JobID) -> [JobID] { pendingByCheckpoint[checkpoint] ?? [] }

    /// After checkpoint job `checkpoint` finished (its outputs exist, and `checkpoints.X.get()`
    /// now succeeds): calls the input functions of the jobs waiting for it, and of its other
    /// direct consumers (as Snakemake does), again and resolves their new inputs, adding jobs as
    /// needed. Returns the jobs whose inputs changed followed by the new jobs; plan them with
    /// `Plan.update(with:)`.
    @discardableResult
    public func reevaluate(afterCheckpoint checkpoint: JobID) throws -> [JobID] {
        var ids = pendingByCheckpoint.removeValue(forKey: checkpoint) ?? []
        for k in dependents(of: checkpoint) where !ids.contains(k) { ids.append(k) }
        return try reevaluate(ids)
    }

    /// Re-runs the input functions of `ids` and resolves what changed (see above).
    @discardableResult
    public func reevaluate(_ ids: [JobID]) throws -> [JobID] {
        let firstNew = jobs.count
        var changed: [JobID] = []
        for j in ids {
            let input = try expandInputs(index.rules[jobs[j].rule], jobs[j].wildcards)
            if !jobs[j].isPendingCheckpoint && input.checkpointTargets.isEmpty && input.files == jobs[j].input { continue }
            for other in pendingCheckpointJobs(jobs[j]) { pendingByCheckpoint[other]?.removeAll { $0 == j } }
            jobs[j].input = input.files
            jobs[j].inputFlags = input.anyFlags ? input.flags : []
            jobs[j].inputNames = input.names
            jobs[j].checkpointTargets = input.checkpointTargets
            let oldDependencies = jobs[j].dependencies
            jobs[j].dependencies = []
            jobComplete[j] = false
            let runStart = jobs.count
            if case .failure(let e) = try run(Frame(job: j, mark: runStart)) { throw e }
            patchDependents(job: j, old: oldDependencies, newJobs: runStart..<jobs.count)
            changed.append(j)
        }
        return changed + Array(firstNew..<jobs.count)
    }
}
