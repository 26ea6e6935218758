// FlowHTTP: what a server answered.
//
// Owns: `HTTPResponse` (status, headers with case-insensitive lookup, the body in memory or the
// file it was streamed to) and the helpers callers use on it (require a 2xx, decode JSON).

import Foundation

public struct HTTPResponse: Sendable {
    public var status: Int
    /// In the order received; names as sent by the server.
    public var headers: [(name: String, value: String)]
    /// The body for `.memory`; for `.file` destinations, empty on success and the (small) error
    /// document otherwise.
    public var body: Data
    /// Where a `.file` destination's body now is (nil for memory, or when the answer was not 2xx).
    public var bodyFile: String?
    /// Body bytes received (also for file destinations).
    public var bodyLength: Int64
    /// Attempts it took, including the re-send after an auth refresh.
    public var attempts: Int
    /// For error messages: the method and redacted URL of the request this answers.
    let requestLine: (method: String, url: String)

    public var isSuccess: Bool { (200...299).contains(status) }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The response itself when 2xx, else `HTTPError.unexpectedStatus` (the body stays out of the
    /// error's description: a server may reflect anything in it).
    @discardableResult
    public func requireSuccess() throws -> HTTPResponse {
        guard isSuccess else {
            throw HTTPError.unexpectedStatus(method: requestLine.method, url: requestLine.url, status: status)
        }
        return self
    }

    public func decodeJSON<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        do {
            return try decoder.decode(T.self, from: body)
        } catch {
            throw HTTPError.decoding(type: String(describing: T.self), reason: Self.describe(error))
        }
    }

    /// Where decoding failed (a coding path), without quoting the document.
    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return (path.isEmpty ? "" : "at \(path): ") + c.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 412: return "Precondition Failed"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}
