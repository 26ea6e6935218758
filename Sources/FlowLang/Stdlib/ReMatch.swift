// Match objects of the `re` module, and the text/offset bookkeeping they need: ICU reports UTF-16
// ranges, Python reports code-point indices, so every offset goes through `RegexSubject`.
// Also owns the expansion of replacement templates (`\1`, `\g<name>`) shared by sub/expand.

import Foundation

/// A string being matched, with conversions between UTF-16 offsets and Python indices.
final class RegexSubject {
    let text: String
    let ns: NSString
    /// Code-point index of each UTF-16 offset; nil when the two coincide (no astral characters).
    private let scalarIndex: [Int]?
    private let utf16Offsets: [Int]?

    init(_ text: String) {
        self.text = text
        self.ns = NSString(string: text)
        if text.utf16.count == text.unicodeScalars.count {
            scalarIndex = nil
            utf16Offsets = nil
        } else {
            var toScalar: [Int] = [], toUTF16: [Int] = []
            var n = 0
            for scalar in text.unicodeScalars {
                toUTF16.append(toScalar.count)
                toScalar.append(n)
                if scalar.value > 0xFFFF { toScalar.append(n) }
                n += 1
            }
            toScalar.append(n)
            toUTF16.append(toScalar.count - 1)
            scalarIndex = toScalar
            utf16Offsets = toUTF16
        }
    }

    var utf16Length: Int { ns.length }
    var length: Int { scalarIndex.map { $0[$0.count - 1] } ?? ns.length }

    func pyIndex(_ utf16: Int) -> Int { scalarIndex?[utf16] ?? utf16 }
    func utf16(_ pyIndex: Int) -> Int { utf16Offsets?[pyIndex] ?? pyIndex }

    func substring(_ range: NSRange) -> String { ns.substring(with: range) }
}

final class MatchObject: PyObject, PySubscriptable {
    let pattern: PatternObject
    let subject: RegexSubject
    let result: NSTextCheckingResult
    let pos: Int, endpos: Int

    init(pattern: PatternObject, subject: RegexSubject, result: NSTextCheckingResult, pos: Int, endpos: Int) {
        self.pattern = pattern
        self.subject = subject
        self.result = result
        self.pos = pos
        self.endpos = endpos
    }

    var typeName: String { "re.Match" }

    /// Group number for an int or a group name.
    func groupNumber(_ key: Value) throws -> Int {
        switch key {
        case .int(let n) where n >= 0 && n <= pattern.regex.groupCount: return n
        case .str(let name):
            if let n = pattern.regex.groupIndex[name] { return n }
        default: break
        }
        throw PyError.index("no such group")
    }

    func range(_ n: Int) -> NSRange? {
        let r = result.range(at: n)
        return r.location == NSNotFound ? nil : r
    }

    func group(_ n: Int) -> Value { range(n).map { .str(subject.substring($0)) } ?? .none }

    func span(_ n: Int) -> (Int, Int) {
        guard let r = range(n) else { return (-1, -1) }
        return (subject.pyIndex(r.location), subject.pyIndex(r.location + r.length))
    }

