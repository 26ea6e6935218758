// FlowStorage, GCS: the Google Cloud Storage adapter (`gs://bucket/key`) over FlowHTTP and the
// JSON API (storage.md §4). An object's modification time is its `updated` time; a "directory"
// is a key prefix with objects under it (its mtime the newest of theirs), as Snakemake's gcs
// plugin treats `directory()` outputs. Downloads read the generation the stat saw (a replaced
// object is stat'ed again, never mixed), stream to a temporary file renamed on success and are
// checked against that generation's CRC32C; uploads are in GCSUpload.swift. Retries, TLS and
// the bearer token belong to FlowHTTP; endpoint and credentials to `GCSEndpoint`.

import CChecksum
import Foundation
import FlowHTTP
import FlowSystem

public final class GCSStorage: StorageAdapter {
    let client: HTTPClient
    /// Objects per listing page (the API's maximum is 1000; tests use small pages).
    let pageSize: Int
    /// Files larger than this go up in a resumable session, smaller ones in one request.
    let resumableThreshold: Int64
    /// Bytes per chunk of a resumable upload (a multiple of 256 KiB).
    let chunkSize: Int64
    /// Failed chunks in a row (no committed progress between them) before an upload gives up.
    let maxChunkFailures = 8

    /// `chunkSize` is rounded up to a multiple of 256 KiB (GCS refuses other chunk sizes); GCS
    /// recommends at least 8 MiB per chunk.
    public init(endpoint: GCSEndpoint, pageSize: Int = 1000, resumableThreshold: Int64 = 8 << 20, chunkSize: Int64 = 8 << 20,
                logHook: HTTPLogHook? = nil) throws {
        client = try HTTPClient(HTTPClientConfiguration(baseURL: endpoint.baseURL, auth: endpoint.auth, logHook: logHook))
        self.pageSize = pageSize
        self.resumableThreshold = max(0, resumableThreshold)
        let quantum: Int64 = 256 << 10
        self.chunkSize = max(quantum, (chunkSize + quantum - 1) / quantum * quantum)
    }

    /// The adapter for the process's environment (emulator, token, key file or metadata server).
    public static func fromEnvironment() throws -> GCSStorage { try GCSStorage(endpoint: .fromEnvironment()) }

    struct Object: Decodable {
        var name: String
        var size: String?
        var updated: String?
        var generation: String?
        var crc32c: String?

        var stat: FileStat { FileStat(mtime: updated.flatMap(RFC3339.seconds) ?? 0, size: Int64(size ?? "") ?? 0) }
    }

    struct Listing: Decodable {
        var items: [Object]?
        var nextPageToken: String?
    }

    // MARK: StorageAdapter

    public func stat(_ location: String) throws -> FileStat? {
        let (bucket, key) = try Self.split(location)
        if !key.isEmpty, let object = try object(bucket, key) { return object.stat }
        // No object of that name: a directory when something lies below it.
        let below = try objects(bucket, prefix: Self.directoryPrefix(key), limit: key.isEmpty ? 1 : nil)
        guard !below.isEmpty else { return nil }
        return FileStat(mtime: below.compactMap { $0.updated.flatMap(RFC3339.seconds) }.max() ?? 0, isDirectory: true)
    }

    public func list(under prefix: String) throws -> [String] {
        let (bucket, key) = try Self.split(prefix)
        return try objects(bucket, prefix: Self.directoryPrefix(key)).map { "gs://\(bucket)/\($0.name)" }.sorted()
    }

    public func retrieve(_ location: String, to localPath: String) throws {
        let (bucket, key) = try Self.split(location)
        if let object = try object(bucket, key) { return try download(bucket, object, to: localPath) }
        let below = try objects(bucket, prefix: Self.directoryPrefix(key))
        guard !below.isEmpty else { throw StorageError.notFound(location: location) }
        try LocalFiles.remove(localPath)
        for object in below {
            try download(bucket, object, to: localPath + "/" + String(object.name.dropFirst(Self.directoryPrefix(key).count)))
        }
    }

