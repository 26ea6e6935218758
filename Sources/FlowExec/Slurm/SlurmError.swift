// FlowExec Slurm backend: what can go wrong talking to Slurm, in words a user can act on.
//
// Owns: `SlurmError`. Every case that involves a command names the command line, and failed
// commands carry Slurm's own stderr (e.g. "sbatch: error: Invalid partition name specified").

import FlowSystem

public enum SlurmError: Error, Equatable, CustomStringConvertible {
    /// A Slurm command exited non-zero.
    case commandFailed(command: String, status: Int32, stderr: String)
    case timedOut(command: String, seconds: Double)
    case commandNotFound(String, searchPath: String)
    /// The command succeeded but printed something we cannot read (e.g. no job id from sbatch).
    case unexpectedOutput(command: String, output: String)
    /// A job resource Slurm cannot take (e.g. runtime="soon").
    case invalidResource(name: String, value: String)

    public var description: String {
        switch self {
        case .commandFailed(let command, let status, let stderr):
            let detail = ExecutorText.trim(stderr)
            return "`\(command)` failed with exit status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .timedOut(let command, let seconds):
            return "`\(command)` did not finish within \(seconds) s"
        case .commandNotFound(let name, let searchPath):
            return "\(name) not found on PATH (\(searchPath)); is this a Slurm submit host?"
        case .unexpectedOutput(let command, let output):
            return "`\(command)` printed something unexpected: \(ExecutorText.trim(output).prefix(200))"
        case .invalidResource(let name, let value):
            return "resource \(name)=\(value) is not valid for Slurm"
        }
    }

    /// A command line for messages (arguments quoted as a shell would need them).
    static func commandLine(_ arguments: [String]) -> String { CommandError.commandLine(arguments) }

    /// Runs one Slurm command, its runner's errors in Slurm's words.
    static func run(_ runner: CommandRunner, _ arguments: [String], timeout: Double) throws -> CommandResult {
        do {
            return try runner.run(arguments, timeout: timeout)
        } catch CommandError.notFound(let name, let searchPath) {
            throw SlurmError.commandNotFound(name, searchPath: searchPath)
        } catch CommandError.timedOut(let command, let seconds) {
            throw SlurmError.timedOut(command: command, seconds: seconds)
        }
    }
}
