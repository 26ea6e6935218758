// The `os.path` module: thin Value wrappers over PosixPath.

import Foundation

enum OSPathModule {
    static func make() -> PyModule {
        let m = PyModule("os.path", [("sep", .str("/")), ("curdir", .str(".")), ("pardir", .str("..")),
                                     ("extsep", .str(".")), ("altsep", .none), ("pathsep", .str(":"))])
        m.define("join") { a, _ in
            let parts = try a.positional.map { try pathString($0, function: "join") }
            guard let first = parts.first else { throw PyError.type("join() missing 1 required positional argument: 'a'") }
            return .str(PosixPath.join(first, Array(parts.dropFirst())))
        }
        func unary(_ name: String, _ body: @escaping (String) throws -> Value) {
            m.define(name) { a, i in try body(try Args(a, name, i).path(0, "path")) }
        }
        unary("exists") { .bool(PosixPath.exists($0)) }
        unary("lexists") { .bool(PosixPath.lexists($0)) }
        unary("isfile") { .bool(PosixPath.isfile($0)) }
        unary("isdir") { .bool(PosixPath.isdir($0)) }
        unary("islink") { .bool(PosixPath.islink($0)) }
        unary("isabs") { .bool(PosixPath.isabs($0)) }
        unary("ismount") { p in
            guard let st = PosixPath.fileStatus(p), let parent = PosixPath.fileStatus(PosixPath.join(p, [".."])) else { return .false }
            return .bool(st.st_dev != parent.st_dev || st.st_ino == parent.st_ino)
        }
        unary("basename") { .str(PosixPath.basename($0)) }
        unary("dirname") { .str(PosixPath.dirname($0)) }
        unary("split") { let (h, t) = PosixPath.split($0); return .tuple([.str(h), .str(t)]) }
        unary("splitext") { let (r, e) = PosixPath.splitext($0); return .tuple([.str(r), .str(e)]) }
        unary("splitdrive") { .tuple([.str(""), .str($0)]) }
        unary("abspath") { .str(PosixPath.abspath($0)) }
        unary("realpath") { .str(PosixPath.realpath($0)) }
        unary("normpath") { .str(PosixPath.normpath($0)) }
        unary("normcase") { .str($0) }
        unary("expanduser") { .str(PosixPath.expanduser($0)) }
        unary("expandvars") { .str(PosixPath.expandvars($0)) }
        unary("getsize") { .int(Int(try PosixPath.statOrThrow($0).st_size)) }
        unary("getmtime") { .float(try PosixPath.statOrThrow($0).mtime) }
        unary("getatime") { .float(try PosixPath.statOrThrow($0).atime) }
        unary("getctime") { .float(try PosixPath.statOrThrow($0).ctime) }
        m.define("relpath") { a, i in
            let args = Args(a, "relpath", i)
            return .str(try PosixPath.relpath(try args.path(0, "path"), start: try args.optionalPath(1, "start") ?? "."))
        }
        m.define("samefile") { a, i in
            let args = Args(a, "samefile", i)
            let s1 = try PosixPath.statOrThrow(try args.path(0, "f1"))
            let s2 = try PosixPath.statOrThrow(try args.path(1, "f2"))
            return .bool(s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino)
        }
        m.define("commonprefix") { a, i in
            let items = try i.iterate(try Args(a, "commonprefix", i).required(0, "m")).map { try pathString($0, function: "commonprefix") }
            return .str(PosixPath.commonprefix(items))
        }
        m.define("commonpath") { a, i in
            let items = try i.iterate(try Args(a, "commonpath", i).required(0, "paths")).map { try pathString($0, function: "commonpath") }
            return .str(try PosixPath.commonpath(items))
        }
        return m
    }
}
