// The tokenizer: UTF-8 bytes -> tokens, with Python's layout rules.
//
// Owns: INDENT/DEDENT/NEWLINE generation (tabs to multiples of 8, blank and comment-only lines
// ignored), implicit line joining inside brackets, backslash continuation, the extent of number
// literals and (through StringScanner) string literals — their *values* are decoded by the parser —
// and bracket balance errors. It knows
// nothing about statements or Snakemake: Snakefiles tokenize exactly like Python.

struct Lexer {
    private let bytes: [UInt8]
    private let map: SourceMap
    private let file: SourceFile
    private var pos: Int
    private let end: Int
    /// True for f-string replacement fields: the whole range behaves as if inside brackets.
    private let alwaysJoined: Bool
    private var tokens: [Token] = []
    private var indents: [Int] = [0]
    /// Open brackets: the opening byte and its offset (for "'(' was never closed").
    private var brackets: [(byte: UInt8, offset: Int)] = []
    private var atLineStart = true

    init(map: SourceMap, file: SourceFile, range: Range<Int>, alwaysJoined: Bool = false) {
        self.bytes = map.bytes
        self.map = map
        self.file = file
        self.pos = range.lowerBound
        self.end = min(range.upperBound, map.bytes.count)
        self.alwaysJoined = alwaysJoined
        self.atLineStart = !alwaysJoined
    }

    private func error(_ message: String, at offset: Int) -> Diagnostic {
        Diagnostic(message, at: map.location(offset), in: file)
    }

    private func byte(at i: Int) -> UInt8 { i < end ? bytes[i] : 0 }

    private var joined: Bool { alwaysJoined || !brackets.isEmpty }

    private mutating func emit(_ kind: TokenKind, _ start: Int, _ stop: Int) {
        tokens.append(Token(kind: kind, start: start, end: stop))
    }

