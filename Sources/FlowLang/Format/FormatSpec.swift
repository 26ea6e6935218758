// Python's format-spec mini-language, `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`,
// as used by format(), str.format and f-strings, for str, int, float and bool.

struct FormatSpec {
    var fill: Character = " "
    var align: Character?
    var sign: Character = "-"
    var alternate = false
    var zeroPad = false
    var width = 0
    var grouping: Character?
    var precision: Int?
    var type: Character?

    init(_ spec: String) throws {
        var chars = Array(spec)
        var i = 0
        let invalid = PyError.value("Invalid format specifier '\(spec)'")
        if chars.count >= 2, "<>=^".contains(chars[1]) {
            fill = chars[0]; align = chars[1]; i = 2
        } else if let f = chars.first, "<>=^".contains(f) {
            align = f; i = 1
        }
        if i < chars.count, "+- ".contains(chars[i]) { sign = chars[i]; i += 1 }
        if i < chars.count, chars[i] == "z" { i += 1 }
        if i < chars.count, chars[i] == "#" { alternate = true; i += 1 }
        if i < chars.count, chars[i] == "0" { zeroPad = true; i += 1 }
        var digits = ""
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { digits.append(chars[i]); i += 1 }
        width = Int(digits) ?? 0
        if i < chars.count, chars[i] == "," || chars[i] == "_" { grouping = chars[i]; i += 1 }
        if i < chars.count, chars[i] == "." {
            i += 1
            var p = ""
            while i < chars.count, chars[i].isASCII, chars[i].isNumber { p.append(chars[i]); i += 1 }
            guard let n = Int(p) else { throw PyError.value("Format specifier missing precision") }
            precision = n
        }
        if i < chars.count { type = chars[i]; i += 1 }
        if i != chars.count { throw invalid }
        chars.removeAll()
    }
}

extension Interpreter {
    func formatValue(_ value: Value, spec: String) throws -> String {
        if case .object(let o) = value {
            if let inst = o as? PyInstance, let m = userDunder(inst, "__format__") {
                let r = try callValue(m, Arguments([.str(spec)]))
                guard case .str(let s) = r else { throw PyError.type("__format__ must return a str, not \(r.typeName)") }
                return s
            }
            if let s = o as? PyStringLike { return try formatValue(.str(s.stringValue), spec: spec) }
        }
        if spec.isEmpty { return try strValue(value) }
        let f = try FormatSpec(spec)
        switch value {
        case .str(let s): return try formatText(s, f)
        case .bool(let b):
            return try formatInt(b ? 1 : 0, f)
        case .int(let i):
            if let t = f.type, "eEfFgG%".contains(t) { return try formatFloat(Double(i), f) }
            return try formatInt(i, f)
        case .float(let d): return try formatFloat(d, f)
        default:
            if f.type != nil || f.precision != nil || f.sign != "-" {
                throw PyError.type("unsupported format string passed to \(value.typeName).__format__")
            }
            return try formatText(try strValue(value), f)
        }
    }

    private func formatText(_ s: String, _ f: FormatSpec) throws -> String {
        if let t = f.type, t != "s" { throw PyError.value("Unknown format code '\(t)' for object of type 'str'") }
        if f.sign != "-" { throw PyError.value("Sign not allowed in string format specifier") }
        if f.align == "=" { throw PyError.value("'=' alignment not allowed in string format specifier") }
        var text = s
        if let p = f.precision { text = scalarString(s.unicodeScalars.prefix(p)) }
        return pad(text, f, defaultAlign: "<")
    }

    private func formatInt(_ i: Int, _ f: FormatSpec) throws -> String {
        if f.precision != nil { throw PyError.value("Precision not allowed in integer format specifier") }
        var digits: String
        var prefix = ""
        switch f.type ?? "d" {
        case "d", "n": digits = String(i.magnitude)
        case "x": digits = String(i.magnitude, radix: 16); prefix = "0x"
        case "X": digits = String(i.magnitude, radix: 16).uppercased(); prefix = "0X"
        case "o": digits = String(i.magnitude, radix: 8); prefix = "0o"
        case "b": digits = String(i.magnitude, radix: 2); prefix = "0b"
        case "c":
            guard i >= 0, let u = Unicode.Scalar(UInt32(clamping: i)) else { throw PyError("OverflowError", "%c arg not in range(0x110000)") }
            return pad(String(u), f, defaultAlign: "<")
        case let t: throw PyError.value("Unknown format code '\(t)' for object of type 'int'")
        }
        if let g = f.grouping { digits = group(digits, g, every: f.type == nil || f.type == "d" || f.type == "n" ? 3 : 4) }
        return padNumber(sign: signText(i < 0, f), prefix: f.alternate ? prefix : "", digits: digits, f)
    }

