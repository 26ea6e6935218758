// Execution of statements: assignment (with unpacking), control flow, definitions, imports,
// with/try/raise (exceptions in Eval/Exceptions.swift), and the hand-off of Snakemake statements
// to the host. Control flow travels as a `Completion` value, exceptions as Swift errors.

import FlowSyntax

enum Completion {
    case normal, breakLoop, continueLoop
    case returned(Value)
}

extension Interpreter {
    func executeBlock(_ body: [Stmt], _ scope: Scope) throws -> Completion {
        var i = 0
        while i < body.count {
            let c = try execute(body[i], scope)
            if case .normal = c { i += 1; continue }
            return c
        }
        return .normal
    }

    func execute(_ stmt: Stmt, _ scope: Scope) throws -> Completion {
        do {
            switch stmt.kind {
            case .expression(let e):
                _ = try eval(e, scope)
                return .normal
            case .assign(let targets, let valueExpr):
                let value = try eval(valueExpr, scope)
                for t in targets { try assignTarget(t, value, scope) }
                return .normal
            case .return(let e):
                guard let e else { return .returned(.none) }
                return .returned(try eval(e, scope))
            case .ifStatement(let test, let body, let orElse):
                return try executeBlock(try isTruthy(try eval(test, scope)) ? body : orElse, scope)
            default:
                return try executeCompound(stmt, scope)
            }
        } catch var error as PyError {
            if error.traceback.isEmpty { error.traceback.append((scope.file.path, stmt.location)) }
            throw error
        }
    }

    @inline(never)
    private func executeCompound(_ stmt: Stmt, _ scope: Scope) throws -> Completion {
        switch stmt.kind {
        case .expression, .assign, .return, .ifStatement: return try execute(stmt, scope)
        case .augmentedAssign(let target, let op, let valueExpr):
            try executeAugmented(target, op, valueExpr, scope)
        case .annotatedAssign(let target, _, let valueExpr):
            if let valueExpr { try assignTarget(target, try eval(valueExpr, scope), scope) }
        case .functionDef(let def):
            try defineFunction(def, stmt.location, scope)
        case .classDef(let def):
            try defineClass(def, stmt, scope)
        case .forLoop(let target, let iterable, let body, let orElse):
            return try executeFor(target, iterable, body, orElse, scope)
        case .whileLoop(let test, let body, let orElse):
            while try isTruthy(try eval(test, scope)) {
                switch try executeBlock(body, scope) {
                case .normal, .continueLoop: continue
                case .breakLoop: return .normal
                case .returned(let v): return .returned(v)
                }
            }
            return try executeBlock(orElse, scope)
        case .break: return .breakLoop
        case .continue: return .continueLoop
        case .pass, .global, .nonlocal: break
        case .importModules(let names): try executeImport(names, scope)
        case .importFrom(let module, let level, let names): try executeImportFrom(module, level, names, scope)
        case .delete(let targets): for t in targets { try deleteTarget(t, scope) }
        case .assert(let test, let message):
            if !(try isTruthy(try eval(test, scope))) {
                let args = try message.map { [try eval($0, scope)] } ?? []
                throw try makeError(.object(try instantiateException("AssertionError", args)))
            }
        case .tryStatement(let body, let handlers, let orElse, let finally):
            return try executeTry(body, handlers, orElse, finally, scope)
        case .raise(let e, let cause):
            try executeRaise(e, cause, scope)
        case .with(let items, let body):
            return try executeWith(items, 0, body, scope)
        case .matchStatement(let subject, let cases):
            return try executeMatch(subject, cases, scope)
        case .rule, .workflowDirective, .module, .useRule:
            guard let host else {
                throw PyError("SyntaxError", "Snakemake statements (rule, module, directives) need a workflow host")
            }
            try host.execute(stmt, file: scope.file, interpreter: self)
        }
        return .normal
    }

    // MARK: Assignment

