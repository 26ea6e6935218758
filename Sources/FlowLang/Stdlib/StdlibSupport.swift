// Shared plumbing for the stdlib modules: argument readers, a generic attribute-bag host object,
// simple iterators, and the mapping from POSIX errno to Python's OSError subclasses.
// It knows no particular module; each module file builds on these helpers.

import Foundation

// MARK: - Argument reading

/// Reads the arguments of one stdlib call with Python-style TypeErrors naming the function.
struct Args {
    let arguments: Arguments
    let function: String
    let interp: Interpreter

    init(_ arguments: Arguments, _ function: String, _ interp: Interpreter) {
        self.arguments = arguments
        self.function = function
        self.interp = interp
    }

    var positional: [Value] { arguments.positional }
    var count: Int { arguments.positional.count }

    /// Positional `index` or keyword `name`; `.none` counts as given.
    func value(_ index: Int, _ name: String) -> Value? { arguments.argument(index, name) }

    func required(_ index: Int, _ name: String) throws -> Value {
        guard let v = value(index, name) else {
            throw PyError.type("\(function)() missing required argument: '\(name)'")
        }
        return v
    }

    func string(_ index: Int, _ name: String) throws -> String {
        let v = try required(index, name)
        guard let s = v.stringValue else {
            throw PyError.type("\(function)() argument '\(name)' must be str, not \(v.typeName)")
        }
        return s
    }

    func optionalString(_ index: Int, _ name: String) throws -> String? {
        guard let v = value(index, name), !v.isNone else { return nil }
        guard let s = v.stringValue else {
            throw PyError.type("\(function)() argument '\(name)' must be str or None, not \(v.typeName)")
        }
        return s
    }

    func path(_ index: Int, _ name: String) throws -> String {
        let v = try required(index, name)
        return try pathString(v, function: function)
    }

    func optionalPath(_ index: Int, _ name: String) throws -> String? {
        guard let v = value(index, name), !v.isNone else { return nil }
        return try pathString(v, function: function)
    }

    func int(_ index: Int, _ name: String) throws -> Int {
        try intValue(try required(index, name), function: function)
    }

    func int(_ index: Int, _ name: String, default d: Int) throws -> Int {
        guard let v = value(index, name), !v.isNone else { return d }
        return try intValue(v, function: function)
    }

    func double(_ index: Int, _ name: String) throws -> Double {
        try doubleValue(try required(index, name), function: function)
    }

    func bool(_ index: Int, _ name: String, default d: Bool) throws -> Bool {
        guard let v = value(index, name) else { return d }
        return try truth(v, interp)
    }

    /// Keyword-only flag.
    func flag(_ name: String, default d: Bool = false) throws -> Bool {
        guard let v = arguments.keyword(name) else { return d }
        return try truth(v, interp)
    }
}

/// `bool(v)`, answering the common literal cases without a round trip through the interpreter.
func truth(_ v: Value, _ interp: Interpreter) throws -> Bool {
    switch v {
    case .none: return false
    case .bool(let b): return b
    case .int(let i): return i != 0
    case .str(let s): return !s.isEmpty
    default: return try interp.truthy(v)
    }
}

func pathString(_ v: Value, function: String) throws -> String {
    guard let p = v.pathValue else {
        throw PyError.type("\(function)(): expected str, bytes or os.PathLike object, not \(v.typeName)")
    }
    return p
}

func intValue(_ v: Value, function: String) throws -> Int {
    switch v {
    case .int(let i): return i
    case .bool(let b): return b ? 1 : 0
    default: throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer")
    }
}

func doubleValue(_ v: Value, function: String) throws -> Double {
    switch v {
    case .int(let i): return Double(i)
    case .bool(let b): return b ? 1 : 0
    case .float(let d): return d
    default: throw PyError.type("must be real number, not \(v.typeName)")
    }
}

// MARK: - Generic host objects

/// An object that is just a bag of attributes (struct results, CompletedProcess, stat_result,
/// module-level singletons). Methods are `BuiltinFunction` attribute values.
final class AttributeObject: PyObject {
    let typeName: String
    var attributes: [String: Value]
    var mutable: Bool
    var reprBody: ((Interpreter) throws -> String)?

