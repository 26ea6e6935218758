// The real command runner Slurm and Flux drive their CLIs with: output on both pipes however
// large, the exit status, a deadline, and a missing program.

import XCTest
@testable import FlowExec
import FlowSystem

final class CommandRunnerTests: XCTestCase {
    func testProcessRunnerCapturesOutputStatusAndTimeout() throws {
        let runner = ProcessCommandRunner()
        let result = try runner.run(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout: 10)
        XCTAssertEqual(result, CommandResult(status: 3, stdout: "out\n", stderr: "err\n"))
        let big = try runner.run(["sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x; head -c 100000 /dev/zero | tr '\\0' y >&2"], timeout: 10)
        XCTAssertEqual(big.stdout.utf8.count, 300_000)
        XCTAssertEqual(big.stderr.utf8.count, 100_000)
        let start = MonotonicClock.now()
        XCTAssertThrowsError(try runner.run(["sleep", "5"], timeout: 0.3)) { error in
            guard case CommandError.timedOut = error else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(MonotonicClock.now() - start, 2)
        XCTAssertThrowsError(try runner.run(["no-such-command"], timeout: 1)) { error in
            guard case CommandError.notFound("no-such-command", _) = error else { return XCTFail("\(error)") }
        }
    }
}