    func assignTarget(_ target: Expr, _ value: Value, _ scope: Scope) throws {
        switch target.kind {
        case .name(let n): assignName(n, value, scope)
        case .tuple(let items), .list(let items): try unpack(items, value, scope)
        case .attribute(let base, let name): try setAttributeValue(try eval(base, scope), name, value)
        case .subscript(let base, let index):
            let container = try eval(base, scope)
            try setItem(container, try eval(index, scope), value)
        case .starred: throw PyError("SyntaxError", "starred assignment target must be in a list or tuple")
        default: throw PyError("SyntaxError", "cannot assign to expression")
        }
    }

    private func unpack(_ targets: [Expr], _ value: Value, _ scope: Scope) throws {
        let values: [Value]
        if case .tuple(let t) = value { values = t } else {
            do { values = try iterateValues(value) } catch let e as PyError where e.type == "TypeError" {
                throw PyError.type("cannot unpack non-iterable \(value.typeName) object")
            }
        }
        guard let star = targets.firstIndex(where: { if case .starred = $0.kind { return true } else { return false } }) else {
            if values.count < targets.count {
                throw PyError.value("not enough values to unpack (expected \(targets.count), got \(values.count))")
            }
            if values.count > targets.count {
                throw PyError.value("too many values to unpack (expected \(targets.count))")
            }
            for i in targets.indices { try assignTarget(targets[i], values[i], scope) }
            return
        }
        let after = targets.count - star - 1
        guard values.count >= targets.count - 1 else {
            throw PyError.value("not enough values to unpack (expected at least \(targets.count - 1), got \(values.count))")
        }
        for i in 0..<star { try assignTarget(targets[i], values[i], scope) }
        if case .starred(let inner) = targets[star].kind {
            try assignTarget(inner, .list(PyList(Array(values[star..<(values.count - after)]))), scope)
        }
        for j in 0..<after { try assignTarget(targets[star + 1 + j], values[values.count - after + j], scope) }
    }

    private func executeAugmented(_ target: Expr, _ op: BinaryOperator, _ valueExpr: Expr, _ scope: Scope) throws {
        switch target.kind {
        case .name(let n):
            let current = try lookupName(n, scope)
            assignName(n, try augmentedOp(op, current, try eval(valueExpr, scope)), scope)
        case .attribute(let baseExpr, let name):
            let base = try eval(baseExpr, scope)
            let current = try getAttribute(base, name)
            try setAttributeValue(base, name, try augmentedOp(op, current, try eval(valueExpr, scope)))
        case .subscript(let baseExpr, let indexExpr):
            let base = try eval(baseExpr, scope)
            let index = try eval(indexExpr, scope)
            let current = try subscriptValue(base, index)
            try setItem(base, index, try augmentedOp(op, current, try eval(valueExpr, scope)))
        default:
            throw PyError("SyntaxError", "illegal expression for augmented assignment")
        }
    }

    private func deleteTarget(_ target: Expr, _ scope: Scope) throws {
        switch target.kind {
        case .name(let n): try deleteName(n, scope)
        case .tuple(let items), .list(let items): for i in items { try deleteTarget(i, scope) }
        case .attribute(let base, let name): try deleteAttribute(try eval(base, scope), name)
        case .subscript(let base, let index):
            let container = try eval(base, scope)
            try deleteItem(container, try eval(index, scope))
        default: throw PyError("SyntaxError", "cannot delete expression")
        }
    }

    // MARK: Loops

    private func executeFor(_ target: Expr, _ iterableExpr: Expr, _ body: [Stmt], _ orElse: [Stmt], _ scope: Scope) throws -> Completion {
        let iterable = try eval(iterableExpr, scope)
        var result: Completion?
        var simpleName: String?
        if case .name(let n) = target.kind { simpleName = n }
        try forEach(iterable) { v in
            if let simpleName { assignName(simpleName, v, scope) } else { try assignTarget(target, v, scope) }
            switch try executeBlock(body, scope) {
            case .normal, .continueLoop: return true
            case .breakLoop: result = .normal; return false
            case .returned(let r): result = .returned(r); return false
            }
        }
        if let result { return result }
        return try executeBlock(orElse, scope)
    }

