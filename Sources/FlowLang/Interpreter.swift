// The interpreter's public face: executing a parsed Module, evaluating expressions and the
// operations on values that builtins, stdlib modules and the Snakemake layer share.
//
// This file holds the interpreter's state and the public entry points; the work is done in
// Eval/ (statements, expressions, scopes, calls), Values/ (str/repr/compare/iterate/subscript),
// Objects/ (functions, classes, iterators, files), Builtins/ and Format/.

import FlowSyntax

/// The Snakemake layer implements this to give meaning to the Snakemake statements in the AST
/// (`rule`, `checkpoint`, workflow directives, `module`, `use rule`) and to provide host modules.
public protocol SnakefileHost: AnyObject {
    /// Executes a `.rule`, `.workflowDirective`, `.module` or `.useRule` statement.
    func execute(_ statement: Stmt, file: SourceFile, interpreter: Interpreter) throws
    /// Provides a module the interpreter does not know (`snakemake`, `snakemake.utils`, ...); nil if unknown.
    func importModule(_ name: String, interpreter: Interpreter) throws -> Value?
}

/// Imports modules from outside flow's own set from a foreign runtime (CPython, in FlowPython).
/// FlowLang knows only this protocol; whoever creates the interpreter may register one. It is
/// asked last, after the standard library, the host's modules and local `.py` files.
public protocol ForeignModuleLoader: AnyObject {
    /// The module as a value, or nil when the foreign runtime has no such module. Throws when the
    /// runtime itself cannot be loaded (with a message saying how to point flow at one).
    func importModule(_ name: String, interpreter: Interpreter) throws -> Value?
}

public final class Interpreter {
    /// The module-level namespace of the Snakefile being evaluated.
    public let globals: PyDict
    public weak var host: SnakefileHost?
    /// Where modules outside flow's own set come from (nil: such imports fail).
    public var foreignModules: ForeignModuleLoader?
    /// Directories searched for local `.py` modules (`import foo` next to the Snakefile).
    public var modulePaths: [String] = []
    /// Where `print()` without `file=` writes (stdout by default; tests capture it).
    public var standardOutput: (String) -> Void = { writeToStandardStream($0, error: false) }
    /// Python's recursion limit (user function calls in flight).
    public var recursionLimit = 1000

    /// The builtins namespace, consulted after globals.
    var builtins: [String: Value] = [:]
    /// Imported modules by dotted name.
    var modules: [String: Value] = [:]
    /// Static analysis of function bodies, keyed by their position (a def inside a loop is analysed once).
    var codeCache: [CodeKey: FunctionCode] = [:]
    /// Builtin type objects (`int`, `str`, `ValueError`, ...) by name.
    var typeObjects: [String: PyClass] = [:]
    /// Exceptions being handled (innermost last), for bare `raise`.
    var handledExceptions: [PyError] = []
    /// Containers whose repr is in progress (self-referencing lists print `[...]`).
    var reprInProgress: Set<ObjectIdentifier> = []
    var callDepth = 0
    /// The file of the innermost user function running (nil at module level): Snakemake's
    /// `workflow.source_path` resolves against the file of its caller.
    public internal(set) var functionFile: String?
    var stackGuard = StackGuard()

    public init() {
        self.globals = PyDict()
        installBuiltins()
    }

    /// Runs every statement of a parsed file in the global namespace.
    public func execute(_ module: Module) throws {
        try execute(module.body, file: module.file)
    }

    /// Runs statements (e.g. an `onstart:` block) in the global namespace.
    public func execute(_ body: [Stmt], file: SourceFile) throws {
        let scope = Scope(module: globals, file: file)
        _ = try executeBlock(body, scope)
    }

    /// Evaluates an expression in the global namespace, with optional extra local names.
    public func evaluate(_ expr: Expr, file: SourceFile, locals: [String: Value] = [:]) throws -> Value {
        let scope = locals.isEmpty
            ? Scope(module: globals, file: file)
            : Scope(locals: locals, globals: globals, file: file)
        return try eval(expr, scope)
    }

    /// Calls any callable value (user function, lambda, builtin, class, bound method, host object).
    public func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        try callValue(callee, arguments)
    }

    /// Materialises an iterable into an array (list, tuple, str, dict keys, set, generator, host iterables).
    public func iterate(_ value: Value) throws -> [Value] {
        try iterateValues(value)
    }

    /// `str(x)`
    public func str(_ value: Value) throws -> String {
        try strValue(value)
    }

    /// `repr(x)`
    public func repr(_ value: Value) throws -> String {
        try reprValue(value)
    }

    /// `bool(x)`
    public func truthy(_ value: Value) throws -> Bool {
        try isTruthy(value)
    }

    /// `a == b`
    public func equals(_ a: Value, _ b: Value) throws -> Bool {
        try valuesEqual(a, b)
    }

    /// `a < b` (TypeError for unorderable types), used by sorted/min/max.
    public func lessThan(_ a: Value, _ b: Value) throws -> Bool {
        try compareOrder(.less, a, b)
    }

    /// `getattr(x, name)` (AttributeError when missing).
    public func getAttribute(_ value: Value, _ name: String) throws -> Value {
        if let v = try lookupAttribute(value, name) { return v }
        throw attributeError(value, name)
    }

    /// `x[key]`
    public func getItem(_ value: Value, _ key: Value) throws -> Value {
        try subscriptValue(value, key)
    }

    /// `format(value, spec)`: Python's format-spec mini-language.
    public func format(_ value: Value, spec: String) throws -> String {
        try formatValue(value, spec: spec)
    }

    /// `template.format(*args, **kwargs)`: used by `str.format` and by Snakemake's shell formatting.
    public func formatString(_ template: String, _ arguments: Arguments) throws -> String {
        var formatter = StrFormatter(interpreter: self, arguments: arguments)
        return try formatter.format(template)
    }

    /// `import name`: builtin stdlib modules, host modules, local `.py` files on `modulePaths`, then
    /// the foreign module loader.
    public func importModule(_ name: String) throws -> Value {
        try loadModule(name)
    }

    /// A builtin by name (`open`, `len`, ...), for hosts that call builtins on behalf of objects.
    public func builtin(_ name: String) -> Value? { builtins[name] }

    /// Adds or replaces a builtin name (visible in every module unless shadowed by a global).
    public func setBuiltin(_ name: String, _ value: Value) {
        builtins[name] = value
    }
}
