// Tests for job-script rendering (golden text), shell quoting, external names and atomic writes.

import XCTest
import Glibc
@testable import FlowExec
import FlowSystem

final class JobScriptTests: XCTestCase {
    private func spec(_ command: JobCommand = .shell("cp in.txt 'out file.txt'")) -> JobSpec {
        JobSpec(id: 12, name: "copy", key: "copy[sample=A]", attempt: 2, runID: "5F0C-AB12", command: command,
                workingDirectory: "/data/my project",
                environment: ["ZED": "last", "A_VAR": "it's", "PLAIN": "x/y"])
    }

    func testRenderGolden() {
        XCTAssertEqual(JobScript.render(spec()), """
            #!/usr/bin/env bash
            # flow job 12 (copy[sample=A]), attempt 2: \(spec().externalName)
            set -euo pipefail
            cd '/data/my project'
            export A_VAR='it'"'"'s'
            export PLAIN=x/y
            export ZED=last
            cp in.txt 'out file.txt'

            """)
    }

    func testRenderScriptCommand() {
        XCTAssertTrue(JobScript.render(spec(.script(path: "/x/job 1.sh"))).hasSuffix("export ZED=last\nbash '/x/job 1.sh'\n"))
    }

    func testExternalNameIsStableAndKubernetesSafe() {
        let a = spec()
        XCTAssertEqual(a.externalName, "flow-5f0c-ab12-copy-\(JobSpec.hash("copy[sample=A]"))-2")
        XCTAssertEqual(a.externalName, spec().externalName)
        // The name follows the job's stable key, not the DAG's numbering, which checkpoints
        // change between runs: the same job under another id keeps its name...
        var renumbered = a
        renumbered.id = 40
        XCTAssertEqual(renumbered.externalName, a.externalName)
        // ...and another job under the same id gets another name.
        var other = a
        other.key = "copy[sample=B]"
        XCTAssertNotEqual(other.externalName, a.externalName)
        var b = a
        b.attempt = 3
        XCTAssertNotEqual(a.externalName, b.externalName)
        b.runID = String(repeating: "Z_", count: 60)
        b.name = String(repeating: "very_long_rule_name", count: 5)
        XCTAssertLessThanOrEqual(b.externalName.count, 63)
        XCTAssertTrue(b.externalName.hasSuffix("-3"))
        XCTAssertTrue(b.externalName.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" })
        XCTAssertFalse(b.externalName.contains("--"))
        XCTAssertEqual(JobSpec.hash("copy[sample=A]").count, 12)
    }

    func testWriteIsAtomicExecutableAndRunnable() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        var job = spec(.shell("echo \"$A_VAR\" > result.txt"))
        job.workingDirectory = directory
        let path = try JobScript.write(job, directory: directory + "/.flow/jobs")
        XCTAssertEqual(path, directory + "/.flow/jobs/\(job.externalName).sh")
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o755)
        // Rewriting replaces the file; no temporary file is left beside it.
        try JobScript.write(job, directory: directory + "/.flow/jobs")
        XCTAssertEqual(try LocalFiles.entries(of: directory + "/.flow/jobs"), ["\(job.externalName).sh"])
        XCTAssertEqual(readFile(path), JobScript.render(job))

        // Remote executors run `bash <script>`: the script is self-contained.
        let run = JobSpec(id: 1, name: "run", runID: "t", command: .script(path: path), workingDirectory: "/")
        XCTAssertEqual(runToCompletion(try LocalExecutor(), run), .succeeded)
        XCTAssertEqual(readFile(directory + "/result.txt"), "it's\n")
    }
}
