// The Kubernetes executor against scripts/testservers/kube_apiserver.py: submit, one Job list
// and one Pod list per round, failure classification, logs, adoption on 409, the 401 refresh of
// a token file, cancel and the sweep of the run's label.

import Foundation
import XCTest
@testable import FlowExec
import FlowSystem

final class KubernetesExecutorTests: XCTestCase {
    private func makeExecutor(_ server: KubeTestServer, workdir: String, configure: (inout KubernetesOptions) -> Void = { _ in }) throws -> KubernetesExecutor {
        let endpoint = try KubeConfig.load(path: server.kubeconfig)
        var options = KubernetesOptions()
        options.namespace = endpoint.namespace ?? "default"
        options.workdir = workdir
        options.statusInterval = 0.2
        configure(&options)
        return try KubernetesExecutor(options: options, endpoint: endpoint)
    }

    private func spec(_ id: Int, _ command: String, workdir: String, image: String? = nil, run: String = "r1") -> JobSpec {
        JobSpec(id: id, name: "rule\(id % 3)", key: "rule[i=\(id)]", runID: run, command: .shell(command),
                workingDirectory: workdir, container: image)
    }

    private func waitAll(_ executor: KubernetesExecutor, _ ids: [String], timeout: Double = 30) throws -> [String: ExternalJobState] {
        var states: [String: ExternalJobState] = [:]
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let open = ids.filter { !(states[$0]?.isTerminal ?? false) }
            if open.isEmpty { break }
            states.merge(try executor.poll(open)) { $1 }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return states
    }

    func testRunsJobsClassifiesFailuresKeepsLogsAndSweeps() throws {
        let server = try KubeTestServer(["--token", "t0k"])
        let workdir = makeTemporaryDirectory()
        defer { removeDirectory(workdir) }
        let executor = try makeExecutor(server, workdir: workdir)
        let ok = try executor.submit(spec(1, "echo made > out.txt; echo hello-log", workdir: workdir))
        let bad = try executor.submit(spec(2, "echo failing; exit 3", workdir: workdir))
        let pull = try executor.submit(spec(3, "true", workdir: workdir, image: "missing/image:1"))
        let oomless = try executor.submit(spec(4, "sleep 60", workdir: workdir, image: "UPPER/case"))
        let states = try waitAll(executor, [ok, bad, pull, oomless])
        XCTAssertEqual(states[ok], .succeeded)
        XCTAssertEqual(states[bad], .failed(exitStatus: 3, reason: "Error"))
        guard case .failed(_, let reason)? = states[pull] else { return XCTFail("\(String(describing: states[pull]))") }
        XCTAssertTrue(reason.hasPrefix("ErrImagePull"), reason)
        guard case .failed(_, let reason2)? = states[oomless] else { return XCTFail("\(String(describing: states[oomless]))") }
        XCTAssertTrue(reason2.hasPrefix("InvalidImageName"), reason2)
        XCTAssertEqual(readFile(workdir + "/out.txt"), "made\n")
        XCTAssertEqual(executor.logs(ok), "hello-log\n")
        XCTAssertEqual(executor.logs(bad), "failing\n")
        // Submitting the same attempt again adopts it instead of creating a second Job.
        XCTAssertEqual(try executor.submit(spec(9, "sleep 30", workdir: workdir)), spec(9, "", workdir: workdir).externalName)
        XCTAssertEqual(try executor.submit(spec(9, "sleep 30", workdir: workdir)), spec(9, "", workdir: workdir).externalName)
        XCTAssertEqual(executor.adoptions, 1)
        XCTAssertEqual(executor.submissions, 5)
        executor.sweep()
        let log = server.requestLog()
        XCTAssertEqual(log.filter { $0.hasPrefix("POST") }.count, 6)
        // Nothing of the run is left.
        XCTAssertEqual(try executor.client.listJobs(selector: KubernetesManifest.runSelector(["r1"])).count, 0)
        XCTAssertEqual(try executor.client.listPods(selector: KubernetesManifest.runSelector(["r1"])).count, 0)
    }

    func testAGroupIsOneKubernetesJob() throws {
        let server = try KubeTestServer(["--token", "t0k"])
        let workdir = makeTemporaryDirectory()
        defer { removeDirectory(workdir) }
        let executor = try makeExecutor(server, workdir: workdir)
        let group = try threeJobGroup(directory: workdir, runID: "r1")
        let id = try executor.submit(group)
        XCTAssertEqual(try waitAll(executor, [id])[id], .succeeded)
        XCTAssertEqual(server.requestLog().filter { $0.hasPrefix("POST") }.count, 1, "one Job for the group's three jobs")
        XCTAssertEqual(readFile(workdir + "/c.txt"), "a\nc\n")
        XCTAssertEqual(JobGroup.outcomes(readFile(workdir + "/" + JobGroup.statusFile(of: group)) ?? ""), [1: 0, 2: 0, 3: 0])
    }

