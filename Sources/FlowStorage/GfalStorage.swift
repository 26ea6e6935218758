// FlowStorage, gfal: grid and WebDAV storage (`davs:// dav:// https:// http:// root:// xroot://
// srm:// gsiftp:// file://`) through libgfal2's C API (storage.md §5, §6.3-6.7), one provider for
// all of them as Snakemake's gfal provider. A few gfal2 contexts per adapter, each used by one thread at a
// time. Times are what gfal reports (whole seconds on dav and root); a directory's time is the
// newest of the files under it, as for gs:// prefixes. Transfers go to a hidden temporary name
// next to the target and are renamed on success, so a partial file is never taken for a whole
// one, on either side; before that rename, the two sides' ADLER32 checksums (gfal2_checksum) must
// agree wherever the server keeps checksums (file://, xrootd with xrootd.chksum; a WebDAV server
// without them is asked once, then only sizes are compared). Credentials are gfal's: X509_USER_PROXY and BEARER_TOKEN (or
// BEARER_TOKEN_FILE) become the context's X509:CERT/KEY and BEARER:TOKEN settings and are never
// printed. gfal reads X509_CERT_DIR (the CAs) when the adapter is made.

import CGfalShim
import Foundation
import FlowHTTP
import FlowSystem

public final class GfalStorage: StorageAdapter {
    /// The schemes this adapter serves (those without an installed gfal2 plugin fail with gfal's message).
    public static let schemes = ["davs", "dav", "https", "http", "root", "xroot", "srm", "gsiftp", "file"]

    public struct Options: Sendable {
        /// Skip TLS verification for https/davs (never the default).
        public var insecure = false
        /// A bearer token for http(s)/dav(s)/root (`Authorization: Bearer`).
        public var bearerToken: String?
        /// An X.509 proxy (certificate and key in one file).
        public var x509Proxy: String?
        /// Seconds one transfer may take (0: gfal's default).
        public var transferTimeout: UInt64 = 3600
        /// Attempts for an operation that failed for a transient reason (timeout, refused, reset, 5xx).
        /// One gfal operation is several requests (a copy: stat, mkdir, PUT, MOVE), so on a flaky
        /// link each attempt fails more often than one request does.
        public var attempts = 8
        /// First backoff in seconds (doubled each retry up to `maxBackoff`, with jitter).
        public var backoff = 0.25
        public var maxBackoff = 5.0
        /// gfal2 contexts used at once (transfers beyond it wait); 1 serialises every operation.
        public var contexts = 4
        /// Print every failed attempt to stderr (gfal's message, with credentials masked).
        public var logFailures = false

        public init() {}

        /// From the environment: BEARER_TOKEN, else the file BEARER_TOKEN_FILE names (WLCG token
        /// discovery); X509_USER_PROXY; FLOW_GFAL_INSECURE=1; FLOW_GFAL_ATTEMPTS; FLOW_GFAL_DEBUG=1.
        public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Options {
            var options = Options()
            if let token = env["BEARER_TOKEN"], !token.isEmpty {
                options.bearerToken = token.trimmingCharacters(in: .whitespacesAndNewlines)
            } else if let file = env["BEARER_TOKEN_FILE"], let bytes = try? LocalFiles.read(file) {
                options.bearerToken = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if let proxy = env["X509_USER_PROXY"], !proxy.isEmpty { options.x509Proxy = proxy }
            options.insecure = env["FLOW_GFAL_INSECURE"] == "1"
            if let attempts = env["FLOW_GFAL_ATTEMPTS"].flatMap(Int.init), attempts > 0 { options.attempts = attempts }
            options.logFailures = env["FLOW_GFAL_DEBUG"] == "1"
            return options
        }
    }

