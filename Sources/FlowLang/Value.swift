// FlowLang: the interpreter for the Python subset that Snakefiles use.
//
// Owns: runtime values, evaluation of FlowSyntax ASTs, Python's builtins and a small standard
// library (os, re, json, yaml, ...). It knows nothing about rules, jobs or files as workflow
// objects: the Snakemake layer (FlowWorkflow) plugs in through `SnakefileHost` and host objects
// conforming to `PyObject`.
//
// Values: the common Python types are enum cases (fast paths for the evaluator); everything else
// (functions, modules, classes, instances, exceptions, iterators, host objects) is `.object`, an
// instance of a class conforming to `PyObject` plus whichever capability protocols it supports
// (`PyCallable`, `PyIterable`, `PySubscriptable`, ...), in the manner of starlark-go.

import FlowSyntax

public enum Value {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case str(String)
    case list(PyList)
    case tuple([Value])
    case dict(PyDict)
    case set(PySet)
    case object(PyObject)

    public static let `true` = Value.bool(true)
    public static let `false` = Value.bool(false)
    public static let emptyTuple = Value.tuple([])

    /// Python's `type(x).__name__`.
    public var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .str: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set(let s): return s.frozen ? "frozenset" : "set"
        case .object(let o): return o.typeName
        }
    }

    /// The string payload of a `str` or of a str-like host object (e.g. a flagged path from `temp()`).
    public var stringValue: String? {
        switch self {
        case .str(let s): return s
        case .object(let o): return (o as? PyStringLike)?.stringValue
        default: return nil
        }
    }

    public var isNone: Bool { if case .none = self { return true } else { return false } }
}

// MARK: - Containers (reference types: Python lists, dicts and sets are mutable and shared)

public final class PyList {
    public var items: [Value]
    public init(_ items: [Value] = []) { self.items = items }
}

/// An insertion-ordered dict with Python key semantics (1 == 1.0 == True).
public final class PyDict {
    public private(set) var keys: [Value] = []
    public private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]

    public init() {}

    public var count: Int { keys.count }

    public func get(_ key: HashKey) -> Value? {
        guard let i = index[key] else { return nil }
        return values[i]
    }

    public func set(_ key: HashKey, _ value: Value) {
        if let i = index[key] {
            values[i] = value
        } else {
            index[key] = keys.count
            keys.append(key.value)
            values.append(value)
        }
    }

    @discardableResult
    public func remove(_ key: HashKey) -> Value? {
        guard let i = index.removeValue(forKey: key) else { return nil }
        let old = values[i]
        keys.remove(at: i)
        values.remove(at: i)
        // Deletion is rare in Snakefiles; reindexing the tail keeps lookups O(1) and order exact.
        for j in i..<keys.count { index[HashKey(unchecked: keys[j])] = j }
        return old
    }

    public func removeAll() {
        keys.removeAll()
        values.removeAll()
        index.removeAll()
    }

    public var items: [(key: Value, value: Value)] { Array(zip(keys, values)).map { (key: $0.0, value: $0.1) } }

    public func copy() -> PyDict {
        let d = PyDict()
        d.keys = keys
        d.values = values
        d.index = index
        return d
    }

    /// Convenience for string-keyed dicts built by Swift code (config, wildcards, JSON).
    public func get(_ key: String) -> Value? { get(HashKey(unchecked: .str(key))) }
    public func set(_ key: String, _ value: Value) { set(HashKey(unchecked: .str(key)), value) }
}

public final class PySet {
    public private(set) var elements: [Value] = []
    private var index: [HashKey: Int] = [:]
    public let frozen: Bool

    public init(frozen: Bool = false) { self.frozen = frozen }

    public var count: Int { elements.count }
    public func contains(_ key: HashKey) -> Bool { index[key] != nil }

    public func insert(_ key: HashKey) {
        guard index[key] == nil else { return }
        index[key] = elements.count
        elements.append(key.value)
    }

    @discardableResult
    public func remove(_ key: HashKey) -> Bool {
        guard let i = index.removeValue(forKey: key) else { return false }
        elements.remove(at: i)
        for j in i..<elements.count { index[HashKey(unchecked: elements[j])] = j }
        return true
    }

    public func copy(frozen: Bool? = nil) -> PySet {
        let s = PySet(frozen: frozen ?? self.frozen)
        s.elements = elements
        s.index = index
        return s
    }
}

