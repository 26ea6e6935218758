// The abstract syntax tree of a Snakefile: Python statements and expressions plus Snakemake's
// rule/checkpoint/module/use-rule statements and workflow-level directives.
//
// Every node carries the SourceLocation of its first token so that evaluation errors can point at
// `file:line:col`. Statements also carry their UTF-8 byte range in the source file: the engine hands
// `run:` blocks and top-level Python code to python3 at job time, and hashes rule code for rerun
// triggers, both of which need the original text.

// MARK: - Expressions

public struct Expr: Sendable {
    public var kind: ExprKind
    public var location: SourceLocation
    public init(_ kind: ExprKind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

public indirect enum ExprKind: Sendable {
    case name(String)
    case none
    case bool(Bool)
    case ellipsis
    case int(Int)
    case float(Double)
    /// A string literal after escape processing and implicit concatenation of adjacent literals.
    /// Bytes literals (b"...") are represented as strings too.
    case string(String)
    /// An f-string (or a concatenation that contains at least one f-string).
    case fstring([FStringPart])

    case list([Expr])
    case tuple([Expr])
    case set([Expr])
    case dict([DictItem])

    case attribute(Expr, String)
    /// `value[index]`; a slice index is an `.slice` expression, `a[1, 2]` a `.tuple`.
    case `subscript`(Expr, Expr)
    case slice(lower: Expr?, upper: Expr?, step: Expr?)
    case call(Expr, [Argument])

    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// `and` / `or` (short-circuit).
    case logical(LogicalOperator, Expr, Expr)
    /// `a < b <= c`: the first operand and each (operator, operand) pair.
    case compare(Expr, [(CompareOperator, Expr)])
    case conditional(test: Expr, then: Expr, orElse: Expr)
    case lambda(Parameters, Expr)

    /// `[x for ...]`, `{x for ...}`, `(x for ...)`.
    case comprehension(ComprehensionKind, element: Expr, clauses: [ComprehensionClause])
    case dictComprehension(key: Expr, value: Expr, clauses: [ComprehensionClause])
    /// `*x` inside a display, call or assignment target.
    case starred(Expr)
    /// `name := value`.
    case namedExpr(String, Expr)
    /// `yield` / `yield value` (only so generator functions fail with a clear error).
    case yield(Expr?)
}

public enum FStringPart: Sendable {
    case literal(String)
    /// `{expr!conversion:spec}`; `debugText` is set for the `{expr=}` form (the text before `=`).
    case expression(Expr, conversion: Character?, formatSpec: [FStringPart]?, debugText: String?)
}

public enum DictItem: Sendable {
    case pair(Expr, Expr)
    /// `**mapping` inside a dict display.
    case unpack(Expr)
}

public enum Argument: Sendable {
    case positional(Expr)
    case keyword(String, Expr)
    /// `*iterable`
    case star(Expr)
    /// `**mapping`
    case doubleStar(Expr)

    public var expr: Expr {
        switch self {
        case .positional(let e), .keyword(_, let e), .star(let e), .doubleStar(let e): return e
        }
    }
}

public enum ComprehensionKind: Sendable { case list, set, generator }

public enum ComprehensionClause: Sendable {
    case forIn(target: Expr, iterable: Expr)
    case ifCondition(Expr)
}

public enum UnaryOperator: String, Sendable { case negate = "-", plus = "+", not = "not", invert = "~" }

public enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
    case power = "**", matrixMultiply = "@"
    case bitAnd = "&", bitOr = "|", bitXor = "^", leftShift = "<<", rightShift = ">>"
}

public enum LogicalOperator: String, Sendable { case and, or }

public enum CompareOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case `in` = "in", notIn = "not in", `is` = "is", isNot = "is not"
}

public struct Parameter: Sendable {
    public enum Kind: Sendable {
        case normal
        /// `*args`
        case varArgs
        /// `**kwargs`
        case varKeywords
        /// declared after `*` or `*args`
        case keywordOnly
    }
    public var name: String
    public var kind: Kind
    public var defaultValue: Expr?
    public var location: SourceLocation
    public init(name: String, kind: Kind, defaultValue: Expr?, location: SourceLocation) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.location = location
    }
}

public typealias Parameters = [Parameter]

// MARK: - Statements

public struct Stmt: Sendable {
    public var kind: StmtKind
    public var location: SourceLocation
    /// UTF-8 byte range of the statement's full text (including nested blocks) in its SourceFile.
    public var range: Range<Int>
    public init(_ kind: StmtKind, at location: SourceLocation, range: Range<Int>) {
        self.kind = kind
        self.location = location
        self.range = range
    }
}

