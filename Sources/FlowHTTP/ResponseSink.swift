// FlowHTTP: where one attempt's response body goes.
//
// Owns: collecting a body in memory, or streaming a 2xx body to a temporary file beside the
// destination (renamed onto it only when complete, removed when the attempt fails or is
// retried), so a large object never sits in memory and a reader never sees half a file.
// It must not know about curl or HTTP semantics beyond "2xx means this is the content".

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

final class ResponseSink {
    /// Error documents kept when the body was meant for a file: enough for a Kubernetes Status or
    /// a GCS error, bounded so a misbehaving server cannot fill memory.
    static let errorBodyLimit = 64 * 1024

    private let destination: ResponseDestination
    private(set) var memory = Data()
    /// Body bytes of this attempt.
    private(set) var length: Int64 = 0
    /// Bytes in the temporary file (across attempts when resuming).
    private(set) var fileLength: Int64 = 0
    /// Set between attempts of a resumable download: the next attempt asks for bytes from here.
    private(set) var resumeOffset: Int64?
    private var attemptHasWritten = false
    private var fd: Int32 = -1
    private var tempPath: String?
    /// A local write failure, reported instead of curl's generic "write error".
    private(set) var failure: HTTPError?

    init(destination: ResponseDestination) {
        self.destination = destination
    }

    deinit { discard() }

    /// Takes one piece of the body for an answer with `status`; false aborts the transfer.
    func write(_ bytes: UnsafeRawBufferPointer, status: Int) -> Bool {
        length += Int64(bytes.count)
        guard let path = destination.filePath, (200...299).contains(status) else {
            if destination.filePath != nil, memory.count >= Self.errorBodyLimit { return true }
            memory.append(bytes.bindMemory(to: UInt8.self))
            return true
        }
        if !attemptHasWritten {
            attemptHasWritten = true
            // Asked for the rest but given the whole body (200): start the file again.
            if resumeOffset != nil, status != 206, fd >= 0 {
                guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                    failure = .localFile(path: path, reason: "cannot restart the download: \(String(cString: strerror(errno)))")
                    return false
                }
                fileLength = 0
            }
            resumeOffset = nil
        }
        if fd < 0 && !openTemporary(beside: path) { return false }
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .localFile(path: path, reason: "cannot write the download: \(String(cString: strerror(errno)))")
                return false
            }
            offset += n
        }
        fileLength += Int64(bytes.count)
        return true
    }

    /// Before a retry of a resumable download: keeps the partial file and returns the offset the
    /// next attempt asks for; otherwise drops it (nil).
    @discardableResult
    func keepForResume() -> Int64? {
        guard case .resumableFile = destination, fd >= 0, fileLength > 0 else {
            discard()
            return nil
        }
        memory = Data()
        length = 0
        attemptHasWritten = false
        resumeOffset = fileLength
        return fileLength
    }

    /// Moves a streamed body onto its destination; returns the destination path (nil when the
    /// body stayed in memory). An empty 2xx body still produces an (empty) file.
    func commit(status: Int) throws -> String? {
        guard let path = destination.filePath, (200...299).contains(status) else { return nil }
        if fd < 0 && !openTemporary(beside: path) { throw failure! }
        let closed = close(fd)
        fd = -1
        guard closed == 0, let temp = tempPath else {
            discard()
            throw HTTPError.localFile(path: path, reason: "cannot finish the download: \(String(cString: strerror(errno)))")
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw HTTPError.localFile(path: path, reason: "cannot move the download into place: \(reason)")
        }
        tempPath = nil
        return path
    }

    /// Drops a partial file, if any. Safe to call more than once.
    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        if let temp = tempPath { unlink(temp); tempPath = nil }
        memory = Data()
        length = 0
        fileLength = 0
        resumeOffset = nil
        attemptHasWritten = false
    }

    private func openTemporary(beside path: String) -> Bool {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).part-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            failure = .localFile(path: path, reason: "cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
            return false
        }
        tempPath = temp
        return true
    }
}

/// The C library's write(2) (the name `write` is taken inside ResponseSink).
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
