// Integration tests of the Slurm backend against the real test bed (scripts/slurm-up.sh);
// skipped unless `sinfo` answers. Each test uses its own run id, so job names never collide
// with earlier runs (adoption by name would otherwise pick those up). Jobs ask for 1 CPU and
// 100 MB so the two-CPU node runs them side by side with a colleague's.

import XCTest
import Glibc
@testable import FlowExec

/// Passes commands to the real runner and records them (to count sbatch and status calls).
final class RecordingRunner: CommandRunner {
    private let real = ProcessCommandRunner()
    private(set) var calls: [[String]] = []

    func run(_ arguments: [String], timeout: Double) throws -> CommandResult {
        calls.append(arguments)
        return try real.run(arguments, timeout: timeout)
    }

    func count(_ program: String) -> Int { calls.filter { $0.first == program }.count }
}

final class SlurmIntegrationTests: XCTestCase {
    private var directory = ""
    private var runID = ""

    override func setUpWithError() throws {
        let sinfo = try? ProcessCommandRunner().run(["sinfo", "--noheader", "--format=%T"], timeout: 10)
        guard let sinfo, sinfo.status == 0, !ExecutorText.trim(sinfo.stdout).isEmpty else {
            throw XCTSkip("Slurm is not up (run scripts/slurm-up.sh)")
        }
        directory = makeTemporaryDirectory()
        runID = "it-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-" + name.filter { $0.isLetter }.suffix(20)
    }

    override func tearDown() {
        if !directory.isEmpty { removeDirectory(directory) }
    }

    private func makeExecutor(_ runner: CommandRunner = ProcessCommandRunner()) -> SlurmExecutor {
        SlurmExecutor(options: .init(jobs: 100, statusChecksPerSecond: 4, minimumStatusInterval: 0.25,
                                     workdir: directory, commandTimeout: 30),
                      runner: runner)
    }

    private func spec(_ id: Int, _ command: String, resources: [String: ResourceValue] = [:]) -> JobSpec {
        JobSpec(id: id, name: "it", runID: runID, command: .shell(command), workingDirectory: directory,
                resources: ["mem_mb": .int(100)].merging(resources) { _, new in new })
    }

