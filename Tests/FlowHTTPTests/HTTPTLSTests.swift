// FlowHTTPTests: TLS against the fault server with a CA made for the test by openssl.

import Foundation
import XCTest
@testable import FlowHTTP

final class HTTPTLSTests: XCTestCase {
    private var fixture: TLSFixture!
    private var servers: [FaultServer] = []

    override func setUpWithError() throws {
        fixture = try TLSFixture()
    }

    override func tearDown() {
        servers.forEach { $0.stop() }
        servers = []
        fixture?.cleanUp()
    }

    private func server(requireClientCertificate: Bool = false) throws -> FaultServer {
        var arguments = ["--tls-cert", fixture.serverCert, "--tls-key", fixture.serverKey]
        if requireClientCertificate { arguments += ["--client-ca", fixture.caCert] }
        let s = try FaultServer(arguments, tls: true)
        servers.append(s)
        return s
    }

    private func get(_ s: FaultServer, _ tls: TLSOptions, host: String = "127.0.0.1") throws -> Int {
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: "https://\(host):\(s.port)", tls: tls, retry: fastRetry))
        return try client.send(HTTPRequest(.get, "/echo/tls")).status
    }

    func testServerVerification() throws {
        let s = try server()
        XCTAssertEqual(try get(s, TLSOptions(trust: .caFile(fixture.caCert))), 200)
        XCTAssertEqual(try get(s, TLSOptions(trust: .caFile(fixture.caCert)), host: "localhost"), 200)
        let pem = try Data(contentsOf: URL(fileURLWithPath: fixture.caCert))
        XCTAssertEqual(try get(s, TLSOptions(trust: .caData(pem))), 200)
        XCTAssertEqual(try get(s, TLSOptions(insecureSkipVerify: true)), 200)

        // Without the CA: a verification failure, not retried, saying what to do.
        let log = LogCollector()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: fastRetry, logHook: log.hook))
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/echo/tls"))) { error in
            guard case HTTPError.transport(_, _, let failure, let attempts) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .tlsVerification)
            XCTAssertEqual(attempts, 1)
            XCTAssertTrue("\(error)".contains("certificate"), "\(error)")
            XCTAssertTrue("\(error)".contains("give the CA"), "\(error)")
        }
        XCTAssertEqual(log.entries.map(\.outcome), [.failed(.tlsVerification)])
        // A CA that did not sign the server's certificate fails the same way.
        let other = try TLSFixture()
        defer { other.cleanUp() }
        XCTAssertThrowsError(try get(s, TLSOptions(trust: .caFile(other.caCert))))
        XCTAssertThrowsError(try get(s, TLSOptions(trust: .caFile("/nonexistent/ca.pem")))) { error in
            guard case HTTPError.transport(_, _, let failure, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .tlsConfiguration)
        }
    }

    func testClientCertificate() throws {
        let s = try server(requireClientCertificate: true)
        let ca = TLSOptions.Trust.caFile(fixture.caCert)
        XCTAssertEqual(try get(s, TLSOptions(trust: ca, clientIdentity: .files(certificate: fixture.clientCert, key: fixture.clientKey))), 200)
        let cert = try Data(contentsOf: URL(fileURLWithPath: fixture.clientCert))
        let key = try Data(contentsOf: URL(fileURLWithPath: fixture.clientKey))
        XCTAssertEqual(try get(s, TLSOptions(trust: ca, clientIdentity: .pem(certificate: cert, key: key))), 200)

        let log = LogCollector()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, tls: TLSOptions(trust: ca), retry: fastRetry, logHook: log.hook))
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/echo/tls"))) { error in
            guard case HTTPError.transport(_, _, let failure, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .tlsVerification, "\(error)")
            XCTAssertTrue("\(error)".contains("alert certificate required"), "\(error)")
            XCTAssertFalse("\(error)".contains("BEGIN"))
        }
        // A refused client certificate is not worth retrying.
        XCTAssertEqual(log.entries.count, 1)
    }
}