    mutating func tokenize() throws -> [Token] {
        tokens.reserveCapacity((end - pos) / 4 + 8)
        while true {
            if atLineStart && !joined {
                if try !handleLineStart() { break }
            }
            skipWhitespace()
            guard pos < end else { break }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "#"):
                while pos < end, bytes[pos] != UInt8(ascii: "\n"), bytes[pos] != UInt8(ascii: "\r") { pos += 1 }
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                let start = pos
                if b == UInt8(ascii: "\r") && byte(at: pos + 1) != UInt8(ascii: "\n") {
                    pos += 1  // a lone CR is whitespace
                    continue
                }
                pos += b == UInt8(ascii: "\r") ? 2 : 1
                if !joined {
                    emit(.newline, start, start)
                    atLineStart = true
                }
            case UInt8(ascii: "\\"):
                let next = byte(at: pos + 1)
                if next == UInt8(ascii: "\n") {
                    pos += 2
                } else if next == UInt8(ascii: "\r") && byte(at: pos + 2) == UInt8(ascii: "\n") {
                    pos += 3
                } else if pos + 1 >= end {
                    throw error("unexpected EOF after line continuation character", at: pos)
                } else {
                    throw error("unexpected character after line continuation character", at: pos)
                }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                try lexString(start: pos, quoteAt: pos)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                try lexNumber()
            case UInt8(ascii: "."):
                let next = byte(at: pos + 1)
                if next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9") {
                    try lexNumber()
                } else if next == UInt8(ascii: ".") && byte(at: pos + 2) == UInt8(ascii: ".") {
                    emit(.ellipsis, pos, pos + 3)
                    pos += 3
                } else {
                    emit(.dot, pos, pos + 1)
                    pos += 1
                }
            default:
                if Lexer.isIdentifierStart(b) {
                    try lexNameOrPrefixedString()
                } else {
                    try lexOperator()
                }
            }
        }
        if let open = brackets.last {
            throw error("'\(Character(Unicode.Scalar(open.byte)))' was never closed", at: open.offset)
        }
        if !alwaysJoined {
            if let last = tokens.last, last.kind != .newline, last.kind != .dedent, last.kind != .indent {
                emit(.newline, end, end)
            }
            while indents.count > 1 {
                indents.removeLast()
                emit(.dedent, end, end)
            }
        }
        emit(.eof, end, end)
        return tokens
    }

    /// Measures a line's indentation, skipping blank and comment-only lines, and emits INDENT/DEDENT.
    /// Returns false at end of input.
    private mutating func handleLineStart() throws -> Bool {
        while true {
            var column = 0
            while pos < end {
                switch bytes[pos] {
                case UInt8(ascii: " "): column += 1
                case UInt8(ascii: "\t"): column = (column / 8 + 1) * 8
                case 0x0C: column = 0  // form feed resets, as in CPython
                default: break
                }
                if bytes[pos] != UInt8(ascii: " ") && bytes[pos] != UInt8(ascii: "\t") && bytes[pos] != 0x0C { break }
                pos += 1
            }
            guard pos < end else { return false }
            let b = bytes[pos]
            if b == UInt8(ascii: "#") {
                while pos < end, bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
            } else if b == UInt8(ascii: "\r") {
                pos += 1  // CRLF (the LF follows) or a lone CR, which ends a blank line
                if byte(at: pos) != UInt8(ascii: "\n") { continue }
            }
            if pos >= end { return false }
            if bytes[pos] == UInt8(ascii: "\n") {
                pos += 1
                continue  // blank or comment-only line: no layout tokens
            }
            atLineStart = false
            let current = indents[indents.count - 1]
            if column > current {
                indents.append(column)
                emit(.indent, pos, pos)
            } else if column < current {
                while indents.count > 1 && column < indents[indents.count - 1] {
                    indents.removeLast()
                    emit(.dedent, pos, pos)
                }
                if column != indents[indents.count - 1] {
                    throw error("unindent does not match any outer indentation level", at: pos)
                }
            }
            return true
        }
    }

    private mutating func skipWhitespace() {
        while pos < end {
            let b = bytes[pos]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == 0x0C {
                pos += 1
            } else if joined && (b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")) {
                pos += 1
            } else {
                break
            }
        }
    }

    static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_") || b >= 0x80
    }

    static func isIdentifierContinue(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    private mutating func lexNameOrPrefixedString() throws {
        let start = pos
        while pos < end, Lexer.isIdentifierContinue(bytes[pos]) { pos += 1 }
        let length = pos - start
        let next = byte(at: pos)
        if length <= 2, next == UInt8(ascii: "\"") || next == UInt8(ascii: "'"),
           StringPrefix(bytes[start..<pos]) != nil {
            try lexString(start: start, quoteAt: pos)
            return
        }
        if length >= 2 && length <= 8, let kind = TokenKind.keyword(bytes[start..<pos]) {
            emit(kind, start, pos)
            return
        }
        emit(.name, start, pos)
    }

    /// Emits the string literal whose (possibly empty) prefix starts at `start` and whose opening
    /// quote is at `quoteAt`. Its value is decoded later by the parser.
    private mutating func lexString(start: Int, quoteAt: Int) throws {
        switch StringScanner(bytes: bytes, limit: end).scan(start: start, quoteAt: quoteAt) {
        case .end(let stop):
            emit(.string, start, stop)
            pos = stop
        case .failure(let message, let offset):
            throw error(message, at: offset)
        }
    }

    private mutating func lexNumber() throws {
        let start = pos
        func digits(_ ok: (UInt8) -> Bool) {
            while pos < end, ok(bytes[pos]) || (bytes[pos] == UInt8(ascii: "_") && pos + 1 < end && ok(bytes[pos + 1])) {
                pos += 1
            }
        }
        let isDec: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let second = byte(at: pos + 1) | 0x20
        if bytes[pos] == UInt8(ascii: "0") && (second == UInt8(ascii: "x") || second == UInt8(ascii: "o") || second == UInt8(ascii: "b")) {
            pos += 2
            switch second {
            case UInt8(ascii: "x"):
                digits { isDec($0) || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "f")) }
            case UInt8(ascii: "o"): digits { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }
            default: digits { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }
            }
            if pos == start + 2 { throw error("invalid number literal", at: start) }
        } else {
            digits(isDec)
            if byte(at: pos) == UInt8(ascii: ".") {
                pos += 1
                digits(isDec)
            }
            if byte(at: pos) | 0x20 == UInt8(ascii: "e") {
                var p = pos + 1
                if byte(at: p) == UInt8(ascii: "+") || byte(at: p) == UInt8(ascii: "-") { p += 1 }
                if isDec(byte(at: p)) {
                    pos = p
                    digits(isDec)
                }
            }
        }
        if pos < end, Lexer.isIdentifierContinue(bytes[pos]) {
            throw error(bytes[pos] | 0x20 == UInt8(ascii: "j") ? "imaginary numbers are not supported"
                        : "invalid decimal literal", at: start)
        }
        emit(.number, start, pos)
    }

    private mutating func lexOperator() throws {
        let start = pos
        let b = bytes[pos]
        let n1 = byte(at: pos + 1)
        let n2 = byte(at: pos + 2)
        let eq = UInt8(ascii: "=")
        var kind: TokenKind
        var length = 1
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
            kind = b == UInt8(ascii: "(") ? .lparen : b == UInt8(ascii: "[") ? .lbracket : .lbrace
            brackets.append((b, pos))
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
            kind = b == UInt8(ascii: ")") ? .rparen : b == UInt8(ascii: "]") ? .rbracket : .rbrace
            let closer = Character(Unicode.Scalar(b))
            guard let open = brackets.popLast() else {
                throw error("unmatched '\(closer)'", at: pos)
            }
            let expected: UInt8 = open.byte == UInt8(ascii: "(") ? UInt8(ascii: ")")
                : open.byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
            if expected != b {
                throw error("closing parenthesis '\(closer)' does not match opening parenthesis '\(Character(Unicode.Scalar(open.byte)))'", at: pos)
            }
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: ";"): kind = .semicolon
        case UInt8(ascii: "~"): kind = .tilde
        case UInt8(ascii: ":"):
            if n1 == eq { kind = .walrus; length = 2 } else { kind = .colon }
        case UInt8(ascii: "+"): (kind, length) = n1 == eq ? (.plusEqual, 2) : (.plus, 1)
        case UInt8(ascii: "-"):
            if n1 == eq { (kind, length) = (.minusEqual, 2) }
            else if n1 == UInt8(ascii: ">") { (kind, length) = (.arrow, 2) }
            else { kind = .minus }
        case UInt8(ascii: "*"):
            if n1 == UInt8(ascii: "*") { (kind, length) = n2 == eq ? (.doubleStarEqual, 3) : (.doubleStar, 2) }
            else { (kind, length) = n1 == eq ? (.starEqual, 2) : (.star, 1) }
        case UInt8(ascii: "/"):
            if n1 == UInt8(ascii: "/") { (kind, length) = n2 == eq ? (.doubleSlashEqual, 3) : (.doubleSlash, 2) }
            else { (kind, length) = n1 == eq ? (.slashEqual, 2) : (.slash, 1) }
        case UInt8(ascii: "%"): (kind, length) = n1 == eq ? (.percentEqual, 2) : (.percent, 1)
        case UInt8(ascii: "|"): (kind, length) = n1 == eq ? (.pipeEqual, 2) : (.pipe, 1)
        case UInt8(ascii: "&"): (kind, length) = n1 == eq ? (.amperEqual, 2) : (.amper, 1)
        case UInt8(ascii: "^"): (kind, length) = n1 == eq ? (.caretEqual, 2) : (.caret, 1)
        case UInt8(ascii: "@"): (kind, length) = n1 == eq ? (.atEqual, 2) : (.at, 1)
        case UInt8(ascii: "="): (kind, length) = n1 == eq ? (.equalEqual, 2) : (.equal, 1)
        case UInt8(ascii: "!"): (kind, length) = n1 == eq ? (.notEqual, 2) : (.exclamation, 1)
        case UInt8(ascii: "<"):
            if n1 == UInt8(ascii: "<") { (kind, length) = n2 == eq ? (.leftShiftEqual, 3) : (.leftShift, 2) }
            else { (kind, length) = n1 == eq ? (.lessEqual, 2) : (.less, 1) }
        case UInt8(ascii: ">"):
            if n1 == UInt8(ascii: ">") { (kind, length) = n2 == eq ? (.rightShiftEqual, 3) : (.rightShift, 2) }
            else { (kind, length) = n1 == eq ? (.greaterEqual, 2) : (.greater, 1) }
        default:
            throw error(invalidCharacterMessage(at: pos), at: pos)
        }
        emit(kind, start, start + length)
        pos = start + length
    }

    private func invalidCharacterMessage(at offset: Int) -> String {
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "invalid character '\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "invalid non-printable character U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

/// A string literal's prefix letters (`r`, `b`, `f`, `u`, `rb`, `fr`, ... in any case).
struct StringPrefix {
    var raw = false
    var bytes = false
    var formatted = false

    init() {}

    init?<S: Sequence>(_ letters: S) where S.Element == UInt8 {
        var count = 0
        var unicode = false
        for letter in letters {
            count += 1
            switch letter | 0x20 {
            case UInt8(ascii: "r"): if raw { return nil }; raw = true
            case UInt8(ascii: "b"): if bytes { return nil }; bytes = true
            case UInt8(ascii: "f"): if formatted { return nil }; formatted = true
            case UInt8(ascii: "u"): if unicode { return nil }; unicode = true
            default: return nil
            }
        }
        if count > 2 || (unicode && count > 1) || (bytes && formatted) { return nil }
    }
}
