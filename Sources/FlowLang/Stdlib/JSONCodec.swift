// JSON text <-> Values with the exact behaviour of Python's json module: the decoder accepts what
// json.loads accepts (NaN/Infinity included) and reports errors as "msg: line L column C (char N)";
// the encoder reproduces json.dumps output byte for byte (separators, indent, ensure_ascii,
// sort_keys, float repr). Public because config files and profiles are loaded through it.

import Foundation

public enum JSONCodec {
    /// Parses JSON; errors name the file, line and column (`path:line:col: message`).
    public static func load(_ text: String, path: String) throws -> Value {
        do {
            return try decode(text)
        } catch let e as JSONSyntaxError {
            throw PyError("JSONDecodeError", "\(path):\(e.line):\(e.column): \(e.message)")
        }
    }

    /// Serialises like `json.dumps(value, indent=..., sort_keys=...)`.
    public static func dump(_ value: Value, interpreter: Interpreter, indent: Int? = nil, sortKeys: Bool = false) throws -> String {
        var options = JSONWriter.Options()
        options.indent = indent.map { String(repeating: " ", count: $0) }
        options.sortKeys = sortKeys
        return try JSONWriter(options: options, interpreter: interpreter).write(value)
    }

    /// `json.loads` semantics; throws JSONSyntaxError.
    static func decode(_ text: String) throws -> Value {
        var parser = JSONParser(Array(text.unicodeScalars))
        parser.skipSpace()
        let v = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.i < parser.s.count { throw parser.error("Extra data") }
        return v
    }
}

struct JSONSyntaxError: Error {
    let message: String
    let line: Int, column: Int, offset: Int
    /// Python's JSONDecodeError text.
    var pythonMessage: String { "\(message): line \(line) column \(column) (char \(offset))" }
}

private struct JSONParser {
    let s: [Unicode.Scalar]
    var i = 0

    init(_ s: [Unicode.Scalar]) { self.s = s }

    func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        let p = position ?? i
        var line = 1, lineStart = 0
        for k in 0..<min(p, s.count) where s[k] == "\n" { line += 1; lineStart = k + 1 }
        return JSONSyntaxError(message: message, line: line, column: p - lineStart + 1, offset: p)
    }

    mutating func skipSpace() {
        while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r" { i += 1 }
    }

    private func startsWith(_ word: String) -> Bool {
        let w = Array(word.unicodeScalars)
        return i + w.count <= s.count && Array(s[i..<(i + w.count)]) == w
    }

    mutating func value(depth: Int) throws -> Value {
        guard depth < 1000 else { throw error("Maximum nesting depth exceeded") }
        guard i < s.count else { throw error("Expecting value") }
        switch s[i] {
        case "{": return try object(depth: depth)
        case "[": return try array(depth: depth)
        case "\"": return .str(try string())
        default:
            for (word, v) in [("null", Value.none), ("true", .true), ("false", .false), ("NaN", .float(.nan)),
                              ("Infinity", .float(.infinity)), ("-Infinity", .float(-.infinity))] where startsWith(word) {
                i += word.unicodeScalars.count
                return v
            }
            return try number()
        }
    }

    private mutating func number() throws -> Value {
        let start = i
        if i < s.count, s[i] == "-" { i += 1 }
        guard i < s.count, s[i].properties.numericType != nil, s[i].isASCII else { i = start; throw error("Expecting value") }
        if s[i] == "0" { i += 1 } else { while i < s.count, ("0"..."9").contains(s[i]) { i += 1 } }
        var isFloat = false
        if i + 1 < s.count, s[i] == ".", ("0"..."9").contains(s[i + 1]) {
            isFloat = true
            i += 1
            while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, ("0"..."9").contains(s[j]) {
                isFloat = true
                i = j
                while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(s[start..<i]))
        if !isFloat, let n = Int(text) { return .int(n) }
        return .float(Double(text) ?? .nan)
    }

    private mutating func string() throws -> String {
        let start = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard i < s.count else { throw error("Unterminated string starting at", at: start) }
            let c = s[i]
            if c == "\"" { i += 1; return String(out) }
            if c.value < 0x20 { throw error("Invalid control character at") }
            if c != "\\" { out.append(c); i += 1; continue }
            guard i + 1 < s.count else { throw error("Unterminated string starting at", at: start) }
            let e = s[i + 1]
            switch e {
            case "\"", "\\", "/": out.append(e)
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "u":
                var code = try hex4(i + 2)
                i += 6
                if (0xD800..<0xDC00).contains(code), i + 1 < s.count, s[i] == "\\", s[i + 1] == "u",
                   let low = try? hex4(i + 2), (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                continue
            default: throw error("Invalid \\escape", at: i)
            }
            i += 2
        }
    }

    private func hex4(_ at: Int) throws -> UInt32 {
        guard at + 4 <= s.count, let v = UInt32(String(String.UnicodeScalarView(s[at..<(at + 4)])), radix: 16) else {
            throw error("Invalid \\uXXXX escape", at: at - 1)
        }
        return v
    }

    private mutating func array(depth: Int) throws -> Value {
        i += 1
        var items: [Value] = []
        skipSpace()
        if i < s.count, s[i] == "]" { i += 1; return .list(PyList()) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < s.count else { throw error("Expecting ',' delimiter") }
            if s[i] == "]" { i += 1; return .list(PyList(items)) }
            guard s[i] == "," else { throw error("Expecting ',' delimiter") }
            i += 1
        }
    }

    private mutating func object(depth: Int) throws -> Value {
        i += 1
        let d = PyDict()
        skipSpace()
        if i < s.count, s[i] == "}" { i += 1; return .dict(d) }
        while true {
            skipSpace()
            guard i < s.count, s[i] == "\"" else { throw error("Expecting property name enclosed in double quotes") }
            let key = try string()
            skipSpace()
            guard i < s.count, s[i] == ":" else { throw error("Expecting ':' delimiter") }
            i += 1
            skipSpace()
            d.set(key, try value(depth: depth + 1))
            skipSpace()
            guard i < s.count else { throw error("Expecting ',' delimiter") }
            if s[i] == "}" { i += 1; return .dict(d) }
            guard s[i] == "," else { throw error("Expecting ',' delimiter") }
            i += 1
        }
    }
}

