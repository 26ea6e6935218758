// FlowHTTP: the one place that decides whether and when to try a request again.
//
// Owns: which answers and transport failures are transient, which methods may be re-sent once
// a request may have reached the server, exponential backoff with full jitter, `Retry-After`
// (seconds or HTTP-date), and the attempt and time budgets. It is pure decision-making over
// injected time and randomness (`RetryClock`), so the policy is unit-tested without sleeping;
// it must not know about curl handles, sockets or authentication.

import Foundation

public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1 turns retries off).
    public var maxAttempts: Int
    /// Backoff before retry n (1-based) is random(0, min(maxDelay, baseDelay * 2^(n-1))).
    public var baseDelay: Double
    public var maxDelay: Double
    /// Seconds from the start of the first attempt after which no further attempt starts. A
    /// `Retry-After` that would end past it makes us give up now rather than ignore the server.
    public var budget: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.25, maxDelay: Double = 8, budget: Double = 60) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.budget = max(0, budget)
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// One finished attempt, as far as retrying is concerned.
    public enum Outcome: Sendable, Equatable {
        case status(Int, retryAfter: Double?)
        case transport(TransportFailure)
    }

    public enum Decision: Sendable, Equatable {
        case retry(after: Double)
        case giveUp(GiveUpReason)
    }

    /// Whether an answer with this status is worth asking again: 408, 429 and 5xx except the two
    /// that say the server will never do it (501 Not Implemented, 505 Version Not Supported).
    public static func isTransient(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status) && status != 501 && status != 505
    }

    /// Whether this failure may be re-sent for a request that must not run twice (POST, PATCH):
    /// only when the server certainly did not act on it.
    static func safeForNonIdempotent(_ outcome: Outcome) -> Bool {
        switch outcome {
        // 429 and 503 are refusals: the server did not process the request.
        case .status(let code, _): return code == 429 || code == 503
        case .transport(let failure): return failure.nothingSent
        }
    }

    static func isTransient(_ failure: TransportFailure) -> Bool {
        switch failure.kind {
        case .connect, .timeout, .connectionLost, .tlsHandshake: return true
        case .dns, .tlsVerification, .tlsConfiguration, .cancelled, .localFile, .invalidURL, .other: return false
        }
    }

    /// The decision after attempt number `attempt` (1-based) ended with `outcome`, `elapsed`
    /// seconds after the first attempt started. `idempotent` says the request may run twice.
    /// `random(upper)` returns a uniform value in [0, upper].
    public func decide(after attempt: Int, outcome: Outcome, idempotent: Bool, elapsed: Double,
                       random: (Double) -> Double) -> Decision {
        let transient: Bool
        var retryAfter: Double?
        switch outcome {
        case .status(let code, let after): transient = Self.isTransient(status: code); retryAfter = after
        case .transport(let failure): transient = Self.isTransient(failure)
        }
        guard transient, idempotent || Self.safeForNonIdempotent(outcome) else { return .giveUp(.notRetryable) }
        guard attempt < maxAttempts else { return .giveUp(.attemptsExhausted(attempt)) }
        let remaining = budget - elapsed
        guard remaining > 0 else { return .giveUp(.budgetExhausted(seconds: budget)) }

        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        let jitter = min(max(0, random(ceiling)), ceiling)
        if let wait = retryAfter {
            guard wait <= remaining else { return .giveUp(.retryAfterBeyondBudget(retryAfter: wait, remaining: remaining)) }
            // At least what the server asked; the jitter (capped by the budget) spreads out clients
            // that were all told the same time.
            return .retry(after: max(wait, min(jitter, remaining)))
        }
        return .retry(after: min(jitter, remaining))
    }

    /// Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
    /// nil when absent or unreadable; never negative.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return max(0, seconds) }
        return HTTPDate.parse(text).map { max(0, $0.timeIntervalSince(now)) }
    }
}

/// HTTP-dates (RFC 9110 §5.6.7), as in `Retry-After` and `Last-Modified`.
public enum HTTPDate {
    /// IMF-fixdate first; RFC 850 and asctime are the obsolete forms a recipient must accept.
    public static func parse(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    private static let formats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
}

/// Time and randomness for the retry loop, injectable so tests need not sleep.
public struct RetryClock: Sendable {
    /// Monotonic seconds.
    public var now: @Sendable () -> Double
    public var sleep: @Sendable (Double) -> Void
    /// Uniform in [0, upper].
    public var random: @Sendable (Double) -> Double

    public init(now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) -> Void,
                random: @escaping @Sendable (Double) -> Double) {
        self.now = now
        self.sleep = sleep
        self.random = random
    }

    public static let system = RetryClock(
        now: { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
        sleep: { seconds in if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } },
        random: { upper in upper > 0 ? Double.random(in: 0...upper) : 0 })
}
