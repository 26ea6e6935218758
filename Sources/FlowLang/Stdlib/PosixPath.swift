// Pure POSIX path algebra (join, split, normpath, relpath, ...) with CPython's posixpath results,
// plus the few file-system queries built on stat(2). Shared by os.path, pathlib, glob and shutil;
// it knows nothing about Values.

import Foundation

enum PosixPath {
    static func join(_ base: String, _ parts: [String]) -> String {
        var path = base
        for p in parts {
            if p.hasPrefix("/") { path = p }
            else if path.isEmpty || path.hasSuffix("/") { path += p }
            else { path += "/" + p }
        }
        return path
    }

    /// (head, tail) like `os.path.split`.
    static func split(_ p: String) -> (String, String) {
        guard let slash = p.lastIndex(of: "/") else { return ("", p) }
        let tail = String(p[p.index(after: slash)...])
        var head = String(p[...slash])
        if !head.allSatisfy({ $0 == "/" }) {
            while head.hasSuffix("/") { head.removeLast() }
        }
        return (head, tail)
    }

    static func basename(_ p: String) -> String { split(p).1 }

    static func dirname(_ p: String) -> String { split(p).0 }

    /// (root, ext): the extension starts at the last dot of the last component, unless the
    /// component is all leading dots.
    static func splitext(_ p: String) -> (String, String) {
        let slash = p.lastIndex(of: "/").map { p.index(after: $0) } ?? p.startIndex
        guard let dot = p[slash...].lastIndex(of: ".") else { return (p, "") }
        // Leading dots of the file name do not start an extension (".bashrc", "..x").
        var firstNonDot = slash
        while firstNonDot < p.endIndex, p[firstNonDot] == "." { firstNonDot = p.index(after: firstNonDot) }
        if dot < firstNonDot { return (p, "") }
        return (String(p[..<dot]), String(p[dot...]))
    }

    static func isabs(_ p: String) -> Bool { p.hasPrefix("/") }

