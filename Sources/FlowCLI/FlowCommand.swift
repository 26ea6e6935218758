// FlowCLI: command-line flags (Snakemake's names), profiles, and what the user sees.
//
// Owns: argument parsing, profile expansion, turning flags into EngineOptions, printing engine
// events and errors, exit statuses. All work happens in FlowEngine.

import ArgumentParser
import Foundation
import FlowEngine

public struct FlowCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "A Snakemake-compatible workflow engine.",
        version: FlowVersion.string,
        subcommands: [RunCommand.self]
    )
    public init() {}

    /// Parses `arguments` (without the program name), expanding `--profile`, runs the command and
    /// exits: 0 success, 1 failure, 130 interrupted, 64 usage error (argument-parser's code).
    public static func main(arguments: [String]) -> Never {
        do {
            let expanded = try ProfileExpansion.expand(ShortOptions.split(arguments))
            var command = try parseAsRoot(expanded)
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("flow: \(error.description)\n".utf8))
            Foundation.exit(1)
        } catch {
            if isArgumentParserError(error) { FlowCommand.exit(withError: error) }
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
/// user's own arguments of the `run` subcommand.
enum ProfileExpansion {
    static func expand(_ arguments: [String]) throws -> [String] {
        guard let runIndex = arguments.firstIndex(of: "run") else { return arguments }
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
        guard let name, !name.isEmpty else { return arguments }
        let profile = try Profile.load(name)
        var result = rest
        result.insert(contentsOf: profile.arguments, at: runIndex + 1)
        return result
    }
}

/// argparse (Snakemake) accepts a short option's value attached (`-c4`, `-j8`); argument-parser
/// wants it separate.
enum ShortOptions {
    static let withValue: Set<Character> = ["c", "j", "s", "d", "T", "w", "R", "U", "O", "C"]

    static func split(_ arguments: [String]) -> [String] {
        arguments.flatMap { arg -> [String] in
            let chars = Array(arg)
            guard chars.count > 2, chars[0] == "-", chars[1] != "-", withValue.contains(chars[1]) else { return [arg] }
            return [String(chars[0...1]), String(chars[2...])]
        }
    }
}
