// Tests of `JobStaging.Files`, the JSON a remote job carries to `flow job-files`, and staging a
// job's directory through storage from it.

import Foundation
import XCTest
@testable import FlowExec
import FlowStorage
import FlowSystem

final class JobStagingTests: XCTestCase {
    func testFilesRoundTripAndStageThroughStorage() throws {
        let files = JobStaging.Files(
            inputs: [JobFile(location: "mem://b/run1/in.txt", path: ".flow/storage/mem/b/run1/in.txt")],
            outputs: [JobFile(location: "mem://b/run1/out/x.txt", path: ".flow/storage/mem/b/run1/out/x.txt"),
                      JobFile(location: "mem://b/run1/never.txt", path: "never.txt")])
        let json = try files.json()
        XCTAssertFalse(json.contains("\n"), "one line, for a here-document")
        XCTAssertEqual(try JobStaging.Files.decode(Data(json.utf8)), files)

        let store = InMemoryStorage()
        store.write("mem://b/run1/in.txt", Array("reads\n".utf8))
        let storage = Storage(adapters: ["mem": store])
        let pod = NSTemporaryDirectory() + "flow-staging-\(getpid())-\(UUID().uuidString)"
        defer { try? LocalFiles.remove(pod) }
        try JobStaging.stageIn(files, storage: storage, into: pod)
        XCTAssertEqual(try String(contentsOfFile: pod + "/.flow/storage/mem/b/run1/in.txt", encoding: .utf8), "reads\n")
        XCTAssertTrue(LocalFiles.isDirectory(pod + "/.flow/storage/mem/b/run1/out"), "output directories made")
        try "made\n".write(toFile: pod + "/.flow/storage/mem/b/run1/out/x.txt", atomically: true, encoding: .utf8)
        let missing = try JobStaging.stageOut(files, storage: storage, from: pod)
        XCTAssertEqual(store.contents("mem://b/run1/out/x.txt"), Array("made\n".utf8))
        XCTAssertEqual(missing, [files.outputs[1]])
        XCTAssertThrowsError(try JobStaging.stageIn(JobStaging.Files(inputs: [JobFile(location: "mem://b/gone", path: "gone")], outputs: []),
                                                    storage: storage, into: pod))
    }
}
