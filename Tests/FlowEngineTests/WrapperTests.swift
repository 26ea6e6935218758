// `wrapper:` rules: the script comes from `--wrapper-prefix` (a folder, or a git+file:// checkout
// read at the spec's version as a git ref), is cached under .flow/wrappers and runs like script:
// with the `snakemake` object; a `meta_wrapper:` module's Snakefile comes from the same prefix.

import Foundation
import FlowSystem
import XCTest
@testable import FlowEngine

final class WrapperTests: WorkdirTestCase {
    private static let wrapper = """
        from snakemake.shell import shell
        shell("tr a-z A-Z < {snakemake.input[0]} > {snakemake.output[0]}; echo {snakemake.params.tag} >> {snakemake.output[0]}")

        """

    private func write(_ text: String, to name: String) throws {
        try LocalFiles.makeParent(directory + "/" + name)
        try LocalFiles.writeAtomically(text, to: directory + "/" + name)
    }

    private func run(prefix: String, spec: String) throws -> (Int32, RecordingReporter) {
        try write("""
            rule upper:
                input: "in.txt"
                output: "out.txt"
                params: tag="wrapped"
                wrapper: "\(spec)"
            """, to: "work/Snakefile")
        try write("abc\n", to: "work/in.txt")
        var options = EngineOptions()
        options.directory = directory + "/work"
        options.snakefile = directory + "/work/Snakefile"
        options.wrapperPrefix = prefix
        let reporter = RecordingReporter()
        let status = try Engine(options: options, reporter: reporter).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        return (status, reporter)
    }

    private func git(_ arguments: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", directory + "/repo", "-c", "user.name=t", "-c", "user.email=t@t"] + arguments
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "git \(arguments)")
    }

    func testWrapperFromAFolderPrefixRunsWithTheSnakemakeObjectAndIsCached() throws {
        try write(Self.wrapper, to: "wrappers/v1.0.0/bio/upper/wrapper.py")
        let (status, events) = try run(prefix: directory + "/wrappers/", spec: "v1.0.0/bio/upper")
        XCTAssertEqual(status, 0, "\(events.failed) \(events.failedLogs)")
        XCTAssertEqual(try String(contentsOfFile: directory + "/work/out.txt", encoding: .utf8), "ABC\nwrapped\n")
        let cached = try LocalFiles.entries(of: directory + "/work/.flow/wrappers")
        XCTAssertEqual(cached.count, 1)
        XCTAssertTrue(LocalFiles.exists(directory + "/work/.flow/wrappers/\(cached[0])/wrapper.py"))
    }

    func testGitFilePrefixReadsTheSpecsVersionAsARef() throws {
        try write(Self.wrapper, to: "repo/bio/upper/wrapper.py")
        try git("init", "-q")
        try git("add", ".")
        try git("commit", "-q", "-m", "v2")
        try git("tag", "v2.0.0")
        // The working tree moves on; the wrapper must come from the tag.
        try write("raise SystemExit('not the tagged wrapper')\n", to: "repo/bio/upper/wrapper.py")
        let (status, events) = try run(prefix: "git+file://" + directory + "/repo", spec: "v2.0.0/bio/upper")
        XCTAssertEqual(status, 0, "\(events.failed) \(events.failedLogs)")
        XCTAssertEqual(try String(contentsOfFile: directory + "/work/out.txt", encoding: .utf8), "ABC\nwrapped\n")
        // A bare repository (a fetched mirror) serves as well.
        try git("clone", "-q", "--bare", directory + "/repo", directory + "/bare.git")
        try LocalFiles.remove(directory + "/work/out.txt")
        try LocalFiles.remove(directory + "/work/.flow")
        let (again, againEvents) = try run(prefix: "git+file://" + directory + "/bare.git", spec: "v2.0.0/bio/upper")
        XCTAssertEqual(again, 0, "\(againEvents.failed) \(againEvents.failedLogs)")
        XCTAssertEqual(try String(contentsOfFile: directory + "/work/out.txt", encoding: .utf8), "ABC\nwrapped\n")
    }

    func testMissingWrapperFailsTheJobNamingTheSpec() throws {
        try LocalFiles.makeDirectories(directory + "/empty")
        let (status, events) = try run(prefix: directory + "/empty/", spec: "v1.0.0/bio/none")
        XCTAssertEqual(status, 1)
        XCTAssertEqual(events.failed.count, 1)
        XCTAssertTrue(events.failed.first?.reason.contains("wrapper v1.0.0/bio/none: no wrapper script found") == true,
                      "\(events.failed.map(\.reason))")
    }

    func testMetaWrapperModuleComesFromThePrefixAndPinsMasterWrappersToItsVersion() throws {
        // Snakemake 9.27.1 resolves this the same way (it then looks for v1.0.0/bio/upper/environment.yaml).
        try write(Self.wrapper, to: "wrappers/v1.0.0/bio/upper/wrapper.py")
        try write("""
            rule upper:
                input: "in.txt"
                output: "out.txt"
                params: tag="meta"
                wrapper: "master/bio/upper"
            """, to: "wrappers/v1.0.0/meta/bio/pipe/test/Snakefile")
        try write("""
            module pipe:
                meta_wrapper: "v1.0.0/meta/bio/pipe"

            use rule * from pipe
            """, to: "work/Snakefile")
        try write("abc\n", to: "work/in.txt")
        var options = EngineOptions()
        options.directory = directory + "/work"
        options.snakefile = directory + "/work/Snakefile"
        options.wrapperPrefix = "file://" + directory + "/wrappers/"
        let reporter = RecordingReporter()
        let status = try Engine(options: options, reporter: reporter).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        XCTAssertEqual(status, 0, "\(reporter.failed) \(reporter.failedLogs)")
        XCTAssertEqual(try String(contentsOfFile: directory + "/work/out.txt", encoding: .utf8), "ABC\nmeta\n")
    }
}
