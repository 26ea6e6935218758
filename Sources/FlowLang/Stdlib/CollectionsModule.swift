// `collections`: OrderedDict (a plain dict), defaultdict and Counter (host objects wrapping a
// PyDict: missing keys call the factory / count as 0, every other dict method is delegated to the
// interpreter's dict), namedtuple (a class factory for tuple-like records) and deque.

import FlowSyntax

enum CollectionsModule {
    static func make(_ interp: Interpreter) -> PyModule {
        let m = PyModule("collections")
        m.define("OrderedDict") { a, i in
            guard let dict = i.builtins["dict"] else { return .dict(PyDict()) }
            return try i.call(dict, a)
        }
        m.define("defaultdict") { a, i in
            let factory = a.positional.first ?? .none
            let d = DefaultDict(factory: factory)
            if a.positional.count > 1 || !a.keywords.isEmpty, let dict = i.builtins["dict"],
               case .dict(let initial) = try i.call(dict, Arguments(Array(a.positional.dropFirst()), keywords: a.keywords)) {
                for (k, v) in initial.items { d.storage.set(HashKey(unchecked: k), v) }
            }
            return .object(d)
        }
        m.define("Counter") { a, i in
            let c = CounterObject()
            try c.update(a, i)
            return .object(c)
        }
        m.define("namedtuple") { a, i in try NamedTupleClass.make(a, i) }
        m.define("deque") { a, i in
            let args = Args(a, "deque", i)
            let items = try args.value(0, "iterable").map { try i.iterate($0) } ?? []
            let maxlen = try args.value(1, "maxlen").flatMap { $0.isNone ? nil : $0 }.map { try intValue($0, function: "deque") }
            let d = DequeObject(maxlen: maxlen)
            for item in items { d.append(item) }
            return .object(d)
        }
        return m
    }
}

/// Shared behaviour of the dict-like host objects: subscript, iteration, len, `in`, and delegation
/// of the ordinary dict methods to the interpreter's dict implementation.
class DictWrapper: DictBacked, PySubscriptable, PyIterable, PySized, PyContainer {
    let storage = PyDict()
    var typeName: String { "dict" }

    func missing(_ key: Value, interpreter: Interpreter) throws -> Value {
        throw PyError.key(try interpreter.repr(key))
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        if let v = storage.get(try HashKey(key)) { return v }
        return try missing(key, interpreter: interpreter)
    }

    func setItem(_ key: Value, value: Value, interpreter: Interpreter) throws { storage.set(try HashKey(key), value) }
    func makeIterator(interpreter: Interpreter) throws -> PyIterator { ClosureIterator("dict_keyiterator", values: storage.keys) }
    func length(interpreter: Interpreter) throws -> Int { storage.count }
    func contains(_ value: Value, interpreter: Interpreter) throws -> Bool { storage.get(try HashKey(value)) != nil }

    func dictRepr(_ interpreter: Interpreter) throws -> String { try interpreter.repr(.dict(storage)) }

    /// Declared here (not only in the subclasses) so the protocol witness dispatches dynamically.
    func repr(interpreter: Interpreter) throws -> String { try dictRepr(interpreter) }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if name == "__delitem__" {
            return .object(BuiltinFunction(name, boundTo: typeName) { a, i in
                let key = try Args(a, name, i).required(0, "key")
                guard self.storage.remove(try HashKey(key)) != nil else { throw PyError.key(try i.repr(key)) }
                return .none
            })
        }
        return try? interpreter.getAttribute(.dict(storage), name)
    }
}

final class DefaultDict: DictWrapper {
    let factory: Value
    init(factory: Value) { self.factory = factory }
    override var typeName: String { "defaultdict" }

    override func missing(_ key: Value, interpreter: Interpreter) throws -> Value {
        if factory.isNone { throw PyError.key(try interpreter.repr(key)) }
        let v = try interpreter.call(factory, Arguments())
        storage.set(try HashKey(key), v)
        return v
    }

    override func repr(interpreter: Interpreter) throws -> String {
        let f: String
        if case .object(let o) = factory, let name = try? o.getAttribute("__name__", interpreter: interpreter)?.stringValue {
            f = "<class '\(name)'>"
        } else {
            f = try interpreter.repr(factory)
        }
        return "defaultdict(\(f), \(try dictRepr(interpreter)))"
    }

    override func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if name == "default_factory" { return factory }
        return try super.getAttribute(name, interpreter: interpreter)
    }
}

final class CounterObject: DictWrapper, PyOperable {
    override var typeName: String { "Counter" }
    override func missing(_ key: Value, interpreter: Interpreter) throws -> Value { .int(0) }

    func count(_ key: Value) -> Int { storage.get(HashKey(unchecked: key)).flatMap { if case .int(let n) = $0 { return n } else { return nil } } ?? 0 }

