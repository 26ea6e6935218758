// FlowExec PiCaS backend: its entry in the executor registry — the settings it declares
// (`--picas-<name>` flags, `picas-<name>` profile keys) and the factory. The password is never a
// setting: it comes from PICAS_USER/PICAS_PASSWORD or a credentials file (PiCaSCredentials.swift).

extension PiCaSExecutor {
    public static let descriptor = ExecutorDescriptor(
        name: "picas",
        summary: "Jobs are tokens in a PiCaS (CouchDB) token pool, run by stock picas workers or `flow worker`.",
        settings: [
            ExecutorSetting("url", .string, help: "CouchDB server URL, e.g. https://picas.surfsara.nl:6984 (required)."),
            ExecutorSetting("database", .string, help: "The token pool's database (required)."),
            ExecutorSetting("credentials-file", .string,
                            help: "File outside the working directory with user:password (mode 600); else PICAS_USER/PICAS_PASSWORD."),
            ExecutorSetting("batch-size", .int, default: .int(2000), minimum: 1, help: "Tokens per _bulk_docs request."),
            ExecutorSetting("grace", .double, default: .double(600), minimum: 0,
                            help: "Seconds a lock may outlive the job's runtime (or a flow worker's last heartbeat) before it is scrubbed."),
            ExecutorSetting("scrub-budget", .int, default: .int(2), minimum: 0,
                            help: "Stale locks scrubbed back to todo per token before the job counts as lost."),
            ExecutorSetting("token-script", .choice(["path", "embedded"]), default: .string("path"),
                            help: "path: input runs .flow/jobs/<token>.sh on the shared file system; embedded: the token carries the script."),
            ExecutorSetting("data-mode", .choice(["shared", "grid"]), default: .string("shared"),
                            help: "shared: workers run in the working directory; grid: no shared file system, tokens carry the script and their files' storage locations (--default-storage-prefix) and flow worker stages them."),
        ]
    ) { context in
        guard let url = context.settings.string("url"), !url.isEmpty else {
            throw CouchError("--executor picas needs --picas-url (or picas-url in the profile)")
        }
        guard let database = context.settings.string("database"), !database.isEmpty else {
            throw CouchError("--executor picas needs --picas-database (or picas-database in the profile)")
        }
        var options = Options(url: url, database: database,
                              credentials: try CouchCredentials.resolve(file: context.settings.string("credentials-file"),
                                                                        workdir: context.workdir),
                              workdir: context.workdir)
        options.jobs = context.jobs ?? 100
        options.batchSize = context.settings.int("batch-size") ?? 2000
        options.grace = Int(context.settings.double("grace") ?? 600)
        options.scrubBudget = context.settings.int("scrub-budget") ?? 2
        options.tokenScript = context.settings.string("token-script") ?? "path"
        options.dataMode = context.settings.string("data-mode") ?? "shared"
        options.statusInterval = context.secondsBetweenStatusChecks ?? 5
        return try PiCaSExecutor(options: options)
    }
}
