// FlowExec Slurm backend: runs jobs as Slurm batch jobs through the Slurm CLI.
//
// Owns: submit (job script under .flow/jobs, one `sbatch --parsable`, adopting a job of the
// same name that is already queued or running instead of submitting it twice — after a
// restart, or after an sbatch that timed out but reached slurmctld), status through
// `SlurmStatusQuery` (one squeue call per round), cancel (one scancel for all ids) and logs (the
// tail of the job's Slurm log file). Commands go through an injectable `CommandRunner`.
// It knows nothing about retries, ordering or limits beyond -j: the `Scheduler` decides those.
// External ids are Slurm job ids ("123"); federated/multi-cluster ids ("123;cluster") are
// reduced to the id, so one executor talks to one cluster.

import FlowSystem
#if canImport(Glibc)
import Glibc

public final class SlurmExecutor: Executor {
    public let name = "slurm"
    public let capabilities: ExecutorCapabilities
    public var maxInFlight: Int { options.jobs }
    public let options: Options

    private let commands: SchedulerCommands
    private let status: SlurmStatusQuery
    private let directories: SubmissionDirectories
    /// Every job this executor submitted or adopted: its id under its externalName, its logs.
    private var submitted = SubmittedJobs()
    /// This user's flow jobs that were queued or running when this executor first submitted:
    /// what an earlier flow process left behind (externalName → id).
    private var leftBehind: [String: String]?

    /// Status commands run so far (squeue, sacct, scontrol): one per round in the common case.
    public var statusCalls: Int { status.calls }
    /// `sbatch` calls so far (adopted jobs do not count).
    public private(set) var submissions = 0
    /// Jobs found already queued or running under their name and adopted instead of submitted.
    public private(set) var adoptions = 0

    public convenience init(options: Options) {
        self.init(options: options, runner: ProcessCommandRunner())
    }

    public init(options: Options, runner: CommandRunner) {
        self.options = options
        commands = SchedulerCommands(runner: runner, timeout: options.commandTimeout,
                                     missingHint: "is this a Slurm submit host?")
        capabilities = ExecutorCapabilities(sharesFileSystem: true, statusInterval: options.statusInterval)
        status = SlurmStatusQuery(commands: commands, lostAfterMissedRounds: options.lostAfterMissedRounds)
        directories = SubmissionDirectories(workdir: options.workdir)
    }

    // MARK: submit

    public func submit(_ job: JobSpec) throws -> String {
        let jobName = job.externalName
        if let id = submitted.id(named: jobName) { return id }
        if let id = try jobsLeftBehind()[jobName] {
            adoptions += 1
            submitted.remember(id, name: jobName, logs: logFiles(for: job, id: id))
            return id
        }
        let script = try JobScript.write(job, directory: directories.resolve(options.jobScriptDirectory))
        // Slurm replaces %j with the job id; the folder must exist before the job starts.
        let output = logFiles(for: job, id: "%j")
        for path in output { try LocalFiles.makeDirectories(LocalFiles.dirname(path)) }
        let directory = directories.workingDirectory(of: job)
        var args = try SlurmSubmission.arguments(for: job, scriptPath: script, stdout: output[0],
                                                 stderr: output.last!, directory: directory, options: options)
        // The job's own log paths keep earlier attempts' output (JobSpec); sbatch would truncate.
        if job.stdoutPath != nil { args.insert("--open-mode=append", at: args.count - 1) }
        submissions += 1
        let (id, adopted) = try commands.submit(args, parseID: SlurmSubmission.jobID(fromOutput:),
                                                lookUp: { try? lookUp(name: jobName) })
        if adopted { adoptions += 1 }
        submitted.remember(id, name: jobName, logs: logFiles(for: job, id: id))
        return id
    }

    /// The job's own stdout/stderr paths (relative to flow's working directory, as `JobSpec`
    /// says), or else a Slurm log per job id under `logDirectory`.
    private func logFiles(for job: JobSpec, id: String) -> [String] {
        directories.ownLogFiles(of: job) ?? [directories.resolve(options.logDirectory) + "/" + job.externalName + "-" + id + ".log"]
    }

    /// One squeue for this user's unfinished jobs, at the first submission; flow's job names
    /// ("flow-…") map to their ids.
    private func jobsLeftBehind() throws -> [String: String] {
        if let leftBehind { return leftBehind }
        let args = ["squeue", "--noheader", "--user=\(getuid())",
                    "--states=PENDING,CONFIGURING,RUNNING,COMPLETING,SUSPENDED,REQUEUED,RESIZING",
                    "--format=%i|%j"]
        let result = try commands.succeed(args)
        var found: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: "|", maxSplits: 1).map { ExecutorText.trim($0) }
            if fields.count == 2, fields[1].hasPrefix("flow-") { found[fields[1]] = fields[0] }
        }
        leftBehind = found
        return found
    }

    /// The id of this user's unfinished job named `name`, if there is one.
    private func lookUp(name: String) throws -> String? {
        let args = ["squeue", "--noheader", "--user=\(getuid())", "--name=\(name)", "--format=%i"]
        let result = try commands.run(args)
        guard result.status == 0 else { return nil }
        return result.stdout.split(separator: "\n").map { ExecutorText.trim($0) }.first { !$0.isEmpty }
    }

    // MARK: status, cancel, logs

    public func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        try status.states(of: ids)
    }

    public func cancel(_ ids: [String]) {
        if ids.isEmpty { return }
        // scancel exits 0 even for unknown ids; a real failure shows up in the next poll.
        _ = try? commands.run(["scancel"] + ids)
    }

    public func logs(_ id: String) -> String? {
        submitted.logTail(id)
    }
}
#endif
