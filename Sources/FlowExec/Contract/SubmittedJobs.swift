// FlowExec contract: what a back end that hands jobs to a batch scheduler's CLI (Slurm, Flux)
// remembers of them, and where their paths resolve.
//
// Owns: the scheduler's id under each job's name (a job submitted twice, or found still queued
// after a restart, is adopted instead of submitted again), each job's log files and their tails,
// and the two directories a submission works from: flow's own (where a JobSpec's relative log
// paths start) and the run's base (`--directory`), against which script, log and working folders
// resolve. The scheduler's commands, names and log layouts stay in each back end.

#if canImport(Glibc)
import Glibc

struct SubmittedJobs {
    private var idsByName: [String: String] = [:]
    private var logPaths: [String: [String]] = [:]

    /// The id of the job submitted or adopted under this name, if any.
    func id(named name: String) -> String? { idsByName[name] }

    mutating func remember(_ id: String, name: String, logs: [String]) {
        idsByName[name] = id
        logPaths[id] = logs
    }

    /// The last 64 KiB of each of the job's log files that has something in it, joined; nil when
    /// none has (not written yet, or not visible from here).
    func logTail(_ id: String) -> String? {
        let texts = (logPaths[id] ?? []).compactMap { LocalExecutor.readTail(of: $0, limit: 64 * 1024) }.filter { !$0.isEmpty }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }
}

struct SubmissionDirectories {
    /// flow's working directory when the executor was made.
    let process: String
    /// The run's base directory (`workdir`, absolute).
    let base: String

    init(workdir: String?) {
        var cwd = "."
        if let pointer = getcwd(nil, 0) {
            cwd = String(cString: pointer)
            free(pointer)
        }
        process = cwd
        let workdir = workdir ?? cwd
        base = workdir.hasPrefix("/") ? workdir : cwd + "/" + workdir
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : base + "/" + path
    }

    /// The job's folder to run in: its own, else the base.
    func workingDirectory(of job: JobSpec) -> String {
        job.workingDirectory.isEmpty ? base : resolve(job.workingDirectory)
    }

    /// The job's own stdout and stderr paths (one when they are the same file), relative ones
    /// from flow's directory as `JobSpec` says; nil when the job names none (the back end then
    /// picks its own log files).
    func ownLogFiles(of job: JobSpec) -> [String]? {
        guard let stdout = job.stdoutPath else { return nil }
        let stderr = job.stderrPath ?? stdout
        let paths = [stdout, stderr].map { $0.hasPrefix("/") ? $0 : process + "/" + $0 }
        return paths[0] == paths[1] ? [paths[0]] : paths
    }
}
#endif
