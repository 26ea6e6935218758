// Turns one `rule`/`checkpoint` declaration into a `Rule`: evaluates each directive's arguments
// at definition time (as Snakemake does) and sorts the values into patterns, flags and deferred
// callables. Also applies `use rule ... with:` overrides to an existing rule.

import Foundation
import FlowLang
import FlowSyntax

struct RuleEvaluator {
    let loader: WorkflowLoader
    let file: SourceFile
    var interpreter: Interpreter { loader.interpreter }

    func evaluate(_ decl: RuleDecl, statement: Stmt) throws -> Rule {
        let count = loader.moduleContext?.rules.count ?? loader.workflow.rules.count
        let name = decl.name ?? String(count + 1)
        var rule = Rule(name: name, index: count, file: file, line: decl.location.line, basedir: loader.currentBasedir)
        rule.isCheckpoint = decl.kind == .checkpoint
        rule.isImported = loader.fileStack.count > 1
        rule.docstring = decl.docstring
        for directive in decl.directives {
            try apply(directive, to: &rule)
        }
        if rule.isLocal || loader.workflow.localRules.contains(rule.name) { rule.isLocal = true }
        rule.pathvarsContext = loader.pathvars
        try rule.resolvePathvars()
        return rule
    }

    /// Evaluates one directive into the rule (also used for `use rule ... with:` overrides, where
    /// `params:` merges as Snakemake merges them: positional ones replace all positional ones,
    /// named ones replace those of the same name).
    func apply(_ directive: Directive, to rule: inout Rule, overriding: Bool = false) throws {
        let name = directive.name
        if name == "run" {
            guard case .block(let body, let range) = directive.content else {
                throw PyError("WorkflowError", "run: needs a block of Python statements")
            }
            rule.action = .run(CodeBlock(statements: body, text: Dedent.block(file.slice(range)), file: file, line: directive.location.line))
            return
        }
        guard case .arguments(let arguments) = directive.content else {
            throw PyError("WorkflowError", "'\(name):' does not take a block of statements")
        }
        let args = try evaluateArguments(arguments)
        switch name {
        case "input":
            rule.input = []
            rule.inputProducers = [:]
            for (key, value) in args { try addInput(value, name: key, to: &rule) }
        case "output":
            rule.output = try fileList(args, directive: "output")
            for (_, value) in args {
                if case .object(let o) = value, let f = o as? FlaggedPathObject, let fn = f.sha256Function {
                    rule.outputChecksumFunctions[f.path] = fn
                }
            }
            var seen: [String: Int] = [:]
            for (i, file) in rule.output.items.enumerated() {
                if let first = seen[file.pattern] {
                    throw PyError("WorkflowError", "Duplicate output file pattern in rule \(rule.name). First two duplicate for entries \(first) and \(i).")
                }
                seen[file.pattern] = i
            }
        case "log":
            rule.log = try fileList(args, directive: "log")
        case "benchmark":
            guard let value = try single(args, name) else { return }
            if case .object(let o) = value, let r = o as? BenchmarkRepeat {
                rule.benchmark = IOFile(r.path)
                rule.benchmarkRepeats = r.count
            } else {
                rule.benchmark = try ioFile(value, directive: "benchmark").first
            }
        case "params":
            guard overriding else { rule.params = args; return }
            let positional = args.contains { $0.0 == nil } ? args.filter { $0.0 == nil } : rule.params.filter { $0.name == nil }
            var named = rule.params.filter { $0.name != nil }
            for (key, value) in args {
                guard let key else { continue }
                if let i = named.firstIndex(where: { $0.name == key }) { named[i].value = value } else { named.append((key, value)) }
            }
            rule.params = positional.map { (name: nil, value: $0.1) } + named
        case "threads":
            rule.threads = try single(args, name)
        case "resources":
            rule.resources = try args.map { key, value in
                guard let key else { throw PyError("WorkflowError", "resources: must be given as name=value") }
                return (key, value)
            }
        case "priority":
            // An int, a float, or a callable over (wildcards, input, attempt, rulename, ...).
            switch try single(args, name) {
            case .float(let f)?: rule.priority = Int(f)
            case .object(let o)? where o is PyCallable: rule.priorityFunction = .object(o)
            case let v: rule.priority = try intValue(v, name)
            }
        case "retries":
            rule.retries = try intValue(try single(args, name), name)
        case "message":
            rule.message = try single(args, name).map { try interpreter.str($0) }
        case "shell":
            guard let value = try single(args, name) else { return }
            rule.action = .shell(try interpreter.str(value))
            rule.shellAtJobTime = nil
            if case .positional(let expr) = arguments.first, case .fstring = expr.kind {
                let interpreter = self.interpreter, file = self.file
                rule.shellAtJobTime = .object(BuiltinFunction("shell") { args, _ in
                    var locals: [String: Value] = [:]
                    for (k, v) in args.keywords { locals[k] = v }
                    return .str(try interpreter.str(try interpreter.evaluate(expr, file: file, locals: locals)))
                })
            }
        case "script":
            guard let value = try single(args, name) else { return }
            rule.action = .script(try interpreter.str(value))
        case "wrapper":
            guard let value = try single(args, name) else { return }
            rule.action = .wrapper(try interpreter.str(value))
        case "template_engine":
            guard let value = try single(args, name) else { return }
            let engine = try interpreter.str(value)
            guard ["yte", "jinja2"].contains(engine) else {
                throw PyError("WorkflowError", "Unsupported template engine \(engine); so far, only yte and jinja2 are supported.")
            }
            rule.action = .templateEngine(engine)
        case "notebook", "cwl":
            let value = try single(args, name).map { try interpreter.str($0) } ?? ""
            rule.action = .unsupported(directive: name, value: value)
        case "wildcard_constraints":
            for (key, value) in args {
                guard let key else { throw PyError("WorkflowError", "wildcard_constraints: must be given as name=\"regex\"") }
                rule.wildcardConstraints[key] = try interpreter.str(value)
            }
        case "localrule":
            rule.isLocal = try truthy(args, name)
        case "group":
            rule.group = try single(args, name)
        case "shadow":
            rule.shadow = try single(args, name).map { try interpreter.str($0) }
        case "cache":
            if let v = try single(args, name) { rule.cache = try v.stringValue != nil || interpreter.truthy(v) }
        case "default_target":
            rule.isDefaultTarget = try truthy(args, name)
        case "handover":
            rule.handover = try truthy(args, name)
        case "conda", "container", "singularity", "envmodules":
            rule.software[name] = try args.map { try interpreter.str($0.1) }.joined(separator: "\n")
        case "name":
            if let v = try single(args, name) { rule.name = try interpreter.str(v) }
        case "pathvars":
            var own = Pathvars()
            try own.update(args.map { ($0.0 ?? "", $0.1) }, level: .rule, interpreter: interpreter)
            rule.ownPathvars = own.items.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        default:
            throw PyError("WorkflowError", "unknown directive '\(name)' in rule \(rule.name)")
        }
    }

