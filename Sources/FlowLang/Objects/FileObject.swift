// `open()` and the file objects it returns: text or binary (bytes are shown as str), read modes
// load the file up front; write/append modes write through stdio and close on `with` exit or
// when the object is released. Supports read/readline/readlines/write/writelines/close,
// iteration over lines and use as a context manager.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class FileObject: PyIterable, PyIterator {
    let path: String
    let mode: String
    private var handle: UnsafeMutablePointer<FILE>?
    private var content: [Unicode.Scalar] = []
    private var position = 0
    private(set) var closed = false

    init(path: String, mode: String) throws {
        self.path = path
        self.mode = mode
        let cmode = mode.replacingTextModes()
        if mode.contains("r") && !mode.contains("+") {
            guard let text = readTextFile(path) else { throw FileObject.openError(path) }
            content = Array(text.unicodeScalars)
        } else {
            guard let f = fopen(path, cmode) else { throw FileObject.openError(path) }
            handle = f
        }
    }

    deinit { if let handle { fclose(handle) } }

    private static func openError(_ path: String) -> PyError {
        let code = errno
        let message = String(cString: strerror(code))
        let type: String
        switch code {
        case ENOENT: type = "FileNotFoundError"
        case EACCES, EPERM: type = "PermissionError"
        case EISDIR: type = "IsADirectoryError"
        default: type = "OSError"
        }
        return PyError(type, "[Errno \(code)] \(message): \(quotePythonString(path))")
    }

    var typeName: String { mode.contains("b") ? "BufferedReader" : "TextIOWrapper" }

    func makeIterator(interpreter: Interpreter) throws -> PyIterator { self }
    func next(interpreter: Interpreter) throws -> Value? {
        let line = try readLine()
        return line.isEmpty ? nil : .str(line)
    }

    private func checkOpen() throws {
        if closed { throw PyError.value("I/O operation on closed file.") }
    }

    func readLine() throws -> String {
        try checkOpen()
        guard position < content.count else { return "" }
        var end = position
        while end < content.count && content[end] != "\n" { end += 1 }
        if end < content.count { end += 1 }
        defer { position = end }
        return scalarString(content[position..<end])
    }

    func close() {
        if let handle { fclose(handle) }
        handle = nil
        closed = true
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        func method(_ body: @escaping BuiltinFunction.Body) -> Value { .object(BuiltinFunction(name, boundTo: typeName, body)) }
        switch name {
        case "name": return .str(path)
        case "mode": return .str(mode)
        case "closed": return .bool(closed)
        case "read":
            return method { a, i in
                try self.checkOpen()
                var end = self.content.count
                if let n = a.positional.first, case .int(let count) = n, count >= 0 { end = min(end, self.position + count) }
                defer { self.position = end }
                return .str(scalarString(self.content[self.position..<end]))
            }
        case "readline": return method { _, _ in .str(try self.readLine()) }
        case "readlines":
            return method { _, _ in
                var lines: [Value] = []
                while case let line = try self.readLine(), !line.isEmpty { lines.append(.str(line)) }
                return .list(PyList(lines))
            }
        case "write":
            return method { a, i in
                try self.checkOpen()
                guard let handle = self.handle else { throw PyError("UnsupportedOperation", "not writable") }
                guard let text = a.positional.first?.stringValue else {
                    throw PyError.type("write() argument must be str, not \(a.positional.first?.typeName ?? "nothing")")
                }
                fputs(text, handle)
                return .int(text.unicodeScalars.count)
            }
        case "writelines":
            return method { a, i in
                try self.checkOpen()
                guard let handle = self.handle else { throw PyError("UnsupportedOperation", "not writable") }
                for line in try i.iterateValues(a.positional.first ?? .list(PyList())) { fputs(try i.strValue(line), handle) }
                return Value.none
            }
        case "flush": return method { _, _ in if let h = self.handle { fflush(h) }; return Value.none }
        case "close": return method { _, _ in self.close(); return Value.none }
        case "__enter__": return method { _, _ in .object(self) }
        case "__exit__": return method { _, _ in self.close(); return .false }
        default: return nil
        }
    }

    func repr(interpreter: Interpreter) throws -> String {
        "<_io.\(typeName) name=\(quotePythonString(path)) mode=\(quotePythonString(mode))>"
    }
}

private extension String {
    /// Python modes to C modes: text/binary flags are irrelevant on POSIX; 'x' is exclusive create.
    func replacingTextModes() -> String {
        let m = self.filter { $0 != "t" && $0 != "b" }
        if m.contains("x") { return "wx" + (m.contains("+") ? "+" : "") }
        return m.isEmpty ? "r" : m
    }
}

extension Interpreter {
    func openFile(_ a: Arguments) throws -> Value {
        guard let fileArg = a.argument(0, "file"), let path = fileArg.pathValue else {
            throw PyError.type("expected str, bytes or os.PathLike object, not \(a.argument(0, "file")?.typeName ?? "nothing")")
        }
        let mode = a.argument(1, "mode")?.stringValue ?? "r"
        guard mode.allSatisfy({ "rwaxbt+".contains($0) }), mode.filter({ "rwax".contains($0) }).count == 1 else {
            throw PyError.value("invalid mode: '\(mode)'")
        }
        return .object(try FileObject(path: path, mode: mode))
    }
}
