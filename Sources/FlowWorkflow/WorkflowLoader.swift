// Evaluates a Snakefile (and what it includes) into a `Workflow`.
//
// The interpreter runs the Python; this host gives meaning to the Snakemake statements it meets:
// rules and checkpoints (handed to RuleEvaluator), workflow directives (configfile, include,
// workdir, localrules, ruleorder, wildcard_constraints, envvars, handlers), modules and `use rule`.

import Foundation
import FlowLang
import FlowStorage
import FlowSyntax

/// What the command line contributes to evaluation.
public struct WorkflowOptions {
    public var snakefile: String
    /// `--configfile` files, loaded before the Snakefile and re-applied after every `configfile:`.
    public var configFiles: [String] = []
    /// `--config key=value` entries (already typed), applied last.
    public var configOverrides = PyDict()
    /// `workflow.cores` as Snakefiles see it.
    public var cores = 1
    /// Where files live: `glob_wildcards`, `exists()`, sizes and checkpoint checks ask it, and
    /// `storage(...)` queries must name one of its schemes.
    public var storage = Storage()
    /// `--default-storage-provider` (nil or "none": no default storage).
    public var defaultStorageProvider: String?
    /// `--default-storage-prefix`: a query prefix with a scheme (`gs://bkt/run1`).
    public var defaultStoragePrefix: String?
    /// Where `import` finds modules outside flow's own set (FlowPython's CPython bridge); nil: nowhere.
    public var foreignModules: ForeignModuleLoader?
    /// `--wrapper-prefix` (nil: Snakemake's default): where `meta_wrapper:` modules come from.
    public var wrapperPrefix: String?
    public init(snakefile: String) { self.snakefile = snakefile }
}

public final class WorkflowLoader: SnakefileHost {
    public let workflow: Workflow
    let interpreter: Interpreter
    let options: WorkflowOptions
    /// Config from --configfile and --config, re-applied after each `configfile:` directive.
    let overwriteConfig: PyDict
    /// Files being evaluated (innermost last): `include:` and `workflow.current_basedir` use it.
    var fileStack: [String] = []
    /// `workflow.configfiles`: the --configfile files, then each `configfile:` loaded (as written).
    var configFilesRead: [String] = []
    /// `meta_wrapper:` Snakefiles, fetched like wrapper scripts into `.flow/wrappers`.
    lazy var wrappers = WrapperSource(prefix: options.wrapperPrefix,
                                      cacheDirectory: FileManager.default.currentDirectoryPath + "/.flow/wrappers",
                                      storage: options.storage)
    /// `scattergather: name=N`: the number of items each `scatter.name`/`gather.name` makes.
    var scatterCounts: [String: Int] = [:]
    /// `module NAME:` declarations, loaded lazily by the first `use rule ... from NAME`.
    var modules: [String: ModuleDefinition] = [:]
    /// Set when this loader evaluates a module's Snakefile for another workflow.
    var moduleContext: ModuleDefinition?
    lazy var rulesObject = RulesObject(loader: self)
    /// Path variables for rules defined from here on (a module's start from its declaration's).
    var pathvars = Pathvars.defaults

    /// Parses and evaluates the Snakefile named in `options`.
    public static func load(_ options: WorkflowOptions) throws -> Workflow {
        let loader = try WorkflowLoader(options: options, interpreter: Interpreter())
        try loader.run(path: options.snakefile)
        return loader.workflow
    }

    init(options: WorkflowOptions, interpreter: Interpreter, config: PyDict? = nil) throws {
        self.options = options
        self.interpreter = interpreter
        let snakefile = WorkflowLoader.absolute(options.snakefile)
        self.workflow = Workflow(interpreter: interpreter, snakefile: snakefile,
                                 basedir: PathText.dirname(snakefile), storage: options.storage)
        workflow.defaultStorage = try StorageLanguage.defaultStorage(
            provider: options.defaultStorageProvider, prefix: options.defaultStoragePrefix, storage: options.storage)
        self.overwriteConfig = PyDict()
        interpreter.foreignModules = options.foreignModules   // YTE config files render through it
        for file in options.configFiles { ConfigLoader.merge(try ConfigLoader.load(path: file, interpreter: interpreter), into: overwriteConfig) }
        ConfigLoader.merge(options.configOverrides, into: overwriteConfig)
        if let config {
            workflow.config = config
        } else {
            ConfigLoader.merge(overwriteConfig, into: workflow.config)
        }
        try updatePathvarsFromConfig()
        interpreter.host = self
        interpreter.foreignModules = options.foreignModules
        workflow.evaluationHost = self
        interpreter.modulePaths = [workflow.basedir]
        installGlobals()
    }

