// Unit tests of the Flux backend without Flux: exact command lines, the two shapes of a
// `flux jobs --json` answer, unknown ids, the state table, adoption, the instance check, and
// one test per Flux plugin bug of executors.md §2.1 showing flow does not have it.
// FluxDoubleContractTests.swift pins the `flux` test double these tests' answers imitate.

import XCTest
import Glibc
@testable import FlowExec
import FlowSystem

final class FluxExecutorTests: XCTestCase {
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

    private func executor(_ runner: ScriptedRunner, _ options: FluxExecutor.Options? = nil) -> FluxExecutor {
        var options = options ?? FluxExecutor.Options(minimumStatusInterval: 0)
        options.workdir = directory
        return FluxExecutor(options: options, runner: runner)
    }

    /// Answers `flux submit` with `id` and the first `flux jobs` (active jobs) with `active`.
    private func submitRunner(id: String = "ƒ2Ux4Pn1", active: String = #"{"jobs": []}"#) -> ScriptedRunner {
        ScriptedRunner { args in
            switch args[1] {
            case "submit": return CommandResult(status: 0, stdout: id + "\n")
            case "jobs": return CommandResult(status: 0, stdout: active + "\n")
            default: return CommandResult(status: 0, stdout: "")
            }
        }
    }

    private func record(_ number: UInt64, _ fields: String) -> String {
        #"{"id": \#(number), "userid": 1000, "name": "x", "ntasks": 1\#(fields.isEmpty ? "" : ", " + fields)}"#
    }

    // MARK: submission

    func testSubmitArguments() throws {
        let runner = submitRunner()
        let flux = executor(runner, FluxExecutor.Options(minimumStatusInterval: 0, queue: "batch", attributes: ["system.bank=b1"],
                                                         requires: "host:node1"))
        let job = spec(resources: ["runtime": .int(30), "gpus": .int(1), "nodes": .int(2), "mem_mb": .int(500)], threads: 4)
        XCTAssertEqual(try flux.submit(job), "ƒ2Ux4Pn1")
        let name = job.externalName
        let script = "\(directory)/.flow/jobs/\(name).sh"
        let logs = "\(directory)/.flow/logs/flux/\(name)"
        XCTAssertEqual(runner.calls.filter { $0[1] == "submit" }, [[
            "flux", "submit", "--job-name=\(name)", "--cwd=\(directory)", "--output=\(logs).out", "--error=\(logs).err",
            "--env=-*", "--env=PATH", "--env=HOME", "--env=USER", "--env=LOGNAME", "--env=LANG", "--env=LC_*", "--env=TZ",
            "--env=TMPDIR", "-n1", "-c4", "-g1", "-N2", "-t30m", "--queue=batch", "--requires=host:node1",
            "--setattr=system.bank=b1", "bash", script,
        ]])
        // The one `flux jobs` before the first submission looks for jobs an earlier flow left behind.
        XCTAssertEqual(runner.calls.first, ["flux", "jobs", "--json", "--filter=pending,running", "--count=0"])
        XCTAssertEqual(readFile(script), JobScript.render(job))
        XCTAssertEqual(access("\(directory)/.flow/logs/flux", F_OK), 0)
        XCTAssertEqual(flux.submissions, 1)
    }

    /// Against the `flux` test double, which really runs what it is given.
    func testAGroupIsOneFluxJob() throws {
        guard (try? ProcessCommandRunner().run(["python3", "-c", "pass"], timeout: 10))?.status == 0 else { throw XCTSkip("no python3") }
        let instance = directory + "/instance"
        try LocalFiles.makeDirectories(instance + "/jobs")
        setenv("FLUX_URI", instance, 1)
        defer { unsetenv("FLUX_URI") }
        let runner = ScriptedRunner { args in
            try ProcessCommandRunner().run([FluxDoubleContractTests.script] + args.dropFirst(), timeout: 30)
        }
        let flux = executor(runner)
        let group = try threeJobGroup(directory: directory, runID: "Run42")
        let id = try flux.submit(group)
        var state: ExternalJobState?
        let deadline = MonotonicClock.now() + 30
        while MonotonicClock.now() < deadline {
            state = try flux.poll([id])[id]
            if state?.isTerminal == true { break }
            Interruption.sleep(seconds: 0.1)
        }
        XCTAssertEqual(state, .succeeded)
        XCTAssertEqual(runner.calls.filter { $0[1] == "submit" }.count, 1, "one flux job for the group's three jobs")
        XCTAssertEqual(readFile(directory + "/c.txt"), "a\nc\n")
        XCTAssertEqual(JobGroup.outcomes(readFile(directory + "/" + JobGroup.statusFile(of: group)) ?? ""), [1: 0, 2: 0, 3: 0])
    }

