// List/set/dict comprehensions and generator expressions. Each runs in its own scope (its loop
// variables do not leak); the outermost iterable is evaluated in the enclosing scope as in
// Python. Generator expressions are evaluated eagerly into an iterator over the results.

import FlowSyntax

extension Interpreter {
    func evalComprehension(_ kind: ComprehensionKind, _ element: Expr, _ clauses: [ComprehensionClause], _ scope: Scope) throws -> Value {
        var results: [Value] = []
        try runComprehension(clauses, scope) { inner in results.append(try eval(element, inner)) }
        switch kind {
        case .list: return .list(PyList(results))
        case .set: return .set(try makeSet(results))
        case .generator: return .object(SequenceIterator(results, typeName: "generator"))
        }
    }

    func evalDictComprehension(_ key: Expr, _ value: Expr, _ clauses: [ComprehensionClause], _ scope: Scope) throws -> Value {
        let d = PyDict()
        try runComprehension(clauses, scope) { inner in
            let k = try eval(key, inner)
            d.set(try HashKey(k), try eval(value, inner))
        }
        return .dict(d)
    }

    private func runComprehension(_ clauses: [ComprehensionClause], _ scope: Scope, _ produce: (Scope) throws -> Void) throws {
        let inner = Scope(kind: .comprehension, vars: [:], globals: scope.globals, enclosing: scope.capturable,
                          code: nil, file: scope.file, function: nil)
        try runClause(clauses, 0, inner, outer: scope, produce)
    }

    private func runClause(_ clauses: [ComprehensionClause], _ index: Int, _ inner: Scope, outer: Scope,
                           _ produce: (Scope) throws -> Void) throws {
        guard index < clauses.count else { return try produce(inner) }
        switch clauses[index] {
        case .ifCondition(let condition):
            if try isTruthy(try eval(condition, inner)) { try runClause(clauses, index + 1, inner, outer: outer, produce) }
        case .forIn(let target, let iterableExpr):
            let iterable = try eval(iterableExpr, index == 0 ? outer : inner)
            try forEach(iterable) { v in
                try assignTarget(target, v, inner)
                try runClause(clauses, index + 1, inner, outer: outer, produce)
                return true
            }
        }
    }

    /// Iterates any iterable, calling `body` until it returns false. Lists are walked live by index
    /// (appending while iterating behaves as in Python); ranges are not materialised.
    func forEach(_ iterable: Value, _ body: (Value) throws -> Bool) throws {
        switch iterable {
        case .list(let l):
            var i = 0
            while i < l.items.count {
                if !(try body(l.items[i])) { return }
                i += 1
            }
        case .tuple(let t):
            for v in t where !(try body(v)) { return }
        case .object(let o):
            if let r = o as? PyRange {
                var i = 0
                let n = r.count
                while i < n {
                    if !(try body(.int(r.element(i)))) { return }
                    i += 1
                }
                return
            }
            if o is PyInstance || o is PyIterable || o is PyIterator {
                let iterator = try makeValueIterator(iterable)
                while let v = try iterator.next(interpreter: self) {
                    if !(try body(v)) { return }
                }
                return
            }
            for v in try iterateValues(iterable) where !(try body(v)) { return }
        default:
            for v in try iterateValues(iterable) where !(try body(v)) { return }
        }
    }
}
