// The `math` module: constants and the numeric functions Snakefiles use for resources and
// thread counts, with Python's int/float result types and domain errors.

import Foundation

enum MathModule {
    static func make() -> PyModule {
        let m = PyModule("math", [("pi", .float(Double.pi)), ("e", .float(M_E)), ("tau", .float(2 * Double.pi)),
                                  ("inf", .float(.infinity)), ("nan", .float(.nan))])
        func unary(_ name: String, _ f: @escaping (Double) throws -> Value) {
            m.define(name) { a, i in try f(try Args(a, name, i).double(0, "x")) }
        }
        func real(_ name: String, _ f: @escaping (Double) -> Double, domain: @escaping (Double) -> Bool = { _ in true }) {
            unary(name) { x in
                guard domain(x) else { throw PyError.value("math domain error") }
                return .float(f(x))
            }
        }
        /// floor/ceil/trunc return ints (ints pass through unchanged).
        func integral(_ name: String, _ f: @escaping (Double) -> Double) {
            m.define(name) { a, i in
                let v = try Args(a, name, i).required(0, "x")
                if case .int = v { return v }
                if case .bool(let b) = v { return .int(b ? 1 : 0) }
                let d = f(try doubleValue(v, function: name))
                guard d.isFinite else { throw PyError(d.isNaN ? "ValueError" : "OverflowError", "cannot convert float \(pyFloatRepr(d)) to integer") }
                return .int(Int(d))
            }
        }
        integral("floor", Foundation.floor)
        integral("ceil", Foundation.ceil)
        integral("trunc", Foundation.trunc)
        real("sqrt", Foundation.sqrt, domain: { $0 >= 0 })
        real("exp", Foundation.exp)
        real("log2", Foundation.log2, domain: { $0 > 0 })
        real("log10", Foundation.log10, domain: { $0 > 0 })
        real("log1p", Foundation.log1p, domain: { $0 > -1 })
        real("fabs", Foundation.fabs)
        for (name, f) in [("sin", Foundation.sin), ("cos", Foundation.cos), ("tan", Foundation.tan), ("atan", Foundation.atan),
                          ("sinh", Foundation.sinh), ("cosh", Foundation.cosh), ("tanh", Foundation.tanh)] as [(String, (Double) -> Double)] {
            real(name, f)
        }
        real("asin", Foundation.asin, domain: { abs($0) <= 1 })
        real("acos", Foundation.acos, domain: { abs($0) <= 1 })
        real("degrees", { $0 * 180 / .pi })
        real("radians", { $0 * .pi / 180 })
        unary("isnan") { .bool($0.isNaN) }
        unary("isinf") { .bool($0.isInfinite) }
        unary("isfinite") { .bool($0.isFinite) }
        m.define("log") { a, i in
            let args = Args(a, "log", i)
            let x = try args.double(0, "x")
            guard x > 0 else { throw PyError.value("math domain error") }
            guard let b = args.value(1, "base") else { return .float(Foundation.log(x)) }
            let base = try doubleValue(b, function: "log")
            guard base > 0, base != 1 else { throw PyError.value("math domain error") }
            return .float(Foundation.log(x) / Foundation.log(base))
        }
        m.define("pow") { a, i in
            let args = Args(a, "pow", i)
            return .float(Foundation.pow(try args.double(0, "x"), try args.double(1, "y")))
        }
        m.define("atan2") { a, i in
            let args = Args(a, "atan2", i)
            return .float(Foundation.atan2(try args.double(0, "y"), try args.double(1, "x")))
        }
        m.define("hypot") { a, _ in
            .float(Foundation.sqrt(try a.positional.map { try doubleValue($0, function: "hypot") }.reduce(0) { $0 + $1 * $1 }))
        }
        m.define("copysign") { a, i in
            let args = Args(a, "copysign", i)
            return .float(Foundation.copysign(try args.double(0, "x"), try args.double(1, "y")))
        }
        m.define("isclose") { a, i in
            let args = Args(a, "isclose", i)
            let x = try args.double(0, "a"), y = try args.double(1, "b")
            let rel = try a.keyword("rel_tol").map { try doubleValue($0, function: "isclose") } ?? 1e-9
            let abs = try a.keyword("abs_tol").map { try doubleValue($0, function: "isclose") } ?? 0
            if x == y { return .true }
            if x.isInfinite || y.isInfinite { return .false }
            let diff = Swift.abs(x - y)
            return .bool(diff <= Swift.abs(rel * y) || diff <= Swift.abs(rel * x) || diff <= abs)
        }
        m.define("gcd") { a, _ in .int(try a.positional.map { try intValue($0, function: "gcd") }.reduce(0, gcd)) }
        m.define("lcm") { a, _ in
            .int(try a.positional.map { try intValue($0, function: "lcm") }.reduce(1) { x, y in
                x == 0 || y == 0 ? 0 : Swift.abs(x / gcd(x, y) * y)
            })
        }
        m.define("factorial") { a, i in
            let n = try Args(a, "factorial", i).int(0, "n")
            guard n >= 0 else { throw PyError.value("factorial() not defined for negative values") }
            return .int(try checkedProduct((0..<n).map { $0 + 1 }))
        }
        m.define("comb") { a, i in
            let args = Args(a, "comb", i)
            let n = try args.int(0, "n"), k = try args.int(1, "k")
            guard n >= 0, k >= 0 else { throw PyError.value("n must be a non-negative integer") }
            if k > n { return .int(0) }
            var r = 1
            for j in 0..<min(k, n - k) {
                let (p, o) = r.multipliedReportingOverflow(by: n - j)
                if o { throw PyError("OverflowError", "integer too large") }
                r = p / (j + 1)
            }
            return .int(r)
        }
        m.define("perm") { a, i in
            let args = Args(a, "perm", i)
            let n = try args.int(0, "n")
            let k = try args.int(1, "k", default: n)
            guard n >= 0, k >= 0 else { throw PyError.value("n must be a non-negative integer") }
            if k > n { return .int(0) }
            return .int(try checkedProduct(Array((n - k + 1)...max(n, n - k + 1)).filter { _ in k > 0 }))
        }
        m.define("prod") { a, i in
            let args = Args(a, "prod", i)
            var acc = a.keyword("start") ?? .int(1)
            for v in try i.iterate(try args.required(0, "iterable")) { acc = try multiply(acc, v) }
            return acc
        }
        m.define("fsum") { a, i in
            // Neumaier compensated summation: exact enough to match math.fsum on ordinary inputs.
            var sum = 0.0, c = 0.0
            for v in try i.iterate(try Args(a, "fsum", i).required(0, "seq")) {
                let x = try doubleValue(v, function: "fsum")
                let t = sum + x
                c += Swift.abs(sum) >= Swift.abs(x) ? (sum - t) + x : (x - t) + sum
                sum = t
            }
            return .float(sum + c)
        }
        return m
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (Swift.abs(a), Swift.abs(b))
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    private static func checkedProduct(_ values: [Int]) throws -> Int {
        var r = 1
        for v in values {
            let (p, o) = r.multipliedReportingOverflow(by: v)
            if o { throw PyError("OverflowError", "integer result too large for flow's 64-bit ints") }
            r = p
        }
        return r
    }

    private static func multiply(_ a: Value, _ b: Value) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            let (p, o) = x.multipliedReportingOverflow(by: y)
            return o ? .float(Double(x) * Double(y)) : .int(p)
        }
        return .float(try doubleValue(a, function: "prod") * doubleValue(b, function: "prod"))
    }
}