    func groups(default d: Value) -> [Value] {
        (0..<pattern.regex.groupCount).map { range($0 + 1) == nil ? d : group($0 + 1) }
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value { group(try groupNumber(key)) }

    func repr(interpreter: Interpreter) throws -> String {
        let (s, e) = span(0)
        return "<re.Match object; span=(\(s), \(e)), match=\(pyStringRepr(subject.substring(result.range)))>"
    }

    var lastIndex: Int? {
        // The group that closed last: the matched group with the greatest end, outermost on ties.
        var best: (index: Int, end: Int, start: Int)?
        for n in stride(from: pattern.regex.groupCount, through: 1, by: -1) {
            guard let r = range(n) else { continue }
            let end = r.location + r.length
            if best == nil || end > best!.end || (end == best!.end && r.location <= best!.start) { best = (n, end, r.location) }
        }
        return best?.index
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        func method(_ body: @escaping BuiltinFunction.Body) -> Value { .object(BuiltinFunction(name, boundTo: typeName, body)) }
        switch name {
        case "string": return .str(subject.text)
        case "re": return .object(pattern)
        case "pos": return .int(pos)
        case "endpos": return .int(endpos)
        case "lastindex": return lastIndex.map { .int($0) } ?? .none
        case "lastgroup":
            guard let n = lastIndex, let g = pattern.regex.groupNames[n - 1] else { return .none }
            return .str(g)
        case "group":
            return method { a, _ in
                if a.positional.isEmpty { return self.group(0) }
                let values = try a.positional.map { self.group(try self.groupNumber($0)) }
                return values.count == 1 ? values[0] : .tuple(values)
            }
        case "groups":
            return method { a, _ in .tuple(self.groups(default: a.argument(0, "default") ?? .none)) }
        case "groupdict":
            return method { a, _ in
                let d = a.argument(0, "default") ?? .none
                let dict = PyDict()
                for (i, n) in self.pattern.regex.groupNames.enumerated() {
                    if let n { dict.set(n, self.range(i + 1) == nil ? d : self.group(i + 1)) }
                }
                return .dict(dict)
            }
        case "start", "end", "span":
            return method { a, _ in
                let (s, e) = self.span(try self.groupNumber(a.positional.first ?? .int(0)))
                return name == "start" ? .int(s) : name == "end" ? .int(e) : .tuple([.int(s), .int(e)])
            }
        case "expand":
            return method { a, i in
                .str(try ReplacementTemplate(try Args(a, "expand", i).string(0, "template"), regex: self.pattern.regex).expand(self))
            }
        case "__getitem__":
            return method { a, i in try self.getItem(a.positional.first ?? .int(0), interpreter: i) }
        default: return nil
        }
    }
}

/// A parsed `repl` string: literal pieces and group references.
struct ReplacementTemplate {
    enum Piece { case literal(String), group(Int) }
    let pieces: [Piece]

    init(_ template: String, regex: TranslatedRegex) throws {
        var pieces: [Piece] = []
        var literal = ""
        let chars = Array(template)
        var i = 0
        func flush() { if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" } }
        func reference(_ n: Int) throws {
            guard n <= regex.groupCount else { throw PyError("error", "invalid group reference \(n) at position \(i)") }
            flush()
            pieces.append(.group(n))
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "\\", i + 1 < chars.count else { literal.append(c); i += 1; continue }
            let d = chars[i + 1]
            i += 2
            switch d {
            case "n": literal += "\n"
            case "t": literal += "\t"
            case "r": literal += "\r"
            case "f": literal += "\u{0C}"
            case "v": literal += "\u{0B}"
            case "a": literal += "\u{07}"
            case "b": literal += "\u{08}"
            case "\\": literal += "\\"
            case "g":
                guard i < chars.count, chars[i] == "<", let close = chars[i...].firstIndex(of: ">") else {
                    throw PyError("error", "missing < at position \(i)")
                }
                let name = String(chars[(i + 1)..<close])
                i = close + 1
                if let n = Int(name) { try reference(n) }
                else if let n = regex.groupIndex[name] { try reference(n) }
                else { throw PyError.index("unknown group name '\(name)'") }
            case "0"..."9":
                var digits = String(d)
                if i < chars.count, chars[i].isASCII, chars[i].isNumber { digits.append(chars[i]); i += 1 }
                if d == "0" { literal += String(UnicodeScalar(UInt8(Int(digits, radix: 8) ?? 0))) }
                else { try reference(Int(digits)!) }
            default:
                if d.isASCII && d.isLetter { throw PyError("error", "bad escape \\\(d) at position \(i - 2)") }
                literal.append("\\")
                literal.append(d)
            }
        }
        flush()
        self.pieces = pieces
    }

    func expand(_ match: MatchObject) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let s): out += s
            case .group(let n): if let r = match.range(n) { out += match.subject.substring(r) }
            }
        }
        return out
    }
}
