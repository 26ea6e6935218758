// Per-job values that depend on Python: threads, resources, params, priority, message and the
// shell command, evaluated the way Snakemake evaluates them (callables get `wildcards` first and
// `input`, `output`, `threads`, `attempt`, ... by name), with the command-line overrides
// (--set-threads, --set-resources, --default-resources) applied.

import Foundation
import FlowDAG
import FlowLang
import FlowStorage
import FlowSyntax
import FlowWorkflow

final class JobEvaluator {
    let dag: DAG
    let options: EngineOptions
    var interpreter: Interpreter { dag.workflow.interpreter }
    private let defaultResources: [(String, Expr, SourceFile)]

    init(dag: DAG, options: EngineOptions) throws {
        self.dag = dag
        self.options = options
        var parsed: [(String, Expr, SourceFile)] = []
        for entry in options.defaultResources {
            guard let eq = entry.firstIndex(of: "=") else {
                throw EngineError("--default-resources: expected name=value, got '\(entry)'")
            }
            let name = String(entry[..<eq])
            let text = String(entry[entry.index(after: eq)...])
            let file = SourceFile(path: "--default-resources", text: text)
            do {
                parsed.append((name, try parseExpression(text, file: file), file))
            } catch {
                // Plain words (a partition name) are strings, as in Snakemake.
                parsed.append((name, Expr(.string(text), at: .unknown), file))
            }
        }
        defaultResources = parsed
    }

    func rule(_ job: JobID) -> Rule { dag.rule(of: job) }

    // MARK: Threads and resources

    /// Threads of a job: the rule's (int or callable), --set-threads, capped at the cores.
    func threads(_ job: JobID, attempt: Int = 1) throws -> Int {
        let r = rule(job)
        var threads = 1
        if r.handover {
            threads = options.cores
        } else if let forced = options.setThreads[r.name] {
            threads = forced
        } else if let value = r.threads {
            threads = try intValue(try resolve(value, job: job, attempt: attempt, threads: nil), what: "threads", rule: r.name)
        }
        // threads: 0 is allowed (Snakemake passes it through); more than the cores is capped.
        return max(0, min(threads, options.cores))
    }

    /// Resources of a job as (name, value) in Snakemake's order, plus the integer ones for the scheduler.
    func resources(_ job: JobID, threads: Int, attempt: Int = 1) throws -> [(String, Value)] {
        let r = rule(job)
        var result: [(String, Value)] = []
        func set(_ name: String, _ value: Value) {
            if let i = result.firstIndex(where: { $0.0 == name }) { result[i].1 = value } else { result.append((name, value)) }
        }
        for (name, expr, file) in defaultResources {
            let locals: [String: Value] = [
                "input": .object(dag.inputObject(job)), "threads": .int(threads), "attempt": .int(attempt),
                "wildcards": .object(dag.wildcardsObject(job)),
            ]
            do {
                set(name, try interpreter.evaluate(expr, file: file, locals: locals))
            } catch let e as PyError where e.type == "NameError" {
                // `slurm_partition=debug`: a bare word is a string, as in Snakemake.
                set(name, .str(file.text))
            }
        }
        for (name, value) in r.resources {
            do {
                set(name, try resolve(value, job: job, attempt: attempt, threads: threads))
            } catch let e as PyError where e.type == "FileNotFoundError" {
                // Needs an input not made yet (while planning): known when the job starts.
                set(name, .str(Self.toBeDetermined))
            }
        }
        if r.handover {
            // handover: the job takes over everything the run was given (Snakemake semantics).
            for (name, amount) in options.resources.sorted(by: { $0.key < $1.key }) { set(name, .int(amount)) }
        }
        for (name, text) in options.setResources[r.name] ?? [:] {
            set(name, Int(text).map { .int($0) } ?? .str(text))
        }
        // mem/mem_mb/mem_mib (and disk_*) describe one quantity: each given form yields all three.
        for base in ["mem", "disk"] {
            var mb: Double?
            if let v = result.first(where: { $0.0 == base + "_mb" })?.1 { mb = Self.number(v) }
            else if let v = result.first(where: { $0.0 == base + "_mib" })?.1, let mib = Self.number(v) { mb = mib * 1_048_576 / 1e6 }
            else if let v = result.first(where: { $0.0 == base })?.1 {
                mb = v.stringValue.flatMap { Self.megabytes($0).map(Double.init) } ?? Self.number(v)
            }
            guard let megabytes = mb else { continue }
            let rounded = Int(megabytes.rounded())
            set(base + "_mb", .int(rounded))
            set(base, .str(Self.humanSize(megabytes: Double(rounded))))
            set(base + "_mib", .int(Int((Double(rounded) * 1e6 / 1_048_576).rounded(.up))))
        }
        // runtime: "1h", "30 min": minutes, as Snakemake's humanfriendly parsing gives them.
        if let i = result.firstIndex(where: { $0.0 == "runtime" }), let text = result[i].1.stringValue {
            guard let minutes = Self.minutes(text) else {
                throw EngineError("rule \(r.name): resource 'runtime' with value '\(text)' could not be parsed as minutes")
            }
            result[i].1 = .int(minutes)
        }
        // A resource the run limits (--resources) must be a number in every job that asks for it.
        for (name, value) in result where options.resources[name] != nil && value.stringValue != nil && name != "mem" && name != "disk" {
            throw EngineError("resource \(name)=\(value.stringValue!) of rule \(r.name) is not an integer, "
                + "but --resources limits \(name) as an integer")
        }
        return result
    }