/// A dict/set key with Python's hashing rules. Unhashable values (list, dict, set) are rejected by
/// `HashKey(_:)`; host objects hash by identity unless they conform to `PyHashable`.
public struct HashKey: Hashable {
    public let value: Value

    public init(_ value: Value) throws {
        switch value {
        case .list, .dict: throw PyError.type("unhashable type: '\(value.typeName)'")
        case .set(let s) where !s.frozen: throw PyError.type("unhashable type: 'set'")
        case .tuple(let items): for item in items { _ = try HashKey(item) }
        default: break
        }
        self.value = value
    }

    /// For values known to be hashable (strings, ints, keys already in a dict).
    public init(unchecked value: Value) { self.value = value }

    public static func == (lhs: HashKey, rhs: HashKey) -> Bool { keyEquals(lhs.value, rhs.value) }

    public func hash(into hasher: inout Hasher) { HashKey.hashValue(value, into: &hasher) }

    private static func hashValue(_ v: Value, into hasher: inout Hasher) {
        switch v {
        case .none: hasher.combine(0)
        case .bool(let b): hasher.combine(b ? 1 : 0)
        case .int(let i): hasher.combine(i)
        case .float(let d):
            if d.rounded() == d, abs(d) < 9.2e18 { hasher.combine(Int(d)) } else { hasher.combine(d) }
        case .str(let s): hasher.combine(s)
        case .tuple(let items):
            hasher.combine(items.count)
            for item in items { hashValue(item, into: &hasher) }
        case .set(let s):
            // Order-independent: combine a commutative sum of element hashes.
            var total = 0
            for e in s.elements { var h = Hasher(); hashValue(e, into: &h); total &+= h.finalize() }
            hasher.combine(total)
        case .object(let o):
            if let s = (o as? PyStringLike)?.stringValue { hasher.combine(s) }
            else if let h = o as? PyHashable { hasher.combine(h.pyHash) }
            else { hasher.combine(ObjectIdentifier(o)) }
        case .list, .dict: hasher.combine(-1)
        }
    }

    private static func keyEquals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.str(let x), .str(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.int(let x), .float(let y)), (.float(let y), .int(let x)): return Double(x) == y
        case (.bool(let x), .int(let y)), (.int(let y), .bool(let x)): return (x ? 1 : 0) == y
        case (.bool(let x), .float(let y)), (.float(let y), .bool(let x)): return (x ? 1.0 : 0.0) == y
        case (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { keyEquals($0, $1) }
        case (.set(let x), .set(let y)):
            return x.count == y.count && x.elements.allSatisfy { y.contains(HashKey(unchecked: $0)) }
        case (.object(let x), .object(let y)):
            if let sx = (x as? PyStringLike)?.stringValue, let sy = (y as? PyStringLike)?.stringValue { return sx == sy }
            if let hx = x as? PyHashable, let hy = y as? PyHashable { return hx.pyEquals(hy) }
            return x === y
        case (.object(let o), .str(let s)), (.str(let s), .object(let o)):
            return (o as? PyStringLike)?.stringValue == s
        default: return false
        }
    }
}

// MARK: - Objects and capabilities

/// Any value that is not one of the built-in enum cases.
public protocol PyObject: AnyObject {
    /// `type(x).__name__`
    var typeName: String { get }
    /// Attribute lookup; return nil when the attribute does not exist (the caller raises AttributeError).
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value?
    /// Attribute assignment; the default raises AttributeError.
    func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws
    /// `repr(x)`; `str(x)` defaults to it unless the object is `PyStringLike`.
    func repr(interpreter: Interpreter) throws -> String
    /// `str(x)` for objects that are not `PyStringLike`; defaults to `repr`.
    func str(interpreter: Interpreter) throws -> String
    /// `bool(x)`; defaults to true (or length != 0 for `PySized`).
    func truthy(interpreter: Interpreter) throws -> Bool
}

extension PyObject {
    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? { nil }
    public func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws {
        throw PyError.attribute("'\(typeName)' object attribute '\(name)' is read-only")
    }
    public func repr(interpreter: Interpreter) throws -> String { "<\(typeName) object>" }
    public func str(interpreter: Interpreter) throws -> String { try repr(interpreter: interpreter) }
    public func truthy(interpreter: Interpreter) throws -> Bool {
        if let sized = self as? PySized { return try sized.length(interpreter: interpreter) != 0 }
        return true
    }
}

/// `f(...)`
public protocol PyCallable: PyObject {
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value
}

/// `for x in obj`: returns a Swift iterator producing values (may throw mid-way).
public protocol PyIterable: PyObject {
    func makeIterator(interpreter: Interpreter) throws -> PyIterator
}

