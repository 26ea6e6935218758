// Finding where a string literal ends, shared by the lexer and the f-string parser.
//
// Owns: the extent rules of string literals. Plain strings end at the first unescaped matching
// quote. F-strings follow Python 3.12 (PEP 701): inside a replacement field any string may appear,
// even one reusing the enclosing quote, so the scan tracks fields, brackets and format specs and
// recurses into nested strings. (3.11 files are a subset of this.)

enum StringScan {
    case end(Int)
    case failure(String, at: Int)
}

struct StringScanner {
    let bytes: [UInt8]
    let limit: Int
    static let maxNesting = 50

    /// Scans the literal whose prefix starts at `start` and whose opening quote is at `quoteAt`.
    func scan(start: Int, quoteAt: Int, depth: Int = 0) -> StringScan {
        let prefix = StringPrefix(bytes[start..<quoteAt]) ?? StringPrefix()
        let quote = bytes[quoteAt]
        let triple = byte(quoteAt + 1) == quote && byte(quoteAt + 2) == quote
        let unterminated = StringScan.failure(
            triple ? "unterminated triple-quoted string literal" : "unterminated string literal", at: start)
        if depth > StringScanner.maxNesting { return .failure("too deeply nested", at: start) }
        var i = quoteAt + (triple ? 3 : 1)

        // F-strings: one entry per open replacement field — its bracket depth, and whether it has
        // reached its format spec (where text is literal again and `{` opens a nested field).
        var bracketDepths: [Int] = []
        var inSpec: [Bool] = []
        while i < limit {
            let b = bytes[i]
            let inField = !(bracketDepths.isEmpty || inSpec[inSpec.count - 1])
            if !inField {
                if b == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if b == quote {
                    if !triple { return .end(i + 1) }
                    if byte(i + 1) == quote && byte(i + 2) == quote { return .end(i + 3) }
                } else if !triple && (b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")) {
                    return unterminated
                } else if prefix.formatted && b == UInt8(ascii: "{") {
                    if bracketDepths.isEmpty && byte(i + 1) == UInt8(ascii: "{") {
                        i += 2
                        continue
                    }
                    bracketDepths.append(0)
                    inSpec.append(false)
                } else if prefix.formatted && b == UInt8(ascii: "}") && !bracketDepths.isEmpty {
                    bracketDepths.removeLast()  // a format spec's `}` closes its field
                    inSpec.removeLast()
                }
                i += 1
                continue
            }
            // Inside a replacement field's expression.
            let top = bracketDepths.count - 1
            switch b {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                switch scan(start: i, quoteAt: i, depth: depth + 1) {
                case .end(let next): i = next
                case .failure(let message, let at): return .failure(message, at: at)
                }
                continue
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                bracketDepths[top] += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"):
                if bracketDepths[top] > 0 { bracketDepths[top] -= 1 }
            case UInt8(ascii: "}"):
                if bracketDepths[top] == 0 {
                    bracketDepths.removeLast()
                    inSpec.removeLast()
                } else {
                    bracketDepths[top] -= 1
                }
            case UInt8(ascii: ":") where bracketDepths[top] == 0:
                inSpec[top] = true
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                if !triple { return unterminated }
            default:
                if Lexer.isIdentifierStart(b) {
                    // A prefixed nested string (`f"..."`, `rb'...'`) or just a name.
                    var j = i
                    while j < limit, Lexer.isIdentifierContinue(bytes[j]) { j += 1 }
                    if j < limit, j - i <= 2, bytes[j] == UInt8(ascii: "'") || bytes[j] == UInt8(ascii: "\""),
                       StringPrefix(bytes[i..<j]) != nil {
                        switch scan(start: i, quoteAt: j, depth: depth + 1) {
                        case .end(let next): i = next
                        case .failure(let message, let at): return .failure(message, at: at)
                        }
                    } else {
                        i = j
                    }
                    continue
                }
            }
            i += 1
        }
        return unterminated
    }

    private func byte(_ i: Int) -> UInt8 { i < limit ? bytes[i] : 0 }
}
