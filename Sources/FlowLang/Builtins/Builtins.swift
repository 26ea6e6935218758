// The builtins namespace, registered in one place: functions (len, sorted, print, ...), type
// objects, exception classes and constants. Builtins that need the caller's scope (globals,
// locals, vars, eval, exec) are ScopeBuiltins, which the evaluator hands the current scope.

import FlowSyntax

/// A builtin that sees the calling scope (called through `call()` it sees the module globals).
final class ScopeBuiltin: PyCallable {
    typealias Body = (Arguments, Scope?, Interpreter) throws -> Value
    let name: String
    let body: Body
    init(_ name: String, _ body: @escaping Body) {
        self.name = name
        self.body = body
    }
    var typeName: String { "builtin_function_or_method" }
    func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value { try body(arguments, nil, interpreter) }
    func repr(interpreter: Interpreter) throws -> String { "<built-in function \(name)>" }
}

extension Interpreter {
    func installBuiltins() {
        installTypeObjects()
        for (name, cls) in typeObjects where !["function", "builtin_function_or_method", "method", "module", "generator",
                                                "NoneType", "NotImplementedType", "ellipsis", "dict_keys",
                                                "dict_values", "dict_items"].contains(name) {
            builtins[name] = .object(cls)
        }
        let standardExceptions = ["BaseException"] + PyError.parents.keys.filter {
            !["CalledProcessError", "WorkflowError", "JSONDecodeError", "YAMLError"].contains($0)
        }
        for name in standardExceptions { builtins[name] = .object(try! exceptionClass(name)) }
        builtins["NotImplemented"] = .object(NotImplementedType())
        builtins["Ellipsis"] = .object(EllipsisType())
        builtins["__name__"] = .str("__main__")
        installFunctions()
        installScopeBuiltins()
    }

    private func define(_ name: String, _ body: @escaping BuiltinFunction.Body) {
        builtins[name] = .object(BuiltinFunction(name, body))
    }

