// Classes and instances: user classes (single/multiple inheritance, C3 method resolution order),
// the builtin type objects (`int`, `str`, `ValueError`, ...) which are the same kind of object,
// instances with their `__dict__`, and the descriptors property/staticmethod/classmethod/super.

import FlowSyntax

public final class PyClass: PyObject, PyCallable {
    public let name: String
    public internal(set) var bases: [PyClass]
    var dict: [String: Value]
    public private(set) var mro: [PyClass] = []
    /// For builtin types other than exceptions and `object`: builds a value from call arguments.
    let constructor: BuiltinFunction.Body?
    public let isBuiltin: Bool
    /// True for BaseException and its subclasses.
    public let isException: Bool
    var module: String

    init(name: String, bases: [PyClass], dict: [String: Value] = [:], builtin: Bool,
         module: String = "builtins", constructor: BuiltinFunction.Body? = nil) throws {
        self.name = name
        self.bases = bases
        self.dict = dict
        self.isBuiltin = builtin
        self.constructor = constructor
        self.module = module
        self.isException = name == "BaseException" && builtin || bases.contains { $0.isException }
        self.mro = [self] + (try PyClass.linearize(bases))
    }

    /// C3 linearization of the bases' MROs.
    private static func linearize(_ bases: [PyClass]) throws -> [PyClass] {
        var sequences = bases.map(\.mro) + [bases]
        var result: [PyClass] = []
        while true {
            sequences = sequences.filter { !$0.isEmpty }
            if sequences.isEmpty { return result }
            guard let head = sequences.lazy.map({ $0[0] }).first(where: { candidate in
                !sequences.contains { $0.dropFirst().contains { $0 === candidate } }
            }) else {
                throw PyError.type("Cannot create a consistent method resolution order (MRO)")
            }
            result.append(head)
            sequences = sequences.map { $0[0] === head ? Array($0.dropFirst()) : $0 }
        }
    }

    public var typeName: String { "type" }

    /// The attribute as stored in the nearest class of the MRO (no binding).
    func lookup(_ attribute: String) -> Value? {
        for c in mro { if let v = c.dict[attribute] { return v } }
        return nil
    }

    public func isSubclass(of other: PyClass) -> Bool { mro.contains { $0 === other } }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "__name__", "__qualname__": return .str(self.name)
        case "__module__": return .str(module)
        case "__bases__": return .tuple(bases.map { .object($0) })
        case "__mro__": return .tuple(mro.map { .object($0) })
        case "__dict__":
            let d = PyDict()
            for (k, v) in dict.sorted(by: { $0.key < $1.key }) { d.set(k, v) }
            return .dict(d)
        case "__doc__": return dict["__doc__"] ?? Value.none
        default: break
        }
        if let v = lookup(name) {
            if case .object(let o) = v {
                if let cm = o as? PyClassMethod { return .object(BoundMethod(function: cm.function, receiver: .object(self))) }
                if let sm = o as? PyStaticMethod { return sm.function }
            }
            return v
        }
        if isBuiltin, let method = interpreter.unboundBuiltinMethod(typeName: self.name, name) { return method }
        return nil
    }

    public func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws {
        dict[name] = value
    }

    public func repr(interpreter: Interpreter) throws -> String {
        isBuiltin ? "<class '\(name)'>" : "<class '\(module).\(name)'>"
    }

    public func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        try interpreter.instantiate(self, arguments)
    }
}

/// An instance of a user class (or of a builtin exception class).
public final class PyInstance: PyObject {
    public let cls: PyClass
    public let attributes = PyDict()
    /// `e.args` for exception instances.
    var exceptionArgs: [Value] = []
    /// The message of an exception raised by Swift code (str(e) prints it verbatim).
    var errorMessage: String?

    init(cls: PyClass) { self.cls = cls }

