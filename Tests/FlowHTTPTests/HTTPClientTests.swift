// FlowHTTPTests: requests, retries and auth against a real fault-injecting server.

import Foundation
import XCTest
@testable import FlowHTTP

final class HTTPClientTests: XCTestCase {
    private var servers: [FaultServer] = []

    override func tearDown() {
        servers.forEach { $0.stop() }
        servers = []
    }

    private func server(_ arguments: [String] = []) throws -> FaultServer {
        let s = try FaultServer(arguments)
        servers.append(s)
        return s
    }

    func testEchoesMethodQueryAndJSONBody() throws {
        let s = try server()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL))
        struct Pod: Codable { var name: String; var cpus: Int }
        let body = try HTTPBody.json(Pod(name: "job-1", cpus: 2))
        let response = try client.send(HTTPRequest(.post, "/echo/pods", query: [(name: "labelSelector", value: "app=x,tier+=db")], body: body))
        let echo = try response.requireSuccess().decodeJSON(Echo.self)
        XCTAssertEqual(echo.method, "POST")
        XCTAssertEqual(echo.path, "/echo/pods")
        XCTAssertEqual(echo.query, "labelSelector=app%3Dx%2Ctier%2B%3Ddb")
        XCTAssertEqual(echo.body_length, try JSONEncoder().encode(Pod(name: "job-1", cpus: 2)).count)
        XCTAssertEqual(response.header("content-type"), "application/json")

        for method in [HTTPMethod.get, .put, .patch, .delete] {
            let echo = try client.send(HTTPRequest(method, "/echo/m", body: method == .get ? .none : .bytes(Data("x".utf8), contentType: nil)))
                .decodeJSON(Echo.self)
            XCTAssertEqual(echo.method, method.rawValue)
        }
        let head = try client.send(HTTPRequest(.head, "/echo/h"))
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.body.isEmpty)
        XCTAssertEqual(try client.send(HTTPRequest(.get, "/nowhere")).status, 404)
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/nowhere")).requireSuccess()) { error in
            XCTAssertEqual("\(error)", "GET \(s.baseURL)/nowhere: HTTP 404 Not Found")
        }
    }

    func testConnectionsAreReused() throws {
        let s = try server()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL))
        let seen = try (1...20).map { i in
            try client.send(HTTPRequest(i % 2 == 0 ? .get : .put, "/echo/reuse", body: i % 2 == 0 ? .none : .bytes(Data("x".utf8), contentType: nil)))
                .decodeJSON(Echo.self).connection_request
        }
        XCTAssertEqual(seen, Array(1...20))
        // A POST gets a connection of its own (see CurlTransfer), unless marked idempotent.
        XCTAssertEqual(try client.send(HTTPRequest(.post, "/echo/reuse")).decodeJSON(Echo.self).connection_request, 1)
        XCTAssertGreaterThan(try client.send(HTTPRequest(.post, "/echo/reuse", idempotent: true)).decodeJSON(Echo.self).connection_request, 1)
    }

    /// Done-when: 1,000 requests with 20% injected 503/429/resets (and 408s) end with 0 failures.
    func testThousandRequestsThroughTwentyPercentFaults() throws {
        let s = try server(["--fault-rate", "0.2", "--seed", "7", "--faults", "503,429,reset,408", "--retry-after", "0"])
        let log = LogCollector()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: fastRetry, logHook: log.hook))
        let failures = ManagedCounter()
        let payload = Data((0..<3000).map { UInt8($0 % 251) })
        // Four threads share the client (and its handle pool); half the requests carry a body.
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in 0..<250 {
                let request = i % 2 == 0
                    ? HTTPRequest(.get, "/flaky/w\(worker)")
                    : HTTPRequest(.put, "/flaky/w\(worker)", body: .bytes(payload, contentType: "application/octet-stream"))
                do {
                    let echo = try client.send(request).requireSuccess().decodeJSON(Echo.self)
                    if i % 2 == 1 && echo.body_length != payload.count { failures.add() }
                } catch {
                    failures.add()
                }
            }
        }
        XCTAssertEqual(failures.value, 0)
        let stats = try s.stats()
        let delivered = (0..<4).map { stats.requests["/flaky/w\($0)"] ?? 0 }.reduce(0, +)
        let attempts = (0..<4).map { stats.requests["/flaky/w\($0)#attempts"] ?? 0 }.reduce(0, +)
        let injected = stats.faults.values.reduce(0, +)
        XCTAssertEqual(delivered, 1000)
        // Faults really happened, of every kind, and each one cost the client a retry.
        XCTAssertGreaterThan(injected, 150)
        for kind in ["503", "429", "reset", "408"] { XCTAssertGreaterThan(stats.faults[kind] ?? 0, 10, kind) }
        XCTAssertEqual(attempts, 1000 + injected)
        // Every fault cost a retry: ours (logged), or curl's own single re-send of a request whose
        // reused keep-alive connection died before answering (only resets can cause those).
        let retries = log.entries.filter { $0.attempt > 1 }.count
        XCTAssertLessThanOrEqual(retries, injected)
        XCTAssertGreaterThanOrEqual(retries, injected - (stats.faults["reset"] ?? 0))
        XCTAssertEqual(log.entries.count, 1000 + retries)
    }

    /// Done-when: `Retry-After` is honoured, in seconds and as an HTTP-date.
    func testRetryAfterIsHonoured() throws {
        let s = try server()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02, budget: 10)))
        XCTAssertEqual(try client.send(HTTPRequest(.get, "/retry-after/seconds", query: [(name: "seconds", value: "1")])).status, 200)
        XCTAssertEqual(try client.send(HTTPRequest(.post, "/retry-after/date", query: [
            (name: "seconds", value: "1"), (name: "format", value: "date"), (name: "status", value: "503")])).status, 200)
        let stats = try s.stats()
        for name in ["seconds", "date"] {
            let times = try XCTUnwrap(stats.attempts[name])
            XCTAssertEqual(times.count, 2, name)
            XCTAssertGreaterThanOrEqual(times[1] - times[0], 1.0, name)
        }
        // A Retry-After beyond the budget ends the request now, saying why.
        let impatient = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: RetryPolicy(maxAttempts: 5, budget: 2)))
        XCTAssertThrowsError(try impatient.send(HTTPRequest(.get, "/retry-after/long", query: [(name: "seconds", value: "30")]))) { error in
            XCTAssertTrue("\(error)".contains("server asked to retry after 30 s"), "\(error)")
            XCTAssertTrue("\(error)".contains("HTTP 429"), "\(error)")
        }
    }

    func testAlwaysFailingServerEndsAfterTheBudgetNamingTheLastStatus() throws {
        let s = try server()
        let policy = RetryPolicy(maxAttempts: 1000, baseDelay: 0.05, maxDelay: 0.2, budget: 1.5)
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: policy))
        let start = Date()
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/always/502/x"))) { error in
            guard case HTTPError.gaveUp(_, _, let status, let attempts, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(status, 502)
            XCTAssertGreaterThan(attempts, 3)
            XCTAssertEqual(reason, .budgetExhausted(seconds: 1.5))
            XCTAssertTrue("\(error)".contains("last answer HTTP 502 Bad Gateway"), "\(error)")
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(elapsed, 1.4)
        XCTAssertLessThan(elapsed, 3)
        // The attempt limit ends it too; a connection refused is a transport error after retries.
        let limited = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01)))
        XCTAssertThrowsError(try limited.send(HTTPRequest(.get, "/always/503/y"))) { error in
            XCTAssertTrue("\(error)".contains("gave up after 3 attempts (all 3 attempts used): last answer HTTP 503"), "\(error)")
        }
        let closed = try HTTPClient(HTTPClientConfiguration(baseURL: "http://127.0.0.1:1", retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01)))
        XCTAssertThrowsError(try closed.send(HTTPRequest(.get, "/x"))) { error in
            guard case HTTPError.transport(_, _, let failure, let attempts) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .connect)
            XCTAssertEqual(attempts, 2)
        }
        XCTAssertEqual(try s.stats().requests["/always/503/y"], 3)
    }

    func testPostIsNotResentAfterAResetButIsWhenMarkedIdempotent() throws {
        let s = try server()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: fastRetry))
        let body = HTTPBody.bytes(Data(repeating: 7, count: 10_000), contentType: nil)
        // A kept-alive connection first: curl itself must not resend the POST on it either.
        XCTAssertEqual(try client.send(HTTPRequest(.get, "/echo/warm")).status, 200)
        XCTAssertThrowsError(try client.send(HTTPRequest(.post, "/reset/post", body: body))) { error in
            guard case HTTPError.transport(_, _, let failure, let attempts) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .connectionLost)
            XCTAssertEqual(attempts, 1)
        }
        let limited = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01)))
        XCTAssertThrowsError(try limited.send(HTTPRequest(.post, "/reset/create", body: body, idempotent: true)))
        XCTAssertThrowsError(try limited.send(HTTPRequest(.get, "/reset/get")))
        // POST to a refusal (503) is safe to resend: the server did not act on it.
        XCTAssertThrowsError(try limited.send(HTTPRequest(.post, "/always/503/post", body: body)))
        // ...but a 500 to a POST is handed back, not resent.
        XCTAssertEqual(try limited.send(HTTPRequest(.post, "/always/500/post", body: body)).status, 500)
        let stats = try s.stats()
        XCTAssertEqual(stats.requests["/reset/post"], 1)
        XCTAssertEqual(stats.requests["/reset/create"], 3)
        XCTAssertEqual(stats.requests["/reset/get"], 3)
        XCTAssertEqual(stats.requests["/always/503/post"], 3)
        XCTAssertEqual(stats.requests["/always/500/post"], 1)
    }

    /// Done-when: a 401 triggers exactly one refresh; a second 401 fails clearly instead of looping.
    func testUnauthorizedTriggersExactlyOneRefresh() throws {
        let s = try server()
        let tokenClient = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL))
        struct Token: Decodable { var token: String }
        let auth = BearerTokenAuth(initialToken: "expired") {
            try tokenClient.send(HTTPRequest(.post, "/auth/token")).requireSuccess().decodeJSON(Token.self).token
        }
        let log = LogCollector()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, auth: auth, retry: fastRetry, logHook: log.hook))
        XCTAssertEqual(try client.send(HTTPRequest(.get, "/auth/a")).status, 200)
        XCTAssertEqual(try client.send(HTTPRequest(.post, "/auth/b", body: .bytes(Data("{}".utf8), contentType: "application/json"))).status, 200)
        XCTAssertEqual(try s.stats().refreshes, 1)
        XCTAssertEqual(log.entries.map(\.outcome), [.status(401), .status(200), .status(200)])

        let refreshes = ManagedCounter()
        let hopeless = BearerTokenAuth(initialToken: "wrong") { refreshes.add(); return "still-wrong" }
        let denied = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, auth: hopeless, retry: fastRetry))
        XCTAssertThrowsError(try denied.send(HTTPRequest(.get, "/auth/c"))) { error in
            guard case HTTPError.unauthorized(_, _, let refreshed) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(refreshed)
            XCTAssertEqual("\(error)", "GET \(s.baseURL)/auth/c: HTTP 401 Unauthorized again after refreshing the credentials once; check the token or password")
        }
        XCTAssertEqual(refreshes.value, 1)
        XCTAssertEqual(try s.stats().requests["/auth/c"], 2)
    }

    func testTotalTimeoutAndCancellation() throws {
        let s = try server()
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: .none, timeouts: HTTPTimeouts(connect: 5, total: 0.5)))
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/slow", query: [(name: "seconds", value: "3")]))) { error in
            guard case HTTPError.transport(_, _, let failure, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .timeout)
        }
        XCTAssertEqual(try client.send(HTTPRequest(.get, "/slow", query: [(name: "seconds", value: "1")], totalTimeout: 5)).status, 200)

        let cancelled = ManagedCounter()
        let cancellable = try HTTPClient(HTTPClientConfiguration(baseURL: s.baseURL, retry: .none,
                                                                 isCancelled: { cancelled.value > 0 }))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancelled.add() }
        let start = Date()
        XCTAssertThrowsError(try cancellable.send(HTTPRequest(.get, "/slow", query: [(name: "seconds", value: "5")]))) { error in
            guard case HTTPError.transport(_, _, let failure, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .cancelled)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }

    /// libcurl reads `http_proxy` itself; nothing in FlowHTTP turns that off. The fault server
    /// stands in for the proxy: a proxied request arrives with the absolute URL as its target.
    func testProxyFromTheEnvironment() throws {
        let s = try server()
        setenv("http_proxy", s.baseURL, 1)
        defer { unsetenv("http_proxy") }
        let client = try HTTPClient(HTTPClientConfiguration(baseURL: "http://flow-proxy-test.invalid", retry: .none))
        let echo = try client.send(HTTPRequest(.get, "/echo/proxied")).requireSuccess().decodeJSON(Echo.self)
        XCTAssertEqual(echo.target, "http://flow-proxy-test.invalid/echo/proxied")
        setenv("no_proxy", "flow-proxy-test.invalid", 1)
        defer { unsetenv("no_proxy") }
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/echo/proxied"))) { error in
            guard case HTTPError.transport(_, _, let failure, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .dns)
        }
    }

    func testInvalidRequestsFailBeforeSending() throws {
        let client = try HTTPClient()
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "/relative")))
        XCTAssertThrowsError(try client.send(HTTPRequest(.get, "http://127.0.0.1:1/x", headers: [(name: "X-Token", value: "a\r\nInjected: 1")]))) { error in
            XCTAssertFalse("\(error)".contains("Injected"))
        }
        let ftp = try HTTPClient(HTTPClientConfiguration(baseURL: "ftp://127.0.0.1:1"))
        XCTAssertThrowsError(try ftp.send(HTTPRequest(.get, "/x"))) { error in
            guard case HTTPError.transport(_, _, let failure, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .invalidURL)
        }
    }
}

final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
