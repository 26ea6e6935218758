// Expression grammar: Python 3.11 precedence from lambda/conditional down to atoms and trailers.
//
// Owns: operators and their precedence, calls and arguments, subscripts and slices, lambdas and
// the walrus. Displays and comprehensions live in ParserDisplays, literals in ParserStrings.
// Binary operators use precedence climbing so that one level of bracket nesting costs a bounded
// number of stack frames (the depth guard in `parseTest` then bounds the whole stack).

extension Parser {
    /// `test (',' test)* [',']` with starred items allowed; a tuple when there is a comma.
    func parseTestListStarExpr() throws -> Expr {
        let start = tok
        let first = try parseStarOrNamedTest()
        guard check(.comma) else { return first }
        var items = [first]
        while accept(.comma) {
            guard startsExpression else { break }
            items.append(try parseStarOrNamedTest())
        }
        return Expr(.tuple(items), at: location(start))
    }

    /// `expr (',' expr)* [',']` for `for` targets and `del`: bitwise-or level, starred allowed.
    func parseExprList() throws -> Expr {
        let start = tok
        let first = try parseStarOrBitOr()
        guard check(.comma) else { return first }
        var items = [first]
        while accept(.comma) {
            guard startsExpression, !check(.kwIn) else { break }
            items.append(try parseStarOrBitOr())
        }
        return Expr(.tuple(items), at: location(start))
    }

    private func parseStarOrBitOr() throws -> Expr {
        if check(.star) {
            let star = advance()
            return Expr(.starred(try parseBitOr()), at: location(star))
        }
        return try parseBitOr()
    }

    func parseStarOrNamedTest() throws -> Expr {
        if check(.star) {
            let star = advance()
            return Expr(.starred(try parseBitOr()), at: location(star))
        }
        return try parseNamedTest()
    }

    /// Whether the current token can begin an expression (used after trailing commas).
    var startsExpression: Bool {
        switch kind {
        case .name, .number, .string, .lparen, .lbracket, .lbrace, .minus, .plus, .tilde, .star,
             .doubleStar, .ellipsis, .kwNone, .kwTrue, .kwFalse, .kwNot, .kwLambda, .kwAwait, .kwYield:
            return true
        default:
            return false
        }
    }

    /// `NAME := test` or `test`.
    func parseNamedTest() throws -> Expr {
        if check(.name) && peek().kind == .walrus {
            let name = advance()
            advance()
            let value = try parseTest()
            return Expr(.namedExpr(text(name), value), at: location(name))
        }
        return try parseTest()
    }

    /// `lambda` | `or_test ['if' or_test 'else' test]`.
    func parseTest() throws -> Expr {
        try enter()
        defer { leave() }
        if check(.kwLambda) { return try parseLambda(allowConditional: true) }
        let start = tok
        let body = try parseOrTest()
        guard check(.kwIf) else { return body }
        advance()
        let test = try parseOrTest()
        try expect(.kwElse, "'else' after conditional expression")
        let orElse = try parseTest()
        return Expr(.conditional(test: test, then: body, orElse: orElse), at: location(start))
    }

    /// The comprehension `if` operand: no unparenthesized conditional expression.
    func parseTestNoConditional() throws -> Expr {
        try enter()
        defer { leave() }
        if check(.kwLambda) { return try parseLambda(allowConditional: false) }
        return try parseOrTest()
    }

    private func parseLambda(allowConditional: Bool) throws -> Expr {
        let start = advance()
        let params = try parseParameters(closer: .colon, allowAnnotations: false)
        try expect(.colon, "':'")
        let body = allowConditional ? try parseTest() : try parseTestNoConditional()
        return Expr(.lambda(params, body), at: location(start))
    }

    func parseOrTest() throws -> Expr {
        var left = try parseAndTest()
        while check(.kwOr) {
            advance()
            let right = try parseAndTest()
            left = Expr(.logical(.or, left, right), at: left.location)
        }
        return left
    }

    private func parseAndTest() throws -> Expr {
        var left = try parseNotTest()
        while check(.kwAnd) {
            advance()
            let right = try parseNotTest()
            left = Expr(.logical(.and, left, right), at: left.location)
        }
        return left
    }

