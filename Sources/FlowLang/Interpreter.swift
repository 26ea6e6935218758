// The interpreter's public face: executing a parsed Module, evaluating expressions and the
// operations on values that builtins, stdlib modules and the Snakemake layer share.
//
// The bodies marked PLACEHOLDER are filled in by the evaluator work; their signatures are the
// contract the rest of the code base builds against.

import FlowSyntax

/// The Snakemake layer implements this to give meaning to the Snakemake statements in the AST
/// (`rule`, `checkpoint`, workflow directives, `module`, `use rule`) and to provide host modules.
public protocol SnakefileHost: AnyObject {
    /// Executes a `.rule`, `.workflowDirective`, `.module` or `.useRule` statement.
    func execute(_ statement: Stmt, file: SourceFile, interpreter: Interpreter) throws
    /// Provides a module the interpreter does not know (`snakemake`, `snakemake.utils`, ...); nil if unknown.
    func importModule(_ name: String, interpreter: Interpreter) throws -> Value?
}

public final class Interpreter {
    /// The module-level namespace of the Snakefile being evaluated.
    public let globals: PyDict
    public weak var host: SnakefileHost?
    /// Directories searched for local `.py` modules (`import foo` next to the Snakefile).
    public var modulePaths: [String] = []

    public init() {
        self.globals = PyDict()
    }

    /// Runs every statement of a parsed file in the global namespace.
    public func execute(_ module: Module) throws {
        fatalError("PLACEHOLDER: Interpreter.execute")
    }

    /// Runs statements (e.g. an `onstart:` block) in the global namespace.
    public func execute(_ body: [Stmt], file: SourceFile) throws {
        fatalError("PLACEHOLDER: Interpreter.execute(body:)")
    }

    /// Evaluates an expression in the global namespace, with optional extra local names.
    public func evaluate(_ expr: Expr, file: SourceFile, locals: [String: Value] = [:]) throws -> Value {
        fatalError("PLACEHOLDER: Interpreter.evaluate")
    }

    /// Calls any callable value (user function, lambda, builtin, class, bound method, host object).
    public func call(_ callee: Value, _ arguments: Arguments) throws -> Value {
        if case .object(let o) = callee, let c = o as? PyCallable { return try c.call(arguments, interpreter: self) }
        fatalError("PLACEHOLDER: Interpreter.call")
    }

    /// Materialises an iterable into an array (list, tuple, str, dict keys, set, generator, host iterables).
    public func iterate(_ value: Value) throws -> [Value] {
        fatalError("PLACEHOLDER: Interpreter.iterate")
    }

    /// `str(x)`
    public func str(_ value: Value) throws -> String {
        fatalError("PLACEHOLDER: Interpreter.str")
    }

    /// `repr(x)`
    public func repr(_ value: Value) throws -> String {
        fatalError("PLACEHOLDER: Interpreter.repr")
    }

    /// `bool(x)`
    public func truthy(_ value: Value) throws -> Bool {
        fatalError("PLACEHOLDER: Interpreter.truthy")
    }

    /// `a == b`
    public func equals(_ a: Value, _ b: Value) throws -> Bool {
        fatalError("PLACEHOLDER: Interpreter.equals")
    }

    /// `a < b` (TypeError for unorderable types), used by sorted/min/max.
    public func lessThan(_ a: Value, _ b: Value) throws -> Bool {
        fatalError("PLACEHOLDER: Interpreter.lessThan")
    }

    /// `getattr(x, name)` (AttributeError when missing).
    public func getAttribute(_ value: Value, _ name: String) throws -> Value {
        fatalError("PLACEHOLDER: Interpreter.getAttribute")
    }

    /// `x[key]`
    public func getItem(_ value: Value, _ key: Value) throws -> Value {
        fatalError("PLACEHOLDER: Interpreter.getItem")
    }

    /// `format(value, spec)`: Python's format-spec mini-language.
    public func format(_ value: Value, spec: String) throws -> String {
        fatalError("PLACEHOLDER: Interpreter.format")
    }

    /// `template.format(*args, **kwargs)`: used by `str.format` and by Snakemake's shell formatting.
    public func formatString(_ template: String, _ arguments: Arguments) throws -> String {
        fatalError("PLACEHOLDER: Interpreter.formatString")
    }

    /// `import name`: builtin stdlib modules, host modules, then local `.py` files on `modulePaths`.
    public func importModule(_ name: String) throws -> Value {
        fatalError("PLACEHOLDER: Interpreter.importModule")
    }
}
