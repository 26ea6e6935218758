// How a rule's paths change when it is used from a module: the module's `prefix:` or
// `replace_prefix:` (Snakemake's PathModifier), and the path variables resolved in its patterns.

import FlowLang

/// A module's `prefix:` or `replace_prefix:`.
public struct PathModifier: Sendable {
    public var prefix: String?
    public var replacePrefix: [(String, String)]

    public init(prefix: String?, replacePrefix: [(String, String)]) {
        self.prefix = prefix
        self.replacePrefix = replacePrefix
    }

    public var isEmpty: Bool { prefix == nil && replacePrefix.isEmpty }

    /// `path` under this module. Absolute paths, `../` paths, URLs, `local()` and storage files,
    /// and paths already modified stay as they are.
    public func apply(_ path: String, flags: FileFlags) throws -> String {
        if !flags.isDisjoint(with: [.local, .pathModified, .storage]) { return path }
        if path.hasPrefix("/") || path.hasPrefix("..") || path.contains("://") { return path }
        if !replacePrefix.isEmpty {
            let matching = replacePrefix.filter { path.hasPrefix($0.0) }
            if matching.count > 1 {
                throw PyError("WorkflowError", "Multiple prefixes (\(matching.map(\.0).joined(separator: ", "))) match the path \(path). "
                    + "Make sure that the replace_prefix statement in your module definition does not yield ambiguous matches.")
            }
            guard let (old, new) = matching.first else { return path }
            return new + path.dropFirst(old.count)
        }
        guard let prefix else { return path }
        return prefix.hasSuffix("/") ? prefix + path : prefix + "/" + path
    }

    /// An input function's result (a path, or a list, tuple or dict of them) under a chain of
    /// modules; the paths come back marked as modified.
    public static func apply(_ modifiers: [PathModifier], toResult value: Value, _ interp: Interpreter) throws -> Value {
        func modified(_ path: String, _ flags: FileFlags) throws -> Value {
            .object(FlaggedPathObject(try apply(modifiers, to: path, flags: flags), flags: flags.union(.pathModified)))
        }
        switch value {
        case .str(let s): return try modified(s, [])
        case .list(let l): return .list(PyList(try l.items.map { try apply(modifiers, toResult: $0, interp) }))
        case .tuple(let t): return .tuple(try t.map { try apply(modifiers, toResult: $0, interp) })
        case .dict(let d):
            let out = PyDict()
            for (k, v) in zip(d.keys, d.values) { out.set(try HashKey(k), try apply(modifiers, toResult: v, interp)) }
            return .dict(out)
        case .object(let o):
            if let f = o as? FlaggedPathObject { return try modified(f.path, f.flags) }
            if let n = o as? NamedListObject { return .list(PyList(try n.items.map { try apply(modifiers, toResult: $0, interp) })) }
            if let p = value.pathValue { return try modified(p, []) }
            return value
        default: return value
        }
    }

    /// `path` under a chain of modules, innermost first.
    public static func apply(_ modifiers: [PathModifier], to path: String, flags: FileFlags) throws -> String {
        var path = path
        for m in modifiers { path = try m.apply(path, flags: flags) }
        return path
    }
}

/// A rule's file patterns as written, before path variables are resolved.
struct WrittenFiles {
    var input: [(name: String?, item: InputItem)]
    var output: NamedList<IOFile>
    var log: NamedList<IOFile>
    var benchmark: IOFile?
}

extension Rule {
    /// Replaces `<name>` in the rule's patterns by its pathvars (context, then its own); the
    /// patterns as written are kept for `use rule ... with:`.
    mutating func resolvePathvars() throws {
        var p = pathvarsContext
        try p.update(ownPathvars, level: .rule)
        pathvars = p
        writtenFiles = WrittenFiles(input: input, output: output, log: log, benchmark: benchmark)
        func resolve(_ f: IOFile) throws -> IOFile {
            var f = f
            do { f.pattern = try p.apply(f.pattern) } catch let e as PyError {
                throw PyError(e.type, "\(e.message) (rule \(name))")
            }
            return f
        }
        output.items = try output.items.map(resolve)
        log.items = try log.items.map(resolve)
        benchmark = try benchmark.map(resolve)
        input = try input.map { name, item in
            if case .file(let f) = item { return (name, .file(try resolve(f))) }
            return (name, item)
        }
    }

    /// Puts back the patterns as written (before `use rule ... with:` changes and resolves them again).
    mutating func restoreWrittenFiles() {
        guard let w = writtenFiles else { return }
        input = w.input
        output = w.output
        log = w.log
        benchmark = w.benchmark
        writtenFiles = nil
    }

    /// Applies a module's path modifier to the patterns of the given directives.
    mutating func modifyPaths(_ modifier: PathModifier, skipping overridden: Set<String>) throws {
        guard !modifier.isEmpty else { return }
        func modify(_ f: IOFile) throws -> IOFile {
            var f = f
            f.pattern = try modifier.apply(f.pattern, flags: f.flags)
            return f
        }
        func modifyAll(_ input: inout [(name: String?, item: InputItem)], _ output: inout NamedList<IOFile>,
                       _ log: inout NamedList<IOFile>, _ benchmark: inout IOFile?) throws {
            if !overridden.contains("output") { output.items = try output.items.map(modify) }
            if !overridden.contains("log") { log.items = try log.items.map(modify) }
            if !overridden.contains("benchmark") { benchmark = try benchmark.map(modify) }
            if !overridden.contains("input") {
                input = try input.map { name, item in
                    if case .file(let f) = item { return (name, .file(try modify(f))) }
                    return (name, item)
                }
            }
        }
        try modifyAll(&input, &output, &log, &benchmark)
        // The patterns as written move too: a workflow using this rule again starts from them.
        if var w = writtenFiles {
            try modifyAll(&w.input, &w.output, &w.log, &w.benchmark)
            writtenFiles = w
        }
        pathModifiers.append(modifier)
    }
}
