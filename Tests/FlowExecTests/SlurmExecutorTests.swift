// Unit tests of the Slurm backend without Slurm: exact command lines and the parsing of canned
// outputs (state table, exit codes, sbatch arguments, time strings, lost jobs, adoption).
// SlurmIntegrationTests.swift runs the same executor against the real test bed.

import XCTest
import Glibc
@testable import FlowExec

final class SlurmExecutorTests: XCTestCase {
    private var directory = ""

    override func setUp() {
        directory = makeTemporaryDirectory()
    }

    override func tearDown() {
        removeDirectory(directory)
    }

    private func spec(id: Int = 7, resources: [String: ResourceValue] = [:], threads: Int = 1) -> JobSpec {
        JobSpec(id: id, name: "map", key: "map[sample=s\(id)]", runID: "Run42", command: .shell("echo hi > out.txt"),
                workingDirectory: directory, threads: threads, resources: resources)
    }

    private func executor(_ runner: ScriptedRunner, _ options: SlurmExecutor.Options? = nil) -> SlurmExecutor {
        var options = options ?? SlurmExecutor.Options(minimumStatusInterval: 0)
        options.workdir = directory
        return SlurmExecutor(options: options, runner: runner)
    }

    // MARK: submission

    func testSbatchArgumentsFromResourcesAndDefaults() throws {
        let runner = ScriptedRunner { args in
            args[0] == "sbatch" ? CommandResult(status: 0, stdout: "4242;flowtest\n") : CommandResult(status: 0, stdout: "")
        }
        let slurm = executor(runner, SlurmExecutor.Options(partition: "default-part", account: "proj1",
                                                           extraArgs: ["--comment=flow"]))
        let job = spec(resources: ["mem_mb": .int(500), "runtime": .string("2h"), "slurm_partition": .string("debug"),
                                   "gres": .string("gpu:1"), "nodes": .int(1), "tasks": .int(2), "qos": .string("short"),
                                   "constraint": .string("avx2"), "slurm_extra": .string("--mail-type=NONE --comment='a b'")],
                       threads: 3)
        XCTAssertEqual(try slurm.submit(job), "4242")
        let name = spec().externalName
        let script = "\(directory)/.flow/jobs/\(name).sh"
        let log = "\(directory)/.flow/logs/slurm/\(name)-%j.log"
        XCTAssertEqual(runner.calls(of: "sbatch"), [[
            "sbatch", "--parsable", "--job-name=\(name)", "--output=\(log)", "--error=\(log)",
            "--chdir=\(directory)", "--export=ALL", "--cpus-per-task=3", "--mem=500M", "--time=120",
            "--partition=debug", "--account=proj1", "--qos=short", "--constraint=avx2", "--gres=gpu:1",
            "--nodes=1", "--ntasks=2", "--comment=flow", "--mail-type=NONE", "--comment=a b", script,
        ]])
        // The one squeue before the first submission looks for jobs an earlier flow left behind.
        XCTAssertEqual(runner.calls.first?.first, "squeue")
        XCTAssertEqual(readFile(script), JobScript.render(job))
        XCTAssertEqual(access("\(directory)/.flow/logs/slurm", F_OK), 0)
        XCTAssertEqual(slurm.submissions, 1)
    }

    func testJobsOwnLogPathsAreAppendedTo() throws {
        let runner = ScriptedRunner { args in CommandResult(status: 0, stdout: args[0] == "sbatch" ? "12\n" : "") }
        let slurm = executor(runner)
        var job = spec()
        job.stdoutPath = directory + "/logs/map.out"
        job.stderrPath = directory + "/logs/map.err"
        XCTAssertEqual(try slurm.submit(job), "12")
        let sbatch = try XCTUnwrap(runner.calls(of: "sbatch").first)
        XCTAssertTrue(sbatch.contains("--output=\(directory)/logs/map.out"), "\(sbatch)")
        XCTAssertTrue(sbatch.contains("--error=\(directory)/logs/map.err"), "\(sbatch)")
        XCTAssertEqual(sbatch.suffix(2).first, "--open-mode=append")
        XCTAssertEqual(access(directory + "/logs", F_OK), 0)
    }

