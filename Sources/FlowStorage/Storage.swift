// FlowStorage: where a workflow's files live, behind one narrow protocol.
//
// Owns: `StorageAdapter` (the operations every store offers: stat, list, retrieve, store,
// remove, touch), `FileStat`, `StorageError`, and `Storage`, which picks the adapter for a path
// by its URL scheme (plain paths go to the local adapter: POSIX in a run, in-memory in tests).
// It knows nothing about rules, jobs or executors; the engine decides when to stage
// (storage.md §5, Snakemake's storage plugin interface, Nextflow's FilePorter).

/// What a store knows about one object.
public struct FileStat: Equatable, Sendable {
    /// Seconds since the epoch (sub-second precision where the store has it).
    public var mtime: Double
    public var isDirectory: Bool
    public var size: Int64
    /// True for a symbolic link (whose target may or may not exist).
    public var isSymlink: Bool
    /// A symlink whose target is missing (it exists as a link, not as a file).
    public var isDangling: Bool
    /// A symlink's own mtime (for anything else `mtime`). `mtime` is the newer of the link's and
    /// its target's, which is how an input counts; an output counts with the link's own time
    /// (Snakemake's rule: re-pointing a link makes it new, a newer target does not).
    public var ownMtime: Double

    public init(mtime: Double, isDirectory: Bool = false, size: Int64 = 0, isSymlink: Bool = false, isDangling: Bool = false,
                ownMtime: Double? = nil) {
        self.mtime = mtime
        self.isDirectory = isDirectory
        self.size = size
        self.isSymlink = isSymlink
        self.isDangling = isDangling
        self.ownMtime = ownMtime ?? mtime
    }
}

/// One store (a file system, a bucket, a grid endpoint). Locations are what the workflow writes:
/// plain paths for the local adapter, full URLs (`gs://bucket/key`) for remote ones.
public protocol StorageAdapter: AnyObject {
    /// nil when nothing exists at `location`. Throws only when the store cannot answer.
    func stat(_ location: String) throws -> FileStat?
    /// Stats of many locations; adapters that can batch or parallelise override it.
    func statMany(_ locations: [String]) throws -> [FileStat?]
    /// Files (not directories) under `prefix` (a directory path or a key prefix), recursively,
    /// as locations in the same form as `prefix`, sorted.
    func list(under prefix: String) throws -> [String]
    /// Copies the object to the local file `localPath` (parents created; the file appears whole or
    /// not at all). Directories are copied recursively.
    func retrieve(_ location: String, to localPath: String) throws
    /// Copies the local file or directory `localPath` to `location`, replacing what was there.
    func store(_ localPath: String, to location: String) throws
    /// Removes the object (a whole tree for directories); a missing object is not an error.
    func remove(_ location: String) throws
    /// Creates an empty object or sets its modification time to now.
    func touch(_ location: String) throws
    /// Forgets anything cached about the store (after jobs changed it).
    func invalidateCaches()
}

extension StorageAdapter {
    public func statMany(_ locations: [String]) throws -> [FileStat?] { try locations.map { try stat($0) } }
    public func invalidateCaches() {}
}

public enum StorageError: Error, Equatable, CustomStringConvertible {
    /// A URL whose scheme no adapter serves.
    case unknownScheme(scheme: String, location: String, known: [String])
    /// A scheme flow knows but whose adapter is not built into this flow.
    case adapterUnavailable(scheme: String, provider: String)
    case notFound(location: String)
    /// The store answered with an error (I/O error, permission denied, HTTP 500...).
    case failed(operation: String, location: String, reason: String)

    public var description: String {
        switch self {
        case .unknownScheme(let scheme, let location, let known):
            return "unknown storage scheme '\(scheme)://' in \(StorageURL.safe(location)) (known: \(known.map { $0 + "://" }.joined(separator: ", ")))"
        case .adapterUnavailable(let scheme, let provider):
            return "\(scheme):// storage (provider '\(provider)') is not available in this build of flow"
        case .notFound(let location):
            return "\(StorageURL.safe(location)): no such file or object"
        case .failed(let operation, let location, let reason):
            return "cannot \(operation) \(StorageURL.safe(location)): \(reason)"
        }
    }
}