    /// Parses a Snakefile and runs it in the workflow's interpreter.
    func run(path: String) throws {
        let absolute = WorkflowLoader.absolute(path)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw PyError("WorkflowError", "Snakefile \"\(path)\" not found or not readable.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PyError("WorkflowError", "Snakefile \"\(path)\" is not UTF-8 text (\(Self.firstInvalidUTF8(data))); save it as UTF-8.")
        }
        let file = SourceFile(path: path, text: text)
        let module = try parseModule(file)
        recordPreamble(module)
        fileStack.append(absolute)
        defer { fileStack.removeLast() }
        let dir = PathText.dirname(absolute)
        if !interpreter.modulePaths.contains(dir) { interpreter.modulePaths.append(dir) }
        try interpreter.execute(module)
    }

    var currentBasedir: String {
        fileStack.last.map { PathText.dirname($0) } ?? workflow.basedir
    }

    /// "invalid byte 0xE9 at line 3, column 7" for the first byte that breaks UTF-8 decoding.
    static func firstInvalidUTF8(_ data: Data) -> String {
        let bytes = [UInt8](data)
        var line = 1, lineStart = 0, offset = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            let length = byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            let end = offset + length
            if length == 0 || end > bytes.count
                || String(bytes: bytes[offset..<end], encoding: .utf8) == nil {
                let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
                return "invalid byte 0x" + String(byte, radix: 16, uppercase: true) + " at line \(line), column \(column)"
            }
            if byte == 0x0A { line += 1; lineStart = end }
            offset = end
        }
        return "invalid UTF-8"
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return ExpandFunctions.normalize(path) }
        return ExpandFunctions.normalize(FileManager.default.currentDirectoryPath + "/" + path)
    }

    // MARK: SnakefileHost

    public func execute(_ statement: Stmt, file: SourceFile, interpreter: Interpreter) throws {
        switch statement.kind {
        case .rule(let decl):
            let rule = try RuleEvaluator(loader: self, file: file).evaluate(decl, statement: statement)
            try register(rule, at: statement.location)
        case .workflowDirective(let directive):
            try executeDirective(directive, file: file)
        case .module(let decl):
            try declareModule(decl, file: file)
        case .useRule(let decl):
            try useRule(decl, file: file)
        default:
            throw PyError.runtime("unexpected statement passed to the Snakemake host")
        }
    }

    public func importModule(_ name: String, interpreter: Interpreter) throws -> Value? {
        SnakemakeModules.module(named: name, loader: self)
    }

    /// Adds a rule; `use rule` may overwrite one of the same name (Snakemake's allow_overwrite).
    /// Rules of the main workflow get their storage files marked here; a module's rules when the
    /// main workflow uses them (after its `prefix:`, as Snakemake applies the default storage last).
    func register(_ rule: Rule, at location: SourceLocation, allowOverwrite: Bool = false) throws {
        if let context = moduleContext {
            if let i = context.rules.firstIndex(where: { $0.name == rule.name }) {
                guard allowOverwrite else { throw PyError("WorkflowError", "The name \(rule.name) is already used by another rule") }
                context.rules[i] = rule
            } else {
                context.rules.append(rule)
            }
            return
        }
        if workflow.rule(named: rule.name) != nil, !allowOverwrite {
            throw PyError("WorkflowError", "The name \(rule.name) is already used by another rule")
        }
        var rule = rule
        // The mark only keeps module prefixes from being applied twice while rules are used.
        func unmarked(_ f: IOFile) -> IOFile { var f = f; f.flags.remove(.pathModified); return f }
        rule.input = rule.input.map { name, item in
            guard case .file(let f) = item, f.flags.contains(.pathModified) else { return (name, item) }
            return (name, .file(unmarked(f)))
        }
        rule.output.items = rule.output.items.map(unmarked)
        rule.log.items = rule.log.items.map(unmarked)
        rule.benchmark = rule.benchmark.map(unmarked)
        workflow.applyStorage(to: &rule)
        workflow.addRule(rule)
    }

    // MARK: Workflow directives

    private func executeDirective(_ directive: Directive, file: SourceFile) throws {
        let name = directive.name
        switch directive.content {
        case .block(let body, let range):
            let block = CodeBlock(statements: body, text: Dedent.block(file.slice(range)), file: file, line: directive.location.line)
            switch name {
            case "onstart": workflow.onstart = block
            case "onsuccess": workflow.onsuccess = block
            case "onerror": workflow.onerror = block
            default: throw PyError("WorkflowError", "'\(name):' does not take a block of statements")
            }
            return
        case .arguments(let arguments):
            switch name {
            case "configfile":
                // A module gets its config from the `config:` of its `module` declaration.
                if moduleContext?.config != nil { return }
                if case .dict(let current)? = interpreter.globals.get("config"), current !== workflow.config { return }
                for value in try positionalValues(arguments, file: file) {
                    let path = try interpreter.str(value)
                    try loadConfigFile(path)
                }
            case "include":
                for value in try positionalValues(arguments, file: file) {
                    var path = try interpreter.str(value)
                    if !path.hasPrefix("/") { path = currentBasedir + "/" + path }
                    try run(path: path)
                }
            case "workdir":
                guard let value = try positionalValues(arguments, file: file).first else { return }
                let dir = try interpreter.str(value)
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                guard FileManager.default.changeCurrentDirectoryPath(dir) else {
                    throw PyError("WorkflowError", "workdir: cannot change into \(dir)")
                }
                workflow.workdir = dir
            case "localrules":
                for arg in arguments { workflow.localRules.formUnion(try ruleNames(arg.expr)) }
            case "ruleorder":
                for arg in arguments { workflow.ruleOrder.append(try ruleOrderChain(arg.expr)) }
            case "wildcard_constraints":
                for (key, value) in try keywordValues(arguments, file: file) {
                    workflow.wildcardConstraints[key] = try interpreter.str(value)
                }
            case "envvars":
                for value in try positionalValues(arguments, file: file) {
                    let variable = try interpreter.str(value)
                    workflow.envvars.append(variable)
                    if ProcessInfo.processInfo.environment[variable] == nil {
                        throw PyError("WorkflowError", "Expected environment variables are not set: \(variable)")
                    }
                }
            case "storage":
                try declareStorage(arguments, file: file, line: directive.location.line)
            case "pathvars":
                try pathvars.update(try keywordValues(arguments, file: file), level: .workflow, interpreter: interpreter)
            case "scattergather":
                for (key, value) in try keywordValues(arguments, file: file) {
                    guard case .int(let n) = value, n > 0 else {
                        throw PyError("WorkflowError", "scattergather: \(key) must be a positive integer")
                    }
                    scatterCounts[key] = n
                }
                workflow.wildcardConstraints["scatteritem"] = #"\d+-of-\d+"#
            case "container", "containerized", "conda", "singularity", "report", "pepschema",
                 "inputflags", "outputflags", "resource_scopes", "localrule":
                // Recorded or irrelevant without their subsystems; evaluating them still reports errors.
                _ = try positionalValues(arguments.filter { if case .positional = $0 { return true }; return false }, file: file)
                _ = try keywordValues(arguments.filter { if case .keyword = $0 { return true }; return false }, file: file)
            case "pepfile":
                throw PyError("WorkflowError", "pepfile: is not supported by flow (PEP projects need the peppy package)")
            default:
                throw PyError("WorkflowError", "unknown workflow directive '\(name)'")
            }
        }
    }

    func loadConfigFile(_ path: String) throws {
        var resolved = path
        if !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) {
            let relative = currentBasedir + "/" + path
            if FileManager.default.fileExists(atPath: relative) { resolved = relative }
        }
        // Snakemake: a missing `configfile:` is no error when `--configfile` gave the config instead.
        if !options.configFiles.isEmpty, !FileManager.default.fileExists(atPath: resolved) { return }
        configFilesRead.append(path)
        ConfigLoader.merge(try ConfigLoader.load(path: resolved, interpreter: interpreter), into: workflow.config)
        ConfigLoader.merge(overwriteConfig, into: workflow.config)
        try updatePathvarsFromConfig()
    }

    /// A `pathvars` mapping in the config (config file or --config) defines path variables.
    private func updatePathvarsFromConfig() throws {
        guard moduleContext == nil, case .dict(let given)? = workflow.config.get("pathvars") else { return }
        try pathvars.update(zip(given.keys, given.values).map { (try interpreter.str($0), $1) }, level: .config, interpreter: interpreter)
    }

    /// `localrules: a, b` gives names (bare identifiers, not evaluated).
    private func ruleNames(_ expr: Expr) throws -> [String] {
        switch expr.kind {
        case .name(let n): return [n]
        case .attribute(_, let n): return [n]
        case .tuple(let items): return try items.flatMap { try ruleNames($0) }
        default: throw PyError("WorkflowError", "expected rule names")
        }
    }

    /// `ruleorder: a > b > c` parses as a chained comparison of names.
    private func ruleOrderChain(_ expr: Expr) throws -> [String] {
        switch expr.kind {
        case .name(let n): return [n]
        case .compare(let first, let rest):
            var names = try ruleNames(first)
            for (op, operand) in rest {
                guard op == .greater else { throw PyError("WorkflowError", "ruleorder: rules must be separated by '>'") }
                names += try ruleNames(operand)
            }
            return names
        default: throw PyError("WorkflowError", "ruleorder: expected 'rule_a > rule_b'")
        }
    }

    func positionalValues(_ arguments: [Argument], file: SourceFile) throws -> [Value] {
        var values: [Value] = []
        for arg in arguments {
            switch arg {
            case .positional(let e): values.append(try interpreter.evaluate(e, file: file))
            case .star(let e): values += try interpreter.iterate(try interpreter.evaluate(e, file: file))
            case .keyword, .doubleStar: throw PyError("WorkflowError", "unexpected keyword argument in directive")
            }
        }
        return values
    }

    func keywordValues(_ arguments: [Argument], file: SourceFile) throws -> [(String, Value)] {
        var values: [(String, Value)] = []
        for arg in arguments {
            switch arg {
            case .keyword(let k, let e): values.append((k, try interpreter.evaluate(e, file: file)))
            case .doubleStar(let e):
                guard case .dict(let d) = try interpreter.evaluate(e, file: file) else { throw PyError.type("** needs a mapping") }
                for (k, v) in zip(d.keys, d.values) { values.append((try interpreter.str(k), v)) }
            default: throw PyError("WorkflowError", "expected name=value pairs")
            }
        }
        return values
    }

    // MARK: Python preamble for run: blocks

    /// Top-level statements without Snakemake constructs become the preamble of `run:` jobs.
    private func recordPreamble(_ module: Module) {
        for stmt in module.body where !WorkflowLoader.containsSnakemake(stmt) {
            if case .expression = stmt.kind { continue }
            workflow.pythonPreamble.append(module.file.slice(stmt.range))
        }
    }

    static func containsSnakemake(_ stmt: Stmt) -> Bool {
        switch stmt.kind {
        case .rule, .workflowDirective, .module, .useRule: return true
        case .ifStatement(_, let body, let orElse), .forLoop(_, _, let body, let orElse), .whileLoop(_, let body, let orElse):
            return (body + orElse).contains(where: containsSnakemake)
        case .tryStatement(let body, let handlers, let orElse, let finally):
            return (body + orElse + finally + handlers.flatMap(\.body)).contains(where: containsSnakemake)
        case .with(_, let body): return body.contains(where: containsSnakemake)
        case .matchStatement(_, let cases): return cases.flatMap(\.body).contains(where: containsSnakemake)
        case .functionDef(let def): return def.body.contains(where: containsSnakemake)
        default: return false
        }
    }
}

/// Removes the common leading whitespace of a block's lines (textwrap.dedent).
public enum Dedent {
    public static func block(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var common: Substring?
        for line in lines where !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
            let indent = line.prefix(while: { $0 == " " || $0 == "\t" })
            if let c = common {
                common = Substring(zip(c, indent).prefix(while: { $0 == $1 }).map(\.0))
            } else {
                common = indent
            }
        }
        let n = common?.count ?? 0
        return lines.map { $0.count >= n ? String($0.dropFirst(n)) : "" }.joined(separator: "\n")
    }
}
