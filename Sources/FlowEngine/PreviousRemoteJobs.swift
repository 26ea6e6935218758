// What an interrupted run (flow killed, a lost session) left on the remote back end, settled
// before planning and under the working directory's lock, with ONE status call for all of them:
//   - still queued or running: adopted (names reuse the interrupted run's id, so each job is
//     found under its stable key); their outputs are not "incomplete" but in progress;
//   - finished successfully while flow was away: their outputs count as made (the incomplete
//     markers go; a group's job made its members' outputs), so nothing runs twice;
//   - failed, cancelled or unknown to the back end: forgotten; their outputs stay incomplete and
//     are handled as any interrupted job's (--rerun-incomplete);
//   - with --cancel-previous: all cancelled and forgotten.

import FlowDAG
import FlowExec
import FlowState
import FlowStorage

struct PreviousRemoteJobs {
    /// The run id whose job names to reuse, when jobs are adopted.
    var runID: String?
    /// Job key → attempt of the jobs to adopt.
    var adoptable: [String: Int] = [:]
}

extension Engine {
    func settlePreviousRemoteJobs(_ remote: Executor, store: StateStore, dag: DAG) throws -> PreviousRemoteJobs {
        let active = try store.externalJobs(executor: remote.name, activeOnly: true)
        guard !active.isEmpty else { return PreviousRemoteJobs() }
        if options.cancelPrevious {
            remote.cancel(active.map(\.externalID))
            for job in active { try store.deleteExternalJob(executor: job.executor, externalID: job.externalID) }
            reporter.info("Cancelled \(active.count) jobs of a previous run.")
            return PreviousRemoteJobs()
        }
        var states: [String: ExternalJobState] = [:]
        do { states = try remote.poll(active.map(\.externalID)) } catch {
            // Unknown states: every job is adopted, and its state comes with the first round.
            reporter.warning("warning: cannot ask the \(remote.name) executor about the previous run's jobs (\(error)); adopting them all")
        }
        var settled = PreviousRemoteJobs()
        var outputsOfKey: [String: [String]]?
        var finished = 0
        for job in active {
            switch states[job.externalID] {
            case nil, .queued?, .running?:
                settled.adoptable[job.jobKey] = max(settled.adoptable[job.jobKey] ?? 0, job.attempt)
                if settled.runID == nil || job.runID > settled.runID! { settled.runID = job.runID }
                continue
            case .succeeded?:
                if outputsOfKey == nil {
                    outputsOfKey = Dictionary(dag.jobs.indices.map { (dag.jobKey($0), dag.outputPaths(of: $0)) }, uniquingKeysWith: { a, _ in a })
                }
                // A group's job made its members' outputs.
                let keys = JobGroup.memberKeys(ofKey: job.jobKey) ?? [job.jobKey]
                let made = keys.flatMap { outputsOfKey?[$0] ?? [] }.filter { (try? storage.exists($0)) == true }
                try store.clearIncomplete(paths: made)
                finished += 1
            case .failed?, .infrastructureFailed?, .lost?:
                break
            }
            try store.deleteExternalJob(executor: job.executor, externalID: job.externalID)
        }
        if finished > 0 { reporter.info("\(finished) jobs of a previous run finished while flow was not running.") }
        if !settled.adoptable.isEmpty {
            reporter.info("Adopting \(settled.adoptable.count) jobs still known from run \(settled.runID ?? "?").")
        }
        return settled
    }
}
