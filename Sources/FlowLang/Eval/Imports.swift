// `import` and `from ... import`: the stdlib registry first, then the Snakemake host's modules,
// then local `.py` files on `modulePaths` (each executed once in its own namespace), then the
// registered `ForeignModuleLoader` (CPython's modules, e.g. pandas). Modules are
// cached by dotted name; `import a.b` binds `a` and makes `b` an attribute of it.

import FlowSyntax
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Interpreter {
    func loadModule(_ name: String) throws -> Value {
        if let m = modules[name] { return m }
        let parts = name.split(separator: ".").map(String.init)
        // Parents first, as Python does (`import a.b` imports `a`).
        var parent: Value?
        if parts.count > 1 { parent = try? loadModule(parts.dropLast().joined(separator: ".")) }
        guard let module = try findModule(name, parent: parent) else {
            throw PyError.importError("module '\(name)' is not available in flow (supported: \(Stdlib.supportedModules.joined(separator: ", ")))")
        }
        modules[name] = module
        if let parent, case .object(let o) = parent, let last = parts.last,
           (try? o.getAttribute(last, interpreter: self)) ?? nil == nil {
            try? o.setAttribute(last, value: module, interpreter: self)
        }
        return module
    }

    private func findModule(_ name: String, parent: Value?) throws -> Value? {
        if let m = try Stdlib.module(named: name, interpreter: self) { return .object(m) }
        if let m = try host?.importModule(name, interpreter: self) { return m }
        if let parent, let last = name.split(separator: ".").last,
           case .object(let o) = parent, let attr = try o.getAttribute(String(last), interpreter: self),
           case .object(let sub) = attr, sub is PyModule {
            return attr
        }
        if let m = try loadLocalModule(name) { return m }
        return try foreignModules?.importModule(name, interpreter: self)
    }

    private func loadLocalModule(_ name: String) throws -> Value? {
        let relative = name.split(separator: ".").joined(separator: "/")
        for dir in modulePaths {
            for candidate in ["\(dir)/\(relative).py", "\(dir)/\(relative)/__init__.py"] {
                guard let text = readTextFile(candidate) else { continue }
                let file = SourceFile(path: candidate, text: text)
                let parsed = try parseModule(file)
                let module = PyModule(name)
                module.attributes.set("__name__", .str(name))
                module.attributes.set("__file__", .str(candidate))
                // Cache before running so circular imports see the partially initialised module.
                modules[name] = .object(module)
                do {
                    _ = try executeBlock(parsed.body, Scope(module: module.attributes, file: file))
                } catch {
                    modules[name] = nil
                    throw error
                }
                return .object(module)
            }
        }
        return nil
    }

    func executeImport(_ names: [ImportName], _ scope: Scope) throws {
        for n in names {
            let module = try loadModule(n.name)
            if let asName = n.asName {
                assignName(asName, module, scope)
            } else {
                let top = String(n.name.split(separator: ".").first ?? Substring(n.name))
                assignName(top, try loadModule(top), scope)
            }
        }
    }

    func executeImportFrom(_ moduleName: String, _ level: Int, _ names: [ImportName]?, _ scope: Scope) throws {
        // Relative imports resolve against modulePaths like top-level ones (Snakefile-local helpers).
        let name = moduleName.isEmpty && level > 0 ? "__init__" : moduleName
        let module = try loadModule(name)
        guard let names else {
            for (k, v) in try publicNames(module) { assignName(k, v, scope) }
            return
        }
        for n in names {
            var value = try lookupAttribute(module, n.name)
            if value == nil { value = try? loadModule(name + "." + n.name) }
            guard let value else {
                throw PyError("ImportError", "cannot import name '\(n.name)' from '\(name)' (unknown location)")
            }
            assignName(n.asName ?? n.name, value, scope)
        }
    }

    private func publicNames(_ module: Value) throws -> [(String, Value)] {
        guard case .object(let o) = module, let m = o as? PyModule else { return [] }
        if let all = m.attributes.get("__all__") {
            return try iterateValues(all).compactMap { k in
                guard let s = k.stringValue else { return nil }
                return (s, try getAttribute(module, s))
            }
        }
        return (0..<m.attributes.count).compactMap { i in
            guard let k = m.attributes.keys[i].stringValue, !k.hasPrefix("_") else { return nil }
            return (k, m.attributes.values[i])
        }
    }
}

/// The whole content of a UTF-8 text file, or nil if it cannot be read.
func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
        if n < buffer.count { break }
    }
    if ferror(f) != 0 { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes text to stdout or stderr (unbuffered with respect to Python's print order).
func writeToStandardStream(_ text: String, error: Bool) {
    let stream = error ? stderr : stdout
    fputs(text, stream)
    if error { fflush(stream) }
}
