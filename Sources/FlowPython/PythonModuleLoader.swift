// FlowLang's `ForeignModuleLoader` for CPython: `import pandas` in a Snakefile imports the real
// module in the process's CPython, loaded at that moment (never before, never for workflows
// that import only flow's own modules).

import Foundation
import FlowLang

public final class PythonModuleLoader: ForeignModuleLoader {
    /// The python3 whose libpython is loaded: FLOW_PYTHON, else `python3` on PATH.
    public let python: String
    /// Times this loader needed CPython (0 for a workflow without foreign imports).
    public private(set) var runtimeRequests = 0

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let chosen = environment["FLOW_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        python = chosen ?? "python3"
        namedByEnvironment = chosen != nil
    }

    private let namedByEnvironment: Bool
    /// The installation, asked of `python` once.
    private var installation: Result<PythonInstallation, Error>?

    /// True once CPython has been opened in this process (by any loader).
    public static var isPythonLoaded: Bool { PythonRuntime.loadCount > 0 }

    public func importModule(_ name: String, interpreter: Interpreter) throws -> Value? {
        runtimeRequests += 1
        let runtime: PythonRuntime
        do {
            if installation == nil { installation = Result { try PythonInstallation.locate(python: python) } }
            runtime = try PythonRuntime.shared(try installation!.get())
        } catch let e as PythonUnavailable {
            let origin = namedByEnvironment ? "FLOW_PYTHON=\(python)" : "python3 on PATH"
            throw PyError.importError("module '\(name)' is not part of flow and needs CPython (\(origin)): \(e.description)")
        }
        return try runtime.withGIL {
            if let module = runtime.api.PyImport_ImportModule(name) { return try runtime.value(owned: module) }
            let error = runtime.currentError()
            if var e = error as? PyError, e.type == "ModuleNotFoundError" {
                let py = runtime.installation
                e.message = "No module named '\(name)' in flow nor in Python \(py.version) at \(py.executable) "
                    + "(\(e.message)); install it there, or set FLOW_PYTHON to a python3 that has it"
                e.notes = []
                throw e
            }
            throw error
        }
    }
}
