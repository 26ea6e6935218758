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
            ("as_py_module", .object(BuiltinFunction("as_py_module") { args, interp in try asPyModule(args, interp) })),
        ]
    }

    /// `as_py_module(path=input.script)`: the module name `python -m` takes for a `.py` file
    /// ("pkg/sub/mod.py" -> "pkg.sub.mod"); deferred while the path is a job's item.
    static func asPyModule(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        let path = args.argument(0, "path_or_func") ?? .object(DeferredRuleItem(item: "input", access: { try $1.getAttribute($0, "script") }))
        func module(_ value: Value) throws -> Value {
            var value = value
            if case .object(let o) = value, let list = o as? NamedListObject {
                guard list.items.count == 1 else {
                    throw PyError.value("as_py_module() needs a single .py path, got \(list.items.count) files")
                }
                value = list.items[0]
            }
            guard let file = value.pathValue else { throw PyError.type("as_py_module() needs a path, got \(value.typeName)") }
            guard file.hasSuffix(".py") else { throw PyError.value("Only .py files may be run as Python modules.") }
            var parts = file.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
            parts[parts.count - 1].removeLast(3)
            let valid = parts.allSatisfy { part in
                guard let first = part.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
                return part.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
            }
            guard valid else { throw PyError.value("\(file) does not translate to a valid Python name") }
            return .str(parts.joined(separator: "."))
        }
        if case .object(let o) = path, let deferred = o as? PyDeclaredParameters {
            return .object(DeferredTransform(deferred, module))
        }
        return try module(path)
    }

    /// `prepend_param("--input", paths, space=True)` -> "--input a --input b" (deferred for proxies).
    static func prependParam(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        guard let prefix = args.argument(0, "prefix")?.stringValue, let paths = args.argument(1, "paths_or_func") else {
            throw PyError.type("prepend_param(prefix, paths) needs a prefix and paths")
        }
        let space = try args.argument(2, "space").map { try interp.truthy($0) } ?? true
        func render(_ value: Value) throws -> Value {
            var items: [Value]
            // A job's input list is a str too (its files joined by spaces), but prepends each file.
            if case .object(let o) = value, o is NamedListObject { items = try interp.iterate(value) }
            else if value.pathValue != nil { items = [value] } else { items = try interp.iterate(value) }
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
