// The file system as the DAG and the plan see it: existence, modification time, kind and size.
// `PosixDisk` stats each path at most once per run; `InMemoryDisk` lets tests build DAGs with no
// real files (ninja's DiskInterface).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileStat: Equatable, Sendable {
    /// Seconds since the epoch (sub-second precision where the file system has it).
    public var mtime: Double
    public var isDirectory: Bool
    public var size: Int64
    /// True for a symbolic link (whose target may or may not exist).
    public var isSymlink: Bool

    public init(mtime: Double, isDirectory: Bool = false, size: Int64 = 0, isSymlink: Bool = false) {
        self.mtime = mtime
        self.isDirectory = isDirectory
        self.size = size
        self.isSymlink = isSymlink
    }
}

public protocol Disk: AnyObject {
    /// nil when nothing exists at `path`.
    func stat(_ path: String) -> FileStat?
    /// Forgets what is known about `path` (after a job wrote or deleted it).
    func invalidate(_ path: String)
}

extension Disk {
    public func exists(_ path: String) -> Bool { stat(path) != nil }
    public func invalidate(_ path: String) {}
}

/// The real file system, with a per-run cache: every path is stat'ed once until invalidated.
/// Symlinks count with the newer of their own and their target's mtime (as Snakemake does); a
/// dangling symlink exists with its own mtime.
public final class PosixDisk: Disk {
    private var cache: [String: FileStat?] = [:]
    /// The DAG memoises stats per file itself; a path-keyed cache on top only costs hashing.
    private let caching: Bool

    public init(caching: Bool = true) { self.caching = caching }

    /// Without a cache, `stat` touches no shared state and may be called from several threads.
    public var isThreadSafe: Bool { !caching }

    public func stat(_ path: String) -> FileStat? {
        if !caching { return posixStat(path) }
        if let cached = cache[path] { return cached }
        let result = posixStat(path)
        cache[path] = result
        return result
    }

    public func invalidate(_ path: String) { cache.removeValue(forKey: path) }

    /// Forgets everything (e.g. between the planning of two runs).
    public func invalidateAll() { cache.removeAll(keepingCapacity: true) }
}

/// One uncached lstat (+ stat for symlinks).
private func posixStat(_ path: String) -> FileStat? {
    var l = stat()
    guard lstat(path, &l) == 0 else { return nil }
    let lmtime = seconds(mtimeOf(l))
    if (l.st_mode & S_IFMT) == S_IFLNK {
        var t = stat()
        if stat(path, &t) == 0 {
            return FileStat(mtime: max(lmtime, seconds(mtimeOf(t))), isDirectory: (t.st_mode & S_IFMT) == S_IFDIR,
                            size: Int64(t.st_size), isSymlink: true)
        }
        return FileStat(mtime: lmtime, isDirectory: false, size: Int64(l.st_size), isSymlink: true)
    }
    return FileStat(mtime: lmtime, isDirectory: (l.st_mode & S_IFMT) == S_IFDIR, size: Int64(l.st_size))
}

private func mtimeOf(_ s: stat) -> timespec {
    #if os(Linux)
    return s.st_mtim
    #else
    return s.st_mtimespec
    #endif
}

private func seconds(_ t: timespec) -> Double { Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }

/// A file system held in a dictionary, for tests.
public final class InMemoryDisk: Disk {
    public var files: [String: FileStat] = [:]
    /// How many times `stat` was called (tests check that paths are stat'ed once).
    public private(set) var statCount = 0

    public init(_ files: [String: Double] = [:]) {
        for (path, mtime) in files { self.files[path] = FileStat(mtime: mtime) }
    }

    public func stat(_ path: String) -> FileStat? {
        statCount += 1
        return files[path]
    }

    /// Creates or updates a file with the given mtime.
    public func touch(_ path: String, mtime: Double, isDirectory: Bool = false, size: Int64 = 0) {
        files[path] = FileStat(mtime: mtime, isDirectory: isDirectory, size: size)
    }

    public func remove(_ path: String) { files.removeValue(forKey: path) }
}