    func testTimeLimits() throws {
        XCTAssertEqual(try FluxSubmission.timeLimit(.int(1)), "1m")
        XCTAssertEqual(try FluxSubmission.timeLimit(.string("90")), "90m")
        XCTAssertEqual(try FluxSubmission.timeLimit(.string("1h30m")), "90m")
        XCTAssertEqual(try FluxSubmission.timeLimit(.string("90s")), "90s")
        XCTAssertEqual(try FluxSubmission.timeLimit(.string("1-00:00:00")), "1440m")
        XCTAssertThrowsError(try FluxSubmission.timeLimit(.string("soon")))
        XCTAssertThrowsError(try FluxSubmission.timeLimit(.int(0)))
    }

    func testJobIDs() {
        XCTAssertEqual(FluxSubmission.jobID(fromOutput: "ƒ2Ux4Pn1\n"), "ƒ2Ux4Pn1")
        XCTAssertEqual(FluxSubmission.jobID(fromOutput: "flux-submit: WARNING: something\nf2Ux4Pn1\n"), "f2Ux4Pn1")
        XCTAssertEqual(FluxSubmission.jobID(fromOutput: "123456789\n"), "123456789")
        XCTAssertNil(FluxSubmission.jobID(fromOutput: ""))
        XCTAssertNil(FluxSubmission.jobID(fromOutput: "Submitted job 5 (ƒ)"))
        XCTAssertEqual(FluxJobID.number("ƒ2Ux4Pn1"), FluxJobID.number("f2Ux4Pn1"))
        for number: UInt64 in [0, 1, 57, 58, 19_488_337_920, 1_234_567_890_123, UInt64.max] {
            XCTAssertEqual(FluxJobID.number(FluxJobID.f58(number)), number)
        }
        XCTAssertEqual(FluxJobID.f58(58), "ƒ21")
        XCTAssertEqual(FluxJobID.number("42"), 42)
        XCTAssertNil(FluxJobID.number("ƒ0OIl"))     // not in the F58 alphabet
        XCTAssertNil(FluxJobID.number("ƒzzzzzzzzzzzzzzzz"))  // more than 64 bits
        XCTAssertNil(FluxJobID.number("-3"))
    }

