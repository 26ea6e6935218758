// `shutil`: copying, moving and removing files and trees, `which`, `disk_usage`.

import Foundation

enum ShutilModule {
    static func make() -> PyModule {
        let m = PyModule("shutil")
        for name in ["copy", "copy2", "copyfile"] {
            m.define(name) { a, i in
                let args = Args(a, name, i)
                let src = try args.path(0, "src")
                var dst = try args.path(1, "dst")
                if name != "copyfile", PosixPath.isdir(dst) { dst = PosixPath.join(dst, [PosixPath.basename(src)]) }
                try copyFile(src, dst, metadata: name == "copy2", mode: name != "copyfile")
                return .str(dst)
            }
        }
        m.define("copymode") { a, i in
            let args = Args(a, "copymode", i)
            let src = try args.path(0, "src"), dst = try args.path(1, "dst")
            try checkPosix(chmod(dst, try PosixPath.statOrThrow(src).st_mode & 0o7777), dst)
            return .none
        }
        m.define("copytree") { a, i in
            let args = Args(a, "copytree", i)
            let src = try args.path(0, "src"), dst = try args.path(1, "dst")
            try copyTree(src, dst, existOK: try args.flag("dirs_exist_ok"), symlinks: try args.bool(2, "symlinks", default: false))
            return .str(dst)
        }
        m.define("rmtree") { a, i in
            let args = Args(a, "rmtree", i)
            let p = try args.path(0, "path")
            do { try removeTree(p) } catch { if !(try args.bool(1, "ignore_errors", default: false)) { throw error } }
            return .none
        }
        m.define("move") { a, i in
            let args = Args(a, "move", i)
            let src = try args.path(0, "src")
            var dst = try args.path(1, "dst")
            if PosixPath.isdir(dst) { dst = PosixPath.join(dst, [PosixPath.basename(src)]) }
            if rename(src, dst) != 0 {
                guard errno == EXDEV else { throw osError(errno, src, dst) }
                if PosixPath.isdir(src) { try copyTree(src, dst, existOK: false, symlinks: true); try removeTree(src) }
                else { try copyFile(src, dst, metadata: true, mode: true); try checkPosix(unlink(src), src) }
            }
            return .str(dst)
        }
        m.define("which") { a, i in
            let args = Args(a, "which", i)
            let cmd = try args.path(0, "cmd")
            if cmd.contains("/") { return access(cmd, X_OK) == 0 && !PosixPath.isdir(cmd) ? .str(cmd) : .none }
            let path = try args.optionalString(2, "path") ?? ProcessInfo.processInfo.environment["PATH"]
            return ProcessRunner.which(cmd, path: path).map { .str($0) } ?? .none
        }
        m.define("disk_usage") { a, i in
            let p = try Args(a, "disk_usage", i).path(0, "path")
            var s = statvfs()
            try checkPosix(statvfs(p, &s), p)
            let block = Int(s.f_frsize)
            let total = Int(s.f_blocks) * block, free = Int(s.f_bavail) * block
            return .object(AttributeObject("usage", ["total": .int(total), "used": .int(total - Int(s.f_bfree) * block), "free": .int(free)]))
        }
        return m
    }

    static func copyFile(_ src: String, _ dst: String, metadata: Bool, mode: Bool) throws {
        let st = try PosixPath.statOrThrow(src)
        if (st.st_mode & S_IFMT) == S_IFDIR { throw osError(EISDIR, src) }
        let input = open(src, O_RDONLY)
        guard input >= 0 else { throw osError(errno, src) }
        defer { close(input) }
        let output = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        guard output >= 0 else { throw osError(errno, dst) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(input, &buffer, buffer.count)
            if n < 0 { throw osError(errno, src) }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = buffer[written..<n].withUnsafeBufferPointer { write(output, $0.baseAddress, $0.count) }
                if w < 0 { throw osError(errno, dst) }
                written += w
            }
        }
        if mode { fchmod(output, st.st_mode & 0o7777) }
        if metadata {
            var times = [timespec(tv_sec: st.st_atim.tv_sec, tv_nsec: st.st_atim.tv_nsec),
                         timespec(tv_sec: st.st_mtim.tv_sec, tv_nsec: st.st_mtim.tv_nsec)]
            futimens(output, &times)
        }
    }

    static func copyTree(_ src: String, _ dst: String, existOK: Bool, symlinks: Bool) throws {
        if PosixPath.exists(dst) && !existOK { throw osError(EEXIST, dst) }
        try OSModule.makedirs(dst, existOK: true)
        for name in try PosixPath.listdir(src) {
            let s = PosixPath.join(src, [name]), d = PosixPath.join(dst, [name])
            if symlinks, PosixPath.islink(s), let target = PosixPath.readlink(s) {
                try checkPosix(symlink(target, d), target, d)
            } else if PosixPath.isdir(s) {
                try copyTree(s, d, existOK: existOK, symlinks: symlinks)
            } else {
                try copyFile(s, d, metadata: true, mode: true)
            }
        }
    }

    static func removeTree(_ p: String) throws {
        if PosixPath.islink(p) { throw PyError.os("Cannot call rmtree on a symbolic link") }
        _ = try PosixPath.statOrThrow(p)
        for name in try PosixPath.listdir(p) {
            let child = PosixPath.join(p, [name])
            if PosixPath.isdir(child) && !PosixPath.islink(child) { try removeTree(child) }
            else { try checkPosix(unlink(child), child) }
        }
        try checkPosix(rmdir(p), p)
    }
}
