// `expand()` and `glob_wildcards()`: the two Snakemake functions that turn patterns into lists
// of concrete paths (expand: from given values; glob_wildcards: from files on disk).

import Foundation
import FlowLang
import FlowStorage

enum ExpandFunctions {
    static func globals() -> [(String, Value)] {
        [
            ("expand", .object(BuiltinFunction("expand") { args, interp in try expand(args, interp) })),
            ("glob_wildcards", .object(BuiltinFunction("glob_wildcards") { args, interp in try globWildcards(args, interp) })),
        ]
    }

    /// Names of the `{wildcards}` a format pattern uses (`{a}`, `{a.b}`, `{a[0]}`, `{a:03d}` all give `a`).
    static func fieldNames(_ pattern: String) -> [String] {
        var names: [String] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") { i += 2; continue }
                var j = i + 1
                while j < bytes.count, !"}.[!:,".utf8.contains(bytes[j]) { j += 1 }
                names.append(String(decoding: bytes[(i + 1)..<j], as: UTF8.self))
                i = j
            } else {
                i += 1
            }
        }
        return names
    }

    static func expand(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        // A function among the values (or in a list of values) defers the whole expansion: the
        // result is an input function that calls them with the job's wildcards (Snakemake's expand).
        if args.keywords.contains(where: { isFunction($0.value, interp) }) {
            return .object(BuiltinFunction("expand") { inner, interp in
                guard let wildcards = inner.positional.first else { throw PyError.type("expand(): the deferred expansion needs the wildcards") }
                func resolve(_ v: Value) throws -> Value {
                    isFunction(v, interp) ? try interp.callSnakemakeStyle(v, first: wildcards, extras: []) : v
                }
                var resolved = args
                resolved.keywords = try args.keywords.map { name, value in
                    if case .list(let l) = value, isFunction(value, interp) { return (name, .list(PyList(try l.items.map(resolve)))) }
                    return (name, try resolve(value))
                }
                return try expand(resolved, interp)
            })
        }
        guard let first = args.positional.first else { throw PyError.type("expand() missing the file pattern argument") }
        var patterns: [Value]
        if first.pathValue != nil { patterns = [first] } else { patterns = try interp.iterate(first) }
        let zipMode: Bool
        if args.positional.count >= 2 {
            let combinator = args.positional[1]
            if case .object(let o) = combinator, let f = o as? BuiltinFunction, f.name == "zip" { zipMode = true }
            else if case .object(let o) = combinator, let f = o as? BuiltinFunction, f.name == "product" { zipMode = false }
            else { throw PyError.type("expand() supports zip or itertools.product as combinator") }
        } else {
            zipMode = false
        }
        var allowMissing = false
        var values: [(String, [Value])] = []
        // Other iterables are iterated once per pattern that uses them, as Snakemake's expand does:
        // a one-shot iterator (`u=units.itertuples()`) gives its items to the first pattern only.
        var iteratedPerPattern: [String: Value] = [:]
        for (name, value) in args.keywords {
            if name == "allow_missing" { allowMissing = try interp.truthy(value); continue }
            if value.stringValue != nil || value.pathValue != nil {
                values.append((name, [value]))
            } else {
                switch value {
                case .list, .tuple, .set, .dict: values.append((name, try interp.iterate(value)))
                case .object(let o) where o is PyIterable:
                    values.append((name, []))
                    iteratedPerPattern[name] = value
                default: values.append((name, [value]))
                }
            }
        }
        var result: [Value] = []
        for patternValue in patterns {
            // A module's mark on a rule's output carries over to the expanded paths (Snakemake copies flags).
            var carried: FileFlags = []
            if case .object(let o) = patternValue, let f = o as? FlaggedPathObject { carried = f.flags.intersection(.pathModified) }
            if case .object(let o) = patternValue, let f = o as? FlaggedPathObject, !f.flags.subtracting(.pathModified).isEmpty {
                throw PyError("WorkflowError", "Flags in file pattern '\(f.path)' given to expand() are invalid. Flags (e.g. temp(), directory()) have to be applied outside of expand (e.g. 'temp(expand(\"plots/{sample}.pdf\", sample=SAMPLES))').")
            }
            guard let pattern = patternValue.pathValue else { throw PyError.type("expand() patterns must be strings, got '\(patternValue.typeName)'") }
            let used = Set(fieldNames(pattern))
            // Unused keyword values are dropped per pattern so they don't multiply its results.
            var relevant = values.filter { used.contains($0.0) }
            for (k, entry) in relevant.enumerated() {
                if let iterable = iteratedPerPattern[entry.0] { relevant[k].1 = try interp.iterate(iterable) }
            }
            var template = pattern
            if allowMissing {
                let known = Set(relevant.map(\.0))
                for name in used where !known.contains(name) {
                    template = keepField(name, in: template)
                }
            }
            let combos = try combinations(relevant, zip: zipMode)
            result.reserveCapacity(result.count + combos.count)
            let start = result.count
            defer {
                if !carried.isEmpty {
                    for i in start..<result.count { result[i] = .object(FlaggedPathObject(result[i].stringValue ?? "", flags: carried)) }
                }
            }
            if let segments = PlainTemplate(template) {
                // Plain `{name}` fields (the common case) are substituted directly: the general
                // formatter costs several times more per path at 100k paths.
                for combination in combos {
                    result.append(.str(try segments.render(combination, interp)))
                }
            } else {
                for combination in combos {
                    let formatted = try interp.formatString(template, Arguments([], keywords: combination.map { (name: $0.0, value: $0.1) }))
                    result.append(.str(formatted))
                }
            }
        }
        return .list(PyList(result))
    }

    /// A function value (def, lambda, a deferred helper; not a class), or a list holding one
    /// (Snakemake's `callables` of expand).
    private static func isFunction(_ value: Value, _ interp: Interpreter) -> Bool {
        func callable(_ v: Value) -> Bool {
            guard case .object(let o) = v, o is PyCallable, v.pathValue == nil else { return false }
            return !(o is PyClass)
        }
        if case .list(let l) = value { return l.items.contains(where: callable) }
        return callable(value)
    }

    /// Escapes `{name...}` so that formatting leaves it in place (allow_missing=True).
    private static func keepField(_ name: String, in template: String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{" + name) {
            let after = rest[open.upperBound...]
            guard let next = after.first, "}.[!:,".contains(next), let close = after.firstIndex(of: "}") else {
                out += rest[..<open.upperBound]
                rest = after
                continue
            }
            out += rest[..<open.lowerBound]
            out += "{{" + name + after[..<close] + "}}"
            rest = after[after.index(after: close)...]
        }
        return out + rest
    }

    private static func combinations(_ values: [(String, [Value])], zip: Bool) throws -> [[(String, Value)]] {
        if values.isEmpty { return [[]] }
        if zip {
            let n = values.map { $0.1.count }.min() ?? 0
            return (0..<n).map { i in values.map { ($0.0, $0.1[i]) } }
        }
        var result: [[(String, Value)]] = [[]]
        for (name, options) in values {
            var next: [[(String, Value)]] = []
            next.reserveCapacity(result.count * options.count)
            for prefix in result {
                for option in options { next.append(prefix + [(name, option)]) }
            }
            result = next
        }
        return result
    }

    // MARK: glob_wildcards

    static func globWildcards(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        guard let rawPattern = args.argument(0, "pattern")?.pathValue else {
            throw PyError.type("glob_wildcards() needs a pattern string")
        }
        // A storage query is matched as written (normalising would fold its `//`).
        let scheme = StorageURL.scheme(of: rawPattern)
        let pattern = scheme == nil ? normalize(rawPattern) : rawPattern
        let parsed: WildcardPattern
        let matcher: PatternMatcher
        do {
            parsed = try WildcardPattern(pattern)
            matcher = try PatternMatcher(parsed)
        } catch {
            throw PyError.value("glob_wildcards: \(error)")
        }
        var files: [String]
        if let given = args.argument(1, "files"), !given.isNone {
            files = try interp.iterate(given).map { try interp.str($0) }
        } else {
            // List from the directory of the pattern's literal prefix.
            var dir = PathText.dirname(String(decoding: parsed.literalPrefix, as: UTF8.self))
            let storage = interp.storage
            if let scheme {
                let root = scheme + "://"
                if dir.count < root.count { dir = root }
                files = try storageCall { try storage.list(under: dir) }
            } else {
                files = try storageCall { try walk(dir.isEmpty ? "." : dir, storage) }
            }
        }
        var columns = Array(repeating: [Value](), count: parsed.names.count)
        for file in files {
            guard let values = matcher.match(file) else { continue }
            for (i, v) in values.enumerated() { columns[i].append(.str(v)) }
        }
        return .object(GlobWildcardsResult(names: parsed.names, columns: columns.map { PyList($0) }))
    }

    /// os.path.normpath for patterns (collapses `./`, `//`, `a/../`).
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute, parts.isEmpty { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Files and directories under `dir` as os.walk gives them to Snakemake's glob_wildcards
    /// (each directory's entries, sorted, then its subdirectories in turn), as normalized paths
    /// joined onto `dir`. The storage lists files; the directories are the ones they lie in.
    static func walk(_ dir: String, _ storage: Storage) throws -> [String] {
        let root = dir == "." ? "" : dir
        let base = root.isEmpty || root.hasSuffix("/") ? root : root + "/"
        var children: [String: Set<String>] = [:]
        var directories = Set<String>()
        for file in try storage.list(under: root) {
            guard file.hasPrefix(base), !(base.isEmpty && file.hasPrefix("/")) else { continue }
            var parent = dir
            let parts = file.dropFirst(base.count).split(separator: "/")
            for (i, part) in parts.enumerated() {
                let name = String(part)
                children[parent, default: []].insert(name)
                let path = parent == "." ? name : parent + "/" + name
                if i < parts.count - 1 { directories.insert(path) }
                parent = path
            }
        }
        var result: [String] = []
        var stack = [dir]
        while let current = stack.popLast() {
            guard let names = children[current] else { continue }
            var subdirs: [String] = []
            for name in names.sorted() {
                let path = current == "." ? name : current + "/" + name
                result.append(normalize(path))
                if directories.contains(path) { subdirs.append(path) }
            }
            stack.append(contentsOf: subdirs.reversed())
        }
        return result
    }
}

