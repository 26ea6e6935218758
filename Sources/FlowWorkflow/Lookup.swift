// Snakemake's `lookup()`: `dpath=` into a mapping (the config), `query=` into a pandas DataFrame or
// Series (reached only through the interpreter's generic attribute and call protocols, so this file
// knows nothing of CPython). Both take `{name}` placeholders filled from keyword namespace values and,
// when a name is not among them (or a namespace value is a function), from the job's wildcards: then
// lookup() returns a function the DAG calls per job, like any input function.

import FlowLang

enum Lookup {
    static func lookup(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        var query = args.keyword("query") ?? args.positional.first
        var dpath = args.keyword("dpath")
        guard let within = args.keyword("within") else {
            throw PyError("LookupError", "lookup: must provide a dataframe, series, or mapping to search within")
        }
        let cols = args.keyword("cols")
        let isNrows = args.keyword("is_nrows")
        let fallback = args.keyword("default")
        let reserved: Set<String> = ["query", "dpath", "cols", "is_nrows", "within", "default"]
        let namespace = args.keywords.filter { !reserved.contains($0.name) }
        if query != nil, dpath != nil { throw PyError("LookupError", "lookup: cannot provide both query and dpath arguments") }
        if case .dict = within, let q = query { dpath = q; query = nil }

        if let query {
            guard let expression = query.stringValue else { throw PyError.type("lookup(): query must be a str") }
            var frame = within
            // A Series is queried as its one-column frame.
            if (try? interp.getAttribute(within, "query")) == nil, let toFrame = try? interp.getAttribute(within, "to_frame") {
                frame = try interp.call(toFrame, Arguments())
            }
            let run: (String, Value?) throws -> Value = { expression, cols in
                try doQuery(expression, frame: frame, cols: cols, isNrows: isNrows, fallback: fallback, interp)
            }
            let colTemplates: [String] = {
                switch cols {
                case .str(let s)?: return [s]
                case .list(let l)?: return l.items.compactMap(\.stringValue)
                default: return []
                }
            }()
            return try handle(expression + colTemplates.joined(), namespace: namespace, interp) { values in
                let formatted = try format(expression, values, interp)
                var resolvedCols = cols
                if let values {
                    if case .str(let s)? = cols { resolvedCols = .str(try format(s, values, interp)) }
                    if case .list(let l)? = cols {
                        resolvedCols = .list(PyList(try l.items.map { .str(try format(try interp.str($0), values, interp)) }))
                    }
                }
                return try run(formatted, resolvedCols)
            }
        }
        guard let dpath, let path = dpath.stringValue else {
            throw PyError("LookupError", "lookup: must provide either a query or dpath parameter")
        }
        guard case .dict = within else {
            throw PyError("LookupError", "lookup: dpath can only be used with a mapping (e.g. dict)")
        }
        return try handle(path, namespace: namespace, interp) { values in
            try resolve(try format(path, values, interp), in: within, fallback: fallback)
        }
    }

    /// Calls `apply` now when every placeholder is known from the namespace, else returns the
    /// function of the wildcards that calls it per job (Snakemake's WildcardHandlerBase.handle).
    private static func handle(_ templates: String, namespace: [(name: String, value: Value)], _ interp: Interpreter,
                               apply: @escaping ([(name: String, value: Value)]?) throws -> Value) throws -> Value {
        let known = Set(namespace.map(\.name))
        let needsWildcards = placeholderNames(templates).contains { !known.contains($0) }
            || namespace.contains { isFunction($0.value) }
        guard needsWildcards else { return try apply(namespace.isEmpty ? nil : namespace) }
        return .object(BuiltinFunction("lookup") { inner, interp in
            var values: [(name: String, value: Value)] = []
            for (name, value) in namespace {
                values.append((name, isFunction(value) ? try interp.call(value, inner) : value))
            }
            for (name, value) in try SnakemakeHelpers.wildcardValues(inner, interp) where !known.contains(name) {
                values.append((name, .str(value)))
            }
            return try apply(values)
        })
    }

    /// Functions are flow's own (lambdas, other lookups); Python objects reach here as data.
    private static func isFunction(_ value: Value) -> Bool {
        if case .object(let o) = value { return o is PyFunction || o is BuiltinFunction }
        return false
    }

    /// The names of `{name}` / `{name,constraint}` placeholders as Snakemake's WILDCARD_REGEX reads
    /// them: `[.\w]+`, so `{s.kind}` names "s.kind" (never a namespace key, hence a function of the
    /// wildcards, as in Snakemake) and `{x[0]}` names nothing.
    static func placeholderNames(_ text: String) -> [String] {
        var names: [String] = []
        var chars = Array(text)[...]
        while let open = chars.firstIndex(of: "{") {
            chars = chars[(open + 1)...]
            let body = chars.drop { $0 == " " }
            let name = body.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            let after = body.dropFirst(name.count).drop { $0 == " " }
            if !name.isEmpty, after.first == "}" || after.first == "," { names.append(String(name)) }
        }
        return names
    }

    /// snakemake.utils.format: str.format with the namespace.
    private static func format(_ template: String, _ values: [(name: String, value: Value)]?, _ interp: Interpreter) throws -> String {
        guard let values else { return template }
        return try interp.formatString(template, Arguments([], keywords: values))
    }

    private static func doQuery(_ expression: String, frame: Value, cols: Value?, isNrows: Value?, fallback: Value?,
                                _ interp: Interpreter) throws -> Value {
        var result: Value
        do {
            result = try interp.call(try interp.getAttribute(frame, "query"), Arguments([.str(expression)]))
        } catch let e as PyError {
            throw PyError("LookupError", "Error looking up query '\(expression)': \(e.type): \(e.message)")
        }
        guard let len = interp.builtin("len") else { throw PyError.type("len() is missing") }
        let count = try interp.call(len, Arguments([result]))
        if let isNrows { return .bool(try interp.equals(isNrows, count)) }
        if try interp.equals(count, .int(0)), let fallback { return fallback }
        if let cols {
            result = try interp.getItem(result, cols)
            if case .str = cols { return .list(PyList(try interp.iterate(try interp.call(try interp.getAttribute(result, "to_list"), Arguments())))) }
        }
        let index: Value = cols == nil ? .true : .false
        let rows = try interp.iterate(try interp.call(try interp.getAttribute(result, "itertuples"), Arguments([], keywords: [("index", index)])))
        return rows.count == 1 ? rows[0] : .list(PyList(rows))
    }

    /// A `/`-separated path into nested dicts.
    private static func resolve(_ path: String, in within: Value, fallback: Value?) throws -> Value {
        var current = within
        for part in path.split(separator: "/") {
            guard case .dict(let d) = current, let next = d.get(String(part)) else {
                if let fallback { return fallback }
                throw PyError("LookupError", "lookup: dpath '\(path)' not found")
            }
            current = next
        }
        return current
    }
}
