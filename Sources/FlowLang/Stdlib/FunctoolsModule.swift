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
        m.define("cmp_to_key") { a, i in try cmpToKey(try Args(a, "cmp_to_key", i).required(0, "mycmp"), i) }
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

extension FunctoolsModule {
    /// A key class whose rich comparisons call the user's cmp function; it is a Python class
    /// (not a host object) so sorted()/min()/max() order it through `__lt__` like any user class.
    static func cmpToKey(_ cmp: Value, _ interp: Interpreter) throws -> Value {
        func comparison(_ name: String, _ test: @escaping (Int) -> Bool) -> Value {
            .object(MethodDescriptor(name) { a, i in
                guard a.positional.count == 2, case .object(let x) = a.positional[0], let lhs = x as? PyInstance,
                      case .object(let y) = a.positional[1], let rhs = y as? PyInstance,
                      let l = lhs.attributes.get("obj"), let r = rhs.attributes.get("obj") else { return .false }
                let result = try i.call(cmp, Arguments([l, r]))
                switch result {
                case .int(let n): return .bool(test(n))
                case .float(let d): return .bool(test(d < 0 ? -1 : (d > 0 ? 1 : 0)))
                case .bool(let b): return .bool(test(b ? 1 : 0))
                default: throw PyError.type("comparison function must return int, not \(result.typeName)")
                }
            })
        }
        let cls = try PyClass(name: "K", bases: [try interp.builtinType("object")], dict: [
            "__lt__": comparison("__lt__") { $0 < 0 }, "__gt__": comparison("__gt__") { $0 > 0 },
            "__le__": comparison("__le__") { $0 <= 0 }, "__ge__": comparison("__ge__") { $0 >= 0 },
            "__eq__": comparison("__eq__") { $0 == 0 },
        ], builtin: false, module: "functools")
        return function("K") { a, _ in
            let inst = PyInstance(cls: cls)
            inst.attributes.set("obj", a.positional.first ?? .none)
            return .object(inst)
        }
    }
}
