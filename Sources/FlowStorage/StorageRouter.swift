// FlowStorage: `Storage`, the one object the rest of flow asks about files. It routes each
// location to its adapter by URL scheme and keeps the table of schemes flow knows. Each remote
// adapter lives in a file of its own (gs:// → GCSStorage; davs:// dav:// https:// http:// root://
// xroot:// srm:// gsiftp:// file:// → GfalStorage, one provider as Snakemake's gfal) and is made
// on first use, so a run that names no such URL never reads credentials. A scheme known but not
// served is a clear error, never a silent skip. Transfers may run on several threads at once
// (`transferAll`, bounded by `maxTransfers`); the adapter table is guarded for that.

import Foundation

public final class Storage {
    /// Plain paths (no scheme): POSIX in a run, in-memory in tests.
    public let local: StorageAdapter
    private var adapters: [String: StorageAdapter]
    /// Adapters made on first use (they read credentials from the environment).
    private var factories: [String: () throws -> StorageAdapter] = [:]
    /// First error met by the non-throwing planning view (`statOrRecord`): planning goes on and
    /// the engine reports it once the DAG is built.
    public private(set) var firstError: Error?
    /// Transfers `transferAll` runs at once (`--max-storage-transfers`); 1 runs them one by one.
    public var maxTransfers = 4
    /// Where local copies of remote files go (`--local-storage-prefix`), relative to the working
    /// directory or absolute.
    public var localCopyPrefix = StorageURL.defaultLocalPrefix

    /// The local copy of `location` under `localCopyPrefix` (a plain path is its own).
    public func localCopy(of location: String) -> String { StorageURL.localCopy(of: location, prefix: localCopyPrefix) }
    private let lock = NSLock()

    /// Schemes flow knows, with the provider (Snakemake's plugin name) that serves them.
    public static let knownSchemes: [String: String] = [
        "gs": "gcs", "gcs": "gcs",
        "davs": "gfal", "dav": "gfal", "https": "gfal", "http": "gfal", "root": "gfal", "xroot": "gfal", "srm": "gfal",
        "gsiftp": "gfal", "file": "gfal",
    ]

    public init(local: StorageAdapter = PosixStorage(), adapters: [String: StorageAdapter] = [:]) {
        self.local = local
        self.adapters = adapters
    }

    /// The storage of a run: POSIX for plain paths, and every remote adapter built into flow.
    public static func standard() -> Storage {
        let storage = Storage()
        var gcs: GCSStorage?
        let makeGCS = { () throws -> StorageAdapter in
            if let gcs { return gcs }
            let made = try GCSStorage.fromEnvironment()
            gcs = made
            return made
        }
        storage.factories["gs"] = makeGCS
        storage.factories["gcs"] = makeGCS
        var gfal: GfalStorage?
        let makeGfal = { [unowned storage] () throws -> StorageAdapter in
            if let gfal { return gfal }
            // As many gfal2 contexts as transfers may run at once (made on first use, after the
            // engine set the bound).
            var options = GfalStorage.Options.fromEnvironment()
            options.contexts = max(1, storage.maxTransfers)
            let made = try GfalStorage(options: options)
            gfal = made
            return made
        }
        for scheme in GfalStorage.schemes { storage.factories[scheme] = makeGfal }
        return storage
    }

    /// Serves `scheme://` locations with `adapter` (tests register `mem://`, back ends their own).
    public func register(_ adapter: StorageAdapter, forScheme scheme: String) {
        adapters[scheme.lowercased()] = adapter
    }

    /// The adapter for `location`.
    public func adapter(for location: String) throws -> StorageAdapter {
        guard let scheme = StorageURL.scheme(of: location) else { return local }
        lock.lock()
        defer { lock.unlock() }
        if let adapter = adapters[scheme] { return adapter }
        if let factory = factories[scheme] {
            let adapter = try factory()
            adapters[scheme] = adapter
            return adapter
        }
        if let provider = Self.knownSchemes[scheme] { throw StorageError.adapterUnavailable(scheme: scheme, provider: provider) }
        throw StorageError.unknownScheme(scheme: scheme, location: location, known: schemes)
    }

