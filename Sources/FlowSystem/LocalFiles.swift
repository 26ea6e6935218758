// FlowSystem: the operating system as every part of flow uses it. This file: the POSIX file
// operations (mkdir -p, atomic writes, copies that keep modification times, recursive removal of
// write-protected trees), so that there is one of each. Errors name the path and the system's
// reason. It knows nothing about workflows, storage or jobs.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum LocalFiles {
    /// `mkdir -p`: creates `path` and missing parents; an existing directory is fine (also when
    /// another process creates it between our calls).
    public static func makeDirectories(_ path: String) throws {
        if path.isEmpty || mkdir(path, 0o777) == 0 || isDirectory(path) { return }
        let first = errno
        guard first == ENOENT else { throw failure("create directory", path, first) }
        let parent = dirname(path)
        if !parent.isEmpty && parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o777) != 0 && !isDirectory(path) { throw failure("create directory", path, errno) }
    }

    /// Creates the directory `path` goes into.
    public static func makeParent(_ path: String) throws {
        let parent = dirname(path)
        if !parent.isEmpty { try makeDirectories(parent) }
    }

    /// The directory part of a path ("" for a bare name, "/" for a top-level one).
    public static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// True when something (a file, directory or symlink, even dangling) is at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: readers
    /// never see half a file.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        try makeParent(path)
        let temp = "\(path).tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw failure("open", temp, errno) }
        let complete = bytes.withUnsafeBytes { writeAll(fd, $0) }
        // open() applies the umask; scripts must be executable whatever the umask is.
        if !complete || fchmod(fd, mode) != 0 {
            let error = failure("write", temp, errno)
            close(fd)
            unlink(temp)
            throw error
        }
        if close(fd) != 0 || rename(temp, path) != 0 {
            let error = failure("write", path, errno)
            unlink(temp)
            throw error
        }
    }

    public static func writeAtomically(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try writeAtomically(Array(text.utf8), to: path, mode: mode)
    }

    /// Whole contents of a file.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("read", path, errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", path, errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes
    }

    /// Copies a file or a directory tree (following symlinks), keeping modification times, so a
    /// copy is exactly as fresh as its source. Files appear whole (temp file + rename).
    public static func copy(_ source: String, to destination: String) throws {
        var info = stat()
        guard stat(source, &info) == 0 else { throw failure("copy", source, errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            try makeDirectories(destination)
            for entry in try entries(of: source) { try copy(source + "/" + entry, to: destination + "/" + entry) }
        } else {
            try copyFile(source, to: destination, mode: info.st_mode & 0o777)
        }
        setTimes(destination, mtime: info.st_mtim)
    }

    private static func copyFile(_ source: String, to destination: String, mode: mode_t) throws {
        try makeParent(destination)
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("read", source, errno) }
        defer { close(input) }
        let temp = "\(destination).tmp.\(getpid())"
        let output = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw failure("write", temp, errno) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var ok = true
        var failedErrno: Int32 = 0
        while ok {
            let count = Glibc.read(input, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                ok = false; failedErrno = errno; break
            }
            if count == 0 { break }
            if !buffer.withUnsafeBytes({ writeAll(output, UnsafeRawBufferPointer(rebasing: $0[..<count])) }) {
                ok = false; failedErrno = errno
            }
        }
        if ok && (fchmod(output, mode) != 0 || close(output) != 0) { ok = false; failedErrno = errno } else if !ok { close(output) }
        if ok && rename(temp, destination) != 0 { ok = false; failedErrno = errno }
        if !ok {
            unlink(temp)
            throw failure("copy to", destination, failedErrno)
        }
    }

    /// Names in a directory (without "." and ".."), sorted.
    public static func entries(of directory: String) throws -> [String] {
        guard let dir = opendir(directory) else { throw failure("list", directory, errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a file, symlink or directory tree if present, write-protected ones included.
    public static func remove(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            chmod(path, 0o755)   // protected() trees are read-only; their entries cannot be unlinked otherwise
            for entry in try entries(of: path) { try remove(path + "/" + entry) }
            if rmdir(path) != 0 && errno != ENOENT { throw failure("remove", path, errno) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw failure("remove", path, errno)
        }
    }

    /// Creates the file if missing, else sets its times to now (without following symlinks).
    public static func touch(_ path: String) throws {
        if !exists(path) {
            try makeParent(path)
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw failure("create", path, errno) }
            close(fd)
            return
        }
        // UTIME_NOW ((1 << 30) - 1) is a macro Swift does not import.
        let now = timespec(tv_sec: 0, tv_nsec: Int((1 << 30) - 1))
        var times = [now, now]
        if utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) != 0 { throw failure("touch", path, errno) }
    }

    /// Sets a path's modification (and access) time.
    public static func setTimes(_ path: String, mtime: timespec) {
        var times = [mtime, mtime]
        utimensat(AT_FDCWD, path, &times, 0)
    }

    public static func setMtime(_ path: String, seconds: Double) {
        let whole = seconds.rounded(.down)
        setTimes(path, mtime: timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1e9)))
    }

    static func failure(_ operation: String, _ path: String, _ code: Int32) -> FileError {
        FileError(operation: operation, path: path, reason: String(cString: strerror(code)))
    }
}

/// A failed file operation: what was tried, on which path, and the system's reason.
public struct FileError: Error, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let reason: String

    public var description: String { "cannot \(operation) \(path): \(reason)" }
}

/// write(2) until everything is written; false on error.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += count
    }
    return true
}
