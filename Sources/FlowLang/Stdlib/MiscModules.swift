// Small modules that are mostly constants or one-liners: platform, getpass, socket, uuid,
// warnings, tempfile, io.StringIO, and the import-only modules (typing, abc, __future__, ...)
// whose names Snakefiles use only as annotations or decorators.

import Foundation

enum MiscModules {
    static func userName() -> String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(cString: buffer)
    }

    static func platform() -> PyModule {
        var u = utsname()
        uname(&u)
        func field<T>(_ v: T) -> String {
            withUnsafeBytes(of: v) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let info = (system: field(u.sysname), node: field(u.nodename), release: field(u.release), version: field(u.version), machine: field(u.machine))
        let m = PyModule("platform")
        m.define("system") { _, _ in .str(info.system) }
        m.define("node") { _, _ in .str(info.node) }
        m.define("release") { _, _ in .str(info.release) }
        m.define("version") { _, _ in .str(info.version) }
        m.define("machine") { _, _ in .str(info.machine) }
        m.define("processor") { _, _ in .str(info.machine) }
        m.define("python_version") { _, _ in .str("3.11.0") }
        m.define("python_implementation") { _, _ in .str("CPython") }
        m.define("platform") { _, _ in .str("\(info.system)-\(info.release)-\(info.machine)") }
        return m
    }

    static func getpass() -> PyModule {
        let m = PyModule("getpass")
        m.define("getuser") { _, _ in
            let env = ProcessInfo.processInfo.environment
            return .str(["LOGNAME", "USER", "LNAME", "USERNAME"].lazy.compactMap { env[$0] }.first ?? userName())
        }
        return m
    }

    static func socket() -> PyModule {
        let m = PyModule("socket")
        m.define("gethostname") { _, _ in .str(hostName()) }
        m.define("getfqdn") { _, _ in .str(hostName()) }
        return m
    }

    static func uuid() -> PyModule {
        let m = PyModule("uuid")
        m.define("uuid4") { _, _ in
            .object(UUIDObject(UUID().uuidString.lowercased()))
        }
        return m
    }

    static func warnings() -> PyModule {
        let m = PyModule("warnings")
        m.define("warn") { a, i in
            let message = try i.str(a.positional.first ?? .str(""))
            var category = "UserWarning"
            if let c = a.argument(1, "category"), case .object(let o) = c, let n = try o.getAttribute("__name__", interpreter: i)?.stringValue { category = n }
            FileHandle.standardError.write(Data("\(category): \(message)\n".utf8))
            return .none
        }
        for name in ["filterwarnings", "simplefilter", "resetwarnings"] { m.define(name) { _, _ in .none } }
        m.define("catch_warnings") { _, _ in .none }
        return m
    }

    static func tempfile() -> PyModule {
        let m = PyModule("tempfile")
        func tempDir() -> String {
            let env = ProcessInfo.processInfo.environment
            return ["TMPDIR", "TEMP", "TMP"].lazy.compactMap { env[$0] }.first { PosixPath.isdir($0) } ?? "/tmp"
        }
        func template(_ a: Arguments, _ i: Interpreter) throws -> String {
            let args = Args(a, "mkdtemp", i)
            let dir = try args.optionalPath(99, "dir") ?? tempDir()
            return PosixPath.join(dir, [(try args.optionalString(99, "prefix") ?? "tmp") + "XXXXXX" + (try args.optionalString(99, "suffix") ?? "")])
        }
        m.define("gettempdir") { _, _ in .str(tempDir()) }
        m.define("mkdtemp") { a, i in
            var t = Array(try template(a, i).utf8CString)
            // The suffix must not be part of the XXXXXX pattern; mkdtemp needs it at the end.
            guard let r = mkdtemp(&t) else { throw osError(errno) }
            return .str(String(cString: r))
        }
        m.define("mkstemp") { a, i in
            let args = Args(a, "mkstemp", i)
            let suffix = try args.optionalString(99, "suffix") ?? ""
            var t = Array(try template(a, i).utf8CString)
            let fd = mkstemps(&t, Int32(suffix.utf8.count))
            guard fd >= 0 else { throw osError(errno) }
            return .tuple([.int(Int(fd)), .str(String(cString: t))])
        }
        m.define("NamedTemporaryFile") { a, i in
            let args = Args(a, "NamedTemporaryFile", i)
            let suffix = try args.optionalString(99, "suffix") ?? ""
            var t = Array(try template(a, i).utf8CString)
            let fd = mkstemps(&t, Int32(suffix.utf8.count))
            guard fd >= 0 else { throw osError(errno) }
            close(fd)
            let path = String(cString: t)
            guard let open = i.builtins["open"] else { return .str(path) }
            return try i.call(open, Arguments([.str(path), .str(try args.optionalString(0, "mode") ?? "w+")]))
        }
        return m
    }

    /// Modules imported for annotations and decorators only: the names exist and do nothing.
    static func importOnly(_ name: String) -> PyModule {
        let identity = function("identity") { a, _ in
            if let first = a.positional.first, a.positional.count == 1, a.keywords.isEmpty { return first }
            return function("decorator") { a, _ in a.positional.first ?? .none }
        }
        let names: [String]
        switch name {
        case "typing":
            names = ["Any", "List", "Dict", "Set", "FrozenSet", "Tuple", "Optional", "Union", "Callable", "Iterable",
                     "Iterator", "Sequence", "Mapping", "MutableMapping", "Generator", "Type", "TypeVar", "Generic",
                     "Literal", "NamedTuple", "TypedDict", "Protocol", "cast", "overload", "final", "Final", "ClassVar",
                     "TYPE_CHECKING", "IO", "TextIO", "Pattern", "Match", "NoReturn", "Annotated"]
        case "abc": names = ["ABC", "ABCMeta", "abstractmethod", "abstractproperty"]
        case "dataclasses": names = ["dataclass", "field", "asdict", "fields"]
        case "collections.abc":
            names = ["Iterable", "Iterator", "Mapping", "MutableMapping", "Sequence", "MutableSequence", "Set", "Callable",
                     "Generator", "Hashable", "Sized", "Container"]
        case "__future__": names = ["annotations", "print_function", "division", "absolute_import", "unicode_literals", "generator_stop"]
        case "inspect": names = ["isfunction", "isclass", "signature", "getsource", "currentframe", "stack"]
        default: names = []
        }
        let m = PyModule(name)
        for n in names { m.attributes.set(n, n == "TYPE_CHECKING" ? .false : identity) }
        return m
    }
}