    // MARK: Arguments

    /// Evaluates `name: a, b, k=v, *xs, **d` into (name?, value) pairs in order.
    private func evaluateArguments(_ arguments: [Argument]) throws -> [(String?, Value)] {
        var result: [(String?, Value)] = []
        for arg in arguments {
            switch arg {
            case .positional(let e): result.append((nil, try interpreter.evaluate(e, file: file)))
            case .keyword(let k, let e): result.append((k, try interpreter.evaluate(e, file: file)))
            case .star(let e):
                for v in try interpreter.iterate(try interpreter.evaluate(e, file: file)) { result.append((nil, v)) }
            case .doubleStar(let e):
                guard case .dict(let d) = try interpreter.evaluate(e, file: file) else { throw PyError.type("argument after ** must be a mapping") }
                for (k, v) in zip(d.keys, d.values) { result.append((try interpreter.str(k), v)) }
            }
        }
        return result
    }

    private func single(_ args: [(String?, Value)], _ directive: String) throws -> Value? {
        guard args.count <= 1 else { throw PyError("WorkflowError", "\(directive): takes a single value") }
        return args.first?.1
    }

    private func truthy(_ args: [(String?, Value)], _ directive: String) throws -> Bool {
        guard let v = try single(args, directive) else { return false }
        return try interpreter.truthy(v)
    }

