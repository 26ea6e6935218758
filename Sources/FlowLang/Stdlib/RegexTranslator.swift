// Translates Python `re` pattern syntax into ICU syntax for NSRegularExpression.
//
// Differences handled here: named groups `(?P<name>...)` become plain numbered groups (ICU names
// allow no underscores, so we keep the name table ourselves) and `(?P=name)` a numbered
// backreference; `\Z` -> `\z`; `{,n}` -> `{0,n}`; a `{` that is not a quantifier is escaped; inside
// a character class `[`, `&` and a leading `]` are escaped (ICU reads them as set operators);
// VERBOSE whitespace/comments are stripped here (ICU's x-mode also strips inside classes, Python's
// does not); global inline flags `(?aimsx)` are lifted into the flag set; ASCII turns \d \w \s \b
// into ASCII classes. It knows nothing about matching or Values.

import Foundation

struct TranslatedRegex {
    var icuPattern: String
    /// Python flag bits (inline flags merged in).
    var flags: Int
    /// Capturing groups, in order; nil for unnamed groups.
    var groupNames: [String?]
    var groupCount: Int { groupNames.count }
    var groupIndex: [String: Int] {
        var d: [String: Int] = [:]
        for (i, n) in groupNames.enumerated() { if let n { d[n] = i + 1 } }
        return d
    }
}

enum RegexFlag {
    static let ignoreCase = 2, locale = 4, multiline = 8, dotAll = 16, unicode = 32, verbose = 64, ascii = 256

    static func options(_ flags: Int) -> NSRegularExpression.Options {
        var o: NSRegularExpression.Options = [.useUnixLineSeparators]
        if flags & ignoreCase != 0 { o.insert(.caseInsensitive) }
        if flags & multiline != 0 { o.insert(.anchorsMatchLines) }
        if flags & dotAll != 0 { o.insert(.dotMatchesLineSeparators) }
        return o
    }

    static let inlineLetters: [Character: Int] = ["a": ascii, "i": ignoreCase, "L": locale, "m": multiline,
                                                  "s": dotAll, "u": unicode, "x": verbose]
}

struct RegexTranslator {
    private let chars: [Character]
    private var i = 0
    private var out = ""
    private var flags: Int
    private var names: [String?] = []

    static func translate(_ pattern: String, flags: Int) throws -> TranslatedRegex {
        var t = RegexTranslator(chars: Array(pattern), flags: flags)
        t.liftLeadingFlags()
        try t.run()
        return TranslatedRegex(icuPattern: t.out, flags: t.flags, groupNames: t.names)
    }

    private init(chars: [Character], flags: Int) {
        self.chars = chars
        self.flags = flags
    }

    private var verbose: Bool { flags & RegexFlag.verbose != 0 }
    private var ascii: Bool { flags & RegexFlag.ascii != 0 }

    private func error(_ message: String) -> PyError {
        PyError("error", "\(message) at position \(i)")
    }

    private func peek(_ offset: Int = 0) -> Character? {
        i + offset < chars.count ? chars[i + offset] : nil
    }

    /// Global flags may appear as `(?imx)` groups; Python 3.11 accepts them only at the start,
    /// but lifting every such group keeps older Snakefiles working.
    private mutating func liftLeadingFlags() {
        var j = 0
        var lifted = false
        var scan: [Character] = []
        while j < chars.count {
            if chars[j] == "(", j + 2 < chars.count, chars[j + 1] == "?" {
                var k = j + 2
                var bits = 0
                while k < chars.count, let b = RegexFlag.inlineLetters[chars[k]] { bits |= b; k += 1 }
                if k > j + 2, k < chars.count, chars[k] == ")" {
                    flags |= bits
                    j = k + 1
                    lifted = true
                    continue
                }
            }
            scan.append(chars[j])
            j += 1
        }
        if lifted { self = RegexTranslator(chars: scan, flags: flags) }
    }

