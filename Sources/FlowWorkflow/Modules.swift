// `module NAME:` and `use rule ... from NAME as ... with:`.
//
// A module's Snakefile is evaluated by its own loader and interpreter (its own globals and
// config), collecting its rules without registering them; `use rule` then copies the chosen rules
// into this workflow, renamed by the `as` pattern, with paths prefixed by `prefix:` and
// directives replaced by the `with:` block (evaluated in the using Snakefile, as Snakemake does).

import Foundation
import FlowLang
import FlowSyntax

final class ModuleDefinition {
    var name: String
    var snakefile: String = ""
    /// A `meta_wrapper:` module's version tag: its rules' `wrapper: "master/..."` use it instead
    /// (Snakemake's replace_wrapper_tag, for meta-wrappers before 8.0.0).
    var wrapperTag: String?
    /// The `config:` given to the module (usually a dict; Snakemake accepts any value).
    var config: Value?
    var prefix: String?
    var replacePrefix: [(String, String)] = []
    var rules: [Rule] = []
    var loaded = false
    /// Keeps the module's interpreter (and thus its globals) alive for its rules' callables.
    var loader: WorkflowLoader?

    init(name: String) { self.name = name }
}

extension WorkflowLoader {
    func declareModule(_ decl: ModuleDecl, file: SourceFile) throws {
        let module = ModuleDefinition(name: decl.name)
        for directive in decl.directives {
            if directive.name == "name", case .arguments(let arguments) = directive.content,
               let value = try positionalValues(arguments, file: file).first {
                module.name = try interpreter.str(value)
            }
        }
        guard !module.name.isEmpty else { throw PyError("WorkflowError", "module: needs a name (module NAME: or name:)") }
        for directive in decl.directives {
            guard case .arguments(let arguments) = directive.content else {
                throw PyError("WorkflowError", "module \(decl.name): '\(directive.name):' does not take a block")
            }
            let values = try positionalValues(arguments.filter { if case .positional = $0 { return true }; return false }, file: file)
            let value = values.first ?? .none
            switch directive.name {
            case "snakefile":
                let path = try interpreter.str(value)
                module.snakefile = path.hasPrefix("/") ? path : currentBasedir + "/" + path
            case "config":
                module.config = value
            case "prefix":
                module.prefix = try interpreter.str(value)
            case "replace_prefix":
                guard case .dict(let d) = value else { throw PyError("WorkflowError", "module \(decl.name): replace_prefix: must be a dict") }
                module.replacePrefix = try zip(d.keys, d.values).map { (try interpreter.str($0), try interpreter.str($1)) }
            case "meta_wrapper":
                let spec = try interpreter.str(value)
                do {
                    module.snakefile = try wrappers.file(spec, names: ["/meta_wrapper.smk", "/test/Snakefile"], what: "meta_wrapper.smk or test/Snakefile")
                } catch let e as WrapperError {
                    throw PyError("WorkflowError", "module \(decl.name): \(e.description)")
                }
                let isURL = ["http", "file:", "git+file"].contains { spec.hasPrefix($0) }
                let tag = String(spec.prefix { $0 != "/" })
                if !isURL, let major = Self.wrapperMajorVersion(tag), major < 8 { module.wrapperTag = tag }
                if !isURL, Self.wrapperMajorVersion(tag) == nil { module.wrapperTag = tag }
            case "skip_validation", "name", "pathvars":
                break
            default:
                throw PyError("WorkflowError", "module \(decl.name): unknown directive '\(directive.name)'")
            }
        }
        guard !module.snakefile.isEmpty else { throw PyError("WorkflowError", "module \(decl.name): snakefile: is required") }
        modules[module.name] = module
        // The module's name is also a Python object giving access to its globals (`m.func()`).
        interpreter.globals.set(module.name, .object(ModuleNamespace(module: module, loader: self)))
    }

    func loadModule(_ module: ModuleDefinition) throws {
        guard !module.loaded else { return }
        var options = WorkflowOptions(snakefile: module.snakefile)
        options.cores = self.options.cores
        options.storage = self.options.storage
        options.defaultStorageProvider = self.options.defaultStorageProvider
        options.defaultStoragePrefix = self.options.defaultStoragePrefix
        options.foreignModules = self.options.foreignModules
        options.wrapperPrefix = self.options.wrapperPrefix
        var config: Value = .dict(PyDict())
        if case .dict(let d)? = module.config { config = .dict(d.copy()) } else if let other = module.config { config = other }
        let child = try WorkflowLoader(options: options, interpreter: Interpreter(), config: PyDict())
        child.interpreter.globals.set("config", config)
        child.moduleContext = module
        child.modules = [:]
        try child.run(path: module.snakefile)
        module.loader = child
        module.loaded = true
    }

