// What a run does about a previous flow that was killed in this working directory (SIGKILL, a
// lost session, a crash): one `flow run` resumes.
//   1. The killed run's lock is stale (same host, its process gone or replaced). Before anything
//      else, the jobs it left running are ended (SIGTERM, then SIGKILL after a grace period) or,
//      with --wait-for-orphans, waited for: they must not write while their jobs run again.
//   2. The lock is then taken over, saying whose it was. A lock held on another host cannot be
//      checked from here and still needs --unlock.
//   3. The killed run's incomplete outputs are rerun without --rerun-incomplete: their jobs never
//      finished, so nothing else can be right. Outputs kept incomplete on purpose
//      (--keep-incomplete) still need --rerun-incomplete, as in Snakemake.

import Foundation
import FlowState

extension Engine {
    /// The working directory's lock (nil with --nolock). A live holder is an error; a killed
    /// flow's lock on this host is taken over once its jobs are gone.
    func acquireLock(_ workdir: String, store: StateStore) throws -> WorkdirLock? {
        guard !options.nolock else { return nil }
        do {
            do {
                return try WorkdirLock.acquire(workdir: workdir, runID: runID)
            } catch StateError.staleLock(_, _, let holder) where holder.isOnThisHost {
                try endJobs(of: holder, store: store)
                let lock = try WorkdirLock.takeOver(workdir: workdir, stale: holder, runID: runID)
                reporter.info("Took over the lock of a flow that is no longer running (\(holder.summary)).")
                return lock
            }
        } catch let e as StateError {
            throw EngineError(e.description)
        }
    }

    /// Ends (or waits for) the job processes a killed flow left running, and records that run as
    /// killed, so its incomplete outputs are rerun.
    private func endJobs(of holder: LockHolder, store: StateStore) throws {
        var deadRun = holder.runID
        if deadRun == nil { deadRun = try store.runs().last { $0.pid == holder.pid && $0.host == holder.host }?.id }
        guard let deadRun else { return }
        let recorded = try store.processGroups(runID: deadRun)
        let orphans = OrphanedJobs.find(runID: deadRun, recorded: recorded)
        if !orphans.isEmpty {
            if options.waitForOrphans {
                reporter.info("Waiting for \(orphans.processCount) job processes that the killed run \(deadRun) left running (--wait-for-orphans); their outputs will be rerun.")
                orphans.waitUntilGone(recorded: recorded)
            } else {
                reporter.info("Ending \(orphans.processCount) job processes that the killed run \(deadRun) left running (SIGTERM, then SIGKILL after \(Self.orphanGracePeriod) s); their outputs will be rerun.")
                guard orphans.terminate(grace: Self.orphanGracePeriod, recorded: recorded) else {
                    throw EngineError("cannot end the job processes the killed run \(deadRun) left running (process groups \(orphans.groups.sorted().map(String.init).joined(separator: ", "))); stop them and run again")
                }
            }
        }
        try store.deleteProcessGroups(runID: deadRun)
        if let run = try store.run(id: deadRun), run.status == .running {
            try store.endRun(id: deadRun, status: .killed)
        }
    }

    static let orphanGracePeriod = 3.0

    /// Incomplete outputs whose run was killed and cannot still be writing them: killed runs
    /// settled above, and runs recorded as running whose process is gone (or, holding the lock,
    /// on another host: --unlock said it is gone).
    func crashedOutputs(_ store: StateStore) throws -> Set<String> {
        let markers = try store.incompleteMarkers()
        guard !markers.isEmpty else { return [] }
        let runs = Dictionary(try store.runs().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var verdicts: [String: Bool] = [:]
        func killed(_ id: String) -> Bool {
            if let known = verdicts[id] { return known }
            let verdict: Bool
            if id == runID {
                verdict = false
            } else if let run = runs[id] {
                switch run.status {
                case .killed: verdict = true
                case .running: verdict = run.processIsGone ?? !options.nolock
                case .succeeded, .failed, .interrupted: verdict = false
                }
            } else {
                verdict = !options.nolock  // a run of an older flow
            }
            verdicts[id] = verdict
            return verdict
        }
        return Set(markers.filter { killed($0.value) }.keys)
    }

    /// `--cleanup-metadata FILE...`: forgets the records and incomplete marks of the files.
    func cleanupMetadata(_ paths: [String], workdir: String) throws -> Int32 {
        let store = try StateStore(workdir: workdir)
        try store.remove(paths: paths)
        try store.clearIncomplete(paths: paths)
        for path in paths { reporter.info("Removed metadata of \(path).") }
        return 0
    }
}
