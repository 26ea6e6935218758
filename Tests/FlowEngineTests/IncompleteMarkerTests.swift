// Incomplete markers while a job runs: a job looks into .flow/state.db (with Python's sqlite3,
// as another process would after a kill -9 of flow) and records which outputs are marked
// incomplete at that moment. Every attempt of a job — the first and each retry — must run with
// its outputs marked, or a partial output left by a killed flow would be taken as complete.

import Foundation
import XCTest
@testable import FlowEngine

final class IncompleteMarkerTests: WorkdirTestCase {
    /// The job: counts its attempts in `attempts`, fails while the count is below `succeedOn`, and on
    /// the succeeding attempt writes the incomplete paths it sees to `seen.txt`.
    private func runCountingJob(succeedOn: Int, retries: Int) throws -> Int32 {
        let snakefile = #"""
            rule job:
                output: "out.txt"
                shell:
                    """
                    n=$(cat attempts 2>/dev/null || echo 0); n=$((n + 1)); echo $n > attempts
                    echo partial > {output}
                    if [ $n -lt SUCCEED_ON ]; then exit 1; fi
                    python3 -c 'import sqlite3; db = sqlite3.connect(".flow/state.db"); print(",".join(sorted(r[0] for r in db.execute("select path from incomplete"))))' > seen.txt
                    echo done > {output}
                    """
            """#.replacingOccurrences(of: "SUCCEED_ON", with: String(succeedOn))
        try snakefile.write(toFile: directory + "/Snakefile", atomically: true, encoding: .utf8)
        var options = EngineOptions()
        options.directory = directory
        options.snakefile = directory + "/Snakefile"
        options.cores = 1
        options.retries = retries
        let status = try Engine(options: options, reporter: RecordingReporter()).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        return status
    }

    private func contents(_ name: String) -> String? {
        (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func requirePythonSQLite() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import sqlite3"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { throw XCTSkip("python3 not available") }
        probe.waitUntilExit()
        if probe.terminationStatus != 0 { throw XCTSkip("python3 has no sqlite3 module") }
    }

    func testFirstAttemptRunsWithItsOutputMarkedIncomplete() throws {
        try requirePythonSQLite()
        XCTAssertEqual(try runCountingJob(succeedOn: 1, retries: 0), 0)
        XCTAssertEqual(contents("seen.txt"), "out.txt")
        XCTAssertEqual(contents("out.txt"), "done")
    }

    /// The failed first attempt clears its marker; that clearing must not land after the retry
    /// marked the same output again.
    func testRetryRunsWithItsOutputMarkedIncomplete() throws {
        try requirePythonSQLite()
        XCTAssertEqual(try runCountingJob(succeedOn: 2, retries: 1), 0)
        XCTAssertEqual(contents("attempts"), "2")
        XCTAssertEqual(contents("seen.txt"), "out.txt", "the second attempt ran without an incomplete marker for out.txt")
    }
}
