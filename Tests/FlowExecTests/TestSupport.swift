// Test helpers for FlowExec: temporary directories, a recording scheduler delegate, an
// in-memory executor whose status polls can be told to fail, and a scripted command runner.

import XCTest
import Glibc
@testable import FlowExec

func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/flowexec-test-XXXXXX".utf8CString)
    guard let result = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    return String(cString: result)
}

func removeDirectory(_ path: String) {
    guard path.hasPrefix("/tmp/flowexec-test-") else { return }
    let executor = try! LocalExecutor()
    _ = runToCompletion(executor, JobSpec(id: 0, name: "rm", runID: "t", command: .shell("rm -rf '\(path)'"),
                                          workingDirectory: "/"))
}

/// Submits one job and waits for its terminal state.
func runToCompletion(_ executor: Executor, _ spec: JobSpec, timeout: Double = 30) -> ExternalJobState {
    let id = try! executor.submit(spec)
    let deadline = MonotonicClock.now() + timeout
    while MonotonicClock.now() < deadline {
        let state = try! executor.poll([id])[id]!
        if state.isTerminal { return state }
        executor.waitForProgress(timeout: 0.5, interruption: nil)
    }
    return .lost
}

func readFile(_ path: String) -> String? {
    LocalExecutor.readTail(of: path, limit: 1 << 20)
}

/// Records every callback; builds specs with `makeSpec`.
final class RecordingDelegate: SchedulerDelegate {
    var makeSpec: (Int, Int) throws -> JobSpec
    var retryUpTo: [Int: Int] = [:]
    var onStart: ((Int) -> Void)?
    private(set) var prepared: [(job: Int, attempt: Int)] = []
    private(set) var started: [Int] = []
    private(set) var finished: [(job: Int, attempt: Int, result: JobResult, willRetry: Bool)] = []
    private(set) var stateChanges: [(job: Int, state: ExternalJobState)] = []
    private(set) var flushes = 0
    private(set) var progress: [SchedulerProgress] = []
    private(set) var executorErrors = 0

    init(makeSpec: @escaping (Int, Int) throws -> JobSpec) {
        self.makeSpec = makeSpec
    }

    /// Shell jobs in `directory`, commands looked up by job id.
    convenience init(directory: String, commands: [Int: String]) {
        self.init { id, attempt in
            JobSpec(id: id, name: "r\(id)", attempt: attempt, runID: "test-run",
                    command: .shell(commands[id] ?? "true"), workingDirectory: directory)
        }
    }

    func prepare(job: Int, attempt: Int) throws -> JobSpec {
        prepared.append((job, attempt))
        return try makeSpec(job, attempt)
    }

    func jobStarted(job: Int, attempt: Int, externalID: String, executor: String) {
        started.append(job)
        onStart?(job)
    }

    func jobStateChanged(job: Int, attempt: Int, state: ExternalJobState, executor: String) {
        stateChanges.append((job, state))
    }

    func jobFinished(job: Int, attempt: Int, result: JobResult, willRetry: Bool) {
        finished.append((job, attempt, result, willRetry))
    }

    func shouldRetry(job: Int, attempt: Int, failure: JobFailure) -> Bool {
        attempt <= (retryUpTo[job] ?? 0)
    }

    /// What `verify` says of a job's attempt (nil: its outputs are fine).
    var verdict: ((Int, Int) -> JobFailure?)?
    func verify(job: Int, attempt: Int) -> JobFailure? { verdict?(job, attempt) }

    func flush() { flushes += 1 }
    func progress(_ progress: SchedulerProgress) { self.progress.append(progress) }
    func executorError(executor: String, error: Error) { executorErrors += 1 }

    func results(of job: Int) -> [JobResult] {
        finished.filter { $0.job == job }.map(\.result)
    }
}

struct TransientError: Error {}

