// Statement dispatch and Python's simple statements: expression statements and every kind of
// assignment, pass/break/continue/return/raise, import forms, global/nonlocal, del, assert.
//
// Owns: deciding what a statement is from its first tokens (including Snakemake's soft keywords,
// which are only keywords at statement start), `;`-separated lines, and assignment-target checks.
// Compound statements are in ParserCompound, Snakemake declarations in ParserSnakemake.

extension Parser {
    func parseFileBody() throws -> [Stmt] {
        var body: [Stmt] = []
        while !check(.eof) {
            if accept(.newline) { continue }
            try parseStatement(into: &body)
        }
        return body
    }

    /// Parses one statement (a line of `;`-separated simple statements may give several).
    func parseStatement(into out: inout [Stmt]) throws {
        switch kind {
        case .kwIf, .kwWhile, .kwFor, .kwTry, .kwWith, .kwDef, .kwClass, .at:
            out.append(try parseCompoundStatement())
        case .kwAsync:
            throw error("'async' statements are not supported", at: tok)
        case .indent:
            throw error("unexpected indent", at: tok)
        case .dedent:
            throw error("unindent does not match any outer indentation level", at: tok)
        case .name:
            if let stmt = try parseMatchStatement() {
                out.append(stmt)
                return
            }
            if let stmt = try parseSnakemakeStatement() {
                out.append(stmt)
                return
            }
            try parseSimpleStatements(into: &out)
        default:
            try parseSimpleStatements(into: &out)
        }
    }

    /// `small (';' small)* [';'] NEWLINE`
    func parseSimpleStatements(into out: inout [Stmt]) throws {
        while true {
            out.append(try parseSmallStatement())
            guard accept(.semicolon) else { break }
            if check(.newline) || check(.eof) { break }
        }
        if check(.eof) { return }
        guard accept(.newline) else {
            if check(.equal) { throw error("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", at: tok) }
            throw unexpected(expected: nil)
        }
    }

    private func parseSmallStatement() throws -> Stmt {
        let start = tok
        switch kind {
        case .kwPass:
            advance()
            return finish(.pass, from: start)
        case .kwBreak:
            advance()
            return finish(.break, from: start)
        case .kwContinue:
            advance()
            return finish(.continue, from: start)
        case .kwReturn:
            advance()
            let value = startsExpression ? try parseTestListStarExpr() : nil
            return finish(.return(value), from: start)
        case .kwRaise:
            advance()
            var exception: Expr?
            var cause: Expr?
            if startsExpression {
                exception = try parseTest()
                if accept(.kwFrom) { cause = try parseTest() }
            }
            return finish(.raise(exception, cause: cause), from: start)
        case .kwGlobal, .kwNonlocal:
            advance()
            var names = [text(try expect(.name, "name"))]
            while accept(.comma) { names.append(text(try expect(.name, "name"))) }
            return finish(start.kind == .kwGlobal ? .global(names) : .nonlocal(names), from: start)
        case .kwDel:
            advance()
            let targets = try parseExprList()
            if case .tuple(let items) = targets.kind {
                for item in items { try validateTarget(item, deleting: true) }
                return finish(.delete(items), from: start)
            }
            try validateTarget(targets, deleting: true)
            return finish(.delete([targets]), from: start)
        case .kwAssert:
            advance()
            let test = try parseTest()
            let message = accept(.comma) ? try parseTest() : nil
            return finish(.assert(test, message: message), from: start)
        case .kwImport:
            return try parseImport()
        case .kwFrom:
            return try parseFromImport()
        default:
            return try parseExpressionStatement()
        }
    }

    private func parseRightHandSide() throws -> Expr {
        check(.kwYield) ? try parseYield() : try parseTestListStarExpr()
    }

