// `random`: a seedable generator (SplitMix64 — deterministic for a given seed, not CPython's
// Mersenne Twister stream) with the usual helpers.

import Foundation

final class RandomState {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    func reseed(_ seed: UInt64) { state = seed }

    func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    func random() -> Double { Double(nextUInt64() >> 11) / Double(1 << 53) }

    /// Uniform integer in [0, n).
    func below(_ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        var x = nextUInt64()
        while x >= limit { x = nextUInt64() }
        return Int(x % bound)
    }

    static func seed(from v: Value) -> UInt64 {
        switch v {
        case .none: return UInt64(Date().timeIntervalSince1970 * 1e6) ^ UInt64(getpid())
        case .int(let n): return UInt64(bitPattern: Int64(n))
        case .float(let d): return d.bitPattern
        case .bool(let b): return b ? 1 : 0
        default:
            // FNV-1a of the text: stable across runs, unlike Swift's seeded hashValue.
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in (v.stringValue ?? "\(v.typeName)").utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return h
        }
    }
}

enum RandomModule {
    static func make() -> PyModule {
        let m = PyModule("random")
        let rng = RandomState(seed: RandomState.seed(from: .none))
        var gaussNext: Double?
        m.define("seed") { a, _ in
            rng.reseed(RandomState.seed(from: a.positional.first ?? .none))
            gaussNext = nil
            return .none
        }
        m.define("random") { _, _ in .float(rng.random()) }
        m.define("uniform") { a, i in
            let args = Args(a, "uniform", i)
            let lo = try args.double(0, "a"), hi = try args.double(1, "b")
            return .float(lo + (hi - lo) * rng.random())
        }
        m.define("randint") { a, i in
            let args = Args(a, "randint", i)
            let lo = try args.int(0, "a"), hi = try args.int(1, "b")
            guard hi >= lo else { throw PyError.value("empty range for randrange() (\(lo), \(hi + 1), \(hi + 1 - lo))") }
            return .int(lo + rng.below(hi - lo + 1))
        }
        m.define("randrange") { a, i in
            let args = Args(a, "randrange", i)
            var start = try args.int(0, "start"), stop: Int
            if let s = args.value(1, "stop"), !s.isNone { stop = try intValue(s, function: "randrange") } else { stop = start; start = 0 }
            let step = try args.int(2, "step", default: 1)
            guard step != 0 else { throw PyError.value("zero step for randrange()") }
            let n = step > 0 ? (stop - start + step - 1) / step : (stop - start + step + 1) / step
            guard n > 0 else { throw PyError.value("empty range for randrange()") }
            return .int(start + step * rng.below(n))
        }
        m.define("choice") { a, i in
            let items = try i.iterate(try Args(a, "choice", i).required(0, "seq"))
            guard !items.isEmpty else { throw PyError.index("Cannot choose from an empty sequence") }
            return items[rng.below(items.count)]
        }
        m.define("choices") { a, i in
            let args = Args(a, "choices", i)
            let items = try i.iterate(try args.required(0, "population"))
            let k = try a.keyword("k").map { try intValue($0, function: "choices") } ?? 1
            guard !items.isEmpty else { throw PyError.index("Cannot choose from an empty sequence") }
            var cumulative: [Double]?
            if let w = args.value(1, "weights"), !w.isNone {
                var total = 0.0
                cumulative = try i.iterate(w).map { total += try doubleValue($0, function: "choices"); return total }
            } else if let w = a.keyword("cum_weights"), !w.isNone {
                cumulative = try i.iterate(w).map { try doubleValue($0, function: "choices") }
            }
            if let c = cumulative, c.count != items.count { throw PyError.value("The number of weights does not match the population") }
            return .list(PyList((0..<max(k, 0)).map { _ in
                guard let c = cumulative, let total = c.last else { return items[rng.below(items.count)] }
                let x = rng.random() * total
                return items[c.firstIndex { x < $0 } ?? items.count - 1]
            }))
        }
        m.define("shuffle") { a, i in
            guard case .list(let l) = try Args(a, "shuffle", i).required(0, "x") else { throw PyError.type("shuffle() needs a list") }
            var k = l.items.count - 1
            while k > 0 { l.items.swapAt(k, rng.below(k + 1)); k -= 1 }
            return .none
        }
        m.define("sample") { a, i in
            let args = Args(a, "sample", i)
            var pool = try i.iterate(try args.required(0, "population"))
            let k = try args.int(1, "k")
            guard k >= 0, k <= pool.count else { throw PyError.value("Sample larger than population or is negative") }
            for j in 0..<k { pool.swapAt(j, j + rng.below(pool.count - j)) }
            return .list(PyList(Array(pool.prefix(k))))
        }
        m.define("gauss") { a, i in
            let args = Args(a, "gauss", i)
            let mu = try args.value(0, "mu").map { try doubleValue($0, function: "gauss") } ?? 0
            let sigma = try args.value(1, "sigma").map { try doubleValue($0, function: "gauss") } ?? 1
            if let z = gaussNext { gaussNext = nil; return .float(mu + z * sigma) }
            // Box-Muller: one draw now, its pair cached for the next call.
            let u1 = max(rng.random(), Double.leastNonzeroMagnitude), u2 = rng.random()
            let r = (-2 * Foundation.log(u1)).squareRoot()
            gaussNext = r * Foundation.sin(2 * .pi * u2)
            return .float(mu + r * Foundation.cos(2 * .pi * u2) * sigma)
        }
        m.attributes.set("normalvariate", m.attributes.get("gauss")!)
        return m
    }
}
