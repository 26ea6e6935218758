// PiCaS executor: token shape, states as the standard views see them, credentials, and the
// executor against the project's CouchDB subset (scripts/testservers/couchdb_server.py):
// submission in batches, one request per status round, cancel, and 10,000 tokens.

import Foundation
import XCTest
import FlowHTTP
@testable import FlowExec

final class PiCaSTokenTests: XCTestCase {
    func testTokenHasTheStandardFieldsAndFlowsOwn() {
        let job = JobSpec(id: 3, name: "bwa_map", key: "bwa_map[sample=A]", attempt: 2, runID: "run1",
                          command: .shell("echo hi"), workingDirectory: "/w", environment: ["SECRET": "x"],
                          threads: 4, resources: ["mem_mb": .int(100), "runtime": .int(2)])
        let token = PiCaSToken.make(for: job, input: "bash /w/.flow/jobs/a.sh", timeLimit: PiCaSToken.timeLimit(of: job))
        XCTAssertEqual(token["_id"] as? String, job.externalName)
        XCTAssertEqual(token["type"] as? String, "token")
        for key in ["lock", "done", "scrub_count"] { XCTAssertEqual(token[key] as? Int, 0, key) }
        XCTAssertEqual(token["exit_code"] as? String, "")
        let flow = token["flow"] as! CouchDocument
        XCTAssertEqual(flow["wildcards"] as? [String: String], ["sample": "A"])
        XCTAssertEqual(flow["attempt"] as? Int, 2)
        XCTAssertEqual(flow["threads"] as? Int, 4)
        XCTAssertEqual(flow["time_limit"] as? Int, 120)
        let text = String(data: try! CouchClient.encode(token), encoding: .utf8)!
        XCTAssertFalse(text.contains("SECRET"), "environment values never go into a token")
    }

    func testGridTokensCarryTheirFiles() {
        let job = JobSpec(id: 1, name: "sort", key: "sort[s=A]", runID: "r", command: .shell("samtools sort"), workingDirectory: "/w",
                          inputs: [JobFile(location: "davs://h:1/run1/a.bam", path: ".flow/storage/davs/h:1/run1/a.bam")],
                          outputs: [JobFile(location: "davs://h:1/run1/b.bam", path: ".flow/storage/davs/h:1/run1/b.bam")])
        let grid = PiCaSToken.make(for: job, input: "true", timeLimit: nil, carryFiles: true)
        let files = PiCaSToken.files(of: grid)
        XCTAssertEqual(files?.inputs, job.inputs)
        XCTAssertEqual(files?.outputs, job.outputs)
        // Through JSON and back, as a worker reads it.
        let decoded = try! JSONSerialization.jsonObject(with: CouchClient.encode(grid)) as! CouchDocument
        XCTAssertEqual(PiCaSToken.files(of: decoded)?.outputs, job.outputs)
        XCTAssertNil(PiCaSToken.files(of: PiCaSToken.make(for: job, input: "true", timeLimit: nil)), "shared mode: no files, no staging")
        XCTAssertNil(PiCaSToken.files(of: ["input": "echo stock"]), "a stock token")
    }

    func testPhasesFollowTheStandardViews() {
        XCTAssertEqual(PiCaSToken.phase(of: ["lock": 0, "done": 0]), .todo)
        XCTAssertEqual(PiCaSToken.phase(of: ["lock": 5, "done": 0]), .locked)
        XCTAssertEqual(PiCaSToken.phase(of: ["lock": 5, "done": 6, "exit_code": 0]), .done)
        XCTAssertEqual(PiCaSToken.phase(of: ["lock": 5, "done": 6, "exit_code": "0"]), .done)
        XCTAssertEqual(PiCaSToken.phase(of: ["lock": 5, "done": 6, "exit_code": 3]), .error(exitCode: 3))
        // Task.error(): lock = done = 99 with exit_code '' is in the error view (parseInt('') is NaN).
        XCTAssertEqual(PiCaSToken.phase(of: ["lock": 99, "done": 99, "exit_code": ""]), .error(exitCode: nil))
        XCTAssertEqual(Set(PiCaSToken.monitorViews.keys), ["todo", "locked", "done", "error", "overview_total"])
    }

