// Literal values: numbers, strings (escapes, raw, bytes, implicit concatenation) and f-strings.
//
// Owns: decoding the text of `.number` and `.string` tokens. F-string replacement fields are
// parsed by lexing the field's bytes in place (Python 3.11 rules: the field cannot reuse the
// enclosing quote or contain a backslash), so positions inside fields are exact.

extension Parser {
    func numberLiteral(_ t: Token) throws -> Expr {
        var digits: [UInt8] = []
        digits.reserveCapacity(t.end - t.start)
        for b in bytes[t.start..<t.end] where b != UInt8(ascii: "_") { digits.append(b) }
        let text = String(decoding: digits, as: UTF8.self)
        let at = location(t)
        if digits.count > 2, digits[0] == UInt8(ascii: "0") {
            let radix: Int?
            switch digits[1] | 0x20 {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: radix = nil
            }
            if let radix {
                guard let value = Int(text.dropFirst(2), radix: radix) else {
                    throw error("integer literal too large", at: t)
                }
                return Expr(.int(value), at: at)
            }
        }
        let isFloat = digits.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
        if isFloat {
            // Swift's Double() wants a digit on both sides of the point ("1." and ".5" are Python).
            var normalized: [UInt8] = []
            for (k, b) in digits.enumerated() {
                if b == UInt8(ascii: "."), k == 0 { normalized.append(UInt8(ascii: "0")) }
                normalized.append(b)
                if b == UInt8(ascii: "."), k + 1 == digits.count || !(digits[k + 1] >= UInt8(ascii: "0") && digits[k + 1] <= UInt8(ascii: "9")) {
                    normalized.append(UInt8(ascii: "0"))
                }
            }
            guard let value = Double(String(decoding: normalized, as: UTF8.self)) else { throw error("invalid float literal", at: t) }
            return Expr(.float(value), at: at)
        }
        if digits.count > 1, digits[0] == UInt8(ascii: "0"), digits.contains(where: { $0 != UInt8(ascii: "0") }) {
            throw error("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", at: t)
        }
        guard let value = Int(text) else { throw error("integer literal too large", at: t) }
        return Expr(.int(value), at: at)
    }

    /// One or more adjacent string tokens, concatenated.
    func parseStrings() throws -> Expr {
        let first = tok
        var literal: [UInt8] = []
        var parts: [FStringPart] = []
        var isFString = false
        var sawBytes: Bool?
        while check(.string) {
            let t = advance()
            var quoteAt = t.start
            while bytes[quoteAt] != UInt8(ascii: "\"") && bytes[quoteAt] != UInt8(ascii: "'") { quoteAt += 1 }
            guard let prefix = StringPrefix(bytes[t.start..<quoteAt]) else { throw error("invalid string prefix", at: t) }
            if let sawBytes, sawBytes != prefix.bytes { throw error("cannot mix bytes and nonbytes literals", at: t) }
            sawBytes = prefix.bytes
            let quote = bytes[quoteAt]
            let triple = t.end - quoteAt >= 6 && bytes[quoteAt + 1] == quote && bytes[quoteAt + 2] == quote
            let quoteLength = triple ? 3 : 1
            let body = (quoteAt + quoteLength)..<(t.end - quoteLength)
            if prefix.formatted {
                isFString = true
                try appendFString(body, raw: prefix.raw, literal: &literal, parts: &parts)
            } else {
                try decodeString(body, raw: prefix.raw, bytesLiteral: prefix.bytes, into: &literal)
            }
        }
        if !isFString { return Expr(.string(String(decoding: literal, as: UTF8.self)), at: location(first)) }
        if !literal.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))) }
        return Expr(.fstring(parts), at: location(first))
    }

    /// Appends the decoded value of a (non-f) string body to `out` as UTF-8.
    func decodeString(_ body: Range<Int>, raw: Bool, bytesLiteral: Bool, into out: inout [UInt8]) throws {
        if !bytes[body].contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\r") }) {
            out.append(contentsOf: bytes[body])
            return
        }
        var i = body.lowerBound
        while i < body.upperBound {
            let b = bytes[i]
            if b == UInt8(ascii: "\r") {
                // Source newlines inside literals are normalized to "\n", as Python reads source.
                if i + 1 < body.upperBound, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                out.append(UInt8(ascii: "\n"))
                i += 1
            } else if b == UInt8(ascii: "\\") && !raw {
                i = try decodeEscape(at: i, limit: body.upperBound, bytesLiteral: bytesLiteral, into: &out)
            } else if b == UInt8(ascii: "\\") && i + 1 < body.upperBound {
                out.append(b)  // raw: the backslash stays and protects the next byte (already lexed)
                out.append(bytes[i + 1])
                i += 2
            } else {
                out.append(b)
                i += 1
            }
        }
    }

    /// Decodes the escape sequence at `i` (a backslash); returns the index after it.
    func decodeEscape(at i: Int, limit: Int, bytesLiteral: Bool, into out: inout [UInt8]) throws -> Int {
        guard i + 1 < limit else {
            out.append(UInt8(ascii: "\\"))
            return i + 1
        }
        let c = bytes[i + 1]
        func scalar(_ value: UInt32) {
            if let s = Unicode.Scalar(value) { out.append(contentsOf: Array(String(Character(s)).utf8)) }
        }
        func hexValue(count: Int, kind: String) throws -> UInt32 {
            var value: UInt32 = 0
            for k in 0..<count {
                let p = i + 2 + k
                guard p < limit, let digit = Parser.hexDigit(bytes[p]) else {
                    throw error("(unicode error) truncated \\\(kind) escape", offset: i)
                }
                value = value &* 16 &+ UInt32(digit)
            }
            return value
        }
        switch c {
        case UInt8(ascii: "\n"): return i + 2
        case UInt8(ascii: "\r"):
            return i + 2 < limit && bytes[i + 2] == UInt8(ascii: "\n") ? i + 3 : i + 2
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(c)
        case UInt8(ascii: "a"): out.append(7)
        case UInt8(ascii: "b"): out.append(8)
        case UInt8(ascii: "f"): out.append(12)
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "r"): out.append(13)
        case UInt8(ascii: "t"): out.append(9)
        case UInt8(ascii: "v"): out.append(11)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value: UInt32 = 0
            var p = i + 1
            while p < limit, p < i + 4, bytes[p] >= UInt8(ascii: "0"), bytes[p] <= UInt8(ascii: "7") {
                value = value * 8 + UInt32(bytes[p] - UInt8(ascii: "0"))
                p += 1
            }
            scalar(value)
            return p
        case UInt8(ascii: "x"):
            scalar(try hexValue(count: 2, kind: "xXX"))
            return i + 4
        case UInt8(ascii: "u") where !bytesLiteral:
            let value = try hexValue(count: 4, kind: "uXXXX")
            guard Unicode.Scalar(value) != nil else { throw error("(unicode error) invalid \\u escape", offset: i) }
            scalar(value)
            return i + 6
        case UInt8(ascii: "U") where !bytesLiteral:
            let value = try hexValue(count: 8, kind: "UXXXXXXXX")
            guard Unicode.Scalar(value) != nil else {
                throw error("(unicode error) illegal Unicode character", offset: i)
            }
            scalar(value)
            return i + 10
        default:
            out.append(UInt8(ascii: "\\"))  // unknown escapes keep their backslash
            return i + 1
        }
        return i + 2
    }

    static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
