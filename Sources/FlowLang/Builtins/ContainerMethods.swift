// Methods of list, tuple, dict, set/frozenset, int and float, and the dispatch from
// `value.name(...)` to them (also used for unbound forms such as `str.strip(x)` and `dict.fromkeys`).

import FlowSyntax

extension Interpreter {
    static let listMethodNames: Set<String> = ["append", "extend", "insert", "pop", "remove", "index", "count", "sort",
                                               "reverse", "copy", "clear"]
    static let tupleMethodNames: Set<String> = ["index", "count"]
    static let dictMethodNames: Set<String> = ["get", "keys", "values", "items", "pop", "popitem", "setdefault", "update",
                                               "copy", "clear", "fromkeys"]
    static let setMethodNames: Set<String> = ["add", "remove", "discard", "pop", "union", "intersection", "difference",
                                              "symmetric_difference", "update", "intersection_update", "difference_update",
                                              "symmetric_difference_update", "issubset", "issuperset", "isdisjoint",
                                              "copy", "clear"]
    static let intMethodNames: Set<String> = ["bit_length", "conjugate", "is_integer", "as_integer_ratio", "to_bytes", "bit_count"]
    static let floatMethodNames: Set<String> = ["is_integer", "conjugate", "as_integer_ratio", "hex"]

    func builtinMethodNames(_ v: Value) -> [String] {
        switch v {
        case .str: return Array(Interpreter.strMethodNames)
        case .list: return Array(Interpreter.listMethodNames)
        case .tuple: return Array(Interpreter.tupleMethodNames)
        case .dict: return Array(Interpreter.dictMethodNames)
        case .set(let s): return s.frozen ? ["copy", "union", "intersection", "difference", "symmetric_difference", "issubset", "issuperset", "isdisjoint"] : Array(Interpreter.setMethodNames)
        case .int, .bool: return Array(Interpreter.intMethodNames)
        case .float: return Array(Interpreter.floatMethodNames)
        default: return []
        }
    }

    func hasBuiltinMethod(_ v: Value, _ name: String) -> Bool {
        switch v {
        case .str: return Interpreter.strMethodNames.contains(name)
        case .list: return Interpreter.listMethodNames.contains(name)
        case .tuple: return Interpreter.tupleMethodNames.contains(name)
        case .dict: return Interpreter.dictMethodNames.contains(name)
        case .set: return builtinMethodNames(v).contains(name)
        case .int, .bool: return Interpreter.intMethodNames.contains(name)
        case .float: return Interpreter.floatMethodNames.contains(name)
        default: return false
        }
    }

    /// `value.name(*args)` for builtin values.
    func callMethod(_ v: Value, _ name: String, _ a: Arguments) throws -> Value {
        var result: Value?
        switch v {
        case .str(let s): result = try strMethod(s, name, a) ?? dunderMethod(v, name, a)
        case .list(let l): result = try listMethod(l, name, a)
        case .tuple(let t): result = try tupleMethod(t, name, a)
        case .dict(let d): result = try dictMethod(d, name, a)
        case .set(let s): result = hasBuiltinMethod(v, name) ? try setMethod(s, name, a) : nil
        case .int, .bool, .float: result = try numberMethod(v, name, a)
        case .object: return try callValue(try getAttribute(v, name), a)
        case .none: result = nil
        }
        if let result { return result }
        throw attributeError(v, name)
    }

    private func dunderMethod(_ v: Value, _ name: String, _ a: Arguments) throws -> Value? {
        let p = a.positional
        switch name {
        case "__len__": return .int(try length(v))
        case "__contains__": return .bool(try contains(v, try one(a, name)))
        case "__getitem__": return try subscriptValue(v, try one(a, name))
        case "__add__": return try binaryOp(.add, v, try one(a, name))
        case "__mod__": return try binaryOp(.modulo, v, try one(a, name))
        case "__eq__": return p.count == 1 ? .bool(try valuesEqual(v, p[0])) : nil
        default: return nil
        }
    }

    /// `str.strip`, `dict.fromkeys`, `list.append` read from the type object.
    func unboundBuiltinMethod(typeName: String, _ name: String) -> Value? {
        if typeName == "dict" && name == "fromkeys" {
            return .object(BuiltinFunction("fromkeys") { a, i in try i.dictFromKeys(a) })
        }
        if typeName == "str" && name == "maketrans" {
            return .object(BuiltinFunction("maketrans") { a, i in try i.makeTranslation(a.positional) })
        }
        let sample: Value?
        switch typeName {
        case "str": sample = .str("")
        case "list": sample = .list(PyList())
        case "tuple": sample = .tuple([])
        case "dict": sample = .dict(PyDict())
        case "set": sample = .set(PySet())
        case "frozenset": sample = .set(PySet(frozen: true))
        case "int": sample = .int(0)
        case "float": sample = .float(0)
        default: sample = nil
        }
        guard let sample, hasBuiltinMethod(sample, name) else { return nil }
        return .object(BuiltinFunction(name) { a, i in
            guard let receiver = a.positional.first else {
                throw PyError.type("unbound method \(typeName).\(name)() needs an argument")
            }
            return try i.callMethod(receiver, name, Arguments(Array(a.positional.dropFirst()), keywords: a.keywords))
        })
    }

