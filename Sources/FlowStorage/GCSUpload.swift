// FlowStorage, GCS uploads (storage.md §4.1-4.2). Small objects go in one multipart request;
// objects above the resumable threshold go through a resumable session in chunks, and a chunk
// whose answer was lost (a reset, a 5xx) is never simply resent: the session is asked how many
// bytes it committed and the upload continues from there, so a fault late in a large upload
// costs one chunk, not the whole object. Every upload carries `ifGenerationMatch` with the
// generation seen just before it (0: "only if absent"), so it never replaces an object someone
// else wrote meanwhile; when that precondition fails and the object now holds exactly our bytes
// (an earlier attempt of ours that succeeded unseen), the upload is done. The stored object's
// CRC32C must equal the local file's.

import Foundation
import FlowHTTP

extension GCSStorage {
    /// Thrown inside this file when `ifGenerationMatch` failed (HTTP 412).
    struct PreconditionFailed: Error {}

    /// Uploads `localPath` as `gs://bucket/key`, replacing the generation `seen` (by default the
    /// one there now; "0": none).
    func upload(_ localPath: String, _ bucket: String, _ key: String, replacing seen: String? = nil) throws {
        let location = "gs://\(bucket)/\(key)"
        guard let size = PosixStorage.stat(localPath)?.size else { throw StorageError.notFound(location: localPath) }
        let expected = try CRC32C.base64(ofFile: localPath)
        let seen = try seen ?? object(bucket, key)?.generation ?? "0"
        var stored: Object
        do {
            stored = size > resumableThreshold
                ? try resumableUpload(localPath, size: size, bucket, key, generation: seen)
                : try multipartUpload(localPath, bucket, key, generation: seen)
        } catch is PreconditionFailed {
            guard let now = try object(bucket, key), now.crc32c == expected, Int64(now.size ?? "") == size else {
                throw StorageError.failed(operation: "upload to", location: location,
                                          reason: "the object was replaced by someone else during the upload (generation \(seen) expected); it was not overwritten")
            }
            stored = now
        }
        if let actual = stored.crc32c, actual != expected {
            throw StorageError.failed(operation: "upload to", location: location,
                                      reason: "checksum mismatch after upload (crc32c \(actual) stored, \(expected) local)")
        }
    }

