// File flags as Snakefiles write them: `temp("x")`, `protected(expand(...))`, `ancient(lambda w: ...)`,
// `multiext("a", ".b", ".c")`, `unpack(f)`, `repeat("bench.tsv", 3)`, `ensure("x", non_empty=True)`.
//
// A flagged path stays usable as a `str` in Python code (it conforms to PyStringLike), exactly as
// Snakemake's AnnotatedString is a str subclass. Flags on functions wrap the callable.

import Foundation
import FlowLang
import FlowStorage

/// A path string carrying Snakemake flags.
public final class FlaggedPathObject: FlaggedPath, PyPathLike {
    public let path: String
    public let flags: FileFlags
    public let sha256: String?
    /// `ensure(..., sha256=lambda w: ...)`: the expected checksum as a function of the job.
    public var sha256Function: Value?
    /// `rules.X.output` items: the rule that produces the file (X, by its final name).
    public var producer: String?
    /// `report(..., caption=, category=, subcategory=)`.
    public var report: ReportAnnotation?

    public init(_ path: String, flags: FileFlags, sha256: String? = nil) {
        self.path = path
        self.flags = flags
        self.sha256 = sha256
    }

    public var stringValue: String { path }
    public var fspath: String { path }
    public var ioFile: IOFile {
        var file = IOFile(path, flags: flags, sha256: sha256)
        file.report = report
        return file
    }
    public var typeName: String { "AnnotatedString" }
    public func repr(interpreter: Interpreter) throws -> String { try interpreter.repr(.str(path)) }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if name == "flags" {
            let d = PyDict()
            for (flag, label) in FlaggedPathObject.flagNames where flags.contains(flag) { d.set(label, .true) }
            return .dict(d)
        }
        // Everything else behaves as the underlying str (`temp(x).replace(...)`).
        return try interpreter.getAttribute(.str(path), name)
    }

    static let flagNames: [(FileFlags, String)] = [
        (.temp, "temp"), (.protected, "protected"), (.directory, "directory"), (.touch, "touch"),
        (.ancient, "ancient"), (.pipe, "pipe"), (.nonEmpty, "non_empty"), (.update, "update"),
        (.local, "local"), (.service, "service"), (.report, "report"), (.storage, "storage_object"),
    ]
}

/// A callable (input function) wrapped in flags, e.g. `ancient(lambda w: ...)`.
public final class FlaggedFunction: PyCallable {
    public let function: Value
    public let flags: FileFlags
    public init(_ function: Value, flags: FileFlags) {
        self.function = function
        self.flags = flags
    }
    public var typeName: String { "function" }
    public func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        try interpreter.call(function, arguments)
    }
}

/// `unpack(f)`: the function's dict result becomes named inputs.
public final class UnpackMarker: PyObject {
    public let function: Value
    public init(_ function: Value) { self.function = function }
    public var typeName: String { "unpack" }
}

/// `repeat("bench/{x}.tsv", 3)` in `benchmark:`.
public final class BenchmarkRepeat: PyStringLike {
    public let path: String
    public let count: Int
    public init(_ path: String, count: Int) {
        self.path = path
        self.count = count
    }
    public var stringValue: String { path }
    public var typeName: String { "AnnotatedString" }
}

/// `multiext("a/b", ".x", y=".y")`: several files sharing a prefix, optionally named.
public final class MultiextList: PyIterable, PySized, PySubscriptable {
    public let items: [(name: String?, path: String)]
    public init(_ items: [(name: String?, path: String)]) { self.items = items }
    public var typeName: String { "list" }
    public func makeIterator(interpreter: Interpreter) throws -> PyIterator {
        ValueArrayIterator(items.map { .str($0.path) })
    }
    public func length(interpreter: Interpreter) throws -> Int { items.count }
    public func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        try interpreter.getItem(.list(PyList(items.map { .str($0.path) })), key)
    }
    public func repr(interpreter: Interpreter) throws -> String {
        try interpreter.repr(.list(PyList(items.map { .str($0.path) })))
    }
}

/// Iterates a Swift array of values.
final class ValueArrayIterator: PyIterator {
    private let values: [Value]
    private var position = 0
    init(_ values: [Value]) { self.values = values }
    func next(interpreter: Interpreter) throws -> Value? {
        guard position < values.count else { return nil }
        defer { position += 1 }
        return values[position]
    }
}

enum FlagFunctions {
    /// Applies `flags` to a str/Path, a flagged path (flags accumulate), a callable, or each item of a list.
    static func apply(_ flags: FileFlags, to value: Value, sha256: String? = nil, interpreter: Interpreter) throws -> Value {
        switch value {
        case .list(let l):
            return .list(PyList(try l.items.map { try apply(flags, to: $0, sha256: sha256, interpreter: interpreter) }))
        case .tuple(let items):
            return .list(PyList(try items.map { try apply(flags, to: $0, sha256: sha256, interpreter: interpreter) }))
        case .object(let o):
            if let f = o as? FlaggedPathObject {
                if (f.flags.contains(.storage) && flags.contains(.local)) || (f.flags.contains(.local) && flags.contains(.storage)) {
                    throw PyError("WorkflowError", "Storage and local flags are mutually exclusive.")
                }
                let combined = FlaggedPathObject(f.path, flags: f.flags.union(flags), sha256: sha256 ?? f.sha256)
                combined.report = f.report
                return .object(combined)
            }
            if let f = o as? FlaggedFunction { return .object(FlaggedFunction(f.function, flags: f.flags.union(flags))) }
            if let m = o as? MultiextList {
                return .list(PyList(m.items.map { .object(FlaggedPathObject($0.path, flags: flags, sha256: sha256)) }))
            }
            if o is PyCallable { return .object(FlaggedFunction(value, flags: flags)) }
            if let p = value.pathValue { return .object(FlaggedPathObject(p, flags: flags, sha256: sha256)) }
            if o is PyIterable {
                return try apply(flags, to: .list(PyList(try interpreter.iterate(value))), sha256: sha256, interpreter: interpreter)
            }
        case .str(let s):
            return .object(FlaggedPathObject(s, flags: flags, sha256: sha256))
        default:
            break
        }
        throw PyError.type("a file flag cannot be applied to a value of type '\(value.typeName)'")
    }

