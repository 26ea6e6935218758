// The standard-library modules flow provides to Snakefiles (os, re, json, yaml, ...).
// `Interpreter.importModule` asks here first, then the Snakemake host, then local `.py` files.

public enum Stdlib {
    /// Names accepted by `import`, listed in the "module not available" error.
    public static let supportedModules: [String] = []

    /// A fresh module object for `name` (dotted names like "os.path" included), or nil if flow has none.
    public static func module(named name: String, interpreter: Interpreter) throws -> PyModule? {
        nil
    }
}
