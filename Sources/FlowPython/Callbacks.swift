// flow functions passed to Python (`df.apply(lambda r: ...)`, `key=` arguments): a Python
// built-in function whose `self` is a capsule holding the flow callable. A flow error inside the
// call is kept and rethrown as itself when control comes back to flow.

import FlowLang
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a capsule holds: the flow callable and the interpreter to run it in.
private final class CallbackBox {
    let function: Value
    weak var interpreter: Interpreter?
    init(_ function: Value, _ interpreter: Interpreter) {
        self.function = function
        self.interpreter = interpreter
    }
}

/// `PyMethodDef { "flow_callback", trampoline, METH_VARARGS | METH_KEYWORDS, NULL }`, never freed.
nonisolated(unsafe) private let callbackMethodDef: UnsafeMutableRawPointer = {
    let def = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
    def.initializeMemory(as: UInt8.self, repeating: 0, count: 32)
    let name = strdup("flow_callback")
    def.storeBytes(of: UnsafeRawPointer(name), toByteOffset: 0, as: UnsafeRawPointer?.self)
    def.storeBytes(of: unsafeBitCast(callbackTrampoline, to: UnsafeRawPointer.self), toByteOffset: 8, as: UnsafeRawPointer.self)
    def.storeBytes(of: Int32(0x1 | 0x2), toByteOffset: 16, as: Int32.self)
    return def
}()

private let callbackTrampoline: @convention(c) (PyRef?, PyRef?, PyRef?) -> PyRef? = { capsule, args, kwargs in
    guard let runtime = PythonRuntime.loaded else { return nil }
    let api = runtime.api
    guard let pointer = api.PyCapsule_GetPointer(capsule, nil) else { return nil }
    let box = Unmanaged<CallbackBox>.fromOpaque(pointer).takeUnretainedValue()
    guard let interpreter = box.interpreter else {
        api.PyErr_SetString(api.runtimeError, "the flow interpreter of this callback is gone")
        return nil
    }
    do {
        var arguments = Arguments()
        if let args {
            for i in 0..<api.PyTuple_Size(args) {
                arguments.positional.append(try runtime.value(borrowed: api.PyTuple_GetItem(args, i)!))
            }
        }
        if let kwargs, case .dict(let d) = try runtime.value(borrowed: kwargs) {
            for (k, v) in zip(d.keys, d.values) { arguments.keywords.append((k.stringValue ?? "", v)) }
        }
        let result = try interpreter.call(box.function, arguments)
        return try runtime.object(result, interpreter: interpreter)
    } catch {
        runtime.pendingCallbackError = error
        api.PyErr_SetString(api.runtimeError, "error in a flow function called from Python: \(error)")
        return nil
    }
}

private let releaseCallbackBox: @convention(c) (PyRef?) -> Void = { capsule in
    guard let runtime = PythonRuntime.loaded, let pointer = runtime.api.PyCapsule_GetPointer(capsule, nil) else { return }
    Unmanaged<CallbackBox>.fromOpaque(pointer).release()
}

extension PythonRuntime {
    /// A new reference to a Python callable that calls `function` in `interpreter`.
    func callback(_ function: Value, interpreter: Interpreter) throws -> PyRef {
        let box = Unmanaged.passRetained(CallbackBox(function, interpreter)).toOpaque()
        guard let capsule = api.PyCapsule_New(box, nil, releaseCallbackBox) else {
            Unmanaged<CallbackBox>.fromOpaque(box).release()
            throw currentError()
        }
        defer { api.Py_DecRef(capsule) }
        return try check(api.PyCFunction_NewEx(callbackMethodDef, capsule, nil))
    }
}
