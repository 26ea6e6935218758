// Tokens of the Snakefile language (Python's token set) and the byte-offset -> line:column map.
//
// Owns: what a token is (kind + UTF-8 byte range) and how a byte offset becomes a SourceLocation.
// Tokens carry no text: the parser slices the source bytes on demand, so lexing allocates nothing
// per token.

enum TokenKind: UInt8, Sendable {
    case name, number, string, newline, indent, dedent, eof

    // Brackets and punctuation
    case lparen, rparen, lbracket, rbracket, lbrace, rbrace
    case comma, colon, semicolon, dot, ellipsis, arrow, walrus, at, exclamation

    // Operators
    case plus, minus, star, doubleStar, slash, doubleSlash, percent, pipe, amper, caret, tilde
    case leftShift, rightShift
    case less, greater, lessEqual, greaterEqual, equalEqual, notEqual, equal

    // Augmented assignment
    case plusEqual, minusEqual, starEqual, doubleStarEqual, slashEqual, doubleSlashEqual, percentEqual
    case pipeEqual, amperEqual, caretEqual, leftShiftEqual, rightShiftEqual, atEqual

    // Hard keywords (soft ones such as `rule`, `use`, `module` stay `.name`: they are ordinary
    // identifiers everywhere except at the start of a statement).
    case kwFalse, kwNone, kwTrue, kwAnd, kwAs, kwAssert, kwAsync, kwAwait, kwBreak, kwClass, kwContinue
    case kwDef, kwDel, kwElif, kwElse, kwExcept, kwFinally, kwFor, kwFrom, kwGlobal, kwIf, kwImport
    case kwIn, kwIs, kwLambda, kwNonlocal, kwNot, kwOr, kwPass, kwRaise, kwReturn, kwTry, kwWhile
    case kwWith, kwYield

    private static let keywordTable: [(String, TokenKind)] = [
        ("False", .kwFalse), ("None", .kwNone), ("True", .kwTrue), ("and", .kwAnd), ("as", .kwAs),
        ("assert", .kwAssert), ("async", .kwAsync), ("await", .kwAwait), ("break", .kwBreak), ("class", .kwClass),
        ("continue", .kwContinue), ("def", .kwDef), ("del", .kwDel), ("elif", .kwElif), ("else", .kwElse),
        ("except", .kwExcept), ("finally", .kwFinally), ("for", .kwFor), ("from", .kwFrom), ("global", .kwGlobal),
        ("if", .kwIf), ("import", .kwImport), ("in", .kwIn), ("is", .kwIs), ("lambda", .kwLambda),
        ("nonlocal", .kwNonlocal), ("not", .kwNot), ("or", .kwOr), ("pass", .kwPass), ("raise", .kwRaise),
        ("return", .kwReturn), ("try", .kwTry), ("while", .kwWhile), ("with", .kwWith), ("yield", .kwYield),
    ]

    /// Keywords bucketed by length, as bytes: the lexer checks every identifier, so this avoids
    /// building a String and hashing it.
    private static let keywordsByLength: [[([UInt8], TokenKind)]] = {
        var buckets = [[([UInt8], TokenKind)]](repeating: [], count: 9)
        for (word, kind) in keywordTable { buckets[word.utf8.count].append((Array(word.utf8), kind)) }
        return buckets
    }()

    static func keyword(_ bytes: ArraySlice<UInt8>) -> TokenKind? {
        guard bytes.count < keywordsByLength.count else { return nil }
        for (word, kind) in keywordsByLength[bytes.count] where word.elementsEqual(bytes) { return kind }
        return nil
    }

    var isKeyword: Bool { rawValue >= TokenKind.kwFalse.rawValue }

    /// The augmented-assignment operator this token spells, if any.
    var augmentedOperator: BinaryOperator? {
        switch self {
        case .plusEqual: return .add
        case .minusEqual: return .subtract
        case .starEqual: return .multiply
        case .doubleStarEqual: return .power
        case .slashEqual: return .divide
        case .doubleSlashEqual: return .floorDivide
        case .percentEqual: return .modulo
        case .pipeEqual: return .bitOr
        case .amperEqual: return .bitAnd
        case .caretEqual: return .bitXor
        case .leftShiftEqual: return .leftShift
        case .rightShiftEqual: return .rightShift
        case .atEqual: return .matrixMultiply
        default: return nil
        }
    }
}

struct Token: Sendable {
    var kind: TokenKind
    /// UTF-8 byte offsets into the source: `start..<end`. Layout tokens (NEWLINE, INDENT, DEDENT,
    /// EOF) are empty ranges at the position they stand for.
    var start: Int
    var end: Int
}

/// Turns byte offsets into 1-based line:column positions (columns count Unicode scalars).
/// The line of the previous lookup is cached (lookups are mostly increasing). For non-ASCII text,
/// continuation bytes are pre-counted per 256-byte chunk, so any lookup costs O(log lines + 256)
/// regardless of line length or lookup order.
final class SourceMap {
    let bytes: [UInt8]
    let lineStarts: [Int]
    /// Continuation bytes (0b10xxxxxx) before each 256-byte chunk; empty for pure ASCII text.
    private let continuationsBeforeChunk: [Int]
    private var cacheLine = 0

    init(bytes: [UInt8], lineStarts: [Int]) {
        self.bytes = bytes
        self.lineStarts = lineStarts.isEmpty ? [0] : lineStarts
        var chunks: [Int] = []
        if bytes.contains(where: { $0 >= 0x80 }) {
            chunks.reserveCapacity(bytes.count / 256 + 1)
            var count = 0
            for (i, b) in bytes.enumerated() {
                if i & 255 == 0 { chunks.append(count) }
                if b & 0xC0 == 0x80 { count += 1 }
            }
            chunks.append(count)
        }
        self.continuationsBeforeChunk = chunks
    }

    /// Continuation bytes in `bytes[0..<offset]`.
    private func continuations(before offset: Int) -> Int {
        let chunk = offset >> 8
        var count = continuationsBeforeChunk[min(chunk, continuationsBeforeChunk.count - 1)]
        var i = chunk << 8
        while i < offset {
            if bytes[i] & 0xC0 == 0x80 { count += 1 }
            i += 1
        }
        return count
    }

    func location(_ offset: Int) -> SourceLocation {
        var offset = max(0, min(offset, bytes.count))
        var line: Int
        if offset >= lineStarts[cacheLine] && (cacheLine + 1 == lineStarts.count || offset < lineStarts[cacheLine + 1]) {
            line = cacheLine
        } else {
            // Binary search for the last line start <= offset.
            line = 0
            var hi = lineStarts.count - 1
            while line < hi {
                let mid = (line + hi + 1) / 2
                if lineStarts[mid] <= offset { line = mid } else { hi = mid - 1 }
            }
            cacheLine = line
        }
        let lineStart = lineStarts[line]
        if continuationsBeforeChunk.isEmpty {
            return SourceLocation(line: line + 1, column: offset - lineStart + 1)
        }
        // A position inside a multi-byte scalar points at that scalar.
        while offset > lineStart, offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset -= 1 }
        let scalars = (offset - lineStart) - (continuations(before: offset) - continuations(before: lineStart))
        return SourceLocation(line: line + 1, column: scalars + 1)
    }
}