    private func intValue(_ value: Value?, _ directive: String) throws -> Int {
        switch value {
        case .int(let i)?: return i
        case .bool(let b)?: return b ? 1 : 0
        case .none?, nil: return 0
        default: throw PyError("WorkflowError", "\(directive): must be an integer, got \(value!.typeName)")
        }
    }

    // MARK: Files

    private func addInput(_ value: Value, name: String?, to rule: inout Rule) throws {
        switch value {
        case .object(let o) where o is UnpackMarker:
            rule.input.append((name, .unpack((o as! UnpackMarker).function)))
        case .object(let o) where o is FlaggedFunction:
            let f = o as! FlaggedFunction
            rule.input.append((name, .function(f.function, flags: f.flags)))
        case .object(let o) where o is NamedListObject:
            // `rules.a.output` (all of a's outputs, e.g. a multiext): one input per item.
            for item in (o as! NamedListObject).items { try addInput(item, name: name, to: &rule) }
        case .object(let o) where o is MultiextList:
            for item in (o as! MultiextList).items { rule.input.append((item.name ?? name, .file(IOFile(item.path)))) }
        case .object(let o) where o is NamedListObject:
            // `idx=rules.bwa_index.output`: another rule's files, each an input under this name.
            for item in (o as! NamedListObject).items { try addInput(item, name: name, to: &rule) }
        case .object(let o) where o is PyCallable && value.pathValue == nil:
            rule.input.append((name, .function(value, flags: [])))
        case .list, .tuple:
            // A named list keeps one name over all its items (input.reads -> both files).
            // Consecutive items with the same name form one named range (see Rule.input).
            for item in try interpreter.iterate(value) { try addInput(item, name: name, to: &rule) }
        case .object(let o) where o is NamedListObject:
            // `rules.other.output`: a list of files, though its str() joins them with spaces.
            for item in (o as! NamedListObject).items { try addInput(item, name: name, to: &rule) }
        case .dict:
            throw PyError("WorkflowError", "input: a dict must be passed with unpack() or ** to name its files")
        default:
            if case .object(let o) = value, let producer = (o as? FlaggedPathObject)?.producer {
                rule.inputProducers[rule.input.count] = producer
            }
            rule.input.append((name, .file(try ioFile(value, directive: "input")[0])))
        }
    }

    private func fileList(_ args: [(String?, Value)], directive: String) throws -> NamedList<IOFile> {
        var list = NamedList<IOFile>()
        for (name, value) in args {
            if case .object(let o) = value, let m = o as? MultiextList {
                if let name { list.append(contentsOf: m.items.map { IOFile($0.path) }, name: name); continue }
                for item in m.items { list.append(IOFile(item.path), name: item.name) }
                continue
            }
            list.append(contentsOf: try ioFile(value, directive: directive), name: name)
        }
        return list
    }

    /// A str / Path / flagged path, or a list of them, as IOFiles.
    func ioFile(_ value: Value, directive: String) throws -> [IOFile] {
        switch value {
        case .list, .tuple:
            return try interpreter.iterate(value).flatMap { try ioFile($0, directive: directive) }
        case .object(let o) where o is NamedListObject:
            return try (o as! NamedListObject).items.flatMap { try ioFile($0, directive: directive) }
        case .object(let o):
            if let f = o as? FlaggedPathObject { return [f.ioFile] }
            if let m = o as? MultiextList { return m.items.map { IOFile($0.path) } }
            if let n = o as? NamedListObject { return try n.items.flatMap { try ioFile($0, directive: directive) } }
            if let p = value.pathValue { return [IOFile(p)] }
            if o is PyCallable {
                throw PyError("WorkflowError", "\(directive): functions are only allowed in input:, params:, threads: and resources:")
            }
        case .str(let s):
            return [IOFile(s)]
        default:
            break
        }
        throw PyError("WorkflowError", "\(directive): expected a file path string, got \(value.typeName)")
    }
}
