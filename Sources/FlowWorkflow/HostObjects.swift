// The Snakemake objects a Snakefile sees as globals: `rules`, `checkpoints`, `workflow`, `shell`,
// the flag and expand functions, and the importable `snakemake`, `snakemake.utils`, `snakemake.io`
// modules.

import Foundation
import FlowLang
import FlowStorage

extension WorkflowLoader {
    func installGlobals() {
        let g = interpreter.globals
        for (name, value) in FlagFunctions.globals() + ExpandFunctions.globals() + SnakemakeHelpers.globals() + RuleItemGlobals.globals() {
            g.set(name, value)
        }
        g.set("config", .dict(workflow.config))
        g.set("rules", .object(rulesObject))
        g.set("checkpoints", .object(CheckpointsObject(loader: self)))
        g.set("workflow", .object(WorkflowObject(loader: self)))
        g.set("shell", .object(ShellFunction()))
        g.set("storage", .object(StorageRegistryObject(workflow: workflow)))
        g.set("scatter", .object(ScatterGatherObject(typeName: "Scatter", loader: self)))
        g.set("gather", .object(ScatterGatherObject(typeName: "Gather", loader: self)))
        for (name, value) in SnakemakeModules.utilities(loader: self) where name == "collect" { g.set(name, value) }
        installImplicitImports()
    }

    /// Snakemake runs Snakefiles with the globals of its own `workflow.py`, so Snakefiles use
    /// `os`, `sys`, `re`, `Path`, ... without importing them. The same names are predefined here.
    private func installImplicitImports() {
        let g = interpreter.globals
        for name in ["os", "sys", "re", "subprocess", "platform", "hashlib", "tempfile", "copy"] {
            if let module = try? Stdlib.module(named: name, interpreter: interpreter) { g.set(name, .object(module)) }
        }
        let members: [(module: String, names: [String])] = [
            ("pathlib", ["Path"]), ("collections", ["OrderedDict", "namedtuple"]),
            ("itertools", ["filterfalse", "chain"]), ("functools", ["partial"]),
        ]
        for (module, names) in members {
            guard let m = try? Stdlib.module(named: module, interpreter: interpreter) else { continue }
            for name in names { if let v = m.attributes.get(name) { g.set(name, v) } }
        }
        if let v = SnakemakeModules.module(named: "snakemake", loader: self) { g.set("snakemake", v) }
        for (name, value) in SnakemakeModules.utilities(loader: self) where name == "update_config" { g.set(name, value) }
        g.set("logger", SnakemakeModules.loggerObject())
    }

    /// Rules visible to `rules.NAME`: a module's own rules while it is being loaded; once a
    /// workflow has used one of them, the rule as used there (renamed, its paths prefixed), as
    /// Snakemake's module rules are. `isFinal`: the rule as the DAG will see it.
    func visibleRule(named name: String) -> (rule: Rule, isFinal: Bool)? {
        guard let context = moduleContext else { return workflow.rule(named: name).map { ($0, true) } }
        if let used = context.usedNames[name], let user = context.user, let found = user.visibleRule(named: used) {
            return found
        }
        return context.rules.first(where: { $0.name == name }).map { ($0, false) }
    }
}

/// `rules`: attribute access gives a rule's patterns (`rules.map.output.bam`).
final class RulesObject: PyObject {
    unowned let loader: WorkflowLoader
    init(loader: WorkflowLoader) { self.loader = loader }
    var typeName: String { "Rules" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        guard let (rule, isFinal) = loader.visibleRule(named: name) else {
            throw PyError.attribute("rule '\(name)' is not defined (yet): rules.\(name) can only refer to rules defined above")
        }
        return .object(RuleProxy(rule, isFinal: isFinal))
    }
}

/// One rule as Python code sees it through `rules.NAME`.
final class RuleProxy: PyObject {
    let rule: Rule
    /// The rule as used in the end (its paths are final): its paths are marked as modified, so
    /// that a module's prefix is not applied to them a second time.
    let isFinal: Bool
    init(_ rule: Rule, isFinal: Bool = true) {
        self.rule = rule
        self.isFinal = isFinal
    }
    var typeName: String { "RuleProxy" }

