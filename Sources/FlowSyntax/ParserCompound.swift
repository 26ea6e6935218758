// Python's compound statements: if/elif/else, for, while, try/except/else/finally, with,
// decorated def and class, and the indented (or same-line) suites they own.
//
// Owns: block structure. A statement's range runs from its first token (the first decorator for
// decorated definitions) to the last token of its last nested block.

extension Parser {
    func parseCompoundStatement() throws -> Stmt {
        switch kind {
        case .kwIf: return try parseIf()
        case .kwWhile: return try parseWhile()
        case .kwFor: return try parseFor()
        case .kwTry: return try parseTry()
        case .kwWith: return try parseWith()
        default: return try parseDecorated()
        }
    }

    /// `':' suite`
    func parseColonSuite() throws -> [Stmt] {
        try expect(.colon, "':'")
        return try parseSuite()
    }

    /// An indented block after NEWLINE, or simple statements on the same line.
    func parseSuite() throws -> [Stmt] {
        try enter()
        defer { leave() }
        var body: [Stmt] = []
        guard accept(.newline) else {
            if check(.eof) { throw error("expected an indented block", at: tok) }
            try parseSimpleStatements(into: &body)
            return body
        }
        guard accept(.indent) else { throw error("expected an indented block", at: tok) }
        while !check(.dedent) && !check(.eof) {
            try parseStatement(into: &body)
        }
        _ = accept(.dedent)
        return body
    }

    /// `if`/`elif`/`else`. The elif chain is parsed in a loop (a long chain must not recurse) and
    /// then folded into nested `.ifStatement`s, innermost first; each keeps its own range.
    private func parseIf() throws -> Stmt {
        var branches: [(start: Token, test: Expr, body: [Stmt])] = []
        repeat {
            let start = advance()
            let test = try parseNamedTest()
            branches.append((start, test, try parseColonSuite()))
        } while check(.kwElif)
        var orElse = accept(.kwElse) ? try parseColonSuite() : []
        let end = previousEnd
        for branch in branches.dropFirst().reversed() {
            orElse = [Stmt(.ifStatement(test: branch.test, body: branch.body, orElse: orElse),
                           at: location(branch.start), range: branch.start.start..<end)]
        }
        let first = branches[0]
        return finish(.ifStatement(test: first.test, body: first.body, orElse: orElse), from: first.start)
    }

    private func parseWhile() throws -> Stmt {
        let start = advance()
        let test = try parseNamedTest()
        let body = try parseColonSuite()
        let orElse = accept(.kwElse) ? try parseColonSuite() : []
        return finish(.whileLoop(test: test, body: body, orElse: orElse), from: start)
    }

    private func parseFor() throws -> Stmt {
        let start = advance()
        let target = try parseExprList()
        try validateTarget(target)
        try expect(.kwIn, "'in'")
        let iterable = try parseTestListStarExpr()
        let body = try parseColonSuite()
        let orElse = accept(.kwElse) ? try parseColonSuite() : []
        return finish(.forLoop(target: target, iterable: iterable, body: body, orElse: orElse), from: start)
    }

    private func parseTry() throws -> Stmt {
        let start = advance()
        let body = try parseColonSuite()
        var handlers: [ExceptHandler] = []
        while check(.kwExcept) {
            let exceptToken = advance()
            if check(.star) { throw error("'except*' is not supported", at: tok) }
            var type: Expr?
            var name: String?
            if !check(.colon) {
                type = try parseTestListStarExpr()
                if accept(.kwAs) { name = text(try expect(.name, "name after 'as'")) }
            }
            let handlerBody = try parseColonSuite()
            handlers.append(ExceptHandler(type: type, name: name, body: handlerBody, location: location(exceptToken)))
        }
        var orElse: [Stmt] = []
        if !handlers.isEmpty && accept(.kwElse) { orElse = try parseColonSuite() }
        var finally: [Stmt] = []
        if accept(.kwFinally) {
            finally = try parseColonSuite()
        } else if handlers.isEmpty {
            throw error("expected 'except' or 'finally' block", at: tok)
        }
        return finish(.tryStatement(body: body, handlers: handlers, orElse: orElse, finally: finally), from: start)
    }

    private func parseWith() throws -> Stmt {
        let start = advance()
        var items: [WithItem] = []
        // `with (a as b, c as d):` — parenthesized items (3.10+) — versus `with (a, b):` / `with (x):`.
        let parenthesizedItems = check(.lparen) && parenthesizedWithItemsFollow()
        if parenthesizedItems { advance() }
        repeat {
            if parenthesizedItems && check(.rparen) { break }
            let context = try parseTest()
            var target: Expr?
            if accept(.kwAs) {
                let t = try parseWithTarget()
                try validateTarget(t)
                target = t
            }
            items.append(WithItem(context: context, target: target))
        } while accept(.comma)
        if parenthesizedItems { try expect(.rparen, "')'") }
        let body = try parseColonSuite()
        return finish(.with(items: items, body: body), from: start)
    }

    /// A `with` target: a name, attribute, subscript or parenthesized/bracketed tuple of them.
    private func parseWithTarget() throws -> Expr { try parsePrimary() }

    /// Looks ahead (without consuming) from a `(`: true if the matching `)` is directly followed by
    /// `:` and an `as` occurs at bracket depth 1 — i.e. the parentheses group with-items.
    private func parenthesizedWithItemsFollow() -> Bool {
        var i = index + 1
        var level = 1
        var sawAs = false
        while i < tokens.count {
            switch tokens[i].kind {
            case .lparen, .lbracket, .lbrace: level += 1
            case .rparen, .rbracket, .rbrace:
                level -= 1
                if level == 0 { return sawAs && i + 1 < tokens.count && tokens[i + 1].kind == .colon }
            case .kwAs where level == 1: sawAs = true
            case .newline, .eof: return false
            default: break
            }
            i += 1
        }
        return false
    }

    /// Decorators followed by `def` or `class`.
    private func parseDecorated() throws -> Stmt {
        let start = tok
        var decorators: [Expr] = []
        while check(.at) {
            advance()
            decorators.append(try parseNamedTest())
            try expect(.newline, "newline after decorator")
        }
        switch kind {
        case .kwDef: return try parseFunctionDef(decorators: decorators, start: start)
        case .kwClass: return try parseClassDef(decorators: decorators, start: start)
        case .kwAsync: throw error("'async def' is not supported", at: tok)
        default: throw unexpected(expected: "'def' or 'class' after decorator")
        }
    }

    private func parseFunctionDef(decorators: [Expr], start: Token) throws -> Stmt {
        advance()
        let name = try expect(.name, "function name")
        try expect(.lparen, "'('")
        let params = try parseParameters(closer: .rparen, allowAnnotations: true)
        try expect(.rparen, "')'")
        if accept(.arrow) { _ = try parseTest() }
        let body = try parseColonSuite()
        var docstring: String?
        if let first = body.first, case .expression(let e) = first.kind, case .string(let s) = e.kind {
            docstring = s
        }
        let def = FunctionDef(name: text(name), parameters: params, body: body, decorators: decorators, docstring: docstring)
        return finish(.functionDef(def), from: start)
    }

    private func parseClassDef(decorators: [Expr], start: Token) throws -> Stmt {
        advance()
        let name = try expect(.name, "class name")
        var bases: [Argument] = []
        if accept(.lparen) {
            bases = try parseArguments(closer: .rparen)
            try expect(.rparen, "')'")
        }
        let body = try parseColonSuite()
        return finish(.classDef(ClassDef(name: text(name), bases: bases, body: body, decorators: decorators)), from: start)
    }
}
