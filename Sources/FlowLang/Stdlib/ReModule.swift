// The `re` module and compiled pattern objects, on top of NSRegularExpression (ICU).
// Syntax translation lives in RegexTranslator, match objects and templates in ReMatch.

import Foundation

final class PatternObject: PyObject, PyHashable {
    let source: String
    let regex: TranslatedRegex
    let compiled: NSRegularExpression
    private var fullCompiled: NSRegularExpression?

    init(_ source: String, flags: Int) throws {
        self.source = source
        self.regex = try RegexTranslator.translate(source, flags: flags)
        do {
            compiled = try NSRegularExpression(pattern: regex.icuPattern, options: RegexFlag.options(regex.flags))
        } catch {
            throw PyError("error", "invalid regular expression \(pyStringRepr(source))")
        }
    }

    var typeName: String { "re.Pattern" }
    /// Python reports UNICODE for every str pattern that is not ASCII.
    var flags: Int { regex.flags & RegexFlag.ascii != 0 ? regex.flags : regex.flags | RegexFlag.unicode }
    var pyHash: Int { source.hashValue ^ regex.flags }
    func pyEquals(_ other: PyHashable) -> Bool {
        guard let o = other as? PatternObject else { return false }
        return o.source == source && o.regex.flags == regex.flags
    }

    func repr(interpreter: Interpreter) throws -> String {
        let names = [(RegexFlag.ignoreCase, "IGNORECASE"), (RegexFlag.locale, "LOCALE"), (RegexFlag.multiline, "MULTILINE"),
                     (RegexFlag.dotAll, "DOTALL"), (RegexFlag.verbose, "VERBOSE"), (RegexFlag.ascii, "ASCII")]
        let shown = names.filter { regex.flags & $0.0 != 0 }.map { "re." + $0.1 }
        return "re.compile(\(pyStringRepr(source))\(shown.isEmpty ? "" : ", " + shown.joined(separator: "|")))"
    }

    private func full() throws -> NSRegularExpression {
        if let fullCompiled { return fullCompiled }
        let r = try NSRegularExpression(pattern: "(?:" + regex.icuPattern + ")\\z", options: RegexFlag.options(regex.flags))
        fullCompiled = r
        return r
    }

    enum Mode { case search, match, fullmatch }

    /// One match attempt in [pos, endpos) (Python indices, clamped like Python does).
    func find(_ mode: Mode, _ text: String, pos: Int = 0, endpos: Int? = nil) throws -> MatchObject? {
        let subject = RegexSubject(text)
        let (start, end) = clamp(subject, pos, endpos)
        let range = NSRange(location: subject.utf16(start), length: subject.utf16(end) - subject.utf16(start))
        var options: NSRegularExpression.MatchingOptions = [.withTransparentBounds]
        if start > 0 { options.insert(.withoutAnchoringBounds) }
        let engine: NSRegularExpression
        switch mode {
        case .search: engine = compiled
        case .match: engine = compiled; options.insert(.anchored)
        case .fullmatch: engine = try full(); options = [.anchored, .withTransparentBounds]
        }
        guard let result = engine.firstMatch(in: text, options: options, range: range) else { return nil }
        return MatchObject(pattern: self, subject: subject, result: result, pos: start, endpos: end)
    }

    func all(_ text: String, pos: Int = 0, endpos: Int? = nil) -> [MatchObject] {
        let subject = RegexSubject(text)
        let (start, end) = clamp(subject, pos, endpos)
        let range = NSRange(location: subject.utf16(start), length: subject.utf16(end) - subject.utf16(start))
        return compiled.matches(in: text, options: [.withTransparentBounds], range: range).map {
            MatchObject(pattern: self, subject: subject, result: $0, pos: start, endpos: end)
        }
    }

    private func clamp(_ subject: RegexSubject, _ pos: Int, _ endpos: Int?) -> (Int, Int) {
        let n = subject.length
        let end = min(max(endpos ?? n, 0), n)
        return (min(max(pos, 0), end), end)
    }

    /// `sub`/`subn`: returns the new text and the number of replacements.
    func substitute(_ repl: Value, _ text: String, count: Int, interpreter: Interpreter) throws -> (String, Int) {
        let replace: (MatchObject) throws -> String
        if let template = repl.stringValue {
            let parsed = try ReplacementTemplate(template, regex: regex)
            replace = { parsed.expand($0) }
        } else {
            replace = { m in
                let r = try interpreter.call(repl, Arguments([.object(m)]))
                guard let s = r.stringValue else { throw PyError.type("expected str instance, \(r.typeName) found") }
                return s
            }
        }
        let subject = RegexSubject(text)
        var out = ""
        var last = 0
        var n = 0
        for m in all(text) {
            if count > 0 && n >= count { break }
            let r = m.result.range
            out += subject.substring(NSRange(location: last, length: r.location - last))
            out += try replace(m)
            last = r.location + r.length
            n += 1
        }
        out += subject.substring(NSRange(location: last, length: subject.utf16Length - last))
        return (out, n)
    }

    func split(_ text: String, maxsplit: Int) -> [Value] {
        let subject = RegexSubject(text)
        var parts: [Value] = []
        var last = 0
        var n = 0
        for m in all(text) {
            if maxsplit > 0 && n >= maxsplit { break }
            let r = m.result.range
            parts.append(.str(subject.substring(NSRange(location: last, length: r.location - last))))
            parts += m.groups(default: .none)
            last = r.location + r.length
            n += 1
        }
        parts.append(.str(subject.substring(NSRange(location: last, length: subject.utf16Length - last))))
        return parts
    }

