// FlowExec Flux backend: runs jobs as Flux jobs through the flux CLI (executors.md §5.2).
//
// Owns: the instance check (`flux version` must name a broker), submit (job script under
// .flow/jobs, one `flux submit`, adopting a still-active job of the same name instead of
// submitting it twice — found with one `flux jobs` at the first submission, as after a
// restart), status (ONE `flux jobs -a --json <ids…>` per round for every job in flight), cancel
// (one `flux cancel <ids…>`) and logs (the job's --output/--error files, else
// `flux job attach`). Commands go through the contract's `SchedulerCommands` over an injectable
// `CommandRunner`, as Slurm's do. It knows nothing about retries,
// ordering or limits beyond -j: the `Scheduler` decides those. External ids are what
// `flux submit` printed (F58 by default); answers are matched by their 64-bit number.

import FlowSystem
#if canImport(Glibc)
import Glibc

public final class FluxExecutor: Executor {
    public let name = "flux"
    public let capabilities: ExecutorCapabilities
    public var maxInFlight: Int { options.jobs }
    public let options: Options

    /// Above this many ids a round asks for all of this user's jobs instead (argument limits).
    static let maxIDsOnCommandLine = 1000

    private let commands: SchedulerCommands
    private let directories: SubmissionDirectories
    /// Every job this executor submitted or adopted: its id under its externalName, its logs.
    private var submitted = SubmittedJobs()
    /// This user's active flow jobs when this executor first submitted (externalName → id).
    private var leftBehind: [String: String]?
    private var missedRounds: [String: Int] = [:]

    /// `flux jobs` calls made for status rounds.
    public private(set) var statusCalls = 0
    /// `flux submit` calls so far (adopted jobs do not count).
    public private(set) var submissions = 0
    /// Jobs found still active under their name and adopted instead of submitted.
    public private(set) var adoptions = 0

    public convenience init(options: Options) {
        self.init(options: options, runner: ProcessCommandRunner())
    }

    public init(options: Options, runner: CommandRunner) {
        self.options = options
        commands = SchedulerCommands(runner: runner, timeout: options.commandTimeout,
                                     missingHint: "--executor flux needs the flux command of flux-core")
        capabilities = ExecutorCapabilities(sharesFileSystem: true, statusInterval: options.statusInterval)
        directories = SubmissionDirectories(workdir: options.workdir)
    }

    /// `flux version` prints the versions of the commands and libflux, and a `broker:` line only
    /// when it reached an instance (FLUX_URI, or the local broker).
    public func checkInstance() throws {
        let result = try commands.run(["flux", "version"])
        let lines = result.stdout.split(separator: "\n")
        if result.status == 0 && lines.contains(where: { $0.hasPrefix("broker:") }) { return }
        let uri = getenv("FLUX_URI").map { String(cString: $0) }
        throw FluxError.noInstance(uri: uri, detail: ExecutorText.trim(result.stderr.isEmpty ? result.stdout : result.stderr))
    }

    // MARK: submit

    public func submit(_ job: JobSpec) throws -> String {
        let jobName = job.externalName
        if let id = submitted.id(named: jobName) { return id }
        if let id = try jobsLeftBehind()[jobName] {
            adoptions += 1
            submitted.remember(id, name: jobName, logs: logFiles(for: job))
            return id
        }
        let script = try JobScript.write(job, directory: directories.resolve(options.jobScriptDirectory))
        let output = logFiles(for: job)
        for path in output { try LocalFiles.makeDirectories(LocalFiles.dirname(path)) }
        let directory = directories.workingDirectory(of: job)
        let args = try FluxSubmission.arguments(for: job, scriptPath: script, stdout: output[0], stderr: output.last!,
                                                directory: directory, options: options)
        submissions += 1
        let (id, adopted) = try commands.submit(args, parseID: FluxSubmission.jobID(fromOutput:),
                                                lookUp: { (try? activeJobs(named: jobName))?[jobName] })
        if adopted { adoptions += 1 }
        submitted.remember(id, name: jobName, logs: output)
        return id
    }