    private func parseExpressionStatement() throws -> Stmt {
        let start = tok
        let first = try parseRightHandSide()
        if let op = kind.augmentedOperator {
            try validateTarget(first, augmented: true)
            advance()
            let value = try parseRightHandSide()
            return finish(.augmentedAssign(target: first, op: op, value: value), from: start)
        }
        if check(.colon) {
            switch first.kind {
            case .name, .attribute, .subscript: break
            case .tuple: throw error("only single target (not tuple) can be annotated", at: start)
            default: throw error("illegal target for annotation", at: start)
            }
            advance()
            let annotation = try parseTest()
            let value = accept(.equal) ? try parseRightHandSide() : nil
            return finish(.annotatedAssign(target: first, annotation: annotation, value: value), from: start)
        }
        guard check(.equal) else { return finish(.expression(first), from: start) }
        var targets = [first]
        var value = first
        while accept(.equal) {
            value = try parseRightHandSide()
            if check(.equal) { targets.append(value) }
        }
        for target in targets { try validateTarget(target) }
        return finish(.assign(targets: targets, value: value), from: start)
    }

    /// Rejects expressions that cannot be assigned to (or deleted), as Python's compiler does.
    func validateTarget(_ e: Expr, augmented: Bool = false, deleting: Bool = false) throws {
        switch e.kind {
        case .name, .attribute, .subscript:
            return
        case .tuple(let items), .list(let items):
            guard !augmented else { throw Diagnostic("'tuple' is an illegal expression for augmented assignment", at: e.location, in: file) }
            for item in items { try validateTarget(item, deleting: deleting) }
        case .starred(let inner) where !augmented && !deleting:
            try validateTarget(inner)
        default:
            let what: String
            switch e.kind {
            case .call: what = "function call"
            case .string, .fstring, .int, .float, .bool, .none, .ellipsis: what = "literal"
            case .compare: what = "comparison"
            case .binary, .unary: what = "expression"
            case .lambda: what = "lambda"
            case .conditional: what = "conditional expression"
            case .dict, .set: what = "dict or set display"
            case .comprehension, .dictComprehension: what = "comprehension"
            case .namedExpr: what = "named expression"
            case .yield: what = "yield expression"
            case .starred: what = "starred"
            default: what = "expression"
            }
            let verb = deleting ? "delete" : "assign to"
            throw Diagnostic("cannot \(verb) \(what)", at: e.location, in: file)
        }
    }

    /// `import a.b as c, d`
    private func parseImport() throws -> Stmt {
        let start = advance()
        var names: [ImportName] = []
        repeat {
            let name = try parseDottedName()
            let alias = accept(.kwAs) ? text(try expect(.name, "name after 'as'")) : nil
            names.append(ImportName(name: name, asName: alias))
        } while accept(.comma)
        return finish(.importModules(names), from: start)
    }

    /// `from .mod import a as b, c` / `from m import (a, b,)` / `from m import *`
    private func parseFromImport() throws -> Stmt {
        let start = advance()
        var level = 0
        while true {
            if accept(.dot) { level += 1 } else if accept(.ellipsis) { level += 3 } else { break }
        }
        var module = ""
        if check(.name) { module = try parseDottedName() } else if level == 0 { throw unexpected(expected: "module name") }
        try expect(.kwImport, "'import'")
        if accept(.star) { return finish(.importFrom(module: module, level: level, names: nil), from: start) }
        let parenthesized = accept(.lparen)
        var names: [ImportName] = []
        repeat {
            if parenthesized && check(.rparen) { break }
            let name = text(try expect(.name, "name to import"))
            let alias = accept(.kwAs) ? text(try expect(.name, "name after 'as'")) : nil
            names.append(ImportName(name: name, asName: alias))
        } while accept(.comma)
        if parenthesized { try expect(.rparen, "')'") }
        if names.isEmpty { throw unexpected(expected: "name to import") }
        return finish(.importFrom(module: module, level: level, names: names), from: start)
    }

    private func parseDottedName() throws -> String {
        var name = text(try expect(.name, "module name"))
        while accept(.dot) { name += "." + text(try expect(.name, "name after '.'")) }
        return name
    }
}
