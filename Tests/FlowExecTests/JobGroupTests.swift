// Tests for job groups as one job: the group's spec (files, resources, stages) and its script, run
// by the local executor: members in dependency order, pipes streaming between members that run at
// the same time, a failing member stopping what comes after it, a service stopped once its
// consumers are done, and every member's exit status reported.

import XCTest
import Glibc
@testable import FlowExec
import FlowSystem

final class JobGroupTests: XCTestCase {
    private var directory = ""

    override func setUp() { directory = makeTemporaryDirectory() }
    override func tearDown() { removeDirectory(directory) }

    private func member(_ id: Int, _ name: String, _ command: String, inputs: [String] = [], outputs: [String] = [],
                        threads: Int = 1, resources: [String: ResourceValue] = [:], after: [Int] = [],
                        pipes: [String] = [], services: [String] = []) -> JobGroupMember {
        JobGroupMember(spec: JobSpec(id: id, name: name, key: "\(name)[\(id)]", runID: "run", command: .shell(command),
                                     workingDirectory: directory, threads: threads, resources: resources,
                                     inputs: inputs.map { JobFile($0) }, outputs: outputs.map { JobFile($0) }),
                       dependencies: after, pipes: pipes, services: services)
    }

    private func run(_ group: JobGroup, limits: [String: Int] = [:]) throws -> (JobSpec, ExternalJobState, [Int: Int32]) {
        let spec = try group.spec(runID: "run", attempt: 1, workingDirectory: directory, limits: limits)
        let state = runToCompletion(try LocalExecutor(), spec, timeout: 60)
        let status = readFile(directory + "/" + JobGroup.statusFile(of: spec)) ?? ""
        return (spec, state, JobGroup.outcomes(status))
    }

    func testMembersRunInDependencyOrderAsOneJobAndEachReportsItsStatus() throws {
        let group = JobGroup(id: "g", members: [
            member(1, "a", "echo a >> order; cat in.txt > a.txt", inputs: ["in.txt"], outputs: ["a.txt"]),
            member(2, "b", "sleep 0.2; echo b >> order; cat a.txt > b.txt", inputs: ["a.txt"], outputs: ["b.txt"], after: [0]),
            member(3, "c", "echo c >> order; cat b.txt a.txt > c.txt", inputs: ["b.txt", "a.txt"], outputs: ["c.txt"], after: [1, 0]),
        ])
        try "x\n".write(toFile: directory + "/in.txt", atomically: true, encoding: .utf8)
        let (spec, state, outcomes) = try run(group)
        XCTAssertEqual(state, .succeeded)
        XCTAssertEqual(readFile(directory + "/order"), "a\nb\nc\n")
        XCTAssertEqual(readFile(directory + "/c.txt"), "x\nx\n")
        XCTAssertEqual(outcomes, [1: 0, 2: 0, 3: 0])
        XCTAssertEqual(spec.group?.stages, [[0], [1], [2]])
        // What flows in from outside is staged in; what members make is the group's output.
        XCTAssertEqual(spec.inputs.map(\.location), ["in.txt"])
        XCTAssertEqual(spec.outputs.map(\.location), ["a.txt", "b.txt", "c.txt", JobGroup.statusFile(of: spec)])
        XCTAssertEqual(spec.key, "group g: a[1], b[2], c[3]")
        XCTAssertEqual(spec.name, "g_a_b_c")
    }

