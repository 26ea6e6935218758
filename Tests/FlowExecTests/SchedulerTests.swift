// Tests for the scheduler: dependency order, cores/resource limits, priorities, failure
// handling with and without -k, retries, transient poll errors, remote/local lanes,
// interruption, and input validation.

import XCTest
import Glibc
@testable import FlowExec

final class SchedulerTests: XCTestCase {
    private var directory = ""

    override func setUp() {
        directory = makeTemporaryDirectory()
    }

    override func tearDown() {
        removeDirectory(directory)
    }

    private func run(_ jobs: [SchedulerJob], _ delegate: RecordingDelegate, options: SchedulerOptions,
                     local: Executor? = nil, remote: Executor? = nil) throws -> SchedulerSummary {
        let scheduler = try Scheduler(jobs: jobs, options: options, delegate: delegate,
                                      localExecutor: local ?? LocalExecutor(), remoteExecutor: remote)
        return scheduler.run()
    }

    /// A job that appends start/end markers to one shared file, sleeping in between.
    private func marked(_ id: Int, sleep: String = "0.2") -> String {
        "echo S\(id) >> markers.txt; sleep \(sleep); echo E\(id) >> markers.txt"
    }

    /// The largest number of jobs between their S and E markers at the same time.
    private func maxOverlap() -> Int {
        var current = 0, peak = 0
        for line in (readFile(directory + "/markers.txt") ?? "").split(separator: "\n") {
            current += line.hasPrefix("S") ? 1 : -1
            peak = max(peak, current)
        }
        return peak
    }

