// FlowHTTP: credentials for requests.
//
// Owns: the `AuthProvider` contract (an Authorization header value, and a refresh the client
// calls once after a 401 before re-sending once) and the two common providers, bearer token and
// basic. Providers hold secrets; nothing here may print them: their descriptions and errors are
// deliberately free of the token or password. Where tokens come from (kubeconfig, a service
// account file, `gcloud`) is the caller's business, plugged in as a token source.

import Foundation

public protocol AuthProvider: Sendable {
    /// The `Authorization` header value for the next request, or nil for none.
    func authorization() throws -> String?
    /// Called once after a 401; the request is then re-sent once. Throw if no fresh credential
    /// can be had (the error's description must not contain the secret).
    func refresh() throws
}

/// `Authorization: Bearer <token>`. With a token source, the token is fetched lazily on first
/// use and again on every refresh (e.g. re-reading a projected service-account token file).
public final class BearerTokenAuth: AuthProvider, @unchecked Sendable, CustomStringConvertible, CustomReflectable {
    private let lock = NSLock()
    private var token: String?
    private let source: (@Sendable () throws -> String)?

    public init(token: String) {
        self.token = token
        self.source = nil
    }

    public init(initialToken: String? = nil, tokenSource: @escaping @Sendable () throws -> String) {
        self.token = initialToken
        self.source = tokenSource
    }

    public func authorization() throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        if token == nil, let source { token = try Self.fetch(source) }
        return token.map { "Bearer \($0)" }
    }

    public func refresh() throws {
        guard let source else { return }  // A fixed token cannot get better; the re-send will say so.
        let fresh = try Self.fetch(source)
        lock.lock()
        token = fresh
        lock.unlock()
    }

    private static func fetch(_ source: @Sendable () throws -> String) throws -> String {
        do {
            return try source()
        } catch {
            // Token sources report where they looked (a file, a command), never the token itself.
            throw HTTPError.authProvider(reason: "the token source failed: \(error)")
        }
    }

    public var description: String { "BearerTokenAuth(token: <redacted>)" }
    /// `dump()` and debuggers show this instead of the stored token.
    public var customMirror: Mirror { Mirror(self, children: ["token": "<redacted>"]) }
}

/// `Authorization: Basic base64(user:password)` (RFC 7617). Refresh does nothing: a password does
/// not change by asking again, so a second 401 ends the request with a clear error.
public struct BasicAuth: AuthProvider, CustomStringConvertible, CustomReflectable {
    private let header: String
    public let user: String

    public init(user: String, password: String) {
        self.user = user
        self.header = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    public func authorization() throws -> String? { header }
    public func refresh() throws {}

    public var description: String { "BasicAuth(user: \(user), password: <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "password": "<redacted>"]) }
}

/// `Authorization: Bearer <token>` for tokens that expire (OAuth access tokens: a service
/// account's, the GKE metadata server's). The source returns a token with its lifetime; the token
/// is cached and fetched again shortly before it expires, and on a refresh after a 401.
public final class ExpiringBearerAuth: AuthProvider, @unchecked Sendable, CustomStringConvertible, CustomReflectable {
    public typealias Source = @Sendable () throws -> (token: String, expiresIn: Double)
    private let lock = NSLock()
    private var token: String?
    private var expiresAt: Double = 0
    private let source: Source
    /// Fetch again this many seconds before the stated expiry (clock skew, slow requests).
    private let margin: Double
    private let now: @Sendable () -> Double

    public init(margin: Double = 60, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                source: @escaping Source) {
        self.source = source
        self.margin = margin
        self.now = now
    }

    public func authorization() throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        if token == nil || now() >= expiresAt - margin { try fetch() }
        return token.map { "Bearer \($0)" }
    }

    public func refresh() throws {
        lock.lock()
        defer { lock.unlock() }
        try fetch()
    }

    /// Lock held.
    private func fetch() throws {
        do {
            let fresh = try source()
            token = fresh.token
            expiresAt = now() + fresh.expiresIn
        } catch {
            throw HTTPError.authProvider(reason: "the token source failed: \(error)")
        }
    }

    public var description: String { "ExpiringBearerAuth(token: <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["token": "<redacted>"]) }
}