    func useRule(_ decl: UseRuleDecl, file: SourceFile) throws {
        let sources: [Rule]
        var module: ModuleDefinition?
        if let written = decl.fromModule {
            // `from NAME` may also be a Python variable holding a module name (modules declared in a loop).
            var name = written
            if modules[name] == nil, let value = interpreter.globals.get(written)?.stringValue { name = value }
            guard let m = modules[name] else { throw PyError("WorkflowError", "use rule: module '\(written)' is not declared") }
            try loadModule(m)
            sources = m.rules
            module = m
        } else {
            sources = moduleContext?.rules ?? workflow.rules
        }
        let wildcard = decl.rules == ["*"]
        var chosen: [Rule] = []
        if wildcard {
            chosen = sources.filter { !decl.exclude.contains($0.name) }
        } else {
            for name in decl.rules {
                guard let rule = sources.first(where: { $0.name == name }) else {
                    throw PyError("WorkflowError", "use rule: rule '\(name)' not found\(decl.fromModule.map { " in module \($0)" } ?? "")")
                }
                chosen.append(rule)
            }
        }
        if let asName = decl.asName, !asName.contains("*"), chosen.count > 1 {
            throw PyError("WorkflowError", "use rule: 'as \(asName)' needs a '*' when several rules are used")
        }
        let evaluator = RuleEvaluator(loader: self, file: file)
        for source in chosen {
            var rule = source
            if var asName = decl.asName {
                // `as prefix*` where prefix is a Python variable (dynamic modules) uses its value.
                let stem = String(asName.prefix { $0 != "*" })
                if !stem.isEmpty, stem != asName, let value = interpreter.globals.get(stem)?.stringValue {
                    asName = value + asName.dropFirst(stem.count)
                }
                rule.name = asName.replacingOccurrences(of: "*", with: source.name)
            }
            if let module {
                rule = Self.modifyPaths(rule, module)
                if let tag = module.wrapperTag, case .wrapper(let spec) = rule.action, spec.hasPrefix("master/") {
                    rule.action = .wrapper(tag + spec.dropFirst("master".count))
                }
                // Snakemake imports a module like a top-level Snakefile (include with
                // overwrite_default_target): its own first rule may become the default target,
                // unless it comes from an include inside the module or `use rule` sits in an include.
                rule.isImported = source.isImported || fileStack.count > 1
            }
            for directive in decl.overrides { try evaluator.apply(directive, to: &rule) }
            if moduleContext == nil, workflow.localRules.contains(rule.name) { rule.isLocal = true }
            if decl.fromModule == nil, moduleContext == nil, workflow.rule(named: rule.name) != nil, rule.name == source.name {
                throw PyError("WorkflowError", "use rule \(source.name): the new rule needs a different name (use 'as')")
            }
            try register(rule, at: decl.location, allowOverwrite: true)
        }
    }

    /// "v7.2.0" -> 7; nil when the tag is no version (a branch such as master).
    static func wrapperMajorVersion(_ tag: String) -> Int? {
        guard tag.range(of: #"^v?[0-9]+\.[0-9]+\.[0-9]+"#, options: .regularExpression) != nil else { return nil }
        return Int(tag.drop { $0 == "v" }.prefix { $0.isNumber })
    }

    /// Applies a module's `prefix:` / `replace_prefix:` to the relative paths of a used rule.
    static func modifyPaths(_ rule: Rule, _ module: ModuleDefinition) -> Rule {
        guard module.prefix != nil || !module.replacePrefix.isEmpty else { return rule }
        func modify(_ path: String) -> String {
            if path.hasPrefix("/") || path.contains("://") { return path }
            for (old, new) in module.replacePrefix where path.hasPrefix(old) {
                return new + path.dropFirst(old.count)
            }
            if let prefix = module.prefix {
                return prefix.hasSuffix("/") ? prefix + path : prefix + "/" + path
            }
            return path
        }
        func modify(_ file: IOFile) -> IOFile { var f = file; f.pattern = modify(f.pattern); return f }
        var rule = rule
        rule.output.items = rule.output.items.map(modify)
        rule.log.items = rule.log.items.map(modify)
        rule.benchmark = rule.benchmark.map(modify)
        rule.input = rule.input.map { name, item in
            if case .file(let f) = item { return (name, .file(modify(f))) }
            return (name, item)
        }
        return rule
    }
}

/// `NAME` of `module NAME:` as a Python value: attribute access reads the module's globals.
final class ModuleNamespace: PyObject {
    let module: ModuleDefinition
    unowned let loader: WorkflowLoader
    init(module: ModuleDefinition, loader: WorkflowLoader) {
        self.module = module
        self.loader = loader
    }
    var typeName: String { "ModuleInfo" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        try loader.loadModule(module)
        return module.loader?.interpreter.globals.get(name)
    }
}