public protocol PyIterator: AnyObject {
    /// The next value, or nil when exhausted.
    func next(interpreter: Interpreter) throws -> Value?
}

/// `obj[key]` and `obj[key] = value`.
public protocol PySubscriptable: PyObject {
    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value
    func setItem(_ key: Value, value: Value, interpreter: Interpreter) throws
}

extension PySubscriptable {
    public func setItem(_ key: Value, value: Value, interpreter: Interpreter) throws {
        throw PyError.type("'\(typeName)' object does not support item assignment")
    }
}

/// `len(obj)`
public protocol PySized: PyObject {
    func length(interpreter: Interpreter) throws -> Int
}

/// `x in obj`
public protocol PyContainer: PyObject {
    func contains(_ value: Value, interpreter: Interpreter) throws -> Bool
}

/// Host objects that behave as `str` (flagged file names, Path-like strings, AnnotatedString).
public protocol PyStringLike: PyObject {
    var stringValue: String { get }
}

/// Host objects with value equality and hashing (e.g. pathlib.Path).
public protocol PyHashable: PyObject {
    var pyHash: Int { get }
    func pyEquals(_ other: PyHashable) -> Bool
}

// MARK: - Calls

/// Arguments of a call after `*args`/`**kwargs` expansion.
public struct Arguments {
    public var positional: [Value]
    public var keywords: [(name: String, value: Value)]

    public init(_ positional: [Value] = [], keywords: [(name: String, value: Value)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    public var count: Int { positional.count + keywords.count }

    public func keyword(_ name: String) -> Value? {
        keywords.first(where: { $0.name == name })?.value
    }

    /// Positional argument `index`, or keyword `name`, or nil.
    public func argument(_ index: Int, _ name: String) -> Value? {
        index < positional.count ? positional[index] : keyword(name)
    }
}

/// A function implemented in Swift (builtins, stdlib modules, Snakemake API functions).
public final class BuiltinFunction: PyCallable {
    public typealias Body = (Arguments, Interpreter) throws -> Value
    public let name: String
    public let body: Body
    /// When set, the function is a bound method of this value (shown in repr).
    public let boundTo: String?

    public init(_ name: String, boundTo: String? = nil, _ body: @escaping Body) {
        self.name = name
        self.body = body
        self.boundTo = boundTo
    }

    public var typeName: String { boundTo == nil ? "builtin_function_or_method" : "method" }
    public func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        try body(arguments, interpreter)
    }
    public func repr(interpreter: Interpreter) throws -> String {
        if let boundTo { return "<built-in method \(name) of \(boundTo) object>" }
        return "<built-in function \(name)>"
    }
}

/// A module object: `os`, `os.path`, `snakemake.utils`, or a user `.py` module.
public final class PyModule: PyObject {
    public let name: String
    public let attributes: PyDict

    public init(_ name: String, _ attributes: [(String, Value)] = []) {
        self.name = name
        self.attributes = PyDict()
        for (k, v) in attributes { self.attributes.set(k, v) }
    }

    public var typeName: String { "module" }
    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? { attributes.get(name) }
    public func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws { attributes.set(name, value) }
    public func repr(interpreter: Interpreter) throws -> String { "<module '\(name)'>" }

    /// Registers a Swift function as a module attribute.
    public func define(_ name: String, _ body: @escaping BuiltinFunction.Body) {
        attributes.set(name, .object(BuiltinFunction(name, body)))
    }
}

// MARK: - Errors

/// A Python exception in flight. `type` is the exception class name (`KeyError`, ...) and decides
/// which `except` clauses catch it (through the hierarchy in `PyError.parents`); `value` is the
/// exception instance when user code created or caught one.
public struct PyError: Error, CustomStringConvertible {
    public var type: String
    public var message: String
    /// The exception object visible to Python code (`except E as e`), created lazily by the interpreter.
    public var value: Value?
    /// Where it was raised (innermost first): file path and location.
    public var traceback: [(file: String, location: SourceLocation)] = []
    /// Extra lines shown after the message (Python's `add_note`), e.g. a foreign runtime's traceback.
    public var notes: [String] = []

    public init(_ type: String, _ message: String, value: Value? = nil) {
        self.type = type
        self.message = message
        self.value = value
    }

    public var description: String { message.isEmpty ? type : "\(type): \(message)" }

