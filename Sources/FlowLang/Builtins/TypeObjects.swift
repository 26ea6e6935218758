// The builtin type objects (`int`, `str`, `list`, ... and `object`, `type`): they construct values
// when called, answer isinstance/issubclass, and `type(x)` maps every value to one of them.

import FlowSyntax

extension Interpreter {
    func builtinType(_ name: String) throws -> PyClass {
        if let cls = typeObjects[name] { return cls }
        throw PyError.runtime("internal: no builtin type '\(name)'")
    }

    func installTypeObjects() {
        // `object` first: every other class derives from it.
        let object = try! PyClass(name: "object", bases: [], builtin: true)
        object.dict["__init__"] = .object(MethodDescriptor("__init__") { _, _ in .none })
        object.dict["__str__"] = .object(MethodDescriptor("__str__") { args, interp in
            guard case .object(let o)? = args.positional.first, let inst = o as? PyInstance else {
                return .str(try interp.strValue(args.positional.first ?? Value.none))
            }
            return .str(inst.cls.isException ? try interp.exceptionStr(inst) : try interp.instanceRepr(inst))
        })
        object.dict["__repr__"] = .object(MethodDescriptor("__repr__") { args, interp in
            guard case .object(let o)? = args.positional.first, let inst = o as? PyInstance else {
                return .str(try interp.reprValue(args.positional.first ?? Value.none))
            }
            return .str("<\(inst.cls.module).\(inst.cls.name) object at \(objectAddress(inst))>")
        })
        object.dict["__eq__"] = .object(MethodDescriptor("__eq__") { args, interp in
            guard args.positional.count == 2 else { return .false }
            return interp.isIdentical(args.positional[0], args.positional[1]) ? .true : .object(NotImplementedType())
        })
        object.dict["__hash__"] = .object(MethodDescriptor("__hash__") { args, _ in
            guard case .object(let o)? = args.positional.first else { return .int(0) }
            return .int(ObjectIdentifier(o).hashValue)
        })
        typeObjects["object"] = object
        func add(_ name: String, base: String = "object", _ constructor: @escaping BuiltinFunction.Body) {
            typeObjects[name] = try! PyClass(name: name, bases: [typeObjects[base]!], builtin: true, constructor: constructor)
        }
        add("type") { args, interp in try interp.typeCall(args) }
        add("int") { args, interp in try interp.intConstructor(args) }
        add("bool", base: "int") { args, interp in .bool(try interp.isTruthy(args.positional.first ?? .false)) }
        add("float") { args, interp in try interp.floatConstructor(args) }
        add("str") { args, interp in
            guard let v = args.argument(0, "object") else { return .str("") }
            return .str(try interp.strValue(v))
        }
        add("list") { args, interp in .list(PyList(try args.positional.first.map { try interp.iterateValues($0) } ?? [])) }
        add("tuple") { args, interp in .tuple(try args.positional.first.map { try interp.iterateValues($0) } ?? []) }
        add("set") { args, interp in .set(try interp.makeSet(try args.positional.first.map { try interp.iterateValues($0) } ?? [])) }
        add("frozenset") { args, interp in
            .set(try interp.makeSet(try args.positional.first.map { try interp.iterateValues($0) } ?? [], frozen: true))
        }
        add("dict") { args, interp in
            let d = PyDict()
            if let source = args.positional.first { try interp.updateDict(d, from: source) }
            for (k, v) in args.keywords { d.set(k, v) }
            return .dict(d)
        }
        add("range") { args, interp in try interp.rangeConstructor(args) }
        add("NoneType") { _, _ in .none }
        add("slice") { args, _ in
            let p = args.positional
            if p.count == 1 { return .object(PySlice(start: .none, stop: p[0], step: .none)) }
            return .object(PySlice(start: p.first ?? Value.none, stop: p.count > 1 ? p[1] : .none, step: p.count > 2 ? p[2] : .none))
        }
        for name in ["function", "builtin_function_or_method", "method", "module", "generator", "property",
                     "staticmethod", "classmethod", "super", "NotImplementedType", "ellipsis",
                     "dict_keys", "dict_values", "dict_items"] {
            add(name) { _, _ in throw PyError.type("cannot create '\(name)' instances") }
        }
        typeObjects["staticmethod"] = try! PyClass(name: "staticmethod", bases: [object], builtin: true) { args, _ in
            .object(PyStaticMethod(args.positional.first ?? Value.none))
        }
        typeObjects["classmethod"] = try! PyClass(name: "classmethod", bases: [object], builtin: true) { args, _ in
            .object(PyClassMethod(args.positional.first ?? Value.none))
        }
        typeObjects["property"] = try! PyClass(name: "property", bases: [object], builtin: true) { args, _ in
            .object(PyProperty(getter: args.argument(0, "fget") ?? Value.none, setter: args.argument(1, "fset")))
        }
        typeObjects["super"] = try! PyClass(name: "super", bases: [object], builtin: true) { args, _ in
            guard args.positional.count == 2, case .object(let o) = args.positional[0], let cls = o as? PyClass else {
                throw PyError.runtime("super(): no arguments")
            }
            return .object(PySuper(start: cls, receiver: args.positional[1]))
        }
    }