    init(_ typeName: String, _ attributes: [String: Value] = [:], mutable: Bool = false,
         repr: ((Interpreter) throws -> String)? = nil) {
        self.typeName = typeName
        self.attributes = attributes
        self.mutable = mutable
        self.reprBody = repr
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? { attributes[name] }

    func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws {
        guard mutable else { throw PyError.attribute("'\(typeName)' object attribute '\(name)' is read-only") }
        attributes[name] = value
    }

    func repr(interpreter: Interpreter) throws -> String {
        if let reprBody { return try reprBody(interpreter) }
        return "<\(typeName) object>"
    }

    /// Adds a method bound to this object.
    func method(_ name: String, _ body: @escaping BuiltinFunction.Body) {
        attributes[name] = .object(BuiltinFunction(name, boundTo: typeName, body))
    }
}

/// A callable that is also a "class": `typeName` is "type" and attributes hold static members.
final class HostClass: PyCallable {
    let name: String
    var attributes: [String: Value]
    let construct: BuiltinFunction.Body

    init(_ name: String, attributes: [String: Value] = [:], _ construct: @escaping BuiltinFunction.Body) {
        self.name = name
        self.attributes = attributes
        self.construct = construct
    }

    var typeName: String { "type" }
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value { try construct(arguments, interpreter) }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if name == "__name__" { return .str(self.name) }
        return attributes[name]
    }
    func repr(interpreter: Interpreter) throws -> String { "<class '\(name)'>" }
}

func function(_ name: String, _ body: @escaping BuiltinFunction.Body) -> Value {
    .object(BuiltinFunction(name, body))
}

// MARK: - Iterators

/// A Python iterator backed by a Swift closure; it is its own iterable (`iter(it) is it`).
final class ClosureIterator: PyIterable, PyIterator {
    let typeName: String
    private let nextBody: (Interpreter) throws -> Value?
    private var finished = false

    init(_ typeName: String, _ next: @escaping (Interpreter) throws -> Value?) {
        self.typeName = typeName
        self.nextBody = next
    }

    convenience init(_ typeName: String, values: [Value]) {
        var i = 0
        self.init(typeName) { _ in
            guard i < values.count else { return nil }
            defer { i += 1 }
            return values[i]
        }
    }

    func makeIterator(interpreter: Interpreter) throws -> PyIterator { self }

    func next(interpreter: Interpreter) throws -> Value? {
        if finished { return nil }
        guard let v = try nextBody(interpreter) else { finished = true; return nil }
        return v
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        // `with os.scandir(d) as it:` and generator-style close().
        if name == "__enter__" { return function(name) { _, _ in .object(self) } }
        if name == "__exit__" || name == "close" { return function(name) { _, _ in self.finished = true; return .false } }
        if name == "__next__" {
            return .object(BuiltinFunction("__next__", boundTo: typeName) { [self] _, i in
                guard let v = try self.next(interpreter: i) else { throw PyError("StopIteration", "") }
                return v
            })
        }
        return nil
    }
}

/// Steps through any iterable lazily: host iterables one at a time, everything else materialised
/// once through `Interpreter.iterate`.
func lazyIterator(_ value: Value, _ interp: Interpreter) throws -> PyIterator {
    if case .object(let o) = value, let it = o as? PyIterable { return try it.makeIterator(interpreter: interp) }
    return ClosureIterator("iterator", values: try interp.iterate(value))
}

// MARK: - Small conversions

func strList(_ items: [String]) -> Value { .list(PyList(items.map { .str($0) })) }

func dictFromPairs(_ pairs: [(String, Value)]) -> PyDict {
    let d = PyDict()
    for (k, v) in pairs { d.set(k, v) }
    return d
}

/// Python's `repr` of a str (single quotes unless the text contains one and no double quote).
func pyStringRepr(_ s: String) -> String {
    let useDouble = s.contains("'") && !s.contains("\"")
    let quote: Character = useDouble ? "\"" : "'"
    var out = String(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "'" where !useDouble: out += "\\'"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += String(format: "\\x%02x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    out.append(quote)
    return out
}

// MARK: - OS errors

/// The Python exception for an errno, with CPython's message layout:
/// `[Errno 2] No such file or directory: 'x'` (and `-> 'y'` for two-path calls).
func osError(_ code: Int32, _ path: String? = nil, _ path2: String? = nil) -> PyError {
    let type: String
    switch code {
    case ENOENT: type = "FileNotFoundError"
    case EEXIST: type = "FileExistsError"
    case EACCES, EPERM: type = "PermissionError"
    case EISDIR: type = "IsADirectoryError"
    case ENOTDIR: type = "NotADirectoryError"
    case ETIMEDOUT: type = "TimeoutError"
    default: type = "OSError"
    }
    var message = "[Errno \(code)] \(String(cString: strerror(code)))"
    if let path { message += ": \(pyStringRepr(path))" }
    if let path2 { message += " -> \(pyStringRepr(path2))" }
    return PyError(type, message)
}

/// Throws the current errno as a Python OSError when `result` is -1.
func checkPosix(_ result: Int32, _ path: String? = nil, _ path2: String? = nil) throws {
    if result == -1 { throw osError(errno, path, path2) }
}
