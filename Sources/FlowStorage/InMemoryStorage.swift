// FlowStorage: a store held in memory, for tests (ninja's in-memory DiskInterface): DAG and plan
// tests without real files, and the engine's staging tests, where it plays a remote store.
// Thread-safe (a fake remote executor stages from several threads). Modification times come from
// a clock that never repeats a value, so "written later" always means "newer".

import Foundation
import FlowSystem

public final class InMemoryStorage: StorageAdapter {
    struct Object {
        var stat: FileStat
        var bytes: [UInt8]
    }

    private var objects: [String: Object] = [:]
    /// Directories that exist because some object lies below them, with how many do.
    private var implicitDirectories: [String: Int] = [:]
    private let lock = NSLock()
    private var lastTime: Double = 0
    private let clock: () -> Double
    private var stats = 0

    /// - Parameter files: paths with their modification times (empty files).
    public init(_ files: [String: Double] = [:], clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
        for (path, mtime) in files { touch(path, mtime: mtime) }
    }

    /// How many times `stat` was called (tests check that paths are stat'ed once).
    public var statCount: Int { lock.withLock { stats } }

    /// Paths of every object, sorted.
    public var paths: [String] { lock.withLock { objects.keys.sorted() } }

    public func contains(_ path: String) -> Bool { lock.withLock { objects[path] != nil } }

    /// The bytes of an object (nil when missing or a directory).
    public func contents(_ path: String) -> [UInt8]? { lock.withLock { objects[path].flatMap { $0.stat.isDirectory ? nil : $0.bytes } } }

    /// Creates or replaces an object with the given contents (mtime: now, or `mtime`).
    public func write(_ path: String, _ bytes: [UInt8], mtime: Double? = nil) {
        lock.withLock { put(path, Object(stat: FileStat(mtime: mtime ?? nextTime(), size: Int64(bytes.count)), bytes: bytes)) }
    }

    /// Creates or updates an empty object (or an explicit directory) with the given mtime.
    public func touch(_ path: String, mtime: Double, isDirectory: Bool = false, size: Int64 = 0) {
        lock.withLock {
            let bytes = objects[path]?.bytes ?? []
            put(path, Object(stat: FileStat(mtime: mtime, isDirectory: isDirectory, size: size), bytes: bytes))
        }
    }

    // MARK: StorageAdapter

    public func stat(_ location: String) -> FileStat? {
        lock.withLock {
            stats += 1
            if let object = objects[location] { return object.stat }
            guard implicitDirectories[location] != nil else { return nil }
            let below = objects.filter { $0.key.hasPrefix(location + "/") }
            return FileStat(mtime: below.values.map(\.stat.mtime).max() ?? 0, isDirectory: true)
        }
    }

    public func list(under prefix: String) -> [String] {
        lock.withLock {
            let dir = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
            return objects.filter { !$0.value.stat.isDirectory && ($0.key.hasPrefix(dir) || $0.key == prefix) }.keys.sorted()
        }
    }

    public func retrieve(_ location: String, to localPath: String) throws {
        let files: [(String, Object)] = lock.withLock {
            if let object = objects[location], !object.stat.isDirectory { return [("", object)] }
            return objects.filter { $0.key.hasPrefix(location + "/") && !$0.value.stat.isDirectory }
                .map { (String($0.key.dropFirst(location.count)), $0.value) }
        }
        guard !files.isEmpty else { throw StorageError.notFound(location: location) }
        try LocalFiles.remove(localPath)
        for (suffix, object) in files {
            let path = localPath + suffix
            try LocalFiles.writeAtomically(object.bytes, to: path)
            LocalFiles.setMtime(path, seconds: object.stat.mtime)
        }
    }

    public func store(_ localPath: String, to location: String) throws {
        guard let info = PosixStorage.stat(localPath) else { throw StorageError.notFound(location: localPath) }
        var uploads: [(String, [UInt8])] = []
        if info.isDirectory {
            for file in try PosixStorage().list(under: localPath) {
                uploads.append((location + file.dropFirst(localPath.count), try LocalFiles.read(file)))
            }
        } else {
            uploads.append((location, try LocalFiles.read(localPath)))
        }
        lock.withLock {
            removeLocked(location)
            for (path, bytes) in uploads {
                put(path, Object(stat: FileStat(mtime: nextTime(), size: Int64(bytes.count)), bytes: bytes))
            }
        }
    }

    public func remove(_ location: String) { lock.withLock { removeLocked(location) } }

    public func touch(_ location: String) {
        lock.withLock {
            var object = objects[location] ?? Object(stat: FileStat(mtime: 0), bytes: [])
            object.stat.mtime = nextTime()
            put(location, object)
        }
    }

    // MARK: Internals (lock held)

    private func put(_ path: String, _ object: Object) {
        if objects.updateValue(object, forKey: path) == nil {
            for dir in parents(of: path) { implicitDirectories[dir, default: 0] += 1 }
        }
    }

    private func removeLocked(_ location: String) {
        let doomed = objects.keys.filter { $0 == location || $0.hasPrefix(location + "/") }
        for path in doomed {
            objects.removeValue(forKey: path)
            for dir in parents(of: path) {
                let n = implicitDirectories[dir, default: 1] - 1
                implicitDirectories[dir] = n > 0 ? n : nil
            }
        }
    }

    private func parents(of path: String) -> [String] {
        var result: [String] = []
        var current = Substring(path)
        while let slash = current.lastIndex(of: "/"), slash != current.startIndex {
            current = current[..<slash]
            result.append(String(current))
        }
        return result
    }

    private func nextTime() -> Double {
        lastTime = max(clock(), lastTime + 0.001)
        return lastTime
    }
}
