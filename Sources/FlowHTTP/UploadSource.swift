// FlowHTTP: where one attempt's request body comes from.
//
// Owns: feeding curl a body in pieces — from memory, or from a file (or a byte range of one)
// opened afresh for every attempt and read a buffer at a time, so a large upload never sits in
// memory and a retry starts again from the body's first byte. It must not know about HTTP or retries.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

struct UploadSource {
    private enum Origin {
        case none
        case bytes(Data)
        /// A file read from byte `start` (0 for a whole file).
        case file(UnsafeMutablePointer<FILE>, path: String, start: Int64)
    }

    private var origin: Origin
    /// Content-Length, or nil when there is no body at all.
    let size: Int64?
    private var offset: Int64 = 0
    /// A local read failure, reported instead of curl's generic "aborted by callback".
    private(set) var failure: HTTPError?

    init(_ body: HTTPBody) throws {
        switch body {
        case .none:
            origin = .none
            size = nil
        case .bytes(let data, _):
            origin = .bytes(data)
            size = Int64(data.count)
        case .file(let path, _):
            let (file, fileSize) = try Self.open(path)
            origin = .file(file, path: path, start: 0)
            size = fileSize
        case .filePart(let path, let start, let length, _):
            let (file, fileSize) = try Self.open(path)
            guard start >= 0, length >= 0, start + length <= fileSize, fseeko(file, off_t(start), SEEK_SET) == 0 else {
                fclose(file)
                throw HTTPError.localFile(path: path, reason: "bytes \(start)..<\(start + length) are not in the file (\(fileSize) bytes)")
            }
            origin = .file(file, path: path, start: start)
            size = length
        }
    }

    private static func open(_ path: String) throws -> (UnsafeMutablePointer<FILE>, Int64) {
        guard let file = fopen(path, "rb") else {
            throw HTTPError.localFile(path: path, reason: "cannot open the file to upload: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fileno(file), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            fclose(file)
            throw HTTPError.localFile(path: path, reason: "not a regular file, cannot upload it")
        }
        return (file, Int64(info.st_size))
    }

    /// Copies the next piece into `buffer`; 0 at the end, -1 on a read error (see `failure`).
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        switch origin {
        case .none:
            return 0
        case .bytes(let data):
            let start = Int(offset)
            let n = min(buffer.count, data.count - start)
            guard n > 0 else { return 0 }
            data.withUnsafeBytes { src in base.copyMemory(from: src.baseAddress! + start, byteCount: n) }
            offset += Int64(n)
            return n
        case .file(let file, let path, _):
            // Never past the body's end (a part of a file stops at its length).
            let want = min(buffer.count, Int(max(0, (size ?? 0) - offset)))
            guard want > 0 else { return 0 }
            let n = fread(base, 1, want, file)
            if n == 0 && ferror(file) != 0 {
                failure = .localFile(path: path, reason: "cannot read the file to upload: \(String(cString: strerror(errno)))")
                return -1
            }
            offset += Int64(n)
            return n
        }
    }

    /// Moves to `target` (curl rewinds when it must resend a body on a new connection).
    mutating func seek(to target: Int64) -> Bool {
        guard let size, target >= 0, target <= size else { return false }
        if case .file(let file, _, let start) = origin, fseeko(file, off_t(start + target), SEEK_SET) != 0 { return false }
        offset = target
        return true
    }

    mutating func close() {
        if case .file(let file, _, _) = origin { fclose(file) }
        origin = .none
    }
}
