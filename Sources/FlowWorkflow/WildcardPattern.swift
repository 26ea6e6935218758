// Wildcard patterns: parsing `{name}` / `{name,regex}` file patterns, matching concrete paths
// against output patterns, and formatting patterns with wildcard values. Part of the workflow
// model because both the DAG (rule matching) and the Snakemake API (`glob_wildcards`,
// `checkpoints.X.get()`) need the same semantics.
//
// Matching is the hot loop of DAG construction (every requested file is matched against every
// output pattern), so the common wildcard regexes (`.+`, `.*`, `[^/]+`, `\w+`, `\d+` and simple
// bracket classes) are matched by a small backtracking matcher over UTF-8 bytes that reproduces
// Python's greedy leftmost semantics. Only other constraints fall back to NSRegularExpression.

import Foundation

/// A malformed pattern, or a pattern formatted without a value for one of its wildcards.
public enum PatternError: Error, CustomStringConvertible {
    case invalidPattern(pattern: String, message: String)
    case unknownWildcard(name: String, pattern: String)

    public var description: String {
        switch self {
        case .invalidPattern(let p, let m): return "Invalid file pattern '\(p)': \(m)"
        case .unknownWildcard(let n, let p): return "Wildcard '\(n)' of pattern '\(p)' has no value."
        }
    }
}

/// A parse of a file pattern into literal text and wildcard references.
public struct WildcardPattern: Sendable {
    public enum Segment: Sendable, Equatable {
        case literal([UInt8])
        /// Index into `names`; `first` is false for a repeated occurrence (a backreference).
        case wildcard(Int, first: Bool)
    }

    public let text: String
    public let segments: [Segment]
    /// Distinct wildcard names in order of first appearance.
    public let names: [String]
    /// Inline constraints (`{name,regex}`), indexed like `names`.
    public let inlineConstraints: [String?]

    public var hasWildcards: Bool { !names.isEmpty }

    /// Literal text before the first wildcard and after the last one.
    public var literalPrefix: [UInt8] {
        if case .literal(let l)? = segments.first { return l }
        return []
    }
    public var literalSuffix: [UInt8] {
        guard hasWildcards, case .literal(let l)? = segments.last else { return [] }
        return l
    }

    /// A pattern that is only literal text (no braces to interpret).
    public init(literal text: String) {
        self.text = text
        self.segments = text.isEmpty ? [] : [.literal(Array(text.utf8))]
        self.names = []
        self.inlineConstraints = []
    }

    /// Parses `text`. `{{` and `}}` are literal braces. Throws for a constraint given on a repeated
    /// occurrence of a wildcard (as Snakemake does).
    public init(_ text: String) throws {
        self.text = text
        var segments: [Segment] = []
        var names: [String] = []
        var constraints: [String?] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        func flushLiteral() {
            if !literal.isEmpty { segments.append(.literal(literal)); literal.removeAll() }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "{") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") {
                    literal.append(b); i += 2; continue
                }
                if let (name, constraint, end) = WildcardPattern.scanWildcard(bytes, from: i) {
                    flushLiteral()
                    if let k = names.firstIndex(of: name) {
                        if constraint != nil {
                            throw PatternError.invalidPattern(pattern: text, message:
                                "Constraint regex must be defined only in the first occurrence of the wildcard in a string.")
                        }
                        segments.append(.wildcard(k, first: false))
                    } else {
                        names.append(name)
                        constraints.append(constraint)
                        segments.append(.wildcard(names.count - 1, first: true))
                    }
                    i = end
                    continue
                }
            } else if b == UInt8(ascii: "}"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "}") {
                literal.append(b); i += 2; continue
            }
            literal.append(b)
            i += 1
        }
        flushLiteral()
        self.segments = segments
        self.names = names
        self.inlineConstraints = constraints
    }

    /// Scans `{ name [, constraint] }` at `start` (which holds `{`). The constraint may nest one
    /// level of braces (`{w,a{3,5}}`). Returns nil when the text is not a wildcard.
    private static func scanWildcard(_ bytes: [UInt8], from start: Int) -> (String, String?, Int)? {
        var i = start + 1
        func skipSpaces() { while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 { i += 1 } }
        skipSpaces()
        let nameStart = i
        while i < bytes.count, isWordByte(bytes[i]) { i += 1 }
        guard i > nameStart else { return nil }
        let name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
        skipSpaces()
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "}") { return (name, nil, i + 1) }
        guard bytes[i] == UInt8(ascii: ",") else { return nil }
        i += 1
        skipSpaces()
        let cStart = i
        var depth = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 2; continue }
            if c == UInt8(ascii: "{") { depth += 1 }
            else if c == UInt8(ascii: "}") {
                if depth == 0 { break }
                depth -= 1
            }
            i += 1
        }
        guard i < bytes.count else { return nil }
        var cEnd = i
        while cEnd > cStart, bytes[cEnd - 1] == 32 { cEnd -= 1 }
        let constraint = String(decoding: bytes[cStart..<cEnd], as: UTF8.self)
        return (name, constraint.isEmpty ? nil : constraint, i + 1)
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 0x80
    }

    /// The pattern with wildcards replaced: `values` is indexed like `names`.
    public func format(_ values: [String]) -> String { render { values[$0] } }

    /// Writes the segments into one string, with `value(k)` for wildcard `k` (one allocation at
    /// most; none for short paths).
    @inline(__always)
    public func render(_ value: (Int) -> String) -> String {
        var length = 0
        for s in segments {
            switch s {
            case .literal(let l): length += l.count
            case .wildcard(let k, _): length += value(k).utf8.count
            }
        }
        return String(unsafeUninitializedCapacity: length) { buffer in
            var i = 0
            for s in segments {
                switch s {
                case .literal(let l):
                    for b in l { buffer[i] = b; i += 1 }
                case .wildcard(let k, _):
                    for b in value(k).utf8 { buffer[i] = b; i += 1 }
                }
            }
            return i
        }
    }

    /// The pattern with wildcards replaced by looking names up; throws naming the first unknown one.
    public func format(lookup: (String) -> String?) throws -> String {
        var values: [String] = []
        values.reserveCapacity(names.count)
        for n in names {
            guard let v = lookup(n) else { throw PatternError.unknownWildcard(name: n, pattern: text) }
            values.append(v)
        }
        return format(values)
    }
}

