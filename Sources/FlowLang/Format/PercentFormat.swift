// printf-style `str % args`: %s %r %a %d %i %u %o %x %X %e %E %f %F %g %G %c %%, flags (- + space # 0),
// width and precision (also `*`), with a tuple, a single value or a mapping (`%(name)s`).

extension Interpreter {
    func percentFormat(_ template: String, _ args: Value) throws -> String {
        let chars = Array(template.unicodeScalars)
        var values: [Value]
        var mapping: Value?
        switch args {
        case .tuple(let t): values = t
        case .dict: values = [args]; mapping = args
        case .object(let o) where !(o is PyStringLike) && (o is PySubscriptable) : values = [args]; mapping = args
        default: values = [args]
        }
        var next = 0
        var usedMapping = false
        func take() throws -> Value {
            guard next < values.count else { throw PyError.type("not enough arguments for format string") }
            next += 1
            return values[next - 1]
        }
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "%" else { out.unicodeScalars.append(c); i += 1; continue }
            i += 1
            guard i < chars.count else { throw PyError.value("incomplete format") }
            var value: Value?
            if chars[i] == "(" {
                guard let mapping else { throw PyError.type("format requires a mapping") }
                var depth = 1, j = i + 1
                while j < chars.count && depth > 0 {
                    if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                    j += 1
                }
                guard depth == 0 else { throw PyError.value("incomplete format key") }
                value = try getItem(mapping, .str(scalarString(chars[(i + 1)..<(j - 1)])))
                usedMapping = true
                i = j
            }
            var flags = Set<Unicode.Scalar>()
            while i < chars.count, "-+ #0".unicodeScalars.contains(chars[i]) { flags.insert(chars[i]); i += 1 }
            var width = 0
            if i < chars.count && chars[i] == "*" {
                width = try intArgument(try take()); i += 1
                if width < 0 { flags.insert("-"); width = -width }
            } else {
                while i < chars.count, let d = Int(String(chars[i])), chars[i].isASCII { width = width * 10 + d; i += 1 }
            }
            var precision: Int?
            if i < chars.count && chars[i] == "." {
                i += 1
                if i < chars.count && chars[i] == "*" { precision = try intArgument(try take()); i += 1 } else {
                    var p = 0
                    while i < chars.count, let d = Int(String(chars[i])), chars[i].isASCII { p = p * 10 + d; i += 1 }
                    precision = p
                }
            }
            while i < chars.count, "hlL".unicodeScalars.contains(chars[i]) { i += 1 }
            guard i < chars.count else { throw PyError.value("incomplete format") }
            let type = chars[i]
            i += 1
            if type == "%" { out += "%"; continue }
            let v = try value ?? take()
            var body: String
            var numeric = false
            var negative = false
            switch type {
            case "s": body = try strValue(v)
            case "r": body = try reprValue(v)
            case "a": body = try asciiValue(v)
            case "c":
                if let s = v.stringValue, s.unicodeScalars.count == 1 { body = s } else {
                    guard case .int(let code) = v.numericPromoted, let u = Unicode.Scalar(UInt32(clamping: code)) else {
                        throw PyError.type("%c requires int or char")
                    }
                    body = String(u)
                }
            case "d", "i", "u", "o", "x", "X":
                numeric = true
                let n: Int
                switch v.numericPromoted {
                case .int(let x): n = x
                case .float(let d):
                    if type == "d" || type == "i" || type == "u" { n = try floatToInt(d) } else {
                        throw PyError.type("%\(type) format: an integer is required, not float")
                    }
                default:
                    throw PyError.type("%\(type) format: a real number is required, not \(v.typeName)")
                }
                negative = n < 0
                let radix = type == "o" ? 8 : (type == "x" || type == "X") ? 16 : 10
                body = String(n.magnitude, radix: radix)
                if type == "X" { body = body.uppercased() }
                if let p = precision, body.count < p { body = String(repeating: "0", count: p - body.count) + body }
                if flags.contains("#") && radix != 10 { body = (type == "o" ? "0o" : type == "x" ? "0x" : "0X") + body }
            case "e", "E", "f", "F", "g", "G":
                numeric = true
                guard let d = v.asDouble else {
                    throw PyError.type("must be real number, not \(v.typeName)")
                }
                negative = d.sign == .minus && !d.isNaN
                body = cFormat("%\(flags.contains("#") ? "#" : "").\(precision ?? 6)\(type)", abs(d))
            default:
                throw PyError.value("unsupported format character '\(type)' (0x\(String(type.value, radix: 16))) at index \(i - 1)")
            }
            if type == "s" || type == "r" || type == "a", let p = precision { body = scalarString(body.unicodeScalars.prefix(p)) }
            var sign = ""
            if numeric {
                if negative { sign = "-" } else if flags.contains("+") { sign = "+" } else if flags.contains(" ") { sign = " " }
            }
            let length = sign.count + body.unicodeScalars.count
            if width > length {
                let n = width - length
                if flags.contains("-") { out += sign + body + String(repeating: " ", count: n) }
                else if flags.contains("0") && numeric { out += sign + String(repeating: "0", count: n) + body }
                else { out += String(repeating: " ", count: n) + sign + body }
            } else {
                out += sign + body
            }
        }
        if mapping == nil || !usedMapping, next < values.count, !(mapping != nil && next == 0) {
            throw PyError.type("not all arguments converted during string formatting")
        }
        return out
    }
}