    func testStaleLocks() {
        let now = 10_000
        // Stock worker: lock age against time limit + grace.
        XCTAssertFalse(PiCaSToken.isStale(["lock": now - 100, "done": 0, "flow": ["time_limit": 60]], now: now, grace: 60))
        XCTAssertTrue(PiCaSToken.isStale(["lock": now - 130, "done": 0, "flow": ["time_limit": 60]], now: now, grace: 60))
        // flow worker: its heartbeat counts.
        XCTAssertFalse(PiCaSToken.isStale(["lock": now - 9000, "done": 0, "flow_heartbeat": now - 10], now: now, grace: 60))
        XCTAssertTrue(PiCaSToken.isStale(["lock": now - 90, "done": 0, "flow_heartbeat": now - 61], now: now, grace: 60))
        let scrubbed = PiCaSToken.scrubbed(["lock": 1, "done": 0, "scrub_count": 1, "flow_worker": "w", "slurm_job_id": "7"])
        XCTAssertEqual(scrubbed["scrub_count"] as? Int, 2)
        XCTAssertNil(scrubbed["flow_worker"])
        XCTAssertNil(scrubbed["slurm_job_id"])
        XCTAssertEqual(PiCaSToken.phase(of: scrubbed), .todo)
    }

    func testCredentials() throws {
        let dir = NSTemporaryDirectory() + "picas-cred-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/work", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fromEnv = try CouchCredentials.resolve(file: nil, workdir: nil, environment: ["PICAS_USER": "u", "PICAS_PASSWORD": "p"])
        XCTAssertEqual(fromEnv?.user, "u")
        XCTAssertFalse("\(fromEnv!)".contains("p)"), "the password is never printed")
        FileManager.default.createFile(atPath: dir + "/work/cred", contents: Data("u:secret\n".utf8), attributes: [.posixPermissions: 0o600])
        XCTAssertThrowsError(try CouchCredentials.resolve(file: dir + "/work/cred", workdir: dir + "/work", environment: [:])) {
            XCTAssertFalse("\($0)".contains("secret"))
        }
        FileManager.default.createFile(atPath: dir + "/cred", contents: Data("u:secret\n".utf8), attributes: [.posixPermissions: 0o644])
        XCTAssertThrowsError(try CouchCredentials.resolve(file: dir + "/cred", workdir: dir + "/work", environment: [:]))
        chmod(dir + "/cred", 0o600)
        let fromFile = try CouchCredentials.resolve(file: dir + "/cred", workdir: dir + "/work", environment: [:])
        XCTAssertEqual(fromFile?.user, "u")
        XCTAssertEqual(fromFile?.password, "secret")
    }
}

final class PiCaSExecutorTests: XCTestCase {
    private var server: Process?
    private var url = ""
    private var workdir = ""
    private let requests = RequestCounter()

