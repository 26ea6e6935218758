// `snakemake.utils.validate(data, schema, set_default=True)`: a config dict or a DataFrame (row by
// row) checked against a YAML/JSON schema with the `jsonschema` package, imported like any module
// outside flow's own set (through the interpreter's foreign module loader: CPython). Defaults are
// written back as Snakemake's `extend_with_default` does: into the dict itself, and as new columns
// of the DataFrame (existing columns keep their empty cells).

import FlowLang

enum SchemaValidation {
    static func validate(_ args: Arguments, loader: WorkflowLoader, interpreter interp: Interpreter) throws -> Value {
        guard let data = args.argument(0, "data"), let schemaArg = args.argument(1, "schema")?.pathValue else {
            throw PyError.type("validate() needs data and a schema file")
        }
        let setDefault = try args.argument(2, "set_default").map { try interp.truthy($0) } ?? true
        let path = schemaArg.hasPrefix("/") ? schemaArg : loader.currentBasedir + "/" + schemaArg
        let schema = Value.dict(try ConfigLoader.load(path: path))
        let jsonschema = try interp.importModule("jsonschema")
        let validatorClass = try interp.call(try interp.getAttribute(try interp.getAttribute(jsonschema, "validators"), "validator_for"),
                                             Arguments([schema]))
        let validator = try interp.call(validatorClass, Arguments([schema]))
        let check = try interp.getAttribute(validator, "validate")

        if case .dict(let d) = data {
            if setDefault { try fillDefaults(d, schema) }
            do { _ = try interp.call(check, Arguments([data])) } catch let e as PyError {
                throw PyError("WorkflowError", "Error validating config file.\n\(e.message)")
            }
            return .none
        }
        // A DataFrame: its rows as records without empty cells.
        guard case .object = data, let toDict = try? interp.getAttribute(data, "to_dict") else {
            throw PyError("WorkflowError", "Unsupported data type for validation.")
        }
        let records = try interp.iterate(try interp.call(toDict, Arguments([.str("records")])))
        // Snakemake drops cells for which pd.isnull holds: None, NaN, and pandas' own NA and NaT.
        let pandasIsNull = try? interp.getAttribute(try interp.importModule("pandas"), "isnull")
        func isMissing(_ v: Value) -> Bool {
            if isNull(v) { return true }
            guard case .object = v, let pandasIsNull else { return false }
            return (try? interp.truthy(try interp.call(pandasIsNull, Arguments([v])))) ?? false
        }
        var filled: [PyDict] = []
        for (i, record) in records.enumerated() {
            guard case .dict(let r) = record else { continue }
            let row = PyDict()
            for (k, v) in zip(r.keys, r.values) where !isMissing(v) { row.set(HashKey(unchecked: k), v) }
            if setDefault { try fillDefaults(row, schema) }
            do { _ = try interp.call(check, Arguments([.dict(row)])) } catch let e as PyError {
                throw PyError("WorkflowError", "Error validating row \(i) of data frame.\n\(e.message)")
            }
            filled.append(row)
        }
        guard setDefault else { return .none }
        let columns = try interp.iterate(try interp.getAttribute(data, "columns"))
        var newColumns: [Value] = []
        for row in filled {
            for k in row.keys where !columns.contains(where: { (try? interp.equals($0, k)) == true })
                && !newColumns.contains(where: { (try? interp.equals($0, k)) == true }) { newColumns.append(k) }
        }
        let insert = try interp.getAttribute(data, "insert")
        var position = columns.count
        for column in newColumns {
            let values = filled.map { $0.get(HashKey(unchecked: column)) ?? .float(.nan) }
            _ = try interp.call(insert, Arguments([.int(position), column, .list(PyList(values))]))
            position += 1
        }
        return .none
    }

    private static func isNull(_ v: Value) -> Bool {
        switch v {
        case .none: return true
        case .float(let d): return d.isNaN
        default: return false
        }
    }

    /// Defaults of `properties` (recursively into objects and array items), as setdefault.
    private static func fillDefaults(_ instance: PyDict, _ schema: Value) throws {
        guard case .dict(let s) = schema else { return }
        if case .dict(let properties)? = s.get("properties") {
            for (k, sub) in zip(properties.keys, properties.values) {
                guard case .dict(let subschema) = sub else { continue }
                let key = HashKey(unchecked: k)
                if instance.get(key) == nil, let d = subschema.get("default") { instance.set(key, deepCopy(d)) }
                switch instance.get(key) {
                case .dict(let nested)?: try fillDefaults(nested, sub)
                case .list(let items)?:
                    if let itemSchema = subschema.get("items") {
                        for case .dict(let element) in items.items { try fillDefaults(element, itemSchema) }
                    }
                default: break
                }
            }
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if case .list(let parts)? = s.get(combinator) { for part in parts.items { try fillDefaults(instance, part) } }
        }
    }

    private static func deepCopy(_ v: Value) -> Value {
        switch v {
        case .dict(let d):
            let c = PyDict()
            for (k, x) in zip(d.keys, d.values) { c.set(HashKey(unchecked: k), deepCopy(x)) }
            return .dict(c)
        case .list(let l): return .list(PyList(l.items.map(deepCopy)))
        default: return v
        }
    }
}
