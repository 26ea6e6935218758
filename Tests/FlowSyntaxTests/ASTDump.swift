// A compact S-expression printer for ASTs, so parser tests can state expected shapes as one line.
//
// Owns nothing but test output. Format: atoms print as Python would write them (names bare, strings
// quoted Swift-style), every other node as `(head children...)`; absent optional parts print `_`.
@testable import FlowSyntax

func sexp(_ e: Expr?) -> String {
    guard let e else { return "_" }
    switch e.kind {
    case .name(let n): return n
    case .none: return "None"
    case .bool(let b): return b ? "True" : "False"
    case .ellipsis: return "..."
    case .int(let i): return String(i)
    case .float(let d): return String(d)
    case .string(let s): return s.debugDescription
    case .fstring(let parts): return "(f" + parts.map { " " + sexp($0) }.joined() + ")"
    case .list(let items): return node("list", items.map(sexp))
    case .tuple(let items): return node("tuple", items.map(sexp))
    case .set(let items): return node("set", items.map(sexp))
    case .dict(let items): return node("dict", items.map(sexp))
    case .attribute(let base, let name): return node(".", [sexp(base), name])
    case .subscript(let base, let index): return node("[]", [sexp(base), sexp(index)])
    case .slice(let lower, let upper, let step): return node("slice", [sexp(lower), sexp(upper), sexp(step)])
    case .call(let f, let args): return node("call", [sexp(f)] + args.map(sexp))
    case .unary(let op, let x): return node(op.rawValue, [sexp(x)])
    case .binary(let op, let a, let b): return node(op.rawValue, [sexp(a), sexp(b)])
    case .logical(let op, let a, let b): return node(op.rawValue, [sexp(a), sexp(b)])
    case .compare(let first, let rest):
        return node("cmp", [sexp(first)] + rest.flatMap { [$0.0.rawValue, sexp($0.1)] })
    case .conditional(let test, let then, let orElse): return node("if", [sexp(test), sexp(then), sexp(orElse)])
    case .lambda(let params, let body): return node("lambda", [sexp(params), sexp(body)])
    case .comprehension(let kind, let element, let clauses):
        return node("\(kind)comp", [sexp(element)] + clauses.map(sexp))
    case .dictComprehension(let key, let value, let clauses):
        return node("dictcomp", [sexp(key), sexp(value)] + clauses.map(sexp))
    case .starred(let x): return node("*", [sexp(x)])
    case .namedExpr(let name, let value): return node(":=", [name, sexp(value)])
    case .yield(let value): return node("yield", [sexp(value)])
    }
}

private func node(_ head: String, _ children: [String]) -> String {
    "(" + ([head] + children).joined(separator: " ") + ")"
}

func sexp(_ part: FStringPart) -> String {
    switch part {
    case .literal(let s): return s.debugDescription
    case .expression(let e, let conversion, let spec, let debugText):
        var items = [sexp(e)]
        if let conversion { items.append("!\(conversion)") }
        if let spec { items.append(node("spec", spec.map(sexp))) }
        if let debugText { items.append("=" + debugText.debugDescription) }
        return node("fmt", items)
    }
}

func sexp(_ item: DictItem) -> String {
    switch item {
    case .pair(let k, let v): return "(\(sexp(k)) \(sexp(v)))"
    case .unpack(let m): return node("**", [sexp(m)])
    }
}

func sexp(_ arg: Argument) -> String {
    switch arg {
    case .positional(let e): return sexp(e)
    case .keyword(let k, let e): return node("kw", [k, sexp(e)])
    case .star(let e): return node("*", [sexp(e)])
    case .doubleStar(let e): return node("**", [sexp(e)])
    }
}

func sexp(_ clause: ComprehensionClause) -> String {
    switch clause {
    case .forIn(let target, let iterable): return node("for", [sexp(target), sexp(iterable)])
    case .ifCondition(let test): return node("if", [sexp(test)])
    }
}

func sexp(_ params: Parameters) -> String {
    "(" + params.map { p -> String in
        let prefix: String
        switch p.kind {
        case .normal: prefix = ""
        case .varArgs: prefix = "*"
        case .varKeywords: prefix = "**"
        case .keywordOnly: prefix = "kw:"
        }
        return prefix + p.name + (p.defaultValue.map { "=" + sexp($0) } ?? "")
    }.joined(separator: " ") + ")"
}

func sexp(_ body: [Stmt]) -> String { body.map(sexp).joined(separator: " ") }

private func block(_ head: String, _ body: [Stmt]) -> String { node(head, body.map(sexp)) }

