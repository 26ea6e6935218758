// ChildProcessEntry: what the test binary does when re-run as a child (see TestSupport). In a
// normal test run the environment variable is absent and the test returns at once.
import Foundation
import XCTest
@testable import FlowState

final class ChildProcessEntry: XCTestCase {
    func testChildRole() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let roleName = environment["FLOW_STATE_CHILD_ROLE"], let role = ChildRole(rawValue: roleName),
              let workdir = environment["FLOW_STATE_CHILD_WORKDIR"] else { return }
        let ready = workdir + "/child-ready"
        switch role {
        case .holdLock:
            let lock = try WorkdirLock.acquire(workdir: workdir, runID: "child-run")
            _ = FileManager.default.createFile(atPath: ready, contents: nil)
            sleep(120)
            lock.release()
        case .writeLoop:
            let store = try StateStore(workdir: workdir)
            // Continue numbering after what earlier (killed) children committed.
            var index = try store.recordCount() + 1
            var reported = false
            while true {
                // One step of a scheduler: job `index` starts, job `index - 1` finishes.
                store.enqueue { batch in
                    batch.markIncomplete(paths: ["out/\(index)"], runID: "child")
                    if index > 1 {
                        batch.record(outputs: ["out/\(index - 1)"], meta: sampleRecord(index - 1))
                        batch.clearIncomplete(paths: ["out/\(index - 1)"])
                    }
                }
                try store.flush()
                if !reported {
                    _ = FileManager.default.createFile(atPath: ready, contents: nil)
                    reported = true
                }
                index += 1
            }
        }
    }
}