    private mutating func run() throws {
        while let c = peek() {
            switch c {
            case "\\": try escape(inClass: false)
            case "[": try characterClass()
            case "(": try groupOpen()
            case "{": quantifierBrace()
            case "}": out += "\\}"; i += 1
            case "#" where verbose:
                while let d = peek(), d != "\n" { i += 1 }
            case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}":
                if !verbose { out.append(c) }
                i += 1
            default:
                out.append(c)
                i += 1
            }
        }
    }

    private mutating func groupOpen() throws {
        i += 1
        guard peek() == "?" else {
            names.append(nil)
            out += "("
            return
        }
        if peek(1) == "P" {
            if peek(2) == "<" {
                i += 3
                var name = ""
                while let d = peek(), d != ">" { name.append(d); i += 1 }
                guard peek() == ">", !name.isEmpty, name.first.map({ $0 == "_" || $0.isLetter }) == true,
                      name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
                    throw error("bad character in group name '\(name)'")
                }
                if names.contains(name) { throw error("redefinition of group name '\(name)' as group \(names.count + 1); was group \(names.firstIndex(of: name)! + 1)") }
                i += 1
                names.append(name)
                out += "("
                return
            }
            if peek(2) == "=" {
                i += 3
                var name = ""
                while let d = peek(), d != ")" { name.append(d); i += 1 }
                guard peek() == ")", let index = names.firstIndex(of: name) else {
                    throw error("unknown group name '\(name)'")
                }
                i += 1
                out += "(?:\\\(index + 1))"
                return
            }
            throw error("unknown extension ?P\(peek(2).map(String.init) ?? "")")
        }
        if peek(1) == "(" { throw error("conditional groups are not supported by flow") }
        // Scoped flags `(?i:...)` / `(?-i:...)`: ICU knows i, m, s, x but not a, u, L.
        var j = i + 1
        var letters = ""
        while j < chars.count, chars[j] == "-" || RegexFlag.inlineLetters[chars[j]] != nil { letters.append(chars[j]); j += 1 }
        if !letters.isEmpty, j < chars.count, chars[j] == ":" {
            let kept = letters.filter { !"auL".contains($0) }
            out += "(?" + (kept == "-" ? "" : kept) + ":"
            i = j + 1
            return
        }
        if peek(1) == "#" {
            while let d = peek(), d != ")" { i += 1 }
            i += 1
            return
        }
        out += "(?"
        i += 1
    }

    /// `{m,n}` stays a quantifier (with `{,n}` made explicit); any other `{` is a literal.
    private mutating func quantifierBrace() {
        var j = i + 1
        var lower = "", upper = "", sawComma = false
        while j < chars.count, chars[j] != "}" {
            let d = chars[j]
            if d == "," && !sawComma { sawComma = true }
            else if d.isASCII && d.isNumber { if sawComma { upper.append(d) } else { lower.append(d) } }
            else { break }
            j += 1
        }
        if j < chars.count, chars[j] == "}", !(lower.isEmpty && upper.isEmpty && !sawComma), !(lower.isEmpty && !sawComma) || sawComma {
            if lower.isEmpty && !sawComma { out += "\\{"; i += 1; return }
            out += "{" + (lower.isEmpty ? "0" : lower) + (sawComma ? "," + upper : "") + "}"
            i = j + 1
            return
        }
        out += "\\{"
        i += 1
    }

    private mutating func escape(inClass: Bool) throws {
        guard let c = peek(1) else { throw error("bad escape (end of pattern)") }
        i += 2
        switch c {
        case "Z": out += inClass ? "Z" : "\\z"
        case "v": out += "\\x{0B}"
        case "b" where inClass: out += "\\x{08}"
        case "d" where ascii: out += inClass ? "0-9" : "[0-9]"
        case "D" where ascii: out += inClass ? "\\x{00}-/:-\\x{10FFFF}" : "[^0-9]"
        case "w" where ascii: out += inClass ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]"
        case "W" where ascii: out += inClass ? "\\x{00}-/:-@\\[-^`{-\\x{10FFFF}" : "[^a-zA-Z0-9_]"
        case "s" where ascii: out += inClass ? " \\t\\n\\r\\f\\x{0B}" : "[ \\t\\n\\r\\f\\x{0B}]"
        case "S" where ascii: out += inClass ? "\\x{00}-\\x{08}\\x{0E}-\\x{1F}!-\\x{10FFFF}" : "[^ \\t\\n\\r\\f\\x{0B}]"
        case "b" where ascii: out += "(?:(?<=[a-zA-Z0-9_])(?![a-zA-Z0-9_])|(?<![a-zA-Z0-9_])(?=[a-zA-Z0-9_]))"
        case "0":
            // Python: \0 followed by up to two octal digits is a character escape.
            var octal = ""
            while octal.count < 2, let d = peek(), ("0"..."7").contains(d) { octal.append(d); i += 1 }
            out += String(format: "\\x{%X}", Int(octal, radix: 8) ?? 0)
        case "1"..."9" where !inClass:
            var digits = String(c)
            if let d = peek(), d.isASCII, d.isNumber { digits.append(d); i += 1 }
            out += "(?:\\\(digits))"
        default:
            if c.isASCII && c.isLetter && !"aAbBdDfnrsStuUvwWxzZN".contains(c) {
                throw error("bad escape \\\(c)")
            }
            out.append("\\")
            out.append(c)
        }
    }

    private mutating func characterClass() throws {
        out += "["
        i += 1
        if peek() == "^" { out += "^"; i += 1 }
        if peek() == "]" { out += "\\]"; i += 1 }
        while let c = peek() {
            switch c {
            case "]":
                out += "]"
                i += 1
                return
            case "\\": try escape(inClass: true)
            case "[", "&", "{", "}", "$", "#", " ", "~":
                out += "\\" + String(c)
                i += 1
            case "-" where peek(1) == "-":
                out += "\\-"
                i += 1
            default:
                out.append(c)
                i += 1
            }
        }
        throw error("unterminated character set")
    }
}
