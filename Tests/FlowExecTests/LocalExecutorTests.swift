// Tests for the local executor: exit and signal mapping, output capture, working directory and
// environment, the no-shell shortcut, and cancel killing a job's whole process group.

import XCTest
import Glibc
@testable import FlowExec
import FlowSystem

final class LocalExecutorTests: XCTestCase {
    private var directory = ""

    override func setUp() {
        directory = makeTemporaryDirectory()
    }

    override func tearDown() {
        removeDirectory(directory)
    }

    private func job(_ command: String, id: Int = 1, environment: [String: String] = [:],
                     stdout: String? = nil, stderr: String? = nil) -> JobSpec {
        JobSpec(id: id, name: "r", runID: "run", command: .shell(command), workingDirectory: directory,
                environment: environment, stdoutPath: stdout, stderrPath: stderr)
    }

    func testSuccessAndExitStatus() throws {
        let executor = try LocalExecutor()
        XCTAssertEqual(runToCompletion(executor, job("true")), .succeeded)
        XCTAssertEqual(runToCompletion(executor, job("exit 3")), .failed(exitStatus: 3, reason: "exit status 3"))
        XCTAssertEqual(runToCompletion(executor, job("false")), .failed(exitStatus: 1, reason: "exit status 1"))
    }

    func testStrictModeFailsOnUnsetVariablesAndPipes() throws {
        let executor = try LocalExecutor()
        XCTAssertEqual(runToCompletion(executor, job("echo $UNSET_FLOW_VAR; true")).isTerminal, true)
        XCTAssertNotEqual(runToCompletion(executor, job("echo $UNSET_FLOW_VAR; true")), .succeeded)
        XCTAssertEqual(runToCompletion(executor, job("false | true")), .failed(exitStatus: 1, reason: "exit status 1"))
        // SIGPIPE in a pipeline is a default-disposition death of `yes`, as in a terminal.
        XCTAssertEqual(runToCompletion(executor, job("yes | head -n 1 > /dev/null")),
                       .failed(exitStatus: 141, reason: "exit status 141"))
    }

    func testSignalsMapTo128PlusN() throws {
        let executor = try LocalExecutor()
        XCTAssertEqual(runToCompletion(executor, job("kill -TERM $$")),
                       .failed(exitStatus: 143, reason: "killed by signal 15 (SIGTERM)"))
        XCTAssertEqual(runToCompletion(executor, job("kill -KILL $$")),
                       .failed(exitStatus: 137, reason: "killed by signal 9 (SIGKILL)"))
    }

    func testWaitStatusDecoding() {
        XCTAssertEqual(ChildProcess.state(waitStatus: 0), .succeeded)
        XCTAssertEqual(ChildProcess.state(waitStatus: 2 << 8), .failed(exitStatus: 2, reason: "exit status 2"))
        XCTAssertEqual(ChildProcess.state(waitStatus: SIGSEGV), .failed(exitStatus: 139, reason: "killed by signal 11 (SIGSEGV)"))
        XCTAssertEqual(ChildProcess.state(waitStatus: SIGINT | 0x80), .failed(exitStatus: 130, reason: "killed by signal 2 (SIGINT)"))
        XCTAssertEqual(ChildProcess.state(waitStatus: 0, cancelled: true), .failed(exitStatus: 0, reason: "cancelled"))
        XCTAssertEqual(ChildProcess.state(waitStatus: -1), .lost)
    }

    func testOutputCaptureWorkingDirectoryAndEnvironment() throws {
        let executor = try LocalExecutor()
        let log = directory + "/logs/deep/job.log"
        let state = runToCompletion(executor, job("echo \"$PWD $GREETING\"; echo oops >&2", environment: ["GREETING": "hi"],
                                                  stdout: log, stderr: log))
        XCTAssertEqual(state, .succeeded)
        XCTAssertEqual(readFile(log), "\(directory) hi\noops\n")

        let out = directory + "/out.txt", err = directory + "/err.txt"
        XCTAssertEqual(runToCompletion(executor, job("echo a; echo b >&2; exit 4", stdout: out, stderr: err)),
                       .failed(exitStatus: 4, reason: "exit status 4"))
        XCTAssertEqual(readFile(out), "a\n")
        XCTAssertEqual(readFile(err), "b\n")
    }

