// Snakemake's grammar on top of Python: `rule`/`checkpoint` declarations, `module NAME:`,
// `use rule ... from ... as ... with:`, and workflow-level directives such as `configfile:`.
//
// Owns: recognizing these forms at statement start (their words are soft keywords: `rule = 3`
// stays Python) and directive contents. A directive's content runs from its `:` to the end of the
// line plus any more-indented lines after it, and is parsed as a call's argument list with the
// layout tokens in it removed — exactly as if it were wrapped in parentheses. `run:` and the
// `onstart:`/`onsuccess:`/`onerror:` handlers instead own a block of Python statements.

extension Parser {
    /// A Snakemake declaration if the tokens at statement start form one, else nil (no tokens consumed).
    func parseSnakemakeStatement() throws -> Stmt? {
        let first = tok
        let next = peek()
        if text(first, is: "rule") || text(first, is: "checkpoint") {
            guard next.kind == .name || next.kind == .colon else { return nil }
            return try parseRule()
        }
        if text(first, is: "module") && ((next.kind == .name && peek(2).kind == .colon)
            || (next.kind == .colon && peek(2).kind == .newline && peek(3).kind == .indent)) {
            return try parseModuleDeclaration()
        }
        if text(first, is: "use") && next.kind == .name && text(next, is: "rule") {
            return try parseUseRule()
        }
        if text(first, is: "storage") && next.kind == .name && peek(2).kind == .colon {
            return try parseNamedStorage()
        }
        if next.kind == .colon && workflowDirectiveNames.contains(text(first)) {
            let directive = try parseDirective(allowed: workflowDirectiveNames, owner: "workflow",
                                               blockNames: ["onstart", "onsuccess", "onerror"])
            if directive.name == "storage", case .arguments(let args) = directive.content { try checkStorageSettings(args) }
            return finish(.workflowDirective(directive), from: first)
        }
        return nil
    }

    private func parseRule() throws -> Stmt {
        let start = advance()
        let kind: RuleDecl.Kind = text(start, is: "rule") ? .rule : .checkpoint
        let name = check(.name) ? text(advance()) : nil
        let owner = name.map { "\(kind.rawValue) '\($0)'" } ?? "anonymous \(kind.rawValue)"
        try expect(.colon, "':'")
        let docstring: String?
        let directives: [Directive]
        if check(.name) {
            // `rule a: input: "x"` — one directive on the header line.
            docstring = nil
            directives = [try parseDirective(allowed: ruleDirectiveNames, owner: owner, blockNames: ["run"])]
        } else {
            try expectBlockStart(after: owner)
            (docstring, directives) = try parseDirectiveBlock(allowed: ruleDirectiveNames, owner: owner, blockNames: ["run"])
        }
        let decl = RuleDecl(kind: kind, name: name, docstring: docstring, directives: directives, location: location(start))
        return finish(.rule(decl), from: start)
    }

    /// `storage NAME: provider=..., ...` becomes a `storage` directive whose first argument is
    /// `tag="NAME"` (the unnamed `storage:` form has no tag).
    private func parseNamedStorage() throws -> Stmt {
        let start = advance()
        let tag = advance()
        let colon = advance()
        var args = try parseDirectiveArguments(after: colon, name: "storage")
        try checkStorageSettings(args)
        args.insert(.keyword("tag", Expr(.string(text(tag)), at: location(tag))), at: 0)
        let directive = Directive(name: "storage", content: .arguments(args), at: location(start))
        return finish(.workflowDirective(directive), from: start)
    }

    /// A storage block holds settings only: `provider="gcs", max_requests_per_second=10`.
    private func checkStorageSettings(_ args: [Argument]) throws {
        for arg in args {
            switch arg {
            case .keyword, .doubleStar: continue
            case .positional(let e), .star(let e):
                throw Diagnostic("storage: takes name=value settings (provider=\"...\", ...), not a positional value",
                                 at: e.location, in: file)
            }
        }
    }

    private func parseModuleDeclaration() throws -> Stmt {
        let start = advance()
        // An anonymous `module:` takes its name from a `name:` directive; its decl name is "".
        let name = check(.name) ? text(advance()) : ""
        let owner = name.isEmpty ? "anonymous module" : "module '\(name)'"
        try expect(.colon, "':'")
        try expectBlockStart(after: owner)
        let directives = try parseDirectiveBlock(allowed: moduleDirectiveNames, owner: owner, blockNames: []).directives
        let decl = ModuleDecl(name: name, directives: directives, location: location(start))
        return finish(.module(decl), from: start)
    }

    /// `use rule <names|*> [from <module>] [exclude <names>] [as <name>] [with: <directives>]`
    /// (`exclude` and `as` are accepted in either order).
    private func parseUseRule() throws -> Stmt {
        let start = advance()
        advance()  // `rule`
        var rules: [String] = []
        repeat { rules.append(try parseRulePattern()) } while accept(.comma)
        var fromModule: String?
        if accept(.kwFrom) { fromModule = text(try expect(.name, "module name after 'from'")) }
        var exclude: [String] = []
        var asName: String?
        while true {
            if check(.name) && text(tok, is: "exclude") && exclude.isEmpty {
                advance()
                repeat { exclude.append(text(try expect(.name, "rule name after 'exclude'"))) } while accept(.comma)
            } else if asName == nil && accept(.kwAs) {
                asName = try parseRulePattern()
            } else {
                break
            }
        }
        var overrides: [Directive] = []
        if accept(.kwWith) {
            try expect(.colon, "':' after 'with'")
            try expectBlockStart(after: "'use rule ... with:'")
            overrides = try parseDirectiveBlock(allowed: ruleDirectiveNames, owner: "'use rule' statement", blockNames: ["run"]).directives
        } else if !check(.eof) {
            guard accept(.newline) else { throw unexpected(expected: nil) }
        }
        let decl = UseRuleDecl(rules: rules, fromModule: fromModule, asName: asName, exclude: exclude,
                               overrides: overrides, location: location(start))
        return finish(.useRule(decl), from: start)
    }