    /// gfal2 contexts, each used by one thread at a time: idle ones wait here, and up to
    /// `options.contexts` exist, so that many transfers (of a job's files) run at once.
    private var idle: [OpaquePointer] = []
    private var made = 0
    private let lock = NSCondition()
    private let options: Options
    /// `scheme://host:port` of servers that keep no checksums (answered ENOSYS/EOPNOTSUPP once).
    private var withoutChecksums = Set<String>()
    /// Transfers whose checksums were compared (tests read it to tell "checked" from "skipped").
    private(set) var checksumsCompared = 0
    /// The algorithm compared after transfers: the one grid storage (dCache, EOS, xrootd) keeps.
    static let checksumAlgorithm = "ADLER32"
    /// For `Last-Modified` of http(s) files on servers that are not WebDAV (see `httpTime`).
    private let http: HTTPClient

    public init(options: Options = .fromEnvironment()) throws {
        self.options = options
        // XrdCl otherwise retries a refused connection for 8 minutes (storage.md §6.3); it reads
        // these when the xrootd plugin first connects. A user's own settings win.
        setenv("XRD_CONNECTIONRETRY", "1", 0)
        setenv("XRD_CONNECTIONWINDOW", "5", 0)
        // The same trust and token as gfal's: X509_CERT_DIR (the CAs it reads) and BEARER_TOKEN.
        let trust = ProcessInfo.processInfo.environment["X509_CERT_DIR"].map(TLSOptions.Trust.caDirectory) ?? .system
        http = try HTTPClient(HTTPClientConfiguration(tls: TLSOptions(trust: trust, insecureSkipVerify: options.insecure),
                                                      auth: options.bearerToken.map { BearerTokenAuth(token: $0) }))
        idle = [try makeContext()]   // the first now, so a broken setup fails here
        made = 1
    }

    /// A context with this adapter's settings.
    private func makeContext() throws -> OpaquePointer {
        var message: UnsafeMutablePointer<CChar>?
        guard let gfal = flow_gfal_new(&message) else {
            throw StorageError.failed(operation: "start", location: "gfal", reason: Self.take(&message))
        }
        func set(_ operation: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) throws {
            var message: UnsafeMutablePointer<CChar>?
            if body(&message) != 0 {
                flow_gfal_free(gfal)
                throw StorageError.failed(operation: operation, location: "gfal", reason: scrub(Self.take(&message), ""))
            }
        }
        // Token discovery from storage elements logs warnings and is not needed for plain transfers.
        try set("configure") { flow_gfal_set_boolean(gfal, "HTTP PLUGIN", "RETRIEVE_BEARER_TOKEN", 0, $0) }
        if options.insecure { try set("configure") { flow_gfal_set_boolean(gfal, "HTTP PLUGIN", "INSECURE", 1, $0) } }
        // As `gfal-* -D` sets them (gfal2's credential map crashes the HTTP plugin on user:password@ URLs).
        var settings: [(String, String, String)] = []
        if let token = options.bearerToken { settings.append(("BEARER", "TOKEN", token)) }
        if let proxy = options.x509Proxy { settings += [("X509", "CERT", proxy), ("X509", "KEY", proxy)] }
        for (group, key, value) in settings {
            try set("set credentials for") { flow_gfal_set_string(gfal, group, key, value, $0) }
        }
        return gfal
    }

    /// Runs `body` with a context of its own, waiting for one when `options.contexts` are busy.
    private func withContext<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        lock.lock()
        while idle.isEmpty && made >= options.contexts { lock.wait() }
        var context = idle.popLast()
        if context == nil { made += 1 }
        lock.unlock()
        if context == nil {
            do { context = try makeContext() } catch {
                lock.withLock { made -= 1; lock.signal() }
                throw error
            }
        }
        defer { lock.withLock { idle.append(context!); lock.signal() } }
        return try body(context!)
    }

    deinit { for context in idle { flow_gfal_free(context) } }

    // MARK: StorageAdapter

