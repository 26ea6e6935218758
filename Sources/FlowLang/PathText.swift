// Path string operations that never trap (Foundation's NSString path methods crash on some
// inputs on Linux, e.g. an empty string), with os.path semantics.

public enum PathText {
    /// os.path.dirname: everything before the last "/" ("" when there is none; "/" for "/x").
    public static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        let head = path[..<slash]
        if head.isEmpty { return "/" }
        // Strip trailing slashes of the head ("a//b" -> "a"), keeping a lone root.
        let trimmed = head.reversed().drop(while: { $0 == "/" })
        return trimmed.isEmpty ? "/" : String(trimmed.reversed())
    }

    /// os.path.basename: everything after the last "/".
    public static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
