// `os.environ`: a live mapping over the process environment. Reads go to getenv/environ and
// assignments call setenv, so child processes started later (shell commands, subprocess) see them.

import Foundation

final class EnvironObject: PySubscriptable, PyIterable, PySized, PyContainer {
    var typeName: String { "_Environ" }

    /// The current environment in `environ` order.
    static func snapshot() -> [(String, String)] {
        var result: [(String, String)] = []
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                result.append((String(s[..<eq]), String(s[s.index(after: eq)...])))
            }
            p += 1
        }
        return result
    }

    private func key(_ v: Value) throws -> String {
        guard let s = v.stringValue else { throw PyError.type("str expected, not \(v.typeName)") }
        return s
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        let k = try self.key(key)
        guard let v = getenv(k) else { throw PyError.key(pyStringRepr(k)) }
        return .str(String(cString: v))
    }

    func setItem(_ key: Value, value: Value, interpreter: Interpreter) throws {
        guard let v = value.stringValue else { throw PyError.type("str expected, not \(value.typeName)") }
        setenv(try self.key(key), v, 1)
    }

    func makeIterator(interpreter: Interpreter) throws -> PyIterator {
        ClosureIterator("dict_keyiterator", values: Self.snapshot().map { .str($0.0) })
    }

    func length(interpreter: Interpreter) throws -> Int { Self.snapshot().count }

    func contains(_ value: Value, interpreter: Interpreter) throws -> Bool {
        guard let k = value.stringValue else { return false }
        return getenv(k) != nil
    }

    func repr(interpreter: Interpreter) throws -> String {
        let body = Self.snapshot().map { "\(pyStringRepr($0.0)): \(pyStringRepr($0.1))" }.joined(separator: ", ")
        return "environ({\(body)})"
    }

    func asDict() -> PyDict { dictFromPairs(Self.snapshot().map { ($0.0, .str($0.1)) }) }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        func method(_ body: @escaping BuiltinFunction.Body) -> Value {
            .object(BuiltinFunction(name, boundTo: typeName, body))
        }
        switch name {
        case "get":
            return method { a, i in
                let k = try self.key(try Args(a, "get", i).required(0, "key"))
                if let v = getenv(k) { return .str(String(cString: v)) }
                return a.argument(1, "default") ?? .none
            }
        case "setdefault":
            return method { a, i in
                let args = Args(a, "setdefault", i)
                let k = try self.key(try args.required(0, "key"))
                if let v = getenv(k) { return .str(String(cString: v)) }
                let d = args.value(1, "default") ?? .none
                try self.setItem(.str(k), value: d, interpreter: i)
                return d
            }
        case "pop":
            return method { a, i in
                let args = Args(a, "pop", i)
                let k = try self.key(try args.required(0, "key"))
                if let v = getenv(k) { unsetenv(k); return .str(String(cString: v)) }
                if let d = args.value(1, "default") { return d }
                throw PyError.key(pyStringRepr(k))
            }
        case "keys": return method { _, _ in strList(Self.snapshot().map { $0.0 }) }
        case "values": return method { _, _ in strList(Self.snapshot().map { $0.1 }) }
        case "items":
            return method { _, _ in .list(PyList(Self.snapshot().map { .tuple([.str($0.0), .str($0.1)]) })) }
        case "copy": return method { _, _ in .dict(self.asDict()) }
        case "update":
            return method { a, i in
                var pairs: [(Value, Value)] = []
                if let first = a.positional.first {
                    if case .dict(let d) = first { pairs += d.items.map { ($0.key, $0.value) } }
                    else {
                        for item in try i.iterate(first) {
                            let kv = try i.iterate(item)
                            guard kv.count == 2 else { throw PyError.value("dictionary update sequence element has wrong length") }
                            pairs.append((kv[0], kv[1]))
                        }
                    }
                }
                pairs += a.keywords.map { (.str($0.name), $0.value) }
                for (k, v) in pairs { try self.setItem(k, value: v, interpreter: i) }
                return .none
            }
        case "__delitem__":
            return method { a, i in
                let k = try self.key(try Args(a, "__delitem__", i).required(0, "key"))
                guard getenv(k) != nil else { throw PyError.key(pyStringRepr(k)) }
                unsetenv(k)
                return .none
            }
        default: return nil
        }
    }
}
