// The `sys` module: interpreter facts Snakefiles query (argv, version, platform, path) and the
// stdout/stderr writers. `version_info` is a plain tuple so `sys.version_info >= (3, 8)` works.

import Foundation

enum SysModule {
    static func make() -> PyModule {
        let m = PyModule("sys", [
            ("argv", strList(["snakemake"])),
            ("version", .str("3.11.0 (flow)")),
            ("version_info", .tuple([.int(3), .int(11), .int(0), .str("final"), .int(0)])),
            ("hexversion", .int(0x030B00F0)),
            ("platform", .str("linux")),
            ("byteorder", .str("little")),
            ("executable", .str("python3")),
            ("maxsize", .int(Int.max)),
            ("path", .list(PyList())),
            ("modules", .dict(PyDict())),
            ("implementation", .object(AttributeObject("types.SimpleNamespace", ["name": .str("flow")]))),
            ("stdout", .object(stream("stdout", FileHandle.standardOutput))),
            ("stderr", .object(stream("stderr", FileHandle.standardError))),
        ])
        m.define("exit") { a, i in
            let code = a.positional.first ?? .none
            throw PyError("SystemExit", code.isNone ? "" : try i.str(code))
        }
        m.define("getrecursionlimit") { _, _ in .int(1000) }
        m.define("setrecursionlimit") { _, _ in .none }
        m.define("getdefaultencoding") { _, _ in .str("utf-8") }
        m.define("getfilesystemencoding") { _, _ in .str("utf-8") }
        return m
    }

    /// A text stream with write/flush, writing straight to the process's file descriptor.
    static func stream(_ name: String, _ handle: FileHandle) -> AttributeObject {
        let o = AttributeObject("_io.TextIOWrapper", ["name": .str("<\(name)>"), "encoding": .str("utf-8")]) { _ in
            "<_io.TextIOWrapper name='<\(name)>' mode='w' encoding='utf-8'>"
        }
        o.method("write") { a, i in
            let s = try Args(a, "write", i).string(0, "s")
            handle.write(Data(s.utf8))
            return .int(s.unicodeScalars.count)
        }
        o.method("flush") { _, _ in .none }
        o.method("isatty") { _, _ in .bool(isatty(handle.fileDescriptor) == 1) }
        o.method("fileno") { _, _ in .int(Int(handle.fileDescriptor)) }
        return o
    }
}
