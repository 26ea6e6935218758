// `input`, `output`, `params`, `resources` and `threads` as Snakefile globals: inside a rule,
// outside run:/shell:, `output.txt` or `input[0]` stands for "that item of this job", evaluated
// when the job is known (Snakemake's rule_item_factory). `prepend_param` builds on them.

import FlowLang

/// `output` etc.: attribute or item access gives a deferred function of the job's item; the proxy
/// itself stands for the whole item (`prepend_param("--in", input)`).
final class RuleItemProxy: PyDeclaredParameters, PySubscriptable {
    let item: String
    init(_ item: String) { self.item = item }
    var declaredParameters: [String] { ["wildcards", item] }
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        guard let value = arguments.keyword(item) else { throw PyError("WorkflowError", "'\(item)' is only known once the job is") }
        return value
    }
    var typeName: String { "RuleItemProxy" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        .object(DeferredRuleItem(item: item, access: { try $1.getAttribute($0, name) }))
    }
    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        .object(DeferredRuleItem(item: item, access: { try $1.getItem($0, key) }))
    }
}

/// A function of (wildcards, <item>) that picks one part of the job's item.
final class DeferredRuleItem: PyDeclaredParameters {
    let item: String
    let access: (Value, Interpreter) throws -> Value
    init(item: String, access: @escaping (Value, Interpreter) throws -> Value) {
        self.item = item
        self.access = access
    }
    var typeName: String { "function" }
    var declaredParameters: [String] { ["wildcards", item] }
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        guard let value = arguments.keyword(item) else {
            throw PyError("WorkflowError", "'\(item)' is only known once the job is: use it in params:, resources: or shell:, not in \(item == "input" ? "input" : "output"):")
        }
        return try access(value, interpreter)
    }
}

/// `threads` as a value in params: a function of (wildcards, threads).
final class DeferredThreads: PyDeclaredParameters {
    var typeName: String { "function" }
    var declaredParameters: [String] { ["wildcards", "threads"] }
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        arguments.keyword("threads") ?? .int(1)
    }
}

enum RuleItemGlobals {
    static func globals() -> [(String, Value)] {
        [
            ("input", .object(RuleItemProxy("input"))), ("output", .object(RuleItemProxy("output"))),
            ("params", .object(RuleItemProxy("params"))), ("resources", .object(RuleItemProxy("resources"))),
            ("threads", .object(DeferredThreads())),
            ("prepend_param", .object(BuiltinFunction("prepend_param") { args, interp in try prependParam(args, interp) })),
            // as_py_module(path): the script path itself; flow's job programs import it from there.
            ("as_py_module", .object(BuiltinFunction("as_py_module") { args, _ in args.positional.first ?? .object(RuleItemProxy("input")) })),
        ]
    }

    /// `prepend_param("--input", paths, space=True)` -> "--input a --input b" (deferred for proxies).
    static func prependParam(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        guard let prefix = args.argument(0, "prefix")?.stringValue, let paths = args.argument(1, "paths_or_func") else {
            throw PyError.type("prepend_param(prefix, paths) needs a prefix and paths")
        }
        let space = try args.argument(2, "space").map { try interp.truthy($0) } ?? true
        func render(_ value: Value) throws -> Value {
            var items: [Value]
            if value.pathValue != nil { items = [value] } else { items = try interp.iterate(value) }
            return .str(try items.map { prefix + (space ? " " : "") + (try interp.str($0)) }.joined(separator: " "))
        }
        if case .object(let o) = paths, let deferred = o as? PyDeclaredParameters {
            return .object(DeferredTransform(deferred, render))
        }
        if case .object(let o) = paths, o is PyCallable, paths.pathValue == nil {
            throw PyError("WorkflowError", "prepend_param() of a general function is not supported by flow; use input/output items")
        }
        return try render(paths)
    }
}

/// A deferred item followed by a transformation of its value.
final class DeferredTransform: PyDeclaredParameters {
    let inner: PyDeclaredParameters
    let transform: (Value) throws -> Value
    init(_ inner: PyDeclaredParameters, _ transform: @escaping (Value) throws -> Value) {
        self.inner = inner
        self.transform = transform
    }
    var typeName: String { "function" }
    var declaredParameters: [String] { inner.declaredParameters }
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        try transform(try inner.call(arguments, interpreter: interpreter))
    }
}