    /// Polls until `done` holds for the states of `ids` (each round one `poll`); returns them.
    private func waitFor(_ slurm: SlurmExecutor, _ ids: [String], timeout: Double = 60,
                         until done: ([String: ExternalJobState]) -> Bool = { $0.values.allSatisfy(\.isTerminal) }) throws -> [String: ExternalJobState] {
        var states: [String: ExternalJobState] = [:]
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            states.merge(try slurm.poll(ids)) { _, new in new }
            if states.count == ids.count && done(states) { return states }
            slurm.waitForProgress(timeout: slurm.capabilities.statusInterval, interruption: nil)
        }
        XCTFail("timed out; last states: \(states)")
        return states
    }

    func testJobSucceedsAndLogsItsOutput() throws {
        let slurm = makeExecutor()
        let id = try slurm.submit(spec(1, "echo hello from slurm; echo done > out.txt"))
        XCTAssertEqual(try waitFor(slurm, [id])[id], .succeeded)
        XCTAssertEqual(readFile(directory + "/out.txt"), "done\n")
        XCTAssertEqual(slurm.logs(id), "hello from slurm\n")
    }

    func testFailingJobReportsItsExitStatus() throws {
        let slurm = makeExecutor()
        let id = try slurm.submit(spec(1, "echo broken >&2; exit 3"))
        guard case .failed(let status, let reason)? = try waitFor(slurm, [id])[id] else {
            return XCTFail("not failed")
        }
        XCTAssertEqual(status, 3)
        XCTAssertTrue(reason.contains("FAILED"), reason)
        XCTAssertEqual(slurm.logs(id), "broken\n")
    }

    /// Slurm's smallest limit is one minute, checked every 30 s: this test takes 60–90 s
    /// (FLOW_SLURM_QUICK=1 skips it while iterating).
    func testJobPastItsRuntimeIsReportedAsTimeout() throws {
        if getenv("FLOW_SLURM_QUICK") != nil { throw XCTSkip("FLOW_SLURM_QUICK is set") }
        let slurm = makeExecutor()
        let id = try slurm.submit(spec(1, "sleep 300", resources: ["runtime": .int(1)]))
        let state = try waitFor(slurm, [id], timeout: 150)[id]
        guard case .failed(_, let reason)? = state else { return XCTFail("\(String(describing: state))") }
        XCTAssertEqual(reason, "TIMEOUT: job exceeded its runtime")
    }

    func testCancelledRunningJobLeavesNothingQueued() throws {
        let slurm = makeExecutor()
        let id = try slurm.submit(spec(1, "sleep 300"))
        _ = try waitFor(slurm, [id]) { $0[id] == .running }
        slurm.cancel([id])
        guard case .failed(_, let reason)? = try waitFor(slurm, [id], timeout: 30)[id] else { return XCTFail("not failed") }
        XCTAssertEqual(reason, "CANCELLED")
        // squeue's default states are the unfinished ones: the job must be gone from them.
        let active = try ProcessCommandRunner().run(["squeue", "--noheader", "--jobs=\(id)", "--format=%i"], timeout: 10)
        XCTAssertEqual(ExecutorText.trim(active.stdout), "")
    }

    func testFiftyQueuedJobsCostOneStatusCallPerRound() throws {
        let slurm = makeExecutor()
        // Held jobs stay PENDING, so the rounds below see 50 unfinished jobs.
        let ids = try (1...50).map { try slurm.submit(spec($0, "true", resources: ["slurm_extra": .string("--hold")])) }
        XCTAssertEqual(Set(ids).count, 50)
        defer { slurm.cancel(ids) }
        for _ in 1...3 {
            let before = slurm.statusCalls
            let states = try slurm.poll(ids)
            XCTAssertEqual(slurm.statusCalls - before, 1)
            XCTAssertEqual(states.count, 50)
            XCTAssertTrue(states.values.allSatisfy { $0 == .queued }, "\(states)")
        }
        slurm.cancel(ids)
        let before = slurm.statusCalls
        let states = try waitFor(slurm, ids, timeout: 30)
        XCTAssertTrue(states.values.allSatisfy { $0 == .failed(exitStatus: 1, reason: "CANCELLED") }, "\(states)")
        let rounds = slurm.statusCalls - before
        print("50 jobs: \(rounds) status call(s) for the rounds until all were cancelled")
    }

    func testSubmittingTheSameJobAgainAfterARestartAdoptsIt() throws {
        let first = makeExecutor()
        let job = spec(1, "true", resources: ["slurm_extra": .string("--hold")])
        let id = try first.submit(job)
        defer { first.cancel([id]) }
        // A new executor is what a restarted flow has: it knows nothing but the job's name.
        let runner = RecordingRunner()
        let second = makeExecutor(runner)
        XCTAssertEqual(try second.submit(job), id)
        XCTAssertEqual(try second.submit(job), id)
        XCTAssertEqual(runner.count("sbatch"), 0)
        XCTAssertEqual(runner.count("squeue"), 1)
        XCTAssertEqual(second.adoptions, 1)
        XCTAssertEqual(try second.poll([id])[id], .queued)
    }

    func testJobNobodyKnowsIsLostAfterConsecutiveMisses() throws {
        let runner = RecordingRunner()
        let slurm = makeExecutor(runner)
        let unknown = "99999999"
        XCTAssertEqual(try slurm.poll([unknown]), [:])
        XCTAssertEqual(try slurm.poll([unknown]), [:])
        XCTAssertEqual(try slurm.poll([unknown]), [unknown: .lost])
        // squeue does not know it, so sacct is asked too; which sacct works is found out once.
        XCTAssertEqual(runner.count("squeue"), 3)
        XCTAssertLessThanOrEqual(runner.count("sacct"), 4)
    }

    func testSchedulerRunsDependentJobsOnSlurm() throws {
        // 1 writes a; 2 and 3 read it; 4 joins them.
        let commands = [
            1: "echo a > a.txt",
            2: "cat a.txt > b.txt; echo b >> b.txt",
            3: "cat a.txt > c.txt; echo c >> c.txt",
            4: "cat b.txt c.txt > d.txt",
        ]
        let delegate = RecordingDelegate { [directory, runID] id, attempt in
            JobSpec(id: id, name: "r\(id)", attempt: attempt, runID: runID, command: .shell(commands[id]!),
                    workingDirectory: directory, resources: ["mem_mb": .int(100), "runtime": .string("5m")])
        }
        let jobs = [SchedulerJob(id: 1), SchedulerJob(id: 2, dependencies: [1]), SchedulerJob(id: 3, dependencies: [1]),
                    SchedulerJob(id: 4, dependencies: [2, 3])]
        let runner = RecordingRunner()
        let slurm = makeExecutor(runner)
        let scheduler = try Scheduler(jobs: jobs, options: SchedulerOptions(cores: 2), delegate: delegate,
                                      localExecutor: try LocalExecutor(), remoteExecutor: slurm)
        let start = MonotonicClock.now()
        let summary = scheduler.run()
        XCTAssertEqual(summary.outcome, .success, "\(delegate.finished)")
        XCTAssertEqual(summary.succeeded, 4)
        XCTAssertEqual(readFile(directory + "/d.txt"), "a\nb\na\nc\n")
        XCTAssertEqual(slurm.submissions, 4)
        // Every status round was one squeue (plus the one squeue for jobs left behind, before
        // the first submission); nothing needed sacct or scontrol.
        XCTAssertEqual(runner.count("squeue"), slurm.statusCalls + 1)
        XCTAssertEqual(runner.count("sacct") + runner.count("scontrol"), 0)
        print("scheduler on Slurm: 4 jobs in \(MonotonicClock.now() - start) s, \(slurm.statusCalls) status calls")
    }
}