    /// A value known only when the job starts (Snakemake's TBDString).
    static let toBeDetermined = "<TBD>"

    /// Snakemake evaluates every job's params when it builds the DAG, resources that need inputs
    /// not made yet standing as "<TBD>": a params function failing there fails the run before
    /// any job starts. A function that reads inputs not made yet is left for the job's start.
    func checkParams(_ job: JobID) throws {
        let r = rule(job)
        guard r.params.contains(where: { Self.isFunction($0.value) }) else { return }
        let threads = (try? self.threads(job)) ?? 1
        let res = try resources(job, threads: threads)
        let resourcesObject = NamedListObject(
            typeName: "Resources", items: res.map(\.1),
            names: res.enumerated().map { NameRange($0.element.0, $0.offset..<$0.offset + 1, isSingle: true) })
        do {
            _ = try params(job, threads: threads, resources: resourcesObject)
        } catch let e as PyError where e.type == "FileNotFoundError" || e.type == "IncompleteCheckpointException" {
            return
        }
    }

    /// "90" -> 90; "1h" -> 60; "30 s" -> 1 (at least a minute); nil when not a timespan.
    static func minutes(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")).lowercased()
        if !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) { return Int(s) }
        let number = s.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(number) else { return nil }
        let unit = s.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        let units: [(names: [String], seconds: Double)] = [
            (["ms", "millisecond", "milliseconds"], 0.001), (["", "s", "sec", "secs", "second", "seconds"], 1),
            (["m", "min", "mins", "minute", "minutes"], 60), (["h", "hour", "hours"], 3600),
            (["d", "day", "days"], 86400), (["w", "week", "weeks"], 604_800), (["y", "year", "years"], 31_536_000),
        ]
        guard let seconds = units.first(where: { $0.names.contains(unit) })?.seconds else { return nil }
        return max(Int((value * seconds).rounded() / 60), 1)
    }

    static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return v.stringValue.flatMap { Double($0) }
        }
    }

    /// 1000 MB -> "1 GB", 100 -> "100 MB", 1500 -> "1.5 GB" (decimal units, as Snakemake prints them).
    static func humanSize(megabytes: Double) -> String {
        var value = megabytes * 1e6
        var unit = 0
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB"]
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return "\(text) \(units[unit])"
    }

    /// "2GB", "500 MB", "1.5G" -> megabytes.
    static func megabytes(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let number = s.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(number) else { return nil }
        let unit = s.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        let factors: [String: Double] = ["": 1, "b": 1e-6, "kb": 1e-3, "k": 1e-3, "mb": 1, "m": 1, "gb": 1e3, "g": 1e3,
                                         "tb": 1e6, "t": 1e6, "kib": 1.024e-3, "mib": 1.048576, "gib": 1073.741824, "tib": 1099511.627776]
        guard let f = factors[unit] else { return nil }
        return Int((value * f).rounded(.up))
    }

    // MARK: Params, priority, message

    func params(_ job: JobID, threads: Int, resources: NamedListObject, attempt: Int = 1) throws -> NamedListObject {
        let r = rule(job)
        var items: [Value] = []
        var names: [NameRange] = []
        let wildcards = dag.wildcards(of: job)
        for (name, value) in r.params {
            var v = try resolve(value, job: job, attempt: attempt, threads: threads, resources: resources)
            // Strings in params are patterns over the job's wildcards, as in Snakemake.
            v = Self.applyWildcards(v, wildcards)
            if let name { names.append(NameRange(name, items.count..<items.count + 1, isSingle: true)) }
            items.append(v)
        }
        return NamedListObject(typeName: "Params", items: items, names: names)
    }

    /// `{name}` -> wildcard value in a str (or in the strs of a list); other braces stay as they are.
    static func applyWildcards(_ value: Value, _ wildcards: [String: String]) -> Value {
        switch value {
        case .str(let s) where s.contains("{"):
            var out = ""
            var rest = Substring(s)
            while let open = rest.firstIndex(of: "{") {
                out += rest[..<open]
                let after = rest[rest.index(after: open)...]
                if let close = after.firstIndex(of: "}") {
                    let name = after[..<close].split(separator: ",", maxSplits: 1).first.map(String.init) ?? ""
                    if let v = wildcards[name.trimmingCharacters(in: .whitespaces)] {
                        out += v
                        rest = after[after.index(after: close)...]
                        continue
                    }
                }
                out.append("{")
                rest = after
            }
            return .str(out + rest)
        case .list(let l):
            return .list(PyList(l.items.map { applyWildcards($0, wildcards) }))
        default:
            return value
        }
    }

    func priority(_ job: JobID) throws -> Int {
        let r = rule(job)
        guard let f = r.priorityFunction else { return r.priority }
        let v = try resolve(f, job: job, attempt: 1, threads: nil)
        switch v {
        case .int(let i): return i
        case .float(let d): return Int(d)
        case .bool(let b): return b ? 1 : 0
        default: throw EngineError("priority of rule \(r.name) must be a number, got \(v.typeName)")
        }
    }

    /// The job's names (input, output, params, ...) for formatting and job programs.
    func namespace(_ job: JobID, attempt: Int) throws -> JobNamespace {
        let threads = try self.threads(job, attempt: attempt)
        let res = try resources(job, threads: threads, attempt: attempt)
        let resourcesObject = NamedListObject(
            typeName: "Resources", items: res.map(\.1),
            names: res.enumerated().map { NameRange($0.element.0, $0.offset..<$0.offset + 1, isSingle: true) })
        // Jobs see storage URLs as their local copies (`gs://b/k` -> `.flow/storage/gs/b/k`).
        return JobNamespace(
            rule: rule(job).name, jobid: job, attempt: attempt, input: localView(dag.inputObject(job)),
            output: localView(dag.outputObject(job)), log: localView(dag.logObject(job)), params: try params(job, threads: threads, resources: resourcesObject, attempt: attempt),
            wildcards: dag.wildcardsObject(job), resources: resourcesObject, threads: threads,
            config: rule(job).moduleConfig ?? .dict(dag.workflow.config))
    }

    /// The list with storage URLs replaced by their local copies (the list itself when it has none).
    private func localView(_ list: NamedListObject) -> NamedListObject {
        guard list.items.contains(where: { $0.pathValue.map(StorageURL.isRemote) ?? false }) else { return list }
        let paths = list.items.map { item in item.pathValue.map { dag.storage.localCopy(of: $0) } ?? "" }
        return NamedListObject(typeName: list.typeName, paths: paths, names: list.names)
    }

    func format(_ template: String, _ ns: JobNamespace) throws -> String {
        try ShellFormatter.format(template, namespace: ns.values, interpreter: interpreter)
    }

    /// A rule's shell command for a job: its template formatted with the job's names (an f-string
    /// template is first evaluated again with them, as Snakemake's rule function does).
    func shellCommand(_ rule: Rule, _ template: String, _ ns: JobNamespace) throws -> String {
        guard let atJobTime = rule.shellAtJobTime else { return try format(template, ns) }
        let values = ns.values
        let evaluated = try interpreter.call(atJobTime, Arguments([], keywords: values.map { (name: $0.key, value: $0.value) }))
        return try format(try interpreter.str(evaluated), ns)
    }

    /// Hash of the evaluated params (the "params changed" rerun trigger); equal for equal values.
    func paramsHash(_ job: JobID) throws -> String? {
        let r = rule(job)
        if r.params.isEmpty { return nil }
        // Planning asks this for every job with a record: static params need no threads or
        // resources, so only params functions pay for the job's full namespace.
        let params: NamedListObject
        if r.params.contains(where: { Self.isFunction($0.value) }) {
            params = try namespace(job, attempt: 1).params
        } else {
            params = try self.params(job, threads: 1, resources: NamedListObject(items: []))
        }
        let text = try params.items.map { try interpreter.repr($0) }.joined(separator: "\u{1f}")
        let names = params.names.map(\.name).joined(separator: ",")
        return stableHash(names + "\u{1e}" + text)
    }

    // MARK: Calling Snakemake-style functions

    /// A value `resolve` would call (what Snakemake treats as a function of the job).
    static func isFunction(_ value: Value) -> Bool {
        guard case .object(let o) = value else { return false }
        return o is PyCallable && !(o is NamedListObject) && value.stringValue == nil
    }

    /// A value, or the result of calling it when it is a function of the job.
    func resolve(_ value: Value, job: JobID, attempt: Int, threads: Int?, resources: NamedListObject? = nil) throws -> Value {
        guard Self.isFunction(value) else { return value }
        var extras: [(String, Value)] = [
            ("input", .object(dag.inputObject(job))), ("output", .object(dag.outputObject(job))),
            ("attempt", .int(attempt)), ("log", .object(dag.logObject(job))), ("rulename", .str(rule(job).name)),
        ]
        if let threads { extras.append(("threads", .int(threads))) }
        if let resources { extras.append(("resources", .object(resources))) }
        do {
            return try interpreter.callSnakemakeStyle(value, first: .object(dag.wildcardsObject(job)), extras: extras)
        } catch let e as PyError {
            var e = e
            e.message = "in a function of rule \(rule(job).name) (wildcards: \(dag.wildcards(of: job).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))): " + e.message
            throw e
        }
    }

    private func intValue(_ v: Value, what: String, rule: String) throws -> Int {
        switch v {
        case .int(let i): return i
        case .float(let d): return Int(d)
        case .bool(let b): return b ? 1 : 0
        default: throw EngineError("\(what) of rule \(rule) must be an integer, got \(v.typeName)")
        }
    }
}
