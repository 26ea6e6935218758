// The Python-visible Snakemake `Namedlist`: what input functions and `run:` blocks see as
// `wildcards`, `input`, `output`, `params`, `log`, `resources`. A list of items (usually
// strings) with names over single items or ranges of them:
//   positional indexing and iteration over items, `len`, `x in input`;
//   `wildcards.sample`, `wildcards["sample"]`, `wildcards.get("sample", default)`;
//   `.keys()`, `.items()`, `.values()` over the named entries;
//   `str(input)` = items joined by spaces (Snakemake's `str(Namedlist)`).

import Foundation
import FlowLang
import FlowStorage

/// A name over items of a Namedlist: one item (`isSingle`, `input.x` is that item) or a range
/// (`input.x` is a list).
public struct NameRange: Sendable, Equatable {
    public var name: String
    public var range: Range<Int>
    public var isSingle: Bool

    public init(_ name: String, _ range: Range<Int>, isSingle: Bool) {
        self.name = name
        self.range = range
        self.isSingle = isSingle
    }
}

public final class NamedListObject: PyObject, PySubscriptable, PyIterable, PySized, PyContainer, PyStringLike {
    public let typeName: String
    public let items: [Value]
    public let names: [NameRange]
    /// Attributes set by Snakefile code (`wildcards.group = ...` in an input function; Snakemake's
    /// Namedlist is a plain Python object that takes them).
    private var assigned: [String: Value] = [:]

    public init(typeName: String = "Namedlist", items: [Value], names: [NameRange] = []) {
        self.typeName = typeName
        self.items = items
        self.names = names
    }

    /// `wildcards` for a job: every wildcard is a named single str item.
    public convenience init(wildcards: [(name: String, value: String)]) {
        self.init(typeName: "Wildcards", items: wildcards.map { .str($0.value) },
                  names: wildcards.enumerated().map { NameRange($0.element.name, $0.offset..<$0.offset + 1, isSingle: true) })
    }

    /// A Namedlist of path strings (`input`, `output`, `log`).
    public convenience init(typeName: String, paths: [String], names: [NameRange] = []) {
        self.init(typeName: typeName, items: paths.map { .str($0) }, names: names)
    }

    /// The value of a named entry: the item itself for single names, a list for ranges.
    public func value(named name: String) -> Value? {
        guard let n = names.first(where: { $0.name == name }) else { return nil }
        if n.isSingle, n.range.count == 1 { return items[n.range.lowerBound] }
        // A named range is itself a Namedlist: str() joins with spaces, as Snakemake prints it.
        return .object(NamedListObject(typeName: typeName, items: Array(items[n.range])))
    }

    // MARK: PyStringLike

    public var stringValue: String { items.map(NamedListObject.plainString).joined(separator: " ") }

    /// `str(x)` for the item kinds a Namedlist holds, without needing an interpreter.
    static func plainString(_ v: Value) -> String {
        switch v {
        case .str(let s): return s
        case .int(let i): return String(i)
        case .float(let d): return d == d.rounded() && abs(d) < 1e16 ? String(format1: d) : String(d)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .list(let l): return "[" + l.items.map(plainRepr).joined(separator: ", ") + "]"
        case .tuple(let t): return "(" + t.map(plainRepr).joined(separator: ", ") + (t.count == 1 ? ",)" : ")")
        default:
            if let s = v.pathValue { return s }
            return "<\(v.typeName) object>"
        }
    }

    static func plainRepr(_ v: Value) -> String {
        if case .str(let s) = v { return pythonStringRepr(s) }
        return plainString(v)
    }

    // MARK: PyObject

