// The proxy: a Python object living in flow's interpreter. It owns one reference, takes part in
// every capability FlowLang offers host objects, and converts arguments and results at the edge
// (plain data as flow values, anything else as another proxy).

import FlowLang
import FlowSyntax

public class PythonObject: PyObject, PyIterable, PySubscriptable, PySized, PyContainer, PyOperable, PyHashable {
    let reference: PyRef
    let runtime: PythonRuntime

    /// Takes ownership of a new reference.
    init(owned reference: PyRef, runtime: PythonRuntime) {
        self.reference = reference
        self.runtime = runtime
    }

    deinit {
        let (runtime, reference) = (runtime, reference)
        runtime.withGIL { runtime.api.Py_DecRef(reference) }
    }

    var api: CPythonAPI { runtime.api }

    public var typeName: String {
        runtime.withGIL { runtime.attributeString(api.type(of: reference), "__name__") ?? "object" }
    }

    public func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        try runtime.withGIL {
            if let attribute = api.PyObject_GetAttrString(reference, name) {
                return try runtime.value(owned: attribute)
            }
            let error = runtime.currentError()
            if let e = error as? PyError, e.type == "AttributeError" { return nil }
            throw error
        }
    }

    public func setAttribute(_ name: String, value: Value, interpreter: Interpreter) throws {
        try runtime.withGIL {
            let v = try runtime.object(value, interpreter: interpreter)
            defer { api.Py_DecRef(v) }
            try runtime.check(api.PyObject_SetAttrString(reference, name, v))
        }
    }

    public func repr(interpreter: Interpreter) throws -> String {
        try runtime.withGIL {
            guard let s = runtime.string(reference, api.PyObject_Repr) else { throw runtime.currentError() }
            return s
        }
    }

    public func str(interpreter: Interpreter) throws -> String {
        try runtime.withGIL {
            guard let s = runtime.string(reference, api.PyObject_Str) else { throw runtime.currentError() }
            return s
        }
    }

    public func truthy(interpreter: Interpreter) throws -> Bool {
        try runtime.withGIL {
            let r = api.PyObject_IsTrue(reference)
            if r < 0 { throw runtime.currentError() }
            return r == 1
        }
    }

    // MARK: Iteration, subscripts, len, in

    public func makeIterator(interpreter: Interpreter) throws -> PyIterator {
        try runtime.withGIL {
            PythonIterator(owned: try runtime.check(api.PyObject_GetIter(reference)), runtime: runtime)
        }
    }

    public func getItem(_ key: Value, interpreter: Interpreter) throws -> Value {
        try runtime.withGIL {
            let k = try runtime.object(key, interpreter: interpreter)
            defer { api.Py_DecRef(k) }
            return try runtime.value(owned: try runtime.check(api.PyObject_GetItem(reference, k)))
        }
    }

    public func setItem(_ key: Value, value: Value, interpreter: Interpreter) throws {
        try runtime.withGIL {
            let k = try runtime.object(key, interpreter: interpreter)
            defer { api.Py_DecRef(k) }
            let v = try runtime.object(value, interpreter: interpreter)
            defer { api.Py_DecRef(v) }
            try runtime.check(api.PyObject_SetItem(reference, k, v))
        }
    }

    public func length(interpreter: Interpreter) throws -> Int {
        try runtime.withGIL {
            let n = api.PyObject_Size(reference)
            if n < 0 { throw runtime.currentError() }
            return n
        }
    }

    public func contains(_ value: Value, interpreter: Interpreter) throws -> Bool {
        try runtime.withGIL {
            let v = try runtime.object(value, interpreter: interpreter)
            defer { api.Py_DecRef(v) }
            let r = api.PySequence_Contains(reference, v)
            if r < 0 { throw runtime.currentError() }
            return r == 1
        }
    }

    // MARK: Operators (elementwise results stay proxies)

    public func binaryOperation(_ op: BinaryOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value? {
        try runtime.withGIL {
            let o = try runtime.object(other, interpreter: interpreter)
            defer { api.Py_DecRef(o) }
            let (a, b) = reflected ? (o, reference) : (reference, o)
            let result: PyRef?
            switch op {
            case .add: result = api.PyNumber_Add(a, b)
            case .subtract: result = api.PyNumber_Subtract(a, b)
            case .multiply: result = api.PyNumber_Multiply(a, b)
            case .divide: result = api.PyNumber_TrueDivide(a, b)
            case .floorDivide: result = api.PyNumber_FloorDivide(a, b)
            case .modulo: result = api.PyNumber_Remainder(a, b)
            case .power: result = api.PyNumber_Power(a, b, api.none)
            case .matrixMultiply: result = api.PyNumber_MatrixMultiply(a, b)
            case .bitAnd: result = api.PyNumber_And(a, b)
            case .bitOr: result = api.PyNumber_Or(a, b)
            case .bitXor: result = api.PyNumber_Xor(a, b)
            case .leftShift: result = api.PyNumber_Lshift(a, b)
            case .rightShift: result = api.PyNumber_Rshift(a, b)
            }
            return try runtime.value(owned: try runtime.check(result))
        }
    }

    public func unaryOperation(_ op: UnaryOperator, interpreter: Interpreter) throws -> Value? {
        try runtime.withGIL {
            let result: PyRef?
            switch op {
            case .negate: result = api.PyNumber_Negative(reference)
            case .plus: result = api.PyNumber_Positive(reference)
            case .invert: result = api.PyNumber_Invert(reference)
            case .not: return nil
            }
            return try runtime.value(owned: try runtime.check(result))
        }
    }

    public func compareOperation(_ op: CompareOperator, _ other: Value, reflected: Bool, interpreter: Interpreter) throws -> Value? {
        let code: Int32
        switch op {
        case .less: code = 0
        case .lessEqual: code = 1
        case .equal: code = 2
        case .notEqual: code = 3
        case .greater: code = 4
        case .greaterEqual: code = 5
        default: return nil
        }
        return try runtime.withGIL {
            let o = try runtime.object(other, interpreter: interpreter)
            defer { api.Py_DecRef(o) }
            let (a, b) = reflected ? (o, reference) : (reference, o)
            return try runtime.value(owned: try runtime.check(api.PyObject_RichCompare(a, b, code)))
        }
    }

    // MARK: Hashing (proxies as dict keys and set elements)

    public var pyHash: Int {
        runtime.withGIL {
            let h = api.PyObject_Hash(reference)
            if h == -1 { api.PyErr_Clear(); return ObjectIdentifier(self).hashValue }
            return h
        }
    }

    public func pyEquals(_ other: PyHashable) -> Bool {
        guard let other = other as? PythonObject else { return false }
        if other.reference == reference { return true }
        return runtime.withGIL {
            guard let r = api.PyObject_RichCompare(reference, other.reference, 2) else { api.PyErr_Clear(); return false }
            defer { api.Py_DecRef(r) }
            let t = api.PyObject_IsTrue(r)
            if t < 0 { api.PyErr_Clear() }
            return t == 1
        }
    }
}