    func testRuntimeForms() throws {
        XCTAssertEqual(try SlurmSubmission.minutes(.int(30)), "30")
        XCTAssertEqual(try SlurmSubmission.minutes(.string("30m")), "30")
        XCTAssertEqual(try SlurmSubmission.minutes(.string("1h30m")), "90")
        XCTAssertEqual(try SlurmSubmission.minutes(.string("90s")), "2")
        XCTAssertEqual(try SlurmSubmission.minutes(.string("1-00:00:00")), "1440")
        XCTAssertEqual(try SlurmSubmission.minutes(.string("unlimited")), "UNLIMITED")
        XCTAssertThrowsError(try SlurmSubmission.minutes(.string("soon")))
        XCTAssertThrowsError(try SlurmSubmission.minutes(.int(0)))
    }

    func testShellWords() {
        XCTAssertEqual(SlurmText.shellWords("--a=1  --b='x y' \"c\\\"d\" e\\ f"), ["--a=1", "--b=x y", "c\"d", "e f"])
        XCTAssertEqual(SlurmText.shellWords("''"), [""])
        XCTAssertEqual(SlurmText.shellWords("   "), [])
        XCTAssertNil(SlurmText.shellWords("--comment='open"))
    }

    func testBadResourcesFailBeforeSbatch() {
        let runner = ScriptedRunner()
        let slurm = executor(runner)
        XCTAssertThrowsError(try slurm.submit(spec(resources: ["mem_mb": .string("lots")]))) { error in
            XCTAssertEqual(error as? SlurmError, .invalidResource(name: "mem_mb", value: "lots"))
        }
        XCTAssertThrowsError(try slurm.submit(spec(resources: ["slurm_extra": .string("--x='")])))
        XCTAssertTrue(runner.calls(of: "sbatch").isEmpty)
    }

