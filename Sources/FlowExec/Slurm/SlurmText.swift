// FlowExec Slurm backend: small text parsers for what users write and what Slurm prints.
//
// Owns: shell-style splitting of `slurm_extra` (the quoting rules of Python's shlex.split,
// which is what Snakemake users expect) and exit codes (sacct/scontrol's "code:signal",
// squeue's raw wait status). What every back end reads alike (trimming, `runtime` strings,
// wait statuses) is ExecutorText's. No Foundation: the executor stays usable in the static binary.

enum SlurmText {
    /// Splits like a POSIX shell (and Python's shlex.split): whitespace separates words, single
    /// quotes are literal, double quotes allow \" \\ \$ \`, a backslash outside quotes escapes
    /// the next character. Nil for an unterminated quote.
    static func shellWords(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for char in text {
            if escaped {
                // Inside double quotes only a few characters are escapable; elsewhere any.
                if quote == "\"" && !"\"\\$`".contains(char) { current.append("\\") }
                current.append(char)
                escaped = false
                inWord = true
            } else if quote == "'" {
                if char == "'" { quote = nil } else { current.append(char) }
            } else if char == "\\" {
                escaped = true
            } else if quote == "\"" {
                if char == "\"" { quote = nil } else { current.append(char) }
            } else if char == "'" || char == "\"" {
                quote = char
                inWord = true
            } else if char == " " || char == "\t" || char == "\n" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(char)
                inWord = true
            }
        }
        if quote != nil || escaped { return nil }
        if inWord { words.append(current) }
        return words
    }

    /// The shell-style exit status of sacct/scontrol's "code:signal" ("3:0" → 3, "0:15" →
    /// 143); nil if unreadable.
    static func exitStatus(codeAndSignal text: String) -> Int32? {
        let parts = ExecutorText.trim(text).split(separator: ":")
        guard parts.count == 2, let code = Int32(parts[0]), let signal = Int32(parts[1]) else { return nil }
        return signal > 0 ? 128 + signal : code
    }

    /// The shell-style exit status of squeue's `exit_code` field, a raw wait status
    /// (1792 → 7, 15 → 143); nil if unreadable.
    static func exitStatus(waitStatus text: String) -> Int32? {
        guard let status = Int32(ExecutorText.trim(text)), status >= 0 else { return nil }
        return ExecutorText.shellStatus(waitStatus: status)
    }

}