    /// A rule's file as Python sees it: a str, or for storage files a path still flagged as
    /// storage, so that another rule using it is not mapped by the default storage again.
    static func patternValue(_ file: IOFile) -> Value {
        guard file.flags.contains(.storage) else { return .str(file.pattern) }
        return .object(FlaggedPathObject(file.pattern, flags: file.flags.intersection([.storage, .noRetrieve, .keepLocal])))
    }

    /// An output of this rule: a path that names its producer (a rule's input made of it is
    /// resolved to this rule's jobs).
    private func outputValue(_ file: IOFile) -> Value {
        var flags = file.flags.intersection([.storage, .noRetrieve, .keepLocal])
        if isFinal, !rule.pathModifiers.isEmpty { flags.insert(.pathModified) }
        let path = FlaggedPathObject(file.pattern, flags: flags)
        path.producer = rule.name
        return .object(path)
    }

    private var isModified: Bool { isFinal && !rule.pathModifiers.isEmpty }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "name": return .str(rule.name)
        case "rule": return .object(self)
        case "output":
            return .object(NamedListObject(typeName: "Namedlist", items: rule.output.items.map(outputValue),
                                           names: rule.output.names.map { NameRange($0.name, $0.range, isSingle: $0.range.count == 1) }))
        case "log": return .object(NamedListObject(rule.log))
        case "benchmark": return rule.benchmark.map { .str($0.pattern) } ?? .str("")
        case "input":
            var items: [Value] = []
            var names: [NameRange] = []
            for (key, item) in rule.input {
                switch item {
                case .file(let f): items.append(RuleProxy.patternValue(f))
                case .function(let fn, _) where isModified:
                    // Its results get the module's prefix wherever the function is used (Snakemake's RuleProxy).
                    let modifiers = rule.pathModifiers
                    items.append(.object(BuiltinFunction("input_function") { args, interp in
                        guard let wildcards = args.positional.first else { throw PyError.type("input function needs the wildcards") }
                        return try PathModifier.apply(modifiers, toResult: try interp.callSnakemakeStyle(fn, first: wildcards, extras: []), interp)
                    }))
                case .function(let fn, _): items.append(fn)
                case .unpack(let fn): items.append(.object(UnpackMarker(fn)))
                }
                if let key {
                    if let last = names.last, last.name == key, last.range.upperBound == items.count - 1 {
                        names[names.count - 1] = NameRange(key, last.range.lowerBound..<items.count, isSingle: false)
                    } else {
                        names.append(NameRange(key, (items.count - 1)..<items.count, isSingle: true))
                    }
                }
            }
            return .object(NamedListObject(items: items, names: names))
        case "params":
            let items = rule.params.map(\.value)
            var names: [NameRange] = []
            for (i, p) in rule.params.enumerated() { if let n = p.name { names.append(NameRange(n, i..<(i + 1), isSingle: true)) } }
            return .object(NamedListObject(items: items, names: names))
        default: return nil
        }
    }
}

/// `checkpoints.NAME.get(**wildcards)`: the outputs of a finished checkpoint job; raises
/// `IncompleteCheckpointException` (carrying a `CheckpointPending`) while the job has not run.
final class CheckpointsObject: PyObject {
    unowned let loader: WorkflowLoader
    init(loader: WorkflowLoader) { self.loader = loader }
    var typeName: String { "Checkpoints" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        guard let rule = loader.visibleRule(named: name)?.rule, rule.isCheckpoint else {
            throw PyError.attribute("checkpoint '\(name)' is not defined (or is a plain rule)")
        }
        let workflow = loader.workflow
        return .object(PyModule("checkpoint", [
            ("rule", .object(RuleProxy(rule))),
            ("get", .object(BuiltinFunction("get") { args, interp in
                var wildcards: [String: String] = [:]
                for (k, v) in args.keywords { wildcards[k] = try interp.str(v) }
                let outputs = try rule.output.items.map { try formatPattern($0.pattern, wildcards, interp) }
                let storage = workflow.storage
                let complete = try workflow.checkpointCompletion?(rule.name, outputs)
                    ?? storageCall { try outputs.allSatisfy { try storage.exists($0) } }
                guard complete else {
                    throw PyError("IncompleteCheckpointException",
                                  "checkpoint \(rule.name) has not been executed yet (needs \(outputs.joined(separator: ", ")))",
                                  value: .object(CheckpointPending(rule: rule.name, outputs: outputs)))
                }
                let names = rule.output.names.map { NameRange($0.name, $0.range, isSingle: $0.range.count == 1) }
                let proxy = PyModule("CheckpointJob", [
                    ("output", .object(NamedListObject(typeName: "Namedlist", items: outputs.map { .object(IOPathObject($0, storage: workflow.storage)) }, names: names))),
                    ("rule", .object(RuleProxy(rule))),
                ])
                return .object(proxy)
            })),
        ]))
    }
}

