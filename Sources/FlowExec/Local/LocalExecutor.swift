// FlowExec local backend: runs jobs as child processes of flow (`--cores N`).
//
// Owns: turning a `JobSpec` into a child (bash strict mode, a job script, or — for a plain
// command — the program itself, see `SimpleCommand`), the table of children keyed by pid,
// waiting on their pidfds, and cancel (SIGTERM to the job's process group, SIGKILL to whatever
// is left once the job is gone or the grace period ran out), and a `JobWatchdog` that ends the
// jobs if flow itself is killed. It implements the same `Executor`
// contract as remote backends; its external ids are pids. Limits (cores, resources) are the
// scheduler's business, not this file's. Not thread-safe: one scheduler thread drives it.

import FlowSystem
#if canImport(Glibc)
import Glibc

public final class LocalExecutor: Executor {
    public struct Options: Sendable {
        /// -j: at most this many children at once (the scheduler also enforces --cores).
        public var maxInFlight: Int
        /// Seconds between SIGTERM and SIGKILL when cancelling.
        public var cancelGracePeriod: Double
        /// Exec plain commands without bash (GNU make's shortcut); same results, less start-up.
        public var directExec: Bool
        /// The environment jobs start from; nil means this process's.
        public var baseEnvironment: [String: String]?
        /// Whether a watchdog process ends the jobs' process groups when flow dies (`JobWatchdog`).
        public var watchdog = true

        public init(maxInFlight: Int = .max, cancelGracePeriod: Double = 3, directExec: Bool = true,
                    baseEnvironment: [String: String]? = nil) {
            self.maxInFlight = maxInFlight
            self.cancelGracePeriod = cancelGracePeriod
            self.directExec = directExec
            self.baseEnvironment = baseEnvironment
        }
    }

    public let name = "local"
    public let capabilities = ExecutorCapabilities(sharesFileSystem: true, statusInterval: 0)
    public var maxInFlight: Int { options.maxInFlight }

    private let options: Options
    private let spawner = ProcessSpawner()
    private let resolver = ExecutableResolver()
    private let bashPath: String
    private let baseEnvironment: [String: String]
    private let searchPath: String
    /// Environment blocks for jobs without environment additions, one per working directory
    /// (PWD differs), built once.
    private var sharedBlocks: [String: EnvironmentBlock] = [:]
    private var knownDirectories: Set<String> = []
    private var children: [String: ChildProcess] = [:]
    /// Log locations of failed jobs, for `logs` after they were reported.
    private var failedOutputs: [String: ChildOutput] = [:]
    private var pollDescriptors: [pollfd] = []
    private var pollOwners: [String] = []
    /// Started with the first job (nil until then, or if it could not be started).
    private var watchdog: JobWatchdog?
    private var watchdogTried = false

    public init(options: Options = Options()) throws {
        self.options = options
        baseEnvironment = options.baseEnvironment ?? EnvironmentBlock.current()
        searchPath = baseEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let bash = resolver.resolve("bash", searchPath: searchPath) ?? resolver.resolve("bash", searchPath: "/bin:/usr/bin") else {
            throw SystemCallError("find bash on PATH", path: searchPath, code: ENOENT)
        }
        bashPath = bash
    }

    deinit {
        for child in children.values where child.waitStatus == nil && child.exitDescriptor >= 0 {
            close(child.exitDescriptor)
        }
    }

    // MARK: submit