    static func normpath(_ p: String) -> String {
        if p.isEmpty { return "." }
        let initialSlashes = p.hasPrefix("//") && !p.hasPrefix("///") ? 2 : (p.hasPrefix("/") ? 1 : 0)
        var comps: [Substring] = []
        for comp in p.split(separator: "/", omittingEmptySubsequences: true) {
            if comp == "." { continue }
            if comp == ".." {
                if initialSlashes == 0 && (comps.isEmpty || comps.last == "..") { comps.append(comp) }
                else if !comps.isEmpty { comps.removeLast() }
                continue
            }
            comps.append(comp)
        }
        let joined = String(repeating: "/", count: initialSlashes) + comps.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    static func cwd() -> String { FileManager.default.currentDirectoryPath }

    static func abspath(_ p: String) -> String {
        normpath(isabs(p) ? p : join(cwd(), [p]))
    }

    static func relpath(_ p: String, start: String = ".") throws -> String {
        if p.isEmpty { throw PyError.value("no path specified") }
        let target = abspath(p).split(separator: "/")
        let base = abspath(start).split(separator: "/")
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let parts = Array(repeating: "..", count: base.count - common) + target[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// Resolves symlinks component by component; missing tails are kept (like os.path.realpath).
    static func realpath(_ p: String) -> String {
        var resolved = ""
        var pending = abspath(p).split(separator: "/").map(String.init)
        var hops = 0
        while !pending.isEmpty {
            let comp = pending.removeFirst()
            if comp == "." || comp.isEmpty { continue }
            if comp == ".." { resolved = dirname(resolved.isEmpty ? "/" : resolved); if resolved == "/" { resolved = "" }; continue }
            let candidate = resolved + "/" + comp
            if let target = readlink(candidate), hops < 40 {
                hops += 1
                if target.hasPrefix("/") { resolved = "" }
                pending = target.split(separator: "/").map(String.init) + pending
            } else {
                resolved = candidate
            }
        }
        return resolved.isEmpty ? "/" : resolved
    }

    static func readlink(_ p: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = Foundation.readlink(p, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func expanduser(_ p: String) -> String {
        guard p.hasPrefix("~") else { return p }
        let slash = p.firstIndex(of: "/") ?? p.endIndex
        let user = String(p[p.index(after: p.startIndex)..<slash])
        var home: String
        if user.isEmpty {
            home = ProcessInfo.processInfo.environment["HOME"] ?? homeOf(user: nil) ?? p
        } else {
            guard let h = homeOf(user: user) else { return p }
            home = h
        }
        if home != "/" { while home.hasSuffix("/") { home.removeLast() } }
        let rest = String(p[slash...])
        return (home == "/" && rest.hasPrefix("/")) ? rest : home + rest
    }

    private static func homeOf(user: String?) -> String? {
        let pw = user.map { getpwnam($0) } ?? getpwuid(getuid())
        guard let pw, let dir = pw.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    /// `$name` and `${name}`; unknown variables are left as written.
    static func expandvars(_ p: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard p.contains("$") else { return p }
        let chars = Array(p)
        var out = ""
        var i = 0
        func isNameChar(_ c: Character) -> Bool { c == "_" || (c.isASCII && (c.isLetter || c.isNumber)) }
        while i < chars.count {
            guard chars[i] == "$", i + 1 < chars.count else { out.append(chars[i]); i += 1; continue }
            if chars[i + 1] == "{" {
                if let close = chars[(i + 2)...].firstIndex(of: "}") {
                    let name = String(chars[(i + 2)..<close])
                    if let v = environment[name] { out += v } else { out += String(chars[i...close]) }
                    i = close + 1
                    continue
                }
                out.append(chars[i]); i += 1; continue
            }
            var j = i + 1
            while j < chars.count, isNameChar(chars[j]) { j += 1 }
            if j == i + 1 { out.append(chars[i]); i += 1; continue }
            let name = String(chars[(i + 1)..<j])
            if let v = environment[name] { out += v } else { out += String(chars[i..<j]) }
            i = j
        }
        return out
    }

    static func commonprefix(_ items: [String]) -> String {
        guard var prefix = items.min(), let largest = items.max() else { return "" }
        let a = Array(prefix), b = Array(largest)
        var n = 0
        while n < min(a.count, b.count), a[n] == b[n] { n += 1 }
        prefix = String(a[0..<n])
        return prefix
    }

    static func commonpath(_ items: [String]) throws -> String {
        guard !items.isEmpty else { throw PyError.value("commonpath() arg is an empty sequence") }
        let absolute = items.map(isabs)
        if Set(absolute).count > 1 { throw PyError.value("Can't mix absolute and relative paths") }
        let split = items.map { $0.split(separator: "/").filter { $0 != "." } }
        var common = split[0]
        for s in split.dropFirst() {
            var n = 0
            while n < min(common.count, s.count), common[n] == s[n] { n += 1 }
            common = Array(common[0..<n])
        }
        return (absolute[0] ? "/" : "") + common.joined(separator: "/")
    }

    // MARK: File-system queries

    static func fileStatus(_ p: String, follow: Bool = true) -> Foundation.stat? {
        var st = Foundation.stat()
        let r = follow ? stat(p, &st) : lstat(p, &st)
        return r == 0 ? st : nil
    }

    static func exists(_ p: String) -> Bool { fileStatus(p) != nil }
    static func lexists(_ p: String) -> Bool { fileStatus(p, follow: false) != nil }
    static func isdir(_ p: String) -> Bool { fileStatus(p).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false }
    static func isfile(_ p: String) -> Bool { fileStatus(p).map { ($0.st_mode & S_IFMT) == S_IFREG } ?? false }
    static func islink(_ p: String) -> Bool { fileStatus(p, follow: false).map { ($0.st_mode & S_IFMT) == S_IFLNK } ?? false }

    /// stat(2) or the Python OSError for it.
    static func statOrThrow(_ p: String, follow: Bool = true) throws -> Foundation.stat {
        var st = Foundation.stat()
        let r = follow ? stat(p, &st) : lstat(p, &st)
        if r != 0 { throw osError(errno, p) }
        return st
    }

    /// Entries of a directory (without . and ..), in the order readdir returns them.
    static func listdir(_ p: String) throws -> [String] {
        guard let dir = opendir(p.isEmpty ? "." : p) else { throw osError(errno, p) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

extension Foundation.stat {
    var mtime: Double { Double(st_mtim.tv_sec) + Double(st_mtim.tv_nsec) / 1e9 }
    var atime: Double { Double(st_atim.tv_sec) + Double(st_atim.tv_nsec) / 1e9 }
    var ctime: Double { Double(st_ctim.tv_sec) + Double(st_ctim.tv_nsec) / 1e9 }
}

// MARK: Whole-file I/O with Python errors

extension PosixPath {
    static func readText(_ p: String) throws -> String {
        let fd = open(p, O_RDONLY)
        guard fd >= 0 else { throw osError(errno, p) }
        defer { close(fd) }
        if isdir(p) { throw osError(EISDIR, p) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 { throw osError(errno, p) }
            if n == 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func writeText(_ p: String, _ text: String, append: Bool = false) throws {
        let fd = open(p, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o666)
        guard fd >= 0 else { throw osError(errno, p) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw osError(errno, p) }
            written += n
        }
    }
}
