// FlowExec contract: text that every back end reads alike.
//
// Owns: trimming a tool's output, `runtime` resources (plain minutes as Snakemake and Slurm take
// them, Slurm's "D-HH:MM:SS" forms, spans like "2h" or "1h30m"), and wait statuses as a shell
// reports them. Slurm, Flux, Kubernetes and PiCaS all take `runtime` from the same Snakefiles, so
// one parser keeps them agreeing. No Foundation: the executors stay usable in the static binary.

enum ExecutorText {
    static func trim<S: StringProtocol>(_ text: S) -> String {
        // "\r\n" is one Character in Swift: a tool's CRLF line ending must count as space too.
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }


    /// Seconds in a time string; nil if it is not one. Plain numbers are minutes (Slurm's and
    /// Snakemake's `runtime` unit). Accepts Slurm's forms (MM:SS, HH:MM:SS, D-HH, D-HH:MM,
    /// D-HH:MM:SS) and spans like "2h", "30m", "1h30m", "1.5 hours", "90s", "2d".
    static func runtimeSeconds(_ text: String) -> Int? {
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

    /// A waitpid status as a shell reports it: the exit code, or 128+signal.
    static func shellStatus(waitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal > 0 ? 128 + signal : (status >> 8) & 0xff
    }
}
