// The one CPython of this process: found, opened and initialised on first use, never unloaded
// (CPython cannot be initialised twice). Every call into it holds the GIL through `withGIL`, so
// flow may call from any thread.

import Foundation
import FlowLang

/// A Python installation as its `python3` executable reports it.
public struct PythonInstallation: Equatable {
    public var executable: String
    public var version: String
    /// The shared libpython to open.
    public var library: String

    /// Asks `python` (a path or a name on PATH) where its shared libpython is.
    public static func locate(python: String) throws -> PythonInstallation {
        let hint = "set FLOW_PYTHON to a python3 with a shared libpython (e.g. Debian's /usr/bin/python3 with libpython3.11)"
        guard let path = resolveExecutable(python) else {
            throw PythonUnavailable("no Python found: '\(python)' is not an executable; \(hint)")
        }
        let script = """
            import sys, sysconfig, os
            c = sysconfig.get_config_var
            print(sys.executable or sys.argv[0]); print(sys.version.split()[0])
            print(c('LIBDIR') or ''); print(c('INSTSONAME') or ''); print(c('LDLIBRARY') or ''); print(c('Py_ENABLE_SHARED') or 0)
            print(c('MULTIARCH') or '')
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", script]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw PythonUnavailable("no Python found: cannot run '\(path)' (\(error)); \(hint)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard process.terminationStatus == 0, lines.count >= 6 else {
            throw PythonUnavailable("no Python found: '\(path)' did not report its configuration; \(hint)")
        }
        let (executable, version, libdir, soname, ldlibrary) = (lines[0], lines[1], lines[2], lines[3], lines[4])
        let multiarch = lines.count > 6 ? lines[6] : ""
        var candidates: [String] = []
        for name in [soname, ldlibrary] where name.contains(".so") || name.hasSuffix(".dylib") {
            candidates.append("\(libdir)/\(name)")
            if !multiarch.isEmpty { candidates.append("\(libdir)/\(multiarch)/\(name)") }
        }
        guard let library = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw PythonUnavailable("no shared libpython for Python \(version) at \(executable) (looked for "
                + "\(candidates.isEmpty ? "a shared library; it is built static" : candidates.joined(separator: ", "))); \(hint)")
        }
        return PythonInstallation(executable: executable.isEmpty ? path : executable, version: version, library: library)
    }

    private static func resolveExecutable(_ name: String) -> String? {
        let fm = FileManager.default
        if name.contains("/") { return fm.isExecutableFile(atPath: name) ? name : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

final class PythonRuntime {
    let api: CPythonAPI
    let installation: PythonInstallation
    /// A flow error raised inside a callback from Python, rethrown when control returns to flow.
    var pendingCallbackError: Error?
    /// How each Python type converts to a flow value, decided once per type.
    private var conversionKinds: [PyRef: ConversionKind] = [:]
    private var numpyGeneric: PyRef?
    /// `lambda f, /, *a, **k: f(*a, **k)`: calls from flow go through one Python frame, so code
    /// that inspects its caller's frame (pandas' `DataFrame.query` and `eval` use
    /// `sys._getframe`) finds one, as it would when called from Python.
    private var trampoline: PyRef?
    private let lock = NSLock()

    private static let creationLock = NSLock()
    nonisolated(unsafe) private static var current: Result<PythonRuntime, PythonUnavailable>?
    /// Times a CPython was opened in this process (0 or 1).
    nonisolated(unsafe) static var loadCount = 0
    /// The runtime once loaded (for C callbacks, which cannot capture it).
    static var loaded: PythonRuntime? { try? current?.get() }

    /// The process's CPython, loaded from `installation` on first use (later installations are
    /// ignored: one libpython per process).
    static func shared(_ installation: PythonInstallation) throws -> PythonRuntime {
        creationLock.lock()
        defer { creationLock.unlock() }
        if let current { return try current.get() }
        // A failure is not cached: a later import may name another Python.
        let runtime = try PythonRuntime(installation)
        current = .success(runtime)
        return runtime
    }

    private init(_ installation: PythonInstallation) throws {
        self.installation = installation
        guard let handle = dlopen(installation.library, RTLD_NOW | RTLD_GLOBAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PythonUnavailable("cannot open \(installation.library): \(reason); set FLOW_PYTHON to another python3")
        }
        api = try CPythonAPI(handle: handle)
        PythonRuntime.loadCount += 1
        if api.Py_IsInitialized() == 0 {
            // The program name decides sys.prefix, so the stdlib and site-packages are those of
            // the chosen python3 (a venv's too), not of whatever `python3` comes first on PATH.
            if let setName = api.Py_SetProgramName, let wide = api.Py_DecodeLocale(installation.executable, nil) {
                setName(wide)  // Kept for the life of the process, as CPython requires.
            }
            api.Py_InitializeEx(0)  // 0: leave signal handlers (Ctrl-C) to flow.
            _ = api.PyRun_SimpleString("import sys\nif not getattr(sys, 'argv', None): sys.argv = ['flow']\n")
            _ = api.PyEval_SaveThread()
        }
    }

    @inline(__always) func withGIL<T>(_ body: () throws -> T) rethrows -> T {
        let state = api.PyGILState_Ensure()
        defer { api.PyGILState_Release(state) }
        return try body()
    }

    // MARK: Errors

    /// Turns the pending Python exception (after a call returned NULL or -1) into a flow error.
    func currentError() -> Error {
        if let e = pendingCallbackError {
            pendingCallbackError = nil
            api.PyErr_Clear()
            return e
        }
        var type: PyRef?, value: PyRef?, traceback: PyRef?
        api.PyErr_Fetch(&type, &value, &traceback)
        guard type != nil else { return PyError.runtime("Python call failed without an exception") }
        api.PyErr_NormalizeException(&type, &value, &traceback)
        defer { api.Py_DecRef(type); api.Py_DecRef(value); api.Py_DecRef(traceback) }
        let name = attributeString(type, "__name__") ?? "Exception"
        let message = value.flatMap { string($0, api.PyObject_Str) } ?? ""
        // The nearest class that flow's `except` clauses know (pandas' ParserError is a ValueError).
        var flowType = name
        if PyError.parents[name] == nil, name != "BaseException", let mro = attribute(type, "__mro__") {
            defer { api.Py_DecRef(mro) }
            flowType = "Exception"
            for i in 1..<max(1, api.PyTuple_Size(mro)) {
                if let n = attributeString(api.PyTuple_GetItem(mro, i), "__name__"),
                   PyError.parents[n] != nil || n == "BaseException" { flowType = n; break }
            }
        }
        var error = PyError(flowType, flowType == name ? message : "\(name): \(message)")
        if let traceback, let text = formatTraceback(type, value, traceback) { error.notes.append(text) }
        return error
    }

    private func formatTraceback(_ type: PyRef?, _ value: PyRef?, _ traceback: PyRef) -> String? {
        guard let module = api.PyImport_ImportModule("traceback") else { api.PyErr_Clear(); return nil }
        defer { api.Py_DecRef(module) }
        guard let format = api.PyObject_GetAttrString(module, "format_tb") else { api.PyErr_Clear(); return nil }
        defer { api.Py_DecRef(format) }
        let args = api.PyTuple_New(1)
        api.Py_IncRef(traceback)
        _ = api.PyTuple_SetItem(args, 0, traceback)
        defer { api.Py_DecRef(args) }
        guard let lines = api.PyObject_Call(format, args, nil) else { api.PyErr_Clear(); return nil }
        defer { api.Py_DecRef(lines) }
        var text = "Python traceback (most recent call last):\n"
        for i in 0..<api.PyList_Size(lines) {
            if let line = string(api.PyList_GetItem(lines, i)!, nil) { text += line }
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// Throws the pending exception unless `result` is a new reference.
    @inline(__always) func check(_ result: PyRef?) throws -> PyRef {
        guard let result else { throw currentError() }
        return result
    }

    @inline(__always) func check(_ status: Int32) throws {
        if status < 0 { throw currentError() }
    }

    func attribute(_ object: PyRef?, _ name: String) -> PyRef? {
        guard let r = api.PyObject_GetAttrString(object, name) else { api.PyErr_Clear(); return nil }
        return r
    }

    func attributeString(_ object: PyRef?, _ name: String) -> String? {
        guard let r = attribute(object, name) else { return nil }
        defer { api.Py_DecRef(r) }
        return string(r, nil)
    }

    /// The UTF-8 text of a str (`convert` nil) or of `convert(object)` (str() or repr()).
    func string(_ object: PyRef, _ convert: CPythonAPI.Unary?) -> String? {
        var text = object
        if let convert {
            guard let s = convert(object) else { api.PyErr_Clear(); return nil }
            text = s
        }
        defer { if convert != nil { api.Py_DecRef(text) } }
        var size = 0
        guard let utf8 = api.PyUnicode_AsUTF8AndSize(text, &size) else { api.PyErr_Clear(); return nil }
        return utf8.withMemoryRebound(to: UInt8.self, capacity: size) {
            String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self)
        }
    }

    // MARK: Python -> flow

    enum ConversionKind { case int, float, str, list, tuple, dict, set, numpyScalar, proxy, callable }

    /// A flow value for a borrowed reference: plain data as flow values, anything else as a proxy.
    func value(borrowed object: PyRef) throws -> Value {
        if object == api.none { return .none }
        if object == api.trueObject { return .true }
        if object == api.falseObject { return .false }
        switch kind(of: object) {
        case .int:
            var overflow: Int32 = 0
            let v = api.PyLong_AsLongLongAndOverflow(object, &overflow)
            if overflow != 0 { return proxy(borrowed: object) }
            if v == -1, api.PyErr_Occurred() != nil { throw currentError() }
            return .int(Int(v))
        case .float: return .float(api.PyFloat_AsDouble(object))
        case .str:
            guard let s = string(object, nil) else { throw PyError.value("a Python str is not valid UTF-8") }
            return .str(s)
        case .list:
            var items: [Value] = []
            let n = api.PyList_Size(object)
            items.reserveCapacity(n)
            for i in 0..<n { items.append(try value(borrowed: api.PyList_GetItem(object, i)!)) }
            return .list(PyList(items))
        case .tuple:
            return .tuple(try (0..<api.PyTuple_Size(object)).map { try value(borrowed: api.PyTuple_GetItem(object, $0)!) })
        case .dict:
            let d = PyDict()
            var position = 0
            var key: PyRef?, item: PyRef?
            while api.PyDict_Next(object, &position, &key, &item) != 0 {
                d.set(try HashKey(try value(borrowed: key!)), try value(borrowed: item!))
            }
            return .dict(d)
        case .set:
            let s = PySet(frozen: api.type(of: object) == api.frozenSetType)
            let iterator = try check(api.PyObject_GetIter(object))
            defer { api.Py_DecRef(iterator) }
            while let element = api.PyIter_Next(iterator) {
                defer { api.Py_DecRef(element) }
                s.insert(try HashKey(try value(borrowed: element)))
            }
            if api.PyErr_Occurred() != nil { throw currentError() }
            return .set(s)
        case .numpyScalar:
            // numpy.int64, numpy.bool_, numpy.str_ ...: their `.item()` is the Python scalar.
            let item = try check(api.PyObject_GetAttrString(object, "item"))
            defer { api.Py_DecRef(item) }
            let args = try check(api.PyTuple_New(0))
            defer { api.Py_DecRef(args) }
            let scalar = try check(api.PyObject_Call(item, args, nil))
            defer { api.Py_DecRef(scalar) }
            if kind(of: scalar) == .numpyScalar { return proxy(borrowed: object) }
            return try value(borrowed: scalar)
        case .proxy, .callable:
            return proxy(borrowed: object)
        }
    }

    /// A flow value for a new reference (consumed).
    func value(owned object: PyRef) throws -> Value {
        defer { api.Py_DecRef(object) }
        return try value(borrowed: object)
    }

    private func proxy(borrowed object: PyRef) -> Value {
        api.Py_IncRef(object)
        if kind(of: object) == .callable { return .object(PythonCallable(owned: object, runtime: self)) }
        return .object(PythonObject(owned: object, runtime: self))
    }

    private func kind(of object: PyRef) -> ConversionKind {
        let type = api.type(of: object)
        lock.lock()
        if let k = conversionKinds[type] { lock.unlock(); return k }
        lock.unlock()
        let k = computeKind(object, type)
        lock.lock()
        conversionKinds[type] = k
        lock.unlock()
        return k
    }

    private func computeKind(_ object: PyRef, _ type: PyRef) -> ConversionKind {
        let flags = api.PyType_GetFlags(type)
        // Exact containers only: namedtuples (itertuples rows), OrderedDicts ... keep their
        // attributes as proxies.
        if type == api.listType { return .list }
        if type == api.tupleType { return .tuple }
        if type == api.dictType { return .dict }
        if type == api.setType || type == api.frozenSetType { return .set }
        if isNumpyScalar(object) { return .numpyScalar }
        if flags & longSubclassFlag != 0, type != api.boolType { return .int }
        if api.PyType_IsSubtype(type, api.floatType) != 0 { return .float }
        if flags & unicodeSubclassFlag != 0 { return .str }
        return api.PyCallable_Check(object) != 0 ? .callable : .proxy
    }

    private func isNumpyScalar(_ object: PyRef) -> Bool {
        if numpyGeneric == nil {
            // Only once numpy is imported by someone: never import it for this check.
            guard let sys = api.PyImport_ImportModule("sys") else { api.PyErr_Clear(); return false }
            defer { api.Py_DecRef(sys) }
            guard let modules = attribute(sys, "modules") else { return false }
            defer { api.Py_DecRef(modules) }
            let key = api.PyUnicode_FromStringAndSize("numpy", 5)
            defer { api.Py_DecRef(key) }
            guard api.PySequence_Contains(modules, key) == 1, let numpy = api.PyObject_GetItem(modules, key) else {
                api.PyErr_Clear()
                return false
            }
            defer { api.Py_DecRef(numpy) }
            numpyGeneric = attribute(numpy, "generic")
        }
        guard let generic = numpyGeneric else { return false }
        let r = api.PyObject_IsInstance(object, generic)
        if r < 0 { api.PyErr_Clear() }
        return r == 1
    }

    // MARK: flow -> Python

    /// A new reference for a flow value.
    func object(_ value: Value, interpreter: Interpreter) throws -> PyRef {
        switch value {
        case .none: api.Py_IncRef(api.none); return api.none
        case .bool(let b): return try check(api.PyBool_FromLong(b ? 1 : 0))
        case .int(let i): return try check(api.PyLong_FromLongLong(Int64(i)))
        case .float(let d): return try check(api.PyFloat_FromDouble(d))
        case .str(let s): return try string(s)
        case .list(let l):
            let list = try check(api.PyList_New(l.items.count))
            for (i, item) in l.items.enumerated() {
                do { _ = api.PyList_SetItem(list, i, try object(item, interpreter: interpreter)) } catch {
                    api.Py_DecRef(list)
                    throw error
                }
            }
            return list
        case .tuple(let items): return try tuple(items, interpreter: interpreter)
        case .dict(let d):
            let dict = try check(api.PyDict_New())
            do {
                for (k, v) in zip(d.keys, d.values) {
                    let key = try object(k, interpreter: interpreter)
                    defer { api.Py_DecRef(key) }
                    let item = try object(v, interpreter: interpreter)
                    defer { api.Py_DecRef(item) }
                    try check(api.PyDict_SetItem(dict, key, item))
                }
            } catch { api.Py_DecRef(dict); throw error }
            return dict
        case .set(let s):
            let set = try check(api.PySet_New(nil))
            do {
                for e in s.elements {
                    let element = try object(e, interpreter: interpreter)
                    defer { api.Py_DecRef(element) }
                    try check(api.PySet_Add(set, element))
                }
            } catch { api.Py_DecRef(set); throw error }
            if !s.frozen { return set }
            defer { api.Py_DecRef(set) }
            return try check(api.PyFrozenSet_New(set))
        case .object(let o):
            if let p = o as? PythonObject { api.Py_IncRef(p.reference); return p.reference }
            if let s = o as? PySlice {
                let parts = try [s.start, s.stop, s.step].map { try object($0, interpreter: interpreter) }
                defer { parts.forEach { api.Py_DecRef($0) } }
                return try check(api.PySlice_New(parts[0], parts[1], parts[2]))
            }
            if let s = value.pathValue { return try string(s) }
            if let c = o as? PyClass, c.isBuiltin {
                // `dtype=str`, `astype(int)`: flow's builtin types are Python's.
                let builtins = try check(api.PyImport_ImportModule("builtins"))
                defer { api.Py_DecRef(builtins) }
                return try check(api.PyObject_GetAttrString(builtins, c.name))
            }
            if o is PyCallable { return try callback(value, interpreter: interpreter) }
            if o is PyIterable {
                return try object(.list(PyList(try interpreter.iterate(value))), interpreter: interpreter)
            }
            throw PyError.type("cannot pass a flow '\(o.typeName)' to Python")
        }
    }

    func string(_ s: String) throws -> PyRef {
        var s = s
        return try s.withUTF8 { buffer in
            try check(buffer.withMemoryRebound(to: CChar.self) { api.PyUnicode_FromStringAndSize($0.baseAddress, $0.count) })
        }
    }

    func tuple(_ items: [Value], interpreter: Interpreter) throws -> PyRef {
        let tuple = try check(api.PyTuple_New(items.count))
        for (i, item) in items.enumerated() {
            do { _ = api.PyTuple_SetItem(tuple, i, try object(item, interpreter: interpreter)) } catch {
                api.Py_DecRef(tuple)
                throw error
            }
        }
        return tuple
    }

    /// Calls `callable` with flow arguments; the result as a flow value.
    func call(_ callable: PyRef, _ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        let trampoline = try callTrampoline()
        let args = try check(api.PyTuple_New(arguments.positional.count + 1))
        defer { api.Py_DecRef(args) }
        api.Py_IncRef(callable)
        _ = api.PyTuple_SetItem(args, 0, callable)
        for (i, item) in arguments.positional.enumerated() {
            _ = api.PyTuple_SetItem(args, i + 1, try object(item, interpreter: interpreter))
        }
        var kwargs: PyRef?
        if !arguments.keywords.isEmpty {
            let d = PyDict()
            for (k, v) in arguments.keywords { d.set(k, v) }
            kwargs = try object(.dict(d), interpreter: interpreter)
        }
        defer { api.Py_DecRef(kwargs) }
        return try value(owned: try check(api.PyObject_Call(trampoline, args, kwargs)))
    }

    private func callTrampoline() throws -> PyRef {
        if let trampoline { return trampoline }
        let builtins = try check(api.PyImport_ImportModule("builtins"))
        defer { api.Py_DecRef(builtins) }
        let eval = try check(api.PyObject_GetAttrString(builtins, "eval"))
        defer { api.Py_DecRef(eval) }
        // Globals given: eval() without them asks for the calling frame, and there is none.
        let source = try tuple([.str("lambda f, /, *a, **k: f(*a, **k)"), .dict(PyDict())], interpreter: Interpreter())
        defer { api.Py_DecRef(source) }
        let made = try check(api.PyObject_Call(eval, source, nil))
        trampoline = made
        return made
    }
}
