// Path variables (`<results>`, `<per>`): named placeholders in input, output, log and benchmark
// paths, replaced when a rule is defined and in input functions' results (Snakemake 9's pathvars).
//
// Definitions come from several places; a definition replaces another unless it comes from a
// less specific place (Snakemake's levels: rule 0, module and module config 1, config file 2,
// `pathvars:` at the top of a Snakefile 3, built-in defaults 4; same level: the later wins).

import FlowLang

public struct Pathvars: Sendable {
    public enum Level: Int, Sendable {
        case rule = 0, module = 1, config = 2, workflow = 3, builtin = 4
    }

    public private(set) var items: [String: String] = [:]
    private var levels: [String: Level] = [:]

    public init() {}

    /// results, stats, reports, temp, resources, logs, benchmarks: each its own name.
    public static var defaults: Pathvars {
        var p = Pathvars()
        for name in ["results", "stats", "reports", "temp", "resources", "logs", "benchmarks"] {
            p.items[name] = name
            p.levels[name] = .builtin
        }
        return p
    }

    /// Adds `definitions` at `level`; an error for an invalid name or value or a cycle.
    public mutating func update(_ definitions: [(String, Value)], level: Level, interpreter: Interpreter) throws {
        var invalid: [String] = []
        var typed: [(String, String)] = []
        for (name, value) in definitions {
            guard Pathvars.isValidName(name), let text = value.stringValue else {
                invalid.append("\(name)='\((try? interpreter.str(value)) ?? value.typeName)'")
                continue
            }
            typed.append((name, text))
        }
        if !invalid.isEmpty {
            throw PyError("WorkflowError", "Pathvars have to be a mapping of str to str, with keys being valid pathvar names "
                + "(i.e. alphanumeric + _, lower-case, no leading number). The following entries are invalid: "
                + invalid.joined(separator: ","))
        }
        try update(typed, level: level)
    }

    public mutating func update(_ definitions: [(String, String)], level: Level) throws {
        for (name, value) in definitions where levels[name].map({ level.rawValue <= $0.rawValue }) ?? true {
            items[name] = value
            levels[name] = level
        }
        try checkAcyclic()
    }

    /// `path` with every `<name>` replaced (repeatedly, as values may hold pathvars themselves).
    public func apply(_ path: String) throws -> String {
        guard path.utf8.contains(UInt8(ascii: "<")) else { return path }
        var current = path
        // Definitions are acyclic, so every round removes a level of nesting.
        for _ in 0...items.count {
            var changed = false
            var out = ""
            var undefined: String?
            Pathvars.scan(current) { piece, name in
                if let name {
                    if let value = items[name] { out += value; changed = true } else {
                        undefined = undefined ?? name
                        out += piece
                    }
                } else {
                    out += piece
                }
            }
            if let undefined {
                let intermediate = current != path ? " (intermediate path: \(current))." : "."
                throw PyError("WorkflowError", "Undefined pathvar '\(undefined)' when expanding pathvars in \(path)\(intermediate)")
            }
            if !changed { return current }
            current = out
        }
        return current
    }

    /// Names that `<name>` may use: lower-case letters, digits and `_`, starting with a letter.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
    }

    /// Splits `text` into literal pieces and `<name>` references (name non-nil).
    private static func scan(_ text: String, _ visit: (Substring, String?) -> Void) {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            let after = rest.index(after: open)
            if let close = rest[after...].firstIndex(of: ">"), isValidName(String(rest[after..<close])) {
                visit(rest[..<open], nil)
                visit(rest[open...close], String(rest[after..<close]))
                rest = rest[rest.index(after: close)...]
            } else {
                visit(rest[...open], nil)
                rest = rest[after...]
            }
        }
        visit(rest, nil)
    }

    private func references(_ value: String) -> [String] {
        var names: [String] = []
        Pathvars.scan(value) { _, name in if let name, items[name] != nil { names.append(name) } }
        return names
    }

    private func checkAcyclic() throws {
        // Depth-first search over references; a name met again on the current path is a cycle.
        var done = Set<String>()
        for start in items.keys.sorted() where !done.contains(start) {
            var path: [String] = []
            var stack: [(name: String, refs: [String], next: Int)] = [(start, references(items[start]!), 0)]
            path.append(start)
            while !stack.isEmpty {
                let t = stack.count - 1
                if stack[t].next == stack[t].refs.count {
                    done.insert(stack[t].name)
                    stack.removeLast()
                    path.removeLast()
                    continue
                }
                let ref = stack[t].refs[stack[t].next]
                stack[t].next += 1
                if path.contains(ref) {
                    let shown = items.keys.sorted().map { "\($0)='\(items[$0]!)'" }.joined(separator: ",")
                    throw PyError("WorkflowError", "Cyclic pathvar reference detected between: "
                        + (path.drop { $0 != ref } + [ref]).joined(separator: " -> ") + " (pathvars: \(shown))")
                }
                if done.contains(ref) { continue }
                stack.append((ref, references(items[ref]!), 0))
                path.append(ref)
            }
        }
    }
}