    func testStdinIsDevNullAndDescriptorsDoNotLeak() throws {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&fds), 0)  // no O_CLOEXEC: would leak without closefrom
        defer { close(fds[0]); close(fds[1]) }
        let executor = try LocalExecutor()
        let out = directory + "/fds.txt"
        XCTAssertEqual(runToCompletion(executor, job("cat; ls /proc/self/fd", stdout: out)), .succeeded)
        XCTAssertEqual(readFile(out)?.split(separator: "\n").sorted(), ["0", "1", "2", "3"])  // 3: ls's own dir fd
    }

    func testDirectExecShortcut() throws {
        XCTAssertEqual(SimpleCommand.words("touch a.txt  b.txt"), ["touch", "a.txt", "b.txt"])
        XCTAssertEqual(SimpleCommand.words("true"), ["true"])
        for needsShell in ["echo hi", "cd x", "A=1 env", "cp a b > c", "ls *.txt", "x=$HOME", "a; b", "a && b",
                           "cat 'q'", "exit 3", "test -f x", "{ true; }", "sleep 1 &", "ls ~", "echo\nhi", "ünï"] {
            XCTAssertNil(SimpleCommand.words(needsShell), needsShell)
        }
        let executor = try LocalExecutor()
        // Runs in the job's directory, with PWD set although no shell ran.
        XCTAssertEqual(runToCompletion(executor, job("touch made-directly.txt")), .succeeded)
        XCTAssertEqual(access(directory + "/made-directly.txt", F_OK), 0)
        let out = directory + "/pwd.txt"
        XCTAssertEqual(runToCompletion(executor, job("printenv PWD", stdout: out)), .succeeded)
        XCTAssertEqual(readFile(out), directory + "\n")
        // A missing program fails like bash would.
        XCTAssertEqual(runToCompletion(executor, job("no-such-program-flow")), .failed(exitStatus: 127, reason: "exit status 127"))
        // The job's PATH is the one searched.
        XCTAssertEqual(runToCompletion(executor, job("flow-helper", environment: ["PATH": directory + "/bin:/usr/bin:/bin"])),
                       .failed(exitStatus: 127, reason: "exit status 127"))
        try LocalFiles.makeDirectories(directory + "/bin")
        try LocalFiles.writeAtomically("#!/bin/sh\nexit 0\n", to: directory + "/bin/flow-helper", mode: 0o755)
        XCTAssertEqual(runToCompletion(executor, job("flow-helper", environment: ["PATH": directory + "/bin:/usr/bin:/bin"])),
                       .succeeded)
    }

    func testCancelKillsTheWholeProcessGroup() throws {
        let executor = try LocalExecutor(options: .init(cancelGracePeriod: 2))
        let id = try executor.submit(job("sleep 100 & echo $! > bg.pid; sleep 100 & echo $! > fg.pid; wait"))
        let leader = pid_t(id)!
        let bg = try waitForPid(directory + "/bg.pid"), fg = try waitForPid(directory + "/fg.pid")
        XCTAssertTrue(isAlive(bg) && isAlive(fg) && isAlive(leader))
        let start = MonotonicClock.now()
        executor.cancel([id])
        XCTAssertLessThan(MonotonicClock.now() - start, 1.5)
        XCTAssertFalse(isAlive(leader))
        XCTAssertFalse(isAlive(bg), "background grandchild survived cancel")
        XCTAssertFalse(isAlive(fg), "foreground grandchild survived cancel")
        guard case .failed(_, let reason)? = try executor.poll([id])[id] else { return XCTFail("not failed") }
        XCTAssertEqual(reason, "cancelled")
    }

    func testCancelEscalatesToSigkill() throws {
        let executor = try LocalExecutor(options: .init(cancelGracePeriod: 0.3))
        let id = try executor.submit(job("trap '' TERM; echo ready > ready.txt; while true; do sleep 0.05; done"))
        _ = try waitForPid(directory + "/ready.txt", numeric: false)
        executor.cancel([id])
        XCTAssertFalse(isAlive(pid_t(id)!))
        XCTAssertEqual(try executor.poll([id])[id], .failed(exitStatus: 137, reason: "cancelled"))
    }

    func testWaitForProgressWakesOnExitAndOnInterruption() throws {
        let executor = try LocalExecutor()
        let interruption = Interruption()
        let id = try executor.submit(job("sleep 0.2"))
        var start = MonotonicClock.now()
        executor.waitForProgress(timeout: 10, interruption: interruption)
        XCTAssertLessThan(MonotonicClock.now() - start, 5)
        XCTAssertEqual(try executor.poll([id])[id], .succeeded)

        let slow = try executor.submit(job("sleep 100"))
        interruption.request(signal: SIGINT)
        start = MonotonicClock.now()
        executor.waitForProgress(timeout: 10, interruption: interruption)
        XCTAssertLessThan(MonotonicClock.now() - start, 1)
        XCTAssertTrue(interruption.check())
        XCTAssertEqual(interruption.signal, SIGINT)
        executor.cancel([slow])
    }

    func testUnknownIdIsLostAndLogsOfFailures() throws {
        let executor = try LocalExecutor()
        XCTAssertEqual(try executor.poll(["999999"])["999999"], .lost)
        let log = directory + "/fail.log"
        let id = try executor.submit(job("echo something broke; exit 2", stdout: log, stderr: log))
        while try executor.poll([id])[id] == .running { executor.waitForProgress(timeout: 1, interruption: nil) }
        XCTAssertEqual(executor.logs(id), "something broke\n")
    }

    func testOutputWaitSeesLateFiles() throws {
        let executor = try LocalExecutor()
        XCTAssertEqual(OutputWait.missing([directory], latencyWait: 0), [])
        XCTAssertEqual(OutputWait.missing([directory + "/never"], latencyWait: 0.1, interval: 0.02), [directory + "/never"])
        let id = try executor.submit(job("sleep 0.2; touch late.txt"))
        let start = MonotonicClock.now()
        XCTAssertEqual(OutputWait.missing([directory + "/late.txt"], latencyWait: 10, interval: 0.02), [])
        XCTAssertLessThan(MonotonicClock.now() - start, 5)
        while try executor.poll([id])[id] == .running { executor.waitForProgress(timeout: 1, interruption: nil) }
    }

    // MARK: helpers

    private func waitForPid(_ path: String, numeric: Bool = true) throws -> pid_t {
        let deadline = MonotonicClock.now() + 10
        while MonotonicClock.now() < deadline {
            if let text = readFile(path), text.hasSuffix("\n") {
                if !numeric { return 0 }
                if let pid = pid_t(text.dropLast()) { return pid }
            }
            usleep(10_000)
        }
        throw SystemCallError("wait for", path: path, code: ETIMEDOUT)
    }

    /// Alive = exists and is not a zombie waiting for a parent that may never reap it
    /// (in containers, orphans go to a PID 1 that may not reap).
    private func isAlive(_ pid: pid_t) -> Bool {
        guard let state = LocalExecutorTests.processState(pid) else { return false }
        return state != "Z" && state != "X"
    }

    /// The state letter from /proc/<pid>/stat (R, S, Z, ...), nil if there is no such process.
    static func processState(_ pid: pid_t) -> Character? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY)
        if fd < 0 { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &buffer, buffer.count)  // /proc files have no size: read, not seek
        guard count > 0 else { return nil }
        let stat = String(decoding: buffer[..<count], as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(close, offsetBy: 2)]
    }

    func testWatchdogEndsListedJobGroupsWhenFlowGoesAway() throws {
        // What the watchdog does when flow dies: its end of the socket closes (here: the watchdog
        // object is dropped) and the groups still listed get SIGTERM; a reaped job is forgotten.
        let spawner = ProcessSpawner()
        let environment = EnvironmentBlock.merging(EnvironmentBlock.current(), [:])
        let output = ChildOutput(stdoutPath: "/dev/null", stderrPath: "/dev/null")
        var running = ChildProcess(pid: try spawner.spawn(executable: "/bin/sleep", arguments: ["sleep", "60"], environment: environment,
                                                          workingDirectory: nil, output: output), output: output)
        var finished = ChildProcess(pid: try spawner.spawn(executable: "/bin/sleep", arguments: ["sleep", "60"], environment: environment,
                                                           workingDirectory: nil, output: output), output: output)
        defer { running.signalGroup(SIGKILL); finished.signalGroup(SIGKILL); _ = running.reap(block: true); _ = finished.reap(block: true) }
        var watchdog = JobWatchdog(spawner: spawner, bash: "/bin/bash", environment: environment, grace: 1)
        XCTAssertNotNil(watchdog)
        watchdog?.jobStarted(running.pid)
        watchdog?.jobStarted(finished.pid)
        watchdog?.jobReaped(finished.pid)  // as if it had ended: the watchdog must leave it alone
        usleep(200_000)
        watchdog = nil
        let deadline = MonotonicClock.now() + 5
        while !running.reap() && MonotonicClock.now() < deadline { usleep(10_000) }
        XCTAssertEqual(running.state, .failed(exitStatus: 128 + SIGTERM, reason: "killed by signal 15 (SIGTERM)"))
        XCTAssertFalse(finished.reap(), "a group the watchdog was told is done keeps running")
    }
}
