// Snakemake's storage language: `storage:` / `storage NAME:` declarations, the `storage(...)` and
// `storage.NAME(...)` functions that mark a query as a storage file, and the default storage
// provider (`--default-storage-provider/--default-storage-prefix`) that turns plain rule paths
// into queries. Here a query is only checked (it has a scheme that the workflow's `Storage` can
// serve); nothing is stat'ed or copied: the DAG and the engine do that, through FlowStorage.
//
// A storage file is an IOFile whose pattern is the query itself (`gs://bkt/a/{x}.txt`) and whose
// flags contain `.storage` (plus `.noRetrieve`/`.keepLocal` when asked for); the engine finds its
// local copy with `StorageURL.localCopy(of:)`.

import FlowLang
import FlowStorage
import FlowSyntax

/// One `storage:` block (tag nil) or `storage NAME:` block (tag NAME).
public struct StorageProviderDeclaration {
    public var tag: String?
    /// Snakemake's plugin name (`gcs`, `s3`, `http`, ...); recorded even when flow has no adapter.
    public var provider: String
    /// The other `name=value` settings (`max_requests_per_second=10`, ...), evaluated.
    public var settings: [String: Value]
    public var file: String
    public var line: Int

    public init(tag: String?, provider: String, settings: [String: Value], file: String, line: Int) {
        self.tag = tag
        self.provider = provider
        self.settings = settings
        self.file = file
        self.line = line
    }
}

/// The default storage provider: every plain path of a rule becomes `prefix + "/" + normpath(path)`.
public struct DefaultStorage: Equatable, Sendable {
    public var provider: String
    /// A servable query prefix with its scheme (`gs://bkt/run1`), without a trailing "/".
    public var prefix: String

    /// The query a plain path maps to.
    public func query(for path: String) -> String { prefix + "/" + ExpandFunctions.normalize(path) }
}

extension Workflow {
    /// The default storage mapping of one path, as Snakemake applies it to rule files, input
    /// function results, targets and `exists()`: paths flagged `local(...)` or already storage
    /// queries are left alone; a path that already has a URL scheme is flagged, not prefixed
    /// again. Without a default provider: `(path, flags)` unchanged.
    public func applyDefaultStorage(to path: String, flags: FileFlags = []) -> (path: String, flags: FileFlags) {
        guard let d = defaultStorage, flags.isDisjoint(with: [.local, .storage]) else { return (path, flags) }
        if StorageURL.scheme(of: path) != nil { return (path, flags.union(.storage)) }
        return (d.query(for: path), flags.union(.storage))
    }

    public func applyDefaultStorage(to file: IOFile) -> IOFile {
        var f = file
        (f.pattern, f.flags) = applyDefaultStorage(to: file.pattern, flags: file.flags)
        return f
    }

    /// Marks (and, with a default provider, maps) the files of a rule being registered: static
    /// inputs, outputs, logs and the benchmark. Patterns with a URL scheme are storage files.
    /// Input functions are mapped by the DAG when their results are known.
    func applyStorage(to rule: inout Rule) {
        func map(_ file: inout IOFile) {
            if file.flags.contains(.storage) { return }
            if defaultStorage != nil {
                file = applyDefaultStorage(to: file)
            } else if StorageURL.scheme(of: file.pattern) != nil {
                file.flags.insert(.storage)
            }
        }
        for i in rule.input.indices {
            guard case .file(var f) = rule.input[i].item else { continue }
            map(&f)
            rule.input[i].item = .file(f)
        }
        for i in rule.output.items.indices {
            let before = rule.output.items[i].pattern
            map(&rule.output.items[i])
            let after = rule.output.items[i].pattern
            if before != after, let checksum = rule.outputChecksumFunctions.removeValue(forKey: before) {
                rule.outputChecksumFunctions[after] = checksum
            }
        }
        for i in rule.log.items.indices { map(&rule.log.items[i]) }
        if rule.benchmark != nil { map(&rule.benchmark!) }
    }
}

enum StorageLanguage {
    /// Snakemake storage plugins flow recognises by name, whether or not this build serves them
    /// (`storage.NAME(...)` with another NAME needs a `storage NAME:` block).
    static let catalogProviders: Set<String> = [
        "azure", "fs", "ftp", "gcs", "gfal", "http", "irods", "s3", "sftp", "webdav", "xrootd", "zenodo",
    ]

    static func isKnownProvider(_ name: String) -> Bool {
        catalogProviders.contains(name) || Storage.knownSchemes.values.contains(name)
    }

    /// `--default-storage-provider`/`--default-storage-prefix` checked: nil without a provider
    /// (or with `none`); an error naming the flag when the prefix cannot be served.
    static func defaultStorage(provider: String?, prefix: String?, storage: Storage) throws -> DefaultStorage? {
        guard let provider, !provider.isEmpty, provider.lowercased() != "none" else { return nil }
        var prefix = prefix ?? ""
        while prefix.hasSuffix("/") && !prefix.hasSuffix("://") { prefix.removeLast() }
        guard let scheme = StorageURL.scheme(of: prefix) else {
            throw PyError("WorkflowError", "--default-storage-provider \(provider) needs --default-storage-prefix with a URL scheme, "
                + "e.g. gs://bucket/run (got '\(prefix)'); flow picks storage by scheme (known: \(knownSchemes(storage)))")
        }
        try checkProvider(provider, serves: scheme, query: prefix, label: "--default-storage-prefix")
        do {
            try storage.validate(prefix)
        } catch let e as StorageError {
            throw PyError("WorkflowError", "--default-storage-prefix \(StorageURL.safe(prefix)): \(e)")
        }
        return DefaultStorage(provider: provider, prefix: prefix)
    }