// MARK: - Matching

/// How one wildcard matches: a byte class with a minimum length, or "needs a real regex".
enum WildcardClass: Sendable {
    /// Bytes allowed (256-bit set) and whether the empty string matches.
    case bytes(ByteSet, allowEmpty: Bool)
    case regex

    /// Recognises the constraints the fast matcher supports.
    static func parse(_ regex: String) -> WildcardClass {
        var body = Substring(regex)
        let allowEmpty: Bool
        if body.hasSuffix("+") { allowEmpty = false } else if body.hasSuffix("*") { allowEmpty = true } else { return .regex }
        body = body.dropLast()
        if body == "." { return .bytes(ByteSet.all.removing(10), allowEmpty: allowEmpty) }
        if body == "\\w" { return .bytes(ByteSet.word, allowEmpty: allowEmpty) }
        if body == "\\d" { return .bytes(ByteSet.digits, allowEmpty: allowEmpty) }
        guard body.first == "[", body.last == "]", body.count >= 3 else { return .regex }
        var inner = Array(body.dropFirst().dropLast().utf8)
        var negated = false
        if inner.first == UInt8(ascii: "^") { negated = true; inner.removeFirst() }
        var set = ByteSet()
        var i = 0
        var previous: UInt8?
        while i < inner.count {
            var c = inner[i]
            if c == UInt8(ascii: "[") { return .regex }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < inner.count else { return .regex }
                let e = inner[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "w"): set.formUnion(.word); previous = nil; continue
                case UInt8(ascii: "d"): set.formUnion(.digits); previous = nil; continue
                case UInt8(ascii: "s"): for b in [9, 10, 11, 12, 13, 32] as [UInt8] { set.insert(b) }; previous = nil; continue
                default:
                    if isWordByteASCII(e) { return .regex }
                    c = e
                }
                set.insert(c); previous = c; continue
            }
            if c == UInt8(ascii: "-"), let lo = previous, i + 1 < inner.count {
                var hi = inner[i + 1]
                var step = 2
                if hi == UInt8(ascii: "\\") {
                    guard i + 2 < inner.count, !isWordByteASCII(inner[i + 2]) else { return .regex }
                    hi = inner[i + 2]; step = 3
                }
                guard hi >= lo else { return .regex }
                for b in lo...hi { set.insert(b) }
                i += step; previous = nil; continue
            }
            if c >= 0x80 { return .regex }
            set.insert(c); previous = c; i += 1
        }
        // A negated class matches every other character, newlines and non-ASCII included.
        if negated { set = set.complement }
        return .bytes(set, allowEmpty: allowEmpty)
    }

    private static func isWordByteASCII(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95
    }
}

