import XCTest
@testable import FlowViews

final class ProgressModelTests: XCTestCase {
    func testCountsAndFooterMidRun() {
        var model = ProgressModel(started: 0)
        model.planned([("map", 3), ("sort", 3), ("all", 1)])
        model.started(jobid: 1, rule: "map", wildcards: "sample=A", at: 0)
        model.started(jobid: 2, rule: "map", wildcards: "sample=B", at: 0)
        model.submitted(jobid: 2, executor: "slurm", externalID: "4242")
        model.ended(jobid: 1, rule: "map", succeeded: true, at: 10)
        model.started(jobid: 3, rule: "map", wildcards: "sample=C", at: 10)
        model.ended(jobid: 3, rule: "map", succeeded: false, at: 12)
        XCTAssertEqual(model.done, 1)
        XCTAssertEqual(model.failed, 1)
        XCTAssertEqual(model.running.count, 1)
        XCTAssertEqual(model.queued, 4)
        let lines = model.footer(now: 15, width: 100, maxLines: 10, colors: false)
        XCTAssertTrue(lines[0].contains("1/7 done, 1 running, 4 queued, 1 failed"), lines[0])
        XCTAssertTrue(lines[0].contains("| 0:15, ~"), lines[0])
        XCTAssertTrue(lines.contains { $0.contains("map") && $0.contains("1/3 done, 1 running, 1 failed") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("> map sample=B (job 2, slurm 4242) 0:15") }, "\(lines)")
        XCTAssertTrue(lines.allSatisfy { $0.count < 100 })
        // A retried job is not a failure any more.
        model.retrying(rule: "map")
        XCTAssertEqual(model.failed, 0)
    }

    func testEstimateUsesTheRuleMean() {
        var model = ProgressModel(started: 0)
        model.planned([("a", 4)])
        XCTAssertNil(model.estimatedSecondsLeft(now: 0))
        model.started(jobid: 0, rule: "a", wildcards: "", at: 0)
        model.ended(jobid: 0, rule: "a", succeeded: true, at: 10)
        // 3 jobs of 10 s each, one at a time.
        XCTAssertEqual(model.estimatedSecondsLeft(now: 10)!, 30, accuracy: 1e-9)
        model.started(jobid: 1, rule: "a", wildcards: "", at: 10)
        model.started(jobid: 2, rule: "a", wildcards: "", at: 10)
        // 30 s of work, 8 s already done by the two running ones, two at a time.
        XCTAssertEqual(model.estimatedSecondsLeft(now: 14)!, 11, accuracy: 1e-9)
    }

    func testNarrowTerminalAndManyJobs() {
        var model = ProgressModel(started: 0)
        model.planned([("very_long_rule_name_indeed", 50)])
        for j in 0..<20 { model.started(jobid: j, rule: "very_long_rule_name_indeed", wildcards: "sample=S\(j)", at: 0) }
        let lines = model.footer(now: 1, width: 40, maxLines: 6, colors: false)
        XCTAssertLessThanOrEqual(lines.count, 6)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 39 }, "\(lines)")
        XCTAssertTrue(lines.last!.contains("more running"), "\(lines)")
    }

    func testClock() {
        XCTAssertEqual(ProgressModel.clock(75), "1:15")
        XCTAssertEqual(ProgressModel.clock(3725), "1:02:05")
    }
}