/// A callable Python object (functions, methods, classes such as `pd.DataFrame`).
public final class PythonCallable: PythonObject, PyCallable, PyInstanceChecking {
    public func call(_ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        try runtime.withGIL { try runtime.call(reference, arguments, interpreter: interpreter) }
    }

    /// `isinstance(x, pd.Series)`: Python's own check on `x` as Python sees it (flow values converted).
    public func isInstance(_ value: Value, interpreter: Interpreter) throws -> Bool {
        try runtime.withGIL {
            let object = try runtime.object(value, interpreter: interpreter)
            defer { api.Py_DecRef(object) }
            let result = api.PyObject_IsInstance(object, reference)
            if result < 0 { throw runtime.currentError() }
            return result == 1
        }
    }
}

final class PythonIterator: PyIterator {
    let reference: PyRef
    let runtime: PythonRuntime

    init(owned reference: PyRef, runtime: PythonRuntime) {
        self.reference = reference
        self.runtime = runtime
    }

    deinit {
        let (runtime, reference) = (runtime, reference)
        runtime.withGIL { runtime.api.Py_DecRef(reference) }
    }

    func next(interpreter: Interpreter) throws -> Value? {
        try runtime.withGIL {
            if let item = runtime.api.PyIter_Next(reference) { return try runtime.value(owned: item) }
            if runtime.api.PyErr_Occurred() != nil { throw runtime.currentError() }
            return nil
        }
    }
}
