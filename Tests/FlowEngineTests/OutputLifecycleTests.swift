// What happens to a job's outputs around it, as Snakemake does it: update() outputs come back
// when the job fails, temp() outputs nobody reads go once their job is done (before onsuccess),
// outputs are touched when the job ends (a symlink itself; a directory through its
// .snakemake_timestamp), a directory output needs directory(), a symlinked output whose
// target's source changed is rebuilt, and a shadow job's outputs reach the working directory.

import Foundation
import XCTest
import FlowSystem
@testable import FlowEngine

final class OutputLifecycleTests: WorkdirTestCase {
    private func write(_ text: String, to name: String) throws {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func read(_ name: String) -> String? { try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) }
    private func exists(_ name: String) -> Bool { LocalFiles.exists(directory + "/" + name) }

    private func lstatMtime(_ name: String) -> Double {
        var info = stat()
        XCTAssertEqual(lstat(directory + "/" + name, &info), 0, name)
        return Double(info.st_mtim.tv_sec)
    }

    private func run(_ targets: [String] = [], forceAll: Bool = false) throws -> (status: Int32, events: RecordingReporter) {
        var options = EngineOptions()
        options.directory = directory
        options.snakefile = directory + "/Snakefile"
        options.cores = 1
        options.targets = targets
        options.forceAll = forceAll
        let reporter = RecordingReporter()
        let status = try Engine(options: options, reporter: reporter).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        return (status, reporter)
    }

    func testFailedJobLeavesItsUpdateOutputAsItWas() throws {
        try write("foo\n", to: "log.txt")
        try write("", to: "in.txt")
        try write("""
            rule a:
                input: "in.txt"
                output: update("log.txt")
                shell: "echo bar >> log.txt; exit 1"
            """, to: "Snakefile")
        let (status, events) = try run(forceAll: true)
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(events.failed.count, 1)
        XCTAssertEqual(read("log.txt"), "foo\n", "restored from the backup taken before the job")
        XCTAssertFalse(exists(".flow/backups/log.txt"))

        try write("""
            rule a:
                input: "in.txt"
                output: update("log.txt")
                shell: "echo bar >> log.txt"
            """, to: "Snakefile")
        XCTAssertEqual(try run(forceAll: true).status, 0)
        XCTAssertEqual(read("log.txt"), "foo\nbar\n", "a successful job keeps what it appended")
        XCTAssertFalse(exists(".flow/backups/log.txt"), "and its backup is gone")
    }

    func testTempOutputNoJobReadsIsGoneBeforeOnsuccess() throws {
        try write("""
            onsuccess:
                shell("test -e a && test ! -e b && touch onsuccess-saw-it")

            rule a:
                output: "a", temp("b")
                shell: "touch a b"
            """, to: "Snakefile")
        XCTAssertEqual(try run().status, 0)
        XCTAssertTrue(exists("a"))
        XCTAssertFalse(exists("b"))
        XCTAssertTrue(exists("onsuccess-saw-it"))
    }

    func testDirectoryOutputsNeedDirectoryFlagAndTouchedDirectoriesAreMade() throws {
        try write("""
            rule dir_expecting_file:
                output: "is_a_dir"
                shell: "mkdir is_a_dir"

            rule touched_dir:
                output: touch(directory("some/other_dir"))
            """, to: "Snakefile")
        let (status, events) = try run(["is_a_dir"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(events.failed.first?.reason.contains("directory()") == true, "\(events.failed.map(\.reason))")
        XCTAssertEqual(try run(["some/other_dir"]).status, 0)
        XCTAssertTrue(LocalFiles.isDirectory(directory + "/some/other_dir"))
        XCTAssertTrue(exists("some/other_dir/.snakemake_timestamp"))
    }

    func testShallowShadowJobWritingThroughALinkedDirectoryKeepsItsOutput() throws {
        // shallow links the top-level "some": the job's output lands in the working directory directly.
        try write("x", to: "some/dir/file")
        try write("""
            rule shadow:
                input: "some/dir"
                output: directory("some/shadow")
                shadow: "shallow"
                shell: "mkdir -p {output} && touch {output}/made"
            """, to: "Snakefile")
        let (status, events) = try run(["some/shadow"])
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason))")
        XCTAssertTrue(exists("some/shadow/made"))
        XCTAssertFalse(exists(".flow/shadow") && (try? FileManager.default.contentsOfDirectory(atPath: directory + "/.flow/shadow"))?.isEmpty == false)
    }

    func testOutputsAreTouchedWhenTheJobEndsAndSymlinkedOutputsCountWithTheirOwnTime() throws {
        // input_file (1 h old) <- input_link (4 h old) <- output_link (2 h old): the output link
        // is older than what its input resolves to, so it is rebuilt; the job dates its link
        // back to 2016, and the engine's touch makes it new again without touching the input.
        let now = Date().timeIntervalSince1970
        try write("", to: "input_file")
        LocalFiles.setMtime(directory + "/input_file", seconds: now - 3600)
        for (link, target, age) in [("input_link", "input_file", 4.0), ("output_link", "input_link", 2.0)] {
            XCTAssertEqual(symlink(target, directory + "/" + link), 0)
            var times = [timespec(tv_sec: Int(now - age * 3600), tv_nsec: 0), timespec(tv_sec: Int(now - age * 3600), tv_nsec: 0)]
            XCTAssertEqual(utimensat(AT_FDCWD, directory + "/" + link, &times, AT_SYMLINK_NOFOLLOW), 0)
        }
        try write("""
            rule make_output:
                input: "input_link"
                output: "output_link"
                shell: "ln -s {input} {output} && touch -h -t 201604011600 {output}"
            """, to: "Snakefile")
        let (status, events) = try run(["output_link"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(events.finished.map(\.rule), ["make_output"])
        XCTAssertGreaterThan(lstatMtime("output_link"), now - 60, "touched after the job")
        XCTAssertLessThan(lstatMtime("input_link"), now - 3 * 3600, "inputs are left alone")
        XCTAssertEqual(try run(["output_link"]).events.finished.count, 0, "then up to date")
    }
}