    public var typeName: String { cls.name }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        try interpreter.instanceAttribute(self, name)
    }

    public func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws {
        if case .object(let o)? = cls.lookup(name), let property = o as? PyProperty {
            guard let setter = property.setter else { throw PyError.attribute("property '\(name)' of '\(cls.name)' object has no setter") }
            _ = try interpreter.callValue(setter, Arguments([.object(self), value]))
            return
        }
        if cls.isException && name == "args" { exceptionArgs = (try? interpreter.iterateValues(value)) ?? [value]; return }
        attributes.set(name, value)
    }

    public func repr(interpreter: Interpreter) throws -> String { try interpreter.instanceRepr(self) }
    public func truthy(interpreter: Interpreter) throws -> Bool { try interpreter.instanceTruthy(self) }
}

final class PyProperty: PyObject {
    let getter: Value
    let setter: Value?
    init(getter: Value, setter: Value?) {
        self.getter = getter
        self.setter = setter
    }
    var typeName: String { "property" }
    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        switch name {
        case "setter":
            return .object(BuiltinFunction("setter") { args, _ in
                .object(PyProperty(getter: self.getter, setter: args.positional.first))
            })
        case "getter":
            return .object(BuiltinFunction("getter") { args, _ in
                .object(PyProperty(getter: args.positional.first ?? Value.none, setter: self.setter))
            })
        case "fget": return getter
        default: return nil
        }
    }
}

final class PyStaticMethod: PyObject {
    let function: Value
    init(_ function: Value) { self.function = function }
    var typeName: String { "staticmethod" }
}

final class PyClassMethod: PyObject {
    let function: Value
    init(_ function: Value) { self.function = function }
    var typeName: String { "classmethod" }
}

/// `super()` / `super(C, obj)`: attribute lookup starting after `start` in the receiver's MRO.
final class PySuper: PyObject {
    let start: PyClass
    let receiver: Value
    init(start: PyClass, receiver: Value) {
        self.start = start
        self.receiver = receiver
    }
    var typeName: String { "super" }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        let mro: [PyClass]
        if case .object(let o) = receiver, let inst = o as? PyInstance { mro = inst.cls.mro }
        else if case .object(let o) = receiver, let cls = o as? PyClass { mro = cls.mro }
        else { mro = [] }
        guard let i = mro.firstIndex(where: { $0 === start }) else { return nil }
        for cls in mro[(i + 1)...] {
            guard let v = cls.dict[name] else { continue }
            return interpreter.bindClassAttribute(v, receiver: receiver, owner: cls)
        }
        return nil
    }
}

extension Interpreter {
    /// `cls(*args, **kwargs)`
    func instantiate(_ cls: PyClass, _ arguments: Arguments) throws -> Value {
        if let constructor = cls.constructor { return try constructor(arguments, self) }
        if !cls.isException, let builtinBase = cls.mro.dropFirst().first(where: { $0.constructor != nil }) {
            throw PyError.type("flow does not support subclassing the builtin type '\(builtinBase.name)'")
        }
        let instance = PyInstance(cls: cls)
        if cls.isException { instance.exceptionArgs = arguments.positional }
        let value = Value.object(instance)
        if let initializer = cls.lookup("__init__") {
            if case .object(let o) = initializer, o is MethodDescriptor {
                if !cls.isException && arguments.count > 0 && cls.lookup("__new__") == nil {
                    throw PyError.type("\(cls.name)() takes no arguments")
                }
            }
            let bound = bindClassAttribute(initializer, receiver: value, owner: cls)
            let result = try callValue(bound, arguments)
            if !result.isNone { throw PyError.type("__init__() should return None, not '\(result.typeName)'") }
        }
        return value
    }

    /// How a class attribute appears when read through an instance (or class) `receiver`.
    func bindClassAttribute(_ value: Value, receiver: Value, owner: PyClass) -> Value {
        guard case .object(let o) = value else { return value }
        if o is PyFunction || o is MethodDescriptor { return .object(BoundMethod(function: value, receiver: receiver)) }
        if let cm = o as? PyClassMethod {
            var cls: Value = .object(owner)
            if case .object(let r) = receiver, let inst = r as? PyInstance { cls = .object(inst.cls) }
            else if case .object(let r) = receiver, r is PyClass { cls = receiver }
            return .object(BoundMethod(function: cm.function, receiver: cls))
        }
        if let sm = o as? PyStaticMethod { return sm.function }
        return value
    }

