// BulkLoadBenchmarkTests: how long 100k records take to write and to read back, printed for
// the planner's choice between allRecords() and records(for:). Prints times, asserts only on
// results (timing on a shared 2-core machine is too noisy to assert on).
import Foundation
import XCTest
@testable import FlowState

final class BulkLoadBenchmarkTests: XCTestCase {
    func testBulkLoad100kRecords() throws {
        let workdir = try makeWorkdir()
        defer { removeWorkdir(workdir) }
        let count = 100_000
        let paths = (0..<count).map { "results/sample\($0)/out.txt" }
        let store = try StateStore(workdir: workdir)

        var start = Date()
        store.enqueue { batch in
            for index in 0..<count { batch.record(outputs: [paths[index]], meta: sampleRecord(index)) }
        }
        try store.flush()
        let writeTime = Date().timeIntervalSince(start)

        let reopened = try StateStore(workdir: workdir)  // cold connection, as in a new flow run
        start = Date()
        let all = try reopened.allRecords()
        let allTime = Date().timeIntervalSince(start)
        start = Date()
        let all2 = try reopened.allRecords()
        let allWarmTime = Date().timeIntervalSince(start)

        start = Date()
        let some = try reopened.records(for: paths)
        let lookupTime = Date().timeIntervalSince(start)
        start = Date()
        _ = try reopened.records(for: Array(paths.prefix(1000)))
        let lookup1kTime = Date().timeIntervalSince(start)

        XCTAssertEqual(all.count, count)
        XCTAssertEqual(all2.count, count)
        XCTAssertEqual(some.count, count)
        XCTAssertEqual(all["results/sample99999/out.txt"], sampleRecord(99_999))
        print(String(format: """
            FlowState bulk benchmark, %d records: write (one flush) %.3f s; allRecords cold %.3f s,
            warm %.3f s; records(for:) all %.3f s, 1k paths %.4f s
            """, count, writeTime, allTime, allWarmTime, lookupTime, lookup1kTime))
    }
}
