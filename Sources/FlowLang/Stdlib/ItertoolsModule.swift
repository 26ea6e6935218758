// The `itertools` module. Infinite or streaming tools (count, repeat, cycle, chain, islice,
// zip_longest, takewhile, ...) are lazy iterators; combinatoric ones materialise their pools
// first, as CPython does.

enum ItertoolsModule {
    static func make() -> PyModule {
        let m = PyModule("itertools")
        func iter(_ name: String, _ values: [Value]) -> Value { .object(ClosureIterator(name, values: values)) }
        func lazy(_ name: String, _ next: @escaping (Interpreter) throws -> Value?) -> Value { .object(ClosureIterator(name, next)) }

        m.define("count") { a, i in
            let args = Args(a, "count", i)
            var current = args.value(0, "start") ?? .int(0)
            let step = args.value(1, "step") ?? .int(1)
            return lazy("count") { _ in
                defer { current = add(current, step) }
                return current
            }
        }
        m.define("repeat") { a, i in
            let args = Args(a, "repeat", i)
            let object = try args.required(0, "object")
            var remaining = try args.value(1, "times").map { try intValue($0, function: "repeat") }
            return lazy("repeat") { _ in
                if let r = remaining { if r <= 0 { return nil }; remaining = r - 1 }
                return object
            }
        }
        m.define("cycle") { a, i in
            let source = try lazyIterator(try Args(a, "cycle", i).required(0, "iterable"), i)
            var saved: [Value] = [], index = 0, exhausted = false
            return lazy("cycle") { i in
                if !exhausted, let v = try source.next(interpreter: i) { saved.append(v); return v }
                exhausted = true
                guard !saved.isEmpty else { return nil }
                defer { index = (index + 1) % saved.count }
                return saved[index]
            }
        }
        let chain = HostClass("chain") { a, i in chained(try a.positional.map { try lazyIterator($0, i) }) }
        chain.attributes["from_iterable"] = function("from_iterable") { a, i in
            let outer = try lazyIterator(try Args(a, "from_iterable", i).required(0, "iterable"), i)
            var current: PyIterator?
            return lazy("chain") { i in
                while true {
                    if let c = current, let v = try c.next(interpreter: i) { return v }
                    guard let next = try outer.next(interpreter: i) else { return nil }
                    current = try lazyIterator(next, i)
                }
            }
        }
        m.attributes.set("chain", .object(chain))
        m.define("islice") { a, i in
            let args = Args(a, "islice", i)
            let source = try lazyIterator(try args.required(0, "iterable"), i)
            func optInt(_ v: Value?) throws -> Int? { guard let v, !v.isNone else { return nil }; return try intValue(v, function: "islice") }
            var start = 0, stop: Int?, step = 1
            if a.positional.count <= 2 { stop = try optInt(args.value(1, "stop")) } else {
                start = try optInt(a.positional[1]) ?? 0
                stop = try optInt(a.positional[2])
                step = try optInt(a.positional.count > 3 ? a.positional[3] : nil) ?? 1
            }
            guard start >= 0, step >= 1, (stop ?? 0) >= 0 else {
                throw PyError.value("Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.")
            }
            var position = 0, nextWanted = start
            return lazy("islice") { i in
                while true {
                    if let stop, nextWanted >= stop { return nil }
                    guard let v = try source.next(interpreter: i) else { return nil }
                    defer { position += 1 }
                    if position == nextWanted { nextWanted += step; return v }
                }
            }
        }
        m.define("zip_longest") { a, i in
            let sources = try a.positional.map { try lazyIterator($0, i) }
            let fill = a.keyword("fillvalue") ?? .none
            var done = Array(repeating: false, count: sources.count)
            return lazy("zip_longest") { i in
                guard !sources.isEmpty else { return nil }
                var row: [Value] = []
                for (k, s) in sources.enumerated() {
                    if !done[k], let v = try s.next(interpreter: i) { row.append(v) } else { done[k] = true; row.append(fill) }
                }
                return done.allSatisfy { $0 } ? nil : .tuple(row)
            }
        }
        m.define("product") { a, i in
            let pools = try a.positional.map { try i.iterate($0) }
            let times = try a.keyword("repeat").map { try intValue($0, function: "product") } ?? 1
            let all = Array(repeating: pools, count: max(times, 0)).flatMap { $0 }
            var result: [[Value]] = [[]]
            for pool in all { result = result.flatMap { prefix in pool.map { prefix + [$0] } } }
            return iter("product", result.map { .tuple($0) })
        }
        m.define("permutations") { a, i in
            let args = Args(a, "permutations", i)
            let pool = try i.iterate(try args.required(0, "iterable"))
            let r = try args.int(1, "r", default: pool.count)
            return iter("permutations", permutations(Array(pool.indices), r).map { .tuple($0.map { pool[$0] }) })
        }
        m.define("combinations") { a, i in
            let args = Args(a, "combinations", i)
            let pool = try i.iterate(try args.required(0, "iterable"))
            return iter("combinations", combinations(pool.count, try args.int(1, "r"), repeated: false).map { .tuple($0.map { pool[$0] }) })
        }
        m.define("combinations_with_replacement") { a, i in
            let args = Args(a, "combinations_with_replacement", i)
            let pool = try i.iterate(try args.required(0, "iterable"))
            return iter("combinations_with_replacement", combinations(pool.count, try args.int(1, "r"), repeated: true).map { .tuple($0.map { pool[$0] }) })
        }
        m.define("accumulate") { a, i in
            let args = Args(a, "accumulate", i)
            let source = try lazyIterator(try args.required(0, "iterable"), i)
            let fn = args.value(1, "func").flatMap { $0.isNone ? nil : $0 }
            var total: Value? = a.keyword("initial").flatMap { $0.isNone ? nil : $0 }
            var emittedInitial = total == nil
            return lazy("accumulate") { i in
                if !emittedInitial { emittedInitial = true; return total }
                guard let v = try source.next(interpreter: i) else { return nil }
                if let t = total {
                    total = try fn.map { try i.call($0, Arguments([t, v])) } ?? addOrThrow(t, v)
                } else {
                    total = v
                }
                return total
            }
        }
        m.define("groupby") { a, i in
            let args = Args(a, "groupby", i)
            let items = try i.iterate(try args.required(0, "iterable"))
            let key = args.value(1, "key").flatMap { $0.isNone ? nil : $0 }
            var groups: [Value] = []
            var currentKey: Value?, members: [Value] = []
            for item in items {
                let k = try key.map { try i.call($0, Arguments([item])) } ?? item
                if let ck = currentKey, try i.equals(ck, k) { members.append(item); continue }
                if let ck = currentKey { groups.append(.tuple([ck, iter("_grouper", members)])) }
                currentKey = k
                members = [item]
            }
            if let ck = currentKey { groups.append(.tuple([ck, iter("_grouper", members)])) }
            return iter("groupby", groups)
        }
        func predicateTool(_ name: String, _ body: @escaping (Value, PyIterator, Interpreter) -> BuiltinFunction.Body) {
            m.define(name) { a, i in
                let args = Args(a, name, i)
                return try body(try args.required(0, "predicate"), try lazyIterator(try args.required(1, "iterable"), i), i)(a, i)
            }
        }
        predicateTool("filterfalse") { pred, source, _ in { _, _ in
            lazy("filterfalse") { i in
                while let v = try source.next(interpreter: i) {
                    let keep = pred.isNone ? try i.truthy(v) : try i.truthy(try i.call(pred, Arguments([v])))
                    if !keep { return v }
                }
                return nil
            }
        } }
        predicateTool("takewhile") { pred, source, _ in { _, _ in
            var stopped = false
            return lazy("takewhile") { i in
                guard !stopped, let v = try source.next(interpreter: i) else { return nil }
                if try i.truthy(try i.call(pred, Arguments([v]))) { return v }
                stopped = true
                return nil
            }
        } }
        predicateTool("dropwhile") { pred, source, _ in { _, _ in
            var dropping = true
            return lazy("dropwhile") { i in
                while let v = try source.next(interpreter: i) {
                    if dropping, try i.truthy(try i.call(pred, Arguments([v]))) { continue }
                    dropping = false
                    return v
                }
                return nil
            }
        } }
        m.define("starmap") { a, i in
            let args = Args(a, "starmap", i)
            let fn = try args.required(0, "function")
            let source = try lazyIterator(try args.required(1, "iterable"), i)
            return lazy("starmap") { i in
                guard let v = try source.next(interpreter: i) else { return nil }
                return try i.call(fn, Arguments(try i.iterate(v)))
            }
        }
        m.define("compress") { a, i in
            let args = Args(a, "compress", i)
            let data = try i.iterate(try args.required(0, "data")), selectors = try i.iterate(try args.required(1, "selectors"))
            return iter("compress", try zip(data, selectors).filter { try i.truthy($0.1) }.map { $0.0 })
        }
        m.define("pairwise") { a, i in
            let items = try i.iterate(try Args(a, "pairwise", i).required(0, "iterable"))
            return iter("pairwise", items.count < 2 ? [] : (1..<items.count).map { .tuple([items[$0 - 1], items[$0]]) })
        }
        m.define("tee") { a, i in
            let args = Args(a, "tee", i)
            let items = try i.iterate(try args.required(0, "iterable"))
            return .tuple((0..<(try args.int(1, "n", default: 2))).map { _ in iter("_tee", items) })
        }
        return m
    }

