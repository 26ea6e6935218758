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