    /// A rule name or pattern such as `*`, `other_*` or `*_new`: adjacent name and `*` tokens.
    private func parseRulePattern() throws -> String {
        guard check(.name) || check(.star) else { throw unexpected(expected: "rule name") }
        let first = advance()
        var end = first.end
        while (check(.name) || check(.star)) && tok.start == end && !(text(tok, is: "exclude")) {
            end = advance().end
        }
        return String(decoding: bytes[first.start..<end], as: UTF8.self)
    }

    private func expectBlockStart(after owner: String) throws {
        guard accept(.newline) else { throw error("expected a newline and an indented block after \(owner) header", at: tok) }
        guard accept(.indent) else { throw error("expected an indented block after \(owner) header", at: tok) }
    }

    /// An optional docstring, then directives until the DEDENT closing the block (which is consumed).
    private func parseDirectiveBlock(allowed: [String], owner: String, blockNames: Set<String>) throws
        -> (docstring: String?, directives: [Directive]) {
        var docstring: String?
        if check(.string) {
            let doc = try parseStrings()
            if case .string(let s) = doc.kind { docstring = s }
            if !check(.dedent) { try expect(.newline, "newline after docstring") }
        }
        var directives: [Directive] = []
        while !check(.dedent) && !check(.eof) {
            if accept(.newline) { continue }
            let nameToken = tok
            let directive = try parseDirective(allowed: allowed, owner: owner, blockNames: blockNames)
            if let action = directives.first(where: { Self.actionDirectiveNames.contains($0.name) }), allowed == ruleDirectiveNames {
                // As in Snakemake: what a rule does comes last, and only once.
                let names = Self.actionDirectiveNames.joined(separator: "/")
                if Self.actionDirectiveNames.contains(directive.name) {
                    throw error("multiple \(names) directives in \(owner) ('\(action.name):' and '\(directive.name):')", at: nameToken)
                }
                throw error("no directive may follow '\(action.name):' in \(owner) (found '\(directive.name):'); \(names) must come last", at: nameToken)
            }
            directives.append(directive)
        }
        _ = accept(.dedent)
        return (docstring, directives)
    }

    /// The directives saying what a rule does (Snakemake's rule_run_subautomata).
    static let actionDirectiveNames = ["run", "shell", "script", "notebook", "wrapper", "template_engine", "cwl"]

    /// `name: content` where `name` must be one of `allowed`.
    private func parseDirective(allowed: [String], owner: String, blockNames: Set<String>) throws -> Directive {
        let nameToken = tok
        guard nameToken.kind == .name || nameToken.kind.isKeyword else {
            if nameToken.kind == .string {
                throw error("unexpected string in \(owner); a docstring must come first", at: nameToken)
            }
            throw unexpected(expected: "a directive name in \(owner)")
        }
        let name = text(nameToken)
        guard allowed.contains(name) else {
            var message = "unknown directive '\(name)' in \(owner)"
            if let suggestion = closestName(to: name, in: allowed) { message += "; did you mean '\(suggestion)'?" }
            throw error(message, at: nameToken)
        }
        advance()
        let colon = try expect(.colon, "':' after '\(name)'")
        let content: Directive.Content
        if blockNames.contains(name) {
            // Start the range at the line start so the block's text keeps its indentation.
            let startOffset = check(.newline) ? lineStart(of: peek(2).start) : tok.start
            let body = try parseSuite()
            content = .block(body, range: startOffset..<max(startOffset, previousEnd))
        } else {
            content = .arguments(try parseDirectiveArguments(after: colon, name: name))
        }
        return Directive(name: name, content: content, at: location(nameToken))
    }

    private func lineStart(of offset: Int) -> Int {
        var i = min(offset, bytes.count)
        while i > 0 && bytes[i - 1] != UInt8(ascii: "\n") { i -= 1 }
        return i
    }

    /// Collects the content's tokens (dropping the layout tokens of continuation lines), then parses
    /// them as an argument list.
    private func parseDirectiveArguments(after colon: Token, name: String) throws -> [Argument] {
        var collected: [Token] = []
        var balance = 0
        scan: while true {
            let t = tok
            switch t.kind {
            case .newline:
                if balance > 0 || peek().kind == .indent {
                    advance()
                    continue scan
                }
                advance()
                break scan
            case .indent:
                balance += 1
                advance()
            case .dedent:
                if balance == 0 { break scan }
                balance -= 1
                advance()
                if balance == 0 { break scan }
            case .eof:
                break scan
            default:
                collected.append(t)
                advance()
            }
        }
        guard let last = collected.last else { throw error("expected content after '\(name):'", at: colon) }
        collected.append(Token(kind: .newline, start: last.end, end: last.end))
        let content = Parser(file: file, map: map, tokens: collected, depth: depth)
        let args = try content.parseArguments(closer: .newline)
        guard content.check(.newline) else { throw content.unexpected(expected: nil) }
        return args
    }
}

/// The candidate nearest to `name` by edit distance, if it is plausibly a typo of it.
/// Public for "did you mean" messages elsewhere (FlowCLI's flag and profile key suggestions).
public func closestName(to name: String, in candidates: [String]) -> String? {
    let word = Array(name.utf8)
    guard word.count <= 64 else { return nil }  // no typo is that long; keeps the search cheap
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word, Array(candidate.utf8))
        if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    guard let best, best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}

private func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