    func update(_ a: Arguments, _ i: Interpreter, sign: Int = 1) throws {
        if let source = a.positional.first {
            let pairs: [(Value, Int)]
            switch source {
            case .dict(let d): pairs = try d.items.map { ($0.key, try intValue($0.value, function: "Counter")) }
            case .object(let o as DictBacked): pairs = try o.storage.items.map { ($0.key, try intValue($0.value, function: "Counter")) }
            default: pairs = try i.iterate(source).map { ($0, 1) }
            }
            for (k, n) in pairs { storage.set(try HashKey(k), .int(count(k) + sign * n)) }
        }
        for (k, v) in a.keywords { storage.set(k, .int(count(.str(k)) + sign * (try intValue(v, function: "Counter")))) }
    }

    /// Items by descending count; ties keep insertion order (Python's sort is stable).
    var mostCommon: [(Value, Int)] {
        storage.keys.map { ($0, count($0)) }.enumerated().sorted { $0.element.1 != $1.element.1 ? $0.element.1 > $1.element.1 : $0.offset < $1.offset }.map(\.element)
    }

    override func repr(interpreter: Interpreter) throws -> String {
        if storage.count == 0 { return "Counter()" }
        return "Counter({" + (try mostCommon.map { "\(try interpreter.repr($0.0)): \($0.1)" }.joined(separator: ", ")) + "})"
    }

    func binaryOperation(_ op: BinaryOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value? {
        guard case .object(let o) = other, let c = o as? CounterObject, op == .add || op == .subtract else { return nil }
        let (lhs, rhs) = reflected ? (c, self) : (self, c)
        let result = CounterObject()
        for k in lhs.storage.keys + rhs.storage.keys where result.storage.get(HashKey(unchecked: k)) == nil {
            let n = op == .add ? lhs.count(k) + rhs.count(k) : lhs.count(k) - rhs.count(k)
            if n > 0 { result.storage.set(HashKey(unchecked: k), .int(n)) }
        }
        return .object(result)
    }

    override func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        func method(_ body: @escaping BuiltinFunction.Body) -> Value { .object(BuiltinFunction(name, boundTo: typeName, body)) }
        switch name {
        case "most_common":
            return method { a, i in
                let n = try Args(a, "most_common", i).value(0, "n").flatMap { $0.isNone ? nil : $0 }.map { try intValue($0, function: "most_common") }
                let items = self.mostCommon
                return .list(PyList(items.prefix(n ?? items.count).map { .tuple([$0.0, .int($0.1)]) }))
            }
        case "elements":
            return method { _, _ in
                .object(ClosureIterator("chain", values: self.storage.keys.flatMap { k in Array(repeating: k, count: max(self.count(k), 0)) }))
            }
        case "update": return method { a, i in try self.update(a, i); return .none }
        case "subtract": return method { a, i in try self.update(a, i, sign: -1); return .none }
        case "total": return method { _, _ in .int(self.storage.keys.reduce(0) { $0 + self.count($1) }) }
        default: return try super.getAttribute(name, interpreter: interpreter)
        }
    }
}

/// `namedtuple(typename, field_names, defaults=None)`: returns a class whose instances are records.
enum NamedTupleClass {
    static func make(_ a: Arguments, _ i: Interpreter) throws -> Value {
        let args = Args(a, "namedtuple", i)
        let typeName = try args.string(0, "typename")
        let spec = try args.required(1, "field_names")
        let fields: [String]
        if let s = spec.stringValue {
            fields = s.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
        } else {
            fields = try i.iterate(spec).map { try pathString($0, function: "namedtuple") }
        }
        let defaults = try a.keyword("defaults").map { $0.isNone ? [] : try i.iterate($0) } ?? []
        let cls = HostClass(typeName) { a, i in
            var values: [Value?] = Array(repeating: nil, count: fields.count)
            guard a.positional.count <= fields.count else {
                throw PyError.type("\(typeName).__new__() takes \(fields.count + 1) positional arguments but \(a.positional.count + 1) were given")
            }
            for (k, v) in a.positional.enumerated() { values[k] = v }
            for (name, v) in a.keywords {
                guard let k = fields.firstIndex(of: name) else { throw PyError.type("\(typeName).__new__() got an unexpected keyword argument '\(name)'") }
                values[k] = v
            }
            for k in fields.indices where values[k] == nil {
                let d = k - (fields.count - defaults.count)
                guard d >= 0 else { throw PyError.type("\(typeName).__new__() missing required argument: '\(fields[k])'") }
                values[k] = defaults[d]
            }
            return .object(NamedTupleObject(typeName: typeName, fields: fields, elements: values.map { $0! }))
        }
        cls.attributes["_fields"] = .tuple(fields.map { .str($0) })
        cls.attributes["_make"] = function("_make") { a, i in
            try i.call(.object(cls), Arguments(try i.iterate(try Args(a, "_make", i).required(0, "iterable"))))
        }
        return .object(cls)
    }
}