    // MARK: Definitions

    private func defineFunction(_ def: FunctionDef, _ location: SourceLocation, _ scope: Scope) throws {
        let decorators = try def.decorators.map { try eval($0, scope) }
        let code = functionCode(name: def.name, parameters: def.parameters, body: def.body, lambdaBody: nil,
                                docstring: def.docstring, location: location, file: scope.file)
        var value = Value.object(PyFunction(code: code, defaults: try evalDefaults(def.parameters, scope),
                                            closure: scope.capturable, globals: scope.globals, file: scope.file,
                                            qualname: qualifiedName(def.name, in: scope)))
        for d in decorators.reversed() { value = try callValue(d, Arguments([value])) }
        assignName(def.name, value, scope)
    }

    private func defineClass(_ def: ClassDef, _ stmt: Stmt, _ scope: Scope) throws {
        let decorators = try def.decorators.map { try eval($0, scope) }
        var bases: [PyClass] = []
        for arg in def.bases {
            guard case .positional(let e) = arg else { continue }   // metaclass= and friends are ignored
            let v = try eval(e, scope)
            guard case .object(let o) = v, let cls = o as? PyClass else {
                throw PyError.type("bases must be types, not \(v.typeName)")
            }
            bases.append(cls)
        }
        if bases.isEmpty { bases = [try builtinType("object")] }
        let moduleName = scope.globals.get("__name__").flatMap { $0.stringValue } ?? "__main__"
        let body = Scope(kind: .classBody, vars: ["__module__": .str(moduleName)], globals: scope.globals,
                         enclosing: scope.capturable, code: nil, file: scope.file, function: nil)
        body.className = qualifiedName(def.name, in: scope)
        body.vars["__qualname__"] = .str(body.className)
        if case .expression(let e)? = def.body.first?.kind, case .string(let doc) = e.kind { body.vars["__doc__"] = .str(doc) }
        _ = try executeBlock(def.body, body)
        let cls = try PyClass(name: def.name, bases: bases, dict: body.vars, builtin: false, module: moduleName)
        for (_, v) in cls.dict {
            guard case .object(let o) = v else { continue }
            var inner: PyObject? = o
            if let sm = o as? PyStaticMethod, case .object(let f) = sm.function { inner = f }
            if let cm = o as? PyClassMethod, case .object(let f) = cm.function { inner = f }
            if let p = o as? PyProperty, case .object(let f) = p.getter { inner = f }
            (inner as? PyFunction)?.definingClass = cls
            if let p = o as? PyProperty, case .object(let f)? = p.setter { (f as? PyFunction)?.definingClass = cls }
        }
        var value = Value.object(cls)
        for d in decorators.reversed() { value = try callValue(d, Arguments([value])) }
        assignName(def.name, value, scope)
    }

    // MARK: with

    private func executeWith(_ items: [WithItem], _ index: Int, _ body: [Stmt], _ scope: Scope) throws -> Completion {
        guard index < items.count else { return try executeBlock(body, scope) }
        let manager = try eval(items[index].context, scope)
        let enter = try getAttribute(manager, "__enter__")
        let exit = try getAttribute(manager, "__exit__")
        let entered = try callValue(enter, Arguments())
        if let target = items[index].target { try assignTarget(target, entered, scope) }
        let completion: Completion
        do {
            completion = try executeWith(items, index + 1, body, scope)
        } catch let error as PyError {
            let exception = exceptionValue(error)
            let suppress = try callValue(exit, Arguments([.object(exceptionClassOf(error)), exception, .none]))
            if try isTruthy(suppress) { return .normal }
            throw error
        }
        _ = try callValue(exit, Arguments([.none, .none, .none]))
        return completion
    }
}