    public func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws {
        assigned[name] = value
    }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if !assigned.isEmpty, let v = assigned[name] { return v }
        if let v = value(named: name) { return v }
        switch name {
        case "get":
            return .object(BuiltinFunction("get", boundTo: typeName) { [self] args, _ in
                guard let key = args.argument(0, "key")?.stringValue else {
                    throw PyError.type("get() expects a name as first argument")
                }
                return self.value(named: key) ?? args.argument(1, "default") ?? .none
            })
        case "keys":
            return .object(BuiltinFunction("keys", boundTo: typeName) { [self] _, _ in
                .list(PyList(self.names.map { .str($0.name) }))
            })
        case "values":
            return .object(BuiltinFunction("values", boundTo: typeName) { [self] _, _ in
                .list(PyList(self.names.map { self.value(named: $0.name) ?? .none }))
            })
        case "items":
            return .object(BuiltinFunction("items", boundTo: typeName) { [self] _, _ in
                .list(PyList(self.names.map { .tuple([.str($0.name), self.value(named: $0.name) ?? .none]) }))
            })
        case "size", "size_mb", "size_gb", "size_tb", "size_kb":
            // Snakemake's InputFiles sizes (used by resource expressions such as 2*input.size_mb).
            let bytes = try fileSizes(interpreter).reduce(0, +)
            return name == "size" ? .int(Int(bytes)) : .float(Double(bytes) / NamedListObject.sizeUnits[name]!)
        case "size_files", "size_files_mb", "size_files_kb", "size_files_gb":
            let divisor = NamedListObject.sizeUnits["size" + name.dropFirst("size_files".count)]!
            return .list(PyList(try fileSizes(interpreter).map { name == "size_files" ? .int(Int($0)) : .float(Double($0) / divisor) }))
        default:
            return nil
        }
    }

    static let sizeUnits: [String: Double] = [
        "size": 1, "size_kb": 1024, "size_mb": 1_048_576, "size_gb": 1_073_741_824, "size_tb": 1_099_511_627_776,
    ]

    /// Bytes of each item (0 for non-paths), asked of the workflow's storage in one batch. A
    /// missing file is a FileNotFoundError, as in Snakemake: a resource needing it is "<TBD>"
    /// until the job starts.
    private func fileSizes(_ interpreter: Interpreter) throws -> [Int64] {
        var paths: [String] = []
        var positions: [Int] = []
        for (i, item) in items.enumerated() {
            guard let path = item.pathValue else { continue }
            paths.append(path)
            positions.append(i)
        }
        var sizes = [Int64](repeating: 0, count: items.count)
        let storage = interpreter.storage
        let stats = try storageCall { try storage.statMany(paths) }
        for (k, i) in positions.enumerated() {
            guard let stat = stats[k] else {
                throw PyError("FileNotFoundError", "[Errno 2] No such file or directory: '\(paths[k])'")
            }
            sizes[i] = stat.size
        }
        return sizes
    }

    public func repr(interpreter: Interpreter) throws -> String {
        "[" + items.map(NamedListObject.plainRepr).joined(separator: ", ") + "]"
    }

    // MARK: Capabilities

    public func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        switch key {
        case .int(let i):
            let j = i < 0 ? i + items.count : i
            guard j >= 0, j < items.count else { throw PyError.index("list index out of range") }
            return items[j]
        case .bool(let b):
            return try getItem(.int(b ? 1 : 0), interpreter: interpreter)
        default:
            if let name = key.stringValue {
                if let v = value(named: name) { return v }
                throw PyError.key("'\(name)'")
            }
            throw PyError.type("\(typeName) indices must be integers or names, not \(key.typeName)")
        }
    }

    public func makeIterator(interpreter: Interpreter) throws -> PyIterator { ArrayIterator(items) }

    public func length(interpreter: Interpreter) throws -> Int { items.count }

    public func contains(_ value: Value, interpreter: Interpreter) throws -> Bool {
        guard let key = try? HashKey(value) else { return false }
        return items.contains { (try? HashKey($0)) == key }
    }
}

private final class ArrayIterator: PyIterator {
    private let items: [Value]
    private var index = 0
    init(_ items: [Value]) { self.items = items }
    func next(interpreter: Interpreter) throws -> Value? {
        guard index < items.count else { return nil }
        defer { index += 1 }
        return items[index]
    }
}

/// Python's `repr(str)`: single quotes unless the text contains one and no double quote.
func pythonStringRepr(_ s: String) -> String {
    let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for c in s {
        switch c {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if c == quote { out += "\\" + String(c) } else { out.append(c) }
        }
    }
    out.append(quote)
    return out
}

private extension String {
    /// `str(1.0)` in Python is "1.0".
    init(format1 d: Double) { self = String(Int(d)) + ".0" }
}