    private func dictFromKeys(_ a: Arguments) throws -> Value {
        let d = PyDict()
        let value = a.positional.count > 1 ? a.positional[1] : .none
        for k in try iterateValues(try required(a, 0, "iterable", "fromkeys")) { d.set(try HashKey(k), value) }
        return .dict(d)
    }

    private func listMethod(_ l: PyList, _ name: String, _ a: Arguments) throws -> Value? {
        let p = a.positional
        switch name {
        case "append": l.items.append(try one(a, "list.append")); return Value.none
        case "extend": l.items.append(contentsOf: try iterateValues(try one(a, "list.extend"))); return Value.none
        case "insert":
            guard p.count == 2 else { throw PyError.type("insert expected 2 arguments, got \(p.count)") }
            var i = try intArgument(p[0])
            if i < 0 { i = max(0, i + l.items.count) }
            l.items.insert(p[1], at: min(i, l.items.count))
            return Value.none
        case "pop":
            if l.items.isEmpty { throw PyError.index("pop from empty list") }
            guard let index = p.first else { return l.items.removeLast() }
            var i = try intArgument(index)
            if i < 0 { i += l.items.count }
            guard i >= 0 && i < l.items.count else { throw PyError.index("pop index out of range") }
            return l.items.remove(at: i)
        case "remove":
            let x = try one(a, "list.remove")
            for (i, v) in l.items.enumerated() where try valuesEqual(v, x) {
                l.items.remove(at: i)
                return Value.none
            }
            throw PyError.value("list.remove(x): x not in list")
        case "index": return try sequenceIndexOf(l.items, a, "list")
        case "count": return .int(try countEqual(l.items, try one(a, "count")))
        case "sort":
            for k in a.keywords where k.name != "key" && k.name != "reverse" {
                throw PyError.type("sort() got an unexpected keyword argument '\(k.name)'")
            }
            if !p.isEmpty { throw PyError.type("sort() takes no positional arguments") }
            let reverse = try a.keyword("reverse").map { try isTruthy($0) } ?? false
            l.items = try sortValues(l.items, key: a.keyword("key"), reverse: reverse)
            return Value.none
        case "reverse": l.items.reverse(); return Value.none
        case "copy": return .list(PyList(l.items))
        case "clear": l.items.removeAll(); return Value.none
        default: return try dunderMethod(.list(l), name, a)
        }
    }

    private func tupleMethod(_ t: [Value], _ name: String, _ a: Arguments) throws -> Value? {
        switch name {
        case "index": return try sequenceIndexOf(t, a, "tuple")
        case "count": return .int(try countEqual(t, try one(a, "count")))
        default: return try dunderMethod(.tuple(t), name, a)
        }
    }

    private func sequenceIndexOf(_ items: [Value], _ a: Arguments, _ what: String) throws -> Value {
        guard let x = a.positional.first else { throw PyError.type("index expected at least 1 argument, got 0") }
        var lo = a.positional.count > 1 ? try intArgument(a.positional[1]) : 0
        var hi = a.positional.count > 2 ? try intArgument(a.positional[2]) : items.count
        if lo < 0 { lo = max(0, lo + items.count) }
        if hi < 0 { hi = max(0, hi + items.count) }
        hi = min(hi, items.count)
        if lo < hi { for i in lo..<hi where try valuesEqual(items[i], x) { return .int(i) } }
        throw PyError.value(what == "list" ? "\(try reprValue(x)) is not in list" : "tuple.index(x): x not in tuple")
    }

    private func countEqual(_ items: [Value], _ x: Value) throws -> Int {
        var n = 0
        for v in items where try valuesEqual(v, x) { n += 1 }
        return n
    }

