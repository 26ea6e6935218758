// Name resolution: module, function, class-body and comprehension scopes, and the static analysis
// of a function body that decides which names are local (Python decides at compile time, so
// `x = 1` anywhere in a function makes `x` local everywhere in it).
//
// Closures capture their enclosing function's Scope object itself, which gives Python's late
// binding for free. Class bodies are never captured: methods see the scope around the class.

import FlowSyntax

final class Scope {
    enum Kind { case module, function, classBody, comprehension }

    let kind: Kind
    /// Local storage (unused for `.module`, whose names live in `globals`).
    var vars: [String: Value]
    let globals: PyDict
    /// The enclosing function/comprehension scope (nil: next is globals).
    let enclosing: Scope?
    let code: FunctionCode?
    let file: SourceFile
    /// The running function (for zero-argument `super()`).
    let function: PyFunction?
    /// Values produced by `yield` in a generator function (collected eagerly).
    var yielded: [Value]?
    /// The qualified name of the class being defined (class bodies only), for methods' `__qualname__`.
    var className = ""

    init(module globals: PyDict, file: SourceFile) {
        kind = .module; vars = [:]; self.globals = globals; enclosing = nil; code = nil
        self.file = file; function = nil
    }

    /// A function-like scope with preset locals and no static analysis (host `evaluate(locals:)`).
    init(locals: [String: Value], globals: PyDict, file: SourceFile) {
        kind = .function; vars = locals; self.globals = globals; enclosing = nil; code = nil
        self.file = file; function = nil
    }

    init(kind: Kind, vars: [String: Value], globals: PyDict, enclosing: Scope?, code: FunctionCode?,
         file: SourceFile, function: PyFunction?) {
        self.kind = kind; self.vars = vars; self.globals = globals; self.enclosing = enclosing
        self.code = code; self.file = file; self.function = function
    }

    /// The scope that nested functions and comprehensions capture (class bodies are skipped).
    var capturable: Scope? {
        switch kind {
        case .module: return nil
        case .classBody: return enclosing
        case .function, .comprehension: return self
        }
    }
}

extension Interpreter {
    func lookupName(_ name: String, _ scope: Scope) throws -> Value {
        if scope.kind != .module {
            if let code = scope.code, code.globals.contains(name) { return try lookupGlobal(name, scope.globals) }
            var s: Scope? = scope
            var first = true
            while let current = s {
                if current.kind == .module { break }
                if let v = current.vars[name] { return v }
                if first, let code = current.code, code.locals.contains(name) {
                    throw PyError("UnboundLocalError", "cannot access local variable '\(name)' where it is not associated with a value")
                }
                first = false
                s = current.enclosing
            }
        }
        return try lookupGlobal(name, scope.globals)
    }

    @inline(__always)
    func lookupGlobal(_ name: String, _ globals: PyDict) throws -> Value {
        if let v = globals.get(name) { return v }
        if let v = builtins[name] { return v }
        throw PyError.name("name '\(name)' is not defined")
    }

    func assignName(_ name: String, _ value: Value, _ scope: Scope) {
        switch scope.kind {
        case .module:
            scope.globals.set(name, value)
        case .classBody:
            scope.vars[name] = value
        case .function, .comprehension:
            if let code = scope.code {
                if code.globals.contains(name) { scope.globals.set(name, value); return }
                if code.nonlocals.contains(name), let owner = nonlocalOwner(name, scope) {
                    owner.vars[name] = value
                    return
                }
            }
            scope.vars[name] = value
        }
    }

    /// `name := value` binds in the nearest non-comprehension scope.
    func assignWalrus(_ name: String, _ value: Value, _ scope: Scope) {
        var s = scope
        while s.kind == .comprehension, let e = s.enclosing { s = e }
        if s.kind == .comprehension { s.globals.set(name, value) } else { assignName(name, value, s) }
    }

    func deleteName(_ name: String, _ scope: Scope) throws {
        switch scope.kind {
        case .module:
            if scope.globals.remove(HashKey(unchecked: .str(name))) == nil {
                throw PyError.name("name '\(name)' is not defined")
            }
        default:
            if let code = scope.code, code.globals.contains(name) {
                if scope.globals.remove(HashKey(unchecked: .str(name))) == nil {
                    throw PyError.name("name '\(name)' is not defined")
                }
                return
            }
            if scope.vars.removeValue(forKey: name) == nil {
                throw PyError.name("name '\(name)' is not defined")
            }
        }
    }

    private func nonlocalOwner(_ name: String, _ scope: Scope) -> Scope? {
        var s = scope.enclosing
        while let current = s, current.kind != .module {
            if current.vars[name] != nil || current.code?.locals.contains(name) == true { return current }
            s = current.enclosing
        }
        return nil
    }
}

// MARK: - Static analysis of function bodies

struct CodeKey: Hashable {
    let file: ObjectIdentifier
    let line: Int
    let column: Int
}

/// What the evaluator needs to know about a `def` or `lambda` before running it.
final class FunctionCode {
    let name: String
    let parameters: Parameters
    let body: [Stmt]
    /// The expression of a lambda (body is empty then).
    let lambdaBody: Expr?
    let docstring: String?
    /// Names assigned anywhere in the body (and parameters), minus global/nonlocal declarations.
    var locals: Set<String> = []
    var globals: Set<String> = []
    var nonlocals: Set<String> = []
    var isGenerator = false
    /// Parameter layout for binding.
    let positionalNames: [String]
    let varArgsName: String?
    let keywordOnly: [Parameter]
    let varKeywordsName: String?

