// FlowExec contract: running one command of a scheduler's CLI (Slurm's sbatch, squeue, sacct,
// scontrol, scancel; Flux's flux submit, flux jobs, flux cancel) and capturing what it printed.
//
// Owns: the `CommandRunner` protocol (so tests can check exact command lines and feed canned
// outputs), `CommandError` (not found, timed out: each back end words them for its users) and
// `ProcessCommandRunner`, the real one: posix_spawn through the local
// backend's `ProcessSpawner` with stdout and stderr on pipes, both drained with poll(2) so a
// large `squeue` answer cannot fill one pipe while we wait on the other, and a deadline after
// which the command's process group is killed (a hung slurmctld must not hang the run).
// It does not interpret outputs or exit statuses; the back ends do.

import FlowSystem

/// What a finished command printed and how it ended (exit status, or 128+signal).
public struct CommandResult: Equatable, Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String = "") {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Why a command gave no result.
public enum CommandError: Error, Equatable, CustomStringConvertible {
    case notFound(String, searchPath: String)
    case timedOut(command: String, seconds: Double)

    public var description: String {
        switch self {
        case .notFound(let name, let searchPath): return "\(name) not found on PATH (\(searchPath))"
        case .timedOut(let command, let seconds): return "`\(command)` did not finish within \(seconds) s"
        }
    }

    /// A command line for messages (arguments quoted as a shell would need them).
    public static func commandLine(_ arguments: [String]) -> String {
        arguments.map(ShellQuote.quote).joined(separator: " ")
    }
}

public protocol CommandRunner: AnyObject {
    /// Runs `arguments` (argv; the program is looked up on PATH) and returns its result; throws
    /// only when the command could not be started or did not finish within `timeout` seconds.
    func run(_ arguments: [String], timeout: Double) throws -> CommandResult
}

#if canImport(Glibc)
import Glibc

public final class ProcessCommandRunner: CommandRunner {
    private let spawner = ProcessSpawner()
    private let resolver = ExecutableResolver()
    private let environment: EnvironmentBlock
    private let searchPath: String

    public init() {
        let current = EnvironmentBlock.current()
        environment = EnvironmentBlock.merging(current, [:])
        searchPath = current["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    }

    public func run(_ arguments: [String], timeout: Double) throws -> CommandResult {
        guard let name = arguments.first, let program = resolver.resolve(name, searchPath: searchPath) else {
            throw CommandError.notFound(arguments.first ?? "", searchPath: searchPath)
        }
        let out = try makePipe()
        let err: [Int32]
        do { err = try makePipe() } catch { close(out[0]); close(out[1]); throw error }
        let pid: pid_t
        do {
            pid = try spawner.spawn(executable: program, arguments: arguments, environment: environment,
                                    workingDirectory: nil,
                                    output: ChildOutput(stdoutDescriptor: out[1], stderrDescriptor: err[1]))
        } catch {
            for fd in out + err { close(fd) }
            throw error
        }
        close(out[1])
        close(err[1])
        let deadline = MonotonicClock.now() + timeout
        let (stdout, stderr, finished) = drain(out[0], err[0], until: deadline)
        close(out[0])
        close(err[0])
        // Closing its output is not exiting: wait for the exit up to the same deadline.
        var timedOut = !finished
        var status: Int32 = 0
        while true {
            if timedOut { kill(-pid, SIGKILL) }
            let result = waitpid(pid, &status, timedOut ? 0 : WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { break }
            if result == 0 {
                if MonotonicClock.now() >= deadline { timedOut = true } else { Interruption.sleep(seconds: 0.001) }
            }
        }
        if timedOut { throw CommandError.timedOut(command: CommandError.commandLine(arguments), seconds: timeout) }
        return CommandResult(status: ExecutorText.shellStatus(waitStatus: status), stdout: String(decoding: stdout, as: UTF8.self),
                                  stderr: String(decoding: stderr, as: UTF8.self))
    }

    private func makePipe() throws -> [Int32] {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { throw SystemCallError("pipe") }
        // Other threads may spawn too (the local executor): our pipe ends must not leak into them.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fds
    }

    /// Reads both descriptors until EOF on both or the deadline; `finished` is false on timeout.
    private func drain(_ outFD: Int32, _ errFD: Int32, until deadline: Double) -> ([UInt8], [UInt8], finished: Bool) {
        var buffers: [[UInt8]] = [[], []]
        var open = [true, true]
        var chunk = [UInt8](repeating: 0, count: 65536)
        while open[0] || open[1] {
            let remaining = deadline - MonotonicClock.now()
            if remaining <= 0 { return (buffers[0], buffers[1], false) }
            var fds = [pollfd(fd: open[0] ? outFD : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: open[1] ? errFD : -1, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, Interruption.milliseconds(remaining))
            if ready < 0 && errno != EINTR { return (buffers[0], buffers[1], false) }
            for index in 0..<2 where open[index] && fds[index].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffers[index].append(contentsOf: chunk[..<count])
                } else if count == 0 || errno != EINTR {
                    open[index] = false
                }
            }
        }
        return (buffers[0], buffers[1], true)
    }
}
#endif
