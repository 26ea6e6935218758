// Methods of `str`. Positions and lengths count Unicode scalars (Python's code points), so the
// implementations work on scalar arrays rather than Swift's grapheme-based Characters.

extension Interpreter {
    static let strMethodNames: Set<String> = [
        "format", "format_map", "join", "split", "rsplit", "strip", "lstrip", "rstrip", "startswith", "endswith",
        "replace", "find", "rfind", "index", "rindex", "count", "upper", "lower", "capitalize", "title", "swapcase",
        "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "isnumeric", "isdecimal", "isidentifier",
        "isascii", "istitle", "isprintable", "zfill", "ljust", "rjust", "center", "partition", "rpartition",
        "splitlines", "encode", "decode", "removeprefix", "removesuffix", "expandtabs", "casefold", "translate",
        "maketrans", "__len__", "__contains__", "__getitem__", "__add__", "__mod__", "__eq__",
    ]

    func strMethod(_ s: String, _ name: String, _ a: Arguments) throws -> Value? {
        let p = a.positional
        switch name {
        case "format": return .str(try formatString(s, a))
        case "format_map":
            guard let m = p.first else { throw PyError.type("format_map() takes exactly one argument (0 given)") }
            var formatter = StrFormatter(interpreter: self, arguments: Arguments(), mapping: m)
            return .str(try formatter.format(s))
        case "join":
            let items = try iterateValues(try one(a, "join"))
            var out = ""
            for (n, item) in items.enumerated() {
                guard let text = item.stringValue else {
                    throw PyError.type("sequence item \(n): expected str instance, \(item.typeName) found")
                }
                if n > 0 { out += s }
                out += text
            }
            return .str(out)
        case "split", "rsplit":
            let sep = a.argument(0, "sep").flatMap { $0.isNone ? nil : $0 }
            var maxsplit = -1
            if let m = a.argument(1, "maxsplit") { maxsplit = try intArgument(m) }
            let parts: [String]
            if let sep {
                guard let sepText = sep.stringValue else { throw PyError.type("must be str or None, not \(sep.typeName)") }
                if sepText.isEmpty { throw PyError.value("empty separator") }
                parts = splitOn(s, sepText, maxsplit, fromRight: name == "rsplit")
            } else {
                parts = splitWhitespace(s, maxsplit, fromRight: name == "rsplit")
            }
            return .list(PyList(parts.map { .str($0) }))
        case "strip", "lstrip", "rstrip":
            let chars = try p.first.flatMap { v -> Set<Unicode.Scalar>? in
                if v.isNone { return nil }
                guard let t = v.stringValue else { throw PyError.type("\(name) arg must be None or str") }
                return Set(t.unicodeScalars)
            }
            let isStripped: (Unicode.Scalar) -> Bool = { chars?.contains($0) ?? $0.properties.isWhitespace }
            let scalars = Array(s.unicodeScalars)
            var lo = 0, hi = scalars.count
            if name != "rstrip" { while lo < hi && isStripped(scalars[lo]) { lo += 1 } }
            if name != "lstrip" { while hi > lo && isStripped(scalars[hi - 1]) { hi -= 1 } }
            return .str(scalarString(scalars[lo..<hi]))
        case "startswith", "endswith":
            let scalars = Array(s.unicodeScalars)
            let (lo, hi) = try sliceBounds(a, 1, scalars.count)
            let window = scalarString(scalars[lo..<max(lo, hi)])
            let candidates: [Value]
            guard let first = p.first else { throw PyError.type("\(name)() takes at least 1 argument (0 given)") }
            if case .tuple(let t) = first { candidates = t } else { candidates = [first] }
            for c in candidates {
                guard let text = c.stringValue else {
                    throw PyError.type("\(name) first arg must be str or a tuple of str, not \(c.typeName)")
                }
                if hi < lo { continue }
                if name == "startswith" ? window.unicodeScalars.starts(with: text.unicodeScalars)
                    : window.unicodeScalars.reversed().starts(with: text.unicodeScalars.reversed()) { return .true }
            }
            return .false
        case "replace":
            guard p.count >= 2, let old = p[0].stringValue, let new = p[1].stringValue else {
                throw PyError.type("replace() takes at least 2 string arguments")
            }
            var count = -1
            if p.count > 2 { count = try intArgument(p[2]) }
            return .str(replace(s, old, new, count))
        case "find", "rfind", "index", "rindex":
            guard let sub = p.first?.stringValue else { throw PyError.type("must be str, not \(p.first?.typeName ?? "nothing")") }
            let scalars = Array(s.unicodeScalars)
            let (lo, hi) = try sliceBounds(a, 1, scalars.count)
            let found = findScalars(scalars, Array(sub.unicodeScalars), lo, hi, last: name.hasPrefix("r"))
            if found < 0 && name.hasSuffix("index") { throw PyError.value("substring not found") }
            return .int(found)
        case "count":
            guard let sub = p.first?.stringValue else { throw PyError.type("must be str, not \(p.first?.typeName ?? "nothing")") }
            let scalars = Array(s.unicodeScalars)
            let (lo, hi) = try sliceBounds(a, 1, scalars.count)
            let needle = Array(sub.unicodeScalars)
            if needle.isEmpty { return .int(max(0, hi - lo) + 1) }
            var n = 0, i = lo
            while true {
                let f = findScalars(scalars, needle, i, hi, last: false)
                if f < 0 { break }
                n += 1
                i = f + needle.count
            }
            return .int(n)
        case "upper": return .str(s.uppercased())
        case "lower", "casefold": return .str(s.lowercased())
        case "capitalize":
            guard let f = s.unicodeScalars.first else { return .str("") }
            return .str(String(f).uppercased() + String(s.unicodeScalars.dropFirst()).lowercased())
        case "title": return .str(titleCase(s))
        case "swapcase":
            return .str(s.unicodeScalars.map { c -> String in
                let t = String(c)
                return c.properties.isUppercase ? t.lowercased() : c.properties.isLowercase ? t.uppercased() : t
            }.joined())
        case "isdigit", "isnumeric", "isdecimal":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy {
                name == "isdecimal" ? $0.properties.numericType == .decimal : $0.properties.numericType != nil
            })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isWhitespace })
        case "isupper", "islower":
            let cased = s.unicodeScalars.filter { $0.properties.isUppercase || $0.properties.isLowercase }
            return .bool(!cased.isEmpty && cased.allSatisfy { name == "isupper" ? $0.properties.isUppercase : $0.properties.isLowercase })
        case "isascii": return .bool(s.unicodeScalars.allSatisfy { $0.isASCII })
        case "isprintable": return .bool(s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f })
        case "istitle": return .bool(!s.isEmpty && titleCase(s) == s && s.unicodeScalars.contains { $0.properties.isUppercase })
        case "isidentifier":
            guard let f = s.unicodeScalars.first, f == "_" || f.properties.isXIDStart else { return .false }
            return .bool(s.unicodeScalars.dropFirst().allSatisfy { $0.properties.isXIDContinue })
        case "zfill":
            let width = try intArgument(try one(a, "zfill"))
            let scalars = Array(s.unicodeScalars)
            guard width > scalars.count else { return .str(s) }
            let zeros = String(repeating: "0", count: width - scalars.count)
            if let f = scalars.first, f == "+" || f == "-" { return .str(String(f) + zeros + scalarString(scalars[1...])) }
            return .str(zeros + s)
        case "ljust", "rjust", "center":
            guard let w = p.first else { throw PyError.type("\(name)() takes at least 1 argument (0 given)") }
            let width = try intArgument(w)
            var fill = " "
            if p.count > 1 {
                guard let f = p[1].stringValue, f.unicodeScalars.count == 1 else {
                    throw PyError.type("The fill character must be exactly one character long")
                }
                fill = f
            }
            let len = s.unicodeScalars.count
            guard width > len else { return .str(s) }
            let pad = width - len
            switch name {
            case "ljust": return .str(s + String(repeating: fill, count: pad))
            case "rjust": return .str(String(repeating: fill, count: pad) + s)
            default:
                let left = pad / 2 + (pad & width & 1)
                return .str(String(repeating: fill, count: left) + s + String(repeating: fill, count: pad - left))
            }
        case "partition", "rpartition":
            guard let sep = p.first?.stringValue else { throw PyError.type("must be str") }
            if sep.isEmpty { throw PyError.value("empty separator") }
            let scalars = Array(s.unicodeScalars)
            let f = findScalars(scalars, Array(sep.unicodeScalars), 0, scalars.count, last: name == "rpartition")
            if f < 0 { return name == "partition" ? .tuple([.str(s), .str(""), .str("")]) : .tuple([.str(""), .str(""), .str(s)]) }
            let end = f + sep.unicodeScalars.count
            return .tuple([.str(scalarString(scalars[..<f])), .str(sep), .str(scalarString(scalars[end...]))])
        case "splitlines":
            let keep = try a.argument(0, "keepends").map { try isTruthy($0) } ?? false
            return .list(PyList(splitLines(s, keepEnds: keep).map { .str($0) }))
        case "encode", "decode": return .str(s)
        case "removeprefix":
            guard let prefix = p.first?.stringValue else { throw PyError.type("removeprefix() argument must be str") }
            return .str(s.unicodeScalars.starts(with: prefix.unicodeScalars) ? String(s.unicodeScalars.dropFirst(prefix.unicodeScalars.count)) : s)
        case "removesuffix":
            guard let suffix = p.first?.stringValue else { throw PyError.type("removesuffix() argument must be str") }
            if suffix.isEmpty { return .str(s) }
            return .str(s.unicodeScalars.reversed().starts(with: suffix.unicodeScalars.reversed())
                        ? String(s.unicodeScalars.dropLast(suffix.unicodeScalars.count)) : s)
        case "expandtabs":
            let size = try a.argument(0, "tabsize").map { try intArgument($0) } ?? 8
            var out = "", column = 0
            for c in s.unicodeScalars {
                if c == "\t" {
                    let n = size > 0 ? size - column % size : 0
                    out += String(repeating: " ", count: n)
                    column += n
                } else {
                    out.unicodeScalars.append(c)
                    column = (c == "\n" || c == "\r") ? 0 : column + 1
                }
            }
            return .str(out)
        case "translate":
            guard let table = p.first else { throw PyError.type("translate() takes exactly one argument (0 given)") }
            var out = ""
            for c in s.unicodeScalars {
                let mapped: Value
                do { mapped = try subscriptValue(table, .int(Int(c.value))) } catch let e as PyError where e.type == "KeyError" || e.type == "IndexError" {
                    out.unicodeScalars.append(c); continue
                }
                switch mapped {
                case .none: break
                case .int(let i): if let u = Unicode.Scalar(UInt32(clamping: i)) { out.unicodeScalars.append(u) }
                default: out += try strValue(mapped)
                }
            }
            return .str(out)
        case "maketrans": return try makeTranslation(p)
        default: return nil
        }
    }

    func makeTranslation(_ p: [Value]) throws -> Value {
        let d = PyDict()
        if p.count == 1, case .dict(let m) = p[0] {
            for (k, v) in zip(m.keys, m.values) {
                if let s = k.stringValue, let c = s.unicodeScalars.first { d.set(HashKey(unchecked: .int(Int(c.value))), v) } else { d.set(try HashKey(k), v) }
            }
            return .dict(d)
        }
        guard p.count >= 2, let from = p[0].stringValue, let to = p[1].stringValue, from.unicodeScalars.count == to.unicodeScalars.count else {
            throw PyError.value("the first two maketrans arguments must have equal length")
        }
        for (x, y) in zip(from.unicodeScalars, to.unicodeScalars) { d.set(HashKey(unchecked: .int(Int(x.value))), .int(Int(y.value))) }
        if p.count > 2, let del = p[2].stringValue { for x in del.unicodeScalars { d.set(HashKey(unchecked: .int(Int(x.value))), .none) } }
        return .dict(d)
    }

    func intArgument(_ v: Value) throws -> Int {
        guard case .int(let i) = v.numericPromoted else {
            throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer")
        }
        return i
    }

    /// Optional start/end arguments at positions `first`, `first+1`, clamped like a slice.
    private func sliceBounds(_ a: Arguments, _ first: Int, _ count: Int) throws -> (Int, Int) {
        func bound(_ v: Value?, _ d: Int) throws -> Int {
            guard let v, !v.isNone else { return d }
            var i = try intArgument(v)
            if i < 0 { i = max(0, i + count) }
            return min(i, count)
        }
        let p = a.positional
        return (try bound(p.count > first ? p[first] : nil, 0), try bound(p.count > first + 1 ? p[first + 1] : nil, count))
    }

    private func findScalars(_ hay: [Unicode.Scalar], _ needle: [Unicode.Scalar], _ lo: Int, _ hi: Int, last: Bool) -> Int {
        guard hi - lo >= needle.count else { return -1 }
        let positions = stride(from: lo, through: hi - needle.count, by: 1)
        func matches(_ i: Int) -> Bool {
            for k in 0..<needle.count where hay[i + k] != needle[k] { return false }
            return true
        }
        if last { for i in positions.reversed() where matches(i) { return i } } else { for i in positions where matches(i) { return i } }
        return -1
    }

    private func splitOn(_ s: String, _ sep: String, _ maxsplit: Int, fromRight: Bool) -> [String] {
        var parts = s.pySplit(sep)
        guard maxsplit >= 0, parts.count > maxsplit + 1 else { return parts }
        if fromRight {
            let head = parts[0..<(parts.count - maxsplit)].joined(separator: sep)
            parts = [head] + parts[(parts.count - maxsplit)...]
        } else {
            let tail = parts[maxsplit...].joined(separator: sep)
            parts = Array(parts[0..<maxsplit]) + [tail]
        }
        return parts
    }

    private func splitWhitespace(_ s: String, _ maxsplit: Int, fromRight: Bool) -> [String] {
        var scalars = Array(s.unicodeScalars)
        if fromRight { scalars.reverse() }
        var parts: [String] = []
        var i = 0
        let n = scalars.count
        func text(_ r: ArraySlice<Unicode.Scalar>) -> String { fromRight ? scalarString(r.reversed()) : scalarString(r) }
        while i < n {
            while i < n && scalars[i].properties.isWhitespace { i += 1 }
            if i == n { break }
            if maxsplit >= 0 && parts.count == maxsplit {
                parts.append(text(scalars[i..<n]))   // the unsplit remainder keeps its trailing whitespace
                break
            }
            let start = i
            while i < n && !scalars[i].properties.isWhitespace { i += 1 }
            parts.append(text(scalars[start..<i]))
        }
        return fromRight ? parts.reversed() : parts
    }

    private func replace(_ s: String, _ old: String, _ new: String, _ count: Int) -> String {
        if count == 0 { return s }
        if old.isEmpty {
            var out = ""
            var n = 0
            for c in s.unicodeScalars {
                if count < 0 || n < count { out += new; n += 1 }
                out.unicodeScalars.append(c)
            }
            if count < 0 || n < count { out += new }
            return out
        }
        let parts = s.pySplit(old)
        if count < 0 || parts.count - 1 <= count { return parts.joined(separator: new) }
        return parts[0...count].joined(separator: new) + old + parts[(count + 1)...].joined(separator: old)
    }

    private func titleCase(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s.unicodeScalars {
            let t = String(c)
            if c.properties.isAlphabetic || c.properties.isCased {
                out += previousCased ? t.lowercased() : t.uppercased()
                previousCased = true
            } else {
                out += t
                previousCased = false
            }
        }
        return out
    }

    private func splitLines(_ s: String, keepEnds: Bool) -> [String] {
        let breaks: Set<UInt32> = [0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029]
        let scalars = Array(s.unicodeScalars)
        var out: [String] = []
        var start = 0, i = 0
        while i < scalars.count {
            if breaks.contains(scalars[i].value) {
                var end = i + 1
                if scalars[i] == "\r" && end < scalars.count && scalars[end] == "\n" { end += 1 }
                out.append(scalarString(scalars[start..<(keepEnds ? end : i)]))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < scalars.count { out.append(scalarString(scalars[start...])) }
        return out
    }
}

func scalarString<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars)
    return String(view)
}
