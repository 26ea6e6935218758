// FlowHTTP: every way a request can fail, as a value with a description fit for a person.
//
// Owns: `HTTPError`, `TransportErrorKind` and the mapping from curl's result codes to those kinds.
// Descriptions name the method and a redacted URL (see RedactedURL) and never include headers,
// bodies, tokens or passwords. Whether a failure is worth retrying is RetryPolicy's call, not ours.

import CCurl
import CCurlShim  // curl.h is textually in both C modules; its enumerators may be attributed to this one
import Foundation

/// What went wrong below HTTP, coarse enough for retry decisions and log lines.
public enum TransportErrorKind: String, Sendable, Equatable {
    case dns = "dns-failure"
    case connect = "connect-failure"
    case timeout = "timeout"
    /// Send/receive error, reset, or the server closed before answering fully.
    case connectionLost = "connection-lost"
    case tlsHandshake = "tls-handshake-failure"
    /// The peer's certificate was not trusted (or ours was refused): retrying cannot help.
    case tlsVerification = "tls-verification-failure"
    case tlsConfiguration = "tls-configuration-error"
    case cancelled = "cancelled"
    case localFile = "local-file-error"
    case invalidURL = "invalid-url"
    case other = "transport-error"
}

/// One failed attempt below HTTP.
public struct TransportFailure: Sendable, Equatable, CustomStringConvertible {
    public var kind: TransportErrorKind
    /// curl's result code (CURLcode), for the curious.
    public var curlCode: Int
    /// curl's own message (host and port at most; curl never echoes credentials here).
    public var message: String
    /// True when the request certainly never left this machine (no connection was made), so
    /// resending it is safe whatever the method.
    public var nothingSent: Bool

    public var description: String { "\(kind.rawValue): \(message) (curl error \(curlCode))" }

    init(code: CURLcode, message: String, nothingSent: Bool) {
        self.curlCode = Int(code.rawValue)
        self.message = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        self.kind = TransportFailure.kind(of: code, message: self.message)
        self.nothingSent = nothingSent
    }

    init(kind: TransportErrorKind, message: String, nothingSent: Bool = false) {
        self.kind = kind
        self.curlCode = 0
        self.message = message
        self.nothingSent = nothingSent
    }

    static func kind(of code: CURLcode, message: String) -> TransportErrorKind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .dns
        case CURLE_COULDNT_CONNECT: return .connect
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            // OpenSSL reports a refused client certificate (TLS 1.3 sends the alert after the
            // handshake) as a receive error; retrying it only repeats the refusal.
            return mentionsCertificate(message) ? .tlsVerification : .connectionLost
        case CURLE_SSL_CONNECT_ERROR:
            return mentionsCertificate(message) ? .tlsVerification : .tlsHandshake
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS:
            return .tlsVerification
        case CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE:
            return .tlsConfiguration
        case CURLE_ABORTED_BY_CALLBACK: return .cancelled
        case CURLE_WRITE_ERROR, CURLE_READ_ERROR: return .localFile
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .invalidURL
        default: return .other
        }
    }

    private static func mentionsCertificate(_ message: String) -> Bool {
        let m = message.lowercased()
        return m.contains("certificate") || m.contains("verify")
    }
}

/// Why the retry loop stopped before the request succeeded.
public enum GiveUpReason: Sendable, Equatable, CustomStringConvertible {
    case attemptsExhausted(Int)
    case budgetExhausted(seconds: Double)
    /// The server asked us to wait longer than the budget has left.
    case retryAfterBeyondBudget(retryAfter: Double, remaining: Double)
    case notRetryable

    public var description: String {
        switch self {
        case .attemptsExhausted(let n): return "all \(n) attempts used"
        case .budgetExhausted(let s): return "retry budget of \(formatSeconds(s)) used up"
        case .retryAfterBeyondBudget(let wait, let left):
            return "server asked to retry after \(formatSeconds(wait)) but only \(formatSeconds(left)) of the retry budget is left"
        case .notRetryable: return "not retryable"
        }
    }
}

public enum HTTPError: Error, Sendable, CustomStringConvertible {
    /// The request failed below HTTP and was not (or no longer) retried.
    case transport(method: String, url: String, failure: TransportFailure, attempts: Int)
    /// Retries were used up; the last answer was this status.
    case gaveUp(method: String, url: String, lastStatus: Int, attempts: Int, reason: GiveUpReason)
    /// 401 after the auth provider's one refresh (or with no provider at all).
    case unauthorized(method: String, url: String, refreshed: Bool)
    /// The caller asked for success (`HTTPResponse.requireSuccess`) and got this status.
    case unexpectedStatus(method: String, url: String, status: Int)
    /// The auth provider could not produce or refresh a credential; `reason` is its own error's
    /// description, which providers must keep free of secrets.
    case authProvider(reason: String)
    case invalidRequest(String)
    case localFile(path: String, reason: String)
    case decoding(type: String, reason: String)

    public var description: String {
        switch self {
        case .transport(let method, let url, let failure, let attempts):
            let tries = attempts > 1 ? " after \(attempts) attempts" : ""
            return "\(method) \(url) failed\(tries): \(failure)" + Self.hint(for: failure.kind)
        case .gaveUp(let method, let url, let status, let attempts, let reason):
            return "\(method) \(url) gave up after \(attempts) attempt\(attempts == 1 ? "" : "s") (\(reason)): last answer HTTP \(status) \(HTTPResponse.reasonPhrase(status))"
        case .unauthorized(let method, let url, let refreshed):
            return refreshed
                ? "\(method) \(url): HTTP 401 Unauthorized again after refreshing the credentials once; check the token or password"
                : "\(method) \(url): HTTP 401 Unauthorized and no credentials are configured"
        case .unexpectedStatus(let method, let url, let status):
            return "\(method) \(url): HTTP \(status) \(HTTPResponse.reasonPhrase(status))"
        case .authProvider(let reason): return "could not obtain credentials: \(reason)"
        case .invalidRequest(let what): return "invalid HTTP request: \(what)"
        case .localFile(let path, let reason): return "\(path): \(reason)"
        case .decoding(let type, let reason): return "could not decode the response as \(type): \(reason)"
        }
    }

    private static func hint(for kind: TransportErrorKind) -> String {
        switch kind {
        case .tlsVerification:
            return " (the server's certificate is not trusted or ours was refused: give the CA as a file or inline data, a client certificate if the server wants one, or for tests only skip verification)"
        case .tlsConfiguration: return " (check the CA, certificate and key files or data)"
        default: return ""
        }
    }
}

func formatSeconds(_ s: Double) -> String {
    s < 10 ? String(format: "%.1f s", s) : String(format: "%.0f s", s)
}
