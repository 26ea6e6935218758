// The standard-library modules flow provides to Snakefiles (os, re, json, yaml, ...).
// `Interpreter.importModule` asks here first, then the Snakemake host, then local `.py` files.
// This file only maps names to module builders; each module lives in its own file.

public enum Stdlib {
    private typealias Builder = (Interpreter) throws -> PyModule

    private static let builders: [String: Builder] = [
        "os": { _ in OSModule.make(path: OSPathModule.make()) },
        "os.path": { _ in OSPathModule.make() },
        "posixpath": { _ in OSPathModule.make() },
        "re": { _ in ReModule.make() },
        "json": { _ in JSONModule.make() },
        "yaml": { _ in YAMLModule.make() },
        "glob": { _ in GlobModule.make() },
        "pathlib": { _ in PathlibModule.make() },
        "fnmatch": { _ in FnmatchModule.make() },
    ]

    /// Names accepted by `import`, listed in the "module not available" error.
    public static let supportedModules: [String] = builders.keys.sorted()

    /// A fresh module object for `name` (dotted names like "os.path" included), or nil if flow has none.
    public static func module(named name: String, interpreter: Interpreter) throws -> PyModule? {
        guard let build = builders[name] else { return nil }
        return try build(interpreter)
    }
}
