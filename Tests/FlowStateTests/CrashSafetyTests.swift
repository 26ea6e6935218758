// CrashSafetyTests: a flow killed with SIGKILL at any moment leaves a database that opens,
// passes SQLite's integrity check and keeps its incomplete markers consistent with its records.
import Foundation
import XCTest
@testable import FlowState

final class CrashSafetyTests: XCTestCase {
    func testKill9DuringWritesLeavesConsistentDatabase() throws {
        let workdir = try makeWorkdir()
        defer { removeWorkdir(workdir) }
        var committed = 0
        for round in 0..<3 {
            try? FileManager.default.removeItem(atPath: workdir + "/child-ready")
            let child = try ChildProcess(role: .writeLoop, workdir: workdir)
            try child.waitUntilReady()
            usleep(UInt32.random(in: 20_000...300_000))  // kill at an arbitrary point of the loop
            child.kill9()

            let store = try StateStore(workdir: workdir)
            let check = try store.locked { () -> String in
                let query = try store.db.prepare("PRAGMA integrity_check")
                return try query.step() ? query.string(0) : "no answer"
            }
            XCTAssertEqual(check, "ok", "round \(round)")
            // The child's step k commits "out/k incomplete, out/k-1 recorded and complete" at
            // once, so exactly one marker remains, for the output after the last recorded one.
            let records = try store.recordCount()
            XCTAssertEqual(try store.incompletePaths(), ["out/\(records + 1)"], "round \(round)")
            XCTAssertEqual(try store.records(for: ["out/\(records)"])["out/\(records)"]?.jobKey,
                           records == 0 ? nil : "copy[sample=s\(records)]")
            XCTAssertGreaterThanOrEqual(records, committed, "committed work is never lost")
            committed = records
        }
        XCTAssertGreaterThan(committed, 0)
    }
}
