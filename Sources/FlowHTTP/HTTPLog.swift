// FlowHTTP: the request log hook.
//
// Owns: what one attempt looks like to an observer (tests, `--verbose` output later): method, the
// URL path without query or userinfo, the status or the kind of failure, the attempt number and
// how long it took. Never headers, bodies or query strings: those are where credentials live.

import Foundation

public struct HTTPLogEntry: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        case status(Int)
        case failed(TransportErrorKind)
    }

    public var method: String
    /// The URL path only, e.g. `/api/v1/namespaces/default/pods`.
    public var path: String
    public var outcome: Outcome
    /// 1 for the first try; retries and the one re-send after an auth refresh count up.
    public var attempt: Int
    /// Seconds the attempt took (not counting the sleep before it).
    public var duration: Double

    public var description: String {
        let result: String
        switch outcome {
        case .status(let code): result = String(code)
        case .failed(let kind): result = kind.rawValue
        }
        return "\(method) \(path) -> \(result) (attempt \(attempt), \(Int((duration * 1000).rounded())) ms)"
    }
}

/// Called once per attempt, on the thread that sent the request.
public typealias HTTPLogHook = @Sendable (HTTPLogEntry) -> Void
