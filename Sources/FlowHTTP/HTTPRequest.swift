// FlowHTTP: what a caller asks for.
//
// Owns: `HTTPMethod`, `HTTPRequest`, `HTTPBody` (none, bytes, JSON, a file streamed from disk) and
// `ResponseDestination` (memory, or a file streamed to disk). Plain values: how they travel over
// the wire is CurlTransfer's job, whether to resend them is RetryPolicy's.

import Foundation

public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let options = HTTPMethod(rawValue: "OPTIONS")

    /// RFC 9110 §9.2.2: sending these twice has the effect of sending them once.
    public var isIdempotent: Bool {
        switch rawValue {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": return true
        default: return false
        }
    }

    public var description: String { rawValue }
}

public enum HTTPBody: Sendable, Equatable {
    case none
    case bytes(Data, contentType: String?)
    /// Streamed from disk in small pieces; Content-Length is the file's size when the attempt starts.
    case file(path: String, contentType: String?)
    /// `length` bytes of the file from byte `offset`, streamed (one chunk of a resumable upload).
    case filePart(path: String, offset: Int64, length: Int64, contentType: String?)

    /// An Encodable value as a JSON body.
    public static func json<T: Encodable>(_ value: T, encoder: JSONEncoder = JSONEncoder()) throws -> HTTPBody {
        do {
            return .bytes(try encoder.encode(value), contentType: "application/json")
        } catch {
            throw HTTPError.invalidRequest("cannot encode \(T.self) as JSON: \(error)")
        }
    }

    /// Already-serialized JSON (e.g. a Kubernetes manifest built elsewhere).
    public static func json(raw: Data) -> HTTPBody { .bytes(raw, contentType: "application/json") }

    var contentType: String? {
        switch self {
        case .none: return nil
        case .bytes(_, let type), .file(_, let type), .filePart(_, _, _, let type): return type
        }
    }
}

public enum ResponseDestination: Sendable, Equatable {
    case memory
    /// A successful (2xx) body is written to a temporary file beside `path` and renamed onto it
    /// when complete; a failed or retried attempt removes the partial file. Other answers' bodies
    /// (error documents) stay in memory, small.
    case file(path: String)
    /// Like `file`, but an attempt cut off mid-body keeps what arrived, and the retry asks for the
    /// rest (`Range: bytes=N-`): a 206 is appended, a 200 (range ignored) starts the file again.
    /// Only for content that cannot change between attempts (e.g. a pinned object generation).
    case resumableFile(path: String)

    /// The file a 2xx body goes to, if any.
    public var filePath: String? {
        switch self {
        case .memory: return nil
        case .file(let path), .resumableFile(let path): return path
        }
    }
}

public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// A path joined to the client's base URL (`/api/v1/pods`), or an absolute http(s) URL.
    public var target: String
    /// Query parameters, percent-encoded by the client (order kept).
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var body: HTTPBody
    public var destination: ResponseDestination
    /// Overrides the method's own idempotency: true for a POST that is safe to resend (e.g. a
    /// Kubernetes create with a fixed name, which answers 409 to a duplicate), false to never
    /// resend a PUT once it may have reached the server.
    public var idempotent: Bool?
    /// Overrides the client's total timeout for this request (nil: the client's; 0: none).
    public var totalTimeout: Double?

    public init(_ method: HTTPMethod, _ target: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: HTTPBody = .none,
                destination: ResponseDestination = .memory, idempotent: Bool? = nil, totalTimeout: Double? = nil) {
        self.method = method
        self.target = target
        self.query = query
        self.headers = headers
        self.body = body
        self.destination = destination
        self.idempotent = idempotent
        self.totalTimeout = totalTimeout
    }

    var isIdempotent: Bool { idempotent ?? method.isIdempotent }

    /// The full URL for a client whose base URL is `base` (nil: the target must be absolute).
    func url(base: String?) throws -> String {
        var url: String
        let lower = target.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            url = target
        } else if let base {
            let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
            url = trimmed + (target.hasPrefix("/") ? target : "/" + target)
        } else {
            throw HTTPError.invalidRequest("\(method) \(RedactedURL.path(target)): a relative target needs a client base URL")
        }
        if !query.isEmpty {
            let encoded = query.map { Self.percentEncode($0.name) + "=" + Self.percentEncode($0.value) }
            url += (url.contains("?") ? "&" : "?") + encoded.joined(separator: "&")
        }
        return url
    }

    /// RFC 3986 unreserved characters stay; everything else (including `+`, `&`, `=`) is escaped,
    /// so a label selector like `app=x,tier!=db` arrives intact.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
