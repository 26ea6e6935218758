// Truth, equality, ordering, identity and membership with Python's rules: numbers compare across
// int/float/bool, sequences compare lexicographically, sets order by inclusion, str-like host
// objects behave as str, and user classes take part through __eq__/__lt__/__bool__/__contains__.

import FlowSyntax

extension Interpreter {
    func isTruthy(_ value: Value) throws -> Bool {
        switch value {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .str(let s): return !s.isEmpty
        case .list(let l): return !l.items.isEmpty
        case .tuple(let t): return !t.isEmpty
        case .dict(let d): return d.count != 0
        case .set(let s): return s.count != 0
        case .object(let o):
            if let inst = o as? PyInstance { return try instanceTruthy(inst) }
            return try o.truthy(interpreter: self)
        }
    }

    func valuesEqual(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.str(let x), .str(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.int, .float), (.float, .int), (.bool, .int), (.int, .bool), (.bool, .float), (.float, .bool):
            return numericEquals(a, b)
        case (.list(let x), .list(let y)):
            if x === y { return true }
            return try sequencesEqual(x.items, y.items)
        case (.tuple(let x), .tuple(let y)): return try sequencesEqual(x, y)
        case (.dict(let x), .dict(let y)):
            if x === y { return true }
            guard x.count == y.count else { return false }
            for i in 0..<x.count {
                guard let other = y.get(HashKey(unchecked: x.keys[i])) else { return false }
                if !(try valuesEqual(x.values[i], other)) { return false }
            }
            return true
        case (.set(let x), .set(let y)):
            return x.count == y.count && x.elements.allSatisfy { y.contains(HashKey(unchecked: $0)) }
        case (.object(let o), _):
            return try objectEquals(o, a, b, reflected: false)
        case (_, .object(let o)):
            return try objectEquals(o, b, a, reflected: true)
        default: return false
        }
    }

    private func objectEquals(_ o: PyObject, _ selfValue: Value, _ other: Value, reflected: Bool) throws -> Bool {
        if case .object(let p) = other, p === o { return true }
        if let inst = o as? PyInstance, let result = try instanceBinaryDunder(inst, "__eq__", other) {
            return try isTruthy(result)
        }
        if case .object(let p) = other, let inst = p as? PyInstance,
           let result = try instanceBinaryDunder(inst, "__eq__", selfValue) {
            return try isTruthy(result)
        }
        if let s = o as? PyStringLike {
            if let t = other.stringValue { return s.stringValue == t }
        }
        if case .object(let p) = other {
            if let x = o as? PyHashable, let y = p as? PyHashable { return x.pyEquals(y) }
        }
        if let view = o as? DictView, case .object(let p) = other, let otherView = p as? DictView {
            return try view.equals(otherView, interpreter: self)
        }
        return false
    }

    private func numericEquals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .bool(let y)), (.bool(let y), .int(let x)): return x == (y ? 1 : 0)
        default:
            guard let x = a.asDouble, let y = b.asDouble else { return false }
            if case .int(let i) = a, case .float(let f) = b { return exactIntFloatEqual(i, f) }
            if case .float(let f) = a, case .int(let i) = b { return exactIntFloatEqual(i, f) }
            return x == y
        }
    }

    private func exactIntFloatEqual(_ i: Int, _ f: Double) -> Bool {
        guard f.isFinite, f.rounded() == f, abs(f) < 9.3e18 else { return false }
        if abs(f) >= 9.2e18 { return Double(i) == f }
        return Int(f) == i
    }

    private func sequencesEqual(_ x: [Value], _ y: [Value]) throws -> Bool {
        guard x.count == y.count else { return false }
        for i in x.indices where !(try valuesEqual(x[i], y[i])) { return false }
        return true
    }

    /// `<`, `<=`, `>`, `>=`.
    func compareOrder(_ op: CompareOperator, _ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return intCompare(op, x, y)
        case (.str(let x), .str(let y)): return stringCompare(op, x, y)
        case (.float(let x), .float(let y)): return doubleCompare(op, x, y)
        case (.int, .float), (.float, .int), (.bool, _), (_, .bool):
            if case .int(let x) = a.numericPromoted, case .int(let y) = b.numericPromoted { return intCompare(op, x, y) }
            if let x = a.asDouble, let y = b.asDouble { return doubleCompare(op, x, y) }
        case (.list(let x), .list(let y)): return try sequenceCompare(op, x.items, y.items)
        case (.tuple(let x), .tuple(let y)): return try sequenceCompare(op, x, y)
        case (.set(let x), .set(let y)):
            let subset = x.elements.allSatisfy { y.contains(HashKey(unchecked: $0)) }
            let superset = y.elements.allSatisfy { x.contains(HashKey(unchecked: $0)) }
            switch op {
            case .less: return subset && x.count < y.count
            case .lessEqual: return subset
            case .greater: return superset && x.count > y.count
            default: return superset
            }
        default: break
        }
        if let x = a.stringValue, let y = b.stringValue { return stringCompare(op, x, y) }
        if let result = try instanceCompare(op, a, b) { return result }
        throw PyError.type("'\(op.rawValue)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
    }

    private func instanceCompare(_ op: CompareOperator, _ a: Value, _ b: Value) throws -> Bool? {
        let (name, reflected): (String, String) = {
            switch op {
            case .less: return ("__lt__", "__gt__")
            case .lessEqual: return ("__le__", "__ge__")
            case .greater: return ("__gt__", "__lt__")
            default: return ("__ge__", "__le__")
            }
        }()
        if case .object(let o) = a, let inst = o as? PyInstance, let r = try instanceBinaryDunder(inst, name, b) {
            return try isTruthy(r)
        }
        if case .object(let o) = b, let inst = o as? PyInstance, let r = try instanceBinaryDunder(inst, reflected, a) {
            return try isTruthy(r)
        }
        return nil
    }

    private func sequenceCompare(_ op: CompareOperator, _ x: [Value], _ y: [Value]) throws -> Bool {
        let n = min(x.count, y.count)
        for i in 0..<n where !(try valuesEqual(x[i], y[i])) {
            return try compareOrder(op, x[i], y[i])
        }
        return intCompare(op, x.count, y.count)
    }

    /// `a is b`
    func isIdentical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
        case (.str(let x), .str(let y)): return x == y
        case (.list(let x), .list(let y)): return x === y
        case (.dict(let x), .dict(let y)): return x === y
        case (.set(let x), .set(let y)): return x === y
        case (.tuple(let x), .tuple(let y)): return x.isEmpty && y.isEmpty
        case (.object(let x), .object(let y)): return x === y
        default: return false
        }
    }

    /// `item in container`
    func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .str(let s):
            guard let sub = item.stringValue else {
                throw PyError.type("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return sub.isEmpty || s.contains(sub)
        case .list(let l):
            for x in l.items where try valuesEqual(x, item) { return true }
            return false
        case .tuple(let t):
            for x in t where try valuesEqual(x, item) { return true }
            return false
        case .dict(let d): return d.get(try HashKey(item)) != nil
        case .set(let s): return s.contains(try HashKey(item))
        case .object(let o):
            if let inst = o as? PyInstance, let r = try instanceContains(inst, item) { return r }
            if let c = o as? PyContainer { return try c.contains(item, interpreter: self) }
            if let s = o as? PyStringLike { return try contains(.str(s.stringValue), item) }
            if o is PyIterable || o is PyInstance {
                for x in try iterateValues(container) where try valuesEqual(x, item) { return true }
                return false
            }
        default: break
        }
        throw PyError.type("argument of type '\(container.typeName)' is not iterable")
    }
}

@inline(__always) func intCompare(_ op: CompareOperator, _ x: Int, _ y: Int) -> Bool {
    switch op {
    case .less: return x < y
    case .lessEqual: return x <= y
    case .greater: return x > y
    default: return x >= y
    }
}

@inline(__always) func doubleCompare(_ op: CompareOperator, _ x: Double, _ y: Double) -> Bool {
    switch op {
    case .less: return x < y
    case .lessEqual: return x <= y
    case .greater: return x > y
    default: return x >= y
    }
}

/// Python orders strings by code point, which is UTF-8 byte order.
func stringCompare(_ op: CompareOperator, _ x: String, _ y: String) -> Bool {
    if x == y { return op == .lessEqual || op == .greaterEqual }
    let less = x.utf8.lexicographicallyPrecedes(y.utf8)
    switch op {
    case .less, .lessEqual: return less
    default: return !less
    }
}

extension Value {
    /// int/bool/float as Double.
    var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// bool as int; other values unchanged.
    var numericPromoted: Value {
        if case .bool(let b) = self { return .int(b ? 1 : 0) }
        return self
    }
}
