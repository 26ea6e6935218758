// FlowStorage: the few facts about storage locations every part needs: is it a URL, its scheme,
// where its local copy goes, and how to print it without secrets.

public enum StorageURL {
    /// The scheme of `location` ("gs" for `gs://b/k`), or nil for a plain path. A scheme is
    /// letters, digits, '+', '-', '.', starting with a letter, followed by "://".
    public static func scheme(of location: String) -> String? {
        let bytes = location.utf8
        guard let first = bytes.first, isLetter(first) else { return nil }
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: ":") {
                let rest = bytes[i...]
                guard rest.starts(with: "://".utf8) else { return nil }
                return String(location[..<i]).lowercased()
            }
            guard isLetter(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                    || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") else { return nil }
            i = bytes.index(after: i)
        }
        return nil
    }

    public static func isRemote(_ location: String) -> Bool { scheme(of: location) != nil }

    /// Local copies' folder unless `--local-storage-prefix` names another (Snakemake: .snakemake/storage).
    public static let defaultLocalPrefix = ".flow/storage"

    /// Where the local copy of a remote object lives, relative to the working directory:
    /// `<prefix>/<scheme>/<host and path>` (`gs://bkt/a/b.txt` -> `.flow/storage/gs/bkt/a/b.txt`),
    /// userinfo and query left out. Plain paths are their own local copy.
    public static func localCopy(of location: String, prefix: String = defaultLocalPrefix) -> String {
        guard let scheme = scheme(of: location) else { return location }
        var rest = String(location.dropFirst(scheme.count + 3))
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = String(rest[..<q]) }
        if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") { rest = String(rest[rest.index(after: at)...]) }
        let parts = rest.split(separator: "/").filter { $0 != "." && $0 != ".." }
        return prefix + "/" + scheme + "/" + parts.joined(separator: "/")
    }

    /// `location` safe to print: userinfo (user:password@) and query strings (signed URLs,
    /// tokens) are masked.
    public static func safe(_ location: String) -> String {
        guard let scheme = scheme(of: location) else { return location }
        var rest = Substring(location.dropFirst(scheme.count + 3))
        var suffix = ""
        if let q = rest.firstIndex(of: "?") {
            suffix = "?***"
            rest = rest[..<q]
        }
        if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") {
            rest = "***@" + rest[rest.index(after: at)...]
        }
        return scheme + "://" + rest + suffix
    }

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }
}