func sexp(_ s: Stmt) -> String {
    switch s.kind {
    case .expression(let e): return sexp(e)
    case .assign(let targets, let value): return node("=", targets.map(sexp) + [sexp(value)])
    case .augmentedAssign(let target, let op, let value): return node(op.rawValue + "=", [sexp(target), sexp(value)])
    case .annotatedAssign(let target, let annotation, let value): return node(":", [sexp(target), sexp(annotation), sexp(value)])
    case .functionDef(let f):
        var items = [f.name, sexp(f.parameters)]
        if !f.decorators.isEmpty { items.append(node("@", f.decorators.map(sexp))) }
        if let doc = f.docstring { items.append("doc=" + doc.debugDescription) }
        items.append(block("body", f.body))
        return node("def", items)
    case .classDef(let c):
        var items = [c.name, node("bases", c.bases.map(sexp))]
        if !c.decorators.isEmpty { items.append(node("@", c.decorators.map(sexp))) }
        items.append(block("body", c.body))
        return node("class", items)
    case .return(let value): return node("return", [sexp(value)])
    case .ifStatement(let test, let body, let orElse):
        return node("if", [sexp(test), block("then", body)] + (orElse.isEmpty ? [] : [block("else", orElse)]))
    case .forLoop(let target, let iterable, let body, let orElse):
        return node("for", [sexp(target), sexp(iterable), block("do", body)] + (orElse.isEmpty ? [] : [block("else", orElse)]))
    case .whileLoop(let test, let body, let orElse):
        return node("while", [sexp(test), block("do", body)] + (orElse.isEmpty ? [] : [block("else", orElse)]))
    case .break: return "break"
    case .continue: return "continue"
    case .pass: return "pass"
    case .importModules(let names): return node("import", names.map(sexp))
    case .importFrom(let module, let level, let names):
        return node("from", [String(repeating: ".", count: level) + module] + (names?.map(sexp) ?? ["*"]))
    case .global(let names): return node("global", names)
    case .nonlocal(let names): return node("nonlocal", names)
    case .delete(let targets): return node("del", targets.map(sexp))
    case .assert(let test, let message): return node("assert", [sexp(test), sexp(message)])
    case .tryStatement(let body, let handlers, let orElse, let finally):
        var items = [block("body", body)]
        for h in handlers { items.append(node("except", [sexp(h.type), h.name ?? "_"] + h.body.map(sexp))) }
        if !orElse.isEmpty { items.append(block("else", orElse)) }
        if !finally.isEmpty { items.append(block("finally", finally)) }
        return node("try", items)
    case .raise(let e, let cause): return node("raise", [sexp(e), sexp(cause)])
    case .with(let items, let body):
        return node("with", items.map { node("item", [sexp($0.context), sexp($0.target)]) } + [block("do", body)])
    case .matchStatement(let subject, let cases):
        return node("match", [sexp(subject)] + cases.map { c in
            node("case", [sexp(c.pattern)] + (c.guardTest.map { [node("if", [sexp($0)])] } ?? []) + c.body.map(sexp))
        })
    case .rule(let r):
        var items = [r.name ?? "_"]
        if let doc = r.docstring { items.append("doc=" + doc.debugDescription) }
        items += r.directives.map(sexp)
        return node(r.kind.rawValue, items)
    case .workflowDirective(let d): return sexp(d)
    case .module(let m): return node("module", [m.name] + m.directives.map(sexp))
    case .useRule(let u):
        var items = [node("rules", u.rules)]
        if let m = u.fromModule { items.append(node("from", [m])) }
        if !u.exclude.isEmpty { items.append(node("exclude", u.exclude)) }
        if let a = u.asName { items.append(node("as", [a])) }
        if !u.overrides.isEmpty { items.append(node("with", u.overrides.map(sexp))) }
        return node("use", items)
    }
}

func sexp(_ p: Pattern) -> String {
    switch p {
    case .wildcard: return "_"
    case .capture(let n): return "$" + n
    case .value(let e): return sexp(e)
    case .sequence(let items): return node("seq", items.map(sexp))
    case .star(let n): return "*" + (n ?? "_")
    case .mapping(let keys, let values, let rest):
        return node("map", zip(keys, values).map { node(":", [sexp($0), sexp($1)]) } + (rest.map { ["**" + $0] } ?? []))
    case .classPattern(let cls, let positional, let keywords):
        return node("cls", [sexp(cls)] + positional.map(sexp) + keywords.map { "\($0.name)=" + sexp($0.pattern) })
    case .or(let options): return node("|", options.map(sexp))
    case .capturing(let inner, let name): return node("as", [sexp(inner), name])
    }
}

func sexp(_ name: ImportName) -> String { name.asName.map { "(as \(name.name) \($0))" } ?? name.name }

func sexp(_ d: Directive) -> String {
    switch d.content {
    case .arguments(let args): return node(d.name + ":", args.map(sexp))
    case .block(let body, _): return block(d.name + ":", body)
    }
}
