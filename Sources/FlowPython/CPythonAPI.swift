// FlowPython: CPython, loaded on demand, for modules outside flow's own set (pandas, numpy, ...).
//
// Owns: finding a libpython at run time (the `python3` on PATH or the one FLOW_PYTHON names),
// opening it with dlopen, the C API functions flow uses (looked up by name: no Python headers or
// library at build time), the proxy value `PythonObject`, and the conversions between flow values
// and Python objects. It plugs into FlowLang as a `ForeignModuleLoader`; nothing else in flow
// knows that CPython exists.
//
// This file: the C API as function pointers resolved with dlsym from the opened library.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `PyObject*`.
typealias PyRef = UnsafeMutableRawPointer

/// The C API functions and objects flow uses, resolved by name from an opened libpython.
struct CPythonAPI {
    typealias Unary = @convention(c) (PyRef?) -> PyRef?
    typealias Binary = @convention(c) (PyRef?, PyRef?) -> PyRef?
    typealias Ternary = @convention(c) (PyRef?, PyRef?, PyRef?) -> PyRef?
    typealias IntOf = @convention(c) (PyRef?) -> Int32
    typealias SizeOf = @convention(c) (PyRef?) -> Int

    let handle: UnsafeMutableRawPointer

    // Life cycle and the GIL.
    let Py_IsInitialized: @convention(c) () -> Int32
    let Py_InitializeEx: @convention(c) (Int32) -> Void
    let Py_SetProgramName: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?
    let Py_DecodeLocale: @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<Int>?) -> UnsafeMutableRawPointer?
    let PyEval_SaveThread: @convention(c) () -> UnsafeMutableRawPointer?
    let PyGILState_Ensure: @convention(c) () -> Int32
    let PyGILState_Release: @convention(c) (Int32) -> Void
    let PyRun_SimpleString: @convention(c) (UnsafePointer<CChar>?) -> Int32

    // Objects.
    let Py_IncRef: @convention(c) (PyRef?) -> Void
    let Py_DecRef: @convention(c) (PyRef?) -> Void
    let PyImport_ImportModule: @convention(c) (UnsafePointer<CChar>?) -> PyRef?
    let PyObject_GetAttrString: @convention(c) (PyRef?, UnsafePointer<CChar>?) -> PyRef?
    let PyObject_SetAttrString: @convention(c) (PyRef?, UnsafePointer<CChar>?, PyRef?) -> Int32
    let PyObject_Call: Ternary
    let PyObject_GetItem: Binary
    let PyObject_SetItem: @convention(c) (PyRef?, PyRef?, PyRef?) -> Int32
    let PyObject_Size: SizeOf
    let PyObject_IsTrue: IntOf
    let PyObject_RichCompare: @convention(c) (PyRef?, PyRef?, Int32) -> PyRef?
    let PyObject_Str: Unary
    let PyObject_Repr: Unary
    let PyObject_Hash: SizeOf
    let PyObject_GetIter: Unary
    let PyObject_IsInstance: @convention(c) (PyRef?, PyRef?) -> Int32
    let PyIter_Next: Unary
    let PyCallable_Check: IntOf
    let PySequence_Contains: @convention(c) (PyRef?, PyRef?) -> Int32
    let PyType_GetFlags: @convention(c) (PyRef?) -> UInt
    let PyType_IsSubtype: @convention(c) (PyRef?, PyRef?) -> Int32

    // Scalars.
    let PyLong_FromLongLong: @convention(c) (Int64) -> PyRef?
    let PyLong_AsLongLongAndOverflow: @convention(c) (PyRef?, UnsafeMutablePointer<Int32>?) -> Int64
    let PyFloat_FromDouble: @convention(c) (Double) -> PyRef?
    let PyFloat_AsDouble: @convention(c) (PyRef?) -> Double
    let PyBool_FromLong: @convention(c) (Int) -> PyRef?
    let PyUnicode_FromStringAndSize: @convention(c) (UnsafePointer<CChar>?, Int) -> PyRef?
    let PyUnicode_AsUTF8AndSize: @convention(c) (PyRef?, UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>?

    // Containers.
    let PyTuple_New: @convention(c) (Int) -> PyRef?
    let PyTuple_SetItem: @convention(c) (PyRef?, Int, PyRef?) -> Int32
    let PyTuple_GetItem: @convention(c) (PyRef?, Int) -> PyRef?
    let PyTuple_Size: SizeOf
    let PyList_New: @convention(c) (Int) -> PyRef?
    let PyList_SetItem: @convention(c) (PyRef?, Int, PyRef?) -> Int32
    let PyList_GetItem: @convention(c) (PyRef?, Int) -> PyRef?
    let PyList_Size: SizeOf
    let PyDict_New: @convention(c) () -> PyRef?
    let PyDict_SetItem: @convention(c) (PyRef?, PyRef?, PyRef?) -> Int32
    let PyDict_Next: @convention(c) (PyRef?, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<PyRef?>?, UnsafeMutablePointer<PyRef?>?) -> Int32
    let PySet_New: Unary
    let PySet_Add: @convention(c) (PyRef?, PyRef?) -> Int32
    let PyFrozenSet_New: Unary
    let PySlice_New: Ternary

    // Numbers.
    let PyNumber_Add: Binary, PyNumber_Subtract: Binary, PyNumber_Multiply: Binary
    let PyNumber_TrueDivide: Binary, PyNumber_FloorDivide: Binary, PyNumber_Remainder: Binary
    let PyNumber_Power: Ternary, PyNumber_MatrixMultiply: Binary
    let PyNumber_And: Binary, PyNumber_Or: Binary, PyNumber_Xor: Binary
    let PyNumber_Lshift: Binary, PyNumber_Rshift: Binary
    let PyNumber_Negative: Unary, PyNumber_Positive: Unary, PyNumber_Invert: Unary

    // Errors.
    let PyErr_Occurred: @convention(c) () -> PyRef?
    let PyErr_Fetch: @convention(c) (UnsafeMutablePointer<PyRef?>?, UnsafeMutablePointer<PyRef?>?, UnsafeMutablePointer<PyRef?>?) -> Void
    let PyErr_NormalizeException: @convention(c) (UnsafeMutablePointer<PyRef?>?, UnsafeMutablePointer<PyRef?>?, UnsafeMutablePointer<PyRef?>?) -> Void
    let PyErr_Clear: @convention(c) () -> Void
    let PyErr_SetString: @convention(c) (PyRef?, UnsafePointer<CChar>?) -> Void

    // Calling back into flow.
    let PyCFunction_NewEx: Ternary
    let PyCapsule_New: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, (@convention(c) (PyRef?) -> Void)?) -> PyRef?
    let PyCapsule_GetPointer: @convention(c) (PyRef?, UnsafePointer<CChar>?) -> UnsafeMutableRawPointer?

    // Objects and types exported as data.
    let none: PyRef, trueObject: PyRef, falseObject: PyRef
    let boolType: PyRef, floatType: PyRef, tupleType: PyRef, listType: PyRef, dictType: PyRef
    let setType: PyRef, frozenSetType: PyRef
    let runtimeError: PyRef

    /// Resolves every symbol; throws naming the first one missing.
    init(handle: UnsafeMutableRawPointer) throws {
        self.handle = handle
        func fn<T>(_ name: String) throws -> T {
            guard let p = dlsym(handle, name) else { throw PythonUnavailable("libpython lacks \(name)") }
            return unsafeBitCast(p, to: T.self)
        }
        func data(_ name: String) throws -> PyRef {
            guard let p = dlsym(handle, name) else { throw PythonUnavailable("libpython lacks \(name)") }
            return p
        }
        Py_IsInitialized = try fn("Py_IsInitialized")
        Py_InitializeEx = try fn("Py_InitializeEx")
        Py_SetProgramName = try? fn("Py_SetProgramName")
        Py_DecodeLocale = try fn("Py_DecodeLocale")
        PyEval_SaveThread = try fn("PyEval_SaveThread")
        PyGILState_Ensure = try fn("PyGILState_Ensure")
        PyGILState_Release = try fn("PyGILState_Release")
        PyRun_SimpleString = try fn("PyRun_SimpleString")
        Py_IncRef = try fn("Py_IncRef")
        Py_DecRef = try fn("Py_DecRef")
        PyImport_ImportModule = try fn("PyImport_ImportModule")
        PyObject_GetAttrString = try fn("PyObject_GetAttrString")
        PyObject_SetAttrString = try fn("PyObject_SetAttrString")
        PyObject_Call = try fn("PyObject_Call")
        PyObject_GetItem = try fn("PyObject_GetItem")
        PyObject_SetItem = try fn("PyObject_SetItem")
        PyObject_Size = try fn("PyObject_Size")
        PyObject_IsTrue = try fn("PyObject_IsTrue")
        PyObject_RichCompare = try fn("PyObject_RichCompare")
        PyObject_Str = try fn("PyObject_Str")
        PyObject_Repr = try fn("PyObject_Repr")
        PyObject_Hash = try fn("PyObject_Hash")
        PyObject_GetIter = try fn("PyObject_GetIter")
        PyObject_IsInstance = try fn("PyObject_IsInstance")
        PyIter_Next = try fn("PyIter_Next")
        PyCallable_Check = try fn("PyCallable_Check")
        PySequence_Contains = try fn("PySequence_Contains")
        PyType_GetFlags = try fn("PyType_GetFlags")
        PyType_IsSubtype = try fn("PyType_IsSubtype")
        PyLong_FromLongLong = try fn("PyLong_FromLongLong")
        PyLong_AsLongLongAndOverflow = try fn("PyLong_AsLongLongAndOverflow")
        PyFloat_FromDouble = try fn("PyFloat_FromDouble")
        PyFloat_AsDouble = try fn("PyFloat_AsDouble")
        PyBool_FromLong = try fn("PyBool_FromLong")
        PyUnicode_FromStringAndSize = try fn("PyUnicode_FromStringAndSize")
        PyUnicode_AsUTF8AndSize = try fn("PyUnicode_AsUTF8AndSize")
        PyTuple_New = try fn("PyTuple_New")
        PyTuple_SetItem = try fn("PyTuple_SetItem")
        PyTuple_GetItem = try fn("PyTuple_GetItem")
        PyTuple_Size = try fn("PyTuple_Size")
        PyList_New = try fn("PyList_New")
        PyList_SetItem = try fn("PyList_SetItem")
        PyList_GetItem = try fn("PyList_GetItem")
        PyList_Size = try fn("PyList_Size")
        PyDict_New = try fn("PyDict_New")
        PyDict_SetItem = try fn("PyDict_SetItem")
        PyDict_Next = try fn("PyDict_Next")
        PySet_New = try fn("PySet_New")
        PySet_Add = try fn("PySet_Add")
        PyFrozenSet_New = try fn("PyFrozenSet_New")
        PySlice_New = try fn("PySlice_New")
        PyNumber_Add = try fn("PyNumber_Add")
        PyNumber_Subtract = try fn("PyNumber_Subtract")
        PyNumber_Multiply = try fn("PyNumber_Multiply")
        PyNumber_TrueDivide = try fn("PyNumber_TrueDivide")
        PyNumber_FloorDivide = try fn("PyNumber_FloorDivide")
        PyNumber_Remainder = try fn("PyNumber_Remainder")
        PyNumber_Power = try fn("PyNumber_Power")
        PyNumber_MatrixMultiply = try fn("PyNumber_MatrixMultiply")
        PyNumber_And = try fn("PyNumber_And")
        PyNumber_Or = try fn("PyNumber_Or")
        PyNumber_Xor = try fn("PyNumber_Xor")
        PyNumber_Lshift = try fn("PyNumber_Lshift")
        PyNumber_Rshift = try fn("PyNumber_Rshift")
        PyNumber_Negative = try fn("PyNumber_Negative")
        PyNumber_Positive = try fn("PyNumber_Positive")
        PyNumber_Invert = try fn("PyNumber_Invert")
        PyErr_Occurred = try fn("PyErr_Occurred")
        PyErr_Fetch = try fn("PyErr_Fetch")
        PyErr_NormalizeException = try fn("PyErr_NormalizeException")
        PyErr_Clear = try fn("PyErr_Clear")
        PyErr_SetString = try fn("PyErr_SetString")
        PyCFunction_NewEx = try fn("PyCFunction_NewEx")
        PyCapsule_New = try fn("PyCapsule_New")
        PyCapsule_GetPointer = try fn("PyCapsule_GetPointer")
        none = try data("_Py_NoneStruct")
        trueObject = try data("_Py_TrueStruct")
        falseObject = try data("_Py_FalseStruct")
        boolType = try data("PyBool_Type")
        floatType = try data("PyFloat_Type")
        tupleType = try data("PyTuple_Type")
        listType = try data("PyList_Type")
        dictType = try data("PyDict_Type")
        setType = try data("PySet_Type")
        frozenSetType = try data("PyFrozenSet_Type")
        // `PyExc_RuntimeError` is a `PyObject *` variable: read the pointer it holds.
        runtimeError = try data("PyExc_RuntimeError").load(as: PyRef.self)
    }

    /// `Py_TYPE(o)`: `ob_type` follows `ob_refcnt` in every object of the default (non-debug,
    /// GIL) build.
    @inline(__always) func type(of object: PyRef) -> PyRef {
        object.load(fromByteOffset: MemoryLayout<Int>.size, as: PyRef.self)
    }
}

// Py_TPFLAGS_*_SUBCLASS bits of a type's flags.
let longSubclassFlag: UInt = 1 << 24
let unicodeSubclassFlag: UInt = 1 << 28
let baseExceptionSubclassFlag: UInt = 1 << 30

/// No usable CPython: the message says what was tried and how to point flow at one.
struct PythonUnavailable: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
