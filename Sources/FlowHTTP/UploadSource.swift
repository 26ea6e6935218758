// FlowHTTP: where one attempt's request body comes from.
//
// Owns: feeding curl a body in pieces — from memory, or from a file opened afresh for every
// attempt and read a buffer at a time, so a large upload never sits in memory and a retry
// starts again from byte 0. It must not know about HTTP or retries.

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
        case file(UnsafeMutablePointer<FILE>, path: String)
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
            guard let file = fopen(path, "rb") else {
                throw HTTPError.localFile(path: path, reason: "cannot open the file to upload: \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard fstat(fileno(file), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                fclose(file)
                throw HTTPError.localFile(path: path, reason: "not a regular file, cannot upload it")
            }
            origin = .file(file, path: path)
            size = Int64(info.st_size)
        }
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
        case .file(let file, let path):
            let n = fread(base, 1, buffer.count, file)
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
        if case .file(let file, _) = origin, fseeko(file, off_t(target), SEEK_SET) != 0 { return false }
        offset = target
        return true
    }

    mutating func close() {
        if case .file(let file, _) = origin { fclose(file) }
        origin = .none
    }
}
