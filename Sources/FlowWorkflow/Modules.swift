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
    /// The using workflow's pathvars with the module's `pathvars:` and its config's `pathvars`.
    var pathvars = Pathvars.defaults
    var rules: [Rule] = []
    var loaded = false
    /// Keeps the module's interpreter (and thus its globals) alive for its rules' callables.
    var loader: WorkflowLoader?
    /// The workflow that declared the module, and the names its rules got there by `use rule`:
    /// `rules.X` inside the module means the used rule once there is one.
    weak var user: WorkflowLoader?
    var usedNames: [String: String] = [:]
    /// `use rule * from` this module, by `as` pattern ("" without one): the rules used again
    /// under the same names since (each may be, once; Snakemake's check_overwrite).
    var starImports: [String: Set<String>] = [:]

    var pathModifier: PathModifier { PathModifier(prefix: prefix, replacePrefix: replacePrefix) }

    init(name: String) { self.name = name }
}

extension WorkflowLoader {
    func declareModule(_ decl: ModuleDecl, file: SourceFile) throws {
        let module = ModuleDefinition(name: decl.name)
        for directive in decl.directives {
            if directive.name == "name", case .arguments(let arguments) = directive.content,
               let value = try positionalValues(arguments, file: file).first {
                if !decl.name.isEmpty {
                    throw PyError("WorkflowError", "Ambiguous module name. A module name was provided directly after the module "
                        + "keyword (\(decl.name)). Another module name was provided by the name keyword (line \(directive.location.line)).")
                }
                module.name = try interpreter.str(value)
            }
        }
        module.user = self
        var pathvarsGiven: [(String, Value)] = []
        guard !module.name.isEmpty else { throw PyError("WorkflowError", "module: needs a name (module NAME: or name:)") }
        for directive in decl.directives {
            guard case .arguments(let arguments) = directive.content else {
                throw PyError("WorkflowError", "module \(decl.name): '\(directive.name):' does not take a block")
            }
            if directive.name == "pathvars" {
                pathvarsGiven = try keywordValues(arguments, file: file)
                continue
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
        // Module pathvars (its `pathvars:`, then those in the config passed to it) beat the using workflow's.
        module.pathvars = pathvars
        try module.pathvars.update(pathvarsGiven, level: .module, interpreter: interpreter)
        if case .dict(let config)? = module.config, case .dict(let given)? = config.get("pathvars") {
            try module.pathvars.update(zip(given.keys, given.values).map { (try interpreter.str($0), $1) }, level: .module, interpreter: interpreter)
        }
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
        child.pathvars = module.pathvars
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
        if wildcard, !decl.overrides.isEmpty {
            throw PyError("WorkflowError", "Keyword 'with' in 'use rule' statement is not allowed in combination with rule pattern '*' "
                + "(line \(decl.location.line)): use the rules with `use rule * from ...`, then change single ones with `use rule NAME from ... with:`.")
        }
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
        // Module rules may replace rules of the same name only where a `use rule *` made them
        // and this is the first `use rule` that changes them.
        var allowOverwrite = true
        if let module {
            let pattern = decl.asName ?? ""
            func rename(_ rule: String, _ pattern: String) -> String {
                pattern.isEmpty ? rule : pattern.replacingOccurrences(of: "*", with: rule)
            }
            if wildcard {
                module.starImports[pattern] = []
                allowOverwrite = false
            } else {
                var matched = Set<String>()
                for rule in decl.rules {
                    for star in module.starImports.keys.sorted() where rename(rule, star) == rename(rule, pattern) {
                        if module.starImports[star]!.contains(rule) {
                            throw PyError("WorkflowError", "use rule \(rule) from \(module.name): the rule is imported with the same name "
                                + "modifier and modified more than once (line \(decl.location.line))")
                        }
                        matched.insert(rule)
                        module.starImports[star]!.insert(rule)
                    }
                }
                allowOverwrite = matched == Set(decl.rules)
            }
        }
        let evaluator = RuleEvaluator(loader: self, file: file)
        let overridden = Set(decl.overrides.map(\.name))
        var renamed: [(source: Rule, name: String)] = []
        for source in chosen {
            var name = source.name
            if var asName = decl.asName {
                // `as prefix*` where prefix is a Python variable (dynamic modules) uses its value.
                let stem = String(asName.prefix { $0 != "*" })
                if !stem.isEmpty, stem != asName, let value = interpreter.globals.get(stem)?.stringValue {
                    asName = value + asName.dropFirst(stem.count)
                }
                name = asName.replacingOccurrences(of: "*", with: source.name)
            }
            renamed.append((source, name))
            module?.usedNames[source.name] = name
        }
        for (source, name) in renamed {
            var rule = source
            rule.name = name
            // The patterns as written get this use's `with:` changes, then path variables, then
            // the module's prefix (not on the directives `with:` replaced, as in Snakemake).
            rule.restoreWrittenFiles()
            for directive in decl.overrides { try evaluator.apply(directive, to: &rule, overriding: true) }
            try rule.resolvePathvars()
            if let module {
                // Rules of the module named in inputs (`rules.a.output`) are known here by their new names.
                rule.inputProducers = rule.inputProducers.mapValues { module.usedNames[$0] ?? $0 }
                try rule.modifyPaths(module.pathModifier, skipping: overridden)
                if let tag = module.wrapperTag, case .wrapper(let spec) = rule.action, spec.hasPrefix("master/") {
                    rule.action = .wrapper(tag + spec.dropFirst("master".count))
                }
                // Snakemake imports a module like a top-level Snakefile (include with
                // overwrite_default_target): its own first rule may become the default target,
                // unless it comes from an include inside the module or `use rule` sits in an include.
                rule.isImported = source.isImported || fileStack.count > 1
                // The module's global wildcard_constraints, not this workflow's, hold for its rules.
                if rule.moduleConfig == nil { rule.moduleConfig = module.loader?.interpreter.globals.get("config") }
                if rule.moduleWildcardConstraints == nil {
                    rule.moduleWildcardConstraints = module.loader?.workflow.wildcardConstraints ?? [:]
                }
            }
            if moduleContext == nil, workflow.localRules.contains(rule.name) { rule.isLocal = true }
            if decl.fromModule == nil, moduleContext == nil, workflow.rule(named: rule.name) != nil, rule.name == source.name {
                throw PyError("WorkflowError", "use rule \(source.name): the new rule needs a different name (use 'as')")
            }
            try register(rule, at: decl.location, allowOverwrite: allowOverwrite)
        }
    }

    /// "v7.2.0" -> 7; nil when the tag is no version (a branch such as master).
    static func wrapperMajorVersion(_ tag: String) -> Int? {
        guard tag.range(of: #"^v?[0-9]+\.[0-9]+\.[0-9]+"#, options: .regularExpression) != nil else { return nil }
        return Int(tag.drop { $0 == "v" }.prefix { $0.isNumber })
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
