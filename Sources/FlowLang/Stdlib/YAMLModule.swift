// The `yaml` module (PyYAML's safe subset): safe_load/load/load_all, safe_dump/dump with the
// common keyword options, and the Loader/Dumper names Snakefiles pass around (accepted, ignored).

enum YAMLModule {
    static func make(_ interp: Interpreter) throws -> PyModule {
        let m = PyModule("yaml")
        for name in ["Loader", "SafeLoader", "FullLoader", "BaseLoader", "UnsafeLoader", "CLoader", "CSafeLoader",
                     "Dumper", "SafeDumper", "CDumper", "CSafeDumper"] {
            m.attributes.set(name, .str(name))
        }
        m.attributes.set("YAMLError", .object(try interp.exceptionClass("YAMLError")))
        m.attributes.set("__version__", .str("6.0.1"))
        for name in ["safe_load", "load", "full_load", "unsafe_load"] {
            m.define(name) { a, i in try YAMLCodec.load(try text(Args(a, name, i).required(0, "stream"), i), path: "<unicode string>") }
        }
        for name in ["safe_load_all", "load_all"] {
            m.define(name) { a, i in
                .list(PyList(try YAMLCodec.loadAll(try text(Args(a, name, i).required(0, "stream"), i), path: "<unicode string>")))
            }
        }
        for name in ["safe_dump", "dump"] {
            m.define(name) { a, i in try dump([try Args(a, name, i).required(0, "data")], a, i) }
        }
        for name in ["safe_dump_all", "dump_all"] {
            m.define(name) { a, i in try dump(try i.iterate(try Args(a, name, i).required(0, "documents")), a, i) }
        }
        return m
    }

    /// A stream argument: a str, or a file object read through its `read` method.
    private static func text(_ stream: Value, _ i: Interpreter) throws -> String {
        if let s = stream.stringValue { return s }
        let r = try i.call(try i.getAttribute(stream, "read"), Arguments())
        guard let s = r.stringValue else { throw PyError.type("expected a str stream, got \(r.typeName)") }
        return s
    }

    private static func dump(_ documents: [Value], _ a: Arguments, _ i: Interpreter) throws -> Value {
        var o = YAMLEmitter.Options()
        if let v = a.keyword("default_flow_style") { o.defaultFlowStyle = v.isNone ? nil : try truth(v, i) }
        if let v = a.keyword("sort_keys") { o.sortKeys = try truth(v, i) }
        if let v = a.keyword("allow_unicode") { o.allowUnicode = try truth(v, i) }
        if let v = a.keyword("explicit_start") { o.explicitStart = try truth(v, i) }
        if let v = a.keyword("indent"), case .int(let n) = v { o.indent = n }
        if let v = a.keyword("width"), case .int(let n) = v { o.width = n }
        let text = try YAMLEmitter(options: o, interpreter: i).dump(documents)
        guard let stream = a.argument(1, "stream"), !stream.isNone else { return .str(text) }
        _ = try i.call(try i.getAttribute(stream, "write"), Arguments([.str(text)]))
        return .none
    }
}
