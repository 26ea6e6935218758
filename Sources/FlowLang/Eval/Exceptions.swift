// Exceptions: try/except/else/finally, raise (with re-raise and `from`), matching a PyError
// against `except` classes (builtin hierarchy from PyError.parents, user classes through their
// MRO), and the conversion between Swift-side PyErrors and Python exception objects.

import FlowSyntax

extension Interpreter {
    func executeTry(_ body: [Stmt], _ handlers: [ExceptHandler], _ orElse: [Stmt], _ finally: [Stmt],
                    _ scope: Scope) throws -> Completion {
        var completion: Completion = .normal
        do {
            var handled = false
            do {
                completion = try executeBlock(body, scope)
            } catch {
                let pyError = asPyError(error)
                guard let handler = try matchingHandler(pyError, handlers, scope) else { throw error }
                handled = true
                var caught = pyError
                caught.value = exceptionValue(pyError)
                if let name = handler.name { assignName(name, caught.value!, scope) }
                handledExceptions.append(caught)
                defer { handledExceptions.removeLast() }
                completion = try executeBlock(handler.body, scope)
                if let name = handler.name { try? deleteName(name, scope) }
            }
            if !handled, case .normal = completion { completion = try executeBlock(orElse, scope) }
        } catch {
            if !finally.isEmpty {
                let f = try executeBlock(finally, scope)
                if case .normal = f {} else { return f }   // return/break in finally discards the exception
            }
            throw error
        }
        if !finally.isEmpty {
            let f = try executeBlock(finally, scope)
            if case .normal = f {} else { return f }
        }
        return completion
    }

    private func matchingHandler(_ error: PyError, _ handlers: [ExceptHandler], _ scope: Scope) throws -> ExceptHandler? {
        let errorClass = exceptionClassOf(error)
        for handler in handlers {
            guard let typeExpr = handler.type else { return handler }
            let spec = try eval(typeExpr, scope)
            let candidates: [Value]
            if case .tuple(let t) = spec { candidates = t } else { candidates = [spec] }
            for c in candidates {
                guard case .object(let o) = c, let cls = o as? PyClass, cls.isException else {
                    throw PyError.type("catching classes that do not inherit from BaseException is not allowed")
                }
                if errorClass.isSubclass(of: cls) { return handler }
            }
        }
        return nil
    }

    /// Swift errors that are not PyErrors (host diagnostics) are seen by Python code as WorkflowError.
    func asPyError(_ error: Error) -> PyError {
        if let e = error as? PyError { return e }
        return PyError("WorkflowError", "\(error)")
    }

    func executeRaise(_ expr: Expr?, _ cause: Expr?, _ scope: Scope) throws {
        guard let expr else {
            if let current = handledExceptions.last { throw current }
            throw PyError.runtime("No active exception to reraise")
        }
        let value = try eval(expr, scope)
        var error = try makeError(value)
        if let cause {
            let c = try eval(cause, scope)
            if case .object(let o)? = error.value, let inst = o as? PyInstance {
                inst.attributes.set("__cause__", c.isNone ? .none : (try makeError(c)).value ?? Value.none)
            }
        }
        error.traceback = []
        throw error
    }

    /// The PyError for `raise value` (a class is instantiated without arguments).
    func makeError(_ value: Value) throws -> PyError {
        var v = value
        if case .object(let o) = value, let cls = o as? PyClass, cls.isException { v = try instantiate(cls, Arguments()) }
        guard case .object(let o) = v, let inst = o as? PyInstance, inst.cls.isException else {
            throw PyError.type("exceptions must derive from BaseException")
        }
        return PyError(inst.cls.name, try exceptionStr(inst), value: v)
    }

    /// The exception object for `except E as e` (created on demand for errors raised in Swift).
    func exceptionValue(_ error: PyError) -> Value {
        if let v = error.value { return v }
        let inst = PyInstance(cls: exceptionClassOf(error))
        inst.errorMessage = error.message
        inst.exceptionArgs = error.message.isEmpty ? [] : [.str(error.message)]
        return .object(inst)
    }

    func exceptionClassOf(_ error: PyError) -> PyClass {
        if case .object(let o)? = error.value, let inst = o as? PyInstance { return inst.cls }
        return (try? exceptionClass(error.type)) ?? (try! exceptionClass("Exception"))
    }

    /// The builtin exception class `name` (created with its ancestors from PyError.parents; names
    /// outside the hierarchy become direct subclasses of Exception).
    public func exceptionClass(_ name: String) throws -> PyClass {
        if let cls = typeObjects[name] { return cls }
        let base: PyClass
        if name == "BaseException" {
            base = try builtinType("object")
        } else {
            base = try exceptionClass(PyError.parents[name] ?? "Exception")
        }
        let cls = try PyClass(name: name, bases: [base], builtin: true)
        if name == "BaseException" {
            cls.dict["__init__"] = .object(MethodDescriptor("__init__") { args, _ in
                if case .object(let o)? = args.positional.first, let inst = o as? PyInstance {
                    inst.exceptionArgs = Array(args.positional.dropFirst())
                    inst.errorMessage = nil
                }
                return Value.none
            })
            cls.dict["__str__"] = .object(MethodDescriptor("__str__") { args, interp in
                guard case .object(let o)? = args.positional.first, let inst = o as? PyInstance else { return .str("") }
                return .str(try interp.exceptionStr(inst))
            })
        }
        typeObjects[name] = cls
        return cls
    }

    func instantiateException(_ name: String, _ args: [Value]) throws -> PyInstance {
        let inst = PyInstance(cls: try exceptionClass(name))
        inst.exceptionArgs = args
        return inst
    }

    /// KeyError carrying the missing key (str(e) is its repr).
    func keyError(_ key: Value) -> PyError {
        let message = (try? reprValue(key)) ?? "?"
        guard let inst = try? instantiateException("KeyError", [key]) else { return PyError.key(message) }
        return PyError("KeyError", message, value: .object(inst))
    }
}