    func testDependencyOrder() throws {
        // Diamond plus a chain: 0 -> {1, 2} -> 3 -> 4.
        let jobs = [SchedulerJob(id: 10), SchedulerJob(id: 11, dependencies: [10]), SchedulerJob(id: 12, dependencies: [10]),
                    SchedulerJob(id: 13, dependencies: [11, 12]), SchedulerJob(id: 14, dependencies: [13])]
        let commands = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, "echo \($0.id) >> order.txt") })
        let delegate = RecordingDelegate(directory: directory, commands: commands)
        let summary = try run(jobs, delegate, options: SchedulerOptions(cores: 4))
        XCTAssertEqual(summary.outcome, .success)
        XCTAssertEqual(summary.succeeded, 5)
        XCTAssertEqual(summary.exitStatus, 0)
        let order = (readFile(directory + "/order.txt") ?? "").split(separator: "\n").map { Int($0)! }
        XCTAssertEqual(order.first, 10)
        XCTAssertEqual(Set(order[1...2]), [11, 12])
        XCTAssertEqual(Array(order[3...]), [13, 14])
        XCTAssertEqual(delegate.progress.last, SchedulerProgress(done: 5, failed: 0, running: 0, total: 5))
        XCTAssertEqual(delegate.progress.map(\.done), [1, 2, 3, 4, 5])
        XCTAssertGreaterThan(delegate.flushes, 0)
    }

    func testCoresLimitCountsThreads() throws {
        let jobs = (0..<6).map { SchedulerJob(id: $0) }
        let delegate = RecordingDelegate(directory: directory, commands: Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, marked($0)) }))
        XCTAssertEqual(try run(jobs, delegate, options: SchedulerOptions(cores: 2)).outcome, .success)
        XCTAssertEqual(maxOverlap(), 2)

        // Two threads each on three cores: one at a time. Threads above --cores are capped.
        unlink(directory + "/markers.txt")
        let wide = (0..<3).map { SchedulerJob(id: $0, threads: 2) } + [SchedulerJob(id: 3, threads: 64)]
        let delegate2 = RecordingDelegate { id, attempt in
            JobSpec(id: id, name: "w", attempt: attempt, runID: "r", command: .shell(self.marked(id, sleep: "0.1")),
                    workingDirectory: self.directory, threads: id == 3 ? 64 : 2)
        }
        XCTAssertEqual(try run(wide, delegate2, options: SchedulerOptions(cores: 3)).outcome, .success)
        XCTAssertEqual(maxOverlap(), 1)
    }

    func testGlobalResourceLimits() throws {
        let jobs = (0..<4).map { SchedulerJob(id: $0, resources: ["mem_mb": 600]) }
        let delegate = RecordingDelegate { id, attempt in
            JobSpec(id: id, name: "m", attempt: attempt, runID: "r", command: .shell(self.marked(id, sleep: "0.1")),
                    workingDirectory: self.directory, resources: ["mem_mb": .int(600), "partition": .string("x")])
        }
        XCTAssertEqual(try run(jobs, delegate, options: SchedulerOptions(cores: 4, resources: ["mem_mb": 1000])).outcome,
                       .success)
        XCTAssertEqual(maxOverlap(), 1)
    }

    func testDemandAboveLimitFailsTheJob() throws {
        let jobs = [SchedulerJob(id: 0, resources: ["gpu": 2]), SchedulerJob(id: 1)]
        let fake = FakeExecutor()
        let delegate = RecordingDelegate { id, _ in JobSpec(id: id, name: "g", runID: "r", command: .shell("true"),
                                                            workingDirectory: "/", resources: id == 0 ? ["gpu": .int(2)] : [:]) }
        let summary = try run(jobs, delegate, options: SchedulerOptions(cores: 1, resources: ["gpu": 1], keepGoing: true),
                              local: fake)
        XCTAssertEqual(summary.failedJobs, [0])
        guard case .failed(let failure) = delegate.results(of: 0).first else { return XCTFail() }
        XCTAssertEqual(failure.kind, .setup)
        XCTAssertTrue(failure.reason.contains("gpu=2"), failure.reason)
    }

    func testPrioritiesThenListOrder() throws {
        let jobs = [SchedulerJob(id: 0, priority: 0), SchedulerJob(id: 1, priority: 5), SchedulerJob(id: 2, priority: 0),
                    SchedulerJob(id: 3, priority: 5), SchedulerJob(id: 4, priority: 9),
                    SchedulerJob(id: 5, dependencies: [0], priority: 100)]
        let delegate = RecordingDelegate(directory: directory, commands: [:])
        XCTAssertEqual(try run(jobs, delegate, options: SchedulerOptions(cores: 1), local: FakeExecutor()).outcome, .success)
        // 5 has the highest priority but waits for 0; once 0 is done it goes first.
        XCTAssertEqual(delegate.started, [4, 1, 3, 0, 5, 2])
    }

    func testBackfillSmallJobsPastABigOne() throws {
        // Job 0 occupies 1 of 2 cores; 1 needs 2 (waits); 2 needs 1 and is started beside 0.
        let jobs = [SchedulerJob(id: 0, threads: 1, priority: 10), SchedulerJob(id: 1, threads: 2, priority: 5),
                    SchedulerJob(id: 2, threads: 1)]
        let fake = FakeExecutor()
        fake.pollsToFinish = 3
        let delegate = RecordingDelegate { id, _ in
            JobSpec(id: id, name: "b", runID: "r", command: .shell("true"), workingDirectory: "/", threads: id == 1 ? 2 : 1)
        }
        XCTAssertEqual(try run(jobs, delegate, options: SchedulerOptions(cores: 2), local: fake).outcome, .success)
        XCTAssertEqual(delegate.started, [0, 2, 1])
        XCTAssertEqual(fake.maxConcurrent, 2)
        // Two polls say "running" per job; only the change from queued is reported.
        XCTAssertEqual(delegate.stateChanges.map(\.job).sorted(), [0, 1, 2])
        XCTAssertTrue(delegate.stateChanges.allSatisfy { $0.state == .running })
    }

    func testFailureWithoutKeepGoingStopsNewStartsButRunningJobsFinish() throws {
        let jobs = [SchedulerJob(id: 0), SchedulerJob(id: 1), SchedulerJob(id: 2), SchedulerJob(id: 3, dependencies: [1])]
        let delegate = RecordingDelegate(directory: directory,
                                         commands: [0: "sleep 0.1; exit 7", 1: "sleep 0.5; touch one.txt", 2: "touch two.txt"])
        let summary = try run(jobs, delegate, options: SchedulerOptions(cores: 2))
        XCTAssertEqual(summary.outcome, .failed)
        XCTAssertEqual(summary.exitStatus, 1)
        XCTAssertEqual(summary.failedJobs, [0])
        XCTAssertEqual(summary.succeeded, 1)
        XCTAssertEqual(summary.skipped, 2)
        XCTAssertEqual(delegate.started, [0, 1])
        XCTAssertEqual(access(directory + "/one.txt", F_OK), 0, "the running job must finish")
        XCTAssertNotEqual(access(directory + "/two.txt", F_OK), 0, "no new job may start after a failure")
        guard case .failed(let failure) = delegate.results(of: 0).last else { return XCTFail() }
        XCTAssertEqual(failure.exitStatus, 7)
        XCTAssertEqual(failure.kind, .exitStatus)
    }

    func testKeepGoingRunsIndependentJobs() throws {
        let jobs = [SchedulerJob(id: 0), SchedulerJob(id: 1, dependencies: [0]), SchedulerJob(id: 2, dependencies: [1]),
                    SchedulerJob(id: 3), SchedulerJob(id: 4, dependencies: [3])]
        let delegate = RecordingDelegate(directory: directory, commands: [0: "exit 1"])
        let summary = try run(jobs, delegate, options: SchedulerOptions(cores: 1, keepGoing: true))
        XCTAssertEqual(summary.outcome, .failed)
        XCTAssertEqual(summary.failedJobs, [0])
        XCTAssertEqual(summary.succeeded, 2)
        XCTAssertEqual(summary.skipped, 2)
        XCTAssertEqual(Set(delegate.started), [0, 3, 4])
    }

    func testRetriesSeeAttemptNumbers() throws {
        let delegate = RecordingDelegate { id, attempt in
            // Succeeds on the third attempt only.
            JobSpec(id: id, name: "flaky", attempt: attempt, runID: "r", command: .shell("test \(attempt) -ge 3"),
                    workingDirectory: self.directory)
        }
        delegate.retryUpTo = [0: 5]
        let summary = try run([SchedulerJob(id: 0)], delegate, options: SchedulerOptions(cores: 1))
        XCTAssertEqual(summary.outcome, .success)
        XCTAssertEqual(delegate.prepared.map(\.attempt), [1, 2, 3])
        XCTAssertEqual(delegate.finished.map(\.willRetry), [true, true, false])
        XCTAssertEqual(delegate.finished.last?.result, .succeeded)

        // With a budget of one retry it fails after two attempts.
        let limited = RecordingDelegate { id, attempt in
            JobSpec(id: id, name: "flaky", attempt: attempt, runID: "r", command: .shell("test \(attempt) -ge 3"),
                    workingDirectory: self.directory)
        }
        limited.retryUpTo = [0: 1]
        let failed = try run([SchedulerJob(id: 0)], limited, options: SchedulerOptions(cores: 1))
        XCTAssertEqual(failed.failedJobs, [0])
        XCTAssertEqual(limited.prepared.map(\.attempt), [1, 2])
    }

    func testAttemptWhoseOutputsFailVerificationIsAFailure() throws {
        // Job 0's command succeeds but the engine finds its outputs wrong: 1 (its dependent) never
        // starts, the run fails, and a retry budget gives it another attempt.
        let delegate = RecordingDelegate(directory: directory, commands: [:])
        delegate.verdict = { job, attempt in
            job == 0 && attempt == 1 ? JobFailure(kind: .outputs, reason: "Output x is a directory") : nil
        }
        let summary = try run([SchedulerJob(id: 0), SchedulerJob(id: 1, dependencies: [0])], delegate, options: SchedulerOptions(cores: 1))
        XCTAssertEqual(summary.outcome, .failed)
        XCTAssertEqual(summary.failedJobs, [0])
        XCTAssertEqual(delegate.started, [0])
        XCTAssertEqual(delegate.results(of: 0), [.failed(JobFailure(kind: .outputs, reason: "Output x is a directory"))])

        let retried = RecordingDelegate(directory: directory, commands: [:])
        retried.verdict = delegate.verdict
        retried.retryUpTo = [0: 1]
        XCTAssertEqual(try run([SchedulerJob(id: 0), SchedulerJob(id: 1, dependencies: [0])], retried,
                               options: SchedulerOptions(cores: 1)).outcome, .success)
        XCTAssertEqual(retried.started, [0, 0, 1])
    }

    func testRetryReevaluatesResourcesThroughPrepare() throws {
        let fake = FakeExecutor()
        fake.outcome = { spec in spec.attempt == 1 ? .failed(exitStatus: 137, reason: "oom") : .succeeded }
        let delegate = RecordingDelegate { id, attempt in
            JobSpec(id: id, name: "mem", attempt: attempt, runID: "r", command: .shell("true"), workingDirectory: "/",
                    resources: ["mem_mb": .int(1000 * attempt)])
        }
        delegate.retryUpTo = [0: 1]
        let summary = try run([SchedulerJob(id: 0, resources: ["mem_mb": 1000])], delegate,
                              options: SchedulerOptions(cores: 1, resources: ["mem_mb": 4000]), local: fake)
        XCTAssertEqual(summary.outcome, .success)
        XCTAssertEqual(fake.submitted.map { $0.resources["mem_mb"] }, [.int(1000), .int(2000)])
        // Each attempt has its own external name.
        let names = fake.submitted.map(\.externalName)
        XCTAssertEqual(names.count, 2)
        XCTAssertTrue(names[0].hasSuffix("-1") && names[1].hasSuffix("-2") && names[0].dropLast() == names[1].dropLast(), "\(names)")
    }

    func testInfrastructureFailuresUseTheirOwnBudget() throws {
        let fake = FakeExecutor()
        var infraLeft = 2
        fake.outcome = { _ in
            if infraLeft > 0 { infraLeft -= 1; return .infrastructureFailed(reason: "node preempted") }
            return .succeeded
        }
        let delegate = RecordingDelegate(directory: "/", commands: [:])
        let summary = try run([SchedulerJob(id: 0)], delegate, options: SchedulerOptions(cores: 1, infrastructureRetries: 2),
                              local: fake)
        XCTAssertEqual(summary.outcome, .success)
        XCTAssertEqual(delegate.prepared.map(\.attempt), [1, 2, 3])

        let alwaysFails = FakeExecutor()
        alwaysFails.outcome = { _ in .infrastructureFailed(reason: "node preempted") }
        let delegate2 = RecordingDelegate(directory: "/", commands: [:])
        let failed = try run([SchedulerJob(id: 0)], delegate2, options: SchedulerOptions(cores: 1, infrastructureRetries: 1),
                             local: alwaysFails)
        XCTAssertEqual(failed.failedJobs, [0])
        XCTAssertEqual(delegate2.prepared.count, 2)
    }

    func testTransientPollErrorsDoNotDropJobs() throws {
        let fake = FakeExecutor()
        fake.pollsToFinish = 2
        fake.failingPolls = [1, 2, 3, 5]
        let jobs = (0..<5).map { SchedulerJob(id: $0, dependencies: $0 == 4 ? [0, 1, 2, 3] : []) }
        let delegate = RecordingDelegate(directory: "/", commands: [:])
        let summary = try run(jobs, delegate, options: SchedulerOptions(cores: 1, pollBackoff: 0.001, maxPollBackoff: 0.01),
                              local: LocalExecutor(), remote: fake)
        XCTAssertEqual(summary.outcome, .success)
        XCTAssertEqual(summary.succeeded, 5)
        XCTAssertEqual(delegate.executorErrors, 4)
        XCTAssertEqual(fake.submitted.count, 5, "no job may be resubmitted because of a failed poll")
    }

    func testLocalRulesGoToTheLocalExecutorAndRemoteLimitApplies() throws {
        let remote = FakeExecutor(name: "remote", maxInFlight: 2)
        remote.pollsToFinish = 3
        let local = FakeExecutor(name: "local")
        let jobs = (0..<6).map { SchedulerJob(id: $0, isLocal: $0 == 5) }
        let delegate = RecordingDelegate(directory: "/", commands: [:])
        let summary = try run(jobs, delegate, options: SchedulerOptions(cores: 1), local: local, remote: remote)
        XCTAssertEqual(summary.succeeded, 6)
        XCTAssertEqual(local.submitted.map(\.id), [5])
        XCTAssertEqual(remote.submitted.map(\.id), [0, 1, 2, 3, 4])
        XCTAssertEqual(remote.maxConcurrent, 2)
    }

    func testPrepareAndSubmitErrorsFailTheJob() throws {
        struct Broken: Error {}
        let delegate = RecordingDelegate { id, _ in
            if id == 0 { throw Broken() }
            return JobSpec(id: id, name: "ok", runID: "r", command: .shell("true"), workingDirectory: "/")
        }
        let summary = try run([SchedulerJob(id: 0), SchedulerJob(id: 1)], delegate,
                              options: SchedulerOptions(cores: 1, keepGoing: true), local: FakeExecutor())
        XCTAssertEqual(summary.failedJobs, [0])
        XCTAssertEqual(summary.succeeded, 1)
        guard case .failed(let failure) = delegate.results(of: 0).first else { return XCTFail() }
        XCTAssertEqual(failure.kind, .setup)
    }

    func testInterruptionCancelsRunningJobs() throws {
        let jobs = (0..<4).map { SchedulerJob(id: $0) }
        let delegate = RecordingDelegate(directory: directory, commands: Dictionary(uniqueKeysWithValues: (0..<4).map {
            ($0, "sleep 100 & echo $! > bg\($0).pid; wait")
        }))
        let scheduler = try Scheduler(jobs: jobs, options: SchedulerOptions(cores: 2), delegate: delegate,
                                      localExecutor: LocalExecutor(options: .init(cancelGracePeriod: 2)))
        delegate.onStart = { _ in
            if delegate.started.count == 2 { scheduler.interruption.request(signal: SIGINT) }
        }
        let start = MonotonicClock.now()
        let summary = scheduler.run()
        XCTAssertLessThan(MonotonicClock.now() - start, 10)
        XCTAssertEqual(summary.outcome, .interrupted(signal: SIGINT))
        XCTAssertEqual(summary.exitStatus, 130)
        XCTAssertEqual(summary.cancelledJobs, [0, 1])
        XCTAssertEqual(summary.skipped, 2)
        XCTAssertEqual(delegate.started, [0, 1])
        let kinds = delegate.finished.map { result -> JobFailure.Kind? in
            if case .failed(let failure) = result.result { return failure.kind }
            return nil
        }
        XCTAssertEqual(kinds, [.cancelled, .cancelled])
        for id in [0, 1] {
            guard let text = readFile(directory + "/bg\(id).pid"), let pid = pid_t(text.dropLast()) else { continue }
            let stat = LocalExecutorTests.processState(pid)
            XCTAssertTrue(stat == nil || stat == "Z", "job \(id)'s background process survived the interrupt")
        }
    }

    func testSignalHandlerInterruptsARun() throws {
        let delegate = RecordingDelegate(directory: directory, commands: [0: "sleep 100"])
        let scheduler = try Scheduler(jobs: [SchedulerJob(id: 0)], options: SchedulerOptions(cores: 1), delegate: delegate,
                                      localExecutor: LocalExecutor())
        scheduler.interruption.installSignalHandlers()
        defer { Interruption.restoreSignalHandlers() }
        delegate.onStart = { _ in raise(SIGTERM) }
        let summary = scheduler.run()
        XCTAssertEqual(summary.outcome, .interrupted(signal: SIGTERM))
        XCTAssertEqual(summary.exitStatus, 143)
        XCTAssertEqual(summary.cancelledJobs, [0])
    }

    func testInterruptionCancelsRemoteJobsToo() throws {
        let remote = FakeExecutor(name: "remote")
        remote.pollsToFinish = 1_000_000
        let jobs = [SchedulerJob(id: 0), SchedulerJob(id: 1), SchedulerJob(id: 2, dependencies: [0])]
        let delegate = RecordingDelegate(directory: directory, commands: [:])
        let scheduler = try Scheduler(jobs: jobs, options: SchedulerOptions(cores: 1), delegate: delegate,
                                      localExecutor: FakeExecutor(), remoteExecutor: remote)
        delegate.onStart = { _ in
            if delegate.started.count == 2 { scheduler.cancel() }
        }
        let summary = scheduler.run()
        XCTAssertEqual(summary.outcome, .interrupted(signal: 0))
        XCTAssertEqual(summary.exitStatus, 130)
        XCTAssertEqual(summary.cancelledJobs, [0, 1])
        XCTAssertEqual(remote.cancelled.count, 2)
        XCTAssertEqual(remote.cancelled.sorted(), remote.submitted.map(\.externalName).sorted())
        XCTAssertEqual(summary.skipped, 1)
    }

    func testLostJobsAreRetriedLikeFailures() throws {
        let fake = FakeExecutor()
        fake.outcome = { spec in spec.attempt == 1 ? .lost : .succeeded }
        let delegate = RecordingDelegate(directory: "/", commands: [:])
        delegate.retryUpTo = [0: 1]
        let summary = try run([SchedulerJob(id: 0)], delegate, options: SchedulerOptions(cores: 1), local: fake)
        XCTAssertEqual(summary.outcome, .success)
        guard case .failed(let failure) = delegate.results(of: 0).first else { return XCTFail() }
        XCTAssertEqual(failure.kind, .lost)
        XCTAssertEqual(delegate.finished.map(\.willRetry), [true, false])
    }

    func testValidation() {
        let delegate = RecordingDelegate(directory: "/", commands: [:])
        func make(_ jobs: [SchedulerJob]) throws {
            _ = try Scheduler(jobs: jobs, options: SchedulerOptions(cores: 1), delegate: delegate, localExecutor: FakeExecutor())
        }
        XCTAssertThrowsError(try make([SchedulerJob(id: 1), SchedulerJob(id: 1)])) {
            XCTAssertEqual($0 as? SchedulerError, .duplicateJob(1))
        }
        XCTAssertThrowsError(try make([SchedulerJob(id: 1, dependencies: [7])])) {
            XCTAssertEqual($0 as? SchedulerError, .unknownDependency(job: 1, dependency: 7))
        }
        XCTAssertThrowsError(try make([SchedulerJob(id: 1, dependencies: [2]), SchedulerJob(id: 2, dependencies: [1]),
                                       SchedulerJob(id: 3)])) {
            XCTAssertEqual($0 as? SchedulerError, .cycle([1, 2]))
        }
        XCTAssertNoThrow(try make([]))
    }

    func testEmptyRunSucceeds() throws {
        let summary = try run([], RecordingDelegate(directory: "/", commands: [:]), options: SchedulerOptions(cores: 1))
        XCTAssertEqual(summary.outcome, .success)
        XCTAssertEqual(summary.total, 0)
    }
}
