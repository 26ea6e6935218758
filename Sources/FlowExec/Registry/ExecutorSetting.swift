// FlowExec registry: one executor setting, declared as data.
//
// Owns: `ExecutorSetting` (name, kind, default, help, secrecy), `SettingValue` (a typed value)
// and parsing one setting's text into its kind. Flags, profile keys, help and validation are
// all derived from these declarations by FlowCLI; a back end never parses strings itself.

/// A typed setting value.
public enum SettingValue: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([String])

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let n): return String(n)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return l.joined(separator: " ")
        }
    }
}

/// One setting of an executor, e.g. Slurm's `partition`, given as `--slurm-partition` on the
/// command line and `slurm-partition:` (or `slurm_partition:`) in a profile.
public struct ExecutorSetting: Sendable {
    public enum Kind: Equatable, Sendable {
        case string
        case int
        case double
        /// A plain flag on the command line (`--slurm-requeue`); true/false in profiles.
        case bool
        /// Repeatable on the command line; a YAML list in profiles.
        case list
        /// One of the given words.
        case choice([String])

        /// How help texts name the kind.
        public var typeName: String {
            switch self {
            case .string: return "string"
            case .int: return "integer"
            case .double: return "number"
            case .bool: return "flag"
            case .list: return "list"
            case .choice(let words): return words.joined(separator: "|")
            }
        }
    }

    /// The flag name without the executor prefix ("partition", "command-timeout").
    public let name: String
    public let kind: Kind
    /// nil: unset unless given (the back end decides what that means).
    public let defaultValue: SettingValue?
    /// Lower bound for `.int` and `.double` settings.
    public let minimum: Double?
    public let help: String
    /// Tokens and passwords: never printed (not in help, errors or verbose output).
    public let isSecret: Bool

    public init(_ name: String, _ kind: Kind, default defaultValue: SettingValue? = nil, minimum: Double? = nil,
                secret: Bool = false, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.isSecret = secret
        self.help = help
    }

    /// `values` (one per occurrence; several for lists) as this setting's kind; on failure, what
    /// was expected ("expected an integer").
    func parse(_ values: [String]) -> Result<SettingValue, Mismatch> {
        if case .list = kind { return .success(.list(values)) }
        // A bool given as a plain flag.
        if kind == .bool && values.isEmpty { return .success(.bool(true)) }
        guard let text = values.last.map(trimSpaces) else { return .failure(Mismatch(expected: "a value")) }
        switch kind {
        case .string:
            return .success(.string(text))
        case .int:
            guard let n = Int(text) else { return .failure(Mismatch(expected: "an integer")) }
            return inRange(Double(n)) ? .success(.int(n)) : .failure(Mismatch(expected: "an integer ≥ \(SettingValue.double(minimum!))"))
        case .double:
            guard let d = Double(text), d.isFinite else { return .failure(Mismatch(expected: "a number")) }
            return inRange(d) ? .success(.double(d)) : .failure(Mismatch(expected: "a number ≥ \(SettingValue.double(minimum!))"))
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .success(.bool(true))
            case "false", "no", "off", "0": return .success(.bool(false))
            default: return .failure(Mismatch(expected: "true or false"))
            }
        case .choice(let words):
            guard words.contains(text) else { return .failure(Mismatch(expected: "one of \(words.joined(separator: ", "))")) }
            return .success(.string(text))
        case .list:
            return .success(.list(values))
        }
    }

    private func inRange(_ value: Double) -> Bool { minimum.map { value >= $0 } ?? true }

    struct Mismatch: Error {
        let expected: String
    }
}

private func trimSpaces(_ text: String) -> String {
    var s = Substring(text)
    while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
    while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
    return String(s)
}