    public func store(_ localPath: String, to location: String) throws {
        let (bucket, key) = try Self.split(location)
        guard let info = PosixStorage.stat(localPath) else { throw StorageError.notFound(location: localPath) }
        guard info.isDirectory else { return try upload(localPath, bucket, key) }
        // A directory output replaces what was under its prefix.
        try remove(location)
        for file in try PosixStorage().list(under: localPath) {
            try upload(file, bucket, Self.directoryPrefix(key) + String(file.dropFirst(localPath.count + 1)))
        }
    }

    public func remove(_ location: String) throws {
        let (bucket, key) = try Self.split(location)
        if !key.isEmpty, try delete(bucket, key) { return }
        for object in try objects(bucket, prefix: Self.directoryPrefix(key)) { _ = try delete(bucket, object.name) }
    }

    public func touch(_ location: String) throws {
        let (bucket, key) = try Self.split(location)
        guard try object(bucket, key) == nil else {
            throw StorageError.failed(operation: "touch", location: location,
                                      reason: "a Cloud Storage object's time changes only when it is written again")
        }
        let empty = NSTemporaryDirectory() + "flow-gcs-empty-\(getpid())-\(UUID().uuidString)"
        defer { try? LocalFiles.remove(empty) }
        try LocalFiles.writeAtomically([], to: empty)
        try upload(empty, bucket, key)
    }

    // MARK: Requests

    func object(_ bucket: String, _ key: String) throws -> Object? {
        let response = try send(HTTPRequest(.get, Self.objectPath(bucket, key)), "stat", bucket, key)
        if response.status == 404 { return nil }
        return try checked(response, "stat", bucket, key).decodeJSON(Object.self)
    }

    /// Every object under `prefix`, page by page (or the first `limit`).
    private func objects(_ bucket: String, prefix: String, limit: Int? = nil) throws -> [Object] {
        var result: [Object] = []
        var token: String?
        repeat {
            var query = [("prefix", prefix), ("maxResults", String(limit ?? pageSize))]
            if let token { query.append(("pageToken", token)) }
            let response = try send(HTTPRequest(.get, "/storage/v1/b/\(Self.segment(bucket))/o", query: query), "list", bucket, prefix)
            if response.status == 404 { return [] }   // no such bucket: nothing exists in it
            let page = try checked(response, "list", bucket, prefix).decodeJSON(Listing.self)
            result += page.items ?? []
            token = page.nextPageToken
            if let limit, result.count >= limit { break }
        } while token != nil
        return result
    }

    /// Downloads the generation `object` describes: if it was replaced since the stat, the new
    /// one is stat'ed and fetched instead (a few times), so the bytes, the checksum and the time
    /// given to the local copy always belong to one generation.
    func download(_ bucket: String, _ object: Object, to localPath: String) throws {
        try LocalFiles.makeParent(localPath)
        var object = object
        for _ in 0..<3 {
            var query = [("alt", "media")]
            if let generation = object.generation { query.append(("generation", generation)) }
            // A pinned generation never changes, so a download cut off mid-body resumes with a
            // ranged request (the HTTP layer's retry) instead of starting again.
            let destination: ResponseDestination = object.generation != nil ? .resumableFile(path: localPath) : .file(path: localPath)
            let request = HTTPRequest(.get, Self.objectPath(bucket, object.name), query: query,
                                      destination: destination, totalTimeout: 0)
            let response = try send(request, "download", bucket, object.name)
            if response.status == 404, object.generation != nil, let newer = try self.object(bucket, object.name),
               newer.generation != object.generation {
                object = newer
                continue
            }
            _ = try checked(response, "download", bucket, object.name)
            if let expected = object.crc32c, let actual = try? CRC32C.base64(ofFile: localPath), actual != expected {
                try? LocalFiles.remove(localPath)
                throw StorageError.failed(operation: "download", location: "gs://\(bucket)/\(object.name)",
                                          reason: "checksum mismatch (crc32c \(actual), expected \(expected)); the partial file was removed")
            }
            LocalFiles.setMtime(localPath, seconds: object.stat.mtime)
            return
        }
        throw StorageError.failed(operation: "download", location: "gs://\(bucket)/\(object.name)",
                                  reason: "the object was replaced during every attempt to download it")
    }

