// The `match` statement: the first case whose pattern matches the subject (and whose guard holds)
// runs. Names are bound only when the whole pattern matched, as PEP 634 allows.

import FlowSyntax

extension Interpreter {
    func executeMatch(_ subjectExpr: Expr, _ cases: [MatchCase], _ scope: Scope) throws -> Completion {
        let subject = try eval(subjectExpr, scope)
        for c in cases {
            var bindings: [(String, Value)] = []
            guard try match(c.pattern, subject, &bindings, scope) else { continue }
            for (name, value) in bindings { assignName(name, value, scope) }
            if let g = c.guardTest, !(try isTruthy(try eval(g, scope))) { continue }
            return try executeBlock(c.body, scope)
        }
        return .normal
    }

    private func match(_ pattern: Pattern, _ subject: Value, _ bindings: inout [(String, Value)], _ scope: Scope) throws -> Bool {
        switch pattern {
        case .wildcard:
            return true
        case .capture(let name):
            bindings.append((name, subject))
            return true
        case .capturing(let inner, let name):
            guard try match(inner, subject, &bindings, scope) else { return false }
            bindings.append((name, subject))
            return true
        case .value(let expr):
            let value = try eval(expr, scope)
            switch value {
            // None, True and False compare by identity (`case True` does not match 1).
            case .none: if case .none = subject { return true } else { return false }
            case .bool(let b): if case .bool(let s) = subject { return s == b } else { return false }
            default: return try equals(subject, value)
            }
        case .or(let options):
            for option in options {
                var attempt: [(String, Value)] = []
                if try match(option, subject, &attempt, scope) {
                    bindings += attempt
                    return true
                }
            }
            return false
        case .star:
            return false  // only inside a sequence
        case .sequence(let items):
            guard let elements = try sequenceItems(subject) else { return false }
            guard let starAt = items.firstIndex(where: { if case .star = $0 { return true }; return false }) else {
                guard elements.count == items.count else { return false }
                for (p, v) in zip(items, elements) where !(try match(p, v, &bindings, scope)) { return false }
                return true
            }
            let after = items.count - starAt - 1
            guard elements.count >= items.count - 1 else { return false }
            for i in 0..<starAt where !(try match(items[i], elements[i], &bindings, scope)) { return false }
            for k in 0..<after where !(try match(items[starAt + 1 + k], elements[elements.count - after + k], &bindings, scope)) {
                return false
            }
            if case .star(let name?) = items[starAt] {
                bindings.append((name, .list(PyList(Array(elements[starAt..<(elements.count - after)])))))
            }
            return true
        case .mapping(let keys, let values, let rest):
            guard case .dict(let d) = subject else { return false }
            var used: [HashKey] = []
            for (keyExpr, valuePattern) in zip(keys, values) {
                let key = try HashKey(try eval(keyExpr, scope))
                guard let v = d.get(key), try match(valuePattern, v, &bindings, scope) else { return false }
                used.append(key)
            }
            if let rest {
                let remaining = d.copy()
                for key in used { _ = remaining.remove(key) }
                bindings.append((rest, .dict(remaining)))
            }
            return true
        case .classPattern(let clsExpr, let positional, let keywords):
            let cls = try eval(clsExpr, scope)
            guard try isInstance(subject, cls) else { return false }
            var attributes: [(String, Pattern)] = []
            if !positional.isEmpty {
                if case .object(let o) = cls, let c = o as? PyClass, c.isBuiltin, Self.selfMatchingTypes.contains(c.name) {
                    // `str(x)`, `int(n)`: the one positional pattern matches the subject itself.
                    guard positional.count == 1 else { throw PyError.type("\(c.name)() accepts 1 positional sub-pattern (\(positional.count) given)") }
                    guard try match(positional[0], subject, &bindings, scope) else { return false }
                } else {
                    let names = try lookupAttribute(cls, "__match_args__").map { try iterate($0).map { try str($0) } } ?? []
                    guard positional.count <= names.count else {
                        throw PyError.type("\(cls.typeName)() accepts \(names.count) positional sub-patterns (\(positional.count) given)")
                    }
                    attributes += zip(names, positional).map { ($0, $1) }
                }
            }
            attributes += keywords.map { ($0.name, $0.pattern) }
            for (name, p) in attributes {
                guard let v = try? getAttribute(subject, name), try match(p, v, &bindings, scope) else { return false }
            }
            return true
        }
    }

    private static let selfMatchingTypes: Set<String> = ["bool", "bytearray", "bytes", "dict", "float", "frozenset", "int",
                                                         "list", "set", "str", "tuple"]

    /// The items of a subject that a sequence pattern may match: lists, tuples and host sequences,
    /// never strings, bytes or mappings.
    private func sequenceItems(_ subject: Value) throws -> [Value]? {
        switch subject {
        case .list(let l): return l.items
        case .tuple(let t): return t
        case .object(let o) where o is PySubscriptable && o is PySized && o is PyIterable && !(o is PyStringLike):
            return try iterate(subject)
        default: return nil
        }
    }
}
