// Snakemake's `wrapper: "v1.2.3/bio/tool"`: the script `<prefix><spec>/wrapper.py` (or .R, .Rmd,
// .jl), fetched once and cached under `.flow/wrappers/`, then run like `script:`. The prefix is
// `--wrapper-prefix` (Snakemake's default: the snakemake-wrappers repository on GitHub), read
// through the run's storage (https://) or from a folder (`file://` or a plain path), or a
// `git+file://` checkout read at the spec's first component as a git ref, as Snakemake does.
// A spec that is itself a URL is taken as it is. Modules with `meta_wrapper:` take their Snakefile
// from the same place (`meta_wrapper.smk`, or the older `test/Snakefile`).

import Foundation
import FlowStorage
import FlowSystem

public final class WrapperSource {
    static let defaultPrefix = "https://github.com/snakemake/snakemake-wrappers/raw/"
    static let extensions = [".py", ".R", ".Rmd", ".jl"]
    let prefix: String
    let cacheDirectory: String
    let storage: Storage
    /// Specs fetched in this run (an unversioned ref such as master/ is fetched once per run).
    private var fetched: [String: String] = [:]
    private let lock = NSLock()

    public init(prefix: String?, cacheDirectory: String, storage: Storage) {
        self.prefix = prefix ?? Self.defaultPrefix
        self.cacheDirectory = cacheDirectory
        self.storage = storage
    }

    /// The local path of the wrapper's script.
    public func script(for spec: String) throws -> String {
        let names = Self.extensions.contains(where: { spec.hasSuffix("wrapper" + $0) }) ? [""] : Self.extensions.map { "/wrapper" + $0 }
        return try file(spec, names: names, what: "wrapper script")
    }

    /// The local path of the first of `names` (each appended to the spec's location) that exists.
    public func file(_ spec: String, names: [String], what: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let key = spec + "\u{0}" + names.joined(separator: "\u{0}")
        if let path = fetched[key] { return path }
        let path = try fetch(spec, names: names, what: what)
        fetched[key] = path
        return path
    }

    private func fetch(_ spec: String, names: [String], what: String) throws -> String {
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
        let cacheKey = Self.digest(prefix + "\u{0}" + spec)
        let cached = cacheDirectory + "/" + cacheKey
        let versioned = spec.range(of: #"^v?[0-9]+\.[0-9]+\.[0-9]+/"#, options: .regularExpression) != nil
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
        throw WrapperError("wrapper \(spec): no \(what) found (prefix \(prefix)):\n  " + errors.joined(separator: "\n  "))
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
        guard FileManager.default.fileExists(atPath: path) else { throw WrapperError("no such file") }
        return try LocalFiles.read(path)
    }

    /// `git+file:///checkout/path/to/wrapper.py@ref`: the file at `ref` in the checkout's repository
    /// (or in a bare repository: `git+file:///mirror.git/path/to/wrapper.py@ref`).
    private func readGit(_ source: String) throws -> [UInt8] {
        let stripped = "/" + source.dropFirst("git+file:".count).drop { $0 == "/" }
        guard let at = stripped.lastIndex(of: "@") else { throw WrapperError("a git+file wrapper needs @ref") }
        let file = String(stripped[..<at]), ref = String(stripped[stripped.index(after: at)...])
        var existing = (file as NSString).deletingLastPathComponent
        while !existing.isEmpty, existing != "/", !FileManager.default.fileExists(atPath: existing) {
            existing = (existing as NSString).deletingLastPathComponent
        }
        // A checkout's top folder, or a bare repository itself (a fetched mirror).
        let isBare = (try? git(["-C", existing, "rev-parse", "--is-bare-repository"]))?.hasPrefix("true") ?? false
        let root = try git(["-C", existing, "rev-parse", isBare ? "--absolute-git-dir" : "--show-toplevel"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let resolvedRoot = (root as NSString).resolvingSymlinksInPath
        let resolvedFile = ((existing as NSString).resolvingSymlinksInPath as NSString)
            .appendingPathComponent(String(file.dropFirst(existing.count).drop { $0 == "/" }))
        guard resolvedFile.hasPrefix(resolvedRoot + "/") else { throw WrapperError("\(file) is not inside \(root)") }
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
            throw WrapperError("git \(arguments.joined(separator: " ")): " + String(decoding: message, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// 64-bit FNV-1a as hex: a stable folder name per prefix and spec.
    private static func digest(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}

public struct WrapperError: Error, CustomStringConvertible {
    public let description: String
    init(_ message: String) { description = message }
}
