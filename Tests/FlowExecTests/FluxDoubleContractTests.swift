// Contract tests of the `flux` test double (scripts/testservers/flux), run directly: the
// options, output shapes, `flux jobs --json` fields and exit codes flux-core documents
// (doc/man1/flux-{submit,jobs,cancel,job,version}.rst; test-servers.md §4). They keep the double
// honest: flow's Flux tests are only worth something while the double answers as Flux does,
// not as flow would like.

import Foundation
import XCTest
import Glibc
@testable import FlowExec
import FlowSystem

final class FluxDoubleContractTests: XCTestCase {
    /// Every key `flux jobs --json` may print.
    static let documentedKeys: Set<String> = [
        "id", "userid", "username", "urgency", "priority", "state", "status", "name", "cwd", "queue", "ntasks",
        "ncores", "nnodes", "nodelist", "ranks", "t_submit", "t_depend", "t_run", "t_cleanup", "t_inactive",
        "runtime", "duration", "expiration", "result", "success", "returncode", "waitstatus", "exception",
        "annotations", "dependencies",
    ]
    static let script: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/scripts/testservers/flux"
    }()

    private var directory = ""
    private let runner = ProcessCommandRunner()

    override func setUpWithError() throws {
        guard (try? runner.run(["python3", "-c", "pass"], timeout: 10))?.status == 0 else { throw XCTSkip("no python3") }
        directory = makeTemporaryDirectory()
        try LocalFiles.makeDirectories(directory + "/instance/jobs")
    }

    override func tearDown() {
        _ = try? flux(["cancel"] + allIDs())
        removeDirectory(directory)
    }

    @discardableResult
    private func flux(_ args: [String], uri: String? = nil, env: [String] = []) throws -> CommandResult {
        let instance = uri ?? "local://\(directory)/instance"
        return try runner.run(["env", "FLUX_URI=\(instance)"] + env + ["python3", Self.script] + args, timeout: 30)
    }

    private func submit(_ args: [String], env: [String] = []) throws -> String {
        let result = try flux(["submit"] + args, env: env)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "submit prints one job id: \(result.stdout)")
        return String(lines.first ?? "")
    }

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    private func job(_ id: String) throws -> [String: Any] {
        json(try flux(["jobs", "-a", "--json", id]).stdout)
    }

    private func waitInactive(_ id: String, timeout: Double = 20) throws -> [String: Any] {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            let record = try job(id)
            if record["state"] as? String == "INACTIVE" { return record }
            Interruption.sleep(seconds: 0.1)
        }
        XCTFail("job \(id) still active after \(timeout) s")
        return [:]
    }

    private func allIDs() -> [String] {
        guard let result = try? flux(["jobs", "-n", "-o", "{id.f58}"]), result.status == 0 else { return [] }
        return result.stdout.split(separator: "\n").map { ExecutorText.trim($0) }.filter { !$0.isEmpty }
    }

    /// Running (a zombie left to a pid 1 that does not reap counts as gone).
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0, let stat = readFile("/proc/\(pid)/stat") else { return false }
        return !stat.contains(") Z ")
    }

    private func exception(_ record: [String: Any]) -> [String: Any] { record["exception"] as? [String: Any] ?? [:] }

    func testVersionNamesTheBrokerOnlyInsideAnInstance() throws {
        let inside = try flux(["version"])
        XCTAssertEqual(inside.status, 0)
        XCTAssertTrue(inside.stdout.contains("commands:") && inside.stdout.contains("broker:"), inside.stdout)
        let outside = try runner.run(["env", "-u", "FLUX_URI", "python3", Self.script, "version"], timeout: 30)
        XCTAssertEqual(outside.status, 0)
        XCTAssertFalse(outside.stdout.contains("broker:"), outside.stdout)
        let jobs = try runner.run(["env", "-u", "FLUX_URI", "python3", Self.script, "jobs"], timeout: 30)
        XCTAssertEqual(jobs.status, 1)
        XCTAssertTrue(jobs.stderr.contains("Unable to connect"), jobs.stderr)
    }

    func testSubmitPrintsOneF58IDAndRejectsBadRequests() throws {
        let id = try submit(["true"])
        XCTAssertTrue(id.hasPrefix("ƒ") && FluxJobID.number(id) != nil, id)
        let ascii = try submit(["true"], env: ["FLUX_F58_FORCE_ASCII=1"])
        XCTAssertTrue(ascii.hasPrefix("f") && FluxJobID.number(ascii) != nil, ascii)
        XCTAssertEqual(try flux(["submit"]).status, 1)
        XCTAssertEqual(try flux(["submit", "-t", "soon", "true"]).status, 1)
        XCTAssertEqual(try flux(["submit", "--no-such-option", "true"]).status, 1)
        // The answer's `id` is the number the F58 text encodes.
        let record = try waitInactive(id)
        XCTAssertEqual((record["id"] as? NSNumber)?.uint64Value, FluxJobID.number(id))
    }

    func testJSONShapesFieldsAndUnknownIDs() throws {
        let a = try submit(["--job-name=a", "-n1", "-c3", "-t", "5", "sleep", "30"])
        let b = try submit(["sh", "-c", "exit 3"])
        let running = try job(a)
        XCTAssertEqual(running["name"] as? String, "a")
        XCTAssertEqual(running["ncores"] as? Int, 3)
        XCTAssertEqual(running["duration"] as? Double, 300, "-t without a unit is minutes")
        XCTAssertNil(running["result"], "keys appear only once known")
        XCTAssertNil(running["returncode"])
        XCTAssertNil(running["waitstatus"])
        let failed = try waitInactive(b)
        XCTAssertEqual(failed["result"] as? String, "FAILED")
        XCTAssertEqual(failed["returncode"] as? Int, 3)
        XCTAssertEqual(failed["success"] as? Bool, false)
        XCTAssertEqual(exception(failed)["occurred"] as? Bool, false)
        for record in [running, failed] {
            XCTAssertTrue(Set(record.keys).isSubset(of: Self.documentedKeys), "\(record.keys)")
        }
        // Two ids: {"jobs": [...]}; one: a single object.
        let both = json(try flux(["jobs", "-a", "--json", a, b]).stdout)
        XCTAssertEqual((both["jobs"] as? [[String: Any]])?.count, 2)
        XCTAssertNil(try job(a)["jobs"])
        // Unknown ids: named on stderr, exit 1; alone, nothing on stdout.
        let unknown = try flux(["jobs", "-a", "--json", "ƒ2222"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertTrue(unknown.stderr.contains("unknown"), unknown.stderr)
        let mixed = try flux(["jobs", "-a", "--json", a, "ƒ2222"])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertEqual((json(mixed.stdout)["jobs"] as? [[String: Any]])?.count, 1)
        // Without ids: active jobs of this user by default, all with -a.
        let active = json(try flux(["jobs", "--json"]).stdout)["jobs"] as? [[String: Any]] ?? []
        XCTAssertEqual(active.map { $0["name"] as? String }, ["a"])
        XCTAssertEqual((json(try flux(["jobs", "-a", "--json"]).stdout)["jobs"] as? [[String: Any]])?.count, 2)
        XCTAssertEqual(try flux(["cancel", a]).status, 0)
    }

    func testTimeLimitIsEnforced() throws {
        let start = MonotonicClock.now()
        let id = try submit(["-t", "1s", "sleep", "30"])
        let record = try waitInactive(id)
        XCTAssertLessThan(MonotonicClock.now() - start, 10)
        XCTAssertEqual(record["result"] as? String, "TIMEOUT")
        XCTAssertEqual(exception(record)["type"] as? String, "timeout")
        XCTAssertEqual(record["returncode"] as? Int, 143, "a task killed by SIGTERM: 128+15")
    }

    func testCancelKillsTheJobsProcessesAndSaysCanceled() throws {
        let id = try submit(["--cwd=\(directory)", "sh", "-c", "sleep 30 & echo $! > child.pid; wait"])
        let deadline = MonotonicClock.now() + 10
        while readFile(directory + "/child.pid") == nil && MonotonicClock.now() < deadline { Interruption.sleep(seconds: 0.05) }
        let child = Int32(ExecutorText.trim(readFile(directory + "/child.pid") ?? "")) ?? 0
        XCTAssertGreaterThan(child, 0)
        XCTAssertEqual(try flux(["cancel", "-m", "stop", id]).status, 0)
        let record = try waitInactive(id)
        XCTAssertEqual(record["result"] as? String, "CANCELED")
        XCTAssertEqual(exception(record)["type"] as? String, "cancel")
        XCTAssertEqual(exception(record)["note"] as? String, "stop")
        Interruption.sleep(seconds: 0.2)
        XCTAssertFalse(Self.alive(child), "the job's background process is gone")
        XCTAssertEqual(try flux(["cancel", id]).status, 1, "an inactive job cannot be cancelled")
        XCTAssertEqual(try flux(["cancel", "ƒ2222"]).status, 1)
    }

    func testExitStatusesOutputFilesEnvironmentAndAlloc() throws {
        let signaled = try submit(["sh", "-c", "kill -9 $$"])
        XCTAssertEqual(try waitInactive(signaled)["returncode"] as? Int, 137)
        let env = try submit(["--cwd=\(directory)", "--output=env.txt", "--env=-*", "--env=PATH", "--env=FOO=bar", "env"],
                             env: ["SECRET=x"])
        XCTAssertEqual(try waitInactive(env)["result"] as? String, "COMPLETED")
        let names = Set((readFile(directory + "/env.txt") ?? "").split(separator: "\n").map { String($0.split(separator: "=")[0]) })
        XCTAssertTrue(names.contains("PATH") && names.contains("FOO") && !names.contains("SECRET"), "\(names)")
        let alloc = try waitInactive(try submit(["-N", "2", "true"]))
        XCTAssertEqual(alloc["result"] as? String, "FAILED")
        XCTAssertEqual(exception(alloc)["type"] as? String, "alloc")
        XCTAssertNil(alloc["t_run"], "it never ran")
        let exec = try waitInactive(try submit(["/no/such/program"]))
        XCTAssertEqual(exec["result"] as? String, "FAILED")
        XCTAssertEqual(exception(exec)["type"] as? String, "exec")
    }

    func testJobAttachAndWait() throws {
        let id = try submit(["sh", "-c", "echo out; echo err >&2; exit 3"])
        let attach = try flux(["job", "attach", id])
        XCTAssertEqual(attach.status, 3)
        XCTAssertEqual(attach.stdout, "out\n")
        XCTAssertTrue(attach.stderr.hasPrefix("err\n"), attach.stderr)
        XCTAssertEqual(try flux(["job", "wait", id]).status, 2, "not waitable")
        let ok = try submit(["--flags=waitable", "true"])
        XCTAssertEqual(try flux(["job", "wait", ok]).status, 0)
        XCTAssertEqual(try flux(["job", "wait", ok]).status, 2, "each result can be consumed once")
        let bad = try submit(["--flags=waitable", "false"])
        XCTAssertEqual(try flux(["job", "wait", bad]).status, 1)
        XCTAssertEqual(try flux(["job", "status", id, ok]).status, 3, "the largest exit code")
    }
}
