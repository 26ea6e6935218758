// Builtins over iterables: enumerate, zip, map, filter, reversed, sorted, min, max, sum, any, all.
// map/filter/zip/enumerate compute their results up front and return an iterator over them.

extension Interpreter {
    func installIterationBuiltins() {
        func define(_ name: String, _ body: @escaping BuiltinFunction.Body) {
            builtins[name] = .object(BuiltinFunction(name, body))
        }
        define("enumerate") { a, i in
            let items = try i.iterateValues(try i.required(a, 0, "iterable", "enumerate"))
            var start = 0
            if let s = a.argument(1, "start") {
                guard case .int(let n) = s.numericPromoted else { throw PyError.type("'\(s.typeName)' object cannot be interpreted as an integer") }
                start = n
            }
            return .object(SequenceIterator(items.enumerated().map { .tuple([.int(start + $0.offset), $0.element]) }, typeName: "enumerate"))
        }
        define("zip") { a, i in
            let lists = try a.positional.map { try i.iterateValues($0) }
            let strict = try a.keyword("strict").map { try i.isTruthy($0) } ?? false
            let n = lists.map(\.count).min() ?? 0
            if strict, let m = lists.map(\.count).max(), m != n {
                throw PyError.value("zip() argument \((lists.firstIndex { $0.count != lists[0].count } ?? 1) + 1) is \(lists[0].count > n ? "shorter" : "longer") than argument 1")
            }
            return .object(SequenceIterator((0..<n).map { k in .tuple(lists.map { $0[k] }) }, typeName: "zip"))
        }
        define("map") { a, i in
            guard a.positional.count >= 2 else { throw PyError.type("map() must have at least two arguments.") }
            let f = a.positional[0]
            let lists = try a.positional.dropFirst().map { try i.iterateValues($0) }
            let n = lists.map(\.count).min() ?? 0
            var out: [Value] = []
            out.reserveCapacity(n)
            for k in 0..<n { out.append(try i.callValue(f, Arguments(lists.map { $0[k] }))) }
            return .object(SequenceIterator(out, typeName: "map"))
        }
        define("filter") { a, i in
            guard a.positional.count == 2 else { throw PyError.type("filter expected 2 arguments, got \(a.positional.count)") }
            let f = a.positional[0]
            var out: [Value] = []
            for v in try i.iterateValues(a.positional[1]) {
                let keep = f.isNone ? try i.isTruthy(v) : try i.isTruthy(try i.callValue(f, Arguments([v])))
                if keep { out.append(v) }
            }
            return .object(SequenceIterator(out, typeName: "filter"))
        }
        define("reversed") { a, i in
            let v = try i.one(a, "reversed")
            if case .object(let o) = v, let inst = o as? PyInstance, let m = i.userDunder(inst, "__reversed__") {
                return try i.callValue(m, Arguments())
            }
            switch v {
            case .dict, .set:
                if case .set = v { throw PyError.type("'set' object is not reversible") }
            case .list, .tuple, .str: break
            case .object(let o) where o is PyRange || o is PySubscriptable || o is PyInstance || o is DictView: break
            default: throw PyError.type("'\(v.typeName)' object is not reversible")
            }
            return .object(SequenceIterator(try i.iterateValues(v).reversed(), typeName: "reversed"))
        }
        define("sorted") { a, i in
            let items = try i.iterateValues(try i.required(a, 0, "iterable", "sorted"))
            for k in a.keywords where k.name != "key" && k.name != "reverse" {
                throw PyError.type("sorted() got an unexpected keyword argument '\(k.name)'")
            }
            let reverse = try a.keyword("reverse").map { try i.isTruthy($0) } ?? false
            return .list(PyList(try i.sortValues(items, key: a.keyword("key"), reverse: reverse)))
        }
        define("min") { a, i in try i.extreme(a, "min", greater: false) }
        define("max") { a, i in try i.extreme(a, "max", greater: true) }
        define("sum") { a, i in
            let items = try i.iterateValues(try i.required(a, 0, "iterable", "sum"))
            var total = a.argument(1, "start") ?? .int(0)
            if case .str = total { throw PyError.type("sum() can't sum strings [use ''.join(seq) instead]") }
            for v in items { total = try i.binaryOp(.add, total, v) }
            return total
        }
        define("any") { a, i in
            for v in try i.iterateValues(try i.one(a, "any")) where try i.isTruthy(v) { return .true }
            return .false
        }
        define("all") { a, i in
            for v in try i.iterateValues(try i.one(a, "all")) where !(try i.isTruthy(v)) { return .false }
            return .true
        }
    }

    private func extreme(_ a: Arguments, _ name: String, greater: Bool) throws -> Value {
        let items: [Value]
        if a.positional.count == 1 {
            items = try iterateValues(a.positional[0])
        } else if a.positional.isEmpty {
            throw PyError.type("\(name) expected at least 1 argument, got 0")
        } else {
            if a.keyword("default") != nil { throw PyError.type("Cannot specify a default for \(name)() with multiple positional arguments") }
            items = a.positional
        }
        guard !items.isEmpty else {
            if let d = a.keyword("default") { return d }
            throw PyError.value("\(name)() arg is an empty sequence")
        }
        let key = a.keyword("key").flatMap { $0.isNone ? nil : $0 }
        var best = items[0]
        var bestKey = try key.map { try callValue($0, Arguments([best])) } ?? best
        for v in items.dropFirst() {
            let k = try key.map { try callValue($0, Arguments([v])) } ?? v
            if greater ? try compareOrder(.greater, k, bestKey) : try compareOrder(.less, k, bestKey) {
                best = v
                bestKey = k
            }
        }
        return best
    }
}
