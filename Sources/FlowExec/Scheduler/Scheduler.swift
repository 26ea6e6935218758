// FlowExec scheduler: runs a set of jobs with dependencies on one or two executors.
//
// Owns: the run loop — start ready jobs within --cores, --resources and each executor's
// -j limit (priority first, passing over jobs that do not fit), wait for progress, take one
// batched status round per executor, turn states into successes, retries or failures, stop
// starting jobs after a failure unless -k, cancel everything on an interruption — and the final
// summary. Per finished job the work is O(dependents + log ready): counters, never rescans
// (performance.md §4.4). Jobs are plain data (`SchedulerJob`); the engine hears everything
// through `SchedulerDelegate`, so this file knows nothing of rules, files or SQLite.

public final class Scheduler {
    public let interruption: Interruption
    private let options: SchedulerOptions
    private let delegate: SchedulerDelegate
    private var counters: DependencyCounters
    private var pool: ResourcePool
    private var ready = ReadyQueue()
    /// lanes[0] runs local jobs; lanes[1], if present, everything else.
    private let lanes: [ExecutorLane]
    private let laneOfJob: [UInt8]
    private var readyPerLane: [Int]
    private let priorities: [Int]
    /// The current resource demand of each job: the first estimate until `prepare` says otherwise.
    private var demands: [ResourceDemand]
    private var attempts: [Int32]
    private var infrastructureFailures: [Int32]
    private let total: Int
    /// Specs prepared for an attempt that then did not fit; used when the job is next picked.
    private var prepared: [Int: JobSpec] = [:]
    private var running = 0
    private var succeeded = 0
    private var failedJobs: [Int] = []
    private var cancelledJobs: [Int] = []
    /// No new job starts (a failure without -k, or an interruption).
    private var stopping = false
    private var interruptedBy: Int32?
    private var needsFlush = false

    /// - Parameters:
    ///   - jobs: in topological order if ties in priority should follow it.
    ///   - localExecutor: runs local jobs, and all jobs when `remoteExecutor` is nil.
    public init(jobs: [SchedulerJob], options: SchedulerOptions, delegate: SchedulerDelegate,
                localExecutor: Executor, remoteExecutor: Executor? = nil,
                interruption: Interruption = Interruption()) throws {
        self.options = options
        self.delegate = delegate
        self.interruption = interruption
        counters = try DependencyCounters(jobs)
        let pool = ResourcePool(cores: options.cores, limits: options.resources)
        self.pool = pool
        let now = MonotonicClock.now()
        lanes = [ExecutorLane(localExecutor, now: now)] + (remoteExecutor.map { [ExecutorLane($0, now: now)] } ?? [])
        let laneOfJob = jobs.map { job -> UInt8 in remoteExecutor == nil || job.isLocal ? 0 : 1 }
        self.laneOfJob = laneOfJob
        readyPerLane = [0, 0]
        priorities = jobs.map(\.priority)
        demands = jobs.indices.map { pool.demand(threads: jobs[$0].threads, resources: jobs[$0].resources, local: laneOfJob[$0] == 0) }
        attempts = Array(repeating: 1, count: jobs.count)
        infrastructureFailures = Array(repeating: 0, count: jobs.count)
        total = jobs.count
    }

    /// Requests cancellation from any thread (as SIGINT would, without a signal number).
    public func cancel() {
        interruption.request()
    }

    /// Runs until every job finished, the run stopped after a failure, or it was interrupted.
    public func run() -> SchedulerSummary {
        for index in 0..<total where counters.pending[index] == 0 { makeReady(index) }
        var forced: ExecutorLane?
        while true {
            if interruption.check() && interruptedBy == nil { cancelAll() }
            pollDueLanes(forcing: forced)
            dispatch()
            if needsFlush {
                needsFlush = false
                delegate.flush()
            }
            if running == 0 { break }
            forced = waitForProgress()
        }
        return summary()
    }

    // MARK: starting jobs

    private func makeReady(_ index: Int) {
        readyPerLane[Int(laneOfJob[index])] += 1
        ready.push(.init(priority: priorities[index], index: Int32(index)))
    }

