// int(), float() and the number <-> text conversions behind them (bases, underscores, inf/nan),
// plus round() with Python's round-half-even.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Interpreter {
    func intConstructor(_ args: Arguments) throws -> Value {
        guard let v = args.argument(0, "x") else { return .int(0) }
        if let baseValue = args.argument(1, "base") {
            guard case .int(let base) = baseValue.numericPromoted else { throw PyError.type("'\(baseValue.typeName)' object cannot be interpreted as an integer") }
            guard let s = v.stringValue else { throw PyError.type("int() can't convert non-string with explicit base") }
            return .int(try parseInt(s, base: base))
        }
        switch v {
        case .int: return v
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .int(try floatToInt(d))
        case .str(let s): return .int(try parseInt(s, base: 10))
        case .object(let o):
            if let s = o as? PyStringLike { return .int(try parseInt(s.stringValue, base: 10)) }
            if let inst = o as? PyInstance {
                for name in ["__int__", "__index__"] {
                    if let m = userDunder(inst, name) { return try callValue(m, Arguments()) }
                }
            }
        default: break
        }
        throw PyError.type("int() argument must be a string, a bytes-like object or a real number, not '\(v.typeName)'")
    }

    func floatToInt(_ d: Double) throws -> Int {
        if d.isNaN { throw PyError.value("cannot convert float NaN to integer") }
        if d.isInfinite { throw PyError("OverflowError", "cannot convert float infinity to integer") }
        let t = d.rounded(.towardZero)
        guard t >= -9.223372036854775808e18 && t < 9.223372036854775808e18 else { throw overflow() }
        return Int(t)
    }

    func parseInt(_ text: String, base: Int) throws -> Int {
        let invalid = PyError.value("invalid literal for int() with base \(base): \(quotePythonString(text))")
        guard base == 0 || (2...36).contains(base) else { throw PyError.value("int() base must be >= 2 and <= 36, or 0") }
        var s = Substring(text.trimmingPythonWhitespace())
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        var radix = base
        let lower = s.lowercased()
        for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) && (base == 0 || base == r) {
            radix = r
            s = s.dropFirst(2)
            if s.first == "_" { s = s.dropFirst() }
        }
        if radix == 0 {
            radix = 10
            if s.count > 1 && s.allSatisfy({ $0 == "0" || $0 == "_" }) == false && s.first == "0" { throw invalid }
        }
        guard !s.isEmpty, s.first != "_", s.last != "_", !s.contains("__") else { throw invalid }
        var value = 0
        for c in s where c != "_" {
            guard let digit = c.hexDigitValue ?? letterDigit(c), digit < radix else { throw invalid }
            value = try checked(value.multipliedReportingOverflow(by: radix))
            value = try checked(negative ? value.subtractingReportingOverflow(digit) : value.addingReportingOverflow(digit))
        }
        return value
    }

    private func letterDigit(_ c: Character) -> Int? {
        guard let a = c.lowercased().unicodeScalars.first, c.isASCII, a.value >= 97, a.value <= 122 else { return nil }
        return Int(a.value) - 87
    }

    func floatConstructor(_ args: Arguments) throws -> Value {
        guard let v = args.argument(0, "x") else { return .float(0) }
        switch v {
        case .float: return v
        case .int(let i): return .float(Double(i))
        case .bool(let b): return .float(b ? 1 : 0)
        default:
            if let s = v.stringValue {
                if let d = parsePythonFloat(s) { return .float(d) }
                throw PyError.value("could not convert string to float: \(quotePythonString(s))")
            }
            if case .object(let o) = v, let inst = o as? PyInstance, let m = userDunder(inst, "__float__") {
                return try callValue(m, Arguments())
            }
            throw PyError.type("float() argument must be a string or a real number, not '\(v.typeName)'")
        }
    }

    /// round(x) / round(x, n)
    func roundValue(_ v: Value, _ digits: Value?) throws -> Value {
        let nd: Int?
        if let digits, !digits.isNone {
            guard case .int(let n) = digits.numericPromoted else { throw PyError.type("'\(digits.typeName)' object cannot be interpreted as an integer") }
            nd = n
        } else { nd = nil }
        switch v.numericPromoted {
        case .int(let i):
            guard let n = nd, n < 0 else { return .int(i) }
            if n < -18 { return .int(0) }
            let p = try intPower(10, -n)
            let q = try intOp(.floorDivide, i, p), r = try intOp(.modulo, i, p)
            guard case .int(var quotient) = q, case .int(let remainder) = r else { return .int(i) }
            if remainder * 2 > p || (remainder * 2 == p && quotient % 2 != 0) { quotient += 1 }
            return .int(try checked(quotient.multipliedReportingOverflow(by: p)))
        case .float(let d):
            guard let n = nd else { return .int(try floatToInt(d.rounded(.toNearestOrEven))) }
            if !d.isFinite { return .float(d) }
            if n > 300 { return .float(d) }
            if n < -308 { return .float(0 * d) }
            // Rounding the exact binary value to n decimals, as CPython does, is what %.*f computes.
            if n >= 0 { return .float(Double(cFormat("%.\(n)f", d)) ?? d) }
            let scale = pow(10.0, Double(-n))
            return .float((d / scale).rounded(.toNearestOrEven) * scale)
        default:
            if case .object(let o) = v, let inst = o as? PyInstance, let m = userDunder(inst, "__round__") {
                return try callValue(m, Arguments(digits.map { [$0] } ?? []))
            }
            throw PyError.type("type \(v.typeName) doesn't define __round__ method")
        }
    }
}

/// float("1e3"), " inf ", "-nan", "1_000.5"
func parsePythonFloat(_ text: String) -> Double? {
    let s = text.trimmingPythonWhitespace()
    switch s.lowercased() {
    case "inf", "+inf", "infinity", "+infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    case "nan", "+nan", "-nan": return .nan
    default: break
    }
    guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE_".contains($0)) }) else { return nil }
    if s.contains("_") {
        // Underscores only between digits.
        let chars = Array(s)
        for (i, c) in chars.enumerated() where c == "_" {
            guard i > 0, i < chars.count - 1, chars[i - 1].isNumber, chars[i + 1].isNumber else { return nil }
        }
    }
    return Double(s.pyReplacing("_", with: ""))
}

extension String {
    /// Strips Python's whitespace (space, \t, \n, \r, \v, \f and Unicode spaces).
    func trimmingPythonWhitespace() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }

    /// Replaces every occurrence of `target` (compared by Unicode scalars, as Python does).
    func pyReplacing(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return pySplit(target).joined(separator: replacement)
    }

    /// Splits on every occurrence of `separator` (by Unicode scalars).
    func pySplit(_ separator: String) -> [String] {
        var out: [String] = []
        var current = Substring(self)
        while let r = current.scalarRange(of: separator) {
            out.append(String(current[..<r.lowerBound]))
            current = current[r.upperBound...]
        }
        out.append(String(current))
        return out
    }
}

extension Substring {
    /// The first occurrence of `needle` (by Unicode scalars), or nil.
    func scalarRange(of needle: String) -> Range<Substring.Index>? {
        let hay = self.unicodeScalars, pat = Array(needle.unicodeScalars)
        guard !pat.isEmpty else { return startIndex..<startIndex }
        var i = hay.startIndex
        while i != hay.endIndex {
            if hay[i] == pat[0] {
                var j = i, k = 0
                while k < pat.count, j != hay.endIndex, hay[j] == pat[k] { j = hay.index(after: j); k += 1 }
                if k == pat.count { return i..<j }
            }
            i = hay.index(after: i)
        }
        return nil
    }
}
