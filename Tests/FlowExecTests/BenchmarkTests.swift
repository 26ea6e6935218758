// Throughput benchmark (performance.md §6: trivial jobs at --cores 2 vs `make -j2`). Runs only
// with FLOW_BENCH=1 (best in release: swift test -c release -Xswiftc -enable-testing); prints
// times, asserts nothing about them.

import XCTest
import Glibc
@testable import FlowExec
import FlowSystem

/// The leanest possible engine: a spec per job, nothing recorded.
private final class MinimalDelegate: SchedulerDelegate {
    let directory: String
    let command: String
    init(directory: String, command: String) {
        self.directory = directory
        self.command = command
    }
    func prepare(job: Int, attempt: Int) throws -> JobSpec {
        JobSpec(id: job, name: "bench", attempt: attempt, runID: "bench", command: .shell(command), workingDirectory: directory)
    }
    func jobStarted(job: Int, attempt: Int, externalID: String, executor: String) {}
    func jobFinished(job: Int, attempt: Int, result: JobResult, willRetry: Bool) {}
}

final class BenchmarkTests: XCTestCase {
    func testTrivialJobsAgainstMake() throws {
        guard let value = getenv("FLOW_BENCH"), String(cString: value) == "1" else {
            throw XCTSkip("set FLOW_BENCH=1 to run the benchmark")
        }
        let count = Int(String(cString: getenv("FLOW_BENCH_JOBS") ?? strdup("10000"))) ?? 10_000
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }

        for shape in Shape.allCases {
            // A Makefile with one phony target per job, built-in rules off (performance.md §4.6).
            let targets = (0..<count).map { "j\($0)" }.joined(separator: " ")
            var makefile = "MAKEFLAGS += --no-builtin-rules\n.SUFFIXES:\n.PHONY: all \(targets)\nall: \(targets)\n"
            for index in 0..<count {
                let dependency = shape.dependency(of: index).map { " j\($0)" } ?? ""
                makefile += "j\(index):\(dependency)\n\t@true\n"
            }
            try LocalFiles.writeAtomically(makefile, to: directory + "/Makefile", mode: 0o644)

            for round in 1...2 {
                let flow = try timeScheduler(shape, count: count, directory: directory, directExec: true)
                let flowBash = try timeScheduler(shape, count: count, directory: directory, directExec: false)
                let make = try timeMake(directory: directory)
                print(String(format: "bench %@ round %d, %d jobs, --cores 2: flow %.2f s (%.0f j/s), flow via bash %.2f s, make -j2 %.2f s; flow/make %.2f",
                             "\(shape)", round, count, flow, Double(count) / flow, flowBash, make, flow / make))
            }
        }
    }

    /// fanout: independent jobs; chain: count/4 chains of four steps (performance.md §1).
    private enum Shape: CaseIterable {
        case fanout, chain

        func dependency(of index: Int) -> Int? {
            self == .chain && index % 4 != 0 ? index - 1 : nil
        }
    }

    private func timeScheduler(_ shape: Shape, count: Int, directory: String, directExec: Bool) throws -> Double {
        let jobs = (0..<count).map { SchedulerJob(id: $0, dependencies: shape.dependency(of: $0).map { [$0] } ?? []) }
        let delegate = MinimalDelegate(directory: directory, command: "true")
        let executor = try LocalExecutor(options: .init(directExec: directExec))
        let start = MonotonicClock.now()
        let cpuBefore = selfCPU()
        let userBefore = selfCPU(userOnly: true)
        let scheduler = try Scheduler(jobs: jobs, options: SchedulerOptions(cores: 2), delegate: delegate,
                                      localExecutor: executor)
        let summary = scheduler.run()
        let elapsed = MonotonicClock.now() - start
        print(String(format: "  flow's own CPU (directExec %@): %.1f µs per job (user %.1f)", directExec ? "on" : "off",
                     (selfCPU() - cpuBefore) / Double(count) * 1e6, (selfCPU(userOnly: true) - userBefore) / Double(count) * 1e6))
        XCTAssertEqual(summary.succeeded, count)
        return elapsed
    }

    /// User + system CPU seconds of this process (not its children).
    private func selfCPU(userOnly: Bool = false) -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + (userOnly ? 0 : seconds(usage.ru_stime))
    }

    private func timeMake(directory: String) throws -> Double {
        let executor = try LocalExecutor()
        let start = MonotonicClock.now()
        let state = runToCompletion(executor, JobSpec(id: 0, name: "make", runID: "bench", command: .shell("make -j2 -s"),
                                                      workingDirectory: directory), timeout: 600)
        XCTAssertEqual(state, .succeeded)
        return MonotonicClock.now() - start
    }
}
