// FlowStorage, gfal: grid and WebDAV storage (`davs:// dav:// https:// http:// root:// xroot://
// srm:// gsiftp:// file://`) through libgfal2's C API (storage.md §5, §6.3-6.7), one provider for
// all of them as Snakemake's gfal provider. One gfal2 context per adapter, used by one thread at a
// time. Times are what gfal reports (whole seconds on dav and root); a directory's time is the
// newest of the files under it, as for gs:// prefixes. Transfers go to a hidden temporary name
// next to the target and are renamed on success, so a partial file is never taken for a whole
// one, on either side. Credentials are gfal's: X509_USER_PROXY and BEARER_TOKEN (or
// BEARER_TOKEN_FILE) become the context's X509:CERT/KEY and BEARER:TOKEN settings and are never
// printed. gfal reads X509_CERT_DIR (the CAs) when the adapter is made.

import CGfalShim
import Foundation
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

    private let gfal: OpaquePointer
    private let lock = NSLock()
    private let options: Options

    public init(options: Options = .fromEnvironment()) throws {
        self.options = options
        // XrdCl otherwise retries a refused connection for 8 minutes (storage.md §6.3); it reads
        // these when the xrootd plugin first connects. A user's own settings win.
        setenv("XRD_CONNECTIONRETRY", "1", 0)
        setenv("XRD_CONNECTIONWINDOW", "5", 0)
        var message: UnsafeMutablePointer<CChar>?
        guard let gfal = flow_gfal_new(&message) else {
            throw StorageError.failed(operation: "start", location: "gfal", reason: Self.take(&message))
        }
        self.gfal = gfal
        // Token discovery from storage elements logs warnings and is not needed for plain transfers.
        try call("configure", "gfal") { flow_gfal_set_boolean(gfal, "HTTP PLUGIN", "RETRIEVE_BEARER_TOKEN", 0, $0) }
        if options.insecure { try call("configure", "gfal") { flow_gfal_set_boolean(gfal, "HTTP PLUGIN", "INSECURE", 1, $0) } }
        // As `gfal-* -D` sets them (gfal2's credential map crashes the HTTP plugin on user:password@ URLs).
        var settings: [(String, String, String)] = []
        if let token = options.bearerToken { settings.append(("BEARER", "TOKEN", token)) }
        if let proxy = options.x509Proxy { settings += [("X509", "CERT", proxy), ("X509", "KEY", proxy)] }
        for (group, key, value) in settings {
            try call("set credentials for", "gfal") { flow_gfal_set_string(gfal, group, key, value, $0) }
        }
    }

    deinit { flow_gfal_free(gfal) }

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
            try call("create", location) { flow_gfal_mkdir_p(gfal, location, $0) }
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
            try ignoringMissing { try call("remove", location) { flow_gfal_unlink(gfal, location, $0) } }
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
            try call("stat", location) { flow_gfal_stat(gfal, location, &info, $0) }
        } catch let failure as GfalFailure where failure.isMissing {
            return nil
        }
        return Self.fileStat(info)
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
        try call("list", url) { flow_gfal_list(gfal, url, &list, &count, $0) }
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
                try ignoringMissing { try call("remove", child) { flow_gfal_unlink(gfal, child, $0) } }
            }
        }
        try ignoringMissing { try call("remove", url) { flow_gfal_rmdir(gfal, url, $0) } }
    }

    /// One remote file to a local path: copied to a hidden sibling, checked for size, renamed,
    /// and given the remote time. A transfer cut short is retried as a whole.
    private func download(_ url: String, _ info: FileStat, to localPath: String) throws {
        try LocalFiles.makeParent(localPath)
        try withRetries("download", url) {
            let temp = Self.temporaryName(for: localPath)
            defer { try? LocalFiles.remove(temp) }
            try call("download", url, retrying: false) { flow_gfal_copy(gfal, url, "file://" + Self.absolute(temp), options.transferTimeout, $0) }
            let size = PosixStorage.stat(temp)?.size ?? -1
            guard size == info.size else {
                throw GfalFailure(code: EIO, message: "got \(size) bytes of \(info.size)", operation: "download", location: url)
            }
            try Self.rename(temp, localPath)
        }
        LocalFiles.setMtime(localPath, seconds: info.mtime)
    }

    /// One local file to a remote URL: parents made, copied to a hidden sibling, renamed over
    /// the target, checked for size. A failed attempt is retried as a whole.
    private func upload(_ localPath: String, to url: String) throws {
        let size = PosixStorage.stat(localPath)?.size ?? -1
        let parent = Self.parent(of: url)
        try call("create", parent) { flow_gfal_mkdir_p(gfal, parent, $0) }
        try withRetries("upload to", url) {
            let temp = Self.temporaryName(for: url)
            do {
                try call("upload to", url, retrying: false) { flow_gfal_copy(gfal, "file://" + Self.absolute(localPath), temp, options.transferTimeout, $0) }
                try renameRemote(temp, url)
            } catch {
                try? call("clean up", temp, retrying: false) { flow_gfal_unlink(gfal, temp, $0) }
                throw error
            }
            guard let stored = try rawStat(url), stored.size == size else {
                throw GfalFailure(code: EIO, message: "the stored file does not have the local file's \(size) bytes", operation: "upload to", location: url)
            }
        }
    }

    /// A remote rename over `to`: where the protocol will not replace, the old file goes first.
    private func renameRemote(_ from: String, _ to: String) throws {
        do {
            try call("upload to", to, retrying: false) { flow_gfal_rename(gfal, from, to, $0) }
        } catch let failure as GfalFailure where failure.code == EEXIST || failure.code == ENOTEMPTY || failure.code == EISDIR {
            try remove(to)
            try call("upload to", to, retrying: false) { flow_gfal_rename(gfal, from, to, $0) }
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
                      _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) throws {
        func once() throws {
            lock.lock()
            var message: UnsafeMutablePointer<CChar>?
            let code = body(&message)
            lock.unlock()
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