    func instanceAttribute(_ inst: PyInstance, _ name: String) throws -> Value? {
        switch name {
        case "__class__": return .object(inst.cls)
        case "__dict__": return .dict(inst.attributes)
        default: break
        }
        let classValue = inst.cls.lookup(name)
        if case .object(let o)? = classValue, let property = o as? PyProperty {
            return try callValue(property.getter, Arguments([.object(inst)]))
        }
        if let v = inst.attributes.get(name) { return v }
        if inst.cls.isException {
            switch name {
            case "args": return .tuple(inst.exceptionArgs)
            case "__cause__", "__context__", "__traceback__", "__suppress_context__": return Value.none
            default: break
            }
        }
        if let classValue { return bindClassAttribute(classValue, receiver: .object(inst), owner: inst.cls) }
        if let getattr = inst.cls.lookup("__getattr__") {
            do {
                return try callValue(bindClassAttribute(getattr, receiver: .object(inst), owner: inst.cls), Arguments([.str(name)]))
            } catch let e as PyError where e.type == "AttributeError" {
                return nil
            }
        }
        return nil
    }

    /// A user-defined dunder (a def in a user class), bound to the instance; nil when only the builtin default exists.
    func userDunder(_ inst: PyInstance, _ name: String) -> Value? {
        for cls in inst.cls.mro where !cls.isBuiltin {
            if let v = cls.dict[name] { return bindClassAttribute(v, receiver: .object(inst), owner: cls) }
        }
        return nil
    }

    /// Calls `inst.name(other)`; nil when undefined or it returned NotImplemented.
    func instanceBinaryDunder(_ inst: PyInstance, _ name: String, _ other: Value) throws -> Value? {
        guard let method = userDunder(inst, name) else { return nil }
        let result = try callValue(method, Arguments([other]))
        if case .object(let o) = result, o is NotImplementedType { return nil }
        return result
    }

    func instanceStr(_ inst: PyInstance) throws -> String {
        if let method = userDunder(inst, "__str__") { return try expectString(try callValue(method, Arguments()), "__str__") }
        if inst.cls.isException { return try exceptionStr(inst) }
        return try instanceRepr(inst)
    }

    func instanceRepr(_ inst: PyInstance) throws -> String {
        if let method = userDunder(inst, "__repr__") { return try expectString(try callValue(method, Arguments()), "__repr__") }
        if inst.cls.isException {
            let args = inst.errorMessage.map { [Value.str($0)] } ?? inst.exceptionArgs
            if args.count == 1 { return "\(inst.cls.name)(\(try reprValue(args[0])))" }
            return inst.cls.name + (try reprValue(.tuple(args)))
        }
        return "<\(inst.cls.module).\(inst.cls.name) object at \(objectAddress(inst))>"
    }

    func exceptionStr(_ inst: PyInstance) throws -> String {
        if let message = inst.errorMessage { return message }
        switch inst.exceptionArgs.count {
        case 0: return ""
        case 1:
            if userDunder(inst, "__str__") == nil, inst.cls.isSubclass(of: try exceptionClass("KeyError")) {
                return try reprValue(inst.exceptionArgs[0])
            }
            return try strValue(inst.exceptionArgs[0])
        default: return try reprValue(.tuple(inst.exceptionArgs))
        }
    }

    private func expectString(_ v: Value, _ method: String) throws -> String {
        guard case .str(let s) = v else { throw PyError.type("\(method) returned non-string (type \(v.typeName))") }
        return s
    }

    func instanceTruthy(_ inst: PyInstance) throws -> Bool {
        if let method = userDunder(inst, "__bool__") { return try isTruthy(try callValue(method, Arguments())) }
        if let method = userDunder(inst, "__len__") { return try isTruthy(try callValue(method, Arguments())) }
        return true
    }

    func instanceContains(_ inst: PyInstance, _ item: Value) throws -> Bool? {
        guard let method = userDunder(inst, "__contains__") else { return nil }
        return try isTruthy(try callValue(method, Arguments([item])))
    }
}
