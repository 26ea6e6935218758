// FileSystem: the two POSIX reads FlowState needs beyond FlowSystem's file operations (an mtime
// that follows symlinks, a small whole-file read). Nothing flow-specific.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum FileSystem {
    /// Modification time in Unix seconds (nanosecond precision where the FS has it); nil when
    /// the path does not exist. Follows symlinks, as Snakemake's mtime checks do for outputs.
    static func mtime(_ path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let spec = info.st_mtimespec
        #else
        let spec = info.st_mtim
        #endif
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Whole contents of a small file, nil if it cannot be opened.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