    /// Checks that `query` names a scheme the workflow's storage can serve (and, given a
    /// provider, one of that provider's schemes). `{wildcards}` in the query are fine: only the
    /// scheme is looked at. Errors are Python-level WorkflowErrors, so they carry the Snakefile line.
    static func validate(_ query: String, provider: String?, storage: Storage, label: String) throws {
        guard let scheme = StorageURL.scheme(of: query) else {
            throw PyError("WorkflowError", "\(label)(): no storage provider found for query '\(query)': it has no URL scheme "
                + "(flow picks the storage by scheme, e.g. gs://bucket/path; known: \(knownSchemes(storage)))")
        }
        if let provider { try checkProvider(provider, serves: scheme, query: query, label: "\(label)()") }
        do {
            try storage.validate(query)
        } catch let e as StorageError {
            throw PyError("WorkflowError", "\(label)('\(StorageURL.safe(query))'): \(e)")
        }
    }

    /// A query whose scheme belongs to another provider flow knows is invalid for `provider`
    /// (`storage.gcs("root://...")`).
    private static func checkProvider(_ provider: String, serves scheme: String, query: String, label: String) throws {
        guard let owner = Storage.knownSchemes[scheme], owner != provider,
              Storage.knownSchemes.values.contains(provider) else { return }
        throw PyError("WorkflowError", "\(label): error applying storage provider \(provider): \(StorageURL.safe(query)) "
            + "is not a valid \(provider) query (\(scheme):// is served by provider \(owner))")
    }

    static func knownSchemes(_ storage: Storage) -> String { storage.schemes.map { $0 + "://" }.joined(separator: ", ") }
}

/// `storage` as Snakefiles see it: `storage("gs://b/x")` picks the provider by the query's scheme,
/// `storage.NAME("...")` names a declared tag or a provider; both accept `retrieve=` and
/// `keep_local=` (other keywords are provider settings, accepted and ignored here).
final class StorageRegistryObject: PyCallable {
    unowned let workflow: Workflow
    init(workflow: Workflow) { self.workflow = workflow }
    var typeName: String { "StorageRegistry" }

    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        try storageFiles(arguments, provider: nil, label: "storage", interpreter)
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        let provider: String
        if let declared = workflow.storageProviders.last(where: { $0.tag == name }) {
            provider = declared.provider
        } else if StorageLanguage.isKnownProvider(name) || workflow.storageProviders.contains(where: { $0.provider == name }) {
            provider = name
        } else {
            let tags = workflow.storageProviders.compactMap(\.tag)
            throw PyError("WorkflowError", "storage.\(name): '\(name)' is neither a declared storage tag"
                + (tags.isEmpty ? "" : " (declared: \(tags.joined(separator: ", ")))")
                + " nor a known storage provider (\(StorageLanguage.catalogProviders.sorted().joined(separator: ", "))); "
                + "declare it with a 'storage \(name):' block")
        }
        let label = "storage.\(name)"
        return .object(BuiltinFunction(label) { [unowned self] args, interp in
            try self.storageFiles(args, provider: provider, label: label, interp)
        })
    }

    private func storageFiles(_ args: Arguments, provider: String?, label: String, _ interp: Interpreter) throws -> Value {
        guard let query = args.argument(0, "query") else {
            throw PyError.type("\(label)() missing 1 required positional argument: 'query'")
        }
        var added: FileFlags = .storage
        if let r = args.keyword("retrieve"), !r.isNone, try !interp.truthy(r) { added.insert(.noRetrieve) }
        if let k = args.keyword("keep_local"), !k.isNone, try interp.truthy(k) { added.insert(.keepLocal) }
        let storage = workflow.storage
        func mark(_ value: Value) throws -> Value {
            switch value {
            case .list(let l): return .list(PyList(try l.items.map(mark)))
            case .tuple(let t): return .list(PyList(try t.map(mark)))
            default:
                guard let q = value.pathValue else {
                    throw PyError.type("\(label)() expects a query string, got '\(value.typeName)'")
                }
                var flags: FileFlags = []
                var sha256: String?
                if case .object(let o) = value, let f = o as? FlaggedPathObject {
                    flags = f.flags
                    sha256 = f.sha256
                }
                if flags.contains(.local) { throw PyError("WorkflowError", "Storage and local flags are mutually exclusive.") }
                try StorageLanguage.validate(q, provider: provider, storage: storage, label: label)
                return .object(FlaggedPathObject(q, flags: flags.union(added), sha256: sha256))
            }
        }
        return try mark(query)
    }
}

extension WorkflowLoader {
    /// `storage:` / `storage NAME:` (the parser gives the tag as `tag="NAME"`).
    func declareStorage(_ arguments: [Argument], file: SourceFile, line: Int) throws {
        var tag: String?
        var provider: String?
        var settings: [String: Value] = [:]
        for (key, value) in try keywordValues(arguments, file: file) {
            switch key {
            case "tag": tag = try interpreter.str(value)
            case "provider": provider = try interpreter.str(value)
            default: settings[key] = value
            }
        }
        guard let provider else { throw PyError("WorkflowError", "Storage provider must be specified (provider=\"...\").") }
        guard provider == provider.lowercased() else { throw PyError("WorkflowError", "Storage provider must be lowercase.") }
        workflow.storageProviders.append(StorageProviderDeclaration(tag: tag, provider: provider, settings: settings,
                                                                    file: file.path, line: line))
    }
}
