// FlowHTTP: how one client talks to one endpoint.
//
// Owns: the settings fixed for a client's lifetime — base URL, TLS, auth, retry policy,
// timeouts, default headers, the request log hook and the cancellation check. Plain values; the
// client reads them, nothing here acts.

import Foundation

public struct HTTPTimeouts: Sendable, Equatable {
    /// Seconds to establish a connection (TCP and TLS).
    public var connect: Double
    /// Seconds for a whole attempt, or nil for none: leave it off for big streams and rely on
    /// `lowSpeed` to catch a stalled one.
    public var total: Double?
    /// Abort an attempt that moves fewer than `bytesPerSecond` for `seconds` in a row. curl
    /// measures a moving average over about 5 s, so a stall right after a burst is noticed late.
    public var lowSpeed: (bytesPerSecond: Int, seconds: Int)?

    public init(connect: Double = 10, total: Double? = nil, lowSpeed: (bytesPerSecond: Int, seconds: Int)? = (1, 60)) {
        self.connect = connect
        self.total = total
        self.lowSpeed = lowSpeed
    }

    public static func == (a: HTTPTimeouts, b: HTTPTimeouts) -> Bool {
        a.connect == b.connect && a.total == b.total
            && a.lowSpeed?.bytesPerSecond == b.lowSpeed?.bytesPerSecond && a.lowSpeed?.seconds == b.lowSpeed?.seconds
    }
}

public struct HTTPClientConfiguration: Sendable {
    /// Joined to relative request targets, e.g. `https://10.0.0.1:6443`. May carry a path prefix.
    public var baseURL: String?
    public var tls: TLSOptions
    public var auth: (any AuthProvider)?
    public var retry: RetryPolicy
    public var timeouts: HTTPTimeouts
    /// Sent with every request (before the request's own headers).
    public var defaultHeaders: [(name: String, value: String)]
    public var userAgent: String
    /// Called once per attempt with method, path, outcome, attempt number and duration.
    public var logHook: HTTPLogHook?
    /// Polled during transfers and retry sleeps; true aborts the request with `.cancelled`.
    public var isCancelled: (@Sendable () -> Bool)?
    /// Time and randomness for retries (tests inject their own).
    public var clock: RetryClock
    /// Easy handles (each with its connection) kept for reuse between requests.
    public var maxIdleHandles: Int

    public init(baseURL: String? = nil, tls: TLSOptions = .system, auth: (any AuthProvider)? = nil,
                retry: RetryPolicy = RetryPolicy(), timeouts: HTTPTimeouts = HTTPTimeouts(),
                defaultHeaders: [(name: String, value: String)] = [], userAgent: String = "flow",
                logHook: HTTPLogHook? = nil, isCancelled: (@Sendable () -> Bool)? = nil,
                clock: RetryClock = .system, maxIdleHandles: Int = 8) {
        self.baseURL = baseURL
        self.tls = tls
        self.auth = auth
        self.retry = retry
        self.timeouts = timeouts
        self.defaultHeaders = defaultHeaders
        self.userAgent = userAgent
        self.logHook = logHook
        self.isCancelled = isCancelled
        self.clock = clock
        self.maxIdleHandles = maxIdleHandles
    }
}
