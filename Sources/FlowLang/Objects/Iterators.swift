// Small builtin object types: iterators (over a precomputed array: generators, map, zip,
// enumerate, ...), `range`, dict views, slices and the NotImplemented/Ellipsis singletons.

import FlowSyntax

/// An iterator over values computed up front (generator expressions and functions are evaluated
/// eagerly; see Eval/Comprehensions.swift). `typeName` keeps Python's name for repr/type().
public final class SequenceIterator: PyIterable, PyIterator {
    let items: [Value]
    var position = 0
    public let typeName: String

    public init(_ items: [Value], typeName: String = "iterator") {
        self.items = items
        self.typeName = typeName
    }

    public func makeIterator(interpreter: Interpreter) throws -> PyIterator { self }
    public func next(interpreter: Interpreter) throws -> Value? {
        guard position < items.count else { return nil }
        position += 1
        return items[position - 1]
    }
    public func repr(interpreter: Interpreter) throws -> String { "<\(typeName) object at \(objectAddress(self))>" }
}

/// `range(start, stop, step)`: lazy, sized, indexable.
public final class PyRange: PyIterable, PySized, PyContainer, PySubscriptable, PyHashable {
    public let start: Int, stop: Int, step: Int

    public init(start: Int, stop: Int, step: Int) {
        self.start = start
        self.stop = stop
        self.step = step
    }

    public var typeName: String { "range" }
    public var count: Int {
        if step > 0 { return start < stop ? (stop - start - 1) / step + 1 : 0 }
        return start > stop ? (start - stop - 1) / (-step) + 1 : 0
    }
    public func element(_ i: Int) -> Int { start + i * step }

    public func length(interpreter: Interpreter) throws -> Int { count }
    public func contains(_ value: Value, interpreter: Interpreter) throws -> Bool {
        guard case .int(let v) = value.numericPromoted else {
            for i in 0..<count where try interpreter.valuesEqual(.int(element(i)), value) { return true }
            return false
        }
        if step > 0 { guard v >= start && v < stop else { return false } } else { guard v <= start && v > stop else { return false } }
        return (v - start) % step == 0
    }
    public func makeIterator(interpreter: Interpreter) throws -> PyIterator { RangeIterator(self) }
    public func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        if case .object(let o) = key, let slice = o as? PySlice {
            let (s, e, st) = try slice.indices(count)
            return .object(PyRange(start: element(s), stop: element(e), step: step * st))
        }
        let i = try interpreter.sequenceIndex(key, count: count, what: "range object")
        return .int(element(i))
    }
    public func repr(interpreter: Interpreter) throws -> String {
        step == 1 ? "range(\(start), \(stop))" : "range(\(start), \(stop), \(step))"
    }
    public var pyHash: Int { count == 0 ? 0 : start &* 31 &+ count }
    public func pyEquals(_ other: PyHashable) -> Bool {
        guard let r = other as? PyRange else { return false }
        if count != r.count { return false }
        return count == 0 || (start == r.start && (count == 1 || step == r.step))
    }
}

final class RangeIterator: PyIterator {
    let range: PyRange
    var i = 0
    init(_ range: PyRange) { self.range = range }
    func next(interpreter: Interpreter) throws -> Value? {
        guard i < range.count else { return nil }
        i += 1
        return .int(range.element(i - 1))
    }
}

/// `d.keys()`, `d.values()`, `d.items()`: live views of a dict.
public final class DictView: PyIterable, PySized, PyContainer, PyOperable {
    public enum Kind { case keys, values, items }
    public let dict: PyDict
    public let kind: Kind

    public init(_ dict: PyDict, _ kind: Kind) {
        self.dict = dict
        self.kind = kind
    }

    public var typeName: String {
        switch kind {
        case .keys: return "dict_keys"
        case .values: return "dict_values"
        case .items: return "dict_items"
        }
    }

    public var elements: [Value] {
        switch kind {
        case .keys: return dict.keys
        case .values: return dict.values
        case .items: return (0..<dict.count).map { .tuple([dict.keys[$0], dict.values[$0]]) }
        }
    }

