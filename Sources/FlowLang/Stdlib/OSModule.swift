// The `os` module: directories, files, environment, process queries and `os.walk`.
// Path algebra lives in PosixPath, the environment mapping in EnvironObject.

import Foundation

enum OSModule {
    static func make(path: PyModule, _ interp: Interpreter) throws -> PyModule {
        let m = PyModule("os", [
            ("path", .object(path)), ("sep", .str("/")), ("pathsep", .str(":")), ("linesep", .str("\n")),
            ("curdir", .str(".")), ("pardir", .str("..")), ("extsep", .str(".")), ("altsep", .none),
            ("devnull", .str("/dev/null")), ("name", .str("posix")), ("environ", .object(EnvironObject())),
            ("F_OK", .int(Int(F_OK))), ("R_OK", .int(Int(R_OK))), ("W_OK", .int(Int(W_OK))), ("X_OK", .int(Int(X_OK))),
        ])
        m.attributes.set("error", .object(try interp.exceptionClass("OSError")))
        m.define("getcwd") { _, _ in .str(PosixPath.cwd()) }
        m.define("chdir") { a, i in
            let p = try Args(a, "chdir", i).path(0, "path")
            try checkPosix(Foundation.chdir(p), p)
            return .none
        }
        m.define("listdir") { a, i in
            strList(try PosixPath.listdir(try Args(a, "listdir", i).optionalPath(0, "path") ?? "."))
        }
        m.define("mkdir") { a, i in
            let args = Args(a, "mkdir", i)
            let p = try args.path(0, "path")
            try checkPosix(Foundation.mkdir(p, mode_t(try args.int(1, "mode", default: 0o777))), p)
            return .none
        }
        m.define("makedirs") { a, i in
            let args = Args(a, "makedirs", i)
            try makedirs(try args.path(0, "name"), mode: mode_t(try args.int(1, "mode", default: 0o777)),
                         existOK: try args.bool(2, "exist_ok", default: false))
            return .none
        }
        for name in ["remove", "unlink"] {
            m.define(name) { a, i in
                let p = try Args(a, name, i).path(0, "path")
                if PosixPath.isdir(p) && !PosixPath.islink(p) { throw osError(EISDIR, p) }
                try checkPosix(Foundation.unlink(p), p)
                return .none
            }
        }
        m.define("rmdir") { a, i in
            let p = try Args(a, "rmdir", i).path(0, "path")
            try checkPosix(Foundation.rmdir(p), p)
            return .none
        }
        for name in ["rename", "replace"] {
            m.define(name) { a, i in
                let args = Args(a, name, i)
                let src = try args.path(0, "src"), dst = try args.path(1, "dst")
                try checkPosix(Foundation.rename(src, dst), src, dst)
                return .none
            }
        }
        m.define("symlink") { a, i in
            let args = Args(a, "symlink", i)
            let src = try args.path(0, "src"), dst = try args.path(1, "dst")
            try checkPosix(Foundation.symlink(src, dst), src, dst)
            return .none
        }
        m.define("link") { a, i in
            let args = Args(a, "link", i)
            let src = try args.path(0, "src"), dst = try args.path(1, "dst")
            try checkPosix(Foundation.link(src, dst), src, dst)
            return .none
        }
        m.define("readlink") { a, i in
            let p = try Args(a, "readlink", i).path(0, "path")
            guard let target = PosixPath.readlink(p) else { throw osError(errno, p) }
            return .str(target)
        }
        m.define("access") { a, i in
            let args = Args(a, "access", i)
            return .bool(Foundation.access(try args.path(0, "path"), Int32(try args.int(1, "mode"))) == 0)
        }
        m.define("chmod") { a, i in
            let args = Args(a, "chmod", i)
            let p = try args.path(0, "path")
            try checkPosix(Foundation.chmod(p, mode_t(try args.int(1, "mode"))), p)
            return .none
        }
        m.define("utime") { a, i in
            let p = try Args(a, "utime", i).path(0, "path")
            try checkPosix(utimes(p, nil), p)
            return .none
        }
        m.define("stat") { a, i in
            let args = Args(a, "stat", i)
            let p = try args.path(0, "path")
            let follow = try args.flag("follow_symlinks", default: true)
            return .object(statResult(try PosixPath.statOrThrow(p, follow: follow)))
        }
        m.define("lstat") { a, i in
            .object(statResult(try PosixPath.statOrThrow(try Args(a, "lstat", i).path(0, "path"), follow: false)))
        }
        m.define("getenv") { a, i in
            let args = Args(a, "getenv", i)
            if let v = getenv(try args.string(0, "key")) { return .str(String(cString: v)) }
            return args.value(1, "default") ?? .none
        }
        m.define("putenv") { a, i in
            let args = Args(a, "putenv", i)
            setenv(try args.string(0, "key"), try args.string(1, "value"), 1)
            return .none
        }
        m.define("unsetenv") { a, i in
            unsetenv(try Args(a, "unsetenv", i).string(0, "key"))
            return .none
        }
        m.define("cpu_count") { _, _ in .int(ProcessInfo.processInfo.activeProcessorCount) }
        m.define("getpid") { _, _ in .int(Int(Foundation.getpid())) }
        m.define("getppid") { _, _ in .int(Int(Foundation.getppid())) }
        m.define("getuid") { _, _ in .int(Int(Foundation.getuid())) }
        m.define("getgid") { _, _ in .int(Int(Foundation.getgid())) }
        m.define("getlogin") { _, _ in .str(MiscModules.userName()) }
        m.define("fspath") { a, i in
            let v = try Args(a, "fspath", i).required(0, "path")
            guard let p = v.pathValue else {
                throw PyError.type("expected str, bytes or os.PathLike object, not \(v.typeName)")
            }
            if case .str = v { return v }
            return .str(p)
        }
        m.define("system") { a, i in
            let command = try Args(a, "system", i).string(0, "command")
            let result = try ProcessRunner(argv: ["/bin/sh", "-c", command]).run()
            // os.system returns a wait status: exit code in the high byte, signal in the low bits.
            return .int(result.returncode >= 0 ? result.returncode << 8 : -result.returncode)
        }
        m.define("walk") { a, i in
            let args = Args(a, "walk", i)
            return .object(walk(try args.path(0, "top"), topdown: try args.bool(1, "topdown", default: true),
                                followlinks: try args.flag("followlinks")))
        }
        m.define("scandir") { a, i in
            let dir = try Args(a, "scandir", i).optionalPath(0, "path") ?? "."
            let entries = try PosixPath.listdir(dir).map { name -> Value in .object(dirEntry(dir: dir, name: name)) }
            return .object(ClosureIterator("ScandirIterator", values: entries))
        }
        m.define("urandom") { a, i in
            let n = try Args(a, "urandom", i).int(0, "size")
            return .str(String((0..<n).map { _ in Character(UnicodeScalar(UInt8.random(in: 0...127))) }))
        }
        return m
    }

