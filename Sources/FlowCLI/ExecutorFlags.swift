// Executor settings on the command line and in `flow run --help`, derived from
// `ExecutorRegistry`: `--<executor>-<setting> VALUE`, `--<executor>-<setting>=VALUE`, and bool
// settings as plain flags (Snakemake 8's plugin naming).
//
// argument-parser's options are static, so these flags are lifted out of the `run` arguments
// before argument-parser sees them; what is left is parsed as usual.

import FlowExec
import FlowSyntax

enum ExecutorFlags {
    /// Splits the arguments after `run` into registry settings and the rest. A flag that starts
    /// like a registry flag but names no setting (and no RunOptions flag) is an error with the
    /// nearest valid name.
    static func lift(_ arguments: [String], descriptors: [ExecutorDescriptor] = ExecutorRegistry.all) throws
        -> (arguments: [String], settings: [SettingInput]) {
        guard let runIndex = arguments.firstIndex(of: "run") else { return (arguments, []) }
        var rest = Array(arguments[...runIndex])
        var settings: [SettingInput] = []
        var i = runIndex + 1
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if arg == "--" {
                rest += arguments[(i - 1)...]
                break
            }
            guard arg.hasPrefix("--") else { rest.append(arg); continue }
            let body = arg.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard !name.contains("_"), let (descriptor, setting) = ExecutorRegistry.setting(forKey: name, in: descriptors) else {
                if let prefix = descriptors.first(where: { name.hasPrefix($0.name + "-") }), !RunOptions.longNames.contains(name) {
                    var message = "unknown option '--\(name)'"
                    if let near = closestName(to: name, in: ExecutorRegistry.keys(in: descriptors) + RunOptions.longNames) {
                        message += " (did you mean '--\(near)'?)"
                    } else {
                        message += " (executor \(prefix.name) has no such setting; see flow run --help)"
                    }
                    throw CLIError(message)
                }
                rest.append(arg)
                continue
            }
            var value: String
            if let inline {
                value = inline
            } else if setting.kind == .bool {
                value = "true"
            } else {
                guard i < arguments.count else { throw CLIError("--\(name): missing value") }
                value = arguments[i]
                i += 1
            }
            settings.append(SettingInput(executor: descriptor.name, setting: setting.name, values: [value], source: .commandLine))
        }
        return (rest, settings)
    }

    // MARK: help

    /// The sections `flow run --help` ends with: the executors, then each one's settings, laid
    /// out like argument-parser's option list.
    static func help(_ descriptors: [ExecutorDescriptor] = ExecutorRegistry.all) -> String {
        var out = "EXECUTORS (--executor NAME):\n"
        for d in descriptors {
            let names = ([d.name] + d.aliases).joined(separator: ", ")
            out += row(names, d.summary)
        }
        for d in descriptors where !d.settings.isEmpty {
            out += "\n\(d.name.uppercased()) EXECUTOR SETTINGS (--executor \(d.name); in profiles without --):\n"
            for s in d.settings {
                let label = "--" + d.key(of: s) + (s.kind == .bool ? "" : " <\(s.kind.typeName)>")
                var text = s.help
                if s.isSecret {
                    text += " (secret: never printed)"
                } else if let value = s.defaultValue, s.kind != .bool {
                    text += " (default: \(value))"
                }
                out += row(label, text)
            }
        }
        return out
    }

    private static let labelWidth = 26
    private static let width = 80

    private static func row(_ label: String, _ text: String) -> String {
        var out = "  " + label
        if out.count + 2 > labelWidth {
            out += "\n" + String(repeating: " ", count: labelWidth)
        } else {
            out += String(repeating: " ", count: labelWidth - out.count)
        }
        var column = labelWidth
        var first = true
        for word in text.split(separator: " ") {
            if !first && column + 1 + word.count > width {
                out += "\n" + String(repeating: " ", count: labelWidth)
                column = labelWidth
                first = true
            }
            if !first { out += " "; column += 1 }
            out += word
            column += word.count
            first = false
        }
        return out + "\n"
    }
}
