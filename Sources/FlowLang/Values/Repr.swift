// `str()` and `repr()` of every value, exactly as CPython prints them: quoting of strings,
// shortest round-trip floats, containers (with `[...]` for self-references), and user objects
// through `__str__`/`__repr__`.

extension Interpreter {
    func strValue(_ value: Value) throws -> String {
        switch value {
        case .str(let s): return s
        case .int(let i): return String(i)
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .float(let d): return formatFloatRepr(d)
        case .object(let o):
            if let s = o as? PyStringLike { return s.stringValue }
            if let inst = o as? PyInstance { return try instanceStr(inst) }
            return try o.str(interpreter: self)
        default: return try reprValue(value)
        }
    }

    func reprValue(_ value: Value) throws -> String {
        switch value {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return formatFloatRepr(d)
        case .str(let s): return quotePythonString(s)
        case .list(let l):
            return try guardedRepr(l, placeholder: "[...]") {
                "[" + (try joinedReprs(l.items)) + "]"
            }
        case .tuple(let items):
            if items.count == 1 { return "(" + (try reprValue(items[0])) + ",)" }
            return "(" + (try joinedReprs(items)) + ")"
        case .dict(let d):
            return try guardedRepr(d, placeholder: "{...}") {
                var out = "{"
                for i in 0..<d.count {
                    if i > 0 { out += ", " }
                    out += try reprValue(d.keys[i])
                    out += ": "
                    out += try reprValue(d.values[i])
                }
                return out + "}"
            }
        case .set(let s):
            if s.count == 0 { return s.frozen ? "frozenset()" : "set()" }
            let body = "{" + (try joinedReprs(s.elements)) + "}"
            return s.frozen ? "frozenset(\(body))" : body
        case .object(let o):
            if let inst = o as? PyInstance { return try instanceRepr(inst) }
            return try o.repr(interpreter: self)
        }
    }

    private func joinedReprs(_ items: [Value]) throws -> String {
        var out = ""
        for i in items.indices {
            if i > 0 { out += ", " }
            out += try reprValue(items[i])
        }
        return out
    }

    private func guardedRepr(_ object: AnyObject, placeholder: String, _ body: () throws -> String) throws -> String {
        let id = ObjectIdentifier(object)
        if reprInProgress.contains(id) { return placeholder }
        reprInProgress.insert(id)
        defer { reprInProgress.remove(id) }
        return try body()
    }

    /// `ascii(x)`: repr with non-ASCII characters escaped.
    func asciiValue(_ value: Value) throws -> String {
        var out = ""
        for scalar in try reprValue(value).unicodeScalars {
            if scalar.value < 128 { out.unicodeScalars.append(scalar) } else { out += escapeScalar(scalar) }
        }
        return out
    }
}

/// Python's repr of a str: single quotes unless the text contains ' and no ".
func quotePythonString(_ s: String) -> String {
    var hasSingle = false, hasDouble = false
    for b in s.utf8 {
        if b == UInt8(ascii: "'") { hasSingle = true } else if b == UInt8(ascii: "\"") { hasDouble = true }
    }
    let quote: Character = hasSingle && !hasDouble ? "\"" : "'"
    var out = String(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if Character(scalar) == quote { out += "\\"; out.unicodeScalars.append(scalar) }
            else if scalar.value < 0x20 || scalar.value == 0x7f || (scalar.value >= 0x80 && scalar.value < 0xa0) {
                out += escapeScalar(scalar)
            } else { out.unicodeScalars.append(scalar) }
        }
    }
    out.append(quote)
    return out
}

func escapeScalar(_ scalar: Unicode.Scalar) -> String {
    let v = scalar.value
    let hex = String(v, radix: 16)
    if v < 0x100 { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
    if v < 0x10000 { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
    return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
}

/// repr(float): the shortest digits that round-trip, fixed notation for 1e-4 <= |x| < 1e16.
func formatFloatRepr(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    let (negative, digits, exponent) = shortestDigits(d)
    var out = negative ? "-" : ""
    if exponent >= -4 && exponent < 16 {
        if exponent >= 0 {
            if digits.count > exponent + 1 {
                out += digits.prefix(exponent + 1) + "." + digits.dropFirst(exponent + 1)
            } else {
                out += digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
            }
        } else {
            out += "0." + String(repeating: "0", count: -exponent - 1) + digits
        }
    } else {
        out += digits.prefix(1)
        if digits.count > 1 { out += "." + digits.dropFirst() }
        out += exponent < 0 ? "e-" : "e+"
        let e = String(abs(exponent))
        out += e.count < 2 ? "0" + e : e
    }
    return out
}

/// Decomposes Swift's shortest round-trip description into (sign, significant digits, exponent)
/// with value = 0.d1d2d3... * 10^(exponent+1), i.e. d1.d2d3 * 10^exponent.
func shortestDigits(_ d: Double) -> (Bool, String, Int) {
    var text = Substring(d.description)
    var negative = false
    if text.first == "-" { negative = true; text = text.dropFirst() }
    var exponentPart = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        exponentPart = Int(text[text.index(after: e)...]) ?? 0
        text = text[..<e]
    }
    var intPart = Substring(text), fracPart = Substring("")
    if let dot = text.firstIndex(of: ".") {
        intPart = text[..<dot]
        fracPart = text[text.index(after: dot)...]
    }
    var digits = String(intPart) + fracPart
    var exponent = intPart.count - 1 + exponentPart
    while digits.first == "0" && digits.count > 1 { digits.removeFirst(); exponent -= 1 }
    while digits.last == "0" && digits.count > 1 { digits.removeLast() }
    return (negative, digits, exponent)
}