    public func submit(_ job: JobSpec) throws -> String {
        let output = ChildOutput(stdoutPath: job.stdoutPath, stderrPath: job.stderrPath)
        for path in [job.stdoutPath, job.stderrPath] {
            if let path { try ensureParentDirectory(of: path) }
        }
        let environment = environmentBlock(for: job)
        let directory = ProcessSpawner.canChangeDirectory ? job.workingDirectory : nil
        func spawn(_ program: String, _ argv: [String]) throws -> pid_t {
            try spawner.spawn(executable: program, arguments: argv, environment: environment,
                              workingDirectory: directory, output: output)
        }
        let direct = directCommand(job)
        let pid: pid_t
        do {
            pid = try spawn(direct?.program ?? bashPath, direct?.argv ?? shellArguments(job))
        } catch let error as SystemCallError where direct != nil && (error.code == ENOENT || error.code == EACCES) {
            // The program went away since it was looked up: let bash fail (127/126) as it would have.
            resolver.forget(direct!.argv[0], searchPath: job.environment["PATH"] ?? searchPath)
            pid = try spawn(bashPath, shellArguments(job))
        }
        let id = String(pid)
        children[id] = ChildProcess(pid: pid, output: output)
        startedWatchdog()?.jobStarted(pid)
        return id
    }

    private func startedWatchdog() -> JobWatchdog? {
        if !watchdogTried && options.watchdog {
            watchdogTried = true
            // Only PATH (for `sleep`): the watchdog is not a job, so it does not carry the jobs' environment.
            // The system's PATH, not the user's: with pyenv's shims on it the watchdog was seen waiting a
            // minute on a child `pyenv-rehash` (stuck on its lock), missing flow's death (engine-kill.sh).
            watchdog = JobWatchdog(spawner: spawner, bash: bashPath, environment: EnvironmentBlock(["PATH=/usr/bin:/bin"]),
                                   grace: options.cancelGracePeriod)
        }
        return watchdog
    }

    /// The program and argv for a command that needs no shell, if this is one.
    private func directCommand(_ job: JobSpec) -> (program: String, argv: [String])? {
        guard options.directExec, ProcessSpawner.canChangeDirectory, case .shell(let text) = job.command,
              let words = SimpleCommand.words(text),
              let program = resolver.resolve(words[0], searchPath: job.environment["PATH"] ?? searchPath)
        else { return nil }
        return (program, words)
    }

    private func shellArguments(_ job: JobSpec) -> [String] {
        // Without posix_spawn chdir support the shell changes directory itself.
        let cd = ProcessSpawner.canChangeDirectory ? "" : "cd \(ShellQuote.quote(job.workingDirectory)) && "
        switch job.command {
        case .shell(let text):
            return ["bash", "-euo", "pipefail", "-c", cd + text]
        case .script(let path):
            if cd.isEmpty { return ["bash", path] }
            return ["bash", "-c", cd + "exec bash \(ShellQuote.quote(path))"]
        }
    }

    private func environmentBlock(for job: JobSpec) -> EnvironmentBlock {
        // A directly exec'd program has no shell to set PWD for it.
        let pwd = ["PWD": job.workingDirectory]
        if job.environment.isEmpty {
            if let block = sharedBlocks[job.workingDirectory] { return block }
            let block = EnvironmentBlock.merging(baseEnvironment, pwd)
            sharedBlocks[job.workingDirectory] = block
            return block
        }
        return EnvironmentBlock.merging(baseEnvironment, pwd.merging(job.environment) { _, new in new })
    }

    private func ensureParentDirectory(of path: String) throws {
        let parent = LocalFiles.dirname(path)
        if parent.isEmpty || knownDirectories.contains(parent) { return }
        try LocalFiles.makeDirectories(parent)
        knownDirectories.insert(parent)
    }

    // MARK: status