    /// True when the object existed and is gone, false when there was none.
    private func delete(_ bucket: String, _ key: String) throws -> Bool {
        let response = try send(HTTPRequest(.delete, Self.objectPath(bucket, key)), "remove", bucket, key)
        if response.status == 404 { return false }
        _ = try checked(response, "remove", bucket, key)
        return true
    }

    /// One request; a failure below HTTP (no connection, no credentials) names the object.
    func send(_ request: HTTPRequest, _ operation: String, _ bucket: String, _ key: String) throws -> HTTPResponse {
        do { return try client.send(request) } catch let error as HTTPError {
            var reason = "\(error)"
            if case .authProvider = error {
                reason += " (set STORAGE_EMULATOR_HOST, GOOGLE_OAUTH_ACCESS_TOKEN or GOOGLE_APPLICATION_CREDENTIALS, or run on GCE/GKE)"
            }
            throw StorageError.failed(operation: operation, location: "gs://\(bucket)/\(key)", reason: reason)
        }
    }

    func checked(_ response: HTTPResponse, _ operation: String, _ bucket: String, _ key: String) throws -> HTTPResponse {
        guard response.isSuccess else {
            throw StorageError.failed(operation: operation, location: "gs://\(bucket)/\(key)", reason: "HTTP \(response.status)")
        }
        return response
    }

    // MARK: Names

    /// `gs://bucket/key` -> (bucket, key); the key may be empty (the whole bucket).
    static func split(_ location: String) throws -> (bucket: String, key: String) {
        guard let scheme = StorageURL.scheme(of: location), scheme == "gs" || scheme == "gcs" else {
            throw StorageError.failed(operation: "use", location: location, reason: "not a gs:// URL")
        }
        let rest = location.dropFirst(scheme.count + 3)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { throw StorageError.failed(operation: "use", location: location, reason: "no bucket name") }
        var key = String(rest.dropFirst(bucket.count + 1))
        while key.hasSuffix("/") { key.removeLast() }
        return (String(bucket), key)
    }

    static func directoryPrefix(_ key: String) -> String { key.isEmpty ? "" : key + "/" }

    static func objectPath(_ bucket: String, _ key: String) -> String {
        "/storage/v1/b/\(segment(bucket))/o/\(segment(key))"
    }

    /// One percent-encoded path segment (`/` inside an object name becomes `%2F`).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// RFC 3339 times as GCS writes them (`2026-12-07T01:02:03.123456Z`, or with an offset).
enum RFC3339 {
    static func seconds(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var n = 0
            for c in chars[from..<from + count] {
                guard c >= 48 && c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            var scale = 0.1
            i += 1
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                fraction += Double(chars[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < chars.count, chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-"),
           let h = number(i + 1, 2), let m = number(i + 4, 2) {
            offset = (h * 3600 + m * 60) * (chars[i] == UInt8(ascii: "+") ? 1 : -1)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Double(timegm(&parts) - offset) + fraction
    }
}

/// CRC-32C (Castagnoli), the checksum GCS keeps for every object, base64 of its big-endian bytes.
enum CRC32C {
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        flow_crc32c_update(crc, bytes.baseAddress, bytes.count)
    }

    static func base64(ofFile path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.failed(operation: "read", location: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var crc: UInt32 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw StorageError.failed(operation: "read", location: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            crc = buffer.withUnsafeBytes { update(crc, UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }
        return base64(crc)
    }

    static func base64(_ crc: UInt32) -> String {
        Data([UInt8(crc >> 24), UInt8((crc >> 16) & 0xff), UInt8((crc >> 8) & 0xff), UInt8(crc & 0xff)]).base64EncodedString()
    }
}
