// str.format / format_map: replacement fields `{}`, `{0}`, `{name}`, `{a.b}`, `{a[0]}`, `{x!r}`,
// `{x:>10}` (with nested fields in the spec), and `{{`/`}}` escapes.

struct StrFormatter {
    let interpreter: Interpreter
    let arguments: Arguments
    /// format_map's mapping (names are looked up in it instead of keyword arguments).
    var mapping: Value?
    private var nextIndex = 0
    private var manual = false

    init(interpreter: Interpreter, arguments: Arguments, mapping: Value? = nil) {
        self.interpreter = interpreter
        self.arguments = arguments
        self.mapping = mapping
    }

    mutating func format(_ template: String, depth: Int = 0) throws -> String {
        if depth > 2 { throw PyError.value("Max string recursion exceeded") }
        let chars = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{" {
                if i + 1 < chars.count && chars[i + 1] == "{" { out.append("{"); i += 2; continue }
                // Find the matching close brace (specs may nest one level of fields).
                var level = 1, j = i + 1
                while j < chars.count {
                    if chars[j] == "{" { level += 1 } else if chars[j] == "}" { level -= 1; if level == 0 { break } }
                    j += 1
                }
                guard j < chars.count else { throw PyError.value("expected '}' before end of string") }
                let field = scalarString(chars[(i + 1)..<j])
                out.append(contentsOf: try replacement(field, depth: depth).unicodeScalars)
                i = j + 1
            } else if c == "}" {
                guard i + 1 < chars.count && chars[i + 1] == "}" else {
                    throw PyError.value("Single '}' encountered in format string")
                }
                out.append("}")
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    private mutating func replacement(_ field: String, depth: Int) throws -> String {
        // Split `name!conv:spec` (the name part may contain [..] with ':' or '!' inside).
        let scalars = Array(field.unicodeScalars)
        var k = 0, bracket = false
        while k < scalars.count {
            if scalars[k] == "[" { bracket = true } else if scalars[k] == "]" { bracket = false }
            else if !bracket && (scalars[k] == "!" || scalars[k] == ":") { break }
            k += 1
        }
        let name = scalarString(scalars[..<k])
        var conversion: Unicode.Scalar?
        var spec = ""
        if k < scalars.count && scalars[k] == "!" {
            guard k + 1 < scalars.count else { throw PyError.value("end of string while looking for conversion specifier") }
            conversion = scalars[k + 1]
            k += 2
            if k < scalars.count && scalars[k] != ":" { throw PyError.value("expected ':' after conversion specifier") }
        }
        if k < scalars.count && scalars[k] == ":" { spec = scalarString(scalars[(k + 1)...]) }
        var value = try resolve(name)
        switch conversion {
        case nil: break
        case "r": value = .str(try interpreter.reprValue(value))
        case "s": value = .str(try interpreter.strValue(value))
        case "a": value = .str(try interpreter.asciiValue(value))
        case let c?: throw PyError.value("Unknown conversion specifier \(c)")
        }
        if spec.contains("{") { spec = try format(spec, depth: depth + 1) }
        return try interpreter.formatValue(value, spec: spec)
    }

    private mutating func resolve(_ field: String) throws -> Value {
        let scalars = Array(field.unicodeScalars)
        var k = 0
        while k < scalars.count && scalars[k] != "." && scalars[k] != "[" { k += 1 }
        let first = scalarString(scalars[..<k])
        var value: Value
        if first.isEmpty {
            if manual { throw PyError.value("cannot switch from manual field specification to automatic field numbering") }
            value = try positional(nextIndex)
            nextIndex += 1
        } else if let index = Int(first), first.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if nextIndex > 0 { throw PyError.value("cannot switch from automatic field numbering to manual field specification") }
            manual = true
            value = try positional(index)
        } else if let mapping {
            value = try interpreter.getItem(mapping, .str(first))
        } else if let v = arguments.keyword(first) {
            value = v
        } else {
            throw interpreter.keyError(.str(first))
        }
        while k < scalars.count {
            if scalars[k] == "." {
                var e = k + 1
                while e < scalars.count && scalars[e] != "." && scalars[e] != "[" { e += 1 }
                let attr = scalarString(scalars[(k + 1)..<e])
                if attr.isEmpty { throw PyError.value("Empty attribute in format string") }
                value = try interpreter.getAttribute(value, attr)
                k = e
            } else if scalars[k] == "[" {
                guard let close = scalars[k...].firstIndex(of: "]") else { throw PyError.value("Missing ']' in format string") }
                let keyText = scalarString(scalars[(k + 1)..<close])
                let key: Value = Int(keyText).map { .int($0) } ?? .str(keyText)
                value = try interpreter.getItem(value, key)
                k = close + 1
            } else {
                throw PyError.value("Only '.' or '[' may follow ']' in format field specifier")
            }
        }
        return value
    }

    private func positional(_ index: Int) throws -> Value {
        guard index < arguments.positional.count else {
            throw PyError.index("Replacement index \(index) out of range for positional args tuple")
        }
        return arguments.positional[index]
    }
}
