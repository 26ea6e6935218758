// FlowExec PiCaS backend: the few CouchDB calls PiCaS needs, over FlowHTTP.
//
// Owns: the requests (database check, document get/put, `_bulk_docs`, `_all_docs` with keys,
// a view's ids, attachments) and reading their answers as plain JSON objects (`CouchDocument`),
// so stock tokens with any extra fields survive a read-modify-write. Retries, auth and the
// request log are FlowHTTP's; a 409 is an answer here (`PutResult.conflict`), never an error.
// It knows nothing of tokens or jobs.

import Foundation
import FlowSystem
import FlowHTTP

/// A CouchDB document as JSON (Foundation's JSONSerialization types).
public typealias CouchDocument = [String: Any]

public struct CouchError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// User and password for CouchDB's basic auth; never printed.
public struct CouchCredentials: CustomStringConvertible, CustomReflectable {
    public let user: String
    let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public var description: String { "CouchCredentials(user: \(user), password: <redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "password": "<redacted>"]) }
}

public final class CouchClient {
    public enum PutResult: Equatable {
        case saved(rev: String)
        case conflict
    }

    /// One row of `_all_docs?keys=…&include_docs=true`.
    public enum Row {
        case document(CouchDocument)
        case deleted
        case missing
    }

    public let database: String
    private let http: HTTPClient

    public init(url: String, database: String, credentials: CouchCredentials?, retry: RetryPolicy = RetryPolicy(),
                logHook: HTTPLogHook? = nil, isCancelled: (@Sendable () -> Bool)? = nil) throws {
        self.database = database
        let auth = credentials.map { BasicAuth(user: $0.user, password: $0.password) }
        http = try HTTPClient(HTTPClientConfiguration(
            baseURL: url, auth: auth, retry: retry, timeouts: HTTPTimeouts(connect: 10, total: 120),
            defaultHeaders: [(name: "Accept", value: "application/json")], userAgent: "flow-picas",
            logHook: logHook, isCancelled: isCancelled))
    }

    // MARK: database

    public func databaseExists() throws -> Bool {
        let response = try http.send(HTTPRequest(.head, dbPath))
        if response.status == 404 { return false }
        try check(response, "HEAD /\(database)")
        return true
    }

    // MARK: documents

    /// The document, nil when missing or deleted. `attachments` inlines attachment data.
    public func get(_ id: String, attachments: Bool = false) throws -> CouchDocument? {
        let query: [(name: String, value: String)] = attachments ? [(name: "attachments", value: "true")] : []
        let response = try http.send(HTTPRequest(.get, docPath(id), query: query))
        if response.status == 404 { return nil }
        try check(response, "GET \(id)")
        return try Self.object(response.body, what: id)
    }

    /// PUT of the document with its `_rev` (none for a new one).
    public func put(_ doc: CouchDocument) throws -> PutResult {
        guard let id = doc["_id"] as? String else { throw CouchError("a document without _id cannot be saved") }
        let response = try http.send(HTTPRequest(.put, docPath(id), body: .json(raw: try Self.encode(doc))))
        if response.status == 409 { return .conflict }
        try check(response, "PUT \(id)")
        let answer = try Self.object(response.body, what: "PUT \(id)")
        guard let rev = answer["rev"] as? String else { throw CouchError("PUT \(id): no rev in the answer") }
        return .saved(rev: rev)
    }

    /// One `_bulk_docs` request; per document its new rev or its error ("conflict", ...).
    /// Safe to resend: for documents with fixed ids a repeated write is a conflict.
    public func bulk(_ docs: [CouchDocument]) throws -> [(id: String, rev: String?, error: String?)] {
        let body = try Self.encode(["docs": docs])
        let response = try http.send(HTTPRequest(.post, dbPath + "/_bulk_docs", body: .json(raw: body), idempotent: true))
        try check(response, "POST _bulk_docs")
        guard let rows = try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else {
            throw CouchError("_bulk_docs: the answer is not a list")
        }
        return rows.map { (id: $0["id"] as? String ?? "", rev: $0["rev"] as? String, error: $0["error"] as? String) }
    }

    /// The given documents in one `POST _all_docs?include_docs=true` request.
    public func allDocs(keys: [String]) throws -> [String: Row] {
        let body = try Self.encode(["keys": keys])
        let response = try http.send(HTTPRequest(.post, dbPath + "/_all_docs", query: [(name: "include_docs", value: "true")],
                                                 body: .json(raw: body), idempotent: true))
        try check(response, "POST _all_docs")
        let answer = try Self.object(response.body, what: "_all_docs")
        var result: [String: Row] = [:]
        for row in answer["rows"] as? [[String: Any]] ?? [] {
            guard let key = row["key"] as? String else { continue }
            if let doc = row["doc"] as? CouchDocument {
                result[key] = .document(doc)
            } else if let value = row["value"] as? [String: Any], value["deleted"] as? Bool == true {
                result[key] = .deleted
            } else {
                result[key] = .missing
            }
        }
        return result
    }

    /// The ids of a view's rows (`limit` of them); none while the view does not exist.
    public func viewIDs(_ view: String, design: String = "Monitor", limit: Int? = nil) throws -> [String] {
        var query: [(name: String, value: String)] = [(name: "reduce", value: "false")]
        if let limit { query.append((name: "limit", value: String(limit))) }
        let response = try http.send(HTTPRequest(.get, dbPath + "/_design/\(Self.escape(design))/_view/\(Self.escape(view))", query: query))
        // No design document (yet): a pool nobody has submitted to has no tokens.
        if response.status == 404 { return [] }
        try check(response, "view \(design)/\(view)")
        let answer = try Self.object(response.body, what: "view \(view)")
        return (answer["rows"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    // MARK: -

    private var dbPath: String { "/" + Self.escape(database) }

    private func docPath(_ id: String) -> String {
        if id.hasPrefix("_design/") { return dbPath + "/_design/" + Self.escape(String(id.dropFirst(8))) }
        return dbPath + "/" + Self.escape(id)
    }

    private func check(_ response: HTTPResponse, _ what: String) throws {
        guard response.isSuccess else {
            let detail = (try? Self.object(response.body, what: what)).map { " \($0["error"] ?? ""): \($0["reason"] ?? "")" } ?? ""
            throw CouchError("CouchDB \(what): HTTP \(response.status)\(detail)")
        }
    }

    static func object(_ data: Data, what: String) throws -> CouchDocument {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? CouchDocument else {
            throw CouchError("CouchDB \(what): the answer is not a JSON object")
        }
        return object
    }

    static func encode(_ value: Any) throws -> Data {
        do {
            // Not JSONSerialization: with sorted keys it was 60% of the CPU time to submit 10,000
            // tokens (see JSONWriter).
            return try JSONWriter.data(value)
        } catch {
            throw CouchError("cannot encode a document as JSON: \(error)")
        }
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
