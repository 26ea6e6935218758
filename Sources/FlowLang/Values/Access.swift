// Generic access to values: iteration, attributes (methods of builtin types are bound lazily),
// subscripts with Python's index/slice rules, item assignment/deletion, len() and calls.

import FlowSyntax

extension Interpreter {
    func iterateValues(_ value: Value) throws -> [Value] {
        switch value {
        case .list(let l): return l.items
        case .tuple(let t): return t
        case .str(let s): return s.unicodeScalars.map { .str(String($0)) }
        case .dict(let d): return d.keys
        case .set(let s): return s.elements
        case .object(let o):
            if let seq = o as? SequenceIterator {
                let rest = Array(seq.items[seq.position...])
                seq.position = seq.items.count
                return rest
            }
            if let r = o as? PyRange { return (0..<r.count).map { .int(r.element($0)) } }
            if let view = o as? DictView { return view.elements }
            let iterator = try makeValueIterator(value)
            var out: [Value] = []
            while let v = try iterator.next(interpreter: self) { out.append(v) }
            return out
        default:
            throw PyError.type("'\(value.typeName)' object is not iterable")
        }
    }

    /// A lazy iterator (for `iter()`/`next()` and host iterables).
    func makeValueIterator(_ value: Value) throws -> PyIterator {
        if case .object(let o) = value {
            if let inst = o as? PyInstance {
                if let method = userDunder(inst, "__iter__") {
                    let it = try callValue(method, Arguments())
                    if case .object(let io) = it, let i = io as? PyInstance, i === inst || userDunder(i, "__next__") != nil {
                        return InstanceIterator(i)
                    }
                    return try makeValueIterator(it)
                }
                if let getitem = userDunder(inst, "__getitem__") { return GetItemIterator(getitem) }
            }
            if let iterable = o as? PyIterable { return try iterable.makeIterator(interpreter: self) }
            if let it = o as? PyIterator { return it }
            if let s = o as? PyStringLike { return SequenceIterator(try iterateValues(.str(s.stringValue))) }
            throw PyError.type("'\(value.typeName)' object is not iterable")
        }
        return SequenceIterator(try iterateValues(value), typeName: value.typeName + "_iterator")
    }

    func length(_ value: Value) throws -> Int {
        switch value {
        case .str(let s): return s.unicodeScalars.count
        case .list(let l): return l.items.count
        case .tuple(let t): return t.count
        case .dict(let d): return d.count
        case .set(let s): return s.count
        case .object(let o):
            if let inst = o as? PyInstance, let method = userDunder(inst, "__len__") {
                guard case .int(let n) = try callValue(method, Arguments()) else {
                    throw PyError.type("'\(value.typeName)' object cannot be interpreted as an integer")
                }
                return n
            }
            if let sized = o as? PySized { return try sized.length(interpreter: self) }
            if let s = o as? PyStringLike { return s.stringValue.unicodeScalars.count }
        default: break
        }
        throw PyError.type("object of type '\(value.typeName)' has no len()")
    }

    func callValue(_ callee: Value, _ arguments: Arguments) throws -> Value {
        if case .object(let o) = callee {
            if let c = o as? PyCallable { return try c.call(arguments, interpreter: self) }
            if let inst = o as? PyInstance, let method = userDunder(inst, "__call__") {
                return try callValue(method, arguments)
            }
        }
        throw PyError.type("'\(callee.typeName)' object is not callable")
    }

    func isCallable(_ value: Value) -> Bool {
        guard case .object(let o) = value else { return false }
        if o is PyCallable { return true }
        if let inst = o as? PyInstance { return userDunder(inst, "__call__") != nil }
        return false
    }

    // MARK: Attributes

    func lookupAttribute(_ value: Value, _ name: String) throws -> Value? {
        if case .object(let o) = value { return try o.getAttribute(name, interpreter: self) }
        if name == "__class__" { return .object(typeObject(for: value)) }
        if let v = valueAttribute(value, name) { return v }
        guard hasBuiltinMethod(value, name) else { return nil }
        return .object(BuiltinFunction(name, boundTo: value.typeName) { args, interp in
            try interp.callMethod(value, name, args)
        })
    }

    /// Data attributes of builtin values (`x.real`, `d.imag`).
    private func valueAttribute(_ value: Value, _ name: String) -> Value? {
        switch (value, name) {
        case (.int, "real"), (.int, "numerator"), (.float, "real"): return value
        case (.bool(let b), "real"), (.bool(let b), "numerator"): return .int(b ? 1 : 0)
        case (.int, "imag"), (.bool, "imag"): return .int(0)
        case (.float, "imag"): return .float(0)
        case (.int, "denominator"), (.bool, "denominator"): return .int(1)
        default: return nil
        }
    }

    func attributeError(_ value: Value, _ name: String) -> PyError {
        if case .object(let o) = value {
            if let m = o as? PyModule { return PyError.attribute("module '\(m.name)' has no attribute '\(name)'") }
            if let c = o as? PyClass { return PyError.attribute("type object '\(c.name)' has no attribute '\(name)'") }
        }
        return PyError.attribute("'\(value.typeName)' object has no attribute '\(name)'")
    }

    func setAttributeValue(_ target: Value, _ name: String, _ value: Value) throws {
        guard case .object(let o) = target else {
            if hasBuiltinMethod(target, name) {
                throw PyError.attribute("'\(target.typeName)' object attribute '\(name)' is read-only")
            }
            throw PyError.attribute("'\(target.typeName)' object has no attribute '\(name)'")
        }
        try o.setAttribute(name, value: value, interpreter: self)
    }

