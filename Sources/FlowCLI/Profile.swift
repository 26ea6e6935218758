// Profiles: a folder with a `config.yaml` whose keys are long flag names (Snakemake's format).
// The profile turns into command-line arguments placed before the user's own, so flags given on
// the command line win (single-valued options: last one wins; lists are merged).

import Foundation
import FlowLang

public struct Profile {
    public let path: String
    public let arguments: [String]

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
                return Profile(path: file, arguments: try arguments(fromFile: file))
            }
        }
        throw CLIError("profile '\(nameOrPath)' not found (looked in: \(candidates.joined(separator: ", ")))")
    }

    static func arguments(fromFile file: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CLIError("profile \(file): cannot read the file")
        }
        let value: Value
        do { value = try YAMLCodec.load(text, path: file) } catch {
            throw CLIError("profile \(file): \(error)")
        }
        if case .none = value { return [] }
        guard case .dict(let dict) = value else { throw CLIError("profile \(file): expected a mapping of flag names to values") }
        var args: [String] = []
        for (key, item) in zip(dict.keys, dict.values) {
            guard let name = key.stringValue else { throw CLIError("profile \(file): keys must be flag names") }
            let flag = "--" + name.replacingOccurrences(of: "_", with: "-")
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
        return args
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
