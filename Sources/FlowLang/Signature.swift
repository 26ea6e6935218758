// Which arguments a callable accepts by name. Snakemake calls params/resources/threads/priority
// functions with `wildcards` first and passes `input`, `output`, `threads`, `attempt`, ... only
// when the function declares a parameter of that name (or takes **kwargs).

public struct CallableSignature {
    /// Positional-or-keyword and keyword-only parameter names, in order.
    public var names: [String]
    public var acceptsAnyKeyword: Bool
    public var acceptsVarArgs: Bool

    public func accepts(_ name: String) -> Bool { acceptsAnyKeyword || names.contains(name) }
}

/// Host callables that declare their parameter names (so `callSnakemakeStyle` passes them).
public protocol PyDeclaredParameters: PyCallable {
    var declaredParameters: [String] { get }
}

extension Interpreter {
    /// The signature of a user function or lambda; nil for builtins and other callables (callers
    /// then pass only the first positional argument).
    public func signature(of value: Value) -> CallableSignature? {
        guard case .object(let o) = value else { return nil }
        if let d = o as? PyDeclaredParameters {
            return CallableSignature(names: d.declaredParameters, acceptsAnyKeyword: false, acceptsVarArgs: false)
        }
        guard let f = o as? PyFunction else { return nil }
        return CallableSignature(names: f.code.positionalNames + f.code.keywordOnly.map(\.name),
                                 acceptsAnyKeyword: f.code.varKeywordsName != nil,
                                 acceptsVarArgs: f.code.varArgsName != nil)
    }

    /// Calls `function` with `first` as its first positional argument and each named extra whose
    /// name the function declares, as Snakemake's `apply_input_function` does.
    public func callSnakemakeStyle(_ function: Value, first: Value, extras: [(String, Value)]) throws -> Value {
        guard let sig = signature(of: function) else { return try call(function, Arguments([first])) }
        // A function without parameters (lambda: 42) is called without arguments.
        if sig.names.isEmpty, !sig.acceptsVarArgs, !sig.acceptsAnyKeyword { return try call(function, Arguments()) }
        let firstName = sig.names.first
        let keywords = extras.filter { name, _ in name != firstName && sig.accepts(name) }.map { (name: $0.0, value: $0.1) }
        return try call(function, Arguments([first], keywords: keywords))
    }
}
