// FlowHTTPTests support: the real servers the tests talk to and small helpers.
//
// Owns: starting scripts/testservers/fault_server.py as a subprocess (it prints its port),
// stopping it, making a throwaway CA and certificates with the `openssl` CLI, and collecting
// request-log lines from several threads. No mocks: every test goes over a real socket.

import Foundation
import XCTest
@testable import FlowHTTP

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// One fault_server.py process on 127.0.0.1.
final class FaultServer {
    let process = Process()
    let port: Int
    let scheme: String

    init(_ arguments: [String] = [], tls: Bool = false) throws {
        scheme = tls ? "https" : "http"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot.appendingPathComponent("scripts/testservers/fault_server.py").path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints `PORT <n>` once it listens.
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("\n") && Date() < deadline {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw NSError(domain: "FaultServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(text)"])
        }
        self.port = port
    }

    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    /// The server's own counters (`/_stats`), fetched without retries or auth.
    func stats(tls: TLSOptions = TLSOptions(insecureSkipVerify: true)) throws -> ServerStats {
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: baseURL, tls: tls, retry: .none))
        return try client.getJSON(ServerStats.self, "/_stats")
    }
}

struct ServerStats: Decodable {
    var requests: [String: Int]
    var faults: [String: Int]
    var refreshes: Int
    var attempts: [String: [Double]]
}

struct Echo: Decodable {
    var method: String
    var path: String
    var target: String
    var query: String
    var body_sha256: String
    var body_length: Int
    var count: Int
    var connection_request: Int
}

/// Log lines gathered from any thread.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [HTTPLogEntry] = []

    var hook: HTTPLogHook { { entry in self.lock.lock(); self.stored.append(entry); self.lock.unlock() } }

    var entries: [HTTPLogEntry] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// A scratch directory removed by `cleanUp`.
func makeTemporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowhttp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl.
struct TLSFixture {
    let dir: URL
    var caCert: String { dir.appendingPathComponent("ca.pem").path }
    var serverCert: String { dir.appendingPathComponent("server.pem").path }
    var serverKey: String { dir.appendingPathComponent("server.key").path }
    var clientCert: String { dir.appendingPathComponent("client.pem").path }
    var clientKey: String { dir.appendingPathComponent("client.key").path }

    init() throws {
        dir = try makeTemporaryDirectory()
        let d = dir.path
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=flow test CA",
                          "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        for (name, extensions) in [("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
                                   ("client", "extendedKeyUsage=clientAuth\n")] {
            try extensions.write(toFile: "\(d)/\(name).ext", atomically: true, encoding: .utf8)
            try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=flow test \(name)",
                              "-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr"])
            try Self.openssl(["x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key",
                              "-CAcreateserial", "-days", "2", "-extfile", "\(d)/\(name).ext", "-out", "\(d)/\(name).pem"])
        }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: dir) }

    private static func openssl(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.first ?? "") failed"])
        }
    }
}

/// A quick retry policy for tests against a local server.
let fastRetry = RetryPolicy(maxAttempts: 12, baseDelay: 0.005, maxDelay: 0.05, budget: 30)

func sha256Hex(ofFile path: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
}
