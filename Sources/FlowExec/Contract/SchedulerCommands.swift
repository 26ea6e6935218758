// FlowExec contract: a batch system's command-line tools as the back ends that drive one run them
// (Slurm's sbatch, squeue, sacct, scancel; Flux's flux submit, flux jobs, flux cancel).
//
// Owns: `SchedulerCommandError`, what went wrong running such a tool, in words a user can act on
// (each case names the command line; a failed command carries the tool's own stderr, e.g.
// "sbatch: error: Invalid partition name specified"), and `SchedulerCommands`: a `CommandRunner`
// with the back end's timeout and its hint for a missing tool, plus the one submission step every
// such back end shares (a submission whose answer was lost may still have reached the scheduler).
// What an answer means (job ids, states, which non-zero exits are answers) stays in the back ends.

public enum SchedulerCommandError: Error, Equatable, CustomStringConvertible {
    /// The command exited non-zero.
    case failed(command: String, status: Int32, stderr: String)
    case timedOut(command: String, seconds: Double)
    /// `hint` says what the back end needs ("is this a Slurm submit host?").
    case notFound(String, searchPath: String, hint: String)
    /// The command succeeded but printed something we cannot read (no job id, no JSON).
    case unexpectedOutput(command: String, output: String)

    public var description: String {
        switch self {
        case .failed(let command, let status, let stderr):
            let detail = ExecutorText.trim(stderr)
            return "`\(command)` failed with exit status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .timedOut(let command, let seconds):
            return "`\(command)` did not finish within \(seconds) s"
        case .notFound(let name, let searchPath, let hint):
            return "\(name) not found on PATH (\(searchPath)); \(hint)"
        case .unexpectedOutput(let command, let output):
            return "`\(command)` printed something unexpected: \(ExecutorText.trim(output).prefix(200))"
        }
    }
}

public struct SchedulerCommands {
    public let runner: CommandRunner
    /// Seconds a command may take unless a call says otherwise.
    public let timeout: Double
    /// Said after "… not found on PATH (…);".
    public let missingHint: String

    public init(runner: CommandRunner, timeout: Double, missingHint: String) {
        self.runner = runner
        self.timeout = timeout
        self.missingHint = missingHint
    }

    /// Runs `arguments`; whatever exit status it had is the caller's to read.
    public func run(_ arguments: [String], timeout: Double? = nil) throws -> CommandResult {
        let seconds = timeout ?? self.timeout
        do {
            return try runner.run(arguments, timeout: seconds)
        } catch CommandError.notFound(let name, let searchPath) {
            throw SchedulerCommandError.notFound(name, searchPath: searchPath, hint: missingHint)
        } catch CommandError.timedOut(let command, let seconds) {
            throw SchedulerCommandError.timedOut(command: command, seconds: seconds)
        }
    }

    /// Runs `arguments` and requires exit status 0.
    public func succeed(_ arguments: [String]) throws -> CommandResult {
        let result = try run(arguments)
        guard result.status == 0 else { throw failure(arguments, result) }
        return result
    }

    public func failure(_ arguments: [String], _ result: CommandResult) -> SchedulerCommandError {
        .failed(command: CommandError.commandLine(arguments), status: result.status, stderr: result.stderr)
    }

    public func unexpected(_ arguments: [String], _ output: String) -> SchedulerCommandError {
        .unexpectedOutput(command: CommandError.commandLine(arguments), output: output)
    }

    /// Runs a submission and reads the new job's id from its standard output with `parseID`. A
    /// submission that timed out may have been queued before its answer was lost: `lookUp` (the job
    /// found under its name) is asked before failing, and such a job is `adopted`.
    public func submit(_ arguments: [String], parseID: (String) -> String?,
                       lookUp: () -> String?) throws -> (id: String, adopted: Bool) {
        let result: CommandResult
        do {
            result = try run(arguments)
        } catch let error as SchedulerCommandError {
            if case .timedOut = error, let id = lookUp() { return (id, true) }
            throw error
        }
        guard result.status == 0 else { throw failure(arguments, result) }
        guard let id = parseID(result.stdout) else { throw unexpected(arguments, result.stdout) }
        return (id, false)
    }
}