    func testFailingSbatchNamesCommandAndStderr() {
        let runner = ScriptedRunner { args in
            args[0] == "sbatch"
                ? CommandResult(status: 1, stdout: "", stderr: "sbatch: error: Batch job submission failed: Invalid partition name specified\n")
                : CommandResult(status: 0, stdout: "")
        }
        XCTAssertThrowsError(try executor(runner).submit(spec(resources: ["slurm_partition": .string("nope")]))) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("`sbatch --parsable --job-name=\(spec().externalName)"), text)
            XCTAssertTrue(text.contains("--partition=nope"), text)
            XCTAssertTrue(text.hasSuffix("failed with exit status 1: sbatch: error: Batch job submission failed: Invalid partition name specified"), text)
        }
    }

    func testJobIDParsing() {
        XCTAssertEqual(SlurmSubmission.jobID(fromOutput: "123\n"), "123")
        XCTAssertEqual(SlurmSubmission.jobID(fromOutput: "123;cluster\n"), "123")
        XCTAssertEqual(SlurmSubmission.jobID(fromOutput: "sbatch: warning: something\n77\n"), "77")
        XCTAssertNil(SlurmSubmission.jobID(fromOutput: ""))
        XCTAssertNil(SlurmSubmission.jobID(fromOutput: "Submitted batch job 5"))
    }

    func testAdoptsJobLeftBehindAndNeverSubmitsTwice() throws {
        let runner = ScriptedRunner { args in
            switch args[0] {
            case "squeue": return CommandResult(status: 0, stdout: "31|other-job\n30|\(self.spec(id: 7).externalName)\n")
            case "sbatch": return CommandResult(status: 0, stdout: "99\n")
            default: return CommandResult(status: 0, stdout: "")
            }
        }
        let slurm = executor(runner)
        XCTAssertEqual(try slurm.submit(spec(id: 7)), "30")
        XCTAssertEqual(try slurm.submit(spec(id: 7)), "30")
        XCTAssertEqual(try slurm.submit(spec(id: 8)), "99")
        XCTAssertEqual(try slurm.submit(spec(id: 8)), "99")
        XCTAssertEqual(runner.calls(of: "squeue"), [["squeue", "--noheader", "--user=\(getuid())",
            "--states=PENDING,CONFIGURING,RUNNING,COMPLETING,SUSPENDED,REQUEUED,RESIZING", "--format=%i|%j"]])
        XCTAssertEqual(runner.calls(of: "sbatch").count, 1)
        XCTAssertEqual(slurm.adoptions, 1)
    }

    func testSbatchTimeoutAdoptsJobThatReachedSlurm() throws {
        let runner = ScriptedRunner()
        runner.handler = { args in
            if args[0] == "sbatch" { throw CommandError.timedOut(command: "sbatch", seconds: 60) }
            if args.contains("--name=\(self.spec().externalName)") { return CommandResult(status: 0, stdout: "55\n") }
            return CommandResult(status: 0, stdout: "")
        }
        XCTAssertEqual(try executor(runner).submit(spec()), "55")
    }

    // MARK: status

    func testStateTable() {
        let cases: [(String, Int32?, ExternalJobState)] = [
            ("PENDING", nil, .queued), ("CONFIGURING", nil, .queued), ("REQUEUED", nil, .queued),
            ("RESIZING", nil, .queued), ("SUSPENDED", nil, .queued),
            ("RUNNING", nil, .running), ("COMPLETING", nil, .running),
            ("COMPLETED", 0, .succeeded),
            ("FAILED", 3, .failed(exitStatus: 3, reason: "Slurm job FAILED (exit status 3, NonZeroExitCode)")),
            ("FAILED", nil, .failed(exitStatus: 1, reason: "Slurm job FAILED (exit status 1, NonZeroExitCode)")),
            ("TIMEOUT", 143, .failed(exitStatus: 143, reason: "TIMEOUT: job exceeded its runtime")),
            ("TIMEOUT", 0, .failed(exitStatus: 1, reason: "TIMEOUT: job exceeded its runtime")),
            ("OUT_OF_MEMORY", 137, .failed(exitStatus: 137, reason: "OUT_OF_MEMORY: job exceeded its memory (mem_mb)")),
            ("CANCELLED", 0, .failed(exitStatus: 1, reason: "CANCELLED")),
            ("CANCELLED by 0", 143, .failed(exitStatus: 143, reason: "CANCELLED")),
            ("NODE_FAIL", nil, .infrastructureFailed(reason: "NODE_FAIL (NonZeroExitCode)")),
            ("PREEMPTED", nil, .infrastructureFailed(reason: "PREEMPTED (NonZeroExitCode)")),
            ("BOOT_FAIL", nil, .infrastructureFailed(reason: "BOOT_FAIL (NonZeroExitCode)")),
            ("DEADLINE", nil, .infrastructureFailed(reason: "DEADLINE (NonZeroExitCode)")),
        ]
        for (state, exit, expected) in cases {
            XCTAssertEqual(SlurmJobState.map(state, exitStatus: exit, reason: "NonZeroExitCode"), expected, state)
        }
        XCTAssertNil(SlurmJobState.map("SOMETHING_NEW", exitStatus: nil))
    }

    func testExitCodes() {
        XCTAssertEqual(SlurmText.exitStatus(codeAndSignal: "3:0"), 3)
        XCTAssertEqual(SlurmText.exitStatus(codeAndSignal: "0:15"), 143)
        XCTAssertEqual(SlurmText.exitStatus(codeAndSignal: "0:0"), 0)
        XCTAssertNil(SlurmText.exitStatus(codeAndSignal: "N/A"))
        XCTAssertEqual(SlurmText.exitStatus(waitStatus: "1792"), 7)
        XCTAssertEqual(SlurmText.exitStatus(waitStatus: "15"), 143)
        XCTAssertEqual(SlurmText.exitStatus(waitStatus: "0"), 0)
        XCTAssertNil(SlurmText.exitStatus(waitStatus: ""))
        XCTAssertEqual(SlurmStatusQuery.exitCode(fromScontrol: "JobId=5 JobName=x JobState=FAILED Reason=NonZeroExitCode Dependency=(null) DerivedExitCode=0:0 ExitCode=3:0 RunTime=00:00:01"), 3)
    }

    func testOneSqueueCallForManyJobs() throws {
        let ids = (100..<150).map(String.init)
        let runner = ScriptedRunner { args in
            let lines = ids.enumerated().map { index, id in
                index == 0 ? "\(id)|RUNNING|0|None|" : index == 1 ? "\(id)|FAILED|768|NonZeroExitCode|" : "\(id)|PENDING|0|Resources|"
            }
            return CommandResult(status: 0, stdout: lines.joined(separator: "\n") + "\n")
        }
        let slurm = executor(runner)
        let states = try slurm.poll(ids)
        XCTAssertEqual(runner.calls, [["squeue", "--noheader", "--states=all", "--jobs=" + ids.joined(separator: ","),
                                       "--Format=JobID:|,State:|,exit_code:|,Reason:|"]])
        XCTAssertEqual(slurm.statusCalls, 1)
        XCTAssertEqual(states["100"], .running)
        XCTAssertEqual(states["101"], .failed(exitStatus: 3, reason: "Slurm job FAILED (exit status 3, NonZeroExitCode)"))
        XCTAssertEqual(states.values.filter { $0 == .queued }.count, 48)
    }

    func testManyIdsAskForTheUsersJobsInstead() throws {
        let ids = (1...(SlurmStatusQuery.maxIDsOnCommandLine + 1)).map(String.init)
        let runner = ScriptedRunner { _ in CommandResult(status: 0, stdout: ids.map { "\($0)|RUNNING|0|None|" }.joined(separator: "\n")) }
        let slurm = executor(runner)
        XCTAssertEqual(try slurm.poll(ids).count, ids.count)
        XCTAssertEqual(runner.calls, [["squeue", "--noheader", "--states=all", "--user=\(getuid())",
                                       "--Format=JobID:|,State:|,exit_code:|,Reason:|"]])
    }

    func testAgedOutJobsFromJobcompWhenAccountingIsDisabled() throws {
        let runner = ScriptedRunner { args in
            switch (args[0], args.contains("--completion")) {
            case ("squeue", _): return CommandResult(status: 0, stdout: "1|RUNNING|0|None|\n")
            case ("sacct", false): return CommandResult(status: 1, stdout: "", stderr: "Slurm accounting storage is disabled\n")
            case ("sacct", true): return CommandResult(status: 0, stdout: "2|FAILED|7:0\n3|COMPLETED|0:0\n2|COMPLETED|0:0\n9|FAILED|1:0\n")
            default: return CommandResult(status: 0, stdout: "")
            }
        }
        let slurm = executor(runner)
        XCTAssertEqual(try slurm.poll(["1", "2", "3"]), ["1": .running, "2": .succeeded, "3": .succeeded])
        XCTAssertEqual(runner.calls.map { $0.prefix(2) }, [["squeue", "--noheader"], ["sacct", "-X"], ["sacct", "--completion"]])
        XCTAssertEqual(runner.calls.last, ["sacct", "--completion", "--parsable2", "--noheader", "--jobs=2,3",
                                           "--format=JobID,State,ExitCode"])
        // Accounting is known to be off now: the next round goes straight to the jobcomp file.
        _ = try slurm.poll(["1", "2"])
        XCTAssertEqual(runner.calls.suffix(2).map { $0.prefix(2) }, [["squeue", "--noheader"], ["sacct", "--completion"]])
        XCTAssertEqual(slurm.statusCalls, 5)
    }

    func testAgedOutJobsFromAccounting() throws {
        let runner = ScriptedRunner { args in
            args[0] == "squeue"
                ? CommandResult(status: 1, stdout: "", stderr: "slurm_load_jobs error: Invalid job id specified\n")
                : CommandResult(status: 0, stdout: "5|CANCELLED by 0|0:15\n")
        }
        let slurm = executor(runner)
        XCTAssertEqual(try slurm.poll(["5"]), ["5": .failed(exitStatus: 143, reason: "CANCELLED")])
        XCTAssertEqual(runner.calls.last, ["sacct", "-X", "--parsable2", "--noheader", "--jobs=5",
                                           "--format=JobIdRaw,State,ExitCode"])
    }

    func testUnknownJobIsLostOnlyAfterConsecutiveMisses() throws {
        var known = false
        let runner = ScriptedRunner { args in
            if args[0] == "squeue" {
                return CommandResult(status: 0, stdout: known ? "8|PENDING|0|None|\n" : "")
            }
            return CommandResult(status: 0, stdout: "")
        }
        let slurm = executor(runner, SlurmExecutor.Options(minimumStatusInterval: 0, lostAfterMissedRounds: 3))
        XCTAssertEqual(try slurm.poll(["8"]), [:])
        XCTAssertEqual(try slurm.poll(["8"]), [:])
        known = true
        XCTAssertEqual(try slurm.poll(["8"]), ["8": .queued])
        known = false
        XCTAssertEqual(try slurm.poll(["8"]), [:])
        XCTAssertEqual(try slurm.poll(["8"]), [:])
        XCTAssertEqual(try slurm.poll(["8"]), ["8": .lost])
    }

    func testFailedJobWithoutExitCodeAsksScontrol() throws {
        let runner = ScriptedRunner { args in
            switch args[0] {
            case "squeue": return CommandResult(status: 0, stdout: "4|FAILED||NonZeroExitCode|\n5|RUNNING||None|\n")
            case "scontrol": return CommandResult(status: 0, stdout: "JobId=4 JobState=FAILED DerivedExitCode=0:0 ExitCode=3:0\n")
            default: return CommandResult(status: 0, stdout: "")
            }
        }
        let slurm = executor(runner)
        XCTAssertEqual(try slurm.poll(["4", "5"])["4"], .failed(exitStatus: 3, reason: "Slurm job FAILED (exit status 3, NonZeroExitCode)"))
        XCTAssertEqual(runner.calls(of: "scontrol"), [["scontrol", "show", "job", "-o", "4"]])
    }

    func testTransientSqueueFailureThrows() {
        let runner = ScriptedRunner { _ in
            CommandResult(status: 1, stdout: "", stderr: "slurm_load_jobs error: Socket timed out on send/recv operation\n")
        }
        XCTAssertThrowsError(try executor(runner).poll(["1"])) { error in
            XCTAssertTrue(String(describing: error).contains("Socket timed out"), "\(error)")
        }
    }

    func testCancelIsOneScancel() {
        let runner = ScriptedRunner()
        executor(runner).cancel(["3", "4", "5"])
        XCTAssertEqual(runner.calls, [["scancel", "3", "4", "5"]])
    }

    // MARK: options

    func testOptionsFromTypedSettings() throws {
        func input(_ setting: String, _ values: String...) -> SettingInput {
            SettingInput(executor: "slurm", setting: setting, values: values, source: .commandLine)
        }
        let settings = try ExecutorSettings(SlurmExecutor.descriptor, inputs: [
            input("partition", "debug"), input("account", "proj"), input("qos", "short"),
            input("extra", "--comment='x y'"), input("requeue"), input("reservation", "maint"), input("command-timeout", "5"),
        ])
        let options = try SlurmExecutor.Options(ExecutorContext(settings: settings, workdir: "/w", jobs: 50,
                                                                maxStatusChecksPerSecond: 0.05))
        XCTAssertEqual(options.jobs, 50)
        XCTAssertEqual(options.statusInterval, 20)
        XCTAssertEqual(options.partition, "debug")
        XCTAssertEqual(options.account, "proj")
        XCTAssertEqual(options.qos, "short")
        XCTAssertEqual(options.reservation, "maint")
        XCTAssertTrue(options.requeue)
        XCTAssertFalse(options.noAccount)
        XCTAssertEqual(options.commandTimeout, 5)
        XCTAssertEqual(options.logDirectory, ".flow/logs/slurm")
        XCTAssertEqual(options.extraArgs, ["--comment=x y"])
        let defaults = try SlurmExecutor.Options(ExecutorContext(settings: try ExecutorSettings(SlurmExecutor.descriptor), workdir: "/w"))
        XCTAssertEqual(defaults.jobs, 100)
        XCTAssertEqual(defaults.commandTimeout, 60)
        XCTAssertEqual(SlurmExecutor.Options().statusInterval, 10)
        XCTAssertEqual(SlurmExecutor.Options(statusChecksPerSecond: 2, minimumStatusInterval: 0.1).statusInterval, 0.5)
        XCTAssertThrowsError(try ExecutorSettings(SlurmExecutor.descriptor, inputs: [input("command-timeout", "soon")]))
    }

    func testSubmissionHonoursReservationRequeueAndNoAccount() throws {
        let options = SlurmExecutor.Options(account: "site", reservation: "maint", noAccount: true, requeue: true)
        let job = spec(resources: ["slurm_account": .string("mine")])
        let args = try SlurmSubmission.arguments(for: job, scriptPath: "/s.sh", stdout: "o", stderr: "o", directory: "/w", options: options)
        XCTAssertTrue(args.contains("--reservation=maint") && args.contains("--requeue"), "\(args)")
        XCTAssertFalse(args.contains { $0.hasPrefix("--account") }, "\(args)")
    }
}