/// A `uuid.UUID`: str() is its canonical text.
final class UUIDObject: PyStringLike, PyHashable {
    let stringValue: String
    init(_ text: String) { stringValue = text }
    var typeName: String { "UUID" }
    var pyHash: Int { stringValue.hashValue }
    func pyEquals(_ other: PyHashable) -> Bool { (other as? UUIDObject)?.stringValue == stringValue }
    func repr(interpreter: Interpreter) throws -> String { "UUID('\(stringValue)')" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "hex": return .str(stringValue.replacingOccurrences(of: "-", with: ""))
        case "version": return .int(4)
        default: return nil
        }
    }
}

/// `io.StringIO`: an in-memory text file with read/write/getvalue and line iteration.
final class StringIOObject: PyIterable {
    var buffer: [Character]
    var position = 0
    init(_ text: String) { buffer = Array(text) }
    var typeName: String { "_io.StringIO" }

    func readLine() -> String? {
        guard position < buffer.count else { return nil }
        var end = position
        while end < buffer.count, buffer[end] != "\n" { end += 1 }
        if end < buffer.count { end += 1 }
        defer { position = end }
        return String(buffer[position..<end])
    }

    func makeIterator(interpreter: Interpreter) throws -> PyIterator {
        ClosureIterator("_io.StringIO") { _ in self.readLine().map { .str($0) } }
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "write":
            return function(name) { a, i in
                let s = Array(try Args(a, "write", i).string(0, "s"))
                let end = min(self.position + s.count, self.buffer.count)
                self.buffer.replaceSubrange(self.position..<end, with: s)
                self.position += s.count
                return .int(s.count)
            }
        case "read":
            return function(name) { _, _ in
                defer { self.position = self.buffer.count }
                return .str(String(self.buffer[min(self.position, self.buffer.count)...]))
            }
        case "readline": return function(name) { _, _ in .str(self.readLine() ?? "") }
        case "readlines": return function(name) { _, _ in strList(Array(sequence(state: self) { $0.readLine() })) }
        case "getvalue": return function(name) { _, _ in .str(String(self.buffer)) }
        case "seek": return function(name) { a, i in self.position = try Args(a, "seek", i).int(0, "pos"); return .int(self.position) }
        case "tell": return function(name) { _, _ in .int(self.position) }
        case "close", "flush": return function(name) { _, _ in .none }
        case "__enter__": return function(name) { _, _ in .object(self) }
        case "__exit__": return function(name) { _, _ in .false }
        default: return nil
        }
    }
}

enum IOModule {
    static func make() -> PyModule {
        let m = PyModule("io")
        m.define("StringIO") { a, i in .object(StringIOObject(try Args(a, "StringIO", i).optionalString(0, "initial_value") ?? "")) }
        return m
    }
}