    private func parseNotTest() throws -> Expr {
        guard check(.kwNot) else { return try parseComparison() }
        let start = advance()
        try enter()
        defer { leave() }
        return Expr(.unary(.not, try parseNotTest()), at: location(start))
    }

    private func parseComparison() throws -> Expr {
        let left = try parseBitOr()
        var rest: [(CompareOperator, Expr)] = []
        while let op = compareOperator() {
            rest.append((op, try parseBitOr()))
        }
        return rest.isEmpty ? left : Expr(.compare(left, rest), at: left.location)
    }

    /// Consumes a comparison operator (one or two tokens) if one is next.
    private func compareOperator() -> CompareOperator? {
        let op: CompareOperator
        switch kind {
        case .less: op = .less
        case .greater: op = .greater
        case .lessEqual: op = .lessEqual
        case .greaterEqual: op = .greaterEqual
        case .equalEqual: op = .equal
        case .notEqual: op = .notEqual
        case .kwIn: op = .in
        case .kwNot:
            guard peek().kind == .kwIn else { return nil }
            advance()
            op = .notIn
        case .kwIs:
            if peek().kind == .kwNot {
                advance()
                op = .isNot
            } else {
                op = .is
            }
        default: return nil
        }
        advance()
        return op
    }

    /// Binary operators from `|` up to `* / // % @`, by precedence climbing.
    func parseBitOr() throws -> Expr { try parseBinary(minimumPrecedence: 1) }

    private func binaryOperator(_ k: TokenKind) -> (BinaryOperator, Int)? {
        switch k {
        case .pipe: return (.bitOr, 1)
        case .caret: return (.bitXor, 2)
        case .amper: return (.bitAnd, 3)
        case .leftShift: return (.leftShift, 4)
        case .rightShift: return (.rightShift, 4)
        case .plus: return (.add, 5)
        case .minus: return (.subtract, 5)
        case .star: return (.multiply, 6)
        case .slash: return (.divide, 6)
        case .doubleSlash: return (.floorDivide, 6)
        case .percent: return (.modulo, 6)
        case .at: return (.matrixMultiply, 6)
        default: return nil
        }
    }

    private func parseBinary(minimumPrecedence: Int) throws -> Expr {
        var left = try parseFactor()
        while let (op, precedence) = binaryOperator(kind), precedence >= minimumPrecedence {
            advance()
            let right = try parseBinary(minimumPrecedence: precedence + 1)
            left = Expr(.binary(op, left, right), at: left.location)
        }
        return left
    }

    /// Unary `+ - ~`, binding looser than `**` (so `-x**2` is `-(x**2)`).
    private func parseFactor() throws -> Expr {
        let op: UnaryOperator
        switch kind {
        case .minus: op = .negate
        case .plus: op = .plus
        case .tilde: op = .invert
        default: return try parsePower()
        }
        let start = advance()
        try enter()
        defer { leave() }
        return Expr(.unary(op, try parseFactor()), at: location(start))
    }

    /// `primary ['**' factor]`: right-associative through `parseFactor`.
    private func parsePower() throws -> Expr {
        if check(.kwAwait) { throw error("'await' is not supported", at: tok) }
        let base = try parsePrimary()
        guard check(.doubleStar) else { return base }
        advance()
        try enter()
        defer { leave() }
        let exponent = try parseFactor()
        return Expr(.binary(.power, base, exponent), at: base.location)
    }

    /// An atom followed by calls, subscripts and attribute accesses.
    func parsePrimary() throws -> Expr {
        var expr = try parseAtom()
        while true {
            switch kind {
            case .lparen:
                advance()
                let args = try parseArguments(closer: .rparen)
                try expect(.rparen, "')'")
                expr = Expr(.call(expr, args), at: expr.location)
            case .lbracket:
                advance()
                let index = try parseSubscriptList()
                try expect(.rbracket, "']'")
                expr = Expr(.subscript(expr, index), at: expr.location)
            case .dot:
                advance()
                let name = try expect(.name, "attribute name after '.'")
                expr = Expr(.attribute(expr, text(name)), at: expr.location)
            default:
                return expr
            }
        }
    }