    /// The job's own stdout/stderr paths (relative to flow's working directory, as `JobSpec`
    /// says), else `<logdir>/<externalName>.out` and `.err` (one attempt each).
    private func logFiles(for job: JobSpec) -> [String] {
        let base = directories.resolve(options.logDirectory) + "/" + job.externalName
        return directories.ownLogFiles(of: job) ?? [base + ".out", base + ".err"]
    }

    /// One `flux jobs` for this user's active jobs, at the first submission; flow's job names
    /// ("flow-…") map to their ids.
    private func jobsLeftBehind() throws -> [String: String] {
        if let leftBehind { return leftBehind }
        let found = try activeJobs(named: nil)
        leftBehind = found
        return found
    }

    private func activeJobs(named name: String?) throws -> [String: String] {
        var args = ["flux", "jobs", "--json", "--filter=pending,running", "--count=0"]
        if let name { args.append("--name=\(name)") }
        let result = try commands.succeed(args)
        guard let records = FluxJobState.records(fromJSON: result.stdout) else {
            throw commands.unexpected(args, result.stdout)
        }
        var found: [String: String] = [:]
        for record in records {
            if let jobName = record.name, jobName.hasPrefix("flow-") { found[jobName] = FluxJobID.f58(record.id) }
        }
        return found
    }

    // MARK: status, cancel, logs

    public func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        if ids.isEmpty { return [:] }
        var records = try query(ids)
        var states: [String: ExternalJobState] = [:]
        var unknown: [String] = []
        for id in ids {
            guard let number = FluxJobID.number(id), let record = records.removeValue(forKey: number) else {
                unknown.append(id)
                continue
            }
            missedRounds[id] = nil
            if let state = FluxJobState.map(record) { states[id] = state }
        }
        // One miss can be a race (an id asked for before the instance lists it): lost only
        // after consecutive rounds.
        for id in unknown {
            let misses = (missedRounds[id] ?? 0) + 1
            if misses >= options.lostAfterMissedRounds {
                missedRounds[id] = nil
                states[id] = .lost
            } else {
                missedRounds[id] = misses
            }
        }
        return states
    }

    /// The records of one status round, by job number. `flux jobs` exits 1 when an id is
    /// unknown (printing the jobs it knows, and naming the unknown on stderr); a failure that is
    /// not about unknown ids throws (transient: the scheduler keeps the jobs and backs off).
    private func query(_ ids: [String]) throws -> [UInt64: FluxJobRecord] {
        let wanted = Set(ids.compactMap { FluxJobID.number($0) })
        var args = ["flux", "jobs", "-a", "--json"]
        if ids.count > FluxExecutor.maxIDsOnCommandLine { args.append("--count=0") } else { args += ids }
        statusCalls += 1
        let result = try commands.run(args)
        let text = ExecutorText.trim(result.stdout)
        var records: [FluxJobRecord] = []
        if !text.isEmpty {
            guard let parsed = FluxJobState.records(fromJSON: text) else {
                throw commands.unexpected(args, result.stdout)
            }
            records = parsed
        }
        if result.status != 0 && !(result.stderr.lowercased().contains("unknown")) {
            throw commands.failure(args, result)
        }
        var byNumber: [UInt64: FluxJobRecord] = [:]
        for record in records where wanted.contains(record.id) { byNumber[record.id] = record }
        return byNumber
    }

    public func cancel(_ ids: [String]) {
        if ids.isEmpty { return }
        // `flux cancel` fails for jobs already inactive; the next poll shows what happened.
        _ = try? commands.run(["flux", "cancel"] + ids)
    }

    public func logs(_ id: String) -> String? {
        if let text = submitted.logTail(id) { return text }
        // No files (not written, or not visible here): Flux may have the output in its KVS.
        guard let result = try? commands.run(["flux", "job", "attach", id], timeout: min(10, options.commandTimeout)) else { return nil }
        let text = result.stdout + result.stderr
        return text.isEmpty ? nil : String(text.suffix(64 * 1024))
    }
}
#endif
