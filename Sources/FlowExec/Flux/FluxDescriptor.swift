// FlowExec Flux backend: its entry in the executor registry — the settings it declares
// (`--flux-<name>` flags, `flux-<name>` profile keys) and the factory, which checks with
// `flux version` that flow runs inside a Flux instance before anything is submitted.

#if canImport(Glibc)
extension FluxExecutor {
    public static let descriptor = ExecutorDescriptor(
        name: "flux",
        summary: "Jobs are Flux jobs (flux submit, one `flux jobs --json` per status round, flux cancel).",
        settings: [
            ExecutorSetting("queue", .string, help: "Queue for every job (flux submit --queue)."),
            ExecutorSetting("setattr", .list, help: "Jobspec attributes KEY=VALUE for every job (flux submit --setattr), repeatable."),
            ExecutorSetting("requires", .string, help: "Resource constraint for every job (flux submit --requires), e.g. 'host:node[1-4]'."),
            ExecutorSetting("env", .list,
                            help: "More environment variables (names or globs) jobs get besides \(FluxExecutor.Options.defaultEnvironment.joined(separator: " ")); everything else is left out (--env=-*)."),
            ExecutorSetting("logdir", .string, default: .string(".flow/logs/flux"),
                            help: "Where job stdout/stderr files go, relative to the working directory unless absolute."),
            ExecutorSetting("command-timeout", .double, default: .double(60), minimum: 0,
                            help: "Seconds a flux command (submit, jobs, cancel) may take before it counts as failed."),
        ]
    ) { context in
        let executor = FluxExecutor(options: try Options(context))
        try executor.checkInstance()
        return executor
    }
}
#endif
