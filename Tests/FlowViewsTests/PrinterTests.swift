import Foundation
import XCTest
import FlowEngine
@testable import FlowViews

/// Collects what a printer writes.
final class CollectingSink: TextSink {
    var out = ""
    var err = ""
    func write(_ bytes: [UInt8]) { out += String(decoding: bytes, as: UTF8.self) }
    func writeError(_ text: String) { err += text }
}

final class PrinterTests: XCTestCase {
    private let job = JobReport(jobid: 3, rule: "map", output: ["out/a.txt"], reason: "Missing output files: out/a.txt",
                                wildcards: [("sample", "a")])

    /// Snakemake's colours: the job block green, an error red, a warning yellow; plain text without colours.
    func testColours() {
        let sink = CollectingSink()
        let printer = Printer(quiet: false, printShellCommands: false, colors: true, sink: sink)
        printer.jobStarted(job, dryRun: false)
        printer.jobFailed(job, exitStatus: 1, reason: "command exited with non-zero exit code", removedOutputs: [], logTail: nil)
        printer.warning("careful")
        printer.flush()
        XCTAssertTrue(sink.out.contains("\u{1B}[32mrule map:\u{1B}[0m"), sink.out.debugDescription)
        XCTAssertTrue(sink.out.contains("\u{1B}[32m    wildcards: sample=a\u{1B}[0m"))
        XCTAssertTrue(sink.err.hasPrefix("\u{1B}[31m["), sink.err.debugDescription)
        XCTAssertTrue(sink.err.contains("Error in rule map:"))
        XCTAssertTrue(sink.err.hasSuffix("\u{1B}[33mcareful\u{1B}[0m\n"))

        let plain = CollectingSink()
        let plainPrinter = Printer(quiet: false, printShellCommands: false, colors: false, sink: plain)
        plainPrinter.jobStarted(job, dryRun: false)
        plainPrinter.warning("careful")
        plainPrinter.flush()
        XCTAssertFalse(plain.out.contains("\u{1B}") || plain.err.contains("\u{1B}"))
        XCTAssertTrue(plain.out.contains("\nrule map:\n    output: out/a.txt\n    jobid: 3\n"))
    }

    /// With --dag and friends, "Building DAG of jobs..." goes to standard error: standard output is the graph.
    func testMessagesToStandardError() {
        let sink = CollectingSink()
        let printer = Printer(quiet: false, printShellCommands: false, messagesToStandardError: true, sink: sink)
        printer.buildingDAG()
        printer.flush()
        XCTAssertEqual(sink.out, "")
        XCTAssertEqual(sink.err, "Building DAG of jobs...\n")
    }

    /// NO_COLOR (any value) and --nocolor turn colours and the live view off; so does a dumb terminal.
    func testColourChoice() {
        XCTAssertFalse(Terminal.wantsColors(nocolor: true, environment: [:]))
        XCTAssertFalse(Terminal.wantsColors(nocolor: false, environment: ["NO_COLOR": ""]))
        XCTAssertFalse(Terminal.wantsLiveView(quiet: true, nocolor: false, environment: [:]))
        // The test's standard output is not a terminal under `swift test` piped to a file.
        if isatty(1) == 0 { XCTAssertFalse(Terminal.wantsColors(nocolor: false, environment: ["TERM": "xterm"])) }
    }
}