    init(name: String, parameters: Parameters, body: [Stmt], lambdaBody: Expr?, docstring: String?) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.lambdaBody = lambdaBody
        self.docstring = docstring
        positionalNames = parameters.filter { if case .normal = $0.kind { return true } else { return false } }.map(\.name)
        varArgsName = parameters.first { if case .varArgs = $0.kind { return true } else { return false } }?.name
        keywordOnly = parameters.filter { if case .keywordOnly = $0.kind { return true } else { return false } }
        varKeywordsName = parameters.first { if case .varKeywords = $0.kind { return true } else { return false } }?.name
        var analysis = NameAnalysis()
        for p in parameters { analysis.assigned.insert(p.name) }
        if let lambdaBody { analysis.expression(lambdaBody) } else { analysis.statements(body) }
        globals = analysis.globals
        nonlocals = analysis.nonlocals
        locals = analysis.assigned.subtracting(analysis.globals).subtracting(analysis.nonlocals)
        isGenerator = analysis.yields
    }
}

/// Collects assigned names, declarations and `yield`s of one function body (not nested ones).
struct NameAnalysis {
    var assigned: Set<String> = []
    var globals: Set<String> = []
    var nonlocals: Set<String> = []
    var yields = false

    mutating func statements(_ body: [Stmt]) {
        for s in body { statement(s) }
    }

    mutating func statement(_ s: Stmt) {
        switch s.kind {
        case .expression(let e): expression(e)
        case .assign(let targets, let value):
            for t in targets { target(t) }
            expression(value)
        case .augmentedAssign(let t, _, let value): target(t); expression(value)
        case .annotatedAssign(let t, _, let value):
            if value != nil { target(t) }
            if let value { expression(value) }
        case .functionDef(let def):
            assigned.insert(def.name)
            for d in def.decorators { expression(d) }
            for p in def.parameters { if let d = p.defaultValue { expression(d) } }
        case .classDef(let cls):
            assigned.insert(cls.name)
            for d in cls.decorators { expression(d) }
        case .return(let e): if let e { expression(e) }
        case .ifStatement(let test, let body, let orElse):
            expression(test); statements(body); statements(orElse)
        case .forLoop(let t, let iterable, let body, let orElse):
            target(t); expression(iterable); statements(body); statements(orElse)
        case .whileLoop(let test, let body, let orElse):
            expression(test); statements(body); statements(orElse)
        case .importModules(let names):
            for n in names { assigned.insert(n.asName ?? String(n.name.split(separator: ".").first ?? "")) }
        case .importFrom(_, _, let names):
            for n in names ?? [] { assigned.insert(n.asName ?? n.name) }
        case .global(let names): globals.formUnion(names)
        case .nonlocal(let names): nonlocals.formUnion(names)
        case .delete(let targets): for t in targets { target(t) }
        case .assert(let e, let m): expression(e); if let m { expression(m) }
        case .tryStatement(let body, let handlers, let orElse, let finally):
            statements(body)
            for h in handlers {
                if let n = h.name { assigned.insert(n) }
                if let t = h.type { expression(t) }
                statements(h.body)
            }
            statements(orElse); statements(finally)
        case .raise(let e, let c): if let e { expression(e) }; if let c { expression(c) }
        case .with(let items, let body):
            for i in items { expression(i.context); if let t = i.target { target(t) } }
            statements(body)
        case .matchStatement(let subject, let cases):
            expression(subject)
            for c in cases {
                assigned.formUnion(c.pattern.boundNames)
                if let g = c.guardTest { expression(g) }
                statements(c.body)
            }
        case .break, .continue, .pass, .rule, .workflowDirective, .module, .useRule: break
        }
    }

    mutating func target(_ e: Expr) {
        switch e.kind {
        case .name(let n): assigned.insert(n)
        case .tuple(let items), .list(let items): for i in items { target(i) }
        case .starred(let inner): target(inner)
        default: expression(e)
        }
    }

    /// Walks an expression for walrus targets and `yield` (not into lambdas).
    mutating func expression(_ e: Expr) {
        switch e.kind {
        case .name, .none, .bool, .ellipsis, .int, .float, .string, .lambda: break
        case .fstring(let parts): fstring(parts)
        case .list(let items), .tuple(let items), .set(let items): for i in items { expression(i) }
        case .dict(let items):
            for i in items {
                switch i {
                case .pair(let k, let v): expression(k); expression(v)
                case .unpack(let m): expression(m)
                }
            }
        case .attribute(let b, _): expression(b)
        case .subscript(let b, let i): expression(b); expression(i)
        case .slice(let l, let u, let s):
            if let l { expression(l) }; if let u { expression(u) }; if let s { expression(s) }
        case .call(let f, let args): expression(f); for a in args { expression(a.expr) }
        case .unary(_, let x), .starred(let x): expression(x)
        case .binary(_, let a, let b), .logical(_, let a, let b): expression(a); expression(b)
        case .compare(let first, let rest): expression(first); for (_, r) in rest { expression(r) }
        case .conditional(let t, let a, let b): expression(t); expression(a); expression(b)
        case .comprehension(_, let element, let clauses):
            expression(element); comprehension(clauses)
        case .dictComprehension(let k, let v, let clauses):
            expression(k); expression(v); comprehension(clauses)
        case .namedExpr(let n, let v): assigned.insert(n); expression(v)
        case .yield(let v): yields = true; if let v { expression(v) }
        }
    }

    private mutating func comprehension(_ clauses: [ComprehensionClause]) {
        for c in clauses {
            switch c {
            case .forIn(_, let iterable): expression(iterable)
            case .ifCondition(let cond): expression(cond)
            }
        }
    }

    private mutating func fstring(_ parts: [FStringPart]) {
        for p in parts {
            if case .expression(let e, _, let spec, _) = p {
                expression(e)
                if let spec { fstring(spec) }
            }
        }
    }
}
