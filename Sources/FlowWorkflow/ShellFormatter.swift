// Formats Snakemake command templates at job time: `{input}`, `{input.reads}`, `{input[0]}`,
// `{output:q}`, `{wildcards.sample}`, `{threads}`, `{resources.mem_mb}`, `{params}`, `{log}`,
// `{config[ref]}`, `{rule}`, and any Snakefile global. `{{` / `}}` are literal braces.
//
// Like Python's str.format, plus Snakemake's `:q` spec (shell-quote; each item of a list).

import FlowLang
import FlowSystem

public enum ShellFormatter {
    public static func format(_ template: String, namespace: [String: Value], interpreter: Interpreter) throws -> String {
        var out = ""
        let chars = Array(template)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{" {
                if i + 1 < chars.count, chars[i + 1] == "{" { out.append("{"); i += 2; continue }
                var j = i + 1
                var depth = 0
                while j < chars.count {
                    if chars[j] == "[" { depth += 1 } else if chars[j] == "]" { depth -= 1 }
                    else if chars[j] == "}", depth <= 0 { break }
                    j += 1
                }
                guard j < chars.count else { throw PyError.value("Single '{' encountered in format string: \(template)") }
                out += try field(String(chars[(i + 1)..<j]), template: template, namespace: namespace, interpreter: interpreter)
                i = j + 1
                continue
            }
            if c == "}" {
                if i + 1 < chars.count, chars[i + 1] == "}" { out.append("}"); i += 2; continue }
                throw PyError.value("Single '}' encountered in format string: \(template)")
            }
            out.append(c)
            i += 1
        }
        return out
    }

    private static func field(_ text: String, template: String, namespace: [String: Value], interpreter: Interpreter) throws -> String {
        // Split `name.attr[key]!r:spec`.
        var expression = text
        var spec = ""
        var conversion: Character?
        if let colon = firstOutsideBrackets(":", in: expression) {
            spec = String(expression[expression.index(after: colon)...])
            expression = String(expression[..<colon])
        }
        if let bang = firstOutsideBrackets("!", in: expression) {
            conversion = expression[expression.index(after: bang)...].first
            expression = String(expression[..<bang])
        }
        var value = try resolve(expression, template: template, namespace: namespace, interpreter: interpreter)
        if let conversion {
            switch conversion {
            case "r", "a": value = .str(try interpreter.repr(value))
            case "s": value = .str(try interpreter.str(value))
            default: throw PyError.value("Unknown conversion specifier \(conversion)")
            }
        }
        if spec == "q" { return try quoted(value, interpreter: interpreter) }
        if spec.isEmpty { return try plain(value, interpreter: interpreter) }
        return try interpreter.format(value, spec: spec)
    }

    /// `str()` of a value as Snakemake prints it in commands (Namedlists join with spaces).
    public static func plain(_ value: Value, interpreter: Interpreter) throws -> String {
        switch value {
        case .list(let l):
            // Snakemake joins iterables with spaces in commands (`params: [1, 2]` -> "1 2").
            return try l.items.map { try plain($0, interpreter: interpreter) }.joined(separator: " ")
        case .tuple(let items):
            return try items.map { try plain($0, interpreter: interpreter) }.joined(separator: " ")
        case .object(let o):
            if let w = o as? NamedListObject, w.typeName == "Wildcards" {
                // `{wildcards}` prints the assignments, as Snakemake does.
                return try w.names.map { "\($0.name)=\(try plain(w.value(named: $0.name) ?? .none, interpreter: interpreter))" }
                    .joined(separator: ", ")
            }
            if let s = o as? PyStringLike { return s.stringValue }
            return try interpreter.str(value)
        default:
            return try interpreter.str(value)
        }
    }

    private static func quoted(_ value: Value, interpreter: Interpreter) throws -> String {
        switch value {
        case .list, .tuple:
            return try interpreter.iterate(value).map { shellQuote(try plain($0, interpreter: interpreter)) }.joined(separator: " ")
        case .object(let o) where o is NamedListObject:
            return try (o as! NamedListObject).items.map { shellQuote(try plain($0, interpreter: interpreter)) }.joined(separator: " ")
        default:
            return shellQuote(try plain(value, interpreter: interpreter))
        }
    }

    /// POSIX shell quoting as Python's shlex.quote does it.
    public static func shellQuote(_ s: String) -> String { ShellQuote.quote(s) }

    private static func resolve(_ expression: String, template: String, namespace: [String: Value], interpreter: Interpreter) throws -> Value {
        let chars = Array(expression)
        var i = 0
        while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
        let name = String(chars[0..<i]).trimmingCharacters(in: .whitespaces)
        guard var value = namespace[name] ?? interpreter.globals.get(name) else {
            throw PyError.name("The name '\(name)' is unknown in this context. Please make sure that you defined that variable. Also note that braces not used for variable access have to be escaped by repeating them, i.e. {{print $1}} (in \"\(template)\")")
        }
        while i < chars.count {
            if chars[i] == "." {
                var j = i + 1
                while j < chars.count, chars[j] != ".", chars[j] != "[" { j += 1 }
                value = try interpreter.getAttribute(value, String(chars[(i + 1)..<j]))
                i = j
            } else if chars[i] == "[" {
                guard let close = chars[i...].firstIndex(of: "]") else { throw PyError.value("Missing ']' in format string: \(template)") }
                let key = String(chars[(i + 1)..<close])
                value = try interpreter.getItem(value, Int(key).map { .int($0) } ?? .str(key))
                i = close + 1
            } else {
                throw PyError.value("Invalid field '\(expression)' in format string: \(template)")
            }
        }
        return value
    }

    private static func firstOutsideBrackets(_ c: Character, in s: String) -> String.Index? {
        var depth = 0
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "[" { depth += 1 } else if s[i] == "]" { depth -= 1 } else if s[i] == c, depth == 0 { return i }
            i = s.index(after: i)
        }
        return nil
    }
}
