// The parser's core: the public entry points, the token cursor and shared helpers.
//
// Owns: turning a token array into AST nodes. The grammar is split by topic over several files:
// operators and calls (ParserExpressions), bracketed atoms and comprehensions (ParserDisplays),
// literals (ParserStrings, ParserFStrings), Python statements (ParserStatements, ParserCompound) and
// Snakemake's declarations (ParserSnakemake). It is a plain
// recursive-descent parser with one token of lookahead (occasionally two), so it runs in linear time;
// a depth counter turns pathological nesting into a diagnostic instead of a stack overflow.

/// Parses a whole Snakefile (or included file / Python module) into statements.
public func parseModule(_ file: SourceFile) throws -> Module {
    let bytes = Array(file.text.utf8)
    let map = SourceMap(bytes: bytes, lineStarts: file.lineStarts)
    var lexer = Lexer(map: map, file: file, range: 0..<bytes.count)
    let parser = Parser(file: file, map: map, tokens: try lexer.tokenize(), depth: 0)
    return Module(file: file, body: try parser.parseFileBody())
}

/// Parses one expression (a tuple if it contains top-level commas). Positions are relative to
/// `text`; `file` names the origin in diagnostics.
public func parseExpression(_ text: String, file: SourceFile) throws -> Expr {
    let source = SourceFile(path: file.path, text: text)
    let bytes = Array(text.utf8)
    let map = SourceMap(bytes: bytes, lineStarts: source.lineStarts)
    var lexer = Lexer(map: map, file: source, range: 0..<bytes.count, alwaysJoined: true)
    let parser = Parser(file: source, map: map, tokens: try lexer.tokenize(), depth: 0)
    let expr = try parser.parseTestListStarExpr()
    try parser.expectEnd()
    return expr
}

final class Parser {
    let file: SourceFile
    let map: SourceMap
    let bytes: [UInt8]
    let tokens: [Token]
    var index = 0
    /// Current nesting depth of expressions and blocks (see `enter`).
    var depth: Int
    // Python allows 200 nested brackets; 100 keeps the worst case under ~150 KiB of stack in release
    // builds (about 1 MiB in debug builds), so parsing is safe on secondary threads too.
    static let maxDepth = 100

    /// `tokens` must end with an `.eof` (or, for directive contents, a `.newline`) sentinel that the
    /// cursor never moves past.
    init(file: SourceFile, map: SourceMap, tokens: [Token], depth: Int) {
        self.file = file
        self.map = map
        self.bytes = map.bytes
        self.tokens = tokens.isEmpty ? [Token(kind: .eof, start: 0, end: 0)] : tokens
        self.depth = depth
    }

    // MARK: Cursor

    var tok: Token { tokens[index] }
    var kind: TokenKind { tokens[index].kind }

    func peek(_ n: Int = 1) -> Token { tokens[min(index + n, tokens.count - 1)] }

    @discardableResult
    func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func check(_ k: TokenKind) -> Bool { tokens[index].kind == k }

    func accept(_ k: TokenKind) -> Bool {
        if tokens[index].kind == k {
            advance()
            return true
        }
        return false
    }

    @discardableResult
    func expect(_ k: TokenKind, _ what: String) throws -> Token {
        guard check(k) else { throw unexpected(expected: what) }
        return advance()
    }

    /// The end of the last consumed non-layout token (statement ranges end there).
    var previousEnd: Int {
        var i = index - 1
        while i >= 0 {
            switch tokens[i].kind {
            case .newline, .indent, .dedent, .eof: i -= 1
            default: return tokens[i].end
            }
        }
        return 0
    }

    /// A statement starting at `start` and ending with the last consumed token.
    func finish(_ kind: StmtKind, from start: Token) -> Stmt {
        Stmt(kind, at: location(start), range: start.start..<max(start.start, previousEnd))
    }

    /// Fails unless the expression parsed so far is all there is.
    func expectEnd() throws {
        guard check(.eof) || check(.newline) else { throw unexpected(expected: nil) }
    }

    // MARK: Text and positions

    func text(_ t: Token) -> String { String(decoding: bytes[t.start..<t.end], as: UTF8.self) }

    func text(_ t: Token, is word: String) -> Bool {
        let utf8 = word.utf8
        guard t.end - t.start == utf8.count else { return false }
        return bytes[t.start..<t.end].elementsEqual(utf8)
    }

    func location(_ t: Token) -> SourceLocation { map.location(t.start) }
    func location(offset: Int) -> SourceLocation { map.location(offset) }

    func error(_ message: String, at t: Token) -> Diagnostic {
        Diagnostic(message, at: map.location(t.start), in: file)
    }

    func error(_ message: String, offset: Int) -> Diagnostic {
        Diagnostic(message, at: map.location(offset), in: file)
    }

    /// The diagnostic for a token that does not fit the grammar here.
    func unexpected(expected what: String?) -> Diagnostic {
        let t = tok
        switch t.kind {
        case .indent: return error("unexpected indent", at: t)
        case .dedent where what == nil: return error("unexpected unindent", at: t)
        case .eof where what == nil: return error("unexpected end of input", at: t)
        default: break
        }
        if let what { return error("expected \(what)", at: t) }
        return error("invalid syntax", at: t)
    }

    // MARK: Nesting guard

    func enter() throws {
        depth += 1
        if depth > Parser.maxDepth { throw error("too deeply nested", at: tok) }
    }

    func leave() { depth -= 1 }
}