    func testPipeStreamsWhileTheProducerStillWrites() throws {
        // The producer writes its second line only after the consumer has read the first: this can
        // only finish if both run at once, joined by a FIFO.
        let producer = """
            exec 3> stream.txt; echo 1 >&3
            for i in $(seq 100); do [ -e got1 ] && break; sleep 0.1; done
            [ -e got1 ]; echo 2 >&3; exec 3>&-
            """
        let consumer = "while read -r line; do echo \"$line\" >> seen; touch got$line; done < stream.txt; cp seen out.txt"
        let group = JobGroup(id: "p", members: [
            member(1, "produce", producer, outputs: ["stream.txt"], pipes: ["stream.txt"]),
            member(2, "consume", consumer, inputs: ["stream.txt"], outputs: ["out.txt"], after: [0]),
        ])
        let (spec, state, outcomes) = try run(group)
        XCTAssertEqual(state, .succeeded)
        XCTAssertEqual(outcomes, [1: 0, 2: 0])
        XCTAssertEqual(readFile(directory + "/out.txt"), "1\n2\n")
        XCTAssertEqual(spec.group?.stages, [[0, 1]])
        var st = stat()
        XCTAssertEqual(lstat(directory + "/stream.txt", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO)
        // A pipe is never a file to stage.
        XCTAssertFalse(spec.outputs.contains { $0.location == "stream.txt" })
    }

    func testAFailingMemberStopsItsStageAndTheStagesAfterIt() throws {
        let group = JobGroup(id: "f", members: [
            member(1, "ok", "echo ok > ok.txt", outputs: ["ok.txt"]),
            member(2, "bad", "cat ok.txt; exit 3", inputs: ["ok.txt"], after: [0]),
            member(3, "slow", "sleep 30; touch slow.txt", outputs: ["slow.txt"], after: [0]),
            member(4, "later", "touch later.txt", inputs: ["ok.txt"], outputs: ["later.txt"], after: [1]),
        ])
        let started = MonotonicClock.now()
        let (_, state, outcomes) = try run(group)
        XCTAssertEqual(state, .failed(exitStatus: 3, reason: "exit status 3"))
        XCTAssertLessThan(MonotonicClock.now() - started, 20, "the failure stops the sleeping member of its stage")
        XCTAssertEqual(outcomes[1], 0)
        XCTAssertEqual(outcomes[2], 3)
        XCTAssertEqual(outcomes[3], 143)
        XCTAssertNil(outcomes[4], "a later stage never starts")
        XCTAssertFalse(LocalFiles.exists(directory + "/later.txt"))
        XCTAssertFalse(LocalFiles.exists(directory + "/slow.txt"))
    }

    func testServiceRunsUntilItsConsumersAreDoneAndCountsAsSuccess() throws {
        let group = JobGroup(id: "s", members: [
            member(1, "serve", "sleep 0.3; ln -s /dev/zero sock; sleep 1000", outputs: ["sock"], services: ["sock"]),
            member(2, "use", "head -c 4 sock | wc -c > n1.txt", inputs: ["sock"], outputs: ["n1.txt"], after: [0]),
            member(3, "use", "head -c 8 sock | wc -c > n2.txt", inputs: ["sock"], outputs: ["n2.txt"], after: [0]),
        ])
        let started = MonotonicClock.now()
        let (_, state, outcomes) = try run(group)
        XCTAssertEqual(state, .succeeded)
        XCTAssertLessThan(MonotonicClock.now() - started, 20)
        XCTAssertEqual(outcomes, [1: 0, 2: 0, 3: 0])
        XCTAssertEqual(readFile(directory + "/n1.txt")?.trimmingCharacters(in: .whitespacesAndNewlines), "4")
        XCTAssertEqual(readFile(directory + "/n2.txt")?.trimmingCharacters(in: .whitespacesAndNewlines), "8")
    }

    func testMembersThatEndTogetherAllReportTheirStatus() throws {
        // Thirty members of one stage end within a millisecond of each other: bash files some of
        // them away while `wait -n` returns another, and every one must still be reported.
        let waiters = (1...30).map { i in
            member(i, "w", "while [ ! -e go ]; do sleep 0.01; done; echo \(i) > w\(i).txt", outputs: ["w\(i).txt"])
        }
        let group = JobGroup(id: "t", members: waiters + [member(31, "go", "sleep 0.3; touch go", outputs: ["go"])])
        let (_, state, outcomes) = try run(group)
        XCTAssertEqual(state, .succeeded)
        XCTAssertEqual(outcomes, Dictionary(uniqueKeysWithValues: (1...31).map { ($0, Int32(0)) }))
    }

    // MARK: resources

    private let units: [[String: ResourceValue]] = [
        GroupResources.unit(threads: 2, resources: ["mem_mb": .int(1000), "runtime": .int(10), "partition": .string("p")]),
        GroupResources.unit(threads: 4, resources: ["mem_mb": .int(2000), "runtime": .int(20), "partition": .string("p")]),
        GroupResources.unit(threads: 1, resources: ["mem_mb": .int(5000), "runtime": .int(5), "mem": .string("5 GB")]),
    ]

    func testResourcesOfARemoteGroupAreTheWidestLevelAndTheSummedRuntime() throws {
        let combined = try GroupResources.combine(levels: [[0, 1], [2]], units: units, limits: [:], local: false)
        XCTAssertEqual(combined.threads, 6)
        XCTAssertEqual(combined.resources, ["mem_mb": .int(5000), "runtime": .int(25), "partition": .string("p")])
        XCTAssertEqual(combined.stages, [[0, 1], [2]])
    }

    func testResourcesOfALocalGroupAddUpOverLevels() throws {
        let combined = try GroupResources.combine(levels: [[0, 1], [2]], units: units, limits: [:], local: true)
        XCTAssertEqual(combined.threads, 7)
        XCTAssertEqual(combined.resources["mem_mb"], .int(8000))
        XCTAssertEqual(combined.resources["runtime"], .int(25))
    }

    func testALevelThatExceedsALimitIsCutIntoLayersThatRunOneAfterTheOther() throws {
        let combined = try GroupResources.combine(levels: [[0, 1], [2]], units: units, limits: ["_cores": 4], local: false)
        // The longest unit goes first; the two do not fit 4 cores together.
        XCTAssertEqual(combined.stages, [[1], [0], [2]])
        XCTAssertEqual(combined.threads, 4)
        XCTAssertEqual(combined.resources["runtime"], .int(35))
        XCTAssertEqual(combined.resources["mem_mb"], .int(5000))
    }

    func testConcurrentMembersAreMergedAndChecked() throws {
        let merged = try GroupResources.merge(concurrent: [(2, ["runtime": .int(10), "mem_mb": .int(100)]),
                                                          (3, ["runtime": .int(30), "mem_mb": .int(50)])])
        XCTAssertEqual(merged, ["_cores": .int(5), "runtime": .int(30), "mem_mb": .int(150)])
        XCTAssertThrowsError(try GroupResources.combine(levels: [[0]], units: [merged], limits: ["_cores": 4], local: true)) {
            XCTAssertTrue("\($0)".contains("cores: 5/4"), "\($0)")
        }
        let a = GroupResources.unit(threads: 1, resources: ["partition": .string("a")])
        let b = GroupResources.unit(threads: 1, resources: ["partition": .string("b")])
        XCTAssertThrowsError(try GroupResources.combine(levels: [[0], [1]], units: [a, b], limits: [:], local: false)) {
            XCTAssertTrue("\($0)".contains("resource partition is a string"), "\($0)")
        }
    }
}
