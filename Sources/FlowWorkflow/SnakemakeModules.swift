// The importable `snakemake` package as far as Snakefiles use it (`from snakemake.utils import
// min_version`, `snakemake.__version__`, `from snakemake.io import expand`), plus `shell`, and
// `smart_open`, which Snakemake installs and Snakefiles import as if it were their own.

import Foundation
import FlowLang
import FlowSyntax

enum SnakemakeModules {
    /// The Snakemake version whose semantics flow implements (what `min_version` compares to).
    static let compatibleVersion = "9.27.1"

    static func module(named name: String, loader: WorkflowLoader) -> Value? {
        let g = loader.interpreter.globals
        func pick(_ names: [String]) -> [(String, Value)] { names.compactMap { n in g.get(n).map { (n, $0) } } }
        let ioNames = ["expand", "glob_wildcards", "temp", "temporary", "protected", "directory", "touch", "ancient",
                       "pipe", "local", "update", "service", "ensure", "unpack", "repeat", "multiext", "report"]
        switch name {
        case "snakemake":
            return .object(PyModule("snakemake", [
                ("__version__", .str(compatibleVersion)),
                ("utils", module(named: "snakemake.utils", loader: loader)!),
                ("io", module(named: "snakemake.io", loader: loader)!),
                ("shell", g.get("shell") ?? .none),
                ("exceptions", module(named: "snakemake.exceptions", loader: loader)!),
                ("logging", module(named: "snakemake.logging", loader: loader)!),
                ("remote", module(named: "snakemake.remote", loader: loader)!),
                ("dag", module(named: "snakemake.dag", loader: loader)!),
            ]))
        case "snakemake.utils":
            return .object(PyModule("snakemake.utils", utilities(loader: loader)))
        case "snakemake.io":
            return .object(PyModule("snakemake.io", pick(ioNames)))
        case "snakemake.shell":
            return .object(PyModule("snakemake.shell", pick(["shell"])))
        case "snakemake.exceptions":
            // The classes flow's own errors of these names have, so `except WorkflowError` catches them.
            let names = ["WorkflowError", "MissingInputException", "MissingOutputException", "InputFunctionException",
                         "IncompleteCheckpointException", "RuleException", "AmbiguousRuleException",
                         "CyclicGraphException", "ChildIOException", "WildcardError", "CreateRuleException"]
            return .object(PyModule("snakemake.exceptions", names.compactMap { n in
                (try? loader.interpreter.exceptionClass(n)).map { (n, .object($0)) }
            }))
        case "snakemake.remote":
            // Snakemake 8+ keeps these importable; using one raises (storage plugins replaced them).
            return .object(PyModule("snakemake.remote", remoteProviders.map { ($0, module(named: "snakemake.remote." + $0, loader: loader)!) }))
        case _ where name.hasPrefix("snakemake.remote.") && remoteProviders.contains(String(name.dropFirst("snakemake.remote.".count))):
            let provider = BuiltinFunction("RemoteProvider") { _, _ in
                throw PyError("NotImplementedError", "Remote providers have been replaced by Snakemake storage plugins. Please use the corresponding storage plugin instead (snakemake-storage-plugin-*); flow reads storage: URLs (see README, Storage).")
            }
            return .object(PyModule(name, [("RemoteProvider", .object(provider))]))
        case "snakemake.logging":
            return .object(PyModule("snakemake.logging", [("logger", loggerObject())]))
        case "smart_open":
            // A Snakemake dependency that Snakefiles import for `open` (chipseq: `from smart_open import
            // open`): local, uncompressed files as the builtin open; anything else is said plainly.
            return .object(PyModule("smart_open", [("open", .object(BuiltinFunction("open") { args, interp in
                guard let open = interp.builtin("open") else { throw PyError.type("open() is missing") }
                if let path = args.argument(0, "uri")?.pathValue {
                    let compressed = [".gz", ".bz2", ".xz", ".zst"].contains { path.hasSuffix($0) }
                    if path.contains("://") && !path.hasPrefix("file://") || compressed {
                        throw PyError("NotImplementedError", "smart_open.open(\"\(path)\"): flow opens local uncompressed files only")
                    }
                    var rest = args
                    if path.hasPrefix("file://"), !rest.positional.isEmpty { rest.positional[0] = .str(String(path.dropFirst(7))) }
                    rest.keywords.removeAll { ["compression", "transport_params"].contains($0.name) }
                    return try interp.call(open, rest)
                }
                return try interp.call(open, args)
            }))]))
        case "snakemake.dag":
            return .object(PyModule("snakemake.dag", [("toposort", .object(BuiltinFunction("toposort") { args, interp in
                guard args.positional.count == 1, args.keywords.isEmpty else {
                    throw PyError.type("toposort(graph) takes one dict of node -> predecessors")
                }
                return try toposort(args.positional[0], interp)
            }))]))
        default:
            return nil
        }
    }

