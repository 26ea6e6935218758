// FlowWorkflow: the workflow model that evaluation of a Snakefile produces and the DAG consumes.
//
// Owns: rules with their directives (as values, patterns, or deferred callables), file flags,
// config, rule order, local rules and the default target; the Snakemake API visible to Snakefiles
// (expand, glob_wildcards, temp/protected/..., rules.X, checkpoints.X, workflow.*). It knows nothing
// about jobs, the file system state of outputs, SQLite or executors.

import FlowLang
import FlowStorage
import FlowSyntax

/// Snakemake's file flags (`temp()`, `protected()`, ...), as set on input/output/log patterns.
public struct FileFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let temp = FileFlags(rawValue: 1 << 0)
    public static let protected = FileFlags(rawValue: 1 << 1)
    public static let directory = FileFlags(rawValue: 1 << 2)
    public static let touch = FileFlags(rawValue: 1 << 3)
    public static let ancient = FileFlags(rawValue: 1 << 4)
    public static let pipe = FileFlags(rawValue: 1 << 5)
    /// `ensure(non_empty=True)`
    public static let nonEmpty = FileFlags(rawValue: 1 << 6)
    public static let update = FileFlags(rawValue: 1 << 7)
    public static let local = FileFlags(rawValue: 1 << 8)
    public static let service = FileFlags(rawValue: 1 << 9)
    /// `report(...)`: only recorded.
    public static let report = FileFlags(rawValue: 1 << 10)
    /// `before_update(...)` on an input: the file as it is before a job with `update()` changes it,
    /// i.e. an existing file used as a source rather than the output of its producer.
    public static let beforeUpdate = FileFlags(rawValue: 1 << 11)
    /// A storage query (`storage(...)`, `storage.NAME(...)`, a path mapped by the default storage
    /// provider, or any pattern with a URL scheme): the pattern is the query (`gs://bkt/a/{x}.txt`),
    /// which the engine stages through its local copy (`StorageURL.localCopy(of:)`).
    public static let storage = FileFlags(rawValue: 1 << 12)
    /// `storage(..., retrieve=False)`: the job reads the object in place, nothing is downloaded.
    public static let noRetrieve = FileFlags(rawValue: 1 << 13)
    /// `storage(..., keep_local=True)`: the local copy is kept after the run.
    public static let keepLocal = FileFlags(rawValue: 1 << 14)
    /// A path that a module's `prefix:`/`replace_prefix:` has changed already (`rules.X.output`
    /// of a used module rule): it is not changed again where another rule or function reuses it.
    public static let pathModified = FileFlags(rawValue: 1 << 15)
}

/// A file pattern (may contain `{wildcards}` and `{name,regex}` constraints) with its flags.
public struct IOFile: Hashable, Sendable {
    public var pattern: String
    public var flags: FileFlags
    /// `ensure(sha256=...)`
    public var sha256: String?
    /// `report(...)`: how the report shows the file.
    public var report: ReportAnnotation?

    public init(_ pattern: String, flags: FileFlags = [], sha256: String? = nil) {
        self.pattern = IOFile.withoutTrailingSlashes(pattern)
        self.flags = flags
        self.sha256 = sha256
    }

    /// Snakemake removes trailing slashes from every input, output and log path (`"dir/"` names
    /// the same file as `"dir"`, so a consumer of one finds the producer of the other).
    public static func withoutTrailingSlashes(_ path: String) -> String {
        guard path.utf8.last == UInt8(ascii: "/") else { return path }
        return String(path.dropLast(path.reversed().prefix { $0 == "/" }.count))
    }
}

/// `report(path, caption=..., category=..., subcategory=...)`: the caption is a file (reStructuredText
/// in Snakemake) relative to the Snakefile.
public struct ReportAnnotation: Hashable, Sendable {
    public var caption: String?
    public var category: String?
    public var subcategory: String?
    public init(caption: String? = nil, category: String? = nil, subcategory: String? = nil) {
        self.caption = caption
        self.category = category
        self.subcategory = subcategory
    }
}

/// Positional items with optional names over ranges of them: Snakemake's `Namedlist`
/// (`input[0]`, `input.reads` where `reads` may name one item or several).
public struct NamedList<Element> {
    public var items: [Element]
    public var names: [(name: String, range: Range<Int>)]

    public init(items: [Element] = [], names: [(name: String, range: Range<Int>)] = []) {
        self.items = items
        self.names = names
    }

    public mutating func append(_ element: Element, name: String? = nil) {
        if let name { names.append((name, items.count..<items.count + 1)) }
        items.append(element)
    }

    public mutating func append(contentsOf elements: [Element], name: String? = nil) {
        if let name { names.append((name, items.count..<items.count + elements.count)) }
        items.append(contentsOf: elements)
    }

    public func range(named name: String) -> Range<Int>? { names.first(where: { $0.name == name })?.range }
    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }
}