    /// Whatever the number of jobs, and however many finish in a round: two lists and one batched
    /// delete. The jobs keep their own logs on the shared volume, so no pod log is read.
    func testFiftyJobsInFlightCostAtMostThreeRequestsPerRound() throws {
        let server = try KubeTestServer(["--token", "t0k"])
        let workdir = makeTemporaryDirectory()
        defer { removeDirectory(workdir) }
        let executor = try makeExecutor(server, workdir: workdir)
        var ids: [String] = []
        for i in 0..<50 { ids.append(try executor.submit(spec(i, "sleep 6; echo done-\(i)", workdir: workdir))) }
        var perRound: [(requests: Int, finished: Int)] = []
        var done = Set<String>()
        let deadline = Date().addingTimeInterval(40)
        while done.count < ids.count && Date() < deadline {
            let before = executor.apiRequests
            let states = try executor.poll(ids.filter { !done.contains($0) })
            let finished = states.filter { $0.value.isTerminal }.map(\.key)
            done.formUnion(finished)
            perRound.append((executor.apiRequests - before, finished.count))
            Thread.sleep(forTimeInterval: 0.3)
        }
        XCTAssertEqual(done.count, 50)
        for round in perRound { XCTAssertLessThanOrEqual(round.requests, 3, "\(perRound)") }
        XCTAssertTrue(perRound.contains { $0.finished == 0 && $0.requests == 2 }, "\(perRound)")
        XCTAssertTrue(perRound.contains { $0.finished > 3 }, "several jobs ended in one round: \(perRound)")
        XCTAssertFalse(server.requestLog().contains { $0.contains("/log") }, "no pod log read from the API")
        for (i, id) in ids.enumerated() { XCTAssertEqual(executor.logs(id), "done-\(i)\n") }
    }

    /// A job whose own log is gone (a volume that lost it): flow reads the pod log from the API
    /// once, before the Job is deleted.
    func testAMissingOwnLogFallsBackToThePodLog() throws {
        let server = try KubeTestServer(["--token", "t0k"])
        let workdir = makeTemporaryDirectory()
        defer { removeDirectory(workdir) }
        let executor = try makeExecutor(server, workdir: workdir)
        let own = KubernetesManifest.ownLogPath(spec(1, "", workdir: workdir), options: executor.options)
        let id = try executor.submit(spec(1, "echo via-api; rm -f \(ShellQuote.quote(own))", workdir: workdir))
        XCTAssertEqual(try waitAll(executor, [id])[id], .succeeded)
        XCTAssertEqual(executor.logs(id), "via-api\n")
        XCTAssertEqual(server.requestLog().filter { $0.hasSuffix("/log") }.count, 1)
    }

    func testTokenFileIsReadAgainAfter401() throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let tokenFile = dir + "/token"
        try "first".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try KubeTestServer(["--token-file", tokenFile, "--tls", dir + "/tls"])
        let executor = try makeExecutor(server, workdir: dir)
        let id = try executor.submit(spec(1, "true", workdir: dir))
        try "second".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        XCTAssertEqual(try waitAll(executor, [id])[id], .succeeded)
        let log = (readFile(server.directory + "/requests.log") ?? "")
        XCTAssertTrue(log.contains("\"status\": 401"), "the server refused the old token once")
    }

    func testEvictionIsAnInfrastructureFailureAndAVanishedJobIsLost() throws {
        let server = try KubeTestServer(["--evict", "1"])
        let workdir = makeTemporaryDirectory()
        defer { removeDirectory(workdir) }
        let executor = try makeExecutor(server, workdir: workdir)
        let evicted = try executor.submit(spec(1, "sleep 5", workdir: workdir))
        guard case .infrastructureFailed(let reason)? = try waitAll(executor, [evicted])[evicted] else { return XCTFail() }
        XCTAssertTrue(reason.hasPrefix("Evicted"), reason)
        try server.control(#"{"vanish": 1}"#)
        let gone = try executor.submit(spec(2, "sleep 5", workdir: workdir))
        XCTAssertEqual(try waitAll(executor, [gone])[gone], .lost)
        try server.control(#"{"oom": 1}"#)
        let oom = try executor.submit(spec(3, "sleep 5", workdir: workdir))
        guard case .failed(137, let why)? = try waitAll(executor, [oom])[oom] else { return XCTFail() }
        XCTAssertTrue(why.hasPrefix("OOMKilled"), why)
    }
}