    private func formatFloat(_ d: Double, _ f: FormatSpec) throws -> String {
        var type = f.type
        var value = d
        var suffix = ""
        if type == "%" { value = d * 100; suffix = "%"; type = "f" }
        if type == "n" { type = "g" }
        let negative = value.sign == .minus && !(value.isNaN)
        let magnitude = abs(value)
        var body: String
        let alt = f.alternate ? "#" : ""
        switch type {
        case nil:
            if let p = f.precision {
                body = cFormat("%\(alt).\(max(p, 1))g", magnitude)
                // Unlike %g, the empty type keeps one digit after the point in fixed notation, and
                // switches to exponent notation when that digit would exceed the precision.
                if !body.contains(where: { ".eni".contains($0) }) {
                    if body.count >= max(p, 1) {
                        body = cFormat("%\(alt).\(max(p, 1) - 1)e", magnitude)
                        if !f.alternate, let e = body.firstIndex(of: "e"), body[..<e].contains(".") {
                            var mantissa = String(body[..<e])
                            while mantissa.hasSuffix("0") { mantissa.removeLast() }
                            if mantissa.hasSuffix(".") { mantissa.removeLast() }
                            body = mantissa + body[e...]
                        }
                    } else {
                        body += ".0"
                    }
                }
            } else {
                body = formatFloatRepr(magnitude)
            }
        case "f", "F", "e", "E", "g", "G":
            let p = f.precision ?? 6
            body = cFormat("%\(alt).\(p)\(type!)", magnitude)
        case let t?:
            throw PyError.value("Unknown format code '\(t)' for object of type 'float'")
        }
        if let g = f.grouping, magnitude.isFinite {
            var intPart = Substring(body), rest = Substring("")
            if let cut = body.firstIndex(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
                intPart = body[..<cut]
                rest = body[cut...]
            }
            body = group(String(intPart), g, every: 3) + rest
        }
        return padNumber(sign: signText(negative, f), prefix: "", digits: body + suffix, f)
    }

    private func signText(_ negative: Bool, _ f: FormatSpec) -> String {
        if negative { return "-" }
        switch f.sign {
        case "+": return "+"
        case " ": return " "
        default: return ""
        }
    }

    private func group(_ digits: String, _ separator: Character, every n: Int) -> String {
        let chars = Array(digits)
        var out = ""
        for (i, c) in chars.enumerated() {
            if i > 0 && (chars.count - i) % n == 0 { out.append(separator) }
            out.append(c)
        }
        return out
    }

    private func padNumber(sign: String, prefix: String, digits: String, _ f: FormatSpec) -> String {
        var spec = f
        if f.zeroPad && f.align == nil { spec.fill = "0"; spec.align = "=" }
        let length = sign.count + prefix.count + digits.count
        guard spec.width > length else { return sign + prefix + digits }
        if spec.align == "=" {
            return sign + prefix + String(repeating: spec.fill, count: spec.width - length) + digits
        }
        return pad(sign + prefix + digits, spec, defaultAlign: ">")
    }

    private func pad(_ text: String, _ f: FormatSpec, defaultAlign: Character) -> String {
        let length = text.unicodeScalars.count
        guard f.width > length else { return text }
        let n = f.width - length
        let fill = String(f.fill)
        switch f.align ?? defaultAlign {
        case "<": return text + String(repeating: fill, count: n)
        case ">", "=": return String(repeating: fill, count: n) + text
        default:
            let left = n / 2
            return String(repeating: fill, count: left) + text + String(repeating: fill, count: n - left)
        }
    }
}
