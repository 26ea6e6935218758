// SummaryTests: the per-output status data behind --summary, against an in-memory file system.
import XCTest
@testable import FlowState

final class SummaryTests: XCTestCase {
    func testStatusesFromRecordsMarkersAndFiles() throws {
        let workdir = try makeWorkdir()
        defer { removeWorkdir(workdir) }
        let store = try StateStore(workdir: workdir)
        var meta = sampleRecord(1)
        meta.outputMtime = 100
        try store.record(outputs: ["ok", "touched", "gone"], meta: meta)
        try store.markIncomplete(paths: ["half"], runID: "r")
        let disk: [String: Double] = ["ok": 100, "touched": 250, "manual": 7, "half": 3]

        let summary = try store.summary(for: ["ok", "touched", "gone", "manual", "half", "never"]) { disk[$0] }
        XCTAssertEqual(summary.map(\.path), ["ok", "touched", "gone", "manual", "half", "never"])
        XCTAssertEqual(summary.map(\.status), [.ok, .modified, .missing, .noRecord, .incomplete, .missing])
        XCTAssertEqual(summary.map(\.exists), [true, true, false, true, true, false])
        XCTAssertEqual(summary.map(\.rule), ["copy", "copy", "copy", nil, nil, nil])
        XCTAssertEqual(summary[1].mtime, 250)
        XCTAssertEqual(summary[0].record?.shellCommand, "cp in/s1.txt out/s1.txt")
    }

    func testRealFileSystemStat() throws {
        let workdir = try makeWorkdir()
        defer { removeWorkdir(workdir) }
        let store = try StateStore(workdir: workdir)
        let path = workdir + "/file.txt"
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        let summary = try store.summary(for: [path, workdir + "/missing"])
        XCTAssertEqual(summary.map(\.exists), [true, false])
        XCTAssertEqual(summary[0].status, .noRecord)
        XCTAssertEqual(summary[0].mtime ?? 0, Date().timeIntervalSince1970, accuracy: 60)
    }
}
