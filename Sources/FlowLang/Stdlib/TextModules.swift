// Text-oriented modules: hashlib (over Digests; str data is hashed as UTF-8 since flow has no
// bytes type), string (constants, Template), textwrap, shlex.

import Foundation

enum HashlibModule {
    static func make() -> PyModule {
        let m = PyModule("hashlib", [("algorithms_available", .set(stringSet(["md5", "sha1", "sha256"]))),
                                     ("algorithms_guaranteed", .set(stringSet(["md5", "sha1", "sha256"])))])
        for kind in [DigestKind.md5, .sha1, .sha256] {
            m.define(kind.rawValue) { a, i in
                let h = HashObject(Digest(kind))
                if let data = Args(a, kind.rawValue, i).value(0, "string") { try h.update(data, i) }
                return .object(h)
            }
        }
        m.define("new") { a, i in
            let args = Args(a, "new", i)
            guard let kind = DigestKind(rawValue: try args.string(0, "name").lowercased().replacingOccurrences(of: "-", with: "")) else {
                throw PyError.value("unsupported hash type \(try args.string(0, "name"))")
            }
            let h = HashObject(Digest(kind))
            if let data = args.value(1, "data") { try h.update(data, i) }
            return .object(h)
        }
        return m
    }

    private static func stringSet(_ items: [String]) -> PySet {
        let s = PySet()
        for x in items { s.insert(HashKey(unchecked: .str(x))) }
        return s
    }
}

final class HashObject: PyObject {
    var digest: Digest
    init(_ digest: Digest) { self.digest = digest }
    var typeName: String { "_hashlib.HASH" }

    func update(_ data: Value, _ i: Interpreter) throws {
        guard let s = data.stringValue else { throw PyError.type("object supporting the buffer API required") }
        digest.update(Array(s.utf8))
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "name": return .str(digest.kind.rawValue)
        case "digest_size": return .int(digest.digestSize)
        case "block_size": return .int(digest.blockSize)
        case "update": return function(name) { a, i in try self.update(try Args(a, name, i).required(0, "data"), i); return .none }
        case "hexdigest": return function(name) { _, _ in .str(self.digest.finalize().map { String(format: "%02x", $0) }.joined()) }
        case "digest": return function(name) { _, _ in .str(String(self.digest.finalize().map { Character(UnicodeScalar($0)) })) }
        case "copy": return function(name) { _, _ in .object(HashObject(self.digest)) }
        default: return nil
        }
    }

    func repr(interpreter: Interpreter) throws -> String { "<\(digest.kind.rawValue) _hashlib.HASH object>" }
}

enum StringModule {
    static let lowercase = "abcdefghijklmnopqrstuvwxyz"
    static let uppercase = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    static let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

    static func make() -> PyModule {
        let m = PyModule("string", [
            ("ascii_lowercase", .str(lowercase)), ("ascii_uppercase", .str(uppercase)),
            ("ascii_letters", .str(lowercase + uppercase)), ("digits", .str("0123456789")),
            ("hexdigits", .str("0123456789abcdefABCDEF")), ("octdigits", .str("01234567")),
            ("punctuation", .str(punctuation)), ("whitespace", .str(" \t\n\r\u{0B}\u{0C}")),
            ("printable", .str("0123456789" + lowercase + uppercase + punctuation + " \t\n\r\u{0B}\u{0C}")),
        ])
        m.attributes.set("Template", .object(HostClass("Template") { a, i in
            let template = try Args(a, "Template", i).string(0, "template")
            let t = AttributeObject("Template", ["template": .str(template)])
            for (name, safe) in [("substitute", false), ("safe_substitute", true)] {
                t.method(name) { a, i in
                    var mapping: [String: Value] = [:]
                    if let d = a.positional.first {
                        for k in try i.iterate(d) { mapping[try i.str(k)] = try i.getItem(d, k) }
                    }
                    for (k, v) in a.keywords { mapping[k] = v }
                    return .str(try substitute(template, mapping, safe: safe, i))
                }
            }
            return .object(t)
        }))
        m.define("capwords") { a, i in
            .str(try Args(a, "capwords", i).string(0, "s").split(whereSeparator: { $0.isWhitespace }).map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: " "))
        }
        return m
    }

    /// `$name`, `${name}` and `$$` like string.Template.
    static func substitute(_ template: String, _ mapping: [String: Value], safe: Bool, _ i: Interpreter) throws -> String {
        let chars = Array(template)
        var out = "", k = 0
        func isIdent(_ c: Character) -> Bool { c == "_" || (c.isASCII && (c.isLetter || c.isNumber)) }
        while k < chars.count {
            guard chars[k] == "$", k + 1 < chars.count else { out.append(chars[k]); k += 1; continue }
            if chars[k + 1] == "$" { out.append("$"); k += 2; continue }
            var name = "", end = k + 1
            if chars[k + 1] == "{", let close = chars[(k + 2)...].firstIndex(of: "}") {
                name = String(chars[(k + 2)..<close]); end = close + 1
            } else {
                while end < chars.count, isIdent(chars[end]) { name.append(chars[end]); end += 1 }
            }
            if let v = mapping[name], !name.isEmpty { out += try i.str(v) }
            else if safe || name.isEmpty && safe { out += String(chars[k..<end]) }
            else if name.isEmpty { throw PyError.value("Invalid placeholder in string: line 1, col \(k + 1)") }
            else { throw PyError.key(pyStringRepr(name)) }
            k = end
        }
        return out
    }
}