final class NamedTupleObject: TupleBacked, PySubscriptable, PyIterable, PySized, PyContainer, PyHashable {
    let typeName: String
    let fields: [String]
    let elements: [Value]

    init(typeName: String, fields: [String], elements: [Value]) {
        self.typeName = typeName
        self.fields = fields
        self.elements = elements
    }

    var pyHash: Int { HashKey(unchecked: .tuple(elements)).hashValue }
    func pyEquals(_ other: PyHashable) -> Bool {
        guard let o = other as? NamedTupleObject else { return false }
        return HashKey(unchecked: .tuple(elements)) == HashKey(unchecked: .tuple(o.elements))
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value { try interpreter.getItem(.tuple(elements), key) }
    func makeIterator(interpreter: Interpreter) throws -> PyIterator { ClosureIterator("tuple_iterator", values: elements) }
    func length(interpreter: Interpreter) throws -> Int { elements.count }
    func contains(_ value: Value, interpreter: Interpreter) throws -> Bool { try elements.contains { try interpreter.equals($0, value) } }

    func repr(interpreter: Interpreter) throws -> String {
        "\(typeName)(" + (try zip(fields, elements).map { "\($0)=\(try interpreter.repr($1))" }.joined(separator: ", ")) + ")"
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let k = fields.firstIndex(of: name) { return elements[k] }
        switch name {
        case "_fields": return .tuple(fields.map { .str($0) })
        case "_asdict":
            return .object(BuiltinFunction(name, boundTo: typeName) { _, _ in .dict(dictFromPairs(Array(zip(self.fields, self.elements)))) })
        case "_replace":
            return .object(BuiltinFunction(name, boundTo: typeName) { a, _ in
                var values = self.elements
                for (k, v) in a.keywords {
                    guard let idx = self.fields.firstIndex(of: k) else { throw PyError.value("Got unexpected field names: ['\(k)']") }
                    values[idx] = v
                }
                return .object(NamedTupleObject(typeName: self.typeName, fields: self.fields, elements: values))
            })
        case "count", "index": return try interpreter.getAttribute(.tuple(elements), name)
        default: return nil
        }
    }
}

final class DequeObject: PyIterable, PySized, PyContainer, PySubscriptable {
    var items: [Value] = []
    let maxlen: Int?
    init(maxlen: Int?) { self.maxlen = maxlen }
    var typeName: String { "deque" }

    func append(_ v: Value) {
        items.append(v)
        if let maxlen, items.count > maxlen { items.removeFirst(items.count - maxlen) }
    }

    func appendLeft(_ v: Value) {
        items.insert(v, at: 0)
        if let maxlen, items.count > maxlen { items.removeLast(items.count - maxlen) }
    }

    func makeIterator(interpreter: Interpreter) throws -> PyIterator { ClosureIterator("_deque_iterator", values: items) }
    func length(interpreter: Interpreter) throws -> Int { items.count }
    func contains(_ value: Value, interpreter: Interpreter) throws -> Bool { try items.contains { try interpreter.equals($0, value) } }
    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value { try interpreter.getItem(.list(PyList(items)), key) }
    func setItem(_ key: Value, value: Value, interpreter: Interpreter) throws {
        var k = try intValue(key, function: "deque")
        if k < 0 { k += items.count }
        guard items.indices.contains(k) else { throw PyError.index("deque index out of range") }
        items[k] = value
    }

    func repr(interpreter: Interpreter) throws -> String {
        "deque([" + (try items.map { try interpreter.repr($0) }.joined(separator: ", ")) + "]" + (maxlen.map { ", maxlen=\($0)" } ?? "") + ")"
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        func method(_ body: @escaping BuiltinFunction.Body) -> Value { .object(BuiltinFunction(name, boundTo: typeName, body)) }
        switch name {
        case "append": return method { a, _ in self.append(a.positional.first ?? .none); return .none }
        case "appendleft": return method { a, _ in self.appendLeft(a.positional.first ?? .none); return .none }
        case "extend": return method { a, i in for v in try i.iterate(a.positional.first ?? .tuple([])) { self.append(v) }; return .none }
        case "extendleft": return method { a, i in for v in try i.iterate(a.positional.first ?? .tuple([])) { self.appendLeft(v) }; return .none }
        case "pop", "popleft":
            return method { _, _ in
                guard !self.items.isEmpty else { throw PyError.index("pop from an empty deque") }
                return name == "pop" ? self.items.removeLast() : self.items.removeFirst()
            }
        case "clear": return method { _, _ in self.items.removeAll(); return .none }
        case "rotate":
            return method { a, i in
                guard !self.items.isEmpty else { return .none }
                let n = try Args(a, "rotate", i).int(0, "n", default: 1)
                let k = ((n % self.items.count) + self.items.count) % self.items.count
                self.items = Array(self.items.suffix(k) + self.items.dropLast(k))
                return .none
            }
        case "maxlen": return maxlen.map { .int($0) } ?? .none
        default: return nil
        }
    }
}
