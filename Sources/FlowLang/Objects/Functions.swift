// User-defined functions and lambdas, bound methods, and the binding of call arguments to
// parameters with Python's error messages (missing/unexpected/duplicate arguments).

import FlowSyntax

/// A `def` or `lambda` value: its code, defaults evaluated at definition time and the scope it closes over.
public final class PyFunction: PyObject, PyCallable {
    let code: FunctionCode
    /// Default values by parameter name.
    let defaults: [String: Value]
    let closure: Scope?
    let globals: PyDict
    let file: SourceFile
    var qualname: String
    /// The class whose body defined this function (zero-argument `super()`).
    weak var definingClass: PyClass?
    /// `f.__name__`, `f.__doc__` and attributes user code sets on the function.
    var attributes: [String: Value] = [:]

    init(code: FunctionCode, defaults: [String: Value], closure: Scope?, globals: PyDict, file: SourceFile, qualname: String) {
        self.code = code
        self.defaults = defaults
        self.closure = closure
        self.globals = globals
        self.file = file
        self.qualname = qualname
    }

    public var name: String { code.name }
    public var typeName: String { "function" }

    public func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        try interpreter.callFunction(self, arguments, receiver: nil)
    }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let v = attributes[name] { return v }
        switch name {
        case "__name__": return .str(code.name)
        case "__qualname__": return .str(qualname)
        case "__doc__": return code.docstring.map { .str($0) } ?? Value.none
        case "__module__": return globals.get("__name__") ?? .str("__main__")
        case "__defaults__":
            let values = code.positionalNames.compactMap { defaults[$0] }
            return values.isEmpty ? Value.none : .tuple(values)
        case "__dict__":
            let d = PyDict()
            for (k, v) in attributes.sorted(by: { $0.key < $1.key }) { d.set(k, v) }
            return .dict(d)
        default: return nil
        }
    }

    public func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws {
        attributes[name] = value
    }

    public func repr(interpreter: Interpreter) throws -> String {
        "<function \(qualname) at \(objectAddress(self))>"
    }
}

/// `obj.method`: a callable remembering its receiver.
public final class BoundMethod: PyObject, PyCallable {
    public let function: Value
    public let receiver: Value

    public init(function: Value, receiver: Value) {
        self.function = function
        self.receiver = receiver
    }

    public var typeName: String { "method" }

    public func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        if case .object(let o) = function, let f = o as? PyFunction {
            return try interpreter.callFunction(f, arguments, receiver: receiver)
        }
        var args = arguments
        args.positional.insert(receiver, at: 0)
        return try interpreter.callValue(function, args)
    }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "__self__": return receiver
        case "__func__": return function
        default: return try interpreter.lookupAttribute(function, name)
        }
    }

    public func repr(interpreter: Interpreter) throws -> String {
        let fname: String
        if case .object(let o) = function, let f = o as? PyFunction { fname = f.qualname } else { fname = "method" }
        return "<bound method \(fname) of \(try interpreter.reprValue(receiver))>"
    }
}

/// A method of a builtin type stored in its class dict (`object.__init__`, `Exception.__init__`):
/// binds to the instance like a function, receiving it as the first positional argument.
final class MethodDescriptor: PyObject, PyCallable {
    let name: String
    let body: BuiltinFunction.Body
    init(_ name: String, _ body: @escaping BuiltinFunction.Body) {
        self.name = name
        self.body = body
    }
    var typeName: String { "method_descriptor" }
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value { try body(arguments, interpreter) }
    func repr(interpreter: Interpreter) throws -> String { "<method '\(name)'>" }
}

/// `0x7f...`-style identity for default reprs.
func objectAddress(_ object: AnyObject) -> String {
    "0x" + String(UInt(bitPattern: ObjectIdentifier(object).hashValue), radix: 16)
}