    public func stat(_ location: String) throws -> FileStat? {
        try surfaced {
            let location = Self.trimmed(location)
            guard let info = try rawStat(location) else { return nil }
            guard info.isDirectory else { return info }
            // A directory is as fresh as the newest file in it (an empty one: its own time).
            var newest: Double?
            try walk(location) { _, stat in newest = max(newest ?? stat.mtime, stat.mtime) }
            return FileStat(mtime: newest ?? info.mtime, isDirectory: true)
        }
    }

    public func list(under prefix: String) throws -> [String] {
        try surfaced {
            let root = Self.trimmed(prefix)
            guard let info = try rawStat(root), info.isDirectory else { return [] }
            var files: [String] = []
            try walk(root) { url, _ in files.append(url) }
            return files.sorted()
        }
    }

    public func retrieve(_ location: String, to localPath: String) throws {
        try surfaced {
            let location = Self.trimmed(location)
            guard let info = try rawStat(location) else { throw StorageError.notFound(location: location) }
            guard info.isDirectory else { return try download(location, info, to: localPath) }
            // A directory appears whole: fetched into a hidden sibling, then renamed into place.
            let temp = Self.temporaryName(for: localPath)
            do {
                try LocalFiles.makeDirectories(temp)
                try walk(location) { url, stat in try self.download(url, stat, to: temp + String(url.dropFirst(location.count))) }
                try LocalFiles.remove(localPath)
                try Self.rename(temp, localPath)
            } catch {
                try? LocalFiles.remove(temp)
                throw error
            }
        }
    }

    public func store(_ localPath: String, to location: String) throws {
        try surfaced {
            let location = Self.trimmed(location)
            guard let info = PosixStorage.stat(localPath) else { throw StorageError.notFound(location: localPath) }
            guard info.isDirectory else { return try upload(localPath, to: location) }
            // A directory output replaces the whole tree that was there.
            try remove(location)
            try call("create", location) { flow_gfal_mkdir_p($0, location, $1) }
            for file in try PosixStorage().list(under: localPath) {
                try upload(file, to: location + String(file.dropFirst(localPath.count)))
            }
        }
    }

    public func remove(_ location: String) throws {
        try surfaced {
            let location = Self.trimmed(location)
            guard let info = try rawStat(location) else { return }
            if info.isDirectory { return try removeTree(location) }
            try ignoringMissing { try call("remove", location) { flow_gfal_unlink($0, location, $1) } }
        }
    }

    public func touch(_ location: String) throws {
        try surfaced {
            let location = Self.trimmed(location)
            if try rawStat(location) == nil {
                let empty = Self.temporaryName(for: NSTemporaryDirectory() + "flow-gfal-empty")
                defer { try? LocalFiles.remove(empty) }
                try LocalFiles.writeAtomically([], to: empty)
                return try upload(empty, to: location)
            }
            guard StorageURL.scheme(of: location) == "file" else {
                throw StorageError.failed(operation: "touch", location: location,
                                          reason: "gfal cannot set the modification time of an existing remote file; it changes only when the file is written again")
            }
            try LocalFiles.touch(Self.localPath(ofFileURL: location))
        }
    }

    // MARK: Operations

    /// gfal2_stat: nil when nothing is there.
    private func rawStat(_ location: String) throws -> FileStat? {
        var info = flow_gfal_info()
        do {
            try call("stat", location) { flow_gfal_stat($0, location, &info, $1) }
        } catch let failure as GfalFailure where failure.isMissing {
            return nil
        }
        var stat = Self.fileStat(info)
        if stat.mtime == 0, !stat.isDirectory, let time = try httpTime(location) { stat.mtime = time }
        return stat
    }