    func deleteAttribute(_ target: Value, _ name: String) throws {
        if case .object(let o) = target {
            if let inst = o as? PyInstance {
                if inst.attributes.remove(HashKey(unchecked: .str(name))) == nil { throw attributeError(target, name) }
                return
            }
            if let cls = o as? PyClass {
                if cls.dict.removeValue(forKey: name) == nil { throw attributeError(target, name) }
                return
            }
            if let m = o as? PyModule {
                if m.attributes.remove(HashKey(unchecked: .str(name))) == nil { throw attributeError(target, name) }
                return
            }
        }
        throw attributeError(target, name)
    }

    // MARK: Subscripts

    /// Normalises a (possibly negative) sequence index; IndexError when out of range.
    func sequenceIndex(_ key: Value, count: Int, what: String) throws -> Int {
        let i: Int
        switch key {
        case .int(let v): i = v
        case .bool(let b): i = b ? 1 : 0
        default:
            if case .object(let o) = key, let inst = o as? PyInstance, let m = userDunder(inst, "__index__"),
               case .int(let v) = try callValue(m, Arguments()) { i = v; break }
            throw PyError.type("\(what.split(separator: " ").first.map(String.init) ?? what) indices must be integers or slices, not \(key.typeName)")
        }
        let index = i < 0 ? i + count : i
        guard index >= 0 && index < count else { throw PyError.index("\(what) index out of range") }
        return index
    }

    func subscriptValue(_ value: Value, _ key: Value) throws -> Value {
        switch value {
        case .list(let l):
            if case .object(let o) = key, let slice = o as? PySlice {
                return .list(PyList(try slice.positions(l.items.count).map { l.items[$0] }))
            }
            return l.items[try sequenceIndex(key, count: l.items.count, what: "list")]
        case .tuple(let t):
            if case .object(let o) = key, let slice = o as? PySlice {
                return .tuple(try slice.positions(t.count).map { t[$0] })
            }
            return t[try sequenceIndex(key, count: t.count, what: "tuple")]
        case .str(let s):
            let scalars = Array(s.unicodeScalars)
            if case .object(let o) = key, let slice = o as? PySlice {
                var out = String.UnicodeScalarView()
                for p in try slice.positions(scalars.count) { out.append(scalars[p]) }
                return .str(String(out))
            }
            if case .object = key {} else if !(key.isIntLike) {
                throw PyError.type("string indices must be integers, not '\(key.typeName)'")
            }
            return .str(String(scalars[try sequenceIndex(key, count: scalars.count, what: "string")]))
        case .dict(let d):
            if let v = d.get(try HashKey(key)) { return v }
            throw keyError(key)
        case .object(let o):
            if let inst = o as? PyInstance, let method = userDunder(inst, "__getitem__") {
                return try callValue(method, Arguments([key]))
            }
            if let s = o as? PySubscriptable { return try s.getItem(key, interpreter: self) }
            if let s = o as? PyStringLike { return try subscriptValue(.str(s.stringValue), key) }
            if let cls = o as? PyClass {
                if let m = cls.lookup("__class_getitem__") { return try callValue(bindClassAttribute(m, receiver: value, owner: cls), Arguments([key])) }
                return value   // `list[str]` in annotations
            }
        default: break
        }
        throw PyError.type("'\(value.typeName)' object is not subscriptable")
    }

    func setItem(_ container: Value, _ key: Value, _ value: Value) throws {
        switch container {
        case .list(let l):
            if case .object(let o) = key, let slice = o as? PySlice {
                let newItems = try iterateValues(value)
                let (start, stop, step) = try slice.indices(l.items.count)
                if step == 1 {
                    let upper = max(start, stop)
                    l.items.replaceSubrange(start..<upper, with: newItems)
                } else {
                    let positions = try slice.positions(l.items.count)
                    guard positions.count == newItems.count else {
                        throw PyError.value("attempt to assign sequence of size \(newItems.count) to extended slice of size \(positions.count)")
                    }
                    for (p, v) in zip(positions, newItems) { l.items[p] = v }
                }
                return
            }
            l.items[try sequenceIndex(key, count: l.items.count, what: "list assignment")] = value
        case .dict(let d):
            d.set(try HashKey(key), value)
        case .object(let o):
            if let inst = o as? PyInstance, let method = userDunder(inst, "__setitem__") {
                _ = try callValue(method, Arguments([key, value]))
                return
            }
            if let s = o as? PySubscriptable { try s.setItem(key, value: value, interpreter: self); return }
            throw PyError.type("'\(container.typeName)' object does not support item assignment")
        default:
            throw PyError.type("'\(container.typeName)' object does not support item assignment")
        }
    }

    func deleteItem(_ container: Value, _ key: Value) throws {
        switch container {
        case .list(let l):
            if case .object(let o) = key, let slice = o as? PySlice {
                let remove = Set(try slice.positions(l.items.count))
                l.items = l.items.enumerated().filter { !remove.contains($0.offset) }.map(\.element)
                return
            }
            l.items.remove(at: try sequenceIndex(key, count: l.items.count, what: "list assignment"))
        case .dict(let d):
            if d.remove(try HashKey(key)) == nil { throw keyError(key) }
        case .object(let o):
            if let inst = o as? PyInstance, let method = userDunder(inst, "__delitem__") {
                _ = try callValue(method, Arguments([key]))
                return
            }
            throw PyError.type("'\(container.typeName)' object doesn't support item deletion")
        default:
            throw PyError.type("'\(container.typeName)' object doesn't support item deletion")
        }
    }

    func makeSet(_ items: [Value], frozen: Bool = false) throws -> PySet {
        let s = PySet(frozen: frozen)
        for v in items { s.insert(try HashKey(v)) }
        return s
    }
}

extension Value {
    var isIntLike: Bool {
        switch self {
        case .int, .bool: return true
        default: return false
        }
    }
}