/// An in-memory remote backend: a job finishes after `pollsToFinish` status rounds with the
/// state `outcome` gives it; `failingPolls` lists round numbers (1-based) that throw.
final class FakeExecutor: Executor {
    let name: String
    let capabilities: ExecutorCapabilities
    let maxInFlight: Int
    var pollsToFinish = 1
    var outcome: (JobSpec) -> ExternalJobState = { _ in .succeeded }
    var failingPolls: Set<Int> = []
    private(set) var pollCount = 0
    private(set) var submitted: [JobSpec] = []
    private(set) var cancelled: [String] = []
    private(set) var maxConcurrent = 0
    private var jobs: [String: (spec: JobSpec, polls: Int)] = [:]

    init(name: String = "fake", maxInFlight: Int = .max, statusInterval: Double = 0.001) {
        self.name = name
        self.maxInFlight = maxInFlight
        capabilities = ExecutorCapabilities(sharesFileSystem: false, statusInterval: statusInterval)
    }

    func submit(_ job: JobSpec) throws -> String {
        submitted.append(job)
        let id = job.externalName
        jobs[id] = (job, 0)
        maxConcurrent = max(maxConcurrent, jobs.count)
        return id
    }

    func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        pollCount += 1
        if failingPolls.contains(pollCount) { throw TransientError() }
        var states: [String: ExternalJobState] = [:]
        for id in ids {
            guard var job = jobs[id] else { states[id] = .lost; continue }
            job.polls += 1
            if job.polls >= pollsToFinish {
                states[id] = outcome(job.spec)
                jobs[id] = nil
            } else {
                states[id] = .running
                jobs[id] = job
            }
        }
        return states
    }

    func cancel(_ ids: [String]) {
        cancelled += ids
        for id in ids { jobs[id] = nil }
    }

    func logs(_ id: String) -> String? { nil }
}

/// A group of three jobs for back-end tests: `a` writes a.txt; `b` reads it and streams it through
/// the pipe stream.txt to `c`, which writes c.txt ("a" then "c"). Stages: [a], [b, c].
func threeJobGroup(directory: String, runID: String) throws -> JobSpec {
    func spec(_ id: Int, _ name: String, _ command: String, inputs: [String], outputs: [String]) -> JobSpec {
        JobSpec(id: id, name: name, key: "\(name)[\(runID)]", runID: runID, command: .shell(command), workingDirectory: directory,
                resources: ["mem_mb": .int(100)], inputs: inputs.map { JobFile($0) }, outputs: outputs.map { JobFile($0) })
    }
    let group = JobGroup(id: "g", members: [
        JobGroupMember(spec: spec(1, "a", "echo a > a.txt", inputs: [], outputs: ["a.txt"])),
        JobGroupMember(spec: spec(2, "b", "cat a.txt > stream.txt", inputs: ["a.txt"], outputs: ["stream.txt"]),
                       dependencies: [0], pipes: ["stream.txt"]),
        JobGroupMember(spec: spec(3, "c", "cat stream.txt > c.txt; echo c >> c.txt", inputs: ["stream.txt"], outputs: ["c.txt"]),
                       dependencies: [1]),
    ])
    return try group.spec(runID: runID, attempt: 1, workingDirectory: directory, limits: [:])
}

/// Runs `arguments` in `directory` with `stdin` as its input; stdout and exit status.
func runShell(_ arguments: [String], directory: String, stdin: String) throws -> (status: Int32, stdout: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Answers commands from a handler and records every command line (the command-line back ends' tests).
final class ScriptedRunner: CommandRunner {
    var handler: ([String]) throws -> CommandResult
    private(set) var calls: [[String]] = []

    init(_ handler: @escaping ([String]) throws -> CommandResult = { _ in CommandResult(status: 0, stdout: "") }) {
        self.handler = handler
    }

    func run(_ arguments: [String], timeout: Double) throws -> CommandResult {
        calls.append(arguments)
        return try handler(arguments)
    }

    func calls(of program: String) -> [[String]] { calls.filter { $0.first == program } }
}