    public static func type(_ message: String) -> PyError { PyError("TypeError", message) }
    public static func value(_ message: String) -> PyError { PyError("ValueError", message) }
    public static func key(_ message: String) -> PyError { PyError("KeyError", message) }
    public static func index(_ message: String) -> PyError { PyError("IndexError", message) }
    public static func attribute(_ message: String) -> PyError { PyError("AttributeError", message) }
    public static func name(_ message: String) -> PyError { PyError("NameError", message) }
    public static func runtime(_ message: String) -> PyError { PyError("RuntimeError", message) }
    public static func os(_ message: String) -> PyError { PyError("OSError", message) }
    public static func fileNotFound(_ message: String) -> PyError { PyError("FileNotFoundError", message) }
    public static func notImplemented(_ message: String) -> PyError { PyError("NotImplementedError", message) }
    public static func importError(_ message: String) -> PyError { PyError("ModuleNotFoundError", message) }

    /// Python's builtin exception hierarchy (child -> parent), used by `except` matching.
    public static let parents: [String: String] = [
        "Exception": "BaseException", "KeyboardInterrupt": "BaseException", "SystemExit": "BaseException",
        "GeneratorExit": "BaseException",
        "ArithmeticError": "Exception", "ZeroDivisionError": "ArithmeticError", "OverflowError": "ArithmeticError",
        "FloatingPointError": "ArithmeticError",
        "LookupError": "Exception", "KeyError": "LookupError", "IndexError": "LookupError",
        "AssertionError": "Exception", "AttributeError": "Exception", "NameError": "Exception",
        "UnboundLocalError": "NameError", "TypeError": "Exception", "ValueError": "Exception",
        "UnicodeError": "ValueError", "UnicodeDecodeError": "UnicodeError", "UnicodeEncodeError": "UnicodeError",
        "RuntimeError": "Exception", "NotImplementedError": "RuntimeError", "RecursionError": "RuntimeError",
        "ImportError": "Exception", "ModuleNotFoundError": "ImportError", "StopIteration": "Exception",
        "OSError": "Exception", "IOError": "OSError", "EnvironmentError": "OSError",
        "FileNotFoundError": "OSError", "FileExistsError": "OSError", "PermissionError": "OSError",
        "IsADirectoryError": "OSError", "NotADirectoryError": "OSError", "TimeoutError": "OSError",
        "SyntaxError": "Exception", "SystemError": "Exception", "EOFError": "Exception",
        "Warning": "Exception", "UserWarning": "Warning", "DeprecationWarning": "Warning",
        "CalledProcessError": "Exception", "WorkflowError": "Exception",
        "JSONDecodeError": "ValueError", "YAMLError": "Exception", "CycleError": "ValueError",
    ]

    /// True when an exception of class `type` is caught by `except ancestor`.
    public static func isSubclass(_ type: String, of ancestor: String) -> Bool {
        var current: String? = type
        while let c = current {
            if c == ancestor { return true }
            current = parents[c]
        }
        return false
    }
}

/// Host objects that implement binary operators (`Path / "x"`, set-like views, ...). Return nil
/// for Python's NotImplemented; `reflected` is true for `other OP self`.
public protocol PyOperable: PyObject {
    func binaryOperation(_ op: BinaryOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value?
    /// `-x`, `+x`, `~x`; nil when unsupported (the default).
    func unaryOperation(_ op: UnaryOperator, interpreter: Interpreter) throws -> Value?
    /// A rich comparison (`<`, `==`, ... but not `in`/`is`) whose result need not be a bool
    /// (elementwise comparisons of foreign arrays); nil to use the ordinary comparison (the default).
    func compareOperation(_ op: CompareOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value?
}

extension PyOperable {
    public func unaryOperation(_ op: UnaryOperator, interpreter: Interpreter) throws -> Value? { nil }
    public func compareOperation(_ op: CompareOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value? { nil }
}

/// A host object that is a class of its own type system (a Python class through the CPython
/// bridge): `isinstance(x, it)` asks it, as Python asks `__instancecheck__`.
public protocol PyInstanceChecking: PyObject {
    func isInstance(_ value: Value, interpreter: Interpreter) throws -> Bool
}

/// `os.PathLike`: objects accepted wherever a path string is (pathlib.Path).
public protocol PyPathLike: PyObject {
    var fspath: String { get }
}

extension Value {
    /// A path given as `str`, a str-like host object or an `os.PathLike`.
    public var pathValue: String? {
        if let s = stringValue { return s }
        if case .object(let o) = self, let p = o as? PyPathLike { return p.fspath }
        return nil
    }
}