    static func flagFunction(_ name: String, _ flags: FileFlags) -> (String, Value) {
        (name, .object(BuiltinFunction(name) { args, interp in
            guard let value = args.positional.first else { throw PyError.type("\(name)() missing 1 required positional argument") }
            return try apply(flags, to: value, interpreter: interp)
        }))
    }

    /// The flag functions and their relatives, as Snakefile globals.
    static func globals() -> [(String, Value)] {
        var result: [(String, Value)] = [
            flagFunction("temp", .temp), flagFunction("temporary", .temp),
            flagFunction("protected", .protected), flagFunction("directory", .directory),
            flagFunction("touch", .touch), flagFunction("ancient", .ancient), flagFunction("pipe", .pipe),
            flagFunction("local", .local), flagFunction("update", .update), flagFunction("service", .service),
            flagFunction("before_update", .beforeUpdate), flagFunction("dynamic", []),
        ]
        result.append(("report", .object(BuiltinFunction("report") { args, interp in
            guard let value = args.positional.first else { throw PyError.type("report() missing 1 required positional argument") }
            let result = try apply(.report, to: value, interpreter: interp)
            func text(_ key: String) throws -> String? {
                guard let v = args.keyword(key) else { return nil }
                if case .none = v { return nil }
                return try interp.str(v)
            }
            let annotation = ReportAnnotation(caption: try text("caption"), category: try text("category"),
                                              subcategory: try text("subcategory"))
            func annotate(_ v: Value) {
                switch v {
                case .object(let o as FlaggedPathObject): o.report = annotation
                case .list(let l): l.items.forEach(annotate)
                default: break
                }
            }
            annotate(result)
            return result
        })))
        result.append(("ensure", .object(BuiltinFunction("ensure") { args, interp in
            guard let value = args.positional.first else { throw PyError.type("ensure() missing 1 required positional argument") }
            var flags: FileFlags = []
            if let nonEmpty = args.keyword("non_empty"), try interp.truthy(nonEmpty) { flags.insert(.nonEmpty) }
            let sha = args.keyword("sha256").flatMap { $0.stringValue }
            let result = try apply(flags, to: value, sha256: sha, interpreter: interp)
            if case .object(let f)? = args.keyword("sha256"), f is PyCallable, case .object(let o) = result,
               let path = o as? FlaggedPathObject {
                path.sha256Function = .object(f)
            }
            return result
        })))
        result.append(("unpack", .object(BuiltinFunction("unpack") { args, _ in
            guard let value = args.positional.first else { throw PyError.type("unpack() missing 1 required positional argument") }
            return .object(UnpackMarker(value))
        })))
        result.append(("repeat", .object(BuiltinFunction("repeat") { args, _ in
            guard args.positional.count == 2, let path = args.positional[0].pathValue, case .int(let n) = args.positional[1] else {
                throw PyError.type("repeat() takes a path and a number of repeats")
            }
            return .object(BenchmarkRepeat(path, count: n))
        })))
        result.append(("multiext", .object(BuiltinFunction("multiext") { args, _ in
            guard let prefix = args.positional.first?.pathValue else { throw PyError.type("multiext() needs a path prefix") }
            var items: [(name: String?, path: String)] = []
            for ext in args.positional.dropFirst() {
                guard let e = ext.stringValue else { throw PyError.type("multiext() extensions must be strings") }
                items.append((nil, prefix + e))
            }
            for (name, ext) in args.keywords {
                guard let e = ext.stringValue else { throw PyError.type("multiext() extensions must be strings") }
                items.append((name, prefix + e))
            }
            if items.isEmpty { throw PyError.value("multiext() needs at least one extension") }
            return .object(MultiextList(items))
        })))
        return result
    }
}

/// A concrete job file as Snakemake's IOFile: a str with file methods (`open()`, `exists()`,
/// `size`), as checkpoint outputs are handed to input functions. `exists()` and sizes ask the
/// workflow's storage, so they also answer for storage queries.
public final class IOPathObject: PyStringLike, PyPathLike {
    public let path: String
    let storage: Storage
    public init(_ path: String, storage: Storage) {
        self.path = path
        self.storage = storage
    }
    public var stringValue: String { path }
    public var fspath: String { path }
    public var typeName: String { "_IOFile" }
    public func repr(interpreter: Interpreter) throws -> String { try interpreter.repr(.str(path)) }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        let path = self.path
        switch name {
        case "open":
            return .object(BuiltinFunction("open") { args, interp in
                guard let open = interp.builtin("open") else {
                    throw PyError.runtime("open() is not available")
                }
                return try interp.call(open, Arguments([.str(path)] + args.positional, keywords: args.keywords))
            })
        case "exists":
            let storage = self.storage
            return .object(BuiltinFunction("exists") { _, _ in .bool(try storageCall { try storage.exists(path) }) })
        case "size":
            return .int(Int(try size()))
        case "size_mb":
            return .float(Double(try size()) / 1_048_576)
        default:
            return try interpreter.getAttribute(.str(path), name)
        }
    }

    /// Bytes (0 when missing), as Snakemake's IOFile.size.
    private func size() throws -> Int64 { try storageCall { try storage.stat(path)?.size ?? 0 } }
}
