// `functools`: reduce, partial, lru_cache/cache (memoising on hashable arguments), and the
// decorators Snakefiles apply for style only (wraps, total_ordering) as identity functions.

enum FunctoolsModule {
    static func make() -> PyModule {
        let m = PyModule("functools")
        m.define("reduce") { a, i in
            let args = Args(a, "reduce", i)
            let fn = try args.required(0, "function")
            var items = try i.iterate(try args.required(1, "iterable"))[...]
            guard var acc = args.value(2, "initial") ?? items.popFirst() else {
                throw PyError.type("reduce() of empty iterable with no initial value")
            }
            for v in items { acc = try i.call(fn, Arguments([acc, v])) }
            return acc
        }
        m.define("partial") { a, _ in
            guard let fn = a.positional.first else { throw PyError.type("type 'partial' takes at least one argument") }
            return .object(PartialObject(fn, Array(a.positional.dropFirst()), a.keywords))
        }
        m.define("lru_cache") { a, _ in
            // Both `@lru_cache` and `@lru_cache(maxsize=...)`.
            if let fn = a.positional.first, case .object(let o) = fn, o is PyCallable { return .object(CachedFunction(fn)) }
            return function("decorating_function") { a, _ in .object(CachedFunction(a.positional.first ?? .none)) }
        }
        m.define("cache") { a, _ in .object(CachedFunction(a.positional.first ?? .none)) }
        m.define("wraps") { _, _ in function("update_wrapper") { a, _ in a.positional.first ?? .none } }
        m.define("total_ordering") { a, _ in a.positional.first ?? .none }
        m.define("cmp_to_key") { a, i in
            let cmp = try Args(a, "cmp_to_key", i).required(0, "mycmp")
            return function("K") { a, _ in .object(CmpKey(value: a.positional.first ?? .none, cmp: cmp)) }
        }
        return m
    }
}

final class PartialObject: PyCallable {
    let fn: Value
    let args: [Value]
    let keywords: [(name: String, value: Value)]

    init(_ fn: Value, _ args: [Value], _ keywords: [(name: String, value: Value)]) {
        self.fn = fn
        self.args = args
        self.keywords = keywords
    }

    var typeName: String { "functools.partial" }

    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        var kw = keywords.filter { k in !arguments.keywords.contains { $0.name == k.name } }
        kw += arguments.keywords
        return try interpreter.call(fn, Arguments(args + arguments.positional, keywords: kw))
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "func": return fn
        case "args": return .tuple(args)
        case "keywords": return .dict(dictFromPairs(keywords.map { ($0.name, $0.value) }))
        default: return nil
        }
    }

    func repr(interpreter: Interpreter) throws -> String {
        let parts = [try interpreter.repr(fn)] + (try args.map { try interpreter.repr($0) }) + (try keywords.map { "\($0.name)=\(try interpreter.repr($0.value))" })
        return "functools.partial(\(parts.joined(separator: ", ")))"
    }
}

/// A memoising wrapper; calls with unhashable arguments simply go through.
final class CachedFunction: PyCallable {
    let fn: Value
    private var cache: [HashKey: Value] = [:]
    private var hits = 0, misses = 0

    init(_ fn: Value) { self.fn = fn }

    var typeName: String { "functools._lru_cache_wrapper" }

    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        let keyValue = Value.tuple(arguments.positional + [.str("\u{0}kw")] + arguments.keywords.flatMap { [.str($0.name), $0.value] })
        guard let key = try? HashKey(keyValue) else { return try interpreter.call(fn, arguments) }
        if let v = cache[key] { hits += 1; return v }
        misses += 1
        let v = try interpreter.call(fn, arguments)
        cache[key] = v
        return v
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "cache_clear": return function(name) { _, _ in self.cache.removeAll(); return .none }
        case "cache_info":
            return function(name) { _, _ in
                .object(AttributeObject("CacheInfo", ["hits": .int(self.hits), "misses": .int(self.misses), "currsize": .int(self.cache.count), "maxsize": .none]))
            }
        case "__wrapped__": return fn
        default:
            if case .object(let o) = fn { return try o.getAttribute(name, interpreter: interpreter) }
            return nil
        }
    }

    func repr(interpreter: Interpreter) throws -> String { try interpreter.repr(fn) }
}

/// The key object made by cmp_to_key: ordered through the user's comparison function.
final class CmpKey: PyHashable {
    let value: Value
    let cmp: Value
    init(value: Value, cmp: Value) { self.value = value; self.cmp = cmp }
    var typeName: String { "functools.KeyWrapper" }
    var pyHash: Int { 0 }
    func pyEquals(_ other: PyHashable) -> Bool { false }

    func compare(_ other: CmpKey, _ interpreter: Interpreter) throws -> Int {
        let r = try interpreter.call(cmp, Arguments([value, other.value]))
        switch r {
        case .int(let n): return n
        case .float(let d): return d < 0 ? -1 : (d > 0 ? 1 : 0)
        case .bool(let b): return b ? 1 : 0
        default: throw PyError.type("comparison function must return int, not \(r.typeName)")
        }
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        let test: ((Int) -> Bool)?
        switch name {
        case "__lt__": test = { $0 < 0 }
        case "__gt__": test = { $0 > 0 }
        case "__le__": test = { $0 <= 0 }
        case "__ge__": test = { $0 >= 0 }
        case "__eq__": test = { $0 == 0 }
        default: test = nil
        }
        guard let test else { return nil }
        return function(name) { a, i in
            guard case .object(let o)? = a.positional.first, let other = o as? CmpKey else { return .none }
            return .bool(test(try self.compare(other, i)))
        }
    }
}