    private func installFunctions() {
        define("len") { a, i in .int(try i.length(try i.one(a, "len"))) }
        define("repr") { a, i in .str(try i.reprValue(try i.one(a, "repr"))) }
        define("ascii") { a, i in .str(try i.asciiValue(try i.one(a, "ascii"))) }
        define("isinstance") { a, i in
            guard a.positional.count == 2 else { throw PyError.type("isinstance expected 2 arguments, got \(a.positional.count)") }
            return .bool(try i.isInstance(a.positional[0], a.positional[1]))
        }
        define("issubclass") { a, i in
            guard a.positional.count == 2 else { throw PyError.type("issubclass expected 2 arguments, got \(a.positional.count)") }
            return .bool(try i.isSubclassValue(a.positional[0], a.positional[1]))
        }
        define("callable") { a, i in .bool(i.isCallable(try i.one(a, "callable"))) }
        define("abs") { a, i in
            let v = try i.one(a, "abs")
            switch v.numericPromoted {
            case .int(let x):
                if x == Int.min { throw i.overflow() }
                return .int(abs(x))
            case .float(let d): return .float(abs(d))
            default:
                if case .object(let o) = v, let inst = o as? PyInstance, let m = i.userDunder(inst, "__abs__") { return try i.callValue(m, Arguments()) }
                throw PyError.type("bad operand type for abs(): '\(v.typeName)'")
            }
        }
        define("round") { a, i in try i.roundValue(try i.required(a, 0, "number", "round"), a.argument(1, "ndigits")) }
        define("divmod") { a, i in
            guard a.positional.count == 2 else { throw PyError.type("divmod expected 2 arguments, got \(a.positional.count)") }
            return .tuple([try i.binaryOp(.floorDivide, a.positional[0], a.positional[1]),
                           try i.binaryOp(.modulo, a.positional[0], a.positional[1])])
        }
        define("pow") { a, i in
            let base = try i.required(a, 0, "base", "pow"), exp = try i.required(a, 1, "exp", "pow")
            if let m = a.argument(2, "mod"), !m.isNone {
                guard case .int(var b) = base.numericPromoted, case .int(var e) = exp.numericPromoted, case .int(let mod) = m.numericPromoted else {
                    throw PyError.type("pow() 3rd argument not allowed unless all arguments are integers")
                }
                if mod == 0 { throw PyError.value("pow() 3rd argument cannot be 0") }
                if e < 0 { throw PyError.value("flow does not support modular inverses in pow()") }
                let m = abs(mod)
                func mulMod(_ x: Int, _ y: Int) -> Int {
                    Int(UInt(m).dividingFullWidth(UInt(x).multipliedFullWidth(by: UInt(y))).remainder)
                }
                var result = 1 % m
                b = ((b % m) + m) % m
                while e > 0 {
                    if e & 1 == 1 { result = mulMod(result, b) }
                    b = mulMod(b, b)
                    e >>= 1
                }
                return .int(mod < 0 && result > 0 ? result + mod : result)
            }
            return try i.binaryOp(.power, base, exp)
        }
        define("hash") { a, i in
            let v = try i.one(a, "hash")
            if case .object(let o) = v, let inst = o as? PyInstance, let m = i.userDunder(inst, "__hash__") { return try i.callValue(m, Arguments()) }
            return .int(try HashKey(v).hashValue)
        }
        define("id") { a, i in
            switch try i.one(a, "id") {
            case .list(let l): return .int(ObjectIdentifier(l).hashValue)
            case .dict(let d): return .int(ObjectIdentifier(d).hashValue)
            case .set(let s): return .int(ObjectIdentifier(s).hashValue)
            case .object(let o): return .int(ObjectIdentifier(o).hashValue)
            case let v: return .int((try? HashKey(v).hashValue) ?? 0)
            }
        }
        define("chr") { a, i in
            guard case .int(let c) = try i.one(a, "chr").numericPromoted else { throw PyError.type("an integer is required") }
            guard c >= 0, c <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(c)) else {
                if c >= 0xD800 && c <= 0xDFFF { throw PyError.value("flow strings cannot hold surrogate code points") }
                throw PyError.value("chr() arg not in range(0x110000)")
            }
            return .str(String(Character(scalar)))
        }
        define("ord") { a, i in
            let v = try i.one(a, "ord")
            guard let s = v.stringValue else { throw PyError.type("ord() expected string of length 1, but \(v.typeName) found") }
            let scalars = Array(s.unicodeScalars)
            guard scalars.count == 1 else { throw PyError.type("ord() expected a character, but string of length \(scalars.count) found") }
            return .int(Int(scalars[0].value))
        }
        define("hex") { a, i in .str(try i.radixString(try i.one(a, "hex"), 16, "0x")) }
        define("oct") { a, i in .str(try i.radixString(try i.one(a, "oct"), 8, "0o")) }
        define("bin") { a, i in .str(try i.radixString(try i.one(a, "bin"), 2, "0b")) }
        define("format") { a, i in
            let v = try i.required(a, 0, "value", "format")
            let spec = a.argument(1, "format_spec")?.stringValue ?? ""
            return .str(try i.formatValue(v, spec: spec))
        }
        define("getattr") { a, i in
            guard a.positional.count >= 2, let name = a.positional[1].stringValue else {
                throw PyError.type("getattr expected 2 or 3 arguments with a string attribute name")
            }
            do { return try i.getAttribute(a.positional[0], name) } catch let e as PyError where e.type == "AttributeError" {
                if a.positional.count > 2 { return a.positional[2] }
                throw e
            }
        }
        define("hasattr") { a, i in
            guard a.positional.count == 2, let name = a.positional[1].stringValue else { throw PyError.type("hasattr expected 2 arguments") }
            do { return .bool(try i.lookupAttribute(a.positional[0], name) != nil) } catch let e as PyError where e.type == "AttributeError" {
                return .false
            }
        }
        define("setattr") { a, i in
            guard a.positional.count == 3, let name = a.positional[1].stringValue else { throw PyError.type("setattr expected 3 arguments") }
            try i.setAttributeValue(a.positional[0], name, a.positional[2])
            return Value.none
        }
        define("delattr") { a, i in
            guard a.positional.count == 2, let name = a.positional[1].stringValue else { throw PyError.type("delattr expected 2 arguments") }
            try i.deleteAttribute(a.positional[0], name)
            return Value.none
        }
        define("iter") { a, i in
            let v = try i.one(a, "iter")
            let it = try i.makeValueIterator(v)
            if let obj = it as? PyObject { return .object(obj) }
            return .object(IteratorBox(it))
        }
        define("next") { a, i in
            let v = try i.required(a, 0, "iterator", "next")
            guard case .object(let o) = v else { throw PyError.type("'\(v.typeName)' object is not an iterator") }
            let next: Value?
            if let inst = o as? PyInstance {
                guard i.userDunder(inst, "__next__") != nil else { throw PyError.type("'\(v.typeName)' object is not an iterator") }
                next = try InstanceIterator(inst).next(interpreter: i)
            } else if let it = o as? PyIterator {
                next = try it.next(interpreter: i)
            } else {
                throw PyError.type("'\(v.typeName)' object is not an iterator")
            }
            if let next { return next }
            if a.positional.count > 1 { return a.positional[1] }
            throw PyError("StopIteration", "")
        }
        define("print") { a, i in
            let sep = a.keyword("sep").flatMap { $0.isNone ? nil : $0.stringValue } ?? " "
            let end = a.keyword("end").flatMap { $0.isNone ? nil : $0.stringValue } ?? "\n"
            var text = ""
            for (n, v) in a.positional.enumerated() {
                if n > 0 { text += sep }
                text += try i.strValue(v)
            }
            text += end
            if let file = a.keyword("file"), !file.isNone {
                _ = try i.callValue(try i.getAttribute(file, "write"), Arguments([.str(text)]))
            } else {
                i.standardOutput(text)
            }
            return Value.none
        }
        define("input") { _, _ in throw PyError("EOFError", "input() is not available while evaluating a workflow") }
        define("open") { a, i in try i.openFile(a) }
        define("dir") { a, i in
            guard let v = a.positional.first else { return .list(PyList(i.globals.keys)) }
            return .list(PyList(try i.directory(v).sorted().map { .str($0) }))
        }
        installIterationBuiltins()
    }

    private func installScopeBuiltins() {
        builtins["globals"] = .object(ScopeBuiltin("globals") { _, scope, i in .dict(scope?.globals ?? i.globals) })
        builtins["locals"] = .object(ScopeBuiltin("locals") { _, scope, i in i.localsDict(scope) })
        builtins["vars"] = .object(ScopeBuiltin("vars") { a, scope, i in
            guard let v = a.positional.first else { return i.localsDict(scope) }
            if case .object(let o) = v {
                if let inst = o as? PyInstance { return .dict(inst.attributes) }
                if let m = o as? PyModule { return .dict(m.attributes) }
                if let attrs = try o.getAttribute("__dict__", interpreter: i) { return attrs }
            }
            throw PyError.type("vars() argument must have __dict__ attribute")
        })
        builtins["eval"] = .object(ScopeBuiltin("eval") { a, scope, i in
            let source = try i.required(a, 0, "source", "eval")
            guard let text = source.stringValue else { throw PyError.type("eval() arg 1 must be a string") }
            let file = SourceFile(path: "<string>", text: text)
            let expr = try parseExpression(text.trimmingPythonWhitespace(), file: file)
            return try i.eval(expr, try i.dynamicScope(a, scope, file))
        })
        builtins["exec"] = .object(ScopeBuiltin("exec") { a, scope, i in
            let source = try i.required(a, 0, "source", "exec")
            guard let text = source.stringValue else { throw PyError.type("exec() arg 1 must be a string") }
            let file = SourceFile(path: "<string>", text: text)
            let module = try parseModule(file)
            _ = try i.executeBlock(module.body, try i.dynamicScope(a, scope, file))
            return Value.none
        })
    }

    /// The scope eval()/exec() run in: explicit globals/locals dicts, or the caller's.
    private func dynamicScope(_ a: Arguments, _ scope: Scope?, _ file: SourceFile) throws -> Scope {
        if let g = a.argument(1, "globals"), case .dict(let globals) = g {
            if let l = a.argument(2, "locals"), case .dict(let locals) = l {
                var vars: [String: Value] = [:]
                for (k, v) in zip(locals.keys, locals.values) { if let s = k.stringValue { vars[s] = v } }
                return Scope(locals: vars, globals: globals, file: file)
            }
            return Scope(module: globals, file: file)
        }
        guard let scope else { return Scope(module: globals, file: file) }
        if scope.kind == .module { return Scope(module: scope.globals, file: file) }
        return Scope(kind: .comprehension, vars: [:], globals: scope.globals, enclosing: scope.capturable ?? scope,
                     code: nil, file: file, function: nil)
    }

    private func localsDict(_ scope: Scope?) -> Value {
        guard let scope, scope.kind != .module else { return .dict(scope?.globals ?? globals) }
        let d = PyDict()
        for (k, v) in scope.vars.sorted(by: { $0.key < $1.key }) { d.set(k, v) }
        return .dict(d)
    }

    func directory(_ v: Value) throws -> [String] {
        if case .object(let o) = v {
            if let m = o as? PyModule { return m.attributes.keys.compactMap { $0.stringValue } }
            if let inst = o as? PyInstance {
                var names = Set(inst.attributes.keys.compactMap { $0.stringValue })
                for c in inst.cls.mro { names.formUnion(c.dict.keys) }
                return Array(names)
            }
            if let cls = o as? PyClass { return Array(Set(cls.mro.flatMap { $0.dict.keys })) }
            return []
        }
        return builtinMethodNames(v)
    }

    // MARK: Argument helpers

    func one(_ a: Arguments, _ name: String) throws -> Value {
        guard a.positional.count == 1, a.keywords.isEmpty else {
            throw PyError.type("\(name)() takes exactly one argument (\(a.count) given)")
        }
        return a.positional[0]
    }

    func required(_ a: Arguments, _ index: Int, _ name: String, _ function: String) throws -> Value {
        guard let v = a.argument(index, name) else {
            throw PyError.type("\(function)() missing required argument '\(name)' (pos \(index + 1))")
        }
        return v
    }

    func radixString(_ v: Value, _ radix: Int, _ prefix: String) throws -> String {
        guard case .int(let i) = v.numericPromoted else {
            throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer")
        }
        let digits = String(i.magnitude, radix: radix)
        return (i < 0 ? "-" : "") + prefix + digits
    }
}

/// Wraps a Swift iterator that is not itself a PyObject so `iter()` can return it.
final class IteratorBox: PyIterable, PyIterator {
    let inner: PyIterator
    init(_ inner: PyIterator) { self.inner = inner }
    var typeName: String { "iterator" }
    func makeIterator(interpreter: Interpreter) throws -> PyIterator { self }
    func next(interpreter: Interpreter) throws -> Value? { try inner.next(interpreter: interpreter) }
}