/// The encoder half of `json.dumps`.
public struct JSONWriter {
    struct Options {
        var indent: String?
        var sortKeys = false
        var ensureASCII = true
        var itemSeparator: String?
        var keySeparator = ": "
        var skipKeys = false
        var allowNaN = true
        /// `default=`: called for objects JSON cannot represent.
        var fallback: Value?
    }

    let options: Options
    let interpreter: Interpreter

    func write(_ value: Value) throws -> String {
        var out = ""
        try write(value, into: &out, level: 0)
        return out
    }

    private var itemSeparator: String { options.itemSeparator ?? (options.indent == nil ? ", " : ",") }

    private func newline(_ level: Int, _ out: inout String) {
        guard let indent = options.indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    private func write(_ value: Value, into out: inout String, level: Int) throws {
        guard level < 500 else { throw PyError.value("Circular reference detected") }
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .float(let d): out += try float(d)
        case .str(let s): out += Self.quote(s, ascii: options.ensureASCII)
        case .list(let l): try array(l.items, into: &out, level: level)
        case .tuple(let t): try array(t, into: &out, level: level)
        case .dict(let d): try object(d.items, into: &out, level: level)
        case .set, .object:
            if let s = value.stringValue { out += Self.quote(s, ascii: options.ensureASCII); return }
            if case .object(let o) = value, let d = o as? DictBacked { try object(d.storage.items, into: &out, level: level); return }
            if case .object(let o) = value, let t = o as? TupleBacked { try array(t.elements, into: &out, level: level); return }
            guard let fallback = options.fallback else {
                throw PyError.type("Object of type \(value.typeName) is not JSON serializable")
            }
            try write(try interpreter.call(fallback, Arguments([value])), into: &out, level: level + 1)
        }
    }

    private func float(_ d: Double) throws -> String {
        if d.isNaN || d.isInfinite {
            guard options.allowNaN else { throw PyError.value("Out of range float values are not JSON compliant") }
            return d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")
        }
        return pyFloatRepr(d)
    }

    private func array(_ items: [Value], into out: inout String, level: Int) throws {
        if items.isEmpty { out += "[]"; return }
        out += "["
        for (n, item) in items.enumerated() {
            if n > 0 { out += itemSeparator }
            newline(level + 1, &out)
            try write(item, into: &out, level: level + 1)
        }
        newline(level, &out)
        out += "]"
    }

    private func object(_ items: [(key: Value, value: Value)], into out: inout String, level: Int) throws {
        if items.isEmpty { out += "{}"; return }
        var pairs: [(String, Value)] = []
        for (k, v) in items {
            let key: String
            switch k {
            case .str(let s): key = s
            case .int(let n): key = String(n)
            case .float(let d): key = try float(d)
            case .bool(let b): key = b ? "true" : "false"
            case .none: key = "null"
            default:
                if let s = k.stringValue { key = s; break }
                if options.skipKeys { continue }
                throw PyError.type("keys must be str, int, float, bool or None, not \(k.typeName)")
            }
            pairs.append((key, v))
        }
        if options.sortKeys { pairs.sort { codePointLess($0.0, $1.0) } }
        out += "{"
        for (n, (k, v)) in pairs.enumerated() {
            if n > 0 { out += itemSeparator }
            newline(level + 1, &out)
            out += Self.quote(k, ascii: options.ensureASCII) + options.keySeparator
            try write(v, into: &out, level: level + 1)
        }
        newline(level, &out)
        out += "}"
    }

    /// A JSON string literal (also a valid Python str literal, which job programs rely on).
    public static func quote(_ s: String, ascii: Bool) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (ascii && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                    } else {
                        out += String(format: "\\u%04x", scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Python orders strings by code point; Swift's `<` uses canonical Unicode ordering.
func codePointLess(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
}

/// `repr(float)`: the shortest round-tripping digits, with Python's exponent style.
func pyFloatRepr(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d > 0 ? "inf" : "-inf" }
    // Swift's description already picks the shortest digits and switches to exponent notation at
    // the same thresholds as Python (1e16, 1e-4); only the exponent spelling differs ("1e-05").
    var s = "\(d)"
    if let e = s.firstIndex(of: "e") {
        var mantissa = String(s[..<e])
        var exponent = String(s[s.index(after: e)...])
        if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
        let sign = exponent.hasPrefix("-") ? "-" : "+"
        exponent = String(exponent.drop(while: { $0 == "-" || $0 == "+" }))
        if exponent.count < 2 { exponent = "0" + exponent }
        s = mantissa + "e" + sign + exponent
    }
    return s
}

/// Host objects that hold a Python dict (defaultdict, Counter): JSON/YAML write them as mappings.
protocol DictBacked: PyObject {
    var storage: PyDict { get }
}

/// Host objects that behave as tuples (namedtuple instances, struct_time): written as sequences.
protocol TupleBacked: PyObject {
    var elements: [Value] { get }
}

extension JSONWriter {
    /// `json.dumps(value, indent=2, ensure_ascii=False)` for Swift callers (the report shows the config).
    public static func indented(_ value: Value, interpreter: Interpreter) throws -> String {
        var options = Options()
        options.indent = "  "
        options.ensureASCII = false
        return try JSONWriter(options: options, interpreter: interpreter).write(value)
    }
}
