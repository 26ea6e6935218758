// Python 3.10's `match` statement and its patterns (PEP 634).
//
// Owns: recognizing `match` (a soft keyword: `match = 1` and `match(x)` stay Python — the
// statement is tried first and the tokens are given back when they do not form one) and the
// pattern grammar: literals, captures, `_`, dotted values, sequences with one star, mappings with
// `**rest`, class patterns, `|` alternatives, `as` captures and `if` guards.

extension Parser {
    /// A `match` statement if the tokens at statement start form one, else nil (nothing consumed).
    func parseMatchStatement() throws -> Stmt? {
        guard text(tok, is: "match") else { return nil }
        switch peek().kind {
        case .equal, .dot, .newline, .colon, .comma, .rparen, .eof: return nil
        default: break
        }
        let saved = index
        let start = advance()
        let subject: Expr
        do {
            subject = try parseTestListStarExpr()
        } catch {
            index = saved
            return nil
        }
        guard check(.colon), peek().kind == .newline, peek(2).kind == .indent, text(peek(3), is: "case") else {
            index = saved
            return nil
        }
        advance(); advance(); advance()
        try enter()
        defer { leave() }
        var cases: [MatchCase] = []
        while text(tok, is: "case") && tok.kind == .name {
            advance()
            let pattern = try parseOpenPattern()
            let guardTest = accept(.kwIf) ? try parseNamedTest() : nil
            cases.append(MatchCase(pattern: pattern, guardTest: guardTest, body: try parseColonSuite()))
        }
        if cases.isEmpty { throw error("expected 'case'", at: tok) }
        guard accept(.dedent) || check(.eof) else { throw error("expected 'case'", at: tok) }
        return finish(.matchStatement(subject: subject, cases: cases), from: start)
    }

    /// `case a, *b:` is a sequence without brackets.
    private func parseOpenPattern() throws -> Pattern {
        let first = try parseAsPattern()
        guard check(.comma) else { return first }
        var items = [first]
        while accept(.comma) {
            if check(.colon) || check(.kwIf) { break }
            items.append(try parseAsPattern())
        }
        return .sequence(items)
    }

    private func parseAsPattern() throws -> Pattern {
        if check(.star) {
            advance()
            let name = text(try expect(.name, "a name after '*'"))
            return .star(name == "_" ? nil : name)
        }
        let pattern = try parseOrPattern()
        guard accept(.kwAs) else { return pattern }
        let name = text(try expect(.name, "a name after 'as'"))
        if name == "_" { throw error("cannot use '_' as a target", at: tok) }
        return .capturing(pattern, name: name)
    }

    private func parseOrPattern() throws -> Pattern {
        var options = [try parseClosedPattern()]
        while accept(.pipe) { options.append(try parseClosedPattern()) }
        return options.count == 1 ? options[0] : .or(options)
    }

    private func parseClosedPattern() throws -> Pattern {
        try enter()
        defer { leave() }
        let t = tok
        switch t.kind {
        case .name:
            advance()
            var expr = Expr(.name(text(t)), at: location(t))
            var dotted = false
            while accept(.dot) {
                expr = Expr(.attribute(expr, text(try expect(.name, "a name"))), at: location(t))
                dotted = true
            }
            if check(.lparen) { return try parseClassPattern(expr) }
            if dotted { return .value(expr) }
            return text(t) == "_" ? .wildcard : .capture(text(t))
        case .number, .string, .kwNone, .kwTrue, .kwFalse:
            return .value(try parseSignedLiteral())
        case .minus:
            return .value(try parseSignedLiteral())
        case .lparen, .lbracket:
            let close: TokenKind = t.kind == .lparen ? .rparen : .rbracket
            advance()
            var items: [Pattern] = []
            var sawComma = false
            while !check(close) {
                items.append(try parseAsPattern())
                guard accept(.comma) else { break }
                sawComma = true
            }
            try expect(close, close == .rparen ? "')'" : "']'")
            // `(p)` groups; `(p,)`, `()` and any `[...]` are sequences.
            if t.kind == .lparen, items.count == 1, !sawComma, case let p = items[0], !isStar(p) { return p }
            return .sequence(items)
        case .lbrace:
            advance()
            var keys: [Expr] = [], values: [Pattern] = []
            var rest: String?
            while !check(.rbrace) {
                if accept(.doubleStar) {
                    rest = text(try expect(.name, "a name after '**'"))
                } else {
                    keys.append(check(.name) ? try parseDottedValue() : try parseSignedLiteral())
                    try expect(.colon, "':'")
                    values.append(try parseAsPattern())
                }
                guard accept(.comma) else { break }
            }
            try expect(.rbrace, "'}'")
            return .mapping(keys: keys, values: values, rest: rest)
        default:
            throw unexpected(expected: "a pattern")
        }
    }

    private func isStar(_ p: Pattern) -> Bool {
        if case .star = p { return true }
        return false
    }

    private func parseClassPattern(_ cls: Expr) throws -> Pattern {
        try expect(.lparen, "'('")
        var positional: [Pattern] = []
        var keywords: [(name: String, pattern: Pattern)] = []
        while !check(.rparen) {
            if check(.name), peek().kind == .equal {
                let name = text(advance())
                advance()
                keywords.append((name, try parseAsPattern()))
            } else {
                if !keywords.isEmpty { throw error("positional patterns follow keyword patterns", at: tok) }
                positional.append(try parseAsPattern())
            }
            guard accept(.comma) else { break }
        }
        try expect(.rparen, "')'")
        return .classPattern(cls: cls, positional: positional, keywords: keywords)
    }

    private func parseDottedValue() throws -> Expr {
        let t = try expect(.name, "a name")
        var expr = Expr(.name(text(t)), at: location(t))
        while accept(.dot) { expr = Expr(.attribute(expr, text(try expect(.name, "a name"))), at: location(t)) }
        return expr
    }

    /// A literal pattern: a number (optionally negative, or a complex sum), string(s), None, True, False.
    private func parseSignedLiteral() throws -> Expr {
        let t = tok
        if accept(.minus) {
            guard check(.number) else { throw unexpected(expected: "a number") }
            return Expr(.unary(.negate, try parseAtom()), at: location(t))
        }
        switch t.kind {
        case .number, .string, .kwNone, .kwTrue, .kwFalse: return try parseAtom()
        default: throw unexpected(expected: "a literal")
        }
    }
}