    public func length(interpreter: Interpreter) throws -> Int { dict.count }
    public func makeIterator(interpreter: Interpreter) throws -> PyIterator { SequenceIterator(elements) }
    public func contains(_ value: Value, interpreter: Interpreter) throws -> Bool {
        switch kind {
        case .keys: return dict.get(try HashKey(value)) != nil
        case .values: return try dict.values.contains { try interpreter.valuesEqual($0, value) }
        case .items:
            guard case .tuple(let pair) = value, pair.count == 2, let v = dict.get(try HashKey(pair[0])) else { return false }
            return try interpreter.valuesEqual(v, pair[1])
        }
    }
    public func repr(interpreter: Interpreter) throws -> String {
        "\(typeName)(\(try interpreter.reprValue(.list(PyList(elements)))))"
    }
    public func binaryOperation(_ op: BinaryOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value? {
        guard kind != .values, [.bitOr, .bitAnd, .subtract, .bitXor].contains(op) else { return nil }
        let mine = Value.set(try interpreter.makeSet(elements))
        let theirs = Value.set(try interpreter.makeSet(try interpreter.iterateValues(other)))
        return try reflected ? interpreter.binaryOp(op, theirs, mine) : interpreter.binaryOp(op, mine, theirs)
    }

    func equals(_ other: DictView, interpreter: Interpreter) throws -> Bool {
        guard kind == other.kind, kind != .values else { return false }
        return try interpreter.valuesEqual(.set(try interpreter.makeSet(elements)), .set(try interpreter.makeSet(other.elements)))
    }
}

/// `a[start:stop:step]`
public final class PySlice: PyObject {
    public let start: Value, stop: Value, step: Value
    public init(start: Value, stop: Value, step: Value) {
        self.start = start
        self.stop = stop
        self.step = step
    }
    public var typeName: String { "slice" }
    public func repr(interpreter: Interpreter) throws -> String {
        "slice(\(try interpreter.reprValue(start)), \(try interpreter.reprValue(stop)), \(try interpreter.reprValue(step)))"
    }
    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "start": return start
        case "stop": return stop
        case "step": return step
        default: return nil
        }
    }

    /// Python's slice.indices(length): clamped (start, stop, step).
    public func indices(_ length: Int) throws -> (Int, Int, Int) {
        func int(_ v: Value) throws -> Int? {
            switch v {
            case .none: return nil
            case .int(let i): return i
            case .bool(let b): return b ? 1 : 0
            default: throw PyError.type("slice indices must be integers or None or have an __index__ method")
            }
        }
        let step = try int(self.step) ?? 1
        if step == 0 { throw PyError.value("slice step cannot be zero") }
        func clamp(_ v: Int?, _ defaultValue: Int) -> Int {
            guard var i = v else { return defaultValue }
            if i < 0 {
                i += length
                if i < 0 { i = step < 0 ? -1 : 0 }
            } else if i >= length {
                i = step < 0 ? length - 1 : length
            }
            return i
        }
        let start = clamp(try int(self.start), step < 0 ? length - 1 : 0)
        let stop = clamp(try int(self.stop), step < 0 ? -1 : length)
        return (start, stop, step)
    }

    /// The positions selected in a sequence of `length` elements.
    public func positions(_ length: Int) throws -> [Int] {
        let (start, stop, step) = try indices(length)
        var out: [Int] = []
        var i = start
        if step > 0 { while i < stop { out.append(i); i += step } } else { while i > stop { out.append(i); i += step } }
        return out
    }
}

final class NotImplementedType: PyObject {
    var typeName: String { "NotImplementedType" }
    func repr(interpreter: Interpreter) throws -> String { "NotImplemented" }
}

final class EllipsisType: PyObject {
    var typeName: String { "ellipsis" }
    func repr(interpreter: Interpreter) throws -> String { "Ellipsis" }
}

/// Iterates a user object through its `__next__` until StopIteration.
final class InstanceIterator: PyIterator {
    let instance: PyInstance
    init(_ instance: PyInstance) { self.instance = instance }
    func next(interpreter: Interpreter) throws -> Value? {
        guard let method = interpreter.userDunder(instance, "__next__") else {
            throw PyError.type("iter() returned non-iterator of type '\(instance.cls.name)'")
        }
        do { return try interpreter.callValue(method, Arguments()) } catch let e as PyError where e.type == "StopIteration" { return nil }
    }
}

/// The old sequence protocol: `obj[0]`, `obj[1]`, ... until IndexError.
final class GetItemIterator: PyIterator {
    let getitem: Value
    var i = 0
    init(_ getitem: Value) { self.getitem = getitem }
    func next(interpreter: Interpreter) throws -> Value? {
        do {
            let v = try interpreter.callValue(getitem, Arguments([.int(i)]))
            i += 1
            return v
        } catch let e as PyError where e.type == "IndexError" || e.type == "StopIteration" { return nil }
    }
}