extension Interpreter {
    /// Calls a user function: binds arguments, runs the body in a fresh scope, guards recursion.
    func callFunction(_ function: PyFunction, _ arguments: Arguments, receiver: Value?) throws -> Value {
        let code = function.code
        let vars = try bindArguments(function, arguments, receiver: receiver)
        if callDepth >= recursionLimit || !stackGuard.hasRoom() {
            throw PyError("RecursionError", "maximum recursion depth exceeded")
        }
        callDepth += 1
        let callerFile = functionFile
        functionFile = function.file.path
        defer { callDepth -= 1; functionFile = callerFile }
        let scope = Scope(kind: .function, vars: vars, globals: function.globals, enclosing: function.closure,
                          code: code, file: function.file, function: function)
        if code.isGenerator {
            // Generator functions run to completion up front; the caller gets an iterator over what
            // they yielded. This covers the finite generators Snakefiles use.
            scope.yielded = []
            if let lambdaBody = code.lambdaBody { _ = try eval(lambdaBody, scope) } else { _ = try executeBlock(code.body, scope) }
            return .object(SequenceIterator(scope.yielded ?? [], typeName: "generator"))
        }
        if let lambdaBody = code.lambdaBody { return try eval(lambdaBody, scope) }
        if case .returned(let v) = try executeBlock(code.body, scope) { return v }
        return Value.none
    }

    private func bindArguments(_ function: PyFunction, _ arguments: Arguments, receiver: Value?) throws -> [String: Value] {
        let code = function.code
        let names = code.positionalNames
        var vars: [String: Value] = [:]
        vars.reserveCapacity(code.locals.count)
        var positional = arguments.positional
        if let receiver { positional.insert(receiver, at: 0) }
        let fname = function.qualname + "()"
        var extra: [Value] = []
        for (i, v) in positional.enumerated() {
            if i < names.count { vars[names[i]] = v } else { extra.append(v) }
        }
        if !extra.isEmpty {
            if code.varArgsName == nil {
                let required = names.filter { function.defaults[$0] == nil }.count
                let takes = required == names.count ? "\(names.count)" : "from \(required) to \(names.count)"
                let plural = names.count == 1 && required == names.count ? "argument" : "arguments"
                let given = positional.count
                let keywordOnlyGiven = arguments.keywords.filter { k in code.keywordOnly.contains { $0.name == k.name } }.count
                var givenText = "\(given)"
                if keywordOnlyGiven > 0 {
                    givenText += " positional argument\(given == 1 ? "" : "s") (and \(keywordOnlyGiven) keyword-only argument\(keywordOnlyGiven == 1 ? "" : "s"))"
                }
                throw PyError.type("\(fname) takes \(takes) positional \(plural) but \(givenText) \(given == 1 && keywordOnlyGiven == 0 ? "was" : "were") given")
            }
        }
        if let varArgs = code.varArgsName { vars[varArgs] = .tuple(extra) }
        var extraKeywords: PyDict? = code.varKeywordsName != nil ? PyDict() : nil
        for (name, value) in arguments.keywords {
            let isParameter = names.contains(name) || code.keywordOnly.contains { $0.name == name }
            if isParameter {
                if vars[name] != nil { throw PyError.type("\(fname) got multiple values for argument '\(name)'") }
                vars[name] = value
            } else if let d = extraKeywords {
                d.set(name, value)
            } else {
                throw PyError.type("\(fname) got an unexpected keyword argument '\(name)'")
            }
        }
        var missing: [String] = []
        for name in names where vars[name] == nil {
            if let d = function.defaults[name] { vars[name] = d } else { missing.append(name) }
        }
        if !missing.isEmpty { throw missingArguments(fname, missing, kind: "positional") }
        for p in code.keywordOnly where vars[p.name] == nil {
            if let d = function.defaults[p.name] { vars[p.name] = d } else { missing.append(p.name) }
        }
        if !missing.isEmpty { throw missingArguments(fname, missing, kind: "keyword-only") }
        if let kw = code.varKeywordsName { vars[kw] = .dict(extraKeywords ?? PyDict()) }
        extraKeywords = nil
        return vars
    }

    private func missingArguments(_ fname: String, _ names: [String], kind: String) -> PyError {
        let quoted = names.map { "'\($0)'" }
        let list: String
        if quoted.count == 1 { list = quoted[0] }
        else if quoted.count == 2 { list = quoted[0] + " and " + quoted[1] }
        else { list = quoted.dropLast().joined(separator: ", ") + ", and " + quoted[quoted.count - 1] }
        let noun = names.count == 1 ? "argument" : "arguments"
        return PyError.type("\(fname) missing \(names.count) required \(kind) \(noun): \(list)")
    }
}
