// TestSupport: scratch working directories, sample records, and child processes for the tests
// that need a second flow process (lock contention, kill -9 durability). The child is this
// very test binary re-run with one test selected (ChildProcessEntry) and a role in its
// environment, so it exercises the real FlowState code in a separate process.
import Foundation
import XCTest
@testable import FlowState

func makeWorkdir(_ name: String = #function) throws -> String {
    let base = FileManager.default.temporaryDirectory.path
    let dir = "\(base)/flowstate-\(name.filter { $0.isLetter || $0.isNumber })-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func removeWorkdir(_ dir: String) {
    try? FileManager.default.removeItem(atPath: dir)
}

func sampleRecord(_ index: Int, rule: String = "copy", inputs: [String]? = nil) -> JobRecord {
    JobRecord(
        rule: rule, jobKey: "\(rule)[sample=s\(index)]",
        paramsHash: "p-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        codeHash: "c-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
        inputs: InputSet(inputs ?? ["in/s\(index).txt"]),
        softwareEnvHash: "e-00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        shellCommand: "cp in/s\(index).txt out/s\(index).txt",
        startTime: 1_700_000_000 + Double(index), endTime: 1_700_000_001.5 + Double(index),
        exitStatus: 0, host: "node01", runID: "run-1", outputMtime: 1_700_000_001.25 + Double(index))
}

/// Roles a child process can play; see ChildProcessEntry.
enum ChildRole: String {
    /// Take the workdir lock, report ready, sleep until killed.
    case holdLock
    /// Write batches in a loop (mark incomplete, record, clear) until killed.
    case writeLoop
}

/// A running child process playing `role` in `workdir`; `waitUntilReady` returns once the child
/// has done its setup (it creates `<workdir>/child-ready`).
final class ChildProcess {
    let process = Process()
    let readyFile: String

    init(role: ChildRole, workdir: String) throws {
        readyFile = workdir + "/child-ready"
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["FlowStateTests.ChildProcessEntry/testChildRole"]
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW_STATE_CHILD_ROLE"] = role.rawValue
        environment["FLOW_STATE_CHILD_WORKDIR"] = workdir
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int { Int(process.processIdentifier) }

    func waitUntilReady(timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: readyFile) {
            guard process.isRunning else { throw ChildFailed(reason: "child exited before becoming ready") }
            guard Date() < deadline else { throw ChildFailed(reason: "child not ready after \(timeout) s") }
            usleep(10_000)
        }
    }

    /// SIGKILL, then reap so the pid is really gone (a zombie still answers kill(pid, 0)).
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill9() } }
}

struct ChildFailed: Error { let reason: String }