    func findall(_ text: String, pos: Int = 0, endpos: Int? = nil) -> [Value] {
        all(text, pos: pos, endpos: endpos).map { m in
            switch regex.groupCount {
            case 0: return m.group(0)
            case 1: return m.groups(default: .str(""))[0]
            default: return .tuple(m.groups(default: .str("")))
            }
        }
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "pattern": return .str(source)
        case "flags": return .int(flags)
        case "groups": return .int(regex.groupCount)
        case "groupindex": return .dict(dictFromPairs(regex.groupIndex.sorted { $0.value < $1.value }.map { ($0.key, .int($0.value)) }))
        default:
            guard ReModule.patternMethods.contains(name) else { return nil }
            return .object(BuiltinFunction(name, boundTo: typeName) { a, i in
                try ReModule.apply(name, pattern: self, arguments: a, offset: 0, interp: i)
            })
        }
    }
}

enum ReModule {
    static let patternMethods: Set<String> = ["match", "search", "fullmatch", "sub", "subn", "findall", "finditer", "split"]

    static func make(_ interp: Interpreter) throws -> PyModule {
        let flagPairs: [(String, Int)] = [("IGNORECASE", RegexFlag.ignoreCase), ("I", RegexFlag.ignoreCase),
            ("MULTILINE", RegexFlag.multiline), ("M", RegexFlag.multiline), ("DOTALL", RegexFlag.dotAll),
            ("S", RegexFlag.dotAll), ("VERBOSE", RegexFlag.verbose), ("X", RegexFlag.verbose),
            ("ASCII", RegexFlag.ascii), ("A", RegexFlag.ascii), ("UNICODE", RegexFlag.unicode), ("U", RegexFlag.unicode),
            ("LOCALE", RegexFlag.locale), ("L", RegexFlag.locale), ("NOFLAG", 0)]
        let m = PyModule("re", flagPairs.map { ($0.0, .int($0.1)) })
        var cache: [String: PatternObject] = [:]
        func compile(_ pattern: Value, _ flags: Int) throws -> PatternObject {
            if case .object(let o) = pattern, let p = o as? PatternObject {
                if flags != 0 { throw PyError.value("cannot process flags argument with a compiled pattern") }
                return p
            }
            guard let source = pattern.stringValue else {
                throw PyError.type("first argument must be string or compiled pattern")
            }
            let key = "\(flags):\(source)"
            if let hit = cache[key] { return hit }
            let p = try PatternObject(source, flags: flags)
            if cache.count > 512 { cache.removeAll() }
            cache[key] = p
            return p
        }
        m.define("compile") { a, i in
            let args = Args(a, "compile", i)
            return .object(try compile(try args.required(0, "pattern"), try args.int(1, "flags", default: 0)))
        }
        for name in patternMethods {
            m.define(name) { a, i in
                let pattern = try compile(try Args(a, name, i).required(0, "pattern"), try flagsArgument(name, a))
                return try apply(name, pattern: pattern, arguments: a, offset: 1, interp: i)
            }
        }
        m.define("escape") { a, i in .str(escape(try Args(a, "escape", i).string(0, "pattern"))) }
        m.define("purge") { _, _ in cache.removeAll(); return .none }
        m.attributes.set("error", .object(try interp.exceptionClass("error")))
        return m
    }

    /// The `flags` argument of module-level functions: its position depends on the function.
    private static func flagsArgument(_ name: String, _ a: Arguments) throws -> Int {
        let position: Int
        switch name {
        case "sub", "subn": position = 4
        case "split": position = 3
        default: position = 2
        }
        guard let v = a.argument(position, "flags") else { return 0 }
        return try intValue(v, function: name)
    }

    /// Runs a pattern method; `offset` is 1 for module functions (their first argument is the pattern).
    static func apply(_ name: String, pattern: PatternObject, arguments a: Arguments, offset: Int, interp: Interpreter) throws -> Value {
        let args = Args(a, name, interp)
        let isModule = offset == 1
        func pos() throws -> Int { isModule ? 0 : try args.int(1, "pos", default: 0) }
        func endpos() throws -> Int? {
            guard !isModule, let v = args.value(2, "endpos"), !v.isNone else { return nil }
            return try intValue(v, function: name)
        }
        switch name {
        case "match", "search", "fullmatch":
            let text = try args.string(offset, "string")
            let mode: PatternObject.Mode = name == "match" ? .match : name == "search" ? .search : .fullmatch
            return try pattern.find(mode, text, pos: try pos(), endpos: try endpos()).map { .object($0) } ?? .none
        case "findall":
            return .list(PyList(pattern.findall(try args.string(offset, "string"), pos: try pos(), endpos: try endpos())))
        case "finditer":
            let matches = pattern.all(try args.string(offset, "string"), pos: try pos(), endpos: try endpos())
            return .object(ClosureIterator("callable_iterator", values: matches.map { .object($0) }))
        case "sub", "subn":
            let repl = try args.required(offset, "repl")
            let text = try args.string(offset + 1, "string")
            let (result, n) = try pattern.substitute(repl, text, count: try args.int(offset + 2, "count", default: 0), interpreter: interp)
            return name == "sub" ? .str(result) : .tuple([.str(result), .int(n)])
        case "split":
            return .list(PyList(pattern.split(try args.string(offset, "string"), maxsplit: try args.int(offset + 1, "maxsplit", default: 0))))
        default:
            throw PyError.attribute("'re.Pattern' object has no attribute '\(name)'")
        }
    }

    static func escape(_ s: String) -> String {
        let special = Set("()[]{}?*+-|^$\\.&~# \t\n\r\u{0B}\u{0C}")
        var out = ""
        for c in s {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
