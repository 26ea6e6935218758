// The workflow's `config`: values from `configfile:` / `--configfile` files (YAML or JSON) and
// `--config key=value` overrides, merged the way Snakemake merges them (nested dicts deep-merged,
// command-line values re-applied after every `configfile:` so they always win).

import Foundation
import FlowLang

public enum ConfigLoader {
    /// Reads a YAML or JSON config file into a dict. Errors name the file. A YAML file whose top
    /// level says `__use_yte__: true` is a YTE template, rendered (as Snakemake does) by Python's
    /// `yte` through `interpreter`'s foreign modules.
    public static func load(path: String, interpreter: Interpreter? = nil) throws -> PyDict {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PyError("WorkflowError", "Config file \(path) not found.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PyError("WorkflowError", "Config file \(path) is not valid UTF-8.")
        }
        let value: Value
        if path.hasSuffix(".json") {
            value = try JSONCodec.load(text, path: path)
        } else {
            value = try YAMLCodec.load(text, path: path)
        }
        switch value {
        case .dict(let d):
            if case .bool(true)? = d.get("__use_yte__") { return try renderYTE(text, path: path, interpreter: interpreter) }
            return d
        case .none: return PyDict()
        default: throw PyError("WorkflowError", "Config file \(path) must contain a mapping at the top level, found \(value.typeName).")
        }
    }

    private static func renderYTE(_ text: String, path: String, interpreter: Interpreter?) throws -> PyDict {
        guard let interpreter else {
            throw PyError("WorkflowError", "Config file \(path) is a YTE template (__use_yte__: true), which cannot be rendered here.")
        }
        let rendered: Value
        do {
            let yte = try interpreter.importModule("yte")
            let process = try interpreter.getAttribute(yte, "process_yaml")
            rendered = try interpreter.call(process, Arguments([.str(text)], keywords: [("require_use_yte", .bool(true))]))
        } catch let e as PyError {
            throw PyError("WorkflowError", "Config file \(path) is a YTE template (__use_yte__: true), and rendering it with Python's yte failed: \(e.message)")
        }
        switch rendered {
        case .dict(let d): return d
        case .none: return PyDict()
        default: throw PyError("WorkflowError", "Config file \(path) must render to a mapping at the top level, found \(rendered.typeName).")
        }
    }

    /// Deep-merges `update` into `config` (snakemake.utils.update_config).
    public static func merge(_ update: PyDict, into config: PyDict) {
        for (key, value) in zip(update.keys, update.values) {
            let hk = HashKey(unchecked: key)
            if case .dict(let incoming) = value, case .dict(let existing)? = config.get(hk) {
                merge(incoming, into: existing)
            } else if case .dict(let incoming) = value {
                config.set(hk, .dict(incoming.copy()))
            } else {
                config.set(hk, value)
            }
        }
    }

    /// Parses `--config` entries with Snakemake's typing: int, float, True/False, then YAML (all
    /// scalars as strings, so `a=[1,2]` gives a list of strings), else the raw string.
    public static func parseOverrides(_ entries: [String]) throws -> PyDict {
        let result = PyDict()
        for entry in entries {
            guard let eq = entry.firstIndex(of: "=") else {
                throw PyError("WorkflowError", "Invalid config definition: Config entries have to be defined as name=value pairs (got '\(entry)').")
            }
            let key = String(entry[..<eq])
            let raw = String(entry[entry.index(after: eq)...])
            guard isValidKey(key) else {
                throw PyError("WorkflowError", "Invalid config definition: Config entry must start with a valid identifier (got '\(key)').")
            }
            let incoming = PyDict()
            incoming.set(key, typedValue(raw))
            merge(incoming, into: result)
        }
        return result
    }

    static func typedValue(_ raw: String) -> Value {
        if raw.isEmpty { return .none }
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if let i = Int(trimmed.replacingOccurrences(of: "_", with: "")), !trimmed.hasPrefix("_"), !trimmed.hasSuffix("_") { return .int(i) }
        if let d = Double(trimmed) { return .float(d) }
        if raw == "True" { return .true }
        if raw == "False" { return .false }
        if raw.hasPrefix("[") || raw.hasPrefix("{"), let v = try? YAMLCodec.load(raw, path: "--config") {
            return stringifyScalars(v)
        }
        return .str(raw)
    }

    /// PyYAML's BaseLoader keeps every scalar a string; only the structure is parsed.
    private static func stringifyScalars(_ value: Value) -> Value {
        switch value {
        case .list(let l): return .list(PyList(l.items.map(stringifyScalars)))
        case .dict(let d):
            let out = PyDict()
            for (k, v) in zip(d.keys, d.values) { out.set(HashKey(unchecked: stringifyScalars(k)), stringifyScalars(v)) }
            return .dict(out)
        case .none: return .str("null")
        case .bool(let b): return .str(b ? "true" : "false")
        case .int(let i): return .str(String(i))
        case .float(let f): return .str(String(f))
        default: return value
        }
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first) else { return false }
        guard let last = key.unicodeScalars.last, last == "_" || CharacterSet.alphanumerics.contains(last) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || CharacterSet.alphanumerics.contains($0) }
    }
}
