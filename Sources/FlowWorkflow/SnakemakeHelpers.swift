// Snakemake 8/9 helper functions for Snakefiles: exists, access, lookup, evaluate, branch, subpath.
// Functions that depend on wildcards return callables, which the DAG calls per job like any
// input function.

import Foundation
import FlowLang
import FlowStorage
import FlowSyntax

enum SnakemakeHelpers {
    static func globals() -> [(String, Value)] {
        [
            ("exists", .object(BuiltinFunction("exists") { args, interp in try exists(args, interp) })),
            ("access", .object(PyModule("access", ["random", "sequential", "multi"].map { name in
                (name, .object(BuiltinFunction(name) { args, _ in args.positional.first ?? .none }))
            }))),
            ("lookup", .object(BuiltinFunction("lookup") { args, interp in try Lookup.lookup(args, interp) })),
            ("evaluate", .object(BuiltinFunction("evaluate") { args, interp in try evaluate(args, interp) })),
            ("branch", .object(BuiltinFunction("branch") { args, interp in try branch(args, interp) })),
            ("subpath", .object(BuiltinFunction("subpath") { args, interp in try subpath(args, interp) })),
            // Inputs fed by a queue while the run goes on need a DAG that grows from a Python
            // thread; flow's interpreter runs one thread, so this is said plainly, not a NameError.
            ("from_queue", .object(BuiltinFunction("from_queue") { _, _ in
                throw PyError("WorkflowError", "from_queue(): inputs fed from a queue while the workflow runs are not supported by flow")
            })),
        ]
    }

    /// `exists(path)`: through the workflow's storage, after the default storage mapping (as
    /// Snakemake's exists() considers storage settings).
    static func exists(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        guard let value = args.argument(0, "path"), let path = value.pathValue else { throw PyError.type("exists() needs a path") }
        let storage = interp.storage
        var query = path
        if let workflow = interp.workflow {
            var flags: FileFlags = []
            if case .object(let o) = value, let f = o as? FlaggedPathObject { flags = f.flags }
            query = workflow.applyDefaultStorage(to: path, flags: flags).path
        }
        return .bool(try storageCall { try storage.exists(query) })
    }

    /// `evaluate("{sample} == '1'")`: a function of the wildcards evaluating the formatted expression.
    static func evaluate(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        guard let template = args.positional.first?.stringValue else { throw PyError.type("evaluate() needs an expression string") }
        return .object(BuiltinFunction("evaluate") { inner, interp in
            let text = try formatPattern(template, try wildcardValues(inner, interp), interp)
            let file = SourceFile(path: "<evaluate>", text: text)
            return try interp.evaluate(try parseExpression(text, file: file), file: file)
        })
    }

    /// `branch(condition, then=..., otherwise=..., cases=...)`.
    static func branch(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        guard let condition = args.argument(0, "condition") else { throw PyError.type("branch() needs a condition") }
        let then = args.argument(1, "then") ?? .none
        let otherwise = args.argument(2, "otherwise") ?? .none
        let cases = args.keyword("cases")
        func choose(_ c: Value, _ callArgs: Arguments) throws -> Value {
            var chosen: Value
            if let cases, case .dict(let d) = cases {
                chosen = d.get(try HashKey(c)) ?? otherwise
            } else {
                chosen = try interp.truthy(c) ? then : otherwise
            }
            if case .object(let o) = chosen, o is PyCallable { chosen = try interp.call(chosen, callArgs) }
            if chosen.isNone { return .list(PyList()) }
            return chosen
        }
        if case .object(let o) = condition, o is PyCallable {
            return .object(BuiltinFunction("branch") { inner, interp in
                try choose(try interp.call(condition, inner), inner)
            })
        }
        return try choose(condition, Arguments())
    }

    /// `subpath(path, strip_suffix=, basename=, parent=, ancestor=)`.
    static func subpath(_ args: Arguments, _ interp: Interpreter) throws -> Value {
        if case .object(let o)? = args.argument(0, "path_or_func"), let deferred = o as? PyDeclaredParameters {
            var rest = args
            rest.positional = Array(rest.positional.dropFirst())
            return .object(DeferredTransform(deferred) { value in
                var again = rest
                again.positional.insert(value, at: 0)
                return try subpath(again, interp)
            })
        }
        guard let path = args.argument(0, "path_or_func")?.pathValue else { throw PyError.type("subpath() needs a path") }
        var p = path
        if let suffix = args.keyword("strip_suffix")?.stringValue {
            guard p.hasSuffix(suffix) else { throw PyError.value("subpath: '\(p)' does not end with '\(suffix)'") }
            p = String(p.dropLast(suffix.count))
        }
        if let suffix = args.keyword("with_suffix")?.stringValue { p += suffix }
        if let b = args.keyword("basename"), try interp.truthy(b) { p = PathText.basename(p) }
        if let b = args.keyword("parent"), try interp.truthy(b) { p = PathText.dirname(p) }
        if case .int(let n)? = args.keyword("ancestor") {
            for _ in 0..<n { p = PathText.dirname(p) }
        }
        return .str(p)
    }

    /// The wildcards a DAG passes to a function (a Namedlist or keywords) as a dict.
    static func wildcardValues(_ args: Arguments, _ interp: Interpreter) throws -> [String: String] {
        var result: [String: String] = [:]
        if let first = args.positional.first, case .object(let o) = first, let w = o as? NamedListObject {
            for n in w.names { result[n.name] = try interp.str(w.value(named: n.name) ?? .none) }
        }
        for (k, v) in args.keywords { result[k] = try interp.str(v) }
        return result
    }
}
