// Evaluation of expressions. The innermost expression that raises records its position in the
// error's traceback; calls add their call site so a traceback lists one entry per frame.

import FlowSyntax

extension Interpreter {
    func eval(_ e: Expr, _ scope: Scope) throws -> Value {
        // Kept small: the Swift frame of this function is paid on every nesting level of every
        // Python call, so all but the trivial cases live in separate functions.
        do {
            switch e.kind {
            case .name(let n): return try lookupName(n, scope)
            case .string(let s): return .str(s)
            case .int(let i): return .int(i)
            case .none: return .none
            case .bool(let b): return .bool(b)
            case .float(let d): return .float(d)
            case .call(let callee, let args): return try evalCall(callee, args, scope, e.location)
            default: return try evalCompound(e, scope)
            }
        } catch let error as PyError {
            throw annotated(error, scope, e.location)
        }
    }

    @inline(never)
    private func annotated(_ error: PyError, _ scope: Scope, _ location: SourceLocation) -> PyError {
        guard error.traceback.isEmpty else { return error }
        var e = error
        e.traceback.append((scope.file.path, location))
        return e
    }

    @inline(never)
    private func evalCompound(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case .attribute(let base, let name): return try evalAttribute(base, name, scope)
        case .subscript(let base, let index): return try evalSubscript(base, index, scope)
        case .binary(let op, let a, let b): return try evalBinary(op, a, b, scope)
        case .compare(let first, let rest): return try evalCompare(first, rest, scope)
        case .logical(let op, let a, let b): return try evalLogical(op, a, b, scope)
        case .unary(let op, let x): return try unaryOp(op, try eval(x, scope))
        case .conditional(let test, let then, let orElse): return try evalConditional(test, then, orElse, scope)
        default: return try evalDisplay(e, scope)
        }
    }

    @inline(never)
    private func evalAttribute(_ base: Expr, _ name: String, _ scope: Scope) throws -> Value {
        let v = try eval(base, scope)
        if let r = try lookupAttribute(v, name) { return r }
        throw attributeError(v, name)
    }

    @inline(never)
    private func evalSubscript(_ base: Expr, _ index: Expr, _ scope: Scope) throws -> Value {
        let v = try eval(base, scope)
        return try subscriptValue(v, try eval(index, scope))
    }

    @inline(never)
    private func evalBinary(_ op: BinaryOperator, _ a: Expr, _ b: Expr, _ scope: Scope) throws -> Value {
        let x = try eval(a, scope)
        return try binaryOp(op, x, try eval(b, scope))
    }

    @inline(never)
    private func evalLogical(_ op: LogicalOperator, _ a: Expr, _ b: Expr, _ scope: Scope) throws -> Value {
        let x = try eval(a, scope)
        if try isTruthy(x) == (op == .or) { return x }
        return try eval(b, scope)
    }

    @inline(never)
    private func evalConditional(_ test: Expr, _ then: Expr, _ orElse: Expr, _ scope: Scope) throws -> Value {
        try eval(try isTruthy(try eval(test, scope)) ? then : orElse, scope)
    }

    @inline(never)
    private func evalDisplay(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case .ellipsis: return builtins["Ellipsis"] ?? .none
        case .fstring(let parts): return .str(try evalFString(parts, scope))
        case .list(let items): return .list(PyList(try evalElements(items, scope)))
        case .tuple(let items): return .tuple(try evalElements(items, scope))
        case .set(let items): return .set(try makeSet(try evalElements(items, scope)))
        case .dict(let items): return .dict(try evalDict(items, scope))
        case .slice(let lower, let upper, let step):
            return .object(PySlice(start: try lower.map { try eval($0, scope) } ?? .none,
                                   stop: try upper.map { try eval($0, scope) } ?? .none,
                                   step: try step.map { try eval($0, scope) } ?? .none))
        case .lambda(let params, let body): return try makeLambda(params, body, e.location, scope)
        case .comprehension(let kind, let element, let clauses):
            return try evalComprehension(kind, element, clauses, scope)
        case .dictComprehension(let key, let value, let clauses):
            return try evalDictComprehension(key, value, clauses, scope)
        case .starred:
            throw PyError("SyntaxError", "can't use starred expression here")
        case .namedExpr(let name, let value):
            let v = try eval(value, scope)
            assignWalrus(name, v, scope)
            return v
        case .yield(let value): return try evalYield(value, scope)
        default: throw PyError.runtime("internal: unexpected expression")
        }
    }

    private func evalYield(_ value: Expr?, _ scope: Scope) throws -> Value {
        let v = try value.map { try eval($0, scope) } ?? .none
        var s: Scope? = scope
        while let current = s, current.kind == .comprehension { s = current.enclosing }
        guard let owner = s, owner.yielded != nil else { throw PyError("SyntaxError", "'yield' outside function") }
        owner.yielded?.append(v)
        if owner.yielded!.count > 10_000_000 {
            throw PyError.runtime("generator produced more than 10,000,000 values (flow runs generators eagerly)")
        }
        return .none
    }

    /// Elements of a list/tuple/set display, expanding `*iterable`.
    func evalElements(_ items: [Expr], _ scope: Scope) throws -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(items.count)
        for item in items {
            if case .starred(let inner) = item.kind {
                out.append(contentsOf: try iterateValues(try eval(inner, scope)))
            } else {
                out.append(try eval(item, scope))
            }
        }
        return out
    }

    private func evalDict(_ items: [DictItem], _ scope: Scope) throws -> PyDict {
        let d = PyDict()
        for item in items {
            switch item {
            case .pair(let k, let v):
                let key = try eval(k, scope)
                d.set(try HashKey(key), try eval(v, scope))
            case .unpack(let m):
                try updateDict(d, from: try eval(m, scope))
            }
        }
        return d
    }

    private func evalCompare(_ first: Expr, _ rest: [(CompareOperator, Expr)], _ scope: Scope) throws -> Value {
        var left = try eval(first, scope)
        var result = Value.true
        for (i, (op, rightExpr)) in rest.enumerated() {
            let right = try eval(rightExpr, scope)
            if let rich = try richCompare(op, left, right) {
                // `a < b < c` is `(a < b) and (b < c)`: a non-bool result decides through its truth.
                result = rich
                if i < rest.count - 1, !(try isTruthy(rich)) { return rich }
            } else {
                if !(try compare(op, left, right)) { return .false }
                result = .true
            }
            left = right
        }
        return result
    }

    /// The result of a host object's own comparison (`PyOperable.compareOperation`), if it has one.
    private func richCompare(_ op: CompareOperator, _ a: Value, _ b: Value) throws -> Value? {
        switch op {
        case .in, .notIn, .is, .isNot: return nil
        default: break
        }
        if case .object(let o) = a, let x = o as? PyOperable,
           let r = try x.compareOperation(op, b, reflected: false, interpreter: self) { return r }
        if case .object(let o) = b, let x = o as? PyOperable,
           let r = try x.compareOperation(op, a, reflected: true, interpreter: self) { return r }
        return nil
    }

    func compare(_ op: CompareOperator, _ a: Value, _ b: Value) throws -> Bool {
        switch op {
        case .equal: return try valuesEqual(a, b)
        case .notEqual:
            if case .object(let o) = a, let inst = o as? PyInstance, let r = try instanceBinaryDunder(inst, "__ne__", b) {
                return try isTruthy(r)
            }
            return !(try valuesEqual(a, b))
        case .less, .lessEqual, .greater, .greaterEqual: return try compareOrder(op, a, b)
        case .in: return try contains(b, a)
        case .notIn: return !(try contains(b, a))
        case .is: return isIdentical(a, b)
        case .isNot: return !isIdentical(a, b)
        }
    }

    // MARK: Calls

    private func evalCall(_ calleeExpr: Expr, _ args: [Argument], _ scope: Scope, _ location: SourceLocation) throws -> Value {
        let callee: Value
        if case .attribute(let baseExpr, let name) = calleeExpr.kind {
            let base = try eval(baseExpr, scope)
            if case .object(let o) = base {
                guard let attr = try o.getAttribute(name, interpreter: self) else { throw attributeError(base, name) }
                callee = attr
            } else {
                // Methods of builtin values are dispatched directly, without a bound-method object.
                let arguments = try evalArguments(args, scope)
                do { return try callMethod(base, name, arguments) } catch var error as PyError {
                    error.traceback.append((scope.file.path, location))
                    throw error
                }
            }
        } else if case .name("super") = calleeExpr.kind, args.isEmpty {
            return try zeroArgumentSuper(scope)
        } else {
            callee = try eval(calleeExpr, scope)
        }
        let arguments = try evalArguments(args, scope)
        do {
            if case .object(let o) = callee, let builtin = o as? ScopeBuiltin { return try builtin.body(arguments, scope, self) }
            return try callValue(callee, arguments)
        } catch var error as PyError {
            // One traceback entry per frame: the call site of a user function, or the builtin's call.
            error.traceback.append((scope.file.path, location))
            throw error
        }
    }

    func evalArguments(_ args: [Argument], _ scope: Scope) throws -> Arguments {
        var result = Arguments()
        result.positional.reserveCapacity(args.count)
        for arg in args {
            switch arg {
            case .positional(let e): result.positional.append(try eval(e, scope))
            case .keyword(let name, let e): result.keywords.append((name, try eval(e, scope)))
            case .star(let e): result.positional.append(contentsOf: try iterateValues(try eval(e, scope)))
            case .doubleStar(let e):
                let mapping = try eval(e, scope)
                for (k, v) in try mappingItems(mapping) {
                    guard let name = k.stringValue else { throw PyError.type("keywords must be strings") }
                    if result.keywords.contains(where: { $0.name == name }) {
                        throw PyError.type("got multiple values for keyword argument '\(name)'")
                    }
                    result.keywords.append((name, v))
                }
            }
        }
        return result
    }

    /// (key, value) pairs of a dict or of any object with keys() and __getitem__.
    func mappingItems(_ mapping: Value) throws -> [(Value, Value)] {
        if case .dict(let d) = mapping { return (0..<d.count).map { (d.keys[$0], d.values[$0]) } }
        guard let keys = try lookupAttribute(mapping, "keys") else {
            throw PyError.type("'\(mapping.typeName)' object is not a mapping")
        }
        return try iterateValues(try callValue(keys, Arguments())).map { ($0, try subscriptValue(mapping, $0)) }
    }

    private func zeroArgumentSuper(_ scope: Scope) throws -> Value {
        var s: Scope? = scope
        while let current = s, current.kind == .comprehension { s = current.enclosing }
        guard let frame = s, let function = frame.function, let cls = function.definingClass,
              let firstName = function.code.positionalNames.first, let receiver = frame.vars[firstName] else {
            if case .some(let v) = try? lookupName("super", scope), case .object(let o) = v, !(o is BuiltinFunction) {
                return try callValue(v, Arguments())
            }
            throw PyError.runtime("super(): no arguments")
        }
        return .object(PySuper(start: cls, receiver: receiver))
    }

    // MARK: Functions

    func functionCode(name: String, parameters: Parameters, body: [Stmt], lambdaBody: Expr?, docstring: String?,
                      location: SourceLocation, file: SourceFile) -> FunctionCode {
        let key = CodeKey(file: ObjectIdentifier(file), line: location.line, column: location.column)
        if let code = codeCache[key] { return code }
        let code = FunctionCode(name: name, parameters: parameters, body: body, lambdaBody: lambdaBody, docstring: docstring)
        codeCache[key] = code
        return code
    }

    func evalDefaults(_ parameters: Parameters, _ scope: Scope) throws -> [String: Value] {
        var defaults: [String: Value] = [:]
        for p in parameters {
            if let d = p.defaultValue { defaults[p.name] = try eval(d, scope) }
        }
        return defaults
    }

    func qualifiedName(_ name: String, in scope: Scope) -> String {
        switch scope.kind {
        case .classBody: return scope.className + "." + name
        case .function: return (scope.function.map { $0.qualname + ".<locals>." } ?? "") + name
        default: return name
        }
    }

    private func makeLambda(_ params: Parameters, _ body: Expr, _ location: SourceLocation, _ scope: Scope) throws -> Value {
        let code = functionCode(name: "<lambda>", parameters: params, body: [], lambdaBody: body, docstring: nil,
                                location: location, file: scope.file)
        let fn = PyFunction(code: code, defaults: try evalDefaults(params, scope), closure: scope.capturable,
                            globals: scope.globals, file: scope.file, qualname: qualifiedName("<lambda>", in: scope))
        return .object(fn)
    }

    // MARK: f-strings

    func evalFString(_ parts: [FStringPart], _ scope: Scope) throws -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let s): out += s
            case .expression(let e, let conversion, let spec, let debugText):
                let v = try eval(e, scope)
                if let debugText { out += debugText + "=" }
                let specText = try spec.map { try evalFString($0, scope) } ?? ""
                var converted = v
                switch conversion {
                case "r": converted = .str(try reprValue(v))
                case "s": converted = .str(try strValue(v))
                case "a": converted = .str(try asciiValue(v))
                default:
                    if debugText != nil && specText.isEmpty { converted = .str(try reprValue(v)) }
                }
                if specText.isEmpty, case .str(let s) = converted { out += s } else { out += try formatValue(converted, spec: specText) }
            }
        }
        return out
    }
}