public indirect enum StmtKind: Sendable {
    case expression(Expr)
    /// `a = b = value`: every target receives the value (targets may be tuples, subscripts, attributes).
    case assign(targets: [Expr], value: Expr)
    case augmentedAssign(target: Expr, op: BinaryOperator, value: Expr)
    /// `x: T = value` (the annotation is parsed and ignored).
    case annotatedAssign(target: Expr, annotation: Expr, value: Expr?)
    case functionDef(FunctionDef)
    case classDef(ClassDef)
    case `return`(Expr?)
    /// `elif` chains are nested `.ifStatement`s in `orElse`.
    case ifStatement(test: Expr, body: [Stmt], orElse: [Stmt])
    case forLoop(target: Expr, iterable: Expr, body: [Stmt], orElse: [Stmt])
    case whileLoop(test: Expr, body: [Stmt], orElse: [Stmt])
    case `break`
    case `continue`
    case pass
    /// `import a.b as c, d`
    case importModules([ImportName])
    /// `from .a.b import x as y, z` / `from m import *` (names == nil); `level` counts leading dots.
    case importFrom(module: String, level: Int, names: [ImportName]?)
    case global([String])
    case nonlocal([String])
    case delete([Expr])
    case assert(Expr, message: Expr?)
    case tryStatement(body: [Stmt], handlers: [ExceptHandler], orElse: [Stmt], finally: [Stmt])
    case raise(Expr?, cause: Expr?)
    case with(items: [WithItem], body: [Stmt])
    /// `match subject:` with its `case PATTERN [if GUARD]:` blocks (Python 3.10).
    case matchStatement(subject: Expr, cases: [MatchCase])

    // Snakemake grammar
    /// `rule NAME:` / `rule:` / `checkpoint NAME:` with its directives.
    case rule(RuleDecl)
    /// A workflow-level directive: `configfile:`, `include:`, `workdir:`, `localrules:`, `ruleorder:`,
    /// `wildcard_constraints:`, `envvars:`, `container:`, `containerized:`, `conda:`, `report:`,
    /// `pepfile:`, `pepschema:`, `scattergather:`, `storage:`, `inputflags:`, `outputflags:`,
    /// `pathvars:`, `resource_scopes:`, and the handlers `onstart:`, `onsuccess:`, `onerror:`
    /// (whose content is a block of statements). A named `storage NAME:` block gives a `storage`
    /// directive whose first argument is the keyword `tag="NAME"`.
    case workflowDirective(Directive)
    /// `module NAME:` followed by directives (`snakefile:`, `config:`, `prefix:`, `replace_prefix:`, ...).
    case module(ModuleDecl)
    /// `use rule a, b from m as x_* exclude c with: <directives>`.
    case useRule(UseRuleDecl)
}

public struct ImportName: Sendable {
    /// Dotted module path (`os.path`) or, in `from ... import`, the imported name.
    public var name: String
    public var asName: String?
    public init(name: String, asName: String?) {
        self.name = name
        self.asName = asName
    }
}

public struct FunctionDef: Sendable {
    public var name: String
    public var parameters: Parameters
    public var body: [Stmt]
    public var decorators: [Expr]
    public var docstring: String?
    public init(name: String, parameters: Parameters, body: [Stmt], decorators: [Expr], docstring: String?) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.decorators = decorators
        self.docstring = docstring
    }
}

public struct ClassDef: Sendable {
    public var name: String
    public var bases: [Argument]
    public var body: [Stmt]
    public var decorators: [Expr]
    public init(name: String, bases: [Argument], body: [Stmt], decorators: [Expr]) {
        self.name = name
        self.bases = bases
        self.body = body
        self.decorators = decorators
    }
}

public struct ExceptHandler: Sendable {
    /// nil for a bare `except:`; may be a tuple of types.
    public var type: Expr?
    public var name: String?
    public var body: [Stmt]
    public var location: SourceLocation
    public init(type: Expr?, name: String?, body: [Stmt], location: SourceLocation) {
        self.type = type
        self.name = name
        self.body = body
        self.location = location
    }
}

/// A `case` of a `match` statement.
public struct MatchCase: Sendable {
    public var pattern: Pattern
    public var guardTest: Expr?
    public var body: [Stmt]
    public init(pattern: Pattern, guardTest: Expr?, body: [Stmt]) {
        self.pattern = pattern
        self.guardTest = guardTest
        self.body = body
    }
}

/// Structural patterns (PEP 634).
public indirect enum Pattern: Sendable {
    /// `_`
    case wildcard
    /// A bare name: matches anything and binds it.
    case capture(String)
    /// A literal or a dotted name, compared with `==` (`None`, `True`, `False` by identity).
    case value(Expr)
    /// `[p, *rest, q]` / `(p, q)` / `p, q`; a star item is `.star(name or nil for *_)`.
    case sequence([Pattern])
    case star(String?)
    /// `{key: p, **rest}`
    case mapping(keys: [Expr], values: [Pattern], rest: String?)
    /// `Cls(p, attr=q)`
    case classPattern(cls: Expr, positional: [Pattern], keywords: [(name: String, pattern: Pattern)])
    /// `p | q`
    case or([Pattern])
    /// `p as name`
    case capturing(Pattern, name: String)

    /// The names a successful match binds.
    public var boundNames: [String] {
        switch self {
        case .wildcard, .value: return []
        case .capture(let n): return [n]
        case .star(let n): return n.map { [$0] } ?? []
        case .sequence(let items): return items.flatMap(\.boundNames)
        case .mapping(_, let values, let rest): return values.flatMap(\.boundNames) + (rest.map { [$0] } ?? [])
        case .classPattern(_, let positional, let keywords): return positional.flatMap(\.boundNames) + keywords.flatMap(\.pattern.boundNames)
        case .or(let options): return options.first?.boundNames ?? []
        case .capturing(let p, let n): return p.boundNames + [n]
        }
    }
}