    /// An http(s) file on a server that is not WebDAV has no time in gfal's stat (it reports
    /// 1970, storage.md §6.3), which would make it look older than everything: its time is the
    /// `Last-Modified` of a HEAD, as Snakemake's http storage plugin reads it. nil when the URL
    /// is not http(s) or the server sends none.
    private func httpTime(_ location: String) throws -> Double? {
        guard let scheme = StorageURL.scheme(of: location), scheme == "http" || scheme == "https" else { return nil }
        do {
            let response = try http.send(HTTPRequest(.head, location))
            guard response.isSuccess, let value = response.header("Last-Modified") else { return nil }
            return HTTPDate.parse(value)?.timeIntervalSince1970
        } catch {
            throw StorageError.failed(operation: "stat", location: location, reason: "\(error)")
        }
    }

    /// Every file under the directory `url`, depth first, with its stat (gfal2_readdirpp gives
    /// both in one listing). Leftover temporary names from interrupted transfers are skipped.
    private func walk(_ url: String, _ visit: (String, FileStat) throws -> Void) throws {
        for (child, stat) in try entries(url) {
            if stat.isDirectory { try walk(child, visit) } else { try visit(child, stat) }
        }
    }

    private func entries(_ url: String) throws -> [(String, FileStat)] {
        var list: UnsafeMutablePointer<flow_gfal_entry>?
        var count = 0
        try call("list", url) { flow_gfal_list($0, url, &list, &count, $1) }
        defer { flow_gfal_free_entries(list, count) }
        return (0..<count).compactMap { i -> (String, FileStat)? in
            let name = String(cString: list![i].name)
            return name.isEmpty || Self.isTemporaryName(name) ? nil : (url + "/" + name, Self.fileStat(list![i].stat))
        }
    }

    private func removeTree(_ url: String) throws {
        for (child, stat) in try entries(url) {
            if stat.isDirectory {
                try removeTree(child)
            } else {
                try ignoringMissing { try call("remove", child) { flow_gfal_unlink($0, child, $1) } }
            }
        }
        try ignoringMissing { try call("remove", url) { flow_gfal_rmdir($0, url, $1) } }
    }

    /// One remote file to a local path: copied to a hidden sibling, checked for size, renamed,
    /// and given the remote time. A transfer cut short is retried as a whole.
    private func download(_ url: String, _ info: FileStat, to localPath: String) throws {
        try LocalFiles.makeParent(localPath)
        try withRetries("download", url) {
            let temp = Self.temporaryName(for: localPath)
            defer { try? LocalFiles.remove(temp) }
            try call("download", url, retrying: false) { flow_gfal_copy($0, url, "file://" + Self.absolute(temp), options.transferTimeout, $1) }
            let size = PosixStorage.stat(temp)?.size ?? -1
            guard size == info.size else {
                throw GfalFailure(code: EIO, message: "got \(size) bytes of \(info.size)", operation: "download", location: url)
            }
            try verify(temp, remote: url, operation: "download", location: url)
            try Self.rename(temp, localPath)
        }
        LocalFiles.setMtime(localPath, seconds: info.mtime)
    }

    /// One local file to a remote URL: parents made, copied to a hidden sibling, renamed over
    /// the target, checked for size. A failed attempt is retried as a whole.
    private func upload(_ localPath: String, to url: String) throws {
        let size = PosixStorage.stat(localPath)?.size ?? -1
        let parent = Self.parent(of: url)
        try call("create", parent) { flow_gfal_mkdir_p($0, parent, $1) }
        try withRetries("upload to", url) {
            let temp = Self.temporaryName(for: url)
            do {
                try call("upload to", url, retrying: false) { flow_gfal_copy($0, "file://" + Self.absolute(localPath), temp, options.transferTimeout, $1) }
                try verify(localPath, remote: temp, operation: "upload to", location: url)
                try renameRemote(temp, url)
            } catch {
                // Retried as any call: under faults a cleanup that fails once would leave the part behind.
                try? call("clean up", temp) { flow_gfal_unlink($0, temp, $1) }
                throw error
            }
            guard let stored = try rawStat(url), stored.size == size else {
                throw GfalFailure(code: EIO, message: "the stored file does not have the local file's \(size) bytes", operation: "upload to", location: url)
            }
        }
    }