    /// Runs `body` for every item, up to `maxTransfers` at once, each on a thread of its own
    /// (transfers wait on the network, not on the CPU). All items are tried; the first error
    /// (in the items' order) is thrown once every transfer has ended.
    public func transferAll<T>(_ items: [T], _ body: @escaping (T) throws -> Void) throws {
        let width = min(maxTransfers, items.count)
        guard width > 1 else { return try items.forEach(body) }
        let queue = TransferQueue(count: items.count)
        let group = DispatchGroup()
        for _ in 0..<width {
            group.enter()
            Thread {
                while let i = queue.take() {
                    do { try body(items[i]) } catch { queue.failed(i, error) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        if let error = queue.firstError { throw error }
    }

    /// Every scheme with an adapter or a known provider, sorted.
    public var schemes: [String] { Array(Set(adapters.keys).union(factories.keys).union(Self.knownSchemes.keys)).sorted() }

    /// Checks that `location` could be served (used when a Snakefile names a URL).
    public func validate(_ location: String) throws { _ = try adapter(for: location) }

    // MARK: Operations, routed

    public func stat(_ location: String) throws -> FileStat? { try adapter(for: location).stat(location) }
    public func exists(_ location: String) throws -> Bool { try stat(location) != nil }
    public func list(under prefix: String) throws -> [String] { try adapter(for: prefix).list(under: prefix) }
    public func retrieve(_ location: String, to localPath: String) throws { try adapter(for: location).retrieve(location, to: localPath) }
    public func store(_ localPath: String, to location: String) throws { try adapter(for: location).store(localPath, to: location) }
    public func remove(_ location: String) throws { try adapter(for: location).remove(location) }
    public func touch(_ location: String) throws { try adapter(for: location).touch(location) }

    /// Stats of many locations: plain paths in one batch to the local adapter (which may
    /// parallelise), URLs grouped per adapter.
    public func statMany(_ locations: [String]) throws -> [FileStat?] {
        // The common case, every location a plain path: one batch, no grouping.
        if !locations.contains(where: StorageURL.isRemote) { return try local.statMany(locations) }
        var groups: [ObjectIdentifier: (adapter: StorageAdapter, indices: [Int])] = [:]
        for (i, location) in locations.enumerated() {
            let adapter = try adapter(for: location)
            groups[ObjectIdentifier(adapter), default: (adapter, [])].indices.append(i)
        }
        var result = [FileStat?](repeating: nil, count: locations.count)
        for (_, group) in groups {
            let stats = try group.adapter.statMany(group.indices.map { locations[$0] })
            for (k, i) in group.indices.enumerated() { result[i] = stats[k] }
        }
        return result
    }

    /// The planning view: a stat that never throws. An error is kept (the first one) and the
    /// location counts as missing until the engine reports it.
    public func statOrRecord(_ location: String) -> FileStat? {
        do { return try stat(location) } catch {
            if firstError == nil { firstError = error }
            return nil
        }
    }

    /// `statMany` for planning: errors recorded as in `statOrRecord`.
    public func statManyOrRecord(_ locations: [String]) -> [FileStat?] {
        do { return try statMany(locations) } catch {
            if firstError == nil { firstError = error }
            return locations.map { statOrRecord($0) }
        }
    }

    /// Throws the first error the planning view met, if any.
    public func throwRecordedError() throws {
        if let error = firstError {
            firstError = nil
            throw error
        }
    }

    /// Forgets cached answers of every adapter (after jobs changed files).
    public func invalidateCaches() {
        local.invalidateCaches()
        var seen = Set<ObjectIdentifier>()
        for adapter in adapters.values where seen.insert(ObjectIdentifier(adapter)).inserted { adapter.invalidateCaches() }
    }
}

/// The shared state of one `transferAll`: the next item to take and the errors met.
private final class TransferQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var errors: [Int: Error] = [:]

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func failed(_ index: Int, _ error: Error) { lock.withLock { errors[index] = error } }

    /// The error of the first failed item in the items' order.
    var firstError: Error? { lock.withLock { errors.min { $0.key < $1.key }?.value } }
}