    private func dictMethod(_ d: PyDict, _ name: String, _ a: Arguments) throws -> Value? {
        let p = a.positional
        switch name {
        case "get":
            guard let k = p.first else { throw PyError.type("get expected at least 1 argument, got 0") }
            return d.get(try HashKey(k)) ?? (p.count > 1 ? p[1] : .none)
        case "keys": return .object(DictView(d, .keys))
        case "values": return .object(DictView(d, .values))
        case "items": return .object(DictView(d, .items))
        case "pop":
            guard let k = p.first else { throw PyError.type("pop expected at least 1 argument, got 0") }
            if let v = d.remove(try HashKey(k)) { return v }
            if p.count > 1 { return p[1] }
            throw keyError(k)
        case "popitem":
            guard let last = d.keys.last else { throw PyError.key("'popitem(): dictionary is empty'") }
            let v = d.remove(HashKey(unchecked: last)) ?? Value.none
            return .tuple([last, v])
        case "setdefault":
            guard let k = p.first else { throw PyError.type("setdefault expected at least 1 argument, got 0") }
            let key = try HashKey(k)
            if let v = d.get(key) { return v }
            let v = p.count > 1 ? p[1] : .none
            d.set(key, v)
            return v
        case "update":
            if let source = p.first { try updateDict(d, from: source) }
            for (k, v) in a.keywords { d.set(k, v) }
            return Value.none
        case "copy": return .dict(d.copy())
        case "clear": d.removeAll(); return Value.none
        case "fromkeys": return try dictFromKeys(a)
        default: return try dunderMethod(.dict(d), name, a)
        }
    }

    private func setMethod(_ s: PySet, _ name: String, _ a: Arguments) throws -> Value? {
        let p = a.positional
        func others() throws -> [PySet] { try p.map { try makeSet(try iterateValues($0)) } }
        func combine(_ op: BinaryOperator) throws -> PySet {
            var result = Value.set(s.copy())
            for o in try others() { result = try binaryOp(op, result, .set(o)) }
            guard case .set(let r) = result else { return s }
            return r
        }
        func replaceContents(_ r: PySet) {
            for e in s.elements { s.remove(HashKey(unchecked: e)) }
            for e in r.elements { s.insert(HashKey(unchecked: e)) }
        }
        switch name {
        case "add": s.insert(try HashKey(try one(a, "add"))); return Value.none
        case "remove":
            let x = try one(a, "remove")
            if !s.remove(try HashKey(x)) { throw keyError(x) }
            return Value.none
        case "discard": s.remove(try HashKey(try one(a, "discard"))); return Value.none
        case "pop":
            guard let first = s.elements.first else { throw PyError.key("'pop from an empty set'") }
            s.remove(HashKey(unchecked: first))
            return first
        case "union": return .set(try combine(.bitOr))
        case "intersection": return .set(try combine(.bitAnd))
        case "difference": return .set(try combine(.subtract))
        case "symmetric_difference": return .set(try combine(.bitXor))
        case "update": for o in try others() { for e in o.elements { s.insert(HashKey(unchecked: e)) } }; return Value.none
        case "intersection_update": replaceContents(try combine(.bitAnd)); return Value.none
        case "difference_update": replaceContents(try combine(.subtract)); return Value.none
        case "symmetric_difference_update": replaceContents(try combine(.bitXor)); return Value.none
        case "issubset": return .bool(try compareOrder(.lessEqual, .set(s), .set(try makeSet(try iterateValues(try one(a, name))))))
        case "issuperset": return .bool(try compareOrder(.greaterEqual, .set(s), .set(try makeSet(try iterateValues(try one(a, name))))))
        case "isdisjoint":
            let o = try makeSet(try iterateValues(try one(a, name)))
            return .bool(!s.elements.contains { o.contains(HashKey(unchecked: $0)) })
        case "copy": return .set(s.copy())
        case "clear": for e in s.elements { s.remove(HashKey(unchecked: e)) }; return Value.none
        default: return nil
        }
    }

    private func numberMethod(_ v: Value, _ name: String, _ a: Arguments) throws -> Value? {
        switch (v.numericPromoted, name) {
        case (.int(let i), "bit_length"): return .int(i == 0 ? 0 : Int.bitWidth - i.magnitude.leadingZeroBitCount)
        case (.int(let i), "bit_count"): return .int(i.magnitude.nonzeroBitCount)
        case (.int, "conjugate"), (.float, "conjugate"): return v.numericPromoted
        case (.int, "is_integer"): return .true
        case (.int(let i), "as_integer_ratio"): return .tuple([.int(i), .int(1)])
        case (.float(let d), "is_integer"): return .bool(d.isFinite && d.rounded() == d)
        case (.float(let d), "as_integer_ratio"):
            guard d.isFinite else { throw PyError.value("cannot convert \(formatFloatRepr(d)) to integer ratio") }
            var num = d, den = 1
            while num.rounded() != num { num *= 2; den = try checked(den.multipliedReportingOverflow(by: 2)) }
            return .tuple([.int(try floatToInt(num)), .int(den)])
        default: return nil
        }
    }
}