    private static func chained(_ sources: [PyIterator]) -> Value {
        var index = 0
        return .object(ClosureIterator("chain") { i in
            while index < sources.count {
                if let v = try sources[index].next(interpreter: i) { return v }
                index += 1
            }
            return nil
        })
    }

    /// `a + b` for the numeric, str and sequence cases accumulate and count need.
    static func add(_ a: Value, _ b: Value) -> Value { (try? addOrThrow(a, b)) ?? a }

    static func addOrThrow(_ a: Value, _ b: Value) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (s, o) = x.addingReportingOverflow(y)
            return o ? .float(Double(x) + Double(y)) : .int(s)
        case (.str(let x), .str(let y)): return .str(x + y)
        case (.list(let x), .list(let y)): return .list(PyList(x.items + y.items))
        case (.tuple(let x), .tuple(let y)): return .tuple(x + y)
        default:
            return .float(try doubleValue(a, function: "+") + doubleValue(b, function: "+"))
        }
    }

    static func permutations(_ pool: [Int], _ r: Int) -> [[Int]] {
        guard r <= pool.count, r >= 0 else { return [] }
        if r == 0 { return [[]] }
        var out: [[Int]] = []
        for (k, x) in pool.enumerated() {
            var rest = pool
            rest.remove(at: k)
            out += permutations(rest, r - 1).map { [x] + $0 }
        }
        return out
    }

    static func combinations(_ n: Int, _ r: Int, repeated: Bool) -> [[Int]] {
        guard r >= 0, repeated ? (n > 0 || r == 0) : r <= n else { return [] }
        var out: [[Int]] = []
        func build(_ start: Int, _ prefix: [Int]) {
            if prefix.count == r { out.append(prefix); return }
            guard start < n else { return }
            for k in start..<n { build(repeated ? k : k + 1, prefix + [k]) }
        }
        build(0, [])
        return out
    }
}