    /// `type(x)` for any value.
    func typeObject(for value: Value) -> PyClass {
        let name: String
        switch value {
        case .object(let o):
            if let inst = o as? PyInstance { return inst.cls }
            if o is PyClass { return typeObjects["type"]! }
            name = o.typeName
            if let cls = typeObjects[name] { return cls }
            // Host types get a class object on first use; str-like ones derive from str.
            let base = o is PyStringLike ? typeObjects["str"]! : typeObjects["object"]!
            let cls = try! PyClass(name: name, bases: [base], builtin: true) { _, _ in
                throw PyError.type("cannot create '\(name)' instances")
            }
            typeObjects[name] = cls
            return cls
        default:
            name = value.typeName
        }
        return typeObjects[name] ?? typeObjects["object"]!
    }

    func isInstance(_ value: Value, _ classInfo: Value) throws -> Bool {
        switch classInfo {
        case .tuple(let items):
            for item in items where try isInstance(value, item) { return true }
            return false
        case .object(let o):
            if let cls = o as? PyClass { return typeObject(for: value).isSubclass(of: cls) }
            if let checking = o as? PyInstanceChecking { return try checking.isInstance(value, interpreter: self) }
        default: break
        }
        throw PyError.type("isinstance() arg 2 must be a type, a tuple of types, or a union")
    }

    func isSubclassValue(_ value: Value, _ classInfo: Value) throws -> Bool {
        guard case .object(let o) = value, let cls = o as? PyClass else {
            throw PyError.type("issubclass() arg 1 must be a class")
        }
        switch classInfo {
        case .tuple(let items):
            for item in items where try isSubclassValue(value, item) { return true }
            return false
        case .object(let p):
            if let other = p as? PyClass { return cls.isSubclass(of: other) }
        default: break
        }
        throw PyError.type("issubclass() arg 2 must be a class, a tuple of classes, or a union")
    }

    private func typeCall(_ args: Arguments) throws -> Value {
        if args.positional.count == 1 { return .object(typeObject(for: args.positional[0])) }
        guard args.positional.count == 3, let name = args.positional[0].stringValue else {
            throw PyError.type("type() takes 1 or 3 arguments")
        }
        let bases = try iterateValues(args.positional[1]).map { v -> PyClass in
            guard case .object(let o) = v, let c = o as? PyClass else { throw PyError.type("bases must be types") }
            return c
        }
        var dict: [String: Value] = [:]
        for (k, v) in try mappingItems(args.positional[2]) { if let s = k.stringValue { dict[s] = v } }
        return .object(try PyClass(name: name, bases: bases.isEmpty ? [try builtinType("object")] : bases,
                                   dict: dict, builtin: false, module: "__main__"))
    }

    private func rangeConstructor(_ args: Arguments) throws -> Value {
        let p = try args.positional.map { v -> Int in
            guard case .int(let i) = v.numericPromoted else {
                throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer")
            }
            return i
        }
        switch p.count {
        case 1: return .object(PyRange(start: 0, stop: p[0], step: 1))
        case 2: return .object(PyRange(start: p[0], stop: p[1], step: 1))
        case 3:
            if p[2] == 0 { throw PyError.value("range() arg 3 must not be zero") }
            return .object(PyRange(start: p[0], stop: p[1], step: p[2]))
        default:
            throw PyError.type(p.isEmpty ? "range expected at least 1 argument, got 0" : "range expected at most 3 arguments, got \(p.count)")
        }
    }

    /// dict.update / dict(): from a mapping or an iterable of pairs.
    func updateDict(_ d: PyDict, from source: Value) throws {
        if case .dict(let other) = source {
            for i in 0..<other.count { d.set(HashKey(unchecked: other.keys[i]), other.values[i]) }
            return
        }
        if case .object = source, try lookupAttribute(source, "keys") != nil {
            for (k, v) in try mappingItems(source) { d.set(try HashKey(k), v) }
            return
        }
        for (n, item) in try iterateValues(source).enumerated() {
            let pair = try iterateValues(item)
            guard pair.count == 2 else {
                throw PyError.value("dictionary update sequence element #\(n) has length \(pair.count); 2 is required")
            }
            d.set(try HashKey(pair[0]), pair[1])
        }
    }
}