    private func parseSubscriptList() throws -> Expr {
        let start = tok
        let first = try parseSubscript()
        guard check(.comma) else { return first }
        var items = [first]
        while accept(.comma) {
            guard startsExpression || check(.colon) else { break }
            items.append(try parseSubscript())
        }
        return Expr(.tuple(items), at: location(start))
    }

    private func parseSubscript() throws -> Expr {
        let start = tok
        var lower: Expr?
        if !check(.colon) {
            let value = try parseStarOrNamedTest()
            guard check(.colon) else { return value }
            lower = value
        }
        try expect(.colon, "':'")
        var upper: Expr?
        var step: Expr?
        if !check(.colon) && !check(.comma) && !check(.rbracket) { upper = try parseTest() }
        if accept(.colon) {
            if !check(.comma) && !check(.rbracket) { step = try parseTest() }
        }
        return Expr(.slice(lower: lower, upper: upper, step: step), at: location(start))
    }

    /// A call's argument list up to (not including) `closer`. A generator expression is allowed
    /// unparenthesized when it is the only argument. Directive contents reuse this.
    func parseArguments(closer: TokenKind) throws -> [Argument] {
        var args: [Argument] = []
        var sawKeyword = false
        while !check(closer) {
            switch kind {
            case .star:
                advance()
                args.append(.star(try parseTest()))
            case .doubleStar:
                advance()
                args.append(.doubleStar(try parseTest()))
                sawKeyword = true
            case .name where peek().kind == .equal:
                let name = advance()
                advance()
                args.append(.keyword(text(name), try parseTest()))
                sawKeyword = true
            default:
                let start = tok
                let value = try parseNamedTest()
                if check(.kwFor) {
                    let clauses = try parseComprehensionClauses()
                    let generator = Expr(.comprehension(.generator, element: value, clauses: clauses), at: value.location)
                    if !args.isEmpty || !(check(closer) || (check(.comma) && peek().kind == closer)) {
                        throw error("Generator expression must be parenthesized", at: start)
                    }
                    args.append(.positional(generator))
                } else {
                    if sawKeyword { throw error("positional argument follows keyword argument", at: start) }
                    if check(.equal) { throw error("expression cannot contain assignment, perhaps you meant \"==\"?", at: start) }
                    args.append(.positional(value))
                }
            }
            guard accept(.comma) else { break }
        }
        return args
    }

    /// Parameters of `def` (up to `)`) or `lambda` (up to `:`). `/` is accepted and ignored.
    func parseParameters(closer: TokenKind, allowAnnotations: Bool) throws -> Parameters {
        var params: Parameters = []
        var keywordOnly = false
        var sawDefault = false
        var sawVarKeywords = false
        while !check(closer) {
            if sawVarKeywords { throw error("arguments cannot follow var-keyword argument", at: tok) }
            if accept(.slash) {
                guard accept(.comma) else { break }
                continue
            }
            let start = tok
            var paramKind: Parameter.Kind = keywordOnly ? .keywordOnly : .normal
            if accept(.star) {
                keywordOnly = true
                if check(.comma) {  // bare `*`: the following parameters are keyword-only
                    advance()
                    continue
                }
                paramKind = .varArgs
            } else if accept(.doubleStar) {
                paramKind = .varKeywords
                sawVarKeywords = true
            }
            let name = try expect(.name, "parameter name")
            if allowAnnotations && accept(.colon) { _ = try parseTest() }
            var defaultValue: Expr?
            if accept(.equal) {
                guard paramKind == .normal || paramKind == .keywordOnly else {
                    throw error("var-positional and var-keyword parameters cannot have default values", at: start)
                }
                defaultValue = try parseTest()
                if paramKind == .normal { sawDefault = true }
            } else if paramKind == .normal && sawDefault {
                throw error("non-default argument follows default argument", at: start)
            }
            if params.contains(where: { $0.name == text(name) }) {
                throw error("duplicate argument '\(text(name))' in function definition", at: name)
            }
            params.append(Parameter(name: text(name), kind: paramKind, defaultValue: defaultValue, location: location(start)))
            guard accept(.comma) else { break }
        }
        return params
    }
}