enum TextwrapModule {
    static func make() -> PyModule {
        let m = PyModule("textwrap")
        m.define("dedent") { a, i in .str(dedent(try Args(a, "dedent", i).string(0, "text"))) }
        m.define("indent") { a, i in
            let args = Args(a, "indent", i)
            let text = try args.string(0, "text"), prefix = try args.string(1, "prefix")
            let predicate = args.value(2, "predicate").flatMap { $0.isNone ? nil : $0 }
            var out = ""
            // Lines with their terminators, like str.splitlines(keepends=True).
            var lines: [String] = [], current = ""
            for c in text { current.append(c); if c == "\n" { lines.append(current); current = "" } }
            if !current.isEmpty { lines.append(current) }
            for line in lines {
                let add = try predicate.map { try i.truthy(try i.call($0, Arguments([.str(line)]))) } ?? !line.allSatisfy(\.isWhitespace)
                out += (add ? prefix : "") + line
            }
            return .str(out)
        }
        m.define("wrap") { a, i in
            let args = Args(a, "wrap", i)
            return strList(wrap(try args.string(0, "text"), width: try args.int(1, "width", default: 70)))
        }
        m.define("fill") { a, i in
            let args = Args(a, "fill", i)
            return .str(wrap(try args.string(0, "text"), width: try args.int(1, "width", default: 70)).joined(separator: "\n"))
        }
        m.define("shorten") { a, i in
            let args = Args(a, "shorten", i)
            let words = try args.string(0, "text").split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            let width = try args.int(1, "width")
            if words.count <= width { return .str(words) }
            let placeholder = try args.optionalString(99, "placeholder") ?? " [...]"
            var kept = ""
            for w in words.split(separator: " ") {
                let candidate = kept.isEmpty ? String(w) : kept + " " + w
                if candidate.count + placeholder.count > width { break }
                kept = candidate
            }
            return .str(kept.isEmpty ? placeholder.trimmingCharacters(in: .whitespaces) : kept + placeholder)
        }
        return m
    }

    /// Removes the longest common leading whitespace; whitespace-only lines become empty.
    static func dedent(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let margins = lines.filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }.map { String($0.prefix { $0 == " " || $0 == "\t" }) }
        var common = margins.first ?? ""
        for m in margins.dropFirst() {
            while !m.hasPrefix(common) { common.removeLast() }
        }
        return lines.map { line in
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return "" }
            return String(line.dropFirst(common.count))
        }.joined(separator: "\n")
    }

    /// Greedy word wrap on whitespace (words longer than the width get their own line).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            if current.isEmpty { current = String(word) }
            else if current.count + 1 + word.count <= width { current += " " + word }
            else { lines.append(current); current = String(word) }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

enum ShlexModule {
    static func make() -> PyModule {
        let m = PyModule("shlex")
        m.define("quote") { a, i in .str(quote(try Args(a, "quote", i).string(0, "s"))) }
        m.define("join") { a, i in
            .str(try i.iterate(try Args(a, "join", i).required(0, "split_command")).map { quote(try i.str($0)) }.joined(separator: " "))
        }
        m.define("split") { a, i in strList(try split(try Args(a, "split", i).string(0, "s"))) }
        return m
    }

    static func quote(_ s: String) -> String {
        if s.isEmpty { return "''" }
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")
        if s.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
    }

    /// POSIX-mode shlex.split: quotes, backslash escapes and `#` comments.
    static func split(_ s: String) throws -> [String] {
        var words: [String] = [], current = "", inWord = false
        var chars = Array(s)[...]
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "#" where !inWord:
                while let d = chars.first, d != "\n" { chars.removeFirst() }
            case "\\":
                guard let d = chars.popFirst() else { throw PyError.value("No escaped character") }
                current.append(d); inWord = true
            case "'":
                inWord = true
                while true {
                    guard let d = chars.popFirst() else { throw PyError.value("No closing quotation") }
                    if d == "'" { break }
                    current.append(d)
                }
            case "\"":
                inWord = true
                while true {
                    guard let d = chars.popFirst() else { throw PyError.value("No closing quotation") }
                    if d == "\"" { break }
                    if d == "\\", let e = chars.first, "\\\"$`\n".contains(e) { chars.removeFirst(); current.append(e); continue }
                    current.append(d)
                }
            default:
                current.append(c); inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
