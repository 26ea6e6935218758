// FlowExec registry: the typed settings of one executor for one run.
//
// Owns: `SettingInput` (a raw setting as the user gave it, and where: a flag or a profile file),
// `ExecutorSettings` (inputs checked against the descriptor's declared kinds, with defaults) and
// the error that names the key and its source. Secret values never appear in messages.

/// Where a setting came from, for error messages.
public enum SettingSource: Equatable, Sendable {
    case commandLine
    case profile(path: String)
}

/// One executor setting as given: `--slurm-partition debug` or `slurm_partition: debug`.
public struct SettingInput: Equatable, Sendable {
    /// The executor's name ("slurm").
    public var executor: String
    /// The setting's name without the executor prefix ("partition").
    public var setting: String
    /// One text per occurrence (several for list settings).
    public var values: [String]
    public var source: SettingSource

    public init(executor: String, setting: String, values: [String], source: SettingSource) {
        self.executor = executor
        self.setting = setting
        self.values = values
        self.source = source
    }

    /// The key as flags and profiles spell it ("slurm-partition").
    public var key: String { executor + "-" + setting }
}

/// A setting value that does not fit its declared kind, or a setting the executor does not have.
public struct ExecutorSettingError: Error, CustomStringConvertible {
    public let key: String
    public let source: SettingSource
    public let problem: String

    public var description: String {
        switch source {
        case .commandLine: return "--\(key): \(problem)"
        case .profile(let path): return "profile \(path): invalid value for '\(key)': \(problem)"
        }
    }
}

/// The settings of one executor: what was given (validated), else the declared defaults.
public struct ExecutorSettings: Sendable, CustomStringConvertible {
    public let executor: String
    private let declared: [ExecutorSetting]
    private var given: [String: SettingValue] = [:]

    /// Checks `inputs` for this executor in order: scalars given twice keep the last one (the
    /// command line comes after the profile), lists are merged.
    public init(_ descriptor: ExecutorDescriptor, inputs: [SettingInput] = []) throws {
        executor = descriptor.name
        declared = descriptor.settings
        for input in inputs where input.executor == descriptor.name {
            guard let setting = declared.first(where: { $0.name == input.setting }) else {
                throw ExecutorSettingError(key: input.key, source: input.source,
                                           problem: "executor \(executor) has no setting '\(input.setting)'")
            }
            switch setting.parse(input.values) {
            case .success(.list(let items)):
                if case .list(let earlier)? = given[setting.name] { given[setting.name] = .list(earlier + items) } else {
                    given[setting.name] = .list(items)
                }
            case .success(let value):
                given[setting.name] = value
            case .failure(let mismatch):
                let got = setting.isSecret ? "" : ", got '\(input.values.joined(separator: " "))'"
                throw ExecutorSettingError(key: input.key, source: input.source, problem: "expected \(mismatch.expected)" + got)
            }
        }
    }

    /// The given value, else the default.
    public func value(_ name: String) -> SettingValue? {
        given[name] ?? declared.first { $0.name == name }?.defaultValue
    }

    public func string(_ name: String) -> String? {
        value(name).map(\.description)
    }

    public func int(_ name: String) -> Int? {
        switch value(name) {
        case .int(let n)?: return n
        case .double(let d)?: return Int(d)
        default: return nil
        }
    }

    public func double(_ name: String) -> Double? {
        switch value(name) {
        case .double(let d)?: return d
        case .int(let n)?: return Double(n)
        default: return nil
        }
    }

    public func bool(_ name: String) -> Bool {
        if case .bool(let b)? = value(name) { return b }
        return false
    }

    public func list(_ name: String) -> [String] {
        if case .list(let l)? = value(name) { return l }
        return []
    }

    /// The given settings as `key=value`, secrets masked (for --verbose output).
    public var description: String {
        declared.compactMap { setting in
            guard let value = given[setting.name] else { return nil }
            return "\(executor)-\(setting.name)=" + (setting.isSecret ? "<secret>" : value.description)
        }.joined(separator: ", ")
    }
}