    public func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        reapExited(ids)
        var states = [String: ExternalJobState](minimumCapacity: ids.count)
        for id in ids {
            guard let child = children[id] else {
                states[id] = .lost
                continue
            }
            let state = child.state
            if state.isTerminal {
                children[id] = nil
                watchdog?.jobReaped(child.pid)
                if state != .succeeded && (child.output.stdoutPath != nil || child.output.stderrPath != nil) {
                    failedOutputs[id] = child.output
                }
            }
            states[id] = state
        }
        return states
    }

    /// Reaps the children among `ids` that have exited. One poll(2) over their pidfds finds them,
    /// so a round costs one system call plus one waitpid per exit, not one waitpid per child.
    private func reapExited(_ ids: [String]) {
        pollDescriptors.removeAll(keepingCapacity: true)
        pollOwners.removeAll(keepingCapacity: true)
        for id in ids {
            guard let child = children[id], child.waitStatus == nil else { continue }
            if child.exitDescriptor < 0 {
                _ = children[id]!.reap()
            } else {
                pollDescriptors.append(pollfd(fd: child.exitDescriptor, events: Int16(POLLIN), revents: 0))
                pollOwners.append(id)
            }
        }
        if pollDescriptors.isEmpty { return }
        _ = Glibc.poll(&pollDescriptors, nfds_t(pollDescriptors.count), 0)
        for (position, descriptor) in pollDescriptors.enumerated() where descriptor.revents != 0 {
            _ = children[pollOwners[position]]!.reap()
        }
    }

    public func waitForProgress(timeout: Double, interruption: Interruption?) {
        pollDescriptors.removeAll(keepingCapacity: true)
        var everyChildPollable = true
        for child in children.values {
            if child.waitStatus != nil { return }  // an exit not yet reported
            if child.exitDescriptor < 0 {
                everyChildPollable = false
            } else {
                pollDescriptors.append(pollfd(fd: child.exitDescriptor, events: Int16(POLLIN), revents: 0))
            }
        }
        if children.isEmpty { return }
        if let interruption {
            pollDescriptors.append(pollfd(fd: interruption.fileDescriptor, events: Int16(POLLIN), revents: 0))
        }
        // Without pidfds there is nothing to block on: poll waitpid every few milliseconds.
        let limit = everyChildPollable ? timeout : min(timeout, 0.005)
        _ = Glibc.poll(&pollDescriptors, nfds_t(pollDescriptors.count), Interruption.milliseconds(limit))
    }

    // MARK: cancel and logs

    public func cancel(_ ids: [String]) {
        var targets: [String] = []
        for id in ids where children[id] != nil && children[id]!.waitStatus == nil {
            children[id]!.cancelled = true
            children[id]!.signalGroup(SIGTERM)
            targets.append(id)
        }
        let deadline = MonotonicClock.now() + options.cancelGracePeriod
        var killedGroups: [pid_t] = []
        while !targets.isEmpty {
            targets.removeAll { id in
                guard children[id]!.reap() else { return false }
                // The job is gone; descendants that outlived it (or ignore SIGTERM) go too.
                children[id]!.signalGroup(SIGKILL)
                killedGroups.append(children[id]!.pid)
                return true
            }
            if targets.isEmpty { break }
            if MonotonicClock.now() >= deadline {
                for id in targets {
                    children[id]!.signalGroup(SIGKILL)
                    _ = children[id]!.reap(block: true)
                    killedGroups.append(children[id]!.pid)
                }
                break
            }
            Interruption.sleep(seconds: 0.005)
        }
        // SIGKILL is delivered asynchronously: return once nothing of the jobs runs any more.
        let settled = MonotonicClock.now() + 1
        while killedGroups.contains(where: ChildProcess.groupHasLiveMembers) && MonotonicClock.now() < settled {
            Interruption.sleep(seconds: 0.002)
        }
    }

    public func logs(_ id: String) -> String? {
        guard let output = children[id]?.output ?? failedOutputs[id] else { return nil }
        let paths = [output.stdoutPath, output.stderrPath == output.stdoutPath ? nil : output.stderrPath]
        let texts = paths.compactMap { $0 }.compactMap { LocalExecutor.readTail(of: $0, limit: 64 * 1024) }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    /// The last `limit` bytes of a file.
    static func readTail(of path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        if size < 0 { return nil }
        let start = max(0, Int(size) - limit)
        var buffer = [UInt8](repeating: 0, count: Int(size) - start)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        if count < 0 { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
#endif
