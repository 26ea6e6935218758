// The DAG's part of the default storage provider: input functions' results and file targets are
// mapped to storage queries, as the workflow maps rule files when it is loaded.

import Foundation
import FlowDAG
import FlowStorage
import FlowLang
import FlowWorkflow
import XCTest

final class DefaultStorageTests: XCTestCase {
    func testInputFunctionResultsAndTargetsGetTheDefaultStoragePrefix() throws {
        let dir = NSTemporaryDirectory() + "flow-dag-storage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        rule make:
            input: "data/{x}.csv", lambda w: ["fn/" + w.x + ".txt", local("here/" + w.x), "mem://other/" + w.x]
            output: "results/{x}.txt"
            shell: "x"
        """.write(toFile: dir + "/Snakefile", atomically: true, encoding: .utf8)
        let remote = InMemoryStorage(["mem://bkt/run1/data/a.csv": 1, "mem://bkt/run1/fn/a.txt": 1, "mem://other/a": 1])
        let storage = Storage(local: InMemoryStorage(["here/a": 1]), adapters: ["mem": remote])
        var options = WorkflowOptions(snakefile: dir + "/Snakefile")
        options.storage = storage
        options.defaultStorageProvider = "mem"
        options.defaultStoragePrefix = "mem://bkt/run1"
        let workflow = try WorkflowLoader.load(options)

        let dag = try DAG(workflow: workflow, storage: storage, targets: ["results/a.txt"])
        let job = try XCTUnwrap(dag.job(producing: "mem://bkt/run1/results/a.txt"))
        XCTAssertEqual(dag.inputPaths(of: job), ["mem://bkt/run1/data/a.csv", "mem://bkt/run1/fn/a.txt", "here/a", "mem://other/a"])
        XCTAssertEqual(dag.jobs[job].inputFlags, [.storage, .storage, .local, .storage])
        XCTAssertNil(storage.firstError)
    }
}
