// Job groups in a run: the scheduler sees each group of this round as ONE job (`schedulerJobs`),
// the runner prepares it as one `JobSpec` made of its members' specs (`JobGroup.spec`), and when
// it ends, settles every member on its own, from the exit status the group's script recorded for
// it: a member that succeeded is recorded as made even when a later member failed, a member that
// never ran shares the group's failure.

import Foundation
import FlowDAG
import FlowExec
import FlowSystem

/// A group between its dispatch and its end.
struct GroupRun {
    var members: [JobID]
    /// The key its remote job is recorded under (adoption after a restart finds it by this).
    var key: String
    /// The member-status file, in the group's view of the files.
    var statusFile: JobFile
    var files: JobFiles
    /// pipe() and service() outputs of the members: gone once the group is.
    var streamed: [String]
}

extension JobRunner {
    func prepareGroup(_ g: Int, attempt: Int) throws -> JobSpec {
        let group = groups.groups[g]
        let isLocal = group.jobs.contains { Self.runsLocally(dag.rule(of: $0), executor: options.executor) }
        let key = JobGroup.key(id: group.id, memberKeys: group.jobs.map(dag.jobKey))
        let adopting = !isLocal && adoptable[key] == attempt
        adoptable[key] = nil
        let position = Dictionary(uniqueKeysWithValues: group.jobs.enumerated().map { ($1, $0) })
        var members: [JobGroupMember] = []
        var streamed: [String] = []
        for job in group.jobs {
            let spec = try prepareJob(job, attempt: attempt, isLocal: isLocal, adopting: adopting)
            let outputs = dag.streamedOutputs(of: job)
            streamed += outputs.map(\.path)
            members.append(JobGroupMember(spec: spec, dependencies: dag.jobs[job].dependencies.compactMap { position[$0] },
                                          pipes: outputs.filter(\.isPipe).map(\.path),
                                          services: outputs.filter { !$0.isPipe }.map(\.path)))
        }
        var limits = options.resources
        if isLocal { limits["_cores"] = options.cores }
        var spec: JobSpec
        do {
            spec = try JobGroup(id: group.id, members: members).spec(runID: externalRunID, attempt: attempt,
                                                                    workingDirectory: workdir, limits: limits)
        } catch let error as GroupResources.LayeringError {
            throw EngineError(error.description)
        }
        let files = files(isLocal: isLocal)
        if files.shared, case .shell(let text) = spec.command, text.utf8.count > 100_000 {
            // One argv string may not exceed 128 KiB (MAX_ARG_STRLEN): a large group's program goes to a file.
            let path = workdir + "/" + JobSpecBuilder.programDirectory + "/" + spec.externalName + ".group.sh"
            try LocalFiles.writeAtomically("set -euo pipefail\n" + text + "\n", to: path)
            spec.command = .script(path: path)
        }
        let status = JobFile(JobGroup.statusFile(of: spec))
        if files.shared && !adopting { try? LocalFiles.remove(workdir + "/" + status.path) }
        groupRuns[g] = GroupRun(members: group.jobs, key: spec.key, statusFile: status, files: files, streamed: streamed)
        return spec
    }

    func groupFinished(_ g: Int, attempt: Int, result: JobResult, willRetry: Bool) {
        guard let run = groupRuns.removeValue(forKey: g) else {
            // It never started (preparing it failed): each member shares that failure.
            for job in groups.groups[g].jobs { jobFinished(job, attempt: attempt, result: result, willRetry: willRetry) }
            return
        }
        if case .succeeded = result, run.files.shared {
            _ = OutputWait.missing([workdir + "/" + run.statusFile.path], latencyWait: options.latencyWait)
        }
        let outcomes = run.files.read(run.statusFile).map(JobGroup.outcomes) ?? [:]
        try? run.files.remove(run.statusFile)
        for path in run.streamed { try? LocalFiles.remove(workdir + "/" + path) }
        for job in run.members {
            var memberResult = result
            switch (result, outcomes[job]) {
            case (_, 0?) where !willRetry:
                memberResult = .succeeded
            case (_, let status?) where status != 0:
                memberResult = .failed(JobFailure(kind: .exitStatus, exitStatus: status, reason: "exit status \(status)"))
            default:
                break
            }
            jobFinished(job, attempt: attempt, result: memberResult, willRetry: willRetry)
        }
    }
}

extension Engine {
    /// The scheduler's view of this round: one job per ungrouped job, one per group (id
    /// `groupBase + index`), dependencies between groups and jobs mapped accordingly.
    func schedulerJobs(_ runnable: [JobID], plan: Plan, groups: JobGroups, groupBase: Int,
                       estimate: (JobID) throws -> SchedulerJob) throws -> [SchedulerJob] {
        let inRound = Set(runnable)
        func unit(_ j: JobID) -> Int { groups.groupOf[j].map { groupBase + $0 } ?? j }
        var jobs: [SchedulerJob] = []
        var placed = Set<Int>()
        for j in runnable {
            let id = unit(j)
            guard placed.insert(id).inserted else { continue }
            guard let g = groups.groupOf[j] else {
                var job = try estimate(j)
                job.dependencies = plan.dag.jobs[j].dependencies.filter { inRound.contains($0) }.map(unit)
                jobs.append(job)
                continue
            }
            let members = groups.groups[g].jobs
            let estimates = try members.map(estimate)
            let memberSet = Set(members)
            var dependencies: [Int] = []
            for m in members {
                for d in plan.dag.jobs[m].dependencies where inRound.contains(d) && !memberSet.contains(d) {
                    dependencies.append(unit(d))
                }
            }
            var resources: [String: Int] = [:]
            for e in estimates { resources.merge(e.resources, uniquingKeysWith: +) }
            // A first estimate (its spec has the final say): members may all run at once.
            jobs.append(SchedulerJob(id: id, dependencies: Array(Set(dependencies)).sorted(),
                                     threads: estimates.map(\.threads).reduce(0, +), resources: resources,
                                     priority: estimates.map(\.priority).max() ?? 0,
                                     isLocal: estimates.contains { $0.isLocal }))
        }
        return jobs
    }
}