    static func makedirs(_ p: String, mode: mode_t = 0o777, existOK: Bool) throws {
        if PosixPath.isdir(p) {
            if existOK { return }
            throw osError(EEXIST, p)
        }
        let (head, tail) = PosixPath.split(p)
        if !head.isEmpty, !tail.isEmpty, !PosixPath.exists(head) {
            try makedirs(head, mode: mode, existOK: true)
        }
        if Foundation.mkdir(p, mode) != 0 {
            let code = errno
            if code == EEXIST && existOK && PosixPath.isdir(p) { return }
            throw osError(code, p)
        }
    }

    static func statResult(_ st: Foundation.stat) -> AttributeObject {
        let attrs: [String: Value] = [
            "st_mode": .int(Int(st.st_mode)), "st_ino": .int(Int(st.st_ino)), "st_dev": .int(Int(st.st_dev)),
            "st_nlink": .int(Int(st.st_nlink)), "st_uid": .int(Int(st.st_uid)), "st_gid": .int(Int(st.st_gid)),
            "st_size": .int(Int(st.st_size)), "st_atime": .float(st.atime), "st_mtime": .float(st.mtime),
            "st_ctime": .float(st.ctime),
            "st_mtime_ns": .int(Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)),
        ]
        return AttributeObject("os.stat_result", attrs) { _ in
            "os.stat_result(st_mode=\(st.st_mode), st_ino=\(st.st_ino), st_dev=\(st.st_dev), st_nlink=\(st.st_nlink), st_uid=\(st.st_uid), st_gid=\(st.st_gid), st_size=\(st.st_size), st_atime=\(st.st_atim.tv_sec), st_mtime=\(st.st_mtim.tv_sec), st_ctime=\(st.st_ctim.tv_sec))"
        }
    }

    static func dirEntry(dir: String, name: String) -> AttributeObject {
        let full = PosixPath.join(dir, [name])
        let entry = AttributeObject("posix.DirEntry", ["name": .str(name), "path": .str(full)]) { _ in "<DirEntry \(pyStringRepr(name))>" }
        entry.method("is_dir") { _, _ in .bool(PosixPath.isdir(full)) }
        entry.method("is_file") { _, _ in .bool(PosixPath.isfile(full)) }
        entry.method("is_symlink") { _, _ in .bool(PosixPath.islink(full)) }
        entry.method("stat") { _, _ in .object(statResult(try PosixPath.statOrThrow(full))) }
        return entry
    }

    /// A lazy `os.walk`: top-down, the yielded `dirnames` list may be pruned in place by the caller
    /// before the walk descends. Unreadable directories are skipped like Python's default onerror.
    static func walk(_ top: String, topdown: Bool, followlinks: Bool) -> ClosureIterator {
        func entries(_ dir: String) -> ([String], [String])? {
            guard let names = try? PosixPath.listdir(dir) else { return nil }
            var dirs: [String] = [], files: [String] = []
            for n in names.sorted() {
                if PosixPath.isdir(PosixPath.join(dir, [n])) { dirs.append(n) } else { files.append(n) }
            }
            return (dirs, files)
        }
        func descend(_ dir: String, _ name: String) -> Bool {
            let full = PosixPath.join(dir, [name])
            return followlinks || !PosixPath.islink(full)
        }
        if !topdown {
            var results: [Value] = []
            func visit(_ dir: String) {
                guard let (dirs, files) = entries(dir) else { return }
                for d in dirs where descend(dir, d) { visit(PosixPath.join(dir, [d])) }
                results.append(.tuple([.str(dir), strList(dirs), strList(files)]))
            }
            visit(top)
            return ClosureIterator("generator", values: results)
        }
        // Stack of directories still to visit, plus the last yielded (dir, dirnames) to expand.
        var stack: [String] = [top]
        var pending: (String, PyList)?
        return ClosureIterator("generator") { _ in
            if let (dir, dirs) = pending {
                let children = dirs.items.compactMap { $0.stringValue }.filter { descend(dir, $0) }
                stack += children.reversed().map { PosixPath.join(dir, [$0]) }
                pending = nil
            }
            while let dir = stack.popLast() {
                guard let (dirs, files) = entries(dir) else { continue }
                let list = PyList(dirs.map { .str($0) })
                pending = (dir, list)
                return .tuple([.str(dir), .list(list), strList(files)])
            }
            return nil
        }
    }
}
