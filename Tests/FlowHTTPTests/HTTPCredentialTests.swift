// FlowHTTPTests: credentials never reach a log line or an error description.

import Foundation
import XCTest
@testable import FlowHTTP

final class HTTPCredentialTests: XCTestCase {
    private var server: FaultServer!
    private let password = "pa55-SECRET-w0rd-7f3e"
    private let token = "tok-SECRET-bearer-91ab"

    override func setUpWithError() throws {
        server = try FaultServer(["--basic-user", "flow", "--basic-password", password,
                                  "--fault-rate", "0.3", "--seed", "5", "--faults", "503,reset"])
    }

    override func tearDown() { server?.stop() }

    /// Done-when: no credential in any log line or error description, successes and failures alike.
    func testNoCredentialInLogsOrErrors() throws {
        let log = LogCollector()
        var texts: [String] = []
        func run(_ client: HTTPClient, _ request: HTTPRequest) {
            do {
                _ = try client.send(request).requireSuccess()
            } catch {
                texts.append("\(error)")
                texts.append(String(reflecting: error))
                texts.append((error as NSError).localizedDescription)
            }
        }
        let host = "127.0.0.1:\(server.port)"
        let quick = RetryPolicy(maxAttempts: 3, baseDelay: 0.01)
        let basic = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, auth: BasicAuth(user: "flow", password: password),
                                                           retry: quick, logHook: log.hook))
        let wrongBasic = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, auth: BasicAuth(user: "flow", password: password + "x"),
                                                                retry: quick, logHook: log.hook))
        let bearer = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL, auth: BearerTokenAuth(token: token),
                                                            retry: quick, logHook: log.hook))
        let failingSource = try HTTPClient(HTTPClientConfiguration(baseURL: server.baseURL,
                                                                   auth: BearerTokenAuth { throw TokenSourceError(path: "/var/run/token") },
                                                                   retry: quick, logHook: log.hook))
        // Credentials also in URLs: userinfo and query strings.
        let inURL = try HTTPClient(HTTPClientConfiguration(baseURL: "http://flow:\(password)@\(host)", retry: quick, logHook: log.hook))
        let unreachable = try HTTPClient(HTTPClientConfiguration(baseURL: "http://flow:\(password)@127.0.0.1:1", auth: BearerTokenAuth(token: token),
                                                                 retry: quick, logHook: log.hook))
        for i in 0..<10 {
            run(basic, HTTPRequest(.get, "/basic/ok\(i)"))
            run(wrongBasic, HTTPRequest(.get, "/basic/no\(i)"))
            run(bearer, HTTPRequest(.get, "/auth/bearer\(i)", query: [(name: "access_token", value: token)]))
            run(bearer, HTTPRequest(.post, "/reset/p\(i)", query: [(name: "sig", value: token)]))
            run(bearer, HTTPRequest(.get, "/always/503/x", query: [(name: "key", value: password)]))
            run(failingSource, HTTPRequest(.get, "/echo/e\(i)"))
            run(inURL, HTTPRequest(.get, "/basic/url\(i)"))
            run(inURL, HTTPRequest(.get, "/nowhere"))
            run(unreachable, HTTPRequest(.get, "/x", query: [(name: "token", value: token)]))
        }
        texts += log.entries.map(\.description) + log.entries.map { String(reflecting: $0) }
        texts.append("\(BasicAuth(user: "flow", password: password))")
        texts.append("\(BearerTokenAuth(token: token))")
        var dumped = ""
        dump(HTTPClientConfiguration(auth: BasicAuth(user: "flow", password: password)), to: &dumped)
        dump(HTTPClientConfiguration(auth: BearerTokenAuth(token: token)), to: &dumped)
        texts.append(dumped)
        let base64Password = Data("flow:\(password)".utf8).base64EncodedString()

        XCTAssertGreaterThan(log.entries.count, 80)
        XCTAssertTrue(texts.contains { $0.contains("HTTP 401") })
        XCTAssertTrue(texts.contains { $0.contains("connection-lost") })
        XCTAssertTrue(texts.contains { $0.contains("/var/run/token") })
        XCTAssertTrue(texts.contains { $0.contains("http://127.0.0.1:1/x?…") }, texts.joined(separator: "\n"))
        XCTAssertTrue(log.entries.contains { $0.outcome == .status(200) && $0.path.hasPrefix("/basic/url") })
        for text in texts {
            for secret in [password, token, base64Password, "SECRET"] {
                XCTAssertFalse(text.contains(secret), "leaked in: \(text)")
            }
        }
    }

    private struct TokenSourceError: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot read \(path)" }
    }
}
