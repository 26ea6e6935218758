// FlowHTTPTests: the retry policy's decisions, with injected randomness (no sleeping).

import Foundation
import XCTest
@testable import FlowHTTP

final class RetryPolicyTests: XCTestCase {
    private let policy = RetryPolicy(maxAttempts: 5, baseDelay: 1, maxDelay: 6, budget: 20)
    private let reset = TransportFailure(kind: .connectionLost, message: "reset")

    private func delay(_ outcome: RetryPolicy.Outcome, attempt: Int = 1, idempotent: Bool = true, elapsed: Double = 0,
                       random: (Double) -> Double = { $0 }) -> Double? {
        if case .retry(let after) = policy.decide(after: attempt, outcome: outcome, idempotent: idempotent, elapsed: elapsed, random: random) {
            return after
        }
        return nil
    }

    func testFullJitterDoublesUpToTheCap() {
        // With random = upper bound, the ceilings show: 1, 2, 4, then capped at 6.
        XCTAssertEqual((1...4).map { delay(.status(503, retryAfter: nil), attempt: $0) }, [1, 2, 4, 6])
        XCTAssertEqual(delay(.status(503, retryAfter: nil), attempt: 3, random: { _ in 0 }), 0)
        var asked: [Double] = []
        _ = delay(.transport(reset), attempt: 2, random: { asked.append($0); return $0 / 2 })
        XCTAssertEqual(asked, [2])
    }

    func testWhatIsTransient() {
        for status in [408, 429, 500, 502, 503, 504, 599] { XCTAssertNotNil(delay(.status(status, retryAfter: nil)), "\(status)") }
        for status in [200, 400, 401, 403, 404, 409, 501, 505] { XCTAssertNil(delay(.status(status, retryAfter: nil)), "\(status)") }
        for kind in [TransportErrorKind.connect, .timeout, .connectionLost, .tlsHandshake] {
            XCTAssertNotNil(delay(.transport(TransportFailure(kind: kind, message: ""))), kind.rawValue)
        }
        for kind in [TransportErrorKind.dns, .tlsVerification, .tlsConfiguration, .cancelled, .localFile, .invalidURL, .other] {
            XCTAssertNil(delay(.transport(TransportFailure(kind: kind, message: ""))), kind.rawValue)
        }
    }

    func testNonIdempotentRequestsOnlyRetryWhenTheServerDidNotAct() {
        XCTAssertNil(delay(.transport(reset), idempotent: false))
        var refused = TransportFailure(kind: .connect, message: "refused", nothingSent: true)
        XCTAssertNotNil(delay(.transport(refused), idempotent: false))
        refused.nothingSent = false
        XCTAssertNil(delay(.transport(refused), idempotent: false))
        XCTAssertNotNil(delay(.status(429, retryAfter: nil), idempotent: false))
        XCTAssertNotNil(delay(.status(503, retryAfter: nil), idempotent: false))
        for status in [408, 500, 502, 504] { XCTAssertNil(delay(.status(status, retryAfter: nil), idempotent: false)) }
    }

    func testRetryAfterAndBudget() {
        XCTAssertEqual(delay(.status(429, retryAfter: 3), random: { _ in 0 }), 3)
        XCTAssertEqual(delay(.status(429, retryAfter: 0.5), attempt: 3, random: { $0 }), 4)
        XCTAssertEqual(policy.decide(after: 1, outcome: .status(429, retryAfter: 30), idempotent: true, elapsed: 0, random: { $0 }),
                       .giveUp(.retryAfterBeyondBudget(retryAfter: 30, remaining: 20)))
        // Jitter is clamped to what is left of the budget; nothing is left, nothing is tried.
        XCTAssertEqual(delay(.status(503, retryAfter: nil), attempt: 4, elapsed: 19.5), 0.5)
        XCTAssertEqual(policy.decide(after: 2, outcome: .status(503, retryAfter: nil), idempotent: true, elapsed: 20, random: { $0 }),
                       .giveUp(.budgetExhausted(seconds: 20)))
        XCTAssertEqual(policy.decide(after: 5, outcome: .status(503, retryAfter: nil), idempotent: true, elapsed: 0, random: { $0 }),
                       .giveUp(.attemptsExhausted(5)))
    }

    func testParsesRetryAfter() {
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        XCTAssertEqual(RetryPolicy.parseRetryAfter("120", now: now), 120)
        XCTAssertEqual(RetryPolicy.parseRetryAfter(" 0 ", now: now), 0)
        XCTAssertNil(RetryPolicy.parseRetryAfter(nil, now: now))
        XCTAssertNil(RetryPolicy.parseRetryAfter("soon", now: now))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        XCTAssertEqual(RetryPolicy.parseRetryAfter(formatter.string(from: now.addingTimeInterval(90)), now: now), 90)
        XCTAssertEqual(RetryPolicy.parseRetryAfter(formatter.string(from: now.addingTimeInterval(-90)), now: now), 0)
    }

    func testRedactsURLs() {
        XCTAssertEqual(RedactedURL.describe("https://user:pw@host:6443/api/v1/pods?token=abc"), "https://host:6443/api/v1/pods?…")
        XCTAssertEqual(RedactedURL.path("https://user:pw@host/a%20b?x=1"), "/a%20b")
        XCTAssertEqual(RedactedURL.describe("not a url user:pw@host/x?token=1"), "host/x?…")
    }
}
