// OrphanedJobsTests: finding a killed run's job processes on this host (by the run marker in
// their environment, or by a recorded process group whose first process is still the one that
// was recorded) and ending them; nothing of another run, or of a reused pid, is touched.
import Foundation
import XCTest
@testable import FlowState

final class OrphanedJobsTests: XCTestCase {
    var workdir = ""
    private var groups: [Int] = []

    override func setUpWithError() throws {
        workdir = try makeWorkdir()
        guard FileManager.default.fileExists(atPath: "/proc/self/environ") else { throw XCTSkip("needs /proc") }
    }

    override func tearDown() {
        for group in groups {
            kill(pid_t(-group), SIGKILL)
            var status: Int32 = 0
            waitpid(pid_t(group), &status, 0)
        }
        removeWorkdir(workdir)
    }

    /// Starts `sleep 60` as the leader of its own process group (as flow starts a job), with
    /// `environment` added; returns its pid (= its group).
    private func startJob(environment: [String: String] = [:]) throws -> Int {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let entries = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = entries.map { strdup($0) } + [nil]
        let argv: [UnsafeMutablePointer<CChar>?] = ["sleep", "60"].map { (word: String) in strdup(word) } + [nil]
        defer { for pointer in envp + argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sleep", nil, &attributes, argv, envp)
        guard result == 0 else { throw XCTSkip("cannot start /bin/sleep: \(result)") }
        groups.append(Int(pid))
        return Int(pid)
    }

    private func alive(_ pid: Int) -> Bool {
        ProcessIdentity.liveness(pid: pid, host: ProcessIdentity.hostName, bootID: nil, startTicks: nil) == .alive
    }

    func testMarkedProcessesOfTheRunAreFoundAndEnded() throws {
        let run = "run-\(UUID().uuidString)"
        let job = try startJob(environment: [OrphanedJobs.runMarkerVariable: run])
        let other = try startJob(environment: [OrphanedJobs.runMarkerVariable: run + "-other"])
        let found = OrphanedJobs.find(runID: run, recorded: [])
        XCTAssertEqual(found.processCount, 1)
        XCTAssertEqual(found.strays, [job], "not in a recorded group: signalled by pid")
        XCTAssertTrue(OrphanedJobs.find(runID: "run-nobody", recorded: []).isEmpty)
        XCTAssertTrue(found.terminate(grace: 2, recorded: []))
        XCTAssertFalse(alive(job))
        XCTAssertTrue(alive(other), "another run's job is left alone")
    }

    func testRecordedGroupIsTrustedOnlyWithItsRecordedStartTime() throws {
        let run = "run-\(UUID().uuidString)"
        let job = try startJob()
        let ticks = try XCTUnwrap(ProcessIdentity.startTicks(pid: job))
        let reused = ProcessGroupRecord(runID: run, pgid: job, startTicks: ticks + 1, jobKey: "a", startedAt: 0)
        XCTAssertTrue(OrphanedJobs.find(runID: run, recorded: [reused]).isEmpty, "a reused pid is not the job")
        let recorded = [ProcessGroupRecord(runID: run, startedGroup: job, jobKey: "a", startedAt: 0)]
        let found = OrphanedJobs.find(runID: run, recorded: recorded)
        XCTAssertEqual(found.groups, [job])
        XCTAssertTrue(found.terminate(grace: 2, recorded: recorded))
        XCTAssertFalse(alive(job))
    }

    func testProcessGroupsAreStoredPerRun() throws {
        let store = try StateStore(workdir: workdir)
        let a = ProcessGroupRecord(runID: "r1", pgid: 100, startTicks: 5, jobKey: "a[x=1]", startedAt: 1)
        let b = ProcessGroupRecord(runID: "r2", pgid: 200, startTicks: nil, jobKey: "b", startedAt: 2)
        try store.putProcessGroup(a)
        try store.putProcessGroup(b)
        XCTAssertEqual(try store.processGroups(runID: "r1"), [a])
        XCTAssertEqual(try store.processGroups(), [a, b])
        store.enqueue { $0.deleteProcessGroup(runID: "r2", pgid: 200) }
        try store.flush()
        XCTAssertEqual(try store.processGroups(), [a])
        try store.deleteProcessGroups(runID: "r1")
        XCTAssertEqual(try store.processGroups(), [])
    }
}