    private func dispatch() {
        if stopping || ready.isEmpty || nothingCanStart() { return }
        var passedOver: [ReadyQueue.Entry] = []
        while let entry = ready.pop() {
            let index = Int(entry.index)
            let lane = Int(laneOfJob[index])
            readyPerLane[lane] -= 1
            if lanes[lane].hasRoom && pool.fits(demands[index]) {
                if !start(index) { passedOver.append(entry) }
            } else if let reason = pool.impossibility(demands[index]) {
                attemptFailed(index, JobFailure(kind: .setup, reason: reason))
            } else {
                passedOver.append(entry)
                if passedOver.count >= options.backfillLimit { break }
            }
            if stopping || nothingCanStart() { break }
        }
        for entry in passedOver {
            readyPerLane[Int(laneOfJob[Int(entry.index)])] += 1
            ready.push(entry)
        }
    }

    /// True when no ready job can possibly start now (local jobs need at least one core).
    private func nothingCanStart() -> Bool {
        let localBlocked = readyPerLane[0] == 0 || pool.freeCores == 0 || !lanes[0].hasRoom
        let remoteBlocked = lanes.count == 1 || readyPerLane[1] == 0 || !lanes[1].hasRoom
        return localBlocked && remoteBlocked
    }

    /// Prepares and submits `index`; false if its prepared demand does not fit after all.
    private func start(_ index: Int) -> Bool {
        let id = counters.ids[index]
        let attempt = Int(attempts[index])
        let lane = lanes[Int(laneOfJob[index])]
        let spec: JobSpec
        if !prepared.isEmpty, let cached = prepared.removeValue(forKey: index) {
            spec = cached
        } else {
            do {
                spec = try delegate.prepare(job: id, attempt: attempt)
            } catch {
                attemptFailed(index, JobFailure(kind: .setup, reason: "cannot prepare job \(id): \(error)"))
                return true
            }
            // The spec has the final say on threads and resources (they may depend on attempt).
            let actual = pool.demand(of: spec, local: laneOfJob[index] == 0)
            if actual != demands[index] {
                demands[index] = actual
                if let reason = pool.impossibility(actual) {
                    attemptFailed(index, JobFailure(kind: .setup, reason: reason))
                    return true
                }
                if !pool.fits(actual) {
                    prepared[index] = spec
                    return false
                }
            }
        }
        pool.acquire(demands[index])
        do {
            let externalID = try lane.executor.submit(spec)
            lane.active[externalID] = .init(index: index, state: .queued)
            running += 1
            needsFlush = true
            delegate.jobStarted(job: id, attempt: attempt, externalID: externalID, executor: lane.executor.name)
        } catch {
            pool.release(demands[index])
            attemptFailed(index, JobFailure(kind: .infrastructure,
                                            reason: "submission to the \(lane.executor.name) executor failed: \(error)"))
        }
        return true
    }

    // MARK: waiting and status rounds

    /// Blocks on the event-driven executor if one has jobs, else until the next status round is
    /// due. Returns a lane to poll even if its round is not due (it woke us).
    private func waitForProgress() -> ExecutorLane? {
        let now = MonotonicClock.now()
        var eventLane: ExecutorLane?
        var soonest: ExecutorLane?
        var wakeAt = Double.infinity
        for lane in lanes where !lane.active.isEmpty {
            if lane.isEventDriven && !lane.isBackingOff {
                eventLane = lane
            } else if lane.nextPoll < wakeAt {
                wakeAt = lane.nextPoll
                soonest = lane
            }
        }
        if let eventLane {
            eventLane.executor.waitForProgress(timeout: wakeAt - now, interruption: interruption)
            return nil
        }
        guard let soonest, wakeAt > now else { return nil }
        if soonest.isBackingOff {
            interruption.wait(timeout: wakeAt - now)
            return nil
        }
        soonest.executor.waitForProgress(timeout: wakeAt - now, interruption: interruption)
        return soonest
    }

    private func pollDueLanes(forcing forced: ExecutorLane?) {
        let now = MonotonicClock.now()
        for lane in lanes where !lane.active.isEmpty && (lane.nextPoll <= now || lane === forced) {
            poll(lane, now: now)
        }
    }

    /// One batched status round; terminal jobs leave the lane in job order.
    private func poll(_ lane: ExecutorLane, now: Double) {
        let ids = Array(lane.active.keys)
        let states: [String: ExternalJobState]
        do {
            states = try lane.executor.poll(ids)
            lane.pollSucceeded(at: now)
        } catch {
            // Transient: the jobs stay in flight with their last state; try again after a backoff.
            lane.pollFailed(at: now, options: options)
            delegate.executorError(executor: lane.executor.name, error: error)
            return
        }
        var finished: [(index: Int, externalID: String, state: ExternalJobState)] = []
        for (externalID, state) in states {
            guard let inFlight = lane.active[externalID], state != inFlight.state else { continue }
            if state.isTerminal {
                lane.active[externalID] = nil
                finished.append((inFlight.index, externalID, state))
            } else {
                lane.active[externalID]!.state = state
                delegate.jobStateChanged(job: counters.ids[inFlight.index], attempt: Int(attempts[inFlight.index]),
                                         state: state, executor: lane.executor.name)
            }
        }
        if finished.count > 1 { finished.sort { $0.index < $1.index } }
        for (index, externalID, state) in finished {
            attemptEnded(index, lane: lane, externalID: externalID, state: state)
        }
    }

