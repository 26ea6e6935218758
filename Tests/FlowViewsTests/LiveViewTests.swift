import Foundation
import XCTest
import FlowEngine
@testable import FlowViews

final class LiveViewTests: XCTestCase {
    /// A view writing into a scratch file; returns the view and a reader of what it wrote.
    private func makeView(interval: Double = 0.1) throws -> (LiveView, () -> String, () -> Void) {
        let path = NSTemporaryDirectory() + "flow-live-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let view = LiveView(printShellCommands: false, interval: interval, output: fd)
        return (view, { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }, { close(fd); unlink(path) })
    }

    private func job(_ id: Int, _ rule: String = "copy") -> JobReport {
        JobReport(jobid: id, rule: rule, wildcards: [("sample", "s\(id)")])
    }

    /// 20,000 jobs reported as fast as possible: the footer is drawn at most 10 times a second (plus the
    /// first and last draw), and every finished job's line still reaches the terminal, in order.
    func testRedrawsAreRateLimited() throws {
        let (view, written, done) = try makeView()
        defer { done() }
        let n = 20_000
        view.jobStats([("copy", n)])
        let start = Date()
        for i in 0..<n {
            view.jobStarted(job(i), dryRun: false)
            view.jobSubmitted(jobid: i, attempt: 1, executor: "local", externalID: String(1000 + i))
            view.jobFinished(job(i))
            view.progress(done: i + 1, total: n)
        }
        let seconds = Date().timeIntervalSince(start)
        view.info("Complete.")
        view.finish()
        let text = written()
        let draws = text.components(separatedBy: "done, ").count - 1
        XCTAssertGreaterThanOrEqual(draws, 1)
        XCTAssertLessThanOrEqual(Double(draws), seconds * 10 + 4, "\(draws) draws in \(seconds) s")
        let finished = text.split(separator: "\n").filter { $0.contains("Finished jobid:") }
        XCTAssertEqual(finished.count, n)
        XCTAssertTrue(finished.first!.contains("Finished jobid: 0 (Rule: copy) sample=s0"))
        XCTAssertTrue(finished.last!.contains("Finished jobid: \(n - 1) "))
        // The last draw erases the footer and leaves the log: "Complete." is the last line.
        XCTAssertTrue(text.hasSuffix("Complete.\n") || text.hasSuffix("Complete.\n\r\u{1B}[J"), String(text.suffix(200)).debugDescription)
    }

    /// What a footer line takes on the screen: colours take no room, a bar character takes one column.
    func testVisibleWidthSkipsEscapeSequences() {
        XCTAssertEqual(Terminal.visibleWidth("\u{1B}[1m██░ 1/7 done\u{1B}[0m"), 12)
        XCTAssertEqual(Terminal.visibleWidth("\u{1B}[31mx\u{1B}[0m\u{1B}[2my"), 2)
        XCTAssertEqual(Terminal.visibleWidth("plain"), 5)
    }

    /// Before any job runs (planning, a dry run) the view is plain text: no footer, no cursor movement.
    func testDryRunIsPlainText() throws {
        let (view, written, done) = try makeView()
        defer { done() }
        view.buildingDAG()
        view.jobStats([("copy", 2)])
        view.jobStarted(job(0), dryRun: true)
        view.dryRunFinished([("copy", 2)], reasons: [])
        view.finish()
        let text = written()
        XCTAssertTrue(text.contains("Building DAG of jobs..."))
        XCTAssertTrue(text.contains("This was a dry-run"))
        XCTAssertFalse(text.contains("\u{1B}[J"))
        XCTAssertFalse(text.contains("done, "))
    }

    /// The footer drawn mid-run has the counts of the events so far, and the erase sequence moves up
    /// exactly as many lines as the previous footer had. (A long interval: only the flushes draw.)
    func testFooterMidRunAndErase() throws {
        let (view, written, done) = try makeView(interval: 10)
        defer { done() }
        view.jobStats([("copy", 3), ("all", 1)])
        view.jobStarted(job(0), dryRun: false)
        view.jobStarted(job(1), dryRun: false)
        view.jobFinished(job(0))
        XCTAssertFalse(written().contains("done, "), "events alone never write to the terminal")
        view.flush()
        let text = written()
        XCTAssertTrue(text.contains("1/4 done, 1 running, 2 queued, 0 failed"), text.debugDescription)
        // Footers: 1 head + 2 rules + 1 running job = 4 lines, erased with ESC[4A before the next draw.
        view.flush()
        XCTAssertTrue(written().contains("\r\u{1B}[4A\u{1B}[J"), written().debugDescription)
        view.finish()
    }
}