/// One entry of a rule's `input:` before wildcards are known.
public enum InputItem {
    /// A pattern string (after `expand()` etc. at definition time).
    case file(IOFile)
    /// An input function or lambda, called with the job's wildcards; returns a str, a Path, or a
    /// list of them. `flags` come from wrapping the function (`ancient(lambda w: ...)`).
    case function(Value, flags: FileFlags)
    /// `unpack(f)`: f returns a dict (its keys become input names) or a list.
    case unpack(Value)
}

/// What a rule does when its job runs.
public enum RuleAction {
    case none
    /// The `shell:` command template, formatted at job time.
    case shell(String)
    /// A `run:` block: Python executed by python3 at job time.
    case run(CodeBlock)
    /// `script:` path template (relative to the defining Snakefile's directory).
    case script(String)
    /// `wrapper:` spec ("v1.2.3/bio/tool"): a script fetched from the wrapper prefix at job time.
    case wrapper(String)
    /// `template_engine:` ("yte" or "jinja2"): the job renders its one input into its one output.
    case templateEngine(String)
    /// `notebook:`, `cwl:`: parsed, rejected when a job needs it.
    case unsupported(directive: String, value: String)
}

/// Source code carried from the Snakefile to job execution (`run:`, `onstart:` ...).
public struct CodeBlock {
    public var statements: [Stmt]
    /// The block's text, dedented so that it parses as top-level Python.
    public var text: String
    public var file: SourceFile
    public var line: Int

    public init(statements: [Stmt], text: String, file: SourceFile, line: Int) {
        self.statements = statements
        self.text = text
        self.file = file
        self.line = line
    }
}

/// A rule after evaluation of its directives at definition time. Values that depend on the job
/// (input functions, params/resources/threads callables) stay as callable `Value`s.
public struct Rule {
    public var name: String
    /// Definition order (0-based); also Snakemake's tie-breaker of last resort.
    public var index: Int
    public var isCheckpoint = false
    public var docstring: String?

    /// `input:` items in order. Consecutive items with the same name form one named range
    /// (`reads=["a.fq", "b.fq"]` gives two items named "reads"; `input.reads` is both files).
    public var input: [(name: String?, item: InputItem)] = []
    public var output = NamedList<IOFile>()
    public var log = NamedList<IOFile>()
    public var benchmark: IOFile?
    /// `benchmark: repeat("b.tsv", n)`
    public var benchmarkRepeats = 1
    /// `params:`; values may be callables over (wildcards, input, output, threads, resources).
    public var params: [(name: String?, value: Value)] = []
    /// `threads:`; an int or a callable. nil = 1.
    public var threads: Value?
    /// `resources:`; values may be ints, strings or callables over (wildcards, input, threads, attempt).
    public var resources: [(name: String, value: Value)] = []
    public var priority = 0
    /// `priority: lambda wildcards, ...: ...`, evaluated per job (overrides `priority`).
    public var priorityFunction: Value?
    public var message: String?
    public var action: RuleAction = .none
    /// `shell: f"..."`: Snakemake evaluates the f-string again when the job runs, with `input`,
    /// `output`, `params`, `wildcards`, ... bound to the job's; called with those as keywords.
    public var shellAtJobTime: Value?
    /// Per-rule `wildcard_constraints:` (name -> regex).
    public var wildcardConstraints: [String: String] = [:]
    public var isLocal = false
    public var group: Value?
    public var retries: Int?
    /// `shadow:` mode: "minimal", "shallow", "full" or "copy-minimal".
    public var shadow: String?
    public var isDefaultTarget = false
    /// Defined in an `include:`d file or imported with `use rule ... from MODULE`: such rules are
    /// never the implicit default target (Snakemake includes with overwrite_default_target=False).
    public var isImported = false
    public var handover = false
    public var cache = false
    /// Output pattern -> function giving its expected SHA-256 (`ensure(sha256=lambda w: ...)`).
    public var outputChecksumFunctions: [String: Value] = [:]
    /// `conda:`, `container:`, `envmodules:`: recorded for the software-env rerun trigger.
    public var software: [String: String] = [:]

    /// `rules.X.output` items written in `input:`, by input index: the rule that produces them
    /// (Snakemake looks for their producer among that rule's jobs only).
    public var inputProducers: [Int: String] = [:]
    /// The path variables of the rule's context (workflow or module), without its own.
    public var pathvarsContext = Pathvars.defaults
    /// The rule's own `pathvars:` (the most specific level).
    public var ownPathvars: [(String, String)] = []
    /// Context and own pathvars together: what `<name>` in the rule's paths and in its input
    /// functions' results means.
    public var pathvars = Pathvars.defaults
    /// Input, output, log and benchmark as written (pathvars unresolved), for `use rule ... with:`.
    var writtenFiles: WrittenFiles?
    /// The `prefix:`/`replace_prefix:` of the modules the rule was used from (innermost first);
    /// also applied to the results of its input functions.
    public var pathModifiers: [PathModifier] = []
    /// The global `wildcard_constraints:` of the module the rule comes from: they replace the
    /// using workflow's for this rule (each module has its own).
    public var moduleWildcardConstraints: [String: String]?
    /// The `config` of the module the rule comes from (what `{config}` means in its commands).
    public var moduleConfig: Value?

