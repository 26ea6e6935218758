// The gs:// adapter against fake-gcs-server (a GCS emulator from PyPI, started by
// scripts/testbeds/fake-gcs.sh): the adapter contract, directories as prefixes, paging,
// checksums and modification times; and the credential chain against a loopback OAuth
// endpoint that verifies the service account's RS256 signature, with no token in any log line.

import FlowHTTP
@testable import FlowStorage
import FlowSystem
import Foundation
import XCTest

final class GCSStorageTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    private var dir = ""
    private var endpoint = ""
    /// Helper servers a test started, stopped after it.
    private var started: [Process] = []

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-gcs-\(UUID().uuidString)"
        try LocalFiles.makeDirectories(dir)
        // The server runs on after the script: read its endpoint from the file the script writes
        // (a pipe would stay open in the server, which inherits it).
        let status = try run(Self.root + "/scripts/testbeds/fake-gcs.sh", ["start", dir + "/server"], capture: false).0
        if status == 77 { throw XCTSkip("fake-gcs-server is not installed (scripts/setup.sh --with-testbeds)") }
        XCTAssertEqual(status, 0)
        endpoint = try String(contentsOfFile: dir + "/server/endpoint", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try createBucket("bucket")
    }

    override func tearDownWithError() throws {
        for process in started where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        _ = try? run(Self.root + "/scripts/testbeds/fake-gcs.sh", ["stop", dir + "/server"], capture: false)
        try? LocalFiles.remove(dir)
    }

    private func run(_ executable: String, _ arguments: [String], capture: Bool = true) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = capture ? pipe : FileHandle.nullDevice
        try process.run()
        let data = capture ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func createBucket(_ name: String) throws {
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: endpoint))
        _ = try client.send(HTTPRequest(.post, "/storage/v1/b", query: [("project", "test")], body: .json(["name": name])))
            .requireSuccess()
    }

    private func adapter(pageSize: Int = 1000, log: HTTPLogHook? = nil) throws -> GCSStorage {
        try GCSStorage(endpoint: GCSEndpoint(baseURL: endpoint, auth: nil), pageSize: pageSize, logHook: log)
    }

    func testAdapterKeepsTheContract() throws {
        try checkContract(try adapter(), root: "gs://bucket/run", scratch: dir)
    }

    func testDirectoriesArePrefixesAndListingsPage() throws {
        let gcs = try adapter(pageSize: 2)
        for i in 0..<5 { try LocalFiles.writeAtomically("file \(i)\n", to: dir + "/tree/sub/f\(i).txt") }
        try LocalFiles.writeAtomically("top\n", to: dir + "/tree/top.txt")
        try gcs.store(dir + "/tree", to: "gs://bucket/out/tree")
        // Five objects in pages of two: every page is read.
        XCTAssertEqual(try gcs.list(under: "gs://bucket/out/tree"),
                       (0..<5).map { "gs://bucket/out/tree/sub/f\($0).txt" } + ["gs://bucket/out/tree/top.txt"])
        let stat = try XCTUnwrap(try gcs.stat("gs://bucket/out/tree"))
        XCTAssertTrue(stat.isDirectory)
        XCTAssertEqual(stat.mtime, try XCTUnwrap(try gcs.stat("gs://bucket/out/tree/top.txt")).mtime, accuracy: 5)
        try gcs.retrieve("gs://bucket/out/tree", to: dir + "/back")
        XCTAssertEqual(try PosixStorage().list(under: dir + "/back").count, 6)
        XCTAssertEqual(try LocalFiles.read(dir + "/back/sub/f3.txt"), Array("file 3\n".utf8))
        // Storing a directory again replaces what was under its prefix.
        try LocalFiles.remove(dir + "/tree/sub")
        try gcs.store(dir + "/tree", to: "gs://bucket/out/tree")
        XCTAssertEqual(try gcs.list(under: "gs://bucket/out/tree"), ["gs://bucket/out/tree/top.txt"])
        try gcs.remove("gs://bucket/out/tree")
        XCTAssertNil(try gcs.stat("gs://bucket/out/tree"))
        XCTAssertNil(try gcs.stat("gs://no-such-bucket/x"), "a missing bucket holds nothing")
    }

    func testRetrievedCopiesCarryTheObjectsTimeAndChecksum() throws {
        let gcs = try adapter()
        var bytes = [UInt8](repeating: 0, count: 3 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        try LocalFiles.writeAtomically(bytes, to: dir + "/big.bin")
        try gcs.store(dir + "/big.bin", to: "gs://bucket/data/big file+#1.bin")
        let remote = try XCTUnwrap(try gcs.stat("gs://bucket/data/big file+#1.bin"))
        XCTAssertEqual(remote.size, Int64(bytes.count))
        try gcs.retrieve("gs://bucket/data/big file+#1.bin", to: dir + "/copy.bin")
        XCTAssertTrue(try LocalFiles.read(dir + "/copy.bin") == bytes)
        XCTAssertEqual(try XCTUnwrap(PosixStorage().stat(dir + "/copy.bin")).mtime, remote.mtime, accuracy: 1e-6)
        XCTAssertEqual(try CRC32C.base64(ofFile: dir + "/copy.bin"), try CRC32C.base64(ofFile: dir + "/big.bin"))
        // Known answer (RFC 3720, appendix B.4): 32 bytes of zeros -> 0x8A9136AA.
        try LocalFiles.writeAtomically([UInt8](repeating: 0, count: 32), to: dir + "/zeros")
        XCTAssertEqual(try CRC32C.base64(ofFile: dir + "/zeros"), Data([0x8A, 0x91, 0x36, 0xAA]).base64EncodedString())
        XCTAssertThrowsError(try gcs.touch("gs://bucket/data/big file+#1.bin"))
        try gcs.touch("gs://bucket/data/new")
        XCTAssertEqual(try gcs.stat("gs://bucket/data/new")?.size, 0)
    }

    /// A fault proxy in front of the emulator (scripts/testservers/fault_proxy.py); returns its
    /// endpoint and the file its counts go to.
    private func faultProxy(rate: Double, faults: String, seed: Int) throws -> (endpoint: String, stats: String, process: Process) {
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let stats = dir + "/proxy-\(seed).json"
        proxy.arguments = ["python3", Self.root + "/scripts/testservers/fault_proxy.py", "--upstream", String(endpoint.dropFirst("http://".count)),
                           "--rate", String(rate), "--faults", faults, "--seed", String(seed), "--stats", stats, "--gcs-status-queries"]
        let out = Pipe()
        proxy.standardOutput = out
        try proxy.run()
        started.append(proxy)
        let line = firstLine(of: out)
        let port = try XCTUnwrap(line.split(separator: " ").last.flatMap { Int($0) }, "proxy said: \(line)")
        return ("http://127.0.0.1:\(port)", stats, proxy)
    }

    private func proxyStats(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    private func pseudoRandomFile(_ path: String, bytes: Int, seed: UInt64) throws -> [UInt8] {
        var state = seed
        let data = (0..<bytes).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        try LocalFiles.writeAtomically(data, to: path)
        return data
    }

    func testLargeUploadsGoInChunksAndResumeFromTheCommittedOffsetAfterFaults() throws {
        // 30% of requests fail: refused with a 503, reset before the server saw them, or "lost"
        // (the emulator committed the chunk, the answer never came back).
        let proxy = try faultProxy(rate: 0.3, faults: "503,reset,lost", seed: 11)
        let lines = LockedLines()
        let gcs = try GCSStorage(endpoint: GCSEndpoint(baseURL: proxy.endpoint, auth: nil), resumableThreshold: 512 << 10,
                                 chunkSize: 256 << 10, logHook: { lines.append("\($0)") })
        let size = 3 << 20 + 12345   // 12 whole chunks and a short last one
        let bytes = try pseudoRandomFile(dir + "/large.bin", bytes: size, seed: 3)
        try gcs.store(dir + "/large.bin", to: "gs://bucket/big/large.bin")

        let direct = try adapter()
        XCTAssertEqual(try direct.stat("gs://bucket/big/large.bin")?.size, Int64(size))
        try direct.retrieve("gs://bucket/big/large.bin", to: dir + "/large.back")
        XCTAssertTrue(try LocalFiles.read(dir + "/large.back") == bytes, "the object holds the file's bytes, in order, once")
        let stats = try proxyStats(proxy.stats)
        let faults = try XCTUnwrap(stats["faults"] as? [String: Int])
        XCTAssertGreaterThan(faults["lost", default: 0], 0, "a chunk was committed without its answer arriving: \(stats)")
        XCTAssertGreaterThan(stats["status_queries"] as? Int ?? 0, 0, "the upload asked where to go on")
        // One session for the whole file (resumed, never restarted), and no chunk sent more often
        // than the faults explain.
        let sessions = lines.all.filter { $0.hasPrefix("POST /upload/storage/v1/b/bucket/o ->") && $0.contains("-> 200") }
        XCTAssertEqual(sessions.count, 1, lines.all.joined(separator: "\n"))
        let chunkPuts = lines.all.filter { $0.hasPrefix("PUT /upload/") }.count
        let injected = faults.values.reduce(0, +)
        XCTAssertLessThanOrEqual(chunkPuts, 13 + 2 * injected + (stats["status_queries"] as? Int ?? 0))
    }

    func testADownloadCutShortResumesWithARangedRequest() throws {
        let direct = try adapter()
        let size = 3 << 20 + 777
        let bytes = try pseudoRandomFile(dir + "/cut.bin", bytes: size, seed: 5)
        try direct.store(dir + "/cut.bin", to: "gs://bucket/cut/cut.bin")
        // Half of the answers stop half-way through their body, then reset.
        let proxy = try faultProxy(rate: 0.5, faults: "truncate", seed: 4)
        let gcs = try GCSStorage(endpoint: GCSEndpoint(baseURL: proxy.endpoint, auth: nil))
        try gcs.retrieve("gs://bucket/cut/cut.bin", to: dir + "/cut.back")
        XCTAssertTrue(try LocalFiles.read(dir + "/cut.back") == bytes, "the copy holds the object's bytes once, in order")
        let stats = try proxyStats(proxy.stats)
        XCTAssertGreaterThan((stats["faults"] as? [String: Int])?["truncate"] ?? 0, 0, "\(stats)")
        XCTAssertGreaterThan(stats["ranged_gets"] as? Int ?? 0, 0, "a cut download asked for the rest: \(stats)")
        XCTAssertGreaterThan(stats["partial_answers"] as? Int ?? 0, 0, "the emulator answered with the rest: \(stats)")
    }

    func testUploadsNeverReplaceAGenerationTheyDidNotSee() throws {
        let gcs = try adapter()
        try LocalFiles.writeAtomically("mine\n", to: dir + "/mine")
        try LocalFiles.writeAtomically("theirs\n", to: dir + "/theirs")
        try gcs.store(dir + "/mine", to: "gs://bucket/p/obj")
        let first = try XCTUnwrap(try gcs.object("bucket", "p/obj")?.generation)
        // Someone else writes a newer generation after we looked.
        try gcs.store(dir + "/theirs", to: "gs://bucket/p/obj")
        XCTAssertThrowsError(try gcs.upload(dir + "/mine", "bucket", "p/obj", replacing: first)) { error in
            XCTAssertTrue("\(error)".contains("gs://bucket/p/obj") && "\(error)".contains("replaced by someone else"), "\(error)")
        }
        try gcs.retrieve("gs://bucket/p/obj", to: dir + "/now")
        XCTAssertEqual(try LocalFiles.read(dir + "/now"), Array("theirs\n".utf8), "the newer object was not overwritten")
        // "Only if absent" against an object that already holds exactly our bytes: an earlier
        // attempt of ours that succeeded unseen. That is success, not a conflict.
        XCTAssertNoThrow(try gcs.upload(dir + "/theirs", "bucket", "p/obj", replacing: "0"))
        XCTAssertThrowsError(try gcs.upload(dir + "/mine", "bucket", "p/new", replacing: "12345"), "a generation that is not there")
        XCTAssertNil(try gcs.stat("gs://bucket/p/new"))
    }

    func testADownloadReadsOneGeneration() throws {
        let gcs = try adapter()
        try LocalFiles.writeAtomically("old contents\n", to: dir + "/v1")
        try gcs.store(dir + "/v1", to: "gs://bucket/g/obj")
        let stale = try XCTUnwrap(try gcs.object("bucket", "g/obj"))
        Thread.sleep(forTimeInterval: 0.01)
        try LocalFiles.writeAtomically("new, longer contents\n", to: dir + "/v2")
        try gcs.store(dir + "/v2", to: "gs://bucket/g/obj")
        let current = try XCTUnwrap(try gcs.object("bucket", "g/obj"))
        XCTAssertNotEqual(stale.generation, current.generation)
        // Asked for the generation it saw, which is gone: it fetches the new one whole, with that
        // generation's time, never old metadata over new bytes.
        try gcs.download("bucket", stale, to: dir + "/got")
        XCTAssertEqual(try LocalFiles.read(dir + "/got"), Array("new, longer contents\n".utf8))
        XCTAssertEqual(try XCTUnwrap(PosixStorage().stat(dir + "/got")).mtime, current.stat.mtime, accuracy: 1e-6)
    }

    func testCRC32CKnownAnswers() {
        func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32C.update(0, $0) } }
        XCTAssertEqual(crc(Array("123456789".utf8)), 0xE306_9283, "the standard check value")
        XCTAssertEqual(crc([]), 0)
        // In pieces of any length (the 8-byte steps and the tail) it is the same.
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = crc(bytes)
        for cut in [1, 7, 8, 13, 999] {
            let first = bytes[..<cut].withUnsafeBytes { CRC32C.update(0, $0) }
            XCTAssertEqual(bytes[cut...].withUnsafeBytes { CRC32C.update(first, $0) }, whole, "cut at \(cut)")
        }
    }

    func testTimesParseAsRFC3339() {
        XCTAssertEqual(RFC3339.seconds("1970-01-01T00:00:10Z"), 10)
        XCTAssertEqual(try XCTUnwrap(RFC3339.seconds("2026-12-07T01:02:03.123456Z")), 1_796_605_323.123456, accuracy: 1e-6)
        XCTAssertEqual(RFC3339.seconds("1970-01-01T01:00:00+01:00"), 0)
        XCTAssertNil(RFC3339.seconds("yesterday"))
    }

    func testServiceAccountKeyIsExchangedForATokenThatNeverReachesALog() throws {
        // A service account key made here, and a token endpoint that verifies its signature.
        let key = dir + "/key.pem", pub = dir + "/pub.pem"
        XCTAssertEqual(try run("/usr/bin/openssl", ["genrsa", "-out", key, "2048"]).0, 0)
        XCTAssertEqual(try run("/usr/bin/openssl", ["rsa", "-in", key, "-pubout", "-out", pub]).0, 0)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", Self.root + "/scripts/testservers/oauth_token_server.py", "--public-key", pub,
                            "--log", dir + "/oauth.log", "--tokens", dir + "/tokens", "--lifetime", "3600"]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let port = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let credentials: [String: Any] = [
            "type": "service_account", "client_email": "flow-test@project.iam.gserviceaccount.com", "private_key_id": "k1",
            "private_key": try String(contentsOfFile: key, encoding: .utf8), "token_uri": "http://127.0.0.1:\(port)/token",
        ]
        try LocalFiles.writeAtomically(Array(try JSONSerialization.data(withJSONObject: credentials)), to: dir + "/sa.json")

        let found = try GCSEndpoint.fromEnvironment(["GOOGLE_APPLICATION_CREDENTIALS": dir + "/sa.json"])
        XCTAssertEqual(found.baseURL, GCSEndpoint.googleAPIs)
        let auth = try XCTUnwrap(found.auth)
        let lines = LockedLines()
        // The emulator ignores the token; the point is that every request carries one, fetched once.
        let gcs = try GCSStorage(endpoint: GCSEndpoint(baseURL: endpoint, auth: auth), logHook: { lines.append("\($0)") })
        try LocalFiles.writeAtomically("x", to: dir + "/x")
        try gcs.store(dir + "/x", to: "gs://bucket/auth/x")
        XCTAssertNotNil(try gcs.stat("gs://bucket/auth/x"))
        XCTAssertNil(try gcs.stat("gs://bucket/auth/none"))
        let header = try XCTUnwrap(try auth.authorization())
        XCTAssertTrue(header.hasPrefix("Bearer ya29."))
        let oauthLog = try String(contentsOfFile: dir + "/oauth.log", encoding: .utf8)
        XCTAssertEqual(oauthLog, "jwt issued\n", "one exchange, its signature verified; the token is cached")

        // Errors and log lines never hold the token (nor the key).
        let token = String(header.dropFirst("Bearer ".count))
        XCTAssertEqual(try String(contentsOfFile: dir + "/tokens", encoding: .utf8), token + "\n")
        let bad = try GCSStorage(endpoint: GCSEndpoint(baseURL: "http://127.0.0.1:1", auth: auth), logHook: { lines.append("\($0)") })
        XCTAssertThrowsError(try bad.stat("gs://bucket/x")) { lines.append("\($0)") }
        XCTAssertFalse(lines.all.isEmpty)
        for line in lines.all {
            XCTAssertFalse(line.contains(token), line)
            XCTAssertFalse(line.contains("PRIVATE KEY"), line)
        }
        XCTAssertFalse("\(auth)".contains(token))

        // A key the endpoint does not know is refused with an error naming the file, not the key.
        XCTAssertEqual(try run("/usr/bin/openssl", ["genrsa", "-out", key, "2048"]).0, 0)
        var other = credentials
        other["private_key"] = try String(contentsOfFile: key, encoding: .utf8)
        try LocalFiles.writeAtomically(Array(try JSONSerialization.data(withJSONObject: other)), to: dir + "/other.json")
        let refused = try GCSEndpoint.fromEnvironment(["GOOGLE_APPLICATION_CREDENTIALS": dir + "/other.json"])
        XCTAssertThrowsError(try refused.auth?.authorization()) { error in
            XCTAssertTrue("\(error)".contains("token source failed"), "\(error)")
            XCTAssertFalse("\(error)".contains("PRIVATE KEY"))
        }
    }

    func testCredentialChainOrder() throws {
        XCTAssertNil(try GCSEndpoint.fromEnvironment(["STORAGE_EMULATOR_HOST": "127.0.0.1:4443", "GOOGLE_OAUTH_ACCESS_TOKEN": "t"]).auth)
        XCTAssertEqual(try GCSEndpoint.fromEnvironment(["STORAGE_EMULATOR_HOST": "127.0.0.1:4443"]).baseURL, "http://127.0.0.1:4443")
        XCTAssertEqual(try GCSEndpoint.fromEnvironment(["GOOGLE_OAUTH_ACCESS_TOKEN": "tok"]).auth?.authorization(), "Bearer tok")
        XCTAssertThrowsError(try GCSEndpoint.fromEnvironment(["GOOGLE_APPLICATION_CREDENTIALS": dir + "/missing.json"])) { error in
            XCTAssertTrue("\(error)".contains("missing.json"), "\(error)")
        }
        try LocalFiles.writeAtomically("{\"type\": \"external_account\"}", to: dir + "/ext.json")
        XCTAssertThrowsError(try GCSEndpoint.fromEnvironment(["GOOGLE_APPLICATION_CREDENTIALS": dir + "/ext.json"])) { error in
            XCTAssertTrue("\(error)".contains("external_account"), "\(error)")
        }
    }
}

/// The first line a helper server prints (it may arrive in pieces).
func firstLine(of pipe: Pipe) -> String {
    var text = ""
    while !text.contains("\n") {
        let data = pipe.fileHandleForReading.availableData
        if data.isEmpty { break }
        text += String(decoding: data, as: UTF8.self)
    }
    return String(text.prefix { $0 != "\n" })
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