/// A 256-bit set of bytes.
struct ByteSet: Sendable {
    var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static let all = ByteSet(bits: (~0, ~0, ~0, ~0))
    static let digits: ByteSet = { var s = ByteSet(); for b in UInt8(48)...57 { s.insert(b) }; return s }()
    /// Python's `\w` on str: ASCII letters, digits, `_`, and (approximately) every non-ASCII character.
    static let word: ByteSet = {
        var s = ByteSet()
        for b in UInt8(48)...57 { s.insert(b) }
        for b in UInt8(65)...90 { s.insert(b) }
        for b in UInt8(97)...122 { s.insert(b) }
        s.insert(95)
        for b in UInt8(0x80)...0xFF { s.insert(b) }
        return s
    }()

    @inline(__always) func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return bits.0 & bit != 0
        case 1: return bits.1 & bit != 0
        case 2: return bits.2 & bit != 0
        default: return bits.3 & bit != 0
        }
    }
    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: bits.0 |= bit
        case 1: bits.1 |= bit
        case 2: bits.2 |= bit
        default: bits.3 |= bit
        }
    }
    func removing(_ b: UInt8) -> ByteSet {
        var s = self
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: s.bits.0 &= ~bit
        case 1: s.bits.1 &= ~bit
        case 2: s.bits.2 &= ~bit
        default: s.bits.3 &= ~bit
        }
        return s
    }
    mutating func formUnion(_ o: ByteSet) {
        bits = (bits.0 | o.bits.0, bits.1 | o.bits.1, bits.2 | o.bits.2, bits.3 | o.bits.3)
    }
    var complement: ByteSet { ByteSet(bits: (~bits.0, ~bits.1, ~bits.2, ~bits.3)) }
    var includesNonASCII: Bool { bits.2 != 0 || bits.3 != 0 }
}

/// Matches concrete paths against one output pattern, yielding wildcard values.
public struct PatternMatcher: @unchecked Sendable {
    public let pattern: WildcardPattern
    /// The effective regex of each wildcard (inline constraint, else rule, else workflow, else `.+`).
    public let constraints: [String]
    private let classes: [ByteSet]
    private let allowEmpty: [Bool]
    /// For each segment: the total length of the literal segments after it when no wildcard
    /// follows (then a wildcard's end is fixed), else -1.
    private let fixedTail: [Int]
    private let prefix: [UInt8]
    private let suffix: [UInt8]
    private let regex: NSRegularExpression?
    private let minLength: Int

    public init(_ pattern: WildcardPattern, ruleConstraints: [String: String] = [:],
                globalConstraints: [String: String] = [:]) throws {
        self.pattern = pattern
        var constraints: [String] = []
        var classes: [ByteSet] = []
        var allowEmpty: [Bool] = []
        var needsRegex = false
        for (k, name) in pattern.names.enumerated() {
            let c = pattern.inlineConstraints[k] ?? ruleConstraints[name] ?? globalConstraints[name] ?? ".+"
            constraints.append(c)
            switch WildcardClass.parse(c) {
            case .bytes(let set, let empty): classes.append(set); allowEmpty.append(empty)
            case .regex: needsRegex = true; classes.append(.all); allowEmpty.append(true)
            }
        }
        self.constraints = constraints
        self.classes = classes
        self.allowEmpty = allowEmpty
        var tails = [Int](repeating: -1, count: pattern.segments.count)
        var tail = 0
        var fixed = true
        for i in stride(from: pattern.segments.count - 1, through: 0, by: -1) {
            tails[i] = fixed ? tail : -1
            switch pattern.segments[i] {
            case .literal(let l): tail += l.count
            case .wildcard: fixed = false
            }
        }
        self.fixedTail = tails
        self.prefix = pattern.literalPrefix
        self.suffix = pattern.hasWildcards ? pattern.literalSuffix : []
        var minLength = 0
        for s in pattern.segments {
            switch s {
            case .literal(let l): minLength += l.count
            case .wildcard(let k, _): if !allowEmpty[k] { minLength += 1 }
            }
        }
        self.minLength = minLength
        if needsRegex {
            var re = "^(?:"
            for s in pattern.segments {
                switch s {
                case .literal(let l): re += NSRegularExpression.escapedPattern(for: String(decoding: l, as: UTF8.self))
                case .wildcard(let k, let first):
                    re += first ? "(?<w\(k)>\(PatternMatcher.icuRegex(constraints[k])))" : "\\k<w\(k)>"
                }
            }
            re += ")$"
            do { self.regex = try NSRegularExpression(pattern: re) } catch {
                throw PatternError.invalidPattern(pattern: pattern.text, message: "invalid wildcard constraint: \(error)")
            }
        } else {
            self.regex = nil
        }
    }

    /// Python `re` spellings that ICU writes differently.
    private static func icuRegex(_ python: String) -> String {
        python.replacingOccurrences(of: "(?P<", with: "(?<")
            .replacingOccurrences(of: "(?P=", with: "\\k<").replacingOccurrences(of: "\\Z", with: "\\z")
    }

