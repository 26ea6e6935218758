// FlowExec Slurm backend: the executor's settings (from flags and profile keys).
//
// Owns: `SlurmExecutor.Options` — limits (-j, status-check rate), site defaults (partition,
// account, qos, constraint, extra sbatch arguments) that a job's own resources override,
// where job scripts and logs go, and command timeouts — plus reading them from profile-style
// keys, accepting both spellings Snakemake users write (`slurm-partition`, `slurm_partition`).

#if canImport(Glibc)
extension SlurmExecutor {
    public struct Options: Equatable, Sendable {
        /// -j/--jobs: at most this many Slurm jobs submitted and not yet finished.
        public var jobs: Int
        /// --max-status-checks-per-second: status rounds are at least 1/rate seconds apart.
        public var statusChecksPerSecond: Double
        /// ...and never closer than this (--seconds-between-status-checks; slurmctld is shared).
        public var minimumStatusInterval: Double
        /// Defaults for jobs without `slurm_partition`, `slurm_account`, `qos`, `constraint`.
        public var partition: String?
        public var account: String?
        public var qos: String?
        public var constraint: String?
        /// Where `.flow/` lives and relative paths are resolved; nil: the current directory.
        public var workdir: String?
        /// Slurm job logs (`<externalName>-<jobid>.log`), relative to `workdir` unless absolute.
        public var logDirectory: String
        /// Job scripts, relative to `workdir` unless absolute.
        public var jobScriptDirectory: String
        /// Appended to every sbatch call, before a job's own `slurm_extra`.
        public var extraArgs: [String]
        /// Seconds any one Slurm command may take before it is killed and counted as failed.
        public var commandTimeout: Double
        /// Consecutive status rounds in which neither squeue nor sacct knows a job before it is
        /// reported lost (one miss can be a race with a just-restarted slurmctld).
        public var lostAfterMissedRounds: Int

        public init(jobs: Int = 100, statusChecksPerSecond: Double = 10, minimumStatusInterval: Double = 10,
                    partition: String? = nil, account: String? = nil, qos: String? = nil,
                    constraint: String? = nil, workdir: String? = nil,
                    logDirectory: String = ".flow/logs/slurm", jobScriptDirectory: String = ".flow/jobs",
                    extraArgs: [String] = [], commandTimeout: Double = 60, lostAfterMissedRounds: Int = 3) {
            self.jobs = max(1, jobs)
            self.statusChecksPerSecond = statusChecksPerSecond
            self.minimumStatusInterval = minimumStatusInterval
            self.partition = partition
            self.account = account
            self.qos = qos
            self.constraint = constraint
            self.workdir = workdir
            self.logDirectory = logDirectory
            self.jobScriptDirectory = jobScriptDirectory
            self.extraArgs = extraArgs
            self.commandTimeout = commandTimeout
            self.lostAfterMissedRounds = max(1, lostAfterMissedRounds)
        }

        /// Seconds between status rounds: max(1/rate, minimum).
        public var statusInterval: Double {
            let fromRate = statusChecksPerSecond > 0 ? 1 / statusChecksPerSecond : 0
            return max(fromRate, minimumStatusInterval)
        }

        /// Options from profile/flag keys (`jobs`, `max-status-checks-per-second`,
        /// `seconds-between-status-checks`, `slurm-partition`, `slurm-account`, `slurm-qos`,
        /// `slurm-constraint`, `slurm-extra`, `slurm-logdir`, `slurm-command-timeout`; `_` and `-`
        /// are interchangeable, and the `slurm-` prefix is optional for qos/constraint).
        /// Unknown keys are ignored: the same dictionary carries every other flag.
        public init(settings: [String: String], workdir: String? = nil) throws {
            var normalized: [String: String] = [:]
            for (key, value) in settings { normalized[key.replacingUnderscores()] = value }
            func value(_ names: String...) -> String? { names.lazy.compactMap { normalized[$0] }.first }
            func number(_ name: String) throws -> Double? {
                guard let text = normalized[name] else { return nil }
                guard let number = Double(SlurmText.trim(text)), number >= 0 else {
                    throw SlurmError.invalidResource(name: name, value: text)
                }
                return number
            }
            var extra: [String] = []
            if let text = value("slurm-extra") {
                guard let words = SlurmText.shellWords(text) else { throw SlurmError.invalidResource(name: "slurm-extra", value: text) }
                extra = words
            }
            // Snakemake spells "no limit" `--jobs unlimited`.
            let jobs = normalized["jobs"].map(SlurmText.trim) == "unlimited" ? Int.max : try number("jobs").map { Int(min($0, 1e9)) }
            self.init(jobs: jobs ?? 100,
                      statusChecksPerSecond: try number("max-status-checks-per-second") ?? 10,
                      minimumStatusInterval: try number("seconds-between-status-checks") ?? 10,
                      partition: value("slurm-partition", "partition"),
                      account: value("slurm-account", "account"),
                      qos: value("slurm-qos", "qos"),
                      constraint: value("slurm-constraint", "constraint"),
                      workdir: workdir,
                      logDirectory: value("slurm-logdir") ?? ".flow/logs/slurm",
                      extraArgs: extra,
                      commandTimeout: try number("slurm-command-timeout") ?? 60)
        }
    }
}

private extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
#endif