    override func setUpWithError() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/testservers/couchdb_server.py").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.fileExists(atPath: "/usr/bin/env") else {
            throw XCTSkip("no python3")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--db", "pool", "--user", "tester"]
        process.environment = ProcessInfo.processInfo.environment.merging(["COUCHDB_PASSWORD": "pw"]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        server = process
        let line = String(data: pipe.fileHandleForReading.availableData, encoding: .utf8) ?? ""
        guard let port = line.split(separator: " ").last.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }), !port.isEmpty else {
            throw XCTSkip("the CouchDB test server did not start")
        }
        url = "http://127.0.0.1:\(port)"
        workdir = NSTemporaryDirectory() + "picas-exec-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(atPath: workdir)
    }

    private func executor(batchSize: Int = 2000) throws -> PiCaSExecutor {
        var options = PiCaSExecutor.Options(url: url, database: "pool", credentials: CouchCredentials(user: "tester", password: "pw"),
                                            workdir: workdir)
        options.batchSize = batchSize
        options.jobs = 100_000
        options.tokenScript = "embedded"
        let counter = requests
        options.logHook = { counter.add($0) }
        return try PiCaSExecutor(options: options)
    }

    private func job(_ n: Int, run: String = "r1") -> JobSpec {
        JobSpec(id: n, name: "step", key: "step[i=\(n)]", runID: run, command: .shell("echo \(n)"), workingDirectory: workdir)
    }

    func testSubmitPollAdoptCancel() throws {
        let picas = try executor()
        let ids = try (1...5).map { try picas.submit(job($0)) }
        XCTAssertEqual(requests.count, 0, "tokens are buffered until the next status round")
        let states = try picas.poll(ids)
        XCTAssertTrue(states.values.allSatisfy { $0 == .queued })
        XCTAssertEqual(picas.submitRequests, 1)
        XCTAssertEqual(picas.statusRequests, 1)
        // A restarted flow submits the same ids: conflicts, adopted, nothing pushed twice.
        let again = try executor()
        for n in 1...5 { _ = try again.submit(job(n)) }
        try again.flush()
        XCTAssertEqual(again.adoptions, 5)
        again.cancel(Array(ids.prefix(2)))
        XCTAssertEqual(try again.poll(Array(ids.prefix(2))).values.map { $0 }, [.failed(exitStatus: 130, reason: "cancelled"), .failed(exitStatus: 130, reason: "cancelled")])
        let left = try picas.poll(ids)
        XCTAssertEqual(left.filter { $0.value == .lost }.count, 0, "missing tokens are lost only after several rounds")
        _ = try picas.poll(ids)
        XCTAssertEqual(try picas.poll(ids).filter { $0.value == .lost }.count, 2, "the deleted todo tokens are lost to this executor")
    }

    func testAGroupIsOneToken() throws {
        let picas = try executor()
        let group = try threeJobGroup(directory: workdir, runID: "r1")
        let id = try picas.submit(group)
        XCTAssertEqual(try picas.poll([id])[id], .queued)
        XCTAssertEqual(picas.submitRequests, 1)
        // The one token is the group's, carrying its three jobs.
        let token = try XCTUnwrap(try picas.couch.get(id))
        XCTAssertEqual((token["flow"] as? [String: Any])?["job"] as? String, group.key)
        XCTAssertEqual(group.group?.members.count, 3)
    }

    func testGridModeRefusesInputsOutsideStorage() throws {
        var options = PiCaSExecutor.Options(url: url, database: "pool", credentials: CouchCredentials(user: "tester", password: "pw"),
                                            workdir: workdir)
        options.dataMode = "grid"
        let picas = try PiCaSExecutor(options: options)
        XCTAssertFalse(picas.capabilities.sharesFileSystem)
        var plain = job(1)
        plain.inputs = [JobFile("data/a.txt")]
        var stored = job(2)
        stored.inputs = [JobFile(location: "file:///store/a.txt", path: ".flow/storage/file/store/a.txt")]
        let ids = [try picas.submit(plain), try picas.submit(stored)]
        let states = try picas.poll(ids)
        guard case .infrastructureFailed(let reason)? = states[ids[0]] else { return XCTFail("\(String(describing: states[ids[0]]))") }
        XCTAssertTrue(reason.contains("data/a.txt"), reason)
        XCTAssertEqual(states[ids[1]], .queued)
        XCTAssertEqual(picas.submitRequests, 1)
    }

    /// 10,000 tokens in at most 10 requests and under 5 s; a status round for all of them is one request.
    func testTenThousandTokens() throws {
        let picas = try executor()
        var ids: [String] = []
        let start = Date()
        for n in 1...10_000 { ids.append(try picas.submit(job(n))) }
        try picas.flush()
        let submitSeconds = Date().timeIntervalSince(start)
        let submitRequests = requests.count
        let pollStart = Date()
        let states = try picas.poll(ids)
        let pollSeconds = Date().timeIntervalSince(pollStart)
        print("picas bench: 10000 tokens submitted in \(submitRequests) requests (\(picas.submitRequests) _bulk_docs), \(String(format: "%.2f", submitSeconds)) s; one status round: \(requests.count - submitRequests) request(s), \(String(format: "%.2f", pollSeconds)) s")
        XCTAssertLessThanOrEqual(submitRequests, 10)
        #if DEBUG
        // Debug builds spend most of it rendering 10,000 job scripts; the 5 s figure is for release builds.
        XCTAssertLessThan(submitSeconds, 15)
        #else
        XCTAssertLessThan(submitSeconds, 5)
        #endif
        XCTAssertEqual(requests.count - submitRequests, 1)
        XCTAssertEqual(states.count, 10_000)
        XCTAssertTrue(states.values.allSatisfy { $0 == .queued })
    }
}

private final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [HTTPLogEntry] = []
    func add(_ entry: HTTPLogEntry) { lock.lock(); entries.append(entry); lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }
}
