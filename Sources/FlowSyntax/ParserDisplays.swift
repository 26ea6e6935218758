// Atoms: names, constants, and the bracketed forms — parenthesized expressions and tuples,
// list/set/dict displays, comprehensions and generator expressions, `yield`.
//
// Owns: what may appear between a pair of brackets. String and number literals are decoded in
// ParserStrings; operators and trailers are in ParserExpressions.

extension Parser {
    func parseAtom() throws -> Expr {
        let t = tok
        switch t.kind {
        case .name:
            advance()
            return Expr(.name(text(t)), at: location(t))
        case .number:
            advance()
            return try numberLiteral(t)
        case .string:
            return try parseStrings()
        case .kwNone:
            advance()
            return Expr(.none, at: location(t))
        case .kwTrue, .kwFalse:
            advance()
            return Expr(.bool(t.kind == .kwTrue), at: location(t))
        case .ellipsis:
            advance()
            return Expr(.ellipsis, at: location(t))
        case .lparen:
            return try parseParenthesized()
        case .lbracket:
            return try parseListDisplay()
        case .lbrace:
            return try parseBraceDisplay()
        case .newline, .eof:
            throw error("invalid syntax", at: t)
        default:
            throw unexpected(expected: nil)
        }
    }

    /// `()`, `(x)`, `(x,)`, `(x for ...)`, `(yield x)`, `(*a, b)`.
    private func parseParenthesized() throws -> Expr {
        let open = advance()
        if accept(.rparen) { return Expr(.tuple([]), at: location(open)) }
        if check(.kwYield) {
            let value = try parseYield()
            try expect(.rparen, "')'")
            return value
        }
        let first = try parseStarOrNamedTest()
        if check(.kwFor) {
            let clauses = try parseComprehensionClauses()
            try expect(.rparen, "')'")
            return Expr(.comprehension(.generator, element: first, clauses: clauses), at: location(open))
        }
        if accept(.rparen) {
            if case .starred = first.kind { throw error("cannot use starred expression here", at: open) }
            return first
        }
        var items = [first]
        while accept(.comma) {
            if check(.rparen) { break }
            items.append(try parseStarOrNamedTest())
        }
        try expect(.rparen, "')'")
        return Expr(.tuple(items), at: location(open))
    }

    private func parseListDisplay() throws -> Expr {
        let open = advance()
        if accept(.rbracket) { return Expr(.list([]), at: location(open)) }
        let first = try parseStarOrNamedTest()
        if check(.kwFor) {
            let clauses = try parseComprehensionClauses()
            try expect(.rbracket, "']'")
            return Expr(.comprehension(.list, element: first, clauses: clauses), at: location(open))
        }
        var items = [first]
        while accept(.comma) {
            if check(.rbracket) { break }
            items.append(try parseStarOrNamedTest())
        }
        try expect(.rbracket, "']'")
        return Expr(.list(items), at: location(open))
    }

    /// `{}` (a dict), dict displays with `**` unpacking, sets, and both comprehension kinds.
    private func parseBraceDisplay() throws -> Expr {
        let open = advance()
        if accept(.rbrace) { return Expr(.dict([]), at: location(open)) }
        let firstItem = try parseDictOrSetItem()
        switch firstItem {
        case .setItem(let element):
            if check(.kwFor) {
                if case .starred = element.kind { throw error("iterable unpacking cannot be used in comprehension", at: open) }
                let clauses = try parseComprehensionClauses()
                try expect(.rbrace, "'}'")
                return Expr(.comprehension(.set, element: element, clauses: clauses), at: location(open))
            }
            var items = [element]
            while accept(.comma) {
                if check(.rbrace) { break }
                guard case .setItem(let next) = try parseDictOrSetItem() else {
                    throw error("invalid syntax", at: tok)
                }
                items.append(next)
            }
            try expect(.rbrace, "'}'")
            return Expr(.set(items), at: location(open))
        case .dictItem(let item):
            if check(.kwFor) {
                guard case .pair(let key, let value) = item else {
                    throw error("dict unpacking cannot be used in dict comprehension", at: open)
                }
                let clauses = try parseComprehensionClauses()
                try expect(.rbrace, "'}'")
                return Expr(.dictComprehension(key: key, value: value, clauses: clauses), at: location(open))
            }
            var items = [item]
            while accept(.comma) {
                if check(.rbrace) { break }
                let start = tok
                guard case .dictItem(let next) = try parseDictOrSetItem() else {
                    throw error("':' expected after dictionary key", at: start)
                }
                items.append(next)
            }
            try expect(.rbrace, "'}'")
            return Expr(.dict(items), at: location(open))
        }
    }

    private enum BraceItem {
        case setItem(Expr)
        case dictItem(DictItem)
    }

    private func parseDictOrSetItem() throws -> BraceItem {
        if accept(.doubleStar) { return .dictItem(.unpack(try parseBitOr())) }
        let key = try parseStarOrNamedTest()
        guard accept(.colon) else { return .setItem(key) }
        if case .starred = key.kind { throw error("cannot use a starred expression in a dictionary key", at: tok) }
        return .dictItem(.pair(key, try parseTest()))
    }

    /// One or more `for target in iterable` clauses with optional `if` filters.
    func parseComprehensionClauses() throws -> [ComprehensionClause] {
        var clauses: [ComprehensionClause] = []
        while check(.kwFor) {
            advance()
            let target = try parseExprList()
            try validateTarget(target)
            try expect(.kwIn, "'in'")
            let iterable = try parseOrTest()
            clauses.append(.forIn(target: target, iterable: iterable))
            while check(.kwIf) {
                advance()
                clauses.append(.ifCondition(try parseTestNoConditional()))
            }
        }
        if check(.kwAsync) { throw error("asynchronous comprehensions are not supported", at: tok) }
        return clauses
    }

    /// `yield`, `yield value`, `yield a, b` (`yield from` parses as yielding the iterable).
    func parseYield() throws -> Expr {
        let start = advance()
        _ = accept(.kwFrom)
        guard startsExpression else { return Expr(.yield(nil), at: location(start)) }
        return Expr(.yield(try parseTestListStarExpr()), at: location(start))
    }
}