    /// One request with the object's metadata and bytes (`multipart/related`), the one kind of
    /// simple upload on which both GCS and its emulator check `ifGenerationMatch`.
    private func multipartUpload(_ localPath: String, _ bucket: String, _ key: String, generation: String) throws -> Object {
        let boundary = "flow-" + UUID().uuidString
        let metadata = try JSONSerialization.data(withJSONObject: ["name": key])
        var body = Data("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8)
        body += metadata
        body += Data("\r\n--\(boundary)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += try Data(contentsOf: URL(fileURLWithPath: localPath))
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        // With the precondition, sending it twice cannot write twice: the second one answers 412.
        let request = HTTPRequest(.post, "/upload/storage/v1/b/\(Self.segment(bucket))/o",
                                  query: [("uploadType", "multipart"), ("ifGenerationMatch", generation)],
                                  body: .bytes(body, contentType: "multipart/related; boundary=\(boundary)"),
                                  idempotent: true, totalTimeout: 0)
        return try finished(try send(request, "upload to", bucket, key), bucket, key)
    }

    /// A resumable session: chunks of `chunkSize` bytes (a multiple of 256 KiB, as GCS requires),
    /// each PUT once; after a failed chunk, the committed offset is asked for and the upload goes
    /// on from there. A session the server forgot (404/410) starts over, once.
    private func resumableUpload(_ localPath: String, size: Int64, _ bucket: String, _ key: String,
                                 generation: String, restarted: Bool = false) throws -> Object {
        let location = "gs://\(bucket)/\(key)"
        let start = HTTPRequest(.post, "/upload/storage/v1/b/\(Self.segment(bucket))/o",
                                query: [("uploadType", "resumable"), ("name", key), ("ifGenerationMatch", generation)],
                                headers: [(name: "X-Upload-Content-Type", value: "application/octet-stream"),
                                          (name: "X-Upload-Content-Length", value: String(size))],
                                body: try .json(["name": key]),
                                idempotent: true)  // an unused session just expires
        let opened = try send(start, "upload to", bucket, key)
        if opened.status == 412 { throw PreconditionFailed() }
        guard let session = try checked(opened, "upload to", bucket, key).header("Location") else {
            throw StorageError.failed(operation: "upload to", location: location, reason: "the resumable session has no Location")
        }
        var offset: Int64 = 0
        var failures = 0
        while true {
            let length = min(chunkSize, size - offset)
            var answer: HTTPResponse?
            do {
                // Not resendable by the HTTP layer: a chunk sent twice after an unseen commit
                // could land at the wrong offset. Only this loop decides, after asking.
                let range = "bytes \(offset)-\(offset + length - 1)/\(offset + length == size ? String(size) : "*")"
                answer = try client.send(HTTPRequest(.put, session, headers: [(name: "Content-Range", value: range)],
                                                     body: .filePart(path: localPath, offset: offset, length: length, contentType: "application/octet-stream"),
                                                     idempotent: false, totalTimeout: 0))
            } catch let error as HTTPError {
                if case .localFile = error { throw StorageError.failed(operation: "upload to", location: location, reason: "\(error)") }
            }
            // A lost answer or a server error: ask the session where it stands.
            if !(answer.map { $0.isSuccess || [308, 404, 410, 412].contains($0.status) } ?? false) {
                failures += 1
                guard failures <= maxChunkFailures else {
                    throw StorageError.failed(operation: "upload to", location: location,
                                              reason: "the resumable upload made no progress after \(failures) failed chunks at byte \(offset) of \(size)")
                }
                answer = try queryStatus(session, size: size, bucket, key)
            }
            let response = answer!
            switch response.status {
            case 200, 201:
                return try finished(response, bucket, key)
            case 308:
                let committed = Self.committedBytes(response)
                if committed > offset { failures = 0 }
                offset = committed
                if offset >= size {   // all bytes there but not finalised: a status query finalises
                    return try finished(try queryStatus(session, size: size, bucket, key), bucket, key)
                }
            case 404 where !restarted, 410 where !restarted:
                return try resumableUpload(localPath, size: size, bucket, key, generation: generation, restarted: true)
            case 412:
                throw PreconditionFailed()
            default:
                _ = try checked(response, "upload to", bucket, key)
                throw StorageError.failed(operation: "upload to", location: location, reason: "HTTP \(response.status)")
            }
        }
    }

    /// Asks a resumable session what it committed (an empty PUT with `bytes */size`); the HTTP
    /// layer may resend it (it changes nothing).
    private func queryStatus(_ session: String, size: Int64, _ bucket: String, _ key: String) throws -> HTTPResponse {
        try send(HTTPRequest(.put, session, headers: [(name: "Content-Range", value: "bytes */\(size)")],
                             body: .bytes(Data(), contentType: nil), idempotent: true), "upload to", bucket, key)
    }

    /// The end of the committed range of a 308 (`Range: bytes=0-N` -> N+1; none -> 0).
    static func committedBytes(_ response: HTTPResponse) -> Int64 {
        guard let range = response.header("Range"), let dash = range.lastIndex(of: "-"),
              let last = Int64(range[range.index(after: dash)...].trimmingCharacters(in: .whitespaces)) else { return 0 }
        return last + 1
    }

    private func finished(_ response: HTTPResponse, _ bucket: String, _ key: String) throws -> Object {
        if response.status == 412 { throw PreconditionFailed() }
        return try checked(response, "upload to", bucket, key).decodeJSON(Object.self)
    }
}