    /// Where the rule was defined.
    public var file: SourceFile
    public var line: Int
    /// Directory of the defining Snakefile: base for `script:` and relative `include:` paths.
    public var basedir: String

    public init(name: String, index: Int, file: SourceFile, line: Int, basedir: String) {
        self.name = name
        self.index = index
        self.file = file
        self.line = line
        self.basedir = basedir
    }
}

/// The result of evaluating a Snakefile (and everything it includes).
public final class Workflow {
    public private(set) var rules: [Rule] = []
    private var ruleIndex: [String: Int] = [:]

    /// The interpreter whose globals the rules' callables close over; the DAG calls input
    /// functions through it.
    public let interpreter: Interpreter
    /// `config` as Snakefiles see it (a dict shared with the interpreter's globals).
    public var config: PyDict
    /// Workflow-level `wildcard_constraints:`.
    public var wildcardConstraints: [String: String] = [:]
    /// `ruleorder: a > b > c` chains, each highest priority first.
    public var ruleOrder: [[String]] = []
    public var localRules: Set<String> = []
    /// The `groupid` input functions that ask for it receive (`--local-groupid`; Snakemake passes
    /// it to jobs that run on the submitting machine).
    public var groupID = "local"
    /// `workdir:` (applied by the engine before the DAG is built).
    public var workdir: String?
    public var onstart: CodeBlock?
    public var onsuccess: CodeBlock?
    public var onerror: CodeBlock?
    /// `envvars:` that must be set.
    public var envvars: [String] = []
    /// The main Snakefile and its directory (`workflow.basedir`).
    public var snakefile: String
    public var basedir: String
    /// The Python source of the Snakefile's top-level code other than rules (imports, functions,
    /// globals) that `run:` blocks and `onstart:` handlers may use in python3.
    public var pythonPreamble: [String] = []
    /// `storage:` and `storage NAME:` blocks, in the order they were declared.
    public var storageProviders: [StorageProviderDeclaration] = []
    /// `--default-storage-provider/--default-storage-prefix` (validated): nil when not set.
    public internal(set) var defaultStorage: DefaultStorage?
    /// Where files live: Snakefile helpers (`exists()`, `glob_wildcards`, sizes, checkpoints) ask it.
    public let storage: Storage

    /// Decides whether a checkpoint job is finished, given its rule name and formatted outputs;
    /// the DAG sets it (a checkpoint that must (re)run is not finished even if its outputs exist).
    /// Without it, `checkpoints.X.get()` checks that the outputs exist.
    public var checkpointCompletion: ((String, [String]) -> Bool)?

    /// The loader that evaluated this workflow: `checkpoints`, `workflow` and module objects
    /// refer back to it while jobs and input functions run, so it lives as long as the workflow.
    public var evaluationHost: AnyObject?

    public init(interpreter: Interpreter, snakefile: String, basedir: String, storage: Storage = Storage()) {
        self.interpreter = interpreter
        self.storage = storage
        self.config = PyDict()
        self.snakefile = snakefile
        self.basedir = basedir
    }

    public func rule(named name: String) -> Rule? { ruleIndex[name].map { rules[$0] } }
    public func ruleIndex(named name: String) -> Int? { ruleIndex[name] }

    /// Adds a rule (or replaces one with the same name, as `use rule` may).
    @discardableResult
    public func addRule(_ rule: Rule) -> Int {
        var rule = rule
        if let existing = ruleIndex[rule.name] {
            rule.index = existing
            rules[existing] = rule
            return existing
        }
        rule.index = rules.count
        ruleIndex[rule.name] = rules.count
        rules.append(rule)
        return rule.index
    }

    public func updateRule(at index: Int, _ body: (inout Rule) -> Void) { body(&rules[index]) }

    /// The rule built when no target is given: the one marked `default_target: True`, else the first.
    /// Rules imported from modules only count when nothing else is there (as in Snakemake).
    public var defaultTarget: Rule? {
        rules.first(where: { $0.isDefaultTarget }) ?? rules.first(where: { !$0.isImported }) ?? rules.first
    }
}

/// A Python-visible path that carries Snakemake flags: what `temp(...)`, `ancient(...)`,
/// `directory(...)` return when applied to a str (or to an input function's result). The DAG
/// reads the flags of input-function results through this protocol.
public protocol FlaggedPath: PyStringLike {
    var ioFile: IOFile { get }
}
