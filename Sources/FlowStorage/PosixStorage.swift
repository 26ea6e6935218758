// FlowStorage: the POSIX adapter, the default for plain paths. Uncached: the DAG memoises stats
// per file itself, so a path-keyed cache here would only cost hashing; being stateless also makes
// `statMany` safe to run on all cores. Symlinks count with the newer of their own and their
// target's mtime (as Snakemake does); a dangling symlink exists with its own mtime.

import Dispatch
import FlowSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class PosixStorage: StorageAdapter {
    public init() {}

    public func stat(_ location: String) -> FileStat? { Self.stat(location) }

    /// Large batches are stat'ed on all cores: planning 100k jobs is otherwise dominated by
    /// sequential stat system calls.
    public func statMany(_ locations: [String]) -> [FileStat?] {
        guard locations.count >= 4096 else { return locations.map(Self.stat) }
        var results = [FileStat?](repeating: nil, count: locations.count)
        let workers = max(1, min(System.processorCount, 8))
        results.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < locations.count {
                    out[i] = Self.stat(locations[i])
                    i += workers
                }
            }
        }
        return results
    }

    public func list(under prefix: String) throws -> [String] {
        var files: [String] = []
        var stack = [prefix.isEmpty ? "." : prefix]
        while let dir = stack.popLast() {
            guard let names = try? LocalFiles.entries(of: dir) else { continue }
            for name in names.reversed() {
                let path = dir == "." && prefix.isEmpty ? name : dir + "/" + name
                if LocalFiles.isDirectory(path) { stack.append(path) } else { files.append(path) }
            }
        }
        return files.sorted()
    }

    public func retrieve(_ location: String, to localPath: String) throws {
        if location == localPath { return }
        guard Self.stat(location) != nil else { throw StorageError.notFound(location: location) }
        try LocalFiles.remove(localPath)
        try LocalFiles.copy(location, to: localPath)
    }

    public func store(_ localPath: String, to location: String) throws {
        if location == localPath { return }
        try LocalFiles.remove(location)
        try LocalFiles.copy(localPath, to: location)
    }

    public func remove(_ location: String) throws { try LocalFiles.remove(location) }

    public func touch(_ location: String) throws { try LocalFiles.touch(location) }

    static func stat(_ path: String) -> FileStat? { posixStat(path) }
}

/// One uncached lstat (+ stat for symlinks). (A free function: inside `PosixStorage` the name
/// `stat` means the method.)
private func posixStat(_ path: String) -> FileStat? {
    var l = stat()
    guard lstat(path, &l) == 0 else { return nil }
    let lmtime = seconds(l.st_mtim)
    if (l.st_mode & S_IFMT) == S_IFLNK {
        var t = stat()
        if stat(path, &t) == 0 {
            return FileStat(mtime: max(lmtime, seconds(t.st_mtim)), isDirectory: (t.st_mode & S_IFMT) == S_IFDIR,
                            size: Int64(t.st_size), isSymlink: true, ownMtime: lmtime)
        }
        return FileStat(mtime: lmtime, size: Int64(l.st_size), isSymlink: true, isDangling: true)
    }
    return FileStat(mtime: lmtime, isDirectory: (l.st_mode & S_IFMT) == S_IFDIR, size: Int64(l.st_size))
}

private func seconds(_ t: timespec) -> Double { Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }

enum System {
    static var processorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
