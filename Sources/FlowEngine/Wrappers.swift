// Snakemake's `wrapper: "v1.2.3/bio/tool"`: the script `<prefix><spec>/wrapper.py` (or .R, .Rmd,
// .jl), fetched once and cached under `.flow/wrappers/`, then run like `script:`. The prefix is
// `--wrapper-prefix` (Snakemake's default: the snakemake-wrappers repository on GitHub), read
// through the run's storage (https://) or from a folder (`file://` or a plain path), or a
// `git+file://` checkout read at the spec's first component as a git ref, as Snakemake does.
// A spec that is itself a URL is taken as it is.

import Foundation
import FlowDAG
import FlowStorage
import FlowSystem

final class WrapperSource {
    static let defaultPrefix = "https://github.com/snakemake/snakemake-wrappers/raw/"
    static let extensions = [".py", ".R", ".Rmd", ".jl"]
    let prefix: String
    let cacheDirectory: String
    let storage: Storage
    /// Specs fetched in this run (an unversioned ref such as master/ is fetched once per run).
    private var fetched: [String: String] = [:]
    private let lock = NSLock()

    init(prefix: String?, cacheDirectory: String, storage: Storage) {
        self.prefix = prefix ?? Self.defaultPrefix
        self.cacheDirectory = cacheDirectory
        self.storage = storage
    }

    /// The local path of the wrapper's script.
    func script(for spec: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let path = fetched[spec] { return path }
        let path = try fetch(spec)
        fetched[spec] = path
        return path
    }

    private func fetch(_ spec: String) throws -> String {
        let isURL = ["http", "file:", "git+file"].contains { spec.hasPrefix($0) }
        var location = spec
        if !isURL {
            if prefix.hasPrefix("git+file") {
                // Snakemake: "v1.0/bio/x" under git+file:///repo is /repo/bio/x at ref v1.0.
                let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
                location = prefix + "/" + parts.dropFirst().joined(separator: "/") + "@" + parts[0]
            } else {
                location = prefix + spec
            }
        }
        let cacheKey = stableHash(prefix + "\u{0}" + spec)
        let cached = cacheDirectory + "/" + cacheKey
        let versioned = spec.range(of: #"^v?[0-9]+\.[0-9]+\.[0-9]+/"#, options: .regularExpression) != nil
        let names = Self.extensions.contains(where: { spec.hasSuffix("wrapper" + $0) }) ? [""] : Self.extensions.map { "/wrapper" + $0 }
        // A git+file location keeps its @ref last: .../bio/x/wrapper.py@v1.0.
        var base = location, ref = ""
        if location.hasPrefix("git+file"), let at = location.lastIndex(of: "@") {
            base = String(location[..<at])
            ref = String(location[at...])
        }
        if versioned {
            for name in names {
                let path = cached + "/" + ((base + name) as NSString).lastPathComponent
                if FileManager.default.fileExists(atPath: path) { return path }
            }
        }
        var errors: [String] = []
        for name in names {
            let source = base + name + ref
            let target = cached + "/" + ((base + name) as NSString).lastPathComponent
            do {
                let data = try read(source)
                try LocalFiles.makeDirectories(cached)
                try LocalFiles.writeAtomically(data, to: target)
                return target
            } catch {
                errors.append("\(source): \(error)")
            }
        }
        throw EngineError("wrapper \(spec): no wrapper script found (prefix \(prefix)):\n  " + errors.joined(separator: "\n  "))
    }

    private func read(_ source: String) throws -> [UInt8] {
        if source.hasPrefix("git+file") { return try readGit(source) }
        var path = source
        if path.hasPrefix("file://") { path = String(path.dropFirst("file://".count)) }
        if path.contains("://") {
            let temporary = cacheDirectory + "/.download-" + UUID().uuidString
            try LocalFiles.makeDirectories(cacheDirectory)
            defer { try? LocalFiles.remove(temporary) }
            try storage.retrieve(source, to: temporary)
            return try LocalFiles.read(temporary)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw EngineError("no such file") }
        return try LocalFiles.read(path)
    }

    /// `git+file:///checkout/path/to/wrapper.py@ref`: the file at `ref` in the checkout's repository.
    private func readGit(_ source: String) throws -> [UInt8] {
        let stripped = "/" + source.dropFirst("git+file:".count).drop { $0 == "/" }
        guard let at = stripped.lastIndex(of: "@") else { throw EngineError("a git+file wrapper needs @ref") }
        let file = String(stripped[..<at]), ref = String(stripped[stripped.index(after: at)...])
        var existing = (file as NSString).deletingLastPathComponent
        while !existing.isEmpty, existing != "/", !FileManager.default.fileExists(atPath: existing) {
            existing = (existing as NSString).deletingLastPathComponent
        }
        let root = try git(["-C", existing, "rev-parse", "--show-toplevel"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let resolvedRoot = (root as NSString).resolvingSymlinksInPath
        let resolvedFile = ((existing as NSString).resolvingSymlinksInPath as NSString)
            .appendingPathComponent(String(file.dropFirst(existing.count).drop { $0 == "/" }))
        guard resolvedFile.hasPrefix(resolvedRoot + "/") else { throw EngineError("\(file) is not inside \(root)") }
        let inner = String(resolvedFile.dropFirst(resolvedRoot.count + 1))
        return Array(try git(["-C", root, "show", "\(ref):\(inner)"]).utf8)
    }

    private func git(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EngineError("git \(arguments.joined(separator: " ")): " + String(decoding: message, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
