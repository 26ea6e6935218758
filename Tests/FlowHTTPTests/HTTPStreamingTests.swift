// FlowHTTPTests: bodies streamed to and from files, checked by sha256 on both sides.

import Foundation
import XCTest
@testable import FlowHTTP

final class HTTPStreamingTests: XCTestCase {
    private var server: FaultServer!
    private var dir: URL!

    override func setUpWithError() throws {
        server = try FaultServer()
        dir = try makeTemporaryDirectory()
    }

    override func tearDown() {
        server?.stop()
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    private struct Digest: Decodable { var sha256: String; var length: Int }

    func testDownloadToFileAndUploadFromFile() throws {
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, retry: fastRetry))
        let bytes = 5 * 1024 * 1024 + 123
        let query = [(name: "bytes", value: String(bytes)), (name: "seed", value: "42")]
        let expected = try client.send(HTTPRequest(.get, "/download-sha256", query: query)).decodeJSON(Digest.self)
        let file = dir.appendingPathComponent("big.bin").path

        let response = try client.send(HTTPRequest(.get, "/download", query: query, destination: .file(path: file)))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyFile, file)
        XCTAssertEqual(response.bodyLength, Int64(bytes))
        XCTAssertTrue(response.body.isEmpty)
        XCTAssertEqual(try sha256Hex(ofFile: file), expected.sha256)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["big.bin"])

        for method in [HTTPMethod.put, .post] {
            let uploaded = try client.send(HTTPRequest(method, "/upload/big", body: .file(path: file, contentType: "application/octet-stream")))
                .requireSuccess().decodeJSON(Digest.self)
            XCTAssertEqual(uploaded.sha256, expected.sha256)
            XCTAssertEqual(uploaded.length, bytes)
        }
    }

    /// A download cut off every 1 MiB completes by asking for the rest each time (it never could
    /// by starting over); a plain `.file` download of the same URL gives up, and leaves nothing.
    func testResumableDownloadContinuesWhereTheCutLeftIt() throws {
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, retry: fastRetry))
        let bytes = 5 * 1024 * 1024 + 123
        let query = [(name: "bytes", value: String(bytes)), (name: "seed", value: "7")]
        let expected = try client.send(HTTPRequest(.get, "/download-sha256", query: query)).decodeJSON(Digest.self)
        let cut = query + [(name: "cut_every", value: String(1024 * 1024))]
        let file = dir.appendingPathComponent("resumed.bin").path

        let response = try client.send(HTTPRequest(.get, "/download", query: cut, destination: .resumableFile(path: file)))
        XCTAssertEqual(response.status, 206)
        XCTAssertEqual(response.bodyLength, Int64(bytes))
        XCTAssertEqual(try sha256Hex(ofFile: file), expected.sha256)
        let counts = try server.stats().requests
        XCTAssertEqual(counts["/download 200"], 1, "\(counts)")
        XCTAssertGreaterThanOrEqual(counts["/download 206"] ?? 0, 5, "\(counts)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["resumed.bin"])

        let plain = dir.appendingPathComponent("plain.bin").path
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/download", query: cut, destination: .file(path: plain))))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["resumed.bin"])
    }

    /// Resets half-way through a streamed upload are retried from byte 0 (PUT is idempotent).
    func testUploadFromFileSurvivesResets() throws {
        server.stop()
        server = try FaultServer(["--fault-rate", "0.5", "--seed", "3", "--faults", "reset,503"])
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, retry: fastRetry))
        let file = dir.appendingPathComponent("up.bin").path
        try Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: file))
        for _ in 0..<6 {
            let echo = try client.send(HTTPRequest(.put, "/flaky/up", body: .file(path: file, contentType: nil))).requireSuccess().decodeJSON(Echo.self)
            XCTAssertEqual(echo.body_sha256, try sha256Hex(ofFile: file))
        }
        XCTAssertGreaterThan(try server.stats().faults["reset"] ?? 0, 0)
    }

    func testUploadOfAByteRangeOfAFileSurvivesResets() throws {
        server.stop()
        server = try FaultServer(["--fault-rate", "0.5", "--seed", "3", "--faults", "reset,503"])
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, retry: fastRetry))
        let file = dir.appendingPathComponent("whole.bin").path
        let bytes = Data((0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
        try bytes.write(to: URL(fileURLWithPath: file))
        let part = dir.appendingPathComponent("part.bin").path
        try bytes[300_000..<1_000_000].write(to: URL(fileURLWithPath: part))
        for _ in 0..<6 {
            let echo = try client.send(HTTPRequest(.put, "/flaky/part", body: .filePart(path: file, offset: 300_000, length: 700_000, contentType: nil)))
                .requireSuccess().decodeJSON(Echo.self)
            XCTAssertEqual(echo.body_sha256, try sha256Hex(ofFile: part), "exactly those bytes, also after a rewind")
        }
        XCTAssertGreaterThan(try server.stats().faults["reset"] ?? 0, 0)
        XCTAssertThrowsError(try client.send(HTTPRequest(.put, "/echo/x", body: .filePart(path: file, offset: 1_000_000, length: 600_000, contentType: nil)))) {
            XCTAssertTrue("\($0)".contains("not in the file"), "\($0)")
        }
    }

    func testFailedDownloadsLeaveNoFile() throws {
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01)))
        let file = dir.appendingPathComponent("x.bin").path
        let missing = try client.send(HTTPRequest(.get, "/nowhere", destination: .file(path: file)))
        XCTAssertEqual(missing.status, 404)
        XCTAssertNil(missing.bodyFile)
        XCTAssertTrue(String(decoding: missing.body, as: UTF8.self).contains("no such endpoint"))
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/reset/d", destination: .file(path: file))))
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/always/503/d", destination: .file(path: file))))
        // A transfer cut short by the total timeout after some of the body arrived.
        let slow = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, retry: .none, timeouts: HTTPTimeouts(total: 0.3)))
        XCTAssertThrowsError(try slow.send(HTTPRequest(.get, "/download", query: [(name: "bytes", value: "100000000000")], destination: .file(path: file))))
        // A stream that stalls half-way trips the low-speed limit (no total timeout needed).
        let stalling = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, retry: .none,
                                                              timeouts: HTTPTimeouts(total: nil, lowSpeed: (bytesPerSecond: 1000, seconds: 1))))
        let start = Date()
        XCTAssertThrowsError(try stalling.send(HTTPRequest(.get, "/download", query: [
            (name: "bytes", value: "1000000"), (name: "stall_after", value: "500000"), (name: "stall_seconds", value: "30")],
            destination: .file(path: file)))) { error in
            guard case HTTPError.transport(_, _, let failure, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .timeout)
        }
        // curl averages the speed over about 5 s, so a stall after a burst is seen a few seconds late.
        XCTAssertLessThan(Date().timeIntervalSince(start), 15)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])

        XCTAssertThrowsError(try client.send(HTTPRequest(.put, "/upload/x", body: .file(path: dir.appendingPathComponent("absent").path, contentType: nil)))) { error in
            guard case HTTPError.localFile = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/echo/x", destination: .file(path: "/nonexistent-dir/f")))) { error in
            guard case HTTPError.localFile = error else { return XCTFail("\(error)") }
        }
    }
}
