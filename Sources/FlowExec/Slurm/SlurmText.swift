// FlowExec Slurm backend: small text parsers for what users write and what Slurm prints.
//
// Owns: trimming, shell-style splitting of `slurm_extra` (the quoting rules of Python's
// shlex.split, which is what Snakemake users expect), time strings (`runtime`: minutes,
// "2h", "1h30m", Slurm's "D-HH:MM:SS" forms) and exit codes (sacct/scontrol's "code:signal",
// squeue's raw wait status). No Foundation: the executor stays usable in the static binary.

enum SlurmText {
    static func trim<S: StringProtocol>(_ text: S) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

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

    /// Seconds in a time string; nil if it is not one. Plain numbers are minutes (Slurm's and
    /// Snakemake's `runtime` unit). Accepts Slurm's forms (MM:SS, HH:MM:SS, D-HH, D-HH:MM,
    /// D-HH:MM:SS) and spans like "2h", "30m", "1h30m", "1.5 hours", "90s", "2d".
    static func seconds(_ text: String) -> Int? {
        let text = trim(text).lowercased()
        if text.isEmpty { return nil }
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let minutes = Double(text), minutes < 1e9 else { return nil }
            return Int((minutes * 60).rounded(.up))
        }
        if text.contains(":") || text.contains("-") { return slurmFormSeconds(text) }
        return spanSeconds(text)
    }

    /// Slurm's own forms: "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS".
    private static func slurmFormSeconds(_ text: String) -> Int? {
        var days = 0
        var rest = Substring(text)
        if let dash = text.firstIndex(of: "-") {
            guard let value = Int(text[..<dash]), value >= 0 else { return nil }
            days = value
            rest = text[text.index(after: dash)...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        let numbers = parts.map { $0! }
        let seconds: Int
        if text.contains("-") {
            // After "D-": HH, HH:MM or HH:MM:SS.
            guard numbers.count <= 3 else { return nil }
            let padded = numbers + Array(repeating: 0, count: 3 - numbers.count)
            seconds = padded[0] * 3600 + padded[1] * 60 + padded[2]
        } else {
            switch numbers.count {
            case 2: seconds = numbers[0] * 60 + numbers[1]
            case 3: seconds = numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
            default: return nil
            }
        }
        return days * 86400 + seconds
    }

    /// Spans: one or more "<number><unit>" pairs, spaces allowed ("1h30m", "1.5 hours").
    private static func spanSeconds(_ text: String) -> Int? {
        var total = 0.0
        var index = text.startIndex
        var sawPair = false
        while index < text.endIndex {
            while index < text.endIndex && text[index] == " " { index = text.index(after: index) }
            if index == text.endIndex { break }
            let numberStart = index
            while index < text.endIndex && (text[index].isNumber || text[index] == ".") { index = text.index(after: index) }
            guard let number = Double(text[numberStart..<index]) else { return nil }
            while index < text.endIndex && text[index] == " " { index = text.index(after: index) }
            let unitStart = index
            while index < text.endIndex && text[index].isLetter { index = text.index(after: index) }
            guard let unit = unitSeconds[String(text[unitStart..<index])] else { return nil }
            total += number * unit
            sawPair = true
            if total > 1e12 { return nil }
        }
        return sawPair ? Int(total.rounded(.up)) : nil
    }

    private static let unitSeconds: [String: Double] = {
        var table: [String: Double] = [:]
        for name in ["s", "sec", "secs", "second", "seconds"] { table[name] = 1 }
        for name in ["m", "min", "mins", "minute", "minutes"] { table[name] = 60 }
        for name in ["h", "hr", "hrs", "hour", "hours"] { table[name] = 3600 }
        for name in ["d", "day", "days"] { table[name] = 86400 }
        for name in ["w", "week", "weeks"] { table[name] = 604_800 }
        return table
    }()

    /// The shell-style exit status of sacct/scontrol's "code:signal" ("3:0" → 3, "0:15" →
    /// 143); nil if unreadable.
    static func exitStatus(codeAndSignal text: String) -> Int32? {
        let parts = trim(text).split(separator: ":")
        guard parts.count == 2, let code = Int32(parts[0]), let signal = Int32(parts[1]) else { return nil }
        return signal > 0 ? 128 + signal : code
    }

    /// The shell-style exit status of squeue's `exit_code` field, a raw wait status
    /// (1792 → 7, 15 → 143); nil if unreadable.
    static func exitStatus(waitStatus text: String) -> Int32? {
        guard let status = Int32(trim(text)), status >= 0 else { return nil }
        return shellStatus(waitStatus: status)
    }

    /// A waitpid status as a shell reports it: the exit code, or 128+signal.
    static func shellStatus(waitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal > 0 ? 128 + signal : (status >> 8) & 0xff
    }
}