    /// Cheap necessary condition: literal prefix and suffix and minimum length.
    @inline(__always)
    func prefilter(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        if p.count < minLength { return false }
        if !prefix.isEmpty {
            if p.count < prefix.count { return false }
            for i in 0..<prefix.count where p[i] != prefix[i] { return false }
        }
        if !suffix.isEmpty {
            if p.count < suffix.count { return false }
            let off = p.count - suffix.count
            for i in 0..<suffix.count where p[off + i] != suffix[i] { return false }
        }
        return true
    }

    /// Wildcard values (indexed like `pattern.names`) if `path` matches the whole pattern.
    public func match(_ path: String) -> [String]? {
        var bytes = path
        return bytes.withUTF8 { match(utf8: $0, path: path) }
    }

    public func match(utf8 p: UnsafeBufferPointer<UInt8>, path: String) -> [String]? {
        guard prefilter(p) else { return nil }
        if !pattern.hasWildcards {
            // The prefilter compared the whole literal as prefix; lengths must agree.
            return p.count == prefix.count ? [] : nil
        }
        if let regex { return matchRegex(regex, path) }
        var starts = [Int](repeating: 0, count: pattern.names.count)
        var ends = [Int](repeating: 0, count: pattern.names.count)
        guard matchSegments(0, 0, p, &starts, &ends) else { return nil }
        var values: [String] = []
        values.reserveCapacity(starts.count)
        for k in 0..<starts.count {
            values.append(String(decoding: UnsafeBufferPointer(rebasing: p[starts[k]..<ends[k]]), as: UTF8.self))
        }
        return values
    }

    private func matchSegments(_ seg: Int, _ pos: Int, _ p: UnsafeBufferPointer<UInt8>,
                               _ starts: inout [Int], _ ends: inout [Int]) -> Bool {
        let segments = pattern.segments
        if seg == segments.count { return pos == p.count }
        switch segments[seg] {
        case .literal(let l):
            if p.count - pos < l.count { return false }
            for i in 0..<l.count where p[pos + i] != l[i] { return false }
            return matchSegments(seg + 1, pos + l.count, p, &starts, &ends)
        case .wildcard(let k, first: false):
            let len = ends[k] - starts[k]
            if p.count - pos < len { return false }
            for i in 0..<len where p[pos + i] != p[starts[k] + i] { return false }
            return matchSegments(seg + 1, pos + len, p, &starts, &ends)
        case .wildcard(let k, first: true):
            let set = classes[k]
            let minEnd = pos + (allowEmpty[k] ? 0 : 1)
            let checkBoundary = set.includesNonASCII
            if fixedTail[seg] >= 0 {
                // Only literals follow: the wildcard must end where they start.
                let end = p.count - fixedTail[seg]
                if end < minEnd { return false }
                for i in pos..<end where !set.contains(p[i]) { return false }
                starts[k] = pos; ends[k] = end
                return matchSegments(seg + 1, end, p, &starts, &ends)
            }
            var maxEnd = pos
            while maxEnd < p.count, set.contains(p[maxEnd]) { maxEnd += 1 }
            if maxEnd < minEnd { return false }
            var end = maxEnd
            while end >= minEnd {
                if !checkBoundary || end == p.count || p[end] & 0xC0 != 0x80 {
                    starts[k] = pos; ends[k] = end
                    if matchSegments(seg + 1, end, p, &starts, &ends) { return true }
                }
                end -= 1
            }
            return false
        }
    }

    /// Whether each value (indexed like `pattern.names`) satisfies its wildcard's constraint.
    public func accepts(_ values: [String]) -> Bool {
        for (k, value) in values.enumerated() where k < constraints.count {
            if regex == nil {
                if value.isEmpty && !allowEmpty[k] { return false }
                if !value.utf8.allSatisfy(classes[k].contains) { return false }
            } else {
                guard let re = try? NSRegularExpression(pattern: "^(?:" + PatternMatcher.icuRegex(constraints[k]) + ")$"),
                      re.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil else { return false }
            }
        }
        return true
    }

    private func matchRegex(_ regex: NSRegularExpression, _ path: String) -> [String]? {
        let ns = NSRange(path.startIndex..., in: path)
        guard let m = regex.firstMatch(in: path, options: [.anchored], range: ns) else { return nil }
        var values: [String] = []
        for k in 0..<pattern.names.count {
            guard let r = Range(m.range(withName: "w\(k)"), in: path) else { return nil }
            values.append(String(path[r]))
        }
        return values
    }
}