public struct WithItem: Sendable {
    public var context: Expr
    public var target: Expr?
    public init(context: Expr, target: Expr?) {
        self.context = context
        self.target = target
    }
}

// MARK: - Snakemake declarations

/// One `name: content` directive inside a rule, module, `use rule ... with:` or at workflow level.
public struct Directive: Sendable {
    public enum Content: Sendable {
        /// Everything except blocks: the content parses as the argument list of a call, so
        /// `input: "a", b="c"` gives two arguments, `threads: 4` one, `shell: "a" "b"` one string,
        /// `ruleorder: a > b > c` one comparison expression, `localrules: a, b` two names.
        case arguments([Argument])
        /// `run:`, `onstart:`, `onsuccess:`, `onerror:`: an indented block of statements.
        /// `range` is the UTF-8 byte range of the block's text (for hashing and code generation).
        case block([Stmt], range: Range<Int>)
    }
    public var name: String
    public var content: Content
    public var location: SourceLocation
    public init(name: String, content: Content, at location: SourceLocation) {
        self.name = name
        self.content = content
        self.location = location
    }
}

public struct RuleDecl: Sendable {
    public enum Kind: String, Sendable { case rule, checkpoint }
    public var kind: Kind
    /// nil for anonymous `rule:`.
    public var name: String?
    public var docstring: String?
    public var directives: [Directive]
    public var location: SourceLocation
    public init(kind: Kind, name: String?, docstring: String?, directives: [Directive], location: SourceLocation) {
        self.kind = kind
        self.name = name
        self.docstring = docstring
        self.directives = directives
        self.location = location
    }
}

public struct ModuleDecl: Sendable {
    /// "" for an anonymous `module:`, whose name then comes from its `name:` directive.
    public var name: String
    public var directives: [Directive]
    public var location: SourceLocation
    public init(name: String, directives: [Directive], location: SourceLocation) {
        self.name = name
        self.directives = directives
        self.location = location
    }
}

public struct UseRuleDecl: Sendable {
    /// Rule names or patterns; `["*"]` for `use rule * from m`.
    public var rules: [String]
    /// The module name after `from`; nil when re-using a rule of this workflow.
    public var fromModule: String?
    /// The name after `as` (may contain `*`, e.g. `other_*`).
    public var asName: String?
    public var exclude: [String]
    /// Directives after `with:` that override the used rule's ones.
    public var overrides: [Directive]
    public var location: SourceLocation
    public init(rules: [String], fromModule: String?, asName: String?, exclude: [String], overrides: [Directive], location: SourceLocation) {
        self.rules = rules
        self.fromModule = fromModule
        self.asName = asName
        self.exclude = exclude
        self.overrides = overrides
        self.location = location
    }
}

/// A parsed file: its statements and the SourceFile they point into.
public struct Module: Sendable {
    public var file: SourceFile
    public var body: [Stmt]
    public init(file: SourceFile, body: [Stmt]) {
        self.file = file
        self.body = body
    }
}

/// Directive names that `rule`/`checkpoint` bodies accept. Unsupported ones are parsed and rejected
/// at run time by the engine, never by the parser.
public let ruleDirectiveNames: [String] = [
    "input", "output", "params", "log", "benchmark", "threads", "resources", "priority", "message",
    "shell", "run", "script", "wildcard_constraints", "localrule", "group", "retries", "shadow", "cache",
    "default_target", "handover", "conda", "container", "singularity", "envmodules", "notebook",
    "wrapper", "cwl", "template_engine", "name", "pathvars",
]

/// Directive names accepted at workflow (top) level, besides `rule`, `checkpoint`, `module`, `use`.
public let workflowDirectiveNames: [String] = [
    "configfile", "include", "workdir", "localrules", "ruleorder", "wildcard_constraints", "envvars",
    "container", "containerized", "conda", "singularity", "report", "pepfile", "pepschema", "scattergather",
    "storage", "inputflags", "outputflags", "onstart", "onsuccess", "onerror", "pathvars", "resource_scopes",
    "localrule",
]

/// Directive names accepted in a `module NAME:` body.
public let moduleDirectiveNames: [String] = [
    "snakefile", "config", "skip_validation", "meta_wrapper", "replace_prefix", "prefix", "name", "pathvars",
]