    func testFailingSubmitNamesCommandAndStderr() {
        let runner = ScriptedRunner { args in
            args[1] == "submit"
                ? CommandResult(status: 1, stdout: "", stderr: "flux-submit: ERROR: queue does not exist\n")
                : CommandResult(status: 0, stdout: #"{"jobs": []}"#)
        }
        XCTAssertThrowsError(try executor(runner).submit(spec())) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("`flux submit --job-name=\(spec().externalName)"), text)
            XCTAssertTrue(text.hasSuffix("failed with exit status 1: flux-submit: ERROR: queue does not exist"), text)
        }
    }

    func testBadResourcesFailBeforeSubmit() {
        let runner = submitRunner()
        let flux = executor(runner)
        XCTAssertThrowsError(try flux.submit(spec(resources: ["runtime": .string("soon")]))) { error in
            XCTAssertEqual(error as? FluxError, .invalidResource(name: "runtime", value: "soon"))
        }
        XCTAssertThrowsError(try flux.submit(spec(resources: ["gpus": .int(-1)])))
        XCTAssertTrue(runner.calls.filter { $0[1] == "submit" }.isEmpty)
    }

    // MARK: adoption

    func testAdoptsJobLeftBehindAndNeverSubmitsTwice() throws {
        let left = FluxJobID.number("ƒ2Ux4Pn1")!
        let active = #"{"jobs": [\#(record(left, #""state": "RUN""#).replacingOccurrences(of: #""name": "x""#, with: #""name": "\#(spec(id: 7).externalName)""#)), \#(record(99, #""state": "SCHED""#))]}"#
        let runner = submitRunner(id: "ƒ3abc", active: active)
        let flux = executor(runner)
        XCTAssertEqual(try flux.submit(spec(id: 7)), "ƒ2Ux4Pn1")
        XCTAssertEqual(try flux.submit(spec(id: 7)), "ƒ2Ux4Pn1")
        XCTAssertEqual(try flux.submit(spec(id: 8)), "ƒ3abc")
        XCTAssertEqual(try flux.submit(spec(id: 8)), "ƒ3abc")
        XCTAssertEqual(runner.calls.filter { $0[1] == "jobs" }.count, 1)
        XCTAssertEqual(runner.calls.filter { $0[1] == "submit" }.count, 1)
        XCTAssertEqual(flux.adoptions, 1)
    }

    func testSubmitTimeoutAdoptsJobThatReachedFlux() throws {
        let name = spec().externalName
        let runner = ScriptedRunner()
        runner.handler = { args in
            if args[1] == "submit" { throw CommandError.timedOut(command: "flux submit", seconds: 60) }
            if args.contains("--name=\(name)") {
                return CommandResult(status: 0, stdout: #"{"jobs": [{"id": 55, "name": "\#(name)", "state": "SCHED"}]}"#)
            }
            return CommandResult(status: 0, stdout: #"{"jobs": []}"#)
        }
        XCTAssertEqual(try executor(runner).submit(spec()), FluxJobID.f58(55))
    }

    // MARK: status

    func testSingleObjectAnswerForOneID() throws {
        let runner = ScriptedRunner { _ in CommandResult(status: 0, stdout: self.record(58, #""state": "RUN""#) + "\n") }
        let flux = executor(runner)
        XCTAssertEqual(try flux.poll(["ƒ21"]), ["ƒ21": .running])
        XCTAssertEqual(runner.calls, [["flux", "jobs", "-a", "--json", "ƒ21"]])
    }

    func testOneStatusCallForFiftyJobs() throws {
        let numbers = (1...50).map { UInt64(1_000_000 + $0) }
        let ids = numbers.map(FluxJobID.f58)
        let runner = ScriptedRunner { _ in
            let records = numbers.enumerated().map { index, number in
                index == 0 ? self.record(number, #""state": "INACTIVE", "result": "FAILED", "returncode": 3, "exception": {"occurred": false}"#)
                    : index == 1 ? self.record(number, #""state": "INACTIVE", "result": "COMPLETED", "returncode": 0"#)
                    : self.record(number, #""state": "SCHED""#)
            }
            return CommandResult(status: 0, stdout: #"{"jobs": ["# + records.joined(separator: ", ") + "]}\n",
                                      stderr: "flux-jobs: WARNING: Filtering options ignored with jobid list\n")
        }
        let flux = executor(runner)
        let states = try flux.poll(ids)
        XCTAssertEqual(runner.calls, [["flux", "jobs", "-a", "--json"] + ids])
        XCTAssertEqual(flux.statusCalls, 1)
        XCTAssertEqual(states[ids[0]], .failed(exitStatus: 3, reason: "Flux job FAILED (exit status 3)"))
        XCTAssertEqual(states[ids[1]], .succeeded)
        XCTAssertEqual(states.values.filter { $0 == .queued }.count, 48)
    }

    func testDecimalAndASCIIIdsMatchTheirAnswers() throws {
        let runner = ScriptedRunner { _ in
            CommandResult(status: 0, stdout: #"{"jobs": [\#(self.record(77, #""state": "RUN""#)), \#(self.record(58, #""state": "DEPEND""#))]}"#)
        }
        XCTAssertEqual(try executor(runner).poll(["77", "f21"]), ["77": .running, "f21": .queued])
    }

    func testUnknownIDIsLostOnlyAfterConsecutiveMisses() throws {
        var known = false
        let runner = ScriptedRunner { _ in
            known ? CommandResult(status: 0, stdout: self.record(8, #""state": "SCHED""#))
                : CommandResult(status: 1, stdout: "", stderr: "flux-jobs: ERROR: JobID 8 unknown\n")
        }
        let flux = executor(runner, FluxExecutor.Options(minimumStatusInterval: 0, lostAfterMissedRounds: 3))
        XCTAssertEqual(try flux.poll(["8"]), [:])
        XCTAssertEqual(try flux.poll(["8"]), [:])
        known = true
        XCTAssertEqual(try flux.poll(["8"]), ["8": .queued])
        known = false
        XCTAssertEqual(try flux.poll(["8"]), [:])
        XCTAssertEqual(try flux.poll(["8"]), [:])
        XCTAssertEqual(try flux.poll(["8"]), ["8": .lost])
    }

    func testUnknownIDAmongKnownOnesKeepsTheOthers() throws {
        let runner = ScriptedRunner { _ in
            CommandResult(status: 1, stdout: #"{"jobs": [\#(self.record(5, #""state": "RUN""#))]}"#,
                               stderr: "flux-jobs: ERROR: JobID 6 unknown\n")
        }
        let flux = executor(runner, FluxExecutor.Options(minimumStatusInterval: 0, lostAfterMissedRounds: 1))
        XCTAssertEqual(try flux.poll(["5", "6"]), ["5": .running, "6": .lost])
    }

    func testTransientFailureThrows() {
        let runner = ScriptedRunner { _ in
            CommandResult(status: 1, stdout: "", stderr: "flux-jobs: ERROR: Unable to connect to Flux: broker socket was not found\n")
        }
        XCTAssertThrowsError(try executor(runner).poll(["1"])) { error in
            XCTAssertTrue(String(describing: error).contains("Unable to connect"), "\(error)")
        }
        let garbage = ScriptedRunner { _ in CommandResult(status: 0, stdout: "ƒ2 R\n") }
        XCTAssertThrowsError(try executor(garbage).poll(["ƒ2"]))
    }

    func testStateTable() {
        func state(_ fields: String) -> ExternalJobState? {
            FluxJobState.map(FluxJobState.records(fromJSON: record(1, fields))![0])
        }
        let exc = { (type: String, note: String) in #""exception": {"occurred": true, "severity": 0, "type": "\#(type)", "note": "\#(note)"}"# }
        XCTAssertEqual(state(#""state": "DEPEND""#), .queued)
        XCTAssertEqual(state(#""state": "PRIORITY""#), .queued)
        XCTAssertEqual(state(#""state": "SCHED""#), .queued)
        XCTAssertEqual(state(#""state": "RUN""#), .running)
        XCTAssertEqual(state(#""state": "CLEANUP""#), .running)
        XCTAssertEqual(state(#""state": 16"#), .running)
        XCTAssertNil(state(#""state": "WEIRD""#))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "COMPLETED", "returncode": 0, "success": true"#), .succeeded)
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "returncode": 3, "waitstatus": 768"#),
                       .failed(exitStatus: 3, reason: "Flux job FAILED (exit status 3)"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "returncode": 137"#),
                       .failed(exitStatus: 137, reason: "Flux job FAILED (exit status 137, killed by signal 9)"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "returncode": -9"#),
                       .failed(exitStatus: 137, reason: "Flux job FAILED (exit status 137, the job shell was killed by signal 9)"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "waitstatus": 512"#),
                       .failed(exitStatus: 2, reason: "Flux job FAILED (exit status 2)"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "TIMEOUT", "returncode": 143, "#  + exc("timeout", "resource allocation expired")),
                       .failed(exitStatus: 143, reason: "TIMEOUT: job exceeded its runtime; Flux exception timeout: resource allocation expired"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "CANCELED", "returncode": -128, "# + exc("cancel", "")),
                       .failed(exitStatus: 1, reason: "CANCELED before it started; Flux exception cancel"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "CANCELED", "returncode": 143, "# + exc("cancel", "by admin")),
                       .failed(exitStatus: 143, reason: "CANCELED; Flux exception cancel: by admin"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "returncode": 127, "# + exc("exec", "task 0: start failed: nope: No such file or directory")),
                       .failed(exitStatus: 127, reason: "Flux job FAILED (exit status 127); Flux exception exec: task 0: start failed: nope: No such file or directory"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "# + exc("alloc", "unsatisfiable request")),
                       .failed(exitStatus: 1, reason: "Flux job FAILED; Flux exception alloc: unsatisfiable request"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "# + exc("node-failure", "lost rank 3")),
                       .infrastructureFailed(reason: "Flux job FAILED; Flux exception node-failure: lost rank 3"))
        XCTAssertEqual(state(#""state": "INACTIVE", "result": "FAILED", "returncode": 0"#),
                       .failed(exitStatus: 1, reason: "Flux job FAILED"))
    }

    func testCancelIsOneFluxCancel() {
        let runner = ScriptedRunner()
        executor(runner).cancel(["ƒ2", "ƒ3", "ƒ4"])
        XCTAssertEqual(runner.calls, [["flux", "cancel", "ƒ2", "ƒ3", "ƒ4"]])
    }

    func testLogsFromFilesElseFluxJobAttach() throws {
        let runner = submitRunner(id: "ƒ9")
        runner.handler = { [handler = runner.handler] args in
            args[1] == "job" ? CommandResult(status: 0, stdout: "from the KVS\n") : try handler(args)
        }
        let flux = executor(runner)
        let job = spec()
        _ = try flux.submit(job)
        XCTAssertEqual(flux.logs("ƒ9"), "from the KVS\n")
        XCTAssertEqual(runner.calls.last, ["flux", "job", "attach", "ƒ9"])
        try LocalFiles.writeAtomically("out\n", to: "\(directory)/.flow/logs/flux/\(job.externalName).out")
        XCTAssertEqual(flux.logs("ƒ9"), "out\n")
    }

    // MARK: instance, options

    func testInstanceCheck() throws {
        let inside = ScriptedRunner { _ in CommandResult(status: 0, stdout: "commands:    \t\t0.60.0\nlibflux-core:\t\t0.60.0\nbroker:      \t\t0.60.0\n") }
        XCTAssertNoThrow(try executor(inside).checkInstance())
        XCTAssertEqual(inside.calls, [["flux", "version"]])
        let outside = ScriptedRunner { _ in CommandResult(status: 0, stdout: "commands:    \t\t0.60.0\nlibflux-core:\t\t0.60.0\n") }
        XCTAssertThrowsError(try executor(outside).checkInstance()) { error in
            guard case FluxError.noInstance = error else { return XCTFail("\(error)") }
            XCTAssertTrue(String(describing: error).hasPrefix("no Flux instance: "), "\(error)")
        }
        let missing = ScriptedRunner { _ in throw CommandError.notFound("flux", searchPath: "/usr/bin") }
        XCTAssertThrowsError(try executor(missing).checkInstance()) { error in
            XCTAssertEqual(error as? SchedulerCommandError,
                           .notFound("flux", searchPath: "/usr/bin", hint: "--executor flux needs the flux command of flux-core"))
        }
    }

    func testOptionsFromTypedSettings() throws {
        func input(_ setting: String, _ values: String...) -> SettingInput {
            SettingInput(executor: "flux", setting: setting, values: values, source: .commandLine)
        }
        let settings = try ExecutorSettings(FluxExecutor.descriptor, inputs: [
            input("queue", "pdebug"), input("setattr", "system.bank=b1"), input("setattr", "user.x=1"),
            input("requires", "-host:bad"), input("env", "OMP_*", "PATH"), input("command-timeout", "5"),
        ])
        let options = try FluxExecutor.Options(ExecutorContext(settings: settings, workdir: "/w", jobs: 50,
                                                               maxStatusChecksPerSecond: 10, secondsBetweenStatusChecks: 2))
        XCTAssertEqual(options.jobs, 50)
        XCTAssertEqual(options.statusInterval, 2)
        XCTAssertEqual(options.queue, "pdebug")
        XCTAssertEqual(options.attributes, ["system.bank=b1", "user.x=1"])
        XCTAssertEqual(options.requires, "-host:bad")
        XCTAssertEqual(options.environment, FluxExecutor.Options.defaultEnvironment + ["OMP_*"])
        XCTAssertEqual(options.commandTimeout, 5)
        XCTAssertEqual(options.logDirectory, ".flow/logs/flux")
        let bad = try ExecutorSettings(FluxExecutor.descriptor, inputs: [input("setattr", "novalue")])
        XCTAssertThrowsError(try FluxExecutor.Options(ExecutorContext(settings: bad, workdir: "/w")))
        XCTAssertEqual(ExecutorRegistry.descriptor(named: "flux")?.name, "flux")
    }

    // MARK: the Flux plugin's bugs (executors.md §2.1), one test each

    /// (a) The plugin set `cpus_per_task`, which JobspecV1 ignores: every job got 1 core.
    func testPluginBugA_threadsBecomeCoresPerTask() throws {
        let runner = submitRunner()
        _ = try executor(runner).submit(spec(threads: 6))
        let submit = try XCTUnwrap(runner.calls.first { $0[1] == "submit" })
        XCTAssertTrue(submit.contains("-n1") && submit.contains("-c6"), "\(submit)")
    }

    /// (b) The plugin passed `runtime` (minutes) as the jobspec duration (seconds): 60× too short.
    func testPluginBugB_runtimeIsMinutes() throws {
        let runner = submitRunner()
        _ = try executor(runner).submit(spec(resources: ["runtime": .int(2)]))
        let submit = try XCTUnwrap(runner.calls.first { $0[1] == "submit" })
        XCTAssertTrue(submit.contains("-t2m"), "\(submit)")
    }

    /// (c) A job exception (timeout, cancel, node loss) escaped the plugin's handler and crashed
    /// its wait thread. Here each is a reported outcome, and the other jobs of the round too.
    func testPluginBugC_exceptionsAreOutcomes() throws {
        let runner = ScriptedRunner { _ in
            CommandResult(status: 0, stdout: #"{"jobs": [\#(self.record(1, #""state": "INACTIVE", "result": "TIMEOUT", "returncode": 143, "exception": {"occurred": true, "type": "timeout", "severity": 0, "note": ""}"#)), \#(self.record(2, #""state": "INACTIVE", "result": "FAILED", "exception": {"occurred": true, "type": "node-failure", "severity": 0, "note": ""}"#)), \#(self.record(3, #""state": "RUN""#))]}"#)
        }
        let states = try executor(runner).poll(["1", "2", "3"])
        XCTAssertEqual(states["1"], .failed(exitStatus: 143, reason: "TIMEOUT: job exceeded its runtime; Flux exception timeout"))
        XCTAssertEqual(states["2"], .infrastructureFailed(reason: "Flux job FAILED; Flux exception node-failure"))
        XCTAssertEqual(states["3"], .running)
    }

    /// (d) The plugin's cancel referred to attributes that do not exist and raised.
    func testPluginBugD_cancelCancels() {
        let runner = ScriptedRunner()
        let flux = executor(runner)
        flux.cancel(["ƒ5"])
        flux.cancel([])
        XCTAssertEqual(runner.calls, [["flux", "cancel", "ƒ5"]])
    }

    /// (e) The plugin copied flow's whole environment (secrets included) into every job, and
    /// ignored GPUs.
    func testPluginBugE_environmentIsAllowListedAndGPUsRequested() throws {
        let runner = submitRunner()
        _ = try executor(runner).submit(spec(resources: ["gpus": .int(2)]))
        let submit = try XCTUnwrap(runner.calls.first { $0[1] == "submit" })
        let env = submit.filter { $0.hasPrefix("--env=") }
        XCTAssertEqual(env.first, "--env=-*")
        XCTAssertEqual(Array(env.dropFirst()), FluxExecutor.Options.defaultEnvironment.map { "--env=" + $0 })
        XCTAssertTrue(submit.contains("-g2"), "\(submit)")
    }
}