/// What a DAG needs to know when an input function touched an unfinished checkpoint.
public final class CheckpointPending: PyObject {
    public let rule: String
    public let outputs: [String]
    init(rule: String, outputs: [String]) {
        self.rule = rule
        self.outputs = outputs
    }
    public var typeName: String { "IncompleteCheckpointException" }
}

/// Formats `{wildcard}` fields of a pattern (constraints dropped) for Python callers, with the
/// pattern semantics the DAG uses.
func formatPattern(_ pattern: String, _ wildcards: [String: String], _ interp: Interpreter) throws -> String {
    do {
        return try WildcardPattern(pattern).format(lookup: { wildcards[$0] })
    } catch let e as PatternError {
        throw PyError("WorkflowError", e.description)
    }
}

/// `workflow`: basedir, snakefile, cores, config, source_path().
final class WorkflowObject: PyObject {
    unowned let loader: WorkflowLoader
    init(loader: WorkflowLoader) { self.loader = loader }
    var typeName: String { "Workflow" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        let workflow = loader.workflow
        switch name {
        case "basedir": return .str(workflow.basedir)
        case "current_basedir": return .str(loader.currentBasedir)
        case "snakefile", "main_snakefile": return .str(workflow.snakefile)
        case "cores", "_cores", "nodes": return .int(loader.options.cores)
        case "config": return .dict(workflow.config)
        case "configfiles": return .list(PyList((loader.options.configFiles + loader.configFilesRead).map { .str($0) }))
        case "is_main_process": return .true
        case "use_threads", "run_local", "local_exec": return .true
        case "globals": return .dict(interpreter.globals)
        case "source_path":
            return .object(BuiltinFunction("source_path") { args, interp in
                guard let p = args.positional.first?.pathValue else { throw PyError.type("source_path() needs a path") }
                // Relative to the file of the calling code (an input function runs long after its
                // file was read), as Snakemake inspects its caller's frame.
                let base = interp.functionFile.map(PathText.dirname) ?? self.loader.currentBasedir
                return .str(p.hasPrefix("/") ? p : base + "/" + p)
            })
        default: return nil
        }
    }
}

extension NamedListObject {
    /// The patterns of a rule's output/log list as a Namedlist of strings.
    convenience init(_ list: NamedList<IOFile>) {
        self.init(typeName: "Namedlist", items: list.items.map(RuleProxy.patternValue),
                  names: list.names.map { NameRange($0.name, $0.range, isSingle: $0.range.count == 1) })
    }
}

extension Interpreter {
    /// The workflow this interpreter evaluates (nil for a bare interpreter).
    var workflow: Workflow? { (host as? WorkflowLoader)?.workflow }
    /// Where its files live (POSIX for a bare interpreter).
    var storage: Storage { workflow?.storage ?? Storage() }
}

/// Runs a storage operation for Python code: storage errors become WorkflowErrors (which the
/// interpreter reports at the calling line).
func storageCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as StorageError { throw PyError("WorkflowError", e.description) }
}

/// `scatter.NAME(pattern, ...)` / `gather.NAME(...)` for each `scattergather: NAME=N`: expand()
/// with `scatteritem` running over "1-of-N" ... "N-of-N", as Snakemake's scatter-gather does.
final class ScatterGatherObject: PyObject {
    let typeName: String
    unowned let loader: WorkflowLoader
    init(typeName: String, loader: WorkflowLoader) {
        self.typeName = typeName
        self.loader = loader
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        guard let n = loader.scatterCounts[name] else {
            throw PyError.attribute("'\(typeName)' has no '\(name)': declare it with scattergather: \(name)=N")
        }
        return .object(BuiltinFunction(name) { args, interp in
            var expandArguments = args
            expandArguments.keywords.append(("scatteritem", .list(PyList((1...n).map { .str("\($0)-of-\(n)") }))))
            return try ExpandFunctions.expand(expandArguments, interp)
        })
    }
}
