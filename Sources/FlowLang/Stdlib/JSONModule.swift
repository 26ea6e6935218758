// The `json` module: loads/dumps/load/dump over JSONCodec, with file objects reached through
// their Python `read`/`write` methods so any file-like object works.

enum JSONModule {
    static func make(_ interp: Interpreter) throws -> PyModule {
        let m = PyModule("json")
        m.attributes.set("JSONDecodeError", .object(try interp.exceptionClass("JSONDecodeError")))
        m.define("loads") { a, i in try loads(try Args(a, "loads", i).string(0, "s")) }
        m.define("load") { a, i in
            let fp = try Args(a, "load", i).required(0, "fp")
            let text = try i.call(try i.getAttribute(fp, "read"), Arguments())
            guard let s = text.stringValue else { throw PyError.type("the JSON object must be str, not \(text.typeName)") }
            return try loads(s)
        }
        m.define("dumps") { a, i in .str(try dumps(try Args(a, "dumps", i).required(0, "obj"), a, i)) }
        m.define("dump") { a, i in
            let args = Args(a, "dump", i)
            let text = try dumps(try args.required(0, "obj"), a, i)
            _ = try i.call(try i.getAttribute(try args.required(1, "fp"), "write"), Arguments([.str(text)]))
            return .none
        }
        return m
    }

    static func loads(_ s: String) throws -> Value {
        do { return try JSONCodec.decode(s) } catch let e as JSONSyntaxError {
            throw PyError("JSONDecodeError", e.pythonMessage)
        }
    }

    private static func dumps(_ obj: Value, _ a: Arguments, _ i: Interpreter) throws -> String {
        var o = JSONWriter.Options()
        if let indent = a.keyword("indent"), !indent.isNone {
            switch indent {
            case .int(let n): o.indent = String(repeating: " ", count: max(n, 0))
            default: o.indent = indent.stringValue ?? ""
            }
        }
        if let v = a.keyword("sort_keys") { o.sortKeys = try truth(v, i) }
        if let v = a.keyword("ensure_ascii") { o.ensureASCII = try truth(v, i) }
        if let v = a.keyword("skipkeys") { o.skipKeys = try truth(v, i) }
        if let v = a.keyword("allow_nan") { o.allowNaN = try truth(v, i) }
        if let v = a.keyword("default"), !v.isNone { o.fallback = v }
        if let v = a.keyword("separators"), !v.isNone {
            let parts = try i.iterate(v)
            guard parts.count == 2, let item = parts[0].stringValue, let key = parts[1].stringValue else {
                throw PyError.value("separators must be an (item_separator, key_separator) tuple")
            }
            o.itemSeparator = item
            o.keySeparator = key
        }
        return try JSONWriter(options: o, interpreter: i).write(obj)
    }
}
