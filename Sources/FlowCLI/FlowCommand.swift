// FlowCLI: command-line flags (Snakemake's names), profiles, and what the user sees.
//
// Owns: argument parsing, profile expansion, turning flags into EngineOptions, printing engine
// events and errors, exit statuses. All work happens in FlowEngine.

import ArgumentParser
import Foundation
import FlowEngine
import FlowExec

public struct FlowCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "A Snakemake-compatible workflow engine.",
        version: FlowVersion.string,
        subcommands: [RunCommand.self, HistoryCommand.self, StatusCommand.self, CompletionCommand.self, WorkerCommand.self, JobFilesCommand.self]
    )
    public init() {}

    /// Parses `arguments` (without the program name), expanding `--profile` and lifting executor
    /// settings out, runs the command and exits: 0 success, 1 failure, 130 interrupted, 64 usage
    /// error (argument-parser's code).
    public static func main(arguments: [String]) -> Never {
        do {
            let expansion = try ProfileExpansion.expand(ShortOptions.split(arguments))
            for warning in expansion.warnings { FileHandle.standardError.write(Data("flow: \(warning)\n".utf8)) }
            let lifted = try ExecutorFlags.lift(expansion.arguments)
            var command = try parseAsRoot(lifted.arguments)
            if var run = command as? RunCommand {
                // The profile's settings first: the command line wins.
                run.executorSettings = expansion.executorSettings + lifted.settings
                command = run
            }
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("flow: \(error.description)\n".utf8))
            Foundation.exit(1)
        } catch {
            if isArgumentParserError(error) {
                // `flow run --help` ends with the executors and their settings (from the registry).
                let message = fullMessage(for: error)
                if exitCode(for: error) == .success, message == helpMessage(for: RunCommand.self) {
                    print(message.trimmingCharacters(in: .newlines) + "\n\n" + ExecutorFlags.help(), terminator: "")
                    Foundation.exit(0)
                }
                FlowCommand.exit(withError: error)
            }
            FileHandle.standardError.write(Data((ErrorReport.describe(error) + "\n").utf8))
            Foundation.exit(1)
        }
    }

    /// argument-parser's own errors (usage, --help, --version) are printed by argument-parser.
    private static func isArgumentParserError(_ error: Error) -> Bool {
        let module = String(reflecting: type(of: error))
        return module.hasPrefix("ArgumentParser.")
    }
}

public enum FlowVersion {
    public static let string = "0.1.0"
}

/// Inserts the arguments of `--profile NAME` (or $FLOW_PROFILE / $SNAKEMAKE_PROFILE) before the
/// user's own arguments of the `run` subcommand, and hands over its executor settings.
enum ProfileExpansion {
    struct Expansion {
        var arguments: [String]
        var executorSettings: [SettingInput] = []
        var warnings: [String] = []
    }

    static func expand(_ arguments: [String]) throws -> Expansion {
        guard let runIndex = arguments.firstIndex(of: "run") else { return Expansion(arguments: arguments) }
        var name: String?
        var rest = arguments
        if let i = rest.firstIndex(of: "--profile"), i + 1 < rest.count {
            name = rest[i + 1]
            rest.removeSubrange(i...(i + 1))
        } else if let i = rest.firstIndex(where: { $0.hasPrefix("--profile=") }) {
            name = String(rest[i].dropFirst("--profile=".count))
            rest.remove(at: i)
        } else {
            let env = ProcessInfo.processInfo.environment
            name = env["FLOW_PROFILE"] ?? env["SNAKEMAKE_PROFILE"]
        }
        guard let name, !name.isEmpty else { return Expansion(arguments: arguments) }
        let profile = try Profile.load(name)
        var result = rest
        result.insert(contentsOf: profile.arguments, at: runIndex + 1)
        return Expansion(arguments: result, executorSettings: profile.executorSettings, warnings: profile.warnings)
    }
}

/// argparse (Snakemake) accepts a short option's value attached (`-c4`, `-j8`); argument-parser
/// wants it separate.
enum ShortOptions {
    static let withValue: Set<Character> = ["c", "j", "s", "d", "T", "w", "R", "U", "O", "C"]

    /// Options whose value may be a negative number, which argument-parser would take for an
    /// option (`--cores -1` would read as "missing value"): attached as `--cores=-1`, so the
    /// value's own check can say what is wrong with it.
    static let numeric: Set<String> = ["--cores", "-c", "--jobs", "-j"]

    static func split(_ arguments: [String]) -> [String] {
        let split = arguments.flatMap { arg -> [String] in
            let chars = Array(arg)
            guard chars.count > 2, chars[0] == "-", chars[1] != "-", withValue.contains(chars[1]) else { return [arg] }
            return [String(chars[0...1]), String(chars[2...])]
        }
        var result: [String] = []
        var index = 0
        while index < split.count {
            let arg = split[index]
            if numeric.contains(arg), index + 1 < split.count, split[index + 1].hasPrefix("-"), Int(split[index + 1]) != nil {
                result.append((arg.hasPrefix("--") ? arg : arg == "-c" ? "--cores" : "--jobs") + "=" + split[index + 1])
                index += 2
            } else {
                result.append(arg)
                index += 1
            }
        }
        return result
    }
}