/// The namedtuple-like result of glob_wildcards: `.sample` gives the list of values.
final class GlobWildcardsResult: PyIterable, PySized, PySubscriptable {
    let names: [String]
    let columns: [PyList]
    init(names: [String], columns: [PyList]) {
        self.names = names
        self.columns = columns
    }
    var typeName: String { "Wildcards" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let i = names.firstIndex(of: name) { return .list(columns[i]) }
        if name == "_fields" { return .tuple(names.map { .str($0) }) }
        return nil
    }
    func makeIterator(interpreter: Interpreter) throws -> PyIterator { ValueArrayIterator(columns.map { .list($0) }) }
    func length(interpreter: Interpreter) throws -> Int { columns.count }
    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        try interpreter.getItem(.tuple(columns.map { .list($0) }), key)
    }
    func repr(interpreter: Interpreter) throws -> String {
        let fields = try zip(names, columns).map { "\($0.0)=\(try interpreter.repr(.list($0.1)))" }
        return "Wildcards(\(fields.joined(separator: ", ")))"
    }
}

/// A format template whose fields are all plain names (`a/{x}_{y}.txt`), split into literal text
/// and field names; nil when any field has a spec, conversion, attribute or index.
struct PlainTemplate {
    private var literals: [String] = []
    private var fields: [String] = []

    init?(_ template: String) {
        var literal = ""
        var i = template.startIndex
        while i < template.endIndex {
            let c = template[i]
            let next = template.index(after: i)
            if c == "{" || c == "}" {
                if next < template.endIndex, template[next] == c { literal.append(c); i = template.index(after: next); continue }
                guard c == "{", let close = template[next...].firstIndex(of: "}") else { return nil }
                let name = template[next..<close]
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
                literals.append(literal)
                literal = ""
                fields.append(String(name))
                i = template.index(after: close)
                continue
            }
            literal.append(c)
            i = next
        }
        literals.append(literal)
    }

    func render(_ values: [(String, Value)], _ interp: Interpreter) throws -> String {
        var out = literals[0]
        for (k, field) in fields.enumerated() {
            guard let value = values.first(where: { $0.0 == field })?.1 else { throw PyError.key("'\(field)'") }
            if case .str(let s) = value { out += s } else { out += try interp.str(value) }
            out += literals[k + 1]
        }
        return out
    }
}