    static let remoteProviders = ["AzBlob", "EGA", "FTP", "GS", "HTTP", "NCBI", "S3", "S3Mocked", "SFTP", "XRootD"]

    /// Snakemake's `logger` (a Snakefile global, and `from snakemake.logging import logger`):
    /// logging.Logger's methods, `msg % args` formatted, written to standard error; debug() only
    /// prints when FLOW_DEBUG is set (Snakemake's --verbose).
    static func loggerObject() -> Value {
        func method(_ name: String, prefix: String, quiet: Bool = false) -> (String, Value) {
            (name, .object(BuiltinFunction(name) { args, interp in
                guard let message = args.argument(0, "msg") else { throw PyError.type("\(name)() missing 'msg'") }
                var text = try interp.str(message)
                let rest = Array(args.positional.dropFirst())
                if !rest.isEmpty {
                    let file = SourceFile(path: "<logger>", text: "m % a")
                    text = try interp.str(try interp.evaluate(try parseExpression("m % a", file: file), file: file,
                                                              locals: ["m": .str(text), "a": .tuple(rest)]))
                }
                if !quiet || ProcessInfo.processInfo.environment["FLOW_DEBUG"] != nil {
                    FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
                }
                return .none
            }))
        }
        return .object(PyModule("logger", [
            method("info", prefix: ""), method("warning", prefix: ""), method("warn", prefix: ""),
            method("error", prefix: ""), method("critical", prefix: ""), method("exception", prefix: ""),
            method("debug", prefix: "", quiet: true),
        ]))
    }

    /// `snakemake.dag.toposort(graph)`: the nodes of `{node: predecessors}` in layers, as a list
    /// of sets; each layer's nodes need only nodes of earlier layers (graphlib's order).
    static func toposort(_ graph: Value, _ interp: Interpreter) throws -> Value {
        guard case .dict(let d) = graph else { throw PyError.type("toposort() needs a dict, got \(graph.typeName)") }
        var nodes: [HashKey] = []
        var predecessors: [HashKey: [HashKey]] = [:]
        func note(_ key: HashKey) {
            if predecessors[key] == nil { predecessors[key] = []; nodes.append(key) }
        }
        for (node, preds) in d.items {
            let key = try HashKey(node)
            note(key)
            for p in try interp.iterate(preds) {
                let pk = try HashKey(p)
                note(pk)
                predecessors[key]!.append(pk)
            }
        }
        var done = Set<HashKey>()
        var layers: [Value] = []
        while done.count < nodes.count {
            let ready = nodes.filter { !done.contains($0) && predecessors[$0]!.allSatisfy(done.contains) }
            guard !ready.isEmpty else {
                let cycle = try nodes.filter { !done.contains($0) }.map { try interp.repr($0.value) }
                throw PyError("CycleError", "nodes are in a cycle: \(cycle.joined(separator: ", "))")
            }
            let layer = PySet()
            for key in ready { layer.insert(key); done.insert(key) }
            layers.append(.set(layer))
        }
        return .list(PyList(layers))
    }

