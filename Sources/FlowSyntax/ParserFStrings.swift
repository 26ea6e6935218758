// F-string bodies: literal text with `{{`/`}}`, replacement fields `{expr!c:spec}` whose format
// spec may itself contain fields, and the `{expr=}` debug form.
//
// Owns: splitting an f-string body into FStringParts. Each field's expression text is found by a
// bracket- and quote-aware scan, then lexed and parsed in place by a nested Parser that shares this
// parser's depth budget.

extension Parser {
    /// Appends the parts of one f-string body; `literal` accumulates text not yet flushed into `parts`
    /// (so adjacent literals across concatenated strings merge into one part).
    func appendFString(_ body: Range<Int>, raw: Bool, literal: inout [UInt8], parts: inout [FStringPart]) throws {
        _ = try fstringParts(from: body.lowerBound, to: body.upperBound, raw: raw, inSpec: false,
                             literal: &literal, parts: &parts)
    }

    /// Scans literal text and fields from `from`; in a format spec, stops at the closing `}` and
    /// returns its index. Returns `to` otherwise.
    private func fstringParts(from: Int, to: Int, raw: Bool, inSpec: Bool,
                              literal: inout [UInt8], parts: inout [FStringPart]) throws -> Int {
        var i = from
        while i < to {
            let b = bytes[i]
            if b == UInt8(ascii: "{") {
                if !inSpec, i + 1 < to, bytes[i + 1] == UInt8(ascii: "{") {
                    literal.append(b)
                    i += 2
                    continue
                }
                if !literal.isEmpty {
                    parts.append(.literal(String(decoding: literal, as: UTF8.self)))
                    literal.removeAll(keepingCapacity: true)
                }
                let (part, next) = try replacementField(open: i, to: to, raw: raw)
                parts.append(part)
                i = next
            } else if b == UInt8(ascii: "}") {
                if inSpec { return i }
                guard i + 1 < to, bytes[i + 1] == UInt8(ascii: "}") else {
                    throw error("f-string: single '}' is not allowed", offset: i)
                }
                literal.append(b)
                i += 2
            } else if b == UInt8(ascii: "\\") && !raw {
                i = try decodeEscape(at: i, limit: to, bytesLiteral: false, into: &literal)
            } else if b == UInt8(ascii: "\r") {
                if i + 1 < to, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                literal.append(UInt8(ascii: "\n"))
                i += 1
            } else {
                literal.append(b)
                i += 1
            }
        }
        if inSpec { throw error("f-string: expecting '}'", offset: from) }
        return to
    }

    /// Parses the field whose `{` is at `open`; returns the part and the index after its `}`.
    private func replacementField(open: Int, to: Int, raw: Bool) throws -> (FStringPart, Int) {
        try enter()
        defer { leave() }
        let start = open + 1
        var j = start
        var brackets = 0
        scan: while j < to {
            let c = bytes[j]
            let next: UInt8 = j + 1 < to ? bytes[j + 1] : 0
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                j = try skipNestedString(start: j, quoteAt: j, to: to)
                continue scan
            case _ where Lexer.isIdentifierStart(c):
                // Skip names whole; a prefixed nested string (`f"..."`) is skipped as a string.
                var k = j
                while k < to, Lexer.isIdentifierContinue(bytes[k]) { k += 1 }
                if k < to, k - j <= 2, bytes[k] == UInt8(ascii: "'") || bytes[k] == UInt8(ascii: "\""),
                   StringPrefix(bytes[j..<k]) != nil {
                    j = try skipNestedString(start: j, quoteAt: k, to: to)
                } else {
                    j = k
                }
                continue scan
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                brackets += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if brackets == 0 {
                    if c == UInt8(ascii: "}") { break scan }
                    throw error("f-string: unmatched '\(Character(Unicode.Scalar(c)))'", offset: j)
                }
                brackets -= 1
            case UInt8(ascii: "!"):
                if next == UInt8(ascii: "=") { j += 2; continue scan }
                if brackets == 0 { break scan }
            case UInt8(ascii: "="):
                if next == UInt8(ascii: "=") { j += 2; continue scan }
                if brackets == 0 { break scan }
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                if next == UInt8(ascii: "=") { j += 2; continue scan }
            case UInt8(ascii: ":"):
                if brackets == 0 { break scan }
            case UInt8(ascii: "#"):
                throw error("f-string expression part cannot include '#'", offset: j)
            case UInt8(ascii: "\\"):
                throw error("f-string expression part cannot include a backslash", offset: j)
            default:
                break
            }
            j += 1
        }
        guard j < to else { throw error("f-string: expecting '}'", offset: open) }
        let expressionRange = start..<j
        if bytes[expressionRange].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            throw error("f-string: empty expression not allowed", offset: open)
        }
        let expr = try parseEmbeddedExpression(expressionRange)

        var debugText: String?
        if bytes[j] == UInt8(ascii: "=") {
            debugText = String(decoding: bytes[expressionRange], as: UTF8.self)
            j += 1
            while j < to, bytes[j] == UInt8(ascii: " ") { j += 1 }
        }
        var conversion: Character?
        if j < to, bytes[j] == UInt8(ascii: "!") {
            guard j + 1 < to, bytes[j + 1] == UInt8(ascii: "r") || bytes[j + 1] == UInt8(ascii: "s") || bytes[j + 1] == UInt8(ascii: "a") else {
                throw error("f-string: invalid conversion character: expected 's', 'r', or 'a'", offset: j)
            }
            conversion = Character(Unicode.Scalar(bytes[j + 1]))
            j += 2
        }
        var spec: [FStringPart]?
        if j < to, bytes[j] == UInt8(ascii: ":") {
            var specLiteral: [UInt8] = []
            var specParts: [FStringPart] = []
            j = try fstringParts(from: j + 1, to: to, raw: raw, inSpec: true, literal: &specLiteral, parts: &specParts)
            if !specLiteral.isEmpty { specParts.append(.literal(String(decoding: specLiteral, as: UTF8.self))) }
            spec = specParts
        }
        guard j < to, bytes[j] == UInt8(ascii: "}") else { throw error("f-string: expecting '}'", offset: open) }
        return (.expression(expr, conversion: conversion, formatSpec: spec, debugText: debugText), j + 1)
    }

    /// Skips a string literal inside a field's expression; returns the index after it.
    private func skipNestedString(start: Int, quoteAt: Int, to: Int) throws -> Int {
        switch StringScanner(bytes: bytes, limit: to).scan(start: start, quoteAt: quoteAt) {
        case .end(let next): return next
        case .failure(let message, let offset): throw error("f-string: " + message, offset: offset)
        }
    }

    /// Lexes and parses a field's expression where it stands in the source.
    private func parseEmbeddedExpression(_ range: Range<Int>) throws -> Expr {
        var lexer = Lexer(map: map, file: file, range: range, alwaysJoined: true)
        let nested = Parser(file: file, map: map, tokens: try lexer.tokenize(), depth: depth)
        let expr = try nested.parseTestListStarExpr()
        guard nested.check(.eof) else { throw nested.error("f-string: invalid syntax", at: nested.tok) }
        return expr
    }
}