    // MARK: Checksums

    /// Compares the checksum of the local file with that of the remote one (a transfer's two
    /// sides, the remote still under its temporary name). Nothing to compare when the remote
    /// server keeps no checksums. A mismatch is a transient failure (bytes damaged in flight):
    /// the transfer is retried whole, and in the end reported naming `location`.
    func verify(_ localPath: String, remote: String, operation: String, location: String) throws {
        guard let theirs = try checksum(remote), let ours = try checksum("file://" + Self.absolute(localPath)) else { return }
        lock.withLock { checksumsCompared += 1 }
        guard ours == theirs else {
            throw GfalFailure(code: EIO, message: "checksum mismatch (\(Self.checksumAlgorithm) \(theirs) remote, \(ours) local)",
                              operation: operation, location: location)
        }
    }

    /// The remote's checksum, or nil when its server keeps none (remembered per server).
    private func checksum(_ url: String) throws -> String? {
        let server = Self.server(of: url)
        if lock.withLock({ withoutChecksums.contains(server) }) { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        do {
            try call("checksum", url) { flow_gfal_checksum($0, url, Self.checksumAlgorithm, &buffer, buffer.count, $1) }
        } catch let failure as GfalFailure where [ENOSYS, EOPNOTSUPP, ENOTSUP, EPROTONOSUPPORT].contains(failure.code) {
            lock.withLock { _ = withoutChecksums.insert(server) }
            return nil
        }
        // gfal's HTTP plugin answers 00000000 when the server sent no digest (wsgidav); no data
        // has that ADLER32 (even none has 00000001), so it means "none kept".
        let value = String(cString: buffer).lowercased()
        guard !value.isEmpty, value.contains(where: { $0 != "0" }) else {
            lock.withLock { _ = withoutChecksums.insert(server) }
            return nil
        }
        return value
    }

    /// `scheme://host:port` of a URL (`file://` for local files).
    static func server(of url: String) -> String {
        guard let scheme = StorageURL.scheme(of: url) else { return url }
        let rest = url.dropFirst(scheme.count + 3)
        return scheme + "://" + rest.prefix { $0 != "/" }
    }

    /// A remote rename over `to`: where the protocol will not replace, the old file goes first.
    private func renameRemote(_ from: String, _ to: String) throws {
        do {
            try call("upload to", to, retrying: false) { flow_gfal_rename($0, from, to, $1) }
        } catch let failure as GfalFailure where failure.code == EEXIST || failure.code == ENOTEMPTY || failure.code == EISDIR {
            try remove(to)
            try call("upload to", to, retrying: false) { flow_gfal_rename($0, from, to, $1) }
        }
    }

    // MARK: Errors and retries

    /// A failed gfal call: its errno-like code and message.
    struct GfalFailure: Error, CustomStringConvertible {
        var code: Int32
        var message: String
        var operation: String
        var location: String

        var isMissing: Bool { code == ENOENT || code == ENOTDIR }
        /// Worth another attempt: timeouts, refused or reset connections, server errors (gfal's
        /// HTTP plugin reports 5xx as EIO, a reset connection as EHOSTDOWN). EHOSTDOWN also means a
        /// failed TLS verification or name lookup, which no retry mends.
        var isTransient: Bool {
            // A failed copy reports the last HTTP answer in its text under a code of its own.
            let signs = ["HTTP 500", "HTTP 502", "HTTP 503", "HTTP 504", "Connection reset", "read status line", "timed out"]
            if signs.contains(where: message.contains) { return true }
            if code == EHOSTDOWN {
                let lower = message.lowercased()
                return !["certificate", "issuer", "ssl", "tls", "resolution"].contains { lower.contains($0) }
            }
            return [ETIMEDOUT, ECONNREFUSED, ECONNRESET, ECONNABORTED, ECOMM, EAGAIN, EIO, EPIPE, ENETUNREACH].contains(code)
        }
        var description: String { "\(storageError)" }
        var storageError: StorageError { .failed(operation: operation, location: location, reason: message) }
    }

    /// Runs one call of the shim (under the lock, with retries); it returns 0 or an error code with a message.
    private func call(_ operation: String, _ location: String, retrying: Bool = true,
                      _ body: (OpaquePointer, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) throws {
        func once() throws {
            var message: UnsafeMutablePointer<CChar>?
            let code = try withContext { body($0, &message) }
            if code != 0 {
                throw GfalFailure(code: code, message: scrub(Self.take(&message), location), operation: operation, location: location)
            }
        }
        if retrying { try withRetries(operation, location, once) } else { try once() }
    }

    private func withRetries<T>(_ operation: String, _ location: String, _ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do { return try body() } catch let failure as GfalFailure {
                if options.logFailures {
                    FileHandle.standardError.write(Data("gfal: \(operation) \(StorageURL.safe(location)), attempt \(attempt), code \(failure.code): \(failure.message)\n".utf8))
                }
                guard failure.isTransient, attempt < options.attempts else {
                    if failure.isMissing { throw failure }
                    var error = failure
                    if attempt > 1 { error.message += " (after \(attempt) attempts)" }
                    throw error
                }
                let delay = min(options.maxBackoff, options.backoff * pow(2, Double(attempt - 1)))
                usleep(UInt32(delay * (0.5 + Double.random(in: 0..<0.5)) * 1e6))
                attempt += 1
            }
        }
    }

    /// gfal's message with the raw URL (which may carry user:password@ or a query) printed safely
    /// and any credential value masked.
    private func scrub(_ message: String, _ location: String) -> String {
        var text = message
        if !location.isEmpty { text = text.replacingOccurrences(of: location, with: StorageURL.safe(location)) }
        for secret in [options.bearerToken].compactMap({ $0 }) where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }

    private static func take(_ message: inout UnsafeMutablePointer<CChar>?) -> String {
        defer { flow_gfal_free_string(message); message = nil }
        return message.map { String(cString: $0) } ?? "unknown gfal error"
    }

    /// gfal's failures as StorageErrors, for callers outside this file.
    private func surfaced<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as GfalFailure { throw failure.storageError }
    }

