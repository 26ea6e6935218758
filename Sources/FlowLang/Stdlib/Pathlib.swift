// `pathlib`: Path/PurePath/PosixPath objects. A path is str-like (str(p), f-strings and Snakemake
// inputs see the path text), path-like (os.fspath), hashable by its text and supports `/` on both
// sides. Lexical parts (name, suffix, parent, ...) are computed from the normalised text; file
// system methods go through PosixPath and Globber.

import Foundation
import FlowSyntax

final class PathObject: PyStringLike, PyPathLike, PyHashable, PyOperable {
    let path: String
    let typeName: String

    init(_ raw: String, typeName: String = "PosixPath") {
        self.path = PathObject.normalise(raw)
        self.typeName = typeName
    }

    /// pathlib's normal form: repeated and trailing slashes and "." components removed ("" -> ".").
    static func normalise(_ raw: String) -> String {
        if raw.isEmpty { return "." }
        let absolute = raw.hasPrefix("/")
        let leading = raw.hasPrefix("//") && !raw.hasPrefix("///") ? "//" : (absolute ? "/" : "")
        let parts = raw.split(separator: "/").filter { $0 != "." }
        let joined = leading + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    var stringValue: String { path }
    var fspath: String { path }
    var pyHash: Int { path.hashValue }
    func pyEquals(_ other: PyHashable) -> Bool { (other as? PathObject)?.path == path }

    func repr(interpreter: Interpreter) throws -> String { "\(typeName)(\(pyStringRepr(path)))" }

    func make(_ p: String) -> Value { .object(PathObject(p, typeName: typeName)) }

    var parts: [String] {
        var out: [String] = path.hasPrefix("/") ? ["/"] : []
        out += path.split(separator: "/").map(String.init)
        return path == "." ? [] : out
    }

    var name: String { path == "." || path == "/" ? "" : PosixPath.basename(path) }

    var suffixes: [String] {
        let n = name
        if n.hasSuffix(".") { return [] }
        let pieces = n.drop(while: { $0 == "." }).split(separator: ".", omittingEmptySubsequences: false)
        return pieces.dropFirst().map { "." + $0 }
    }

    var suffix: String {
        let n = name
        guard let dot = n.lastIndex(of: "."), dot != n.startIndex, n.index(after: dot) != n.endIndex else { return "" }
        return String(n[dot...])
    }

    var stem: String { let n = name; return suffix.isEmpty ? n : String(n.dropLast(suffix.count)) }

    var parent: String {
        if path == "/" || path == "." { return path }
        let (head, _) = PosixPath.split(path)
        return head.isEmpty ? "." : head
    }

    func joining(_ others: [String]) -> String {
        PosixPath.join(path, others)
    }

    func binaryOperation(_ op: BinaryOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value? {
        guard op == .divide, let o = other.pathValue else { return nil }
        return reflected ? make(PosixPath.join(o, [path])) : make(PosixPath.join(path, [o]))
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "name": return .str(self.name)
        case "stem": return .str(stem)
        case "suffix": return .str(suffix)
        case "suffixes": return strList(suffixes)
        case "parent": return make(parent)
        case "parents":
            var list: [Value] = []
            var p = path
            while p != "/" && p != "." {
                let (head, _) = PosixPath.split(p)
                p = head.isEmpty ? "." : head
                list.append(make(p))
            }
            if path == "." || path == "/" { list = [] }
            return .tuple(list)
        case "parts": return .tuple(parts.map { .str($0) })
        case "anchor", "root": return .str(path.hasPrefix("/") ? "/" : "")
        case "drive": return .str("")
        default:
            guard let body = PathMethods.method(name, self) else { return nil }
            return .object(BuiltinFunction(name, boundTo: typeName, body))
        }
    }
}

/// The methods of Path objects, split out to keep PathObject to its lexical core.
enum PathMethods {
    static func method(_ name: String, _ p: PathObject) -> BuiltinFunction.Body? {
        let path = p.path
        switch name {
        case "exists": return { _, _ in .bool(PosixPath.exists(path)) }
        case "is_file": return { _, _ in .bool(PosixPath.isfile(path)) }
        case "is_dir": return { _, _ in .bool(PosixPath.isdir(path)) }
        case "is_symlink": return { _, _ in .bool(PosixPath.islink(path)) }
        case "is_absolute": return { _, _ in .bool(path.hasPrefix("/")) }
        case "as_posix", "__str__", "__fspath__": return { _, _ in .str(path) }
        case "as_uri": return { _, _ in .str("file://" + path) }
        case "mkdir":
            return { a, i in
                let args = Args(a, "mkdir", i)
                let mode = mode_t(try args.int(0, "mode", default: 0o777))
                if try args.bool(1, "parents", default: false) {
                    try OSModule.makedirs(path, mode: mode, existOK: try args.bool(2, "exist_ok", default: false))
                } else if mkdir(path, mode) != 0 {
                    let code = errno
                    let existOK = try args.bool(2, "exist_ok", default: false)
                    if !(code == EEXIST && PosixPath.isdir(path) && existOK) {
                        throw osError(code, path)
                    }
                }
                return .none
            }
        case "touch":
            return { a, i in
                let existOK = try Args(a, "touch", i).bool(1, "exist_ok", default: true)
                if PosixPath.exists(path) {
                    if !existOK { throw osError(EEXIST, path) }
                    try checkPosix(utimes(path, nil), path)
                } else {
                    try PosixPath.writeText(path, "", append: true)
                }
                return .none
            }
        case "unlink":
            return { a, i in
                if unlink(path) != 0 {
                    let code = errno
                    let missingOK = try Args(a, "unlink", i).bool(0, "missing_ok", default: false)
                    if !(code == ENOENT && missingOK) { throw osError(code, path) }
                }
                return .none
            }
        case "rmdir": return { _, _ in try checkPosix(rmdir(path), path); return .none }
        case "read_text": return { _, _ in .str(try PosixPath.readText(path)) }
        case "write_text":
            return { a, i in
                let text = try Args(a, "write_text", i).string(0, "data")
                try PosixPath.writeText(path, text)
                return .int(text.unicodeScalars.count)
            }
        case "open":
            return { a, i in
                guard let open = i.builtins["open"] else { throw PyError.name("name 'open' is not defined") }
                return try i.call(open, Arguments([.str(path)] + a.positional, keywords: a.keywords))
            }
        case "rename", "replace":
            return { a, i in
                let target = try Args(a, name, i).path(0, "target")
                try checkPosix(rename(path, target), path, target)
                return p.make(target)
            }
        case "symlink_to":
            return { a, i in
                let target = try Args(a, "symlink_to", i).path(0, "target")
                try checkPosix(symlink(target, path), target, path)
                return .none
            }
        case "readlink":
            return { _, _ in
                guard let t = PosixPath.readlink(path) else { throw osError(errno, path) }
                return p.make(t)
            }
        case "stat", "lstat":
            return { _, _ in .object(OSModule.statResult(try PosixPath.statOrThrow(path, follow: name == "stat"))) }
        case "resolve": return { _, _ in p.make(PosixPath.realpath(path)) }
        case "absolute": return { _, _ in p.make(path.hasPrefix("/") ? path : PosixPath.join(PosixPath.cwd(), [path])) }
        case "expanduser": return { _, _ in p.make(PosixPath.expanduser(path)) }
        case "samefile":
            return { a, i in
                let other = try PosixPath.statOrThrow(try Args(a, "samefile", i).path(0, "other_path"))
                let mine = try PosixPath.statOrThrow(path)
                return .bool(mine.st_dev == other.st_dev && mine.st_ino == other.st_ino)
            }
        case "joinpath":
            return { a, _ in p.make(p.joining(try a.positional.map { try pathString($0, function: "joinpath") })) }
        case "with_suffix":
            return { a, i in
                let s = try Args(a, "with_suffix", i).string(0, "suffix")
                guard s.isEmpty || (s.hasPrefix(".") && s != ".") else { throw PyError.value("Invalid suffix \(pyStringRepr(s))") }
                guard !p.name.isEmpty else { throw PyError.value("\(try p.repr(interpreter: i)) has an empty name") }
                return p.make(PosixPath.join(p.parent, [p.stem + s]))
            }
        case "with_name":
            return { a, i in
                guard !p.name.isEmpty else { throw PyError.value("\(try p.repr(interpreter: i)) has an empty name") }
                return p.make(PosixPath.join(p.parent, [try Args(a, "with_name", i).string(0, "name")]))
            }
        case "with_stem":
            return { a, i in p.make(PosixPath.join(p.parent, [try Args(a, "with_stem", i).string(0, "stem") + p.suffix])) }
        case "relative_to":
            return { a, i in
                let base = PathObject.normalise(try a.positional.map { try pathString($0, function: "relative_to") }
                    .reduce("") { PosixPath.join($0, [$1]) })
                if base == path { return p.make(".") }
                let prefix = base == "/" ? "/" : (base == "." ? "" : base + "/")
                guard path.hasPrefix(prefix), !(base == "." && path.hasPrefix("/")) else {
                    throw PyError.value("\(pyStringRepr(path)) is not in the subpath of \(pyStringRepr(base)) OR one path is relative and the other is absolute.")
                }
                return p.make(String(path.dropFirst(prefix.count)))
            }
        case "is_relative_to":
            return { a, i in
                let base = PathObject.normalise(try Args(a, "is_relative_to", i).path(0, "other"))
                return .bool(base == path || path.hasPrefix(base == "/" ? "/" : base + "/") || (base == "." && !path.hasPrefix("/")))
            }
        case "match":
            return { a, i in
                let pattern = try Args(a, "match", i).string(0, "path_pattern")
                let pp = pattern.split(separator: "/").map(String.init)
                let mine = p.parts
                if pattern.hasPrefix("/") ? pp.count + 1 != mine.count : pp.count > mine.count { return .false }
                return .bool(zip(mine.suffix(pp.count), pp).allSatisfy { FnMatch.matches($0, $1) })
            }
        case "iterdir":
            return { _, _ in
                let names = try PosixPath.listdir(path).sorted()
                return .object(ClosureIterator("generator", values: names.map { p.make(PosixPath.join(path, [$0])) }))
            }
        case "glob", "rglob":
            return { a, i in
                var pattern = try Args(a, name, i).string(0, "pattern")
                if name == "rglob" { pattern = "**/" + pattern }
                var g = Globber()
                g.recursive = true
                g.includeHidden = true
                g.root = path
                var results = g.glob(pattern)
                // pathlib's `**` yields directories only; glob.glob's also yields files.
                if pattern.hasSuffix("**") { results = results.filter { PosixPath.isdir(PosixPath.join(path, [$0])) } }
                let values = results.map { r -> Value in
                    var rel = r
                    while rel.hasSuffix("/") && rel.count > 1 { rel.removeLast() }
                    return p.make(rel.isEmpty ? path : PosixPath.join(path, [rel]))
                }
                return .object(ClosureIterator("generator", values: values))
            }
        default: return nil
        }
    }
}

enum PathlibModule {
    static func make() -> PyModule {
        let m = PyModule("pathlib")
        for name in ["Path", "PosixPath", "PurePath", "PurePosixPath"] {
            let typeName = name.hasPrefix("Pure") ? "PurePosixPath" : "PosixPath"
            let cls = HostClass(name) { a, _ in
                let parts = try a.positional.map { try pathString($0, function: name) }
                return .object(PathObject(parts.isEmpty ? "." : PosixPath.join(parts[0], Array(parts.dropFirst())), typeName: typeName))
            }
            cls.attributes["cwd"] = function("cwd") { _, _ in .object(PathObject(PosixPath.cwd(), typeName: typeName)) }
            cls.attributes["home"] = function("home") { _, _ in .object(PathObject(PosixPath.expanduser("~"), typeName: typeName)) }
            m.attributes.set(name, .object(cls))
        }
        return m
    }
}