    /// `snakemake.utils` functions; `collect` (an alias of expand) is also a Snakefile global.
    static func utilities(loader: WorkflowLoader) -> [(String, Value)] {
        [
            ("min_version", .object(BuiltinFunction("min_version") { args, interp in
                guard let first = args.positional.first else { throw PyError.type("min_version() needs a version string") }
                let wanted = try interp.str(first)
                if compareVersions(compatibleVersion, wanted) < 0 {
                    throw PyError("WorkflowError", "Expecting Snakemake version \(wanted) or higher (flow implements Snakemake \(compatibleVersion)).")
                }
                return .none
            })),
            ("validate", .object(BuiltinFunction("validate") { [weak loader] args, interp in
                guard let loader else { throw PyError("WorkflowError", "validate() is only available while the Snakefile is read") }
                return try SchemaValidation.validate(args, loader: loader, interpreter: interp)
            })),
            ("update_config", .object(BuiltinFunction("update_config") { args, _ in
                guard args.positional.count == 2, case .dict(let target) = args.positional[0], case .dict(let source) = args.positional[1] else {
                    throw PyError.type("update_config(config, overwrite_config) needs two dicts")
                }
                ConfigLoader.merge(source, into: target)
                return .none
            })),
            ("available_cpu_count", .object(BuiltinFunction("available_cpu_count") { _, _ in
                .int(ProcessInfo.processInfo.activeProcessorCount)
            })),
            ("makedirs", .object(BuiltinFunction("makedirs") { args, interp in
                for v in args.positional {
                    var paths = [String]()
                    if let p = v.pathValue { paths = [p] } else { paths = try interp.iterate(v).compactMap(\.pathValue) }
                    for p in paths { try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true) }
                }
                return .none
            })),
            ("format", .object(BuiltinFunction("format") { args, interp in
                guard let template = args.positional.first?.stringValue else { throw PyError.type("format() needs a string") }
                var keywords = zip(interp.globals.keys, interp.globals.values).compactMap { k, v in k.stringValue.map { (name: $0, value: v) } }
                keywords += args.keywords
                return .str(try interp.formatString(template, Arguments(Array(args.positional.dropFirst()), keywords: keywords)))
            })),
            ("collect", loader.interpreter.globals.get("expand") ?? .none),
        ]
    }

    /// Compares dotted versions numerically ("9.27.1" vs "6.0"): <0, 0, >0.
    static func compareVersions(_ a: String, _ b: String) -> Int {
        let pa = a.split(separator: ".").map { Int($0.prefix(while: \.isNumber)) ?? 0 }
        let pb = b.split(separator: ".").map { Int($0.prefix(while: \.isNumber)) ?? 0 }
        for i in 0..<max(pa.count, pb.count) {
            let x = i < pa.count ? pa[i] : 0
            let y = i < pb.count ? pb[i] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}

/// `shell("cmd {x}")` at Snakefile level (top-level code and handlers): formats with the
/// Snakefile's globals and keyword arguments, runs through bash in strict mode, raises
/// CalledProcessError on failure; `read=True` returns the output. Inside `run:` blocks the job's
/// own python3 preamble provides `shell`.
final class ShellFunction: PyCallable {
    var typeName: String { "function" }
    private var prefix = ""
    private var suffix = ""
    private var executable = "/bin/bash"

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "prefix": return .object(BuiltinFunction("prefix") { args, i in self.prefix = try args.positional.first.map { try i.str($0) } ?? ""; return .none })
        case "suffix": return .object(BuiltinFunction("suffix") { args, i in self.suffix = try args.positional.first.map { try i.str($0) } ?? ""; return .none })
        case "executable": return .object(BuiltinFunction("executable") { args, i in self.executable = try args.positional.first.map { try i.str($0) } ?? "/bin/bash"; return .none })
        default: return nil
        }
    }

    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        guard let template = arguments.positional.first?.stringValue else { throw PyError.type("shell() needs a command string") }
        var keywords = zip(interpreter.globals.keys, interpreter.globals.values).compactMap { k, v in k.stringValue.map { (name: $0, value: v) } }
        keywords += arguments.keywords.filter { !["read", "iterable"].contains($0.name) }
        let command = try interpreter.formatString(template, Arguments([], keywords: keywords))
        let read = try arguments.keyword("read").map { try interpreter.truthy($0) } ?? false
        let iterable = try arguments.keyword("iterable").map { try interpreter.truthy($0) } ?? false
        let process = Process()
        // `shell.executable("bash")` names a program on PATH; /usr/bin/env resolves it.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable, "-c", "set -euo pipefail; " + prefix + command + suffix]
        let pipe = Pipe()
        if read || iterable { process.standardOutput = pipe }
        do { try process.run() } catch { throw PyError.os("cannot run \(executable): \(error)") }
        let data = (read || iterable) ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw PyError("CalledProcessError", "Command '\(command)' returned non-zero exit status \(process.terminationStatus).")
        }
        let output = String(decoding: data, as: UTF8.self)
        if iterable { return .list(PyList(output.split(separator: "\n").map { .str(String($0)) })) }
        return read ? .str(output) : .none
    }
}