    private func attemptEnded(_ index: Int, lane: ExecutorLane, externalID: String, state: ExternalJobState) {
        running -= 1
        pool.release(demands[index])
        let executor = lane.executor
        switch state {
        case .succeeded:
            attemptSucceeded(index)
        case .failed(let code, let reason):
            attemptFailed(index, JobFailure(kind: .exitStatus, exitStatus: code, reason: reason,
                                            externalID: externalID, logs: executor.logs(externalID)))
        case .infrastructureFailed(let reason):
            attemptFailed(index, JobFailure(kind: .infrastructure, reason: reason, externalID: externalID,
                                            logs: executor.logs(externalID)))
        case .lost:
            attemptFailed(index, JobFailure(kind: .lost, reason: "the \(executor.name) executor lost job \(externalID)",
                                            externalID: externalID))
        case .queued, .running:
            preconditionFailure("attemptEnded with a non-terminal state")
        }
    }

    // MARK: outcomes

    private func attemptSucceeded(_ index: Int) {
        if let failure = delegate.verify(job: counters.ids[index], attempt: Int(attempts[index])) {
            attemptFailed(index, failure)
            return
        }
        succeeded += 1
        needsFlush = true
        delegate.jobFinished(job: counters.ids[index], attempt: Int(attempts[index]), result: .succeeded, willRetry: false)
        counters.complete(index) { dependent in makeReady(dependent) }
        reportProgress()
    }

    private func attemptFailed(_ index: Int, _ failure: JobFailure) {
        let id = counters.ids[index]
        let attempt = Int(attempts[index])
        var retry = false
        if !stopping {
            switch failure.kind {
            case .infrastructure:
                retry = infrastructureFailures[index] < Int32(options.infrastructureRetries)
                if retry { infrastructureFailures[index] += 1 }
            case .exitStatus, .lost, .outputs:
                retry = delegate.shouldRetry(job: id, attempt: attempt, failure: failure)
            case .cancelled, .setup:
                retry = false
            }
        }
        needsFlush = true
        delegate.jobFinished(job: id, attempt: attempt, result: .failed(failure), willRetry: retry)
        if retry {
            attempts[index] += 1
            makeReady(index)
            return
        }
        if failure.kind == .cancelled {
            cancelledJobs.append(id)
        } else {
            failedJobs.append(id)
            if !options.keepGoing { stopping = true }
        }
        reportProgress()
    }

    private func reportProgress() {
        delegate.progress(SchedulerProgress(done: succeeded, failed: failedJobs.count, running: running,
                                            total: total))
    }

    /// Interruption: no new starts; cancel everything in flight, report each job as cancelled
    /// unless the executor already saw it succeed.
    private func cancelAll() {
        interruptedBy = interruption.signal ?? 0
        stopping = true
        for lane in lanes where !lane.active.isEmpty {
            let ids = lane.active.keys.sorted { lane.active[$0]!.index < lane.active[$1]!.index }
            lane.executor.cancel(ids)
            let states = (try? lane.executor.poll(ids)) ?? [:]
            for externalID in ids {
                guard let index = lane.active.removeValue(forKey: externalID)?.index else { continue }
                if states[externalID] == .succeeded {
                    attemptEnded(index, lane: lane, externalID: externalID, state: .succeeded)
                } else {
                    running -= 1
                    pool.release(demands[index])
                    attemptFailed(index, JobFailure(kind: .cancelled, reason: "cancelled", externalID: externalID))
                }
            }
        }
    }

    private func summary() -> SchedulerSummary {
        let skipped = total - succeeded - failedJobs.count - cancelledJobs.count
        let outcome: SchedulerSummary.Outcome
        if let signal = interruptedBy {
            outcome = .interrupted(signal: signal)
        } else if !failedJobs.isEmpty || skipped > 0 {
            outcome = .failed
        } else {
            outcome = .success
        }
        return SchedulerSummary(outcome: outcome, total: total, succeeded: succeeded,
                                failedJobs: failedJobs, cancelledJobs: cancelledJobs, skipped: skipped)
    }
}
