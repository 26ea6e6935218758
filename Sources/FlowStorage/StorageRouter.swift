// FlowStorage: `Storage`, the one object the rest of flow asks about files. It routes each
// location to its adapter by URL scheme and keeps the table of schemes flow knows. Each remote
// adapter lives in a file of its own (gs:// → GCSStorage; davs:// dav:// https:// http:// root://
// xroot:// srm:// gsiftp:// file:// → GfalStorage, one provider as Snakemake's gfal) and is made
// on first use, so a run that names no such URL never reads credentials. A scheme known but not
// served is a clear error, never a silent skip.


public final class Storage {
    /// Plain paths (no scheme): POSIX in a run, in-memory in tests.
    public let local: StorageAdapter
    private var adapters: [String: StorageAdapter]
    /// Adapters made on first use (they read credentials from the environment).
    private var factories: [String: () throws -> StorageAdapter] = [:]
    /// First error met by the non-throwing planning view (`statOrRecord`): planning goes on and
    /// the engine reports it once the DAG is built.
    public private(set) var firstError: Error?

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
        let makeGfal = { () throws -> StorageAdapter in
            if let gfal { return gfal }
            let made = try GfalStorage()
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
        if let adapter = adapters[scheme] { return adapter }
        if let factory = factories[scheme] {
            let adapter = try factory()
            adapters[scheme] = adapter
            return adapter
        }
        if let provider = Self.knownSchemes[scheme] { throw StorageError.adapterUnavailable(scheme: scheme, provider: provider) }
        throw StorageError.unknownScheme(scheme: scheme, location: location, known: schemes)
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
