// Job groups in a run on a remote back end: a group's jobs go out as ONE submission that runs them
// in dependency order inside it (a member reads what the one before it made in the same job
// directory, never staged), each member is recorded on its own (a second run has nothing to do),
// `--groups` and `--group-components` shape the groups, and a failing member fails alone while the
// member before it keeps its output.

import Foundation
import XCTest
import FlowExec
import FlowState
import FlowStorage
import FlowSystem
@testable import FlowEngine

final class GroupRunTests: WorkdirTestCase {
    private func snakefile(groups: Bool) -> String {
        let group = groups ? "\n    group: \"chain\"" : ""
        return """
        localrules: all

        rule all:
            input: expand("c{i}.txt", i=[1, 2]), "solo.txt"

        rule a:
            output: "a{i}.txt"\(group)
            shell: "echo a{wildcards.i} > {output}"

        rule b:
            input: "a{i}.txt"
            output: "b{i}.txt"\(group)
            shell: "cat {input} > {output}; echo b{wildcards.i} >> {output}"

        rule c:
            input: "b{i}.txt"
            output: "c{i}.txt"\(group)
            shell: "cat {input} > {output}; echo c{wildcards.i} >> {output}"

        rule solo:
            output: "solo.txt"
            shell: "echo solo > {output}"
        """
    }

    private func run(_ executor: Executor, configure: (inout EngineOptions) -> Void = { _ in }) throws -> (Int32, RecordingReporter) {
        var options = EngineOptions()
        options.directory = directory
        options.cores = 2
        options.executor = executor.name
        options.latencyWait = 1
        configure(&options)
        let reporter = RecordingReporter()
        defer { FileManager.default.changeCurrentDirectoryPath(originalDirectory) }
        return (try Engine(options: options, reporter: reporter, storage: Storage(), executor: executor).run(), reporter)
    }

    private func isolated() -> IsolatedExecutor {
        IsolatedExecutor(storage: Storage(), root: directory + "/.backend")
    }

    func testAGroupIsOneSubmissionThatRunsItsJobsInDependencyOrder() throws {
        try snakefile(groups: true).write(toFile: directory + "/Snakefile", atomically: true, encoding: .utf8)
        let executor = isolated()
        let (status, reporter) = try run(executor)
        XCTAssertEqual(status, 0, "\(reporter.failed.map(\.reason)) \(executor.submitted.map { executor.logs($0.externalName) ?? "" })")
        // Two chains (two connected parts of group "chain") and the ungrouped job: three submissions.
        XCTAssertEqual(executor.submitted.count, 3, "\(executor.submitted.map(\.name))")
        let groups = executor.submitted.filter { $0.group != nil }
        XCTAssertEqual(groups.count, 2)
        for group in groups {
            XCTAssertEqual(group.group?.members.map(\.spec.name), ["a", "b", "c"])
            // Only what comes from outside is staged in: nothing, here; b and c read what a and b
            // made in the same job directory.
            XCTAssertEqual(group.inputs, [])
        }
        XCTAssertEqual(readText("c1.txt"), "a1\nb1\nc1\n")
        XCTAssertEqual(readText("c2.txt"), "a2\nb2\nc2\n")
        // Every member was recorded as made: nothing left to do.
        XCTAssertEqual(reporter.finished.map(\.rule).sorted(), ["a", "a", "all", "b", "b", "c", "c", "solo"])
        let (again, second) = try run(isolated())
        XCTAssertEqual(again, 0)
        XCTAssertEqual(second.nothingToDoCalls, 1)
    }

    func testGroupComponentsPutConnectedPartsTogetherAndGroupsOverrideTheWorkflow() throws {
        try snakefile(groups: false).write(toFile: directory + "/Snakefile", atomically: true, encoding: .utf8)
        let executor = isolated()
        let (status, reporter) = try run(executor) { options in
            options.groups = ["a": "chain", "b": "chain", "c": "chain"]
            options.groupComponents = ["chain": 2]
        }
        XCTAssertEqual(status, 0, "\(reporter.failed.map(\.reason))")
        XCTAssertEqual(executor.submitted.count, 2, "\(executor.submitted.map(\.name))")
        let group = try XCTUnwrap(executor.submitted.first { $0.group != nil })
        XCTAssertEqual(group.group?.members.count, 6)
        XCTAssertEqual(group.name, "chain_a_b_c")
        XCTAssertEqual(readText("c2.txt"), "a2\nb2\nc2\n")
    }

    func testAFailingMemberFailsAloneAndTheMemberBeforeItKeepsItsOutput() throws {
        try """
        localrules: all

        rule all:
            input: "b.txt"

        rule a:
            output: "a.txt"
            group: "g"
            shell: "echo a > {output}"

        rule b:
            input: "a.txt"
            output: "b.txt"
            group: "g"
            shell: "touch {output}; exit 4"
        """.write(toFile: directory + "/Snakefile", atomically: true, encoding: .utf8)
        let cluster = try DirectoryCluster(directory: directory + "/.cluster")
        let (status, reporter) = try run(cluster)
        XCTAssertEqual(status, 1)
        XCTAssertEqual(cluster.events("submitted").count, 1)
        XCTAssertEqual(reporter.finished.map(\.rule), ["a"])
        XCTAssertEqual(reporter.failed.map(\.job.rule), ["b"])
        XCTAssertEqual(reporter.failed.first?.exitStatus, 4)
        XCTAssertEqual(readText("a.txt"), "a\n")
        XCTAssertFalse(LocalFiles.exists(directory + "/b.txt"), "a failed job's output is removed")
    }

    func testAGroupThatFinishedWhileFlowWasAwayCountsForEachOfItsJobs() throws {
        try """
        localrules: all

        rule all:
            input: "b.txt"

        rule a:
            output: "a.txt"
            group: "g"
            shell: "echo a > {output}"

        rule b:
            input: "a.txt"
            output: "b.txt"
            group: "g"
            shell: "cat {input} > {output}"
        """.write(toFile: directory + "/Snakefile", atomically: true, encoding: .utf8)
        // What a killed flow left: its group's job finished on the cluster, the members' outputs
        // written and still marked incomplete.
        let cluster = try DirectoryCluster(directory: directory + "/.cluster")
        try LocalFiles.writeAtomically("succeeded", to: directory + "/.cluster/earlier-group.state")
        try LocalFiles.writeAtomically("a\n", to: directory + "/a.txt")
        LocalFiles.setMtime(directory + "/a.txt", seconds: Date().timeIntervalSince1970 - 10)
        try LocalFiles.writeAtomically("a\n", to: directory + "/b.txt")
        let store = try StateStore(workdir: directory)
        try store.markIncomplete(paths: ["a.txt", "b.txt"], runID: "earlier")
        try store.putExternalJob(ExternalJob(executor: cluster.name, externalID: "earlier-group", runID: "earlier",
                                             jobKey: JobGroup.key(id: "g", memberKeys: ["a", "b"]), submittedAt: 1))
        try store.flush()
        let (status, reporter) = try run(cluster)
        XCTAssertEqual(status, 0, "\(reporter.failed.map(\.reason))")
        XCTAssertTrue(reporter.infos.contains("1 jobs of a previous run finished while flow was not running."), "\(reporter.infos)")
        XCTAssertEqual(cluster.events("submitted"), [], "nothing runs twice")
    }

    private func readText(_ path: String) -> String? {
        try? String(contentsOfFile: directory + "/" + path, encoding: .utf8)
    }
}
