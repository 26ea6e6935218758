// FlowExec Flux backend: the executor's settings (from flags and profile keys).
//
// Owns: `FluxExecutor.Options` — limits (-j, status-check rate), site choices for every job
// (queue, jobspec attributes, constraint), the environment allow-list, where job scripts and
// logs go, and command timeouts — plus building them from the typed settings declared in
// FluxDescriptor.swift (flags and profile keys are FlowCLI's job).

#if canImport(Glibc)
extension FluxExecutor {
    public struct Options: Equatable, Sendable {
        /// What every job's environment starts from (flux submit copies the whole environment by
        /// default; flow passes `--env=-*` and then only these, executors.md §2.1 bug e).
        public static let defaultEnvironment = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_*", "TZ", "TMPDIR"]

        /// -j/--jobs: at most this many Flux jobs submitted and not yet finished.
        public var jobs: Int
        /// --max-status-checks-per-second: status rounds are at least 1/rate seconds apart.
        public var statusChecksPerSecond: Double
        /// ...and never closer than this (--seconds-between-status-checks).
        public var minimumStatusInterval: Double
        public var queue: String?
        /// `KEY=VALUE` pairs, each one `--setattr`.
        public var attributes: [String]
        public var requires: String?
        /// Variable names or globs passed with `--env=` after `--env=-*`.
        public var environment: [String]
        /// Where `.flow/` lives and relative paths are resolved; nil: the current directory.
        public var workdir: String?
        /// Job stdout/stderr (`<externalName>.out` / `.err`), relative to `workdir` unless absolute.
        public var logDirectory: String
        public var jobScriptDirectory: String
        /// Seconds any one flux command may take before it is killed and counted as failed.
        public var commandTimeout: Double
        /// Consecutive rounds in which Flux does not know a job before it is reported lost.
        public var lostAfterMissedRounds: Int

        public init(jobs: Int = 100, statusChecksPerSecond: Double = 10, minimumStatusInterval: Double = 10,
                    queue: String? = nil, attributes: [String] = [], requires: String? = nil,
                    environment: [String] = Options.defaultEnvironment, workdir: String? = nil,
                    logDirectory: String = ".flow/logs/flux", jobScriptDirectory: String = ".flow/jobs",
                    commandTimeout: Double = 60, lostAfterMissedRounds: Int = 3) {
            self.jobs = max(1, jobs)
            self.statusChecksPerSecond = statusChecksPerSecond
            self.minimumStatusInterval = minimumStatusInterval
            self.queue = queue
            self.attributes = attributes
            self.requires = requires
            self.environment = environment
            self.workdir = workdir
            self.logDirectory = logDirectory
            self.jobScriptDirectory = jobScriptDirectory
            self.commandTimeout = commandTimeout
            self.lostAfterMissedRounds = max(1, lostAfterMissedRounds)
        }

        /// Seconds between status rounds: max(1/rate, minimum).
        public var statusInterval: Double {
            ExecutorCapabilities.statusInterval(checksPerSecond: statusChecksPerSecond, minimum: minimumStatusInterval)
        }

        /// Options from the settings `FluxExecutor.descriptor` declares and the run's limits.
        public init(_ context: ExecutorContext) throws {
            let settings = context.settings
            let attributes = settings.list("setattr")
            if let bad = attributes.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
                throw FluxError.invalidSetting(name: "setattr", value: bad)
            }
            var environment = Options.defaultEnvironment
            for name in settings.list("env") where !environment.contains(name) { environment.append(name) }
            self.init(jobs: context.jobs ?? 100,
                      statusChecksPerSecond: context.maxStatusChecksPerSecond,
                      minimumStatusInterval: context.secondsBetweenStatusChecks ?? 10,
                      queue: settings.string("queue"),
                      attributes: attributes,
                      requires: settings.string("requires"),
                      environment: environment,
                      workdir: context.workdir,
                      logDirectory: settings.string("logdir") ?? ".flow/logs/flux",
                      commandTimeout: settings.double("command-timeout") ?? 60)
        }
    }
}
#endif
