// Profiles: a folder with a `config.yaml` whose keys are long flag names without `--`
// (Snakemake's format; `_` and `-` are interchangeable). Keys of `flow run` flags turn into
// command-line arguments placed before the user's own, so flags given on the command line win
// (single-valued options: last one wins; lists are merged). Keys of executor settings
// (`slurm-partition`) become `SettingInput`s that remember the file for error messages. Any
// other key is an error naming the file and the nearest valid key.

import Foundation
import FlowExec
import FlowLang
import FlowSyntax

public struct Profile {
    public let path: String
    /// `flow run` arguments from the keys that are flags.
    public let arguments: [String]
    /// Executor settings from the keys that are registry settings.
    public let executorSettings: [SettingInput]
    /// Keys flow accepts but does not act on, with why.
    public let warnings: [String]

    /// Keys Snakemake profiles often hold that flow knows but does not act on (yet): accepted
    /// with a warning, so that a Snakemake profile still works.
    static let ignoredSnakemakeKeys: [String: String] = [
        "use-conda": "flow does not create conda environments yet",
        "conda-frontend": "flow does not create conda environments yet",
        "conda-prefix": "flow does not create conda environments yet",
        "use-singularity": "flow does not run containers yet",
        "use-apptainer": "flow does not run containers yet",
        "software-deployment-method": "flow does not deploy software environments yet",
        "max-jobs-per-second": "flow submits as fast as -j and the executor allow",
        "local-cores": "local jobs share --cores",
    ]

    /// Where `--profile NAME` is looked up, in order.
    public static func searchDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let xdg = environment["XDG_CONFIG_HOME"] ?? home + "/.config"
        return [FileManager.default.currentDirectoryPath + "/profiles", xdg + "/flow", home + "/.config/snakemake", "/etc/xdg/snakemake"]
    }

    /// Finds and reads a profile by name or path.
    public static func load(_ nameOrPath: String) throws -> Profile {
        let fm = FileManager.default
        var candidates: [String] = []
        if nameOrPath.contains("/") || fm.fileExists(atPath: nameOrPath) {
            candidates.append(nameOrPath)
        } else {
            candidates = searchDirectories().map { $0 + "/" + nameOrPath }
        }
        for dir in candidates {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir, isDirectory: &isDir) {
                let file = isDir.boolValue ? dir + "/config.yaml" : dir
                guard fm.fileExists(atPath: file) else { continue }
                return try read(file)
            }
        }
        throw CLIError("profile '\(nameOrPath)' not found (looked in: \(candidates.joined(separator: ", ")))")
    }

    static func read(_ file: String) throws -> Profile {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CLIError("profile \(file): cannot read the file")
        }
        let value: Value
        do { value = try YAMLCodec.load(text, path: file) } catch {
            throw CLIError("profile \(file): \(error)")
        }
        if case .none = value { return Profile(path: file, arguments: [], executorSettings: [], warnings: []) }
        guard case .dict(let dict) = value else { throw CLIError("profile \(file): expected a mapping of flag names to values") }
        var args: [String] = []
        var settings: [SettingInput] = []
        var warnings: [String] = []
        for (key, item) in zip(dict.keys, dict.values) {
            guard let name = key.stringValue else { throw CLIError("profile \(file): keys must be flag names") }
            let normalized = name.replacingOccurrences(of: "_", with: "-")
            if let (descriptor, setting) = ExecutorRegistry.setting(forKey: normalized) {
                if let values = try settingValues(item, file: file, key: name) {
                    settings.append(SettingInput(executor: descriptor.name, setting: setting.name, values: values, source: .profile(path: file)))
                }
                continue
            }
            if let reason = ignoredSnakemakeKeys[normalized] {
                warnings.append("profile \(file): ignoring '\(name)' (\(reason))")
                continue
            }
            guard RunOptions.longNames.contains(normalized) else {
                var message = "profile \(file): unknown key '\(name)'"
                let valid = RunOptions.longNames + ExecutorRegistry.keys() + ignoredSnakemakeKeys.keys.sorted()
                if let near = closestName(to: normalized, in: valid) { message += " (did you mean '\(near)'?)" }
                throw CLIError(message)
            }
            let flag = "--" + normalized
            switch item {
            case .bool(let b): if b { args.append(flag) }
            case .none: continue
            case .list(let l):
                args.append(flag)
                args += try l.items.map { try scalar($0, file: file, key: name) }
            case .dict(let d):
                args.append(flag)
                for (k, v) in zip(d.keys, d.values) {
                    let ks = try scalar(k, file: file, key: name)
                    if case .dict(let inner) = v {
                        // set-resources: {rule: {mem_mb: 100}} -> rule:mem_mb=100
                        for (ik, iv) in zip(inner.keys, inner.values) {
                            args.append("\(ks):\(try scalar(ik, file: file, key: name))=\(try scalar(iv, file: file, key: name))")
                        }
                    } else {
                        args.append("\(ks)=\(try scalar(v, file: file, key: name))")
                    }
                }
            default:
                args += [flag, try scalar(item, file: file, key: name)]
            }
        }
        return Profile(path: file, arguments: args, executorSettings: settings, warnings: warnings)
    }

    /// An executor setting's texts: a scalar is one, a list several; nil leaves it unset.
    private static func settingValues(_ item: Value, file: String, key: String) throws -> [String]? {
        switch item {
        case .none: return nil
        case .bool(let b): return [b ? "true" : "false"]
        case .list(let l): return try l.items.map { try scalar($0, file: file, key: key) }
        default: return [try scalar(item, file: file, key: key)]
        }
    }

    private static func scalar(_ value: Value, file: String, key: String) throws -> String {
        switch value {
        case .str(let s): return s
        case .int(let i): return String(i)
        case .float(let f): return String(f)
        case .bool(let b): return b ? "True" : "False"
        default: throw CLIError("profile \(file): value of '\(key)' must be a scalar, a list or a mapping")
        }
    }
}

/// A command-line error: printed as `flow: message`, exit status 1.
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { self.description = message }
}