    private func ignoringMissing(_ body: () throws -> Void) throws {
        do { try body() } catch let failure as GfalFailure where failure.isMissing {}
    }

    // MARK: Names

    static func fileStat(_ info: flow_gfal_info) -> FileStat {
        FileStat(mtime: Double(info.mtime_sec) + Double(info.mtime_nsec) / 1e9, isDirectory: info.is_directory != 0,
                 size: info.is_directory != 0 ? 0 : info.size)
    }

    /// `url` without trailing slashes (but never shorter than `scheme:///`).
    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") && !url.hasSuffix("://") && !url.hasSuffix(":///") { url.removeLast() }
        return url
    }

    static func parent(of url: String) -> String {
        guard let slash = url.lastIndex(of: "/") else { return url }
        return String(url[..<slash])
    }

    /// A hidden name beside `path` (a local path or a URL) for a transfer in progress.
    static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return dir + "." + name + ".flow-part-" + String(UUID().uuidString.prefix(8))
    }

    static func isTemporaryName(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".flow-part-") }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// `file:///a/b` (or `file://localhost/a/b`) -> `/a/b`.
    static func localPath(ofFileURL url: String) -> String {
        var rest = String(url.dropFirst("file://".count))
        if !rest.hasPrefix("/"), let slash = rest.firstIndex(of: "/") { rest = String(rest[slash...]) }
        return rest.removingPercentEncoding ?? rest
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw StorageError.failed(operation: "rename", location: from, reason: String(cString: strerror(errno)))
        }
    }
}
