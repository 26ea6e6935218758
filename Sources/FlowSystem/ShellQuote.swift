// FlowSystem: quoting for POSIX shells, the one implementation flow has. It quotes exactly as
// Python's `shlex.quote` does (Snakemake formats `{input:q}` with it, so commands must come out
// the same), which is also what job scripts need for bash.

public enum ShellQuote {
    /// `text` as one shell word: bare when it only has characters that mean nothing to a shell,
    /// else single-quoted with each embedded quote written as `'"'"'`.
    public static func quote(_ text: String) -> String {
        if !text.isEmpty && text.utf8.allSatisfy(isPlainWordByte) { return text }
        var quoted = "'"
        for char in text {
            if char == "'" { quoted += "'\"'\"'" } else { quoted.append(char) }
        }
        return quoted + "'"
    }

    /// Bytes that mean nothing special to a shell anywhere in a word (shlex's safe set, ASCII).
    /// Everything else (metacharacters, quotes, `$`, globs, `~`, newlines, non-ASCII) is quoted.
    public static func isPlainWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: ":"),
             UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
