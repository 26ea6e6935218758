// The standard-library modules flow provides to Snakefiles (os, re, json, yaml, ...).
// `Interpreter.importModule` asks here first, then the Snakemake host, then local `.py` files.
// This file only maps names to module builders; each module lives in its own file.

public enum Stdlib {
    private typealias Builder = (Interpreter) throws -> PyModule

    private static let builders: [String: Builder] = [
        "os": { try OSModule.make(path: OSPathModule.make(), $0) },
        "os.path": { _ in OSPathModule.make() },
        "posixpath": { _ in OSPathModule.make() },
        "re": { try ReModule.make($0) },
        "json": { try JSONModule.make($0) },
        "yaml": { try YAMLModule.make($0) },
        "glob": { _ in GlobModule.make() },
        "pathlib": { _ in PathlibModule.make() },
        "sys": { _ in SysModule.make() },
        "math": { _ in MathModule.make() },
        "itertools": { _ in ItertoolsModule.make() },
        "collections": { CollectionsModule.make($0) },
        "functools": { _ in FunctoolsModule.make() },
        "subprocess": { try SubprocessModule.make($0) },
        "shutil": { _ in ShutilModule.make() },
        "time": { _ in TimeModule.make() },
        "datetime": { _ in DatetimeModule.make() },
        "random": { _ in RandomModule.make() },
        "hashlib": { _ in HashlibModule.make() },
        "string": { _ in StringModule.make() },
        "textwrap": { _ in TextwrapModule.make() },
        "shlex": { _ in ShlexModule.make() },
        "platform": { _ in MiscModules.platform() },
        "getpass": { _ in MiscModules.getpass() },
        "socket": { _ in MiscModules.socket() },
        "uuid": { _ in MiscModules.uuid() },
        "warnings": { _ in MiscModules.warnings() },
        "tempfile": { _ in MiscModules.tempfile() },
        "io": { _ in IOModule.make() },
        "csv": { _ in CSVModule.make() },
        "typing": { _ in MiscModules.importOnly("typing") },
        "abc": { _ in MiscModules.importOnly("abc") },
        "dataclasses": { _ in MiscModules.importOnly("dataclasses") },
        "collections.abc": { _ in MiscModules.importOnly("collections.abc") },
        "__future__": { _ in MiscModules.importOnly("__future__") },
        "inspect": { _ in MiscModules.importOnly("inspect") },
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
