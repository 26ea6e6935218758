// The contract's SchedulerCommands: the errors every command-line back end (Slurm, Flux) reports,
// and the submission that looks for its job when the answer was lost.

import XCTest
@testable import FlowExec

final class SchedulerCommandsTests: XCTestCase {
    private func commands(_ runner: CommandRunner) -> SchedulerCommands {
        SchedulerCommands(runner: runner, timeout: 7, missingHint: "is this a submit host?")
    }

    func testAMissingToolIsNamedWithTheBackEndsHint() {
        let runner = ScriptedRunner { args in throw CommandError.notFound(args[0], searchPath: "/usr/bin:/bin") }
        XCTAssertThrowsError(try commands(runner).run(["sbatch", "x.sh"])) { error in
            XCTAssertEqual(error as? SchedulerCommandError, .notFound("sbatch", searchPath: "/usr/bin:/bin", hint: "is this a submit host?"))
            XCTAssertEqual(String(describing: error), "sbatch not found on PATH (/usr/bin:/bin); is this a submit host?")
        }
    }

    func testSucceedNamesTheCommandLineAndTheToolsStderr() {
        let runner = ScriptedRunner { _ in CommandResult(status: 2, stdout: "", stderr: "squeue: error: Invalid user\r\n") }
        XCTAssertThrowsError(try commands(runner).succeed(["squeue", "--user=a b"])) { error in
            XCTAssertEqual(String(describing: error), "`squeue '--user=a b'` failed with exit status 2: squeue: error: Invalid user")
        }
        let quiet = ScriptedRunner { _ in CommandResult(status: 1, stdout: "") }
        XCTAssertThrowsError(try commands(quiet).succeed(["scancel", "5"])) { error in
            XCTAssertEqual(String(describing: error), "`scancel 5` failed with exit status 1")
        }
    }

    func testSubmitReadsTheIDOrSaysWhatItPrinted() throws {
        let runner = ScriptedRunner { _ in CommandResult(status: 0, stdout: "42\n") }
        let submitted = try commands(runner).submit(["sbatch", "job.sh"], parseID: { ExecutorText.trim($0) },
                                                    lookUp: { XCTFail("no lookup after an answer"); return nil })
        XCTAssertEqual(submitted.id, "42")
        XCTAssertFalse(submitted.adopted)

        let garbled = ScriptedRunner { _ in CommandResult(status: 0, stdout: "Submitted nothing\n") }
        XCTAssertThrowsError(try commands(garbled).submit(["sbatch", "job.sh"], parseID: { _ in nil }, lookUp: { nil })) { error in
            XCTAssertEqual(error as? SchedulerCommandError, .unexpectedOutput(command: "sbatch job.sh", output: "Submitted nothing\n"))
        }
        let refused = ScriptedRunner { _ in CommandResult(status: 1, stdout: "", stderr: "queue full") }
        XCTAssertThrowsError(try commands(refused).submit(["sbatch", "job.sh"], parseID: { _ in "1" },
                                                          lookUp: { XCTFail("no lookup after a refusal"); return "9" })) { error in
            XCTAssertEqual(error as? SchedulerCommandError, .failed(command: "sbatch job.sh", status: 1, stderr: "queue full"))
        }
    }

    func testATimedOutSubmissionIsAdoptedWhenItsJobIsFoundAndFailsOtherwise() throws {
        let runner = ScriptedRunner { _ in throw CommandError.timedOut(command: "sbatch job.sh", seconds: 7) }
        let found = try commands(runner).submit(["sbatch", "job.sh"], parseID: { _ in nil }, lookUp: { "77" })
        XCTAssertEqual(found.id, "77")
        XCTAssertTrue(found.adopted)
        XCTAssertThrowsError(try commands(runner).submit(["sbatch", "job.sh"], parseID: { _ in nil }, lookUp: { nil })) { error in
            XCTAssertEqual(error as? SchedulerCommandError, .timedOut(command: "sbatch job.sh", seconds: 7))
        }
    }
}
