// FlowExec Slurm backend: the executor's settings (from flags and profile keys).
//
// Owns: `SlurmExecutor.Options` — limits (-j, status-check rate), site defaults (partition,
// account, qos, constraint, reservation, extra sbatch arguments) that a job's own resources
// override, where job scripts and logs go, and command timeouts — plus building them from the
// typed settings declared in SlurmDescriptor.swift (flags and profile keys are FlowCLI's job).

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
        public var reservation: String?
        /// Never pass --account, not even a job's own slurm_account.
        public var noAccount: Bool
        /// sbatch --requeue.
        public var requeue: Bool
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
                    constraint: String? = nil, reservation: String? = nil, noAccount: Bool = false,
                    requeue: Bool = false, workdir: String? = nil,
                    logDirectory: String = ".flow/logs/slurm", jobScriptDirectory: String = ".flow/jobs",
                    extraArgs: [String] = [], commandTimeout: Double = 60, lostAfterMissedRounds: Int = 3) {
            self.jobs = max(1, jobs)
            self.statusChecksPerSecond = statusChecksPerSecond
            self.minimumStatusInterval = minimumStatusInterval
            self.partition = partition
            self.account = account
            self.qos = qos
            self.constraint = constraint
            self.reservation = reservation
            self.noAccount = noAccount
            self.requeue = requeue
            self.workdir = workdir
            self.logDirectory = logDirectory
            self.jobScriptDirectory = jobScriptDirectory
            self.extraArgs = extraArgs
            self.commandTimeout = commandTimeout
            self.lostAfterMissedRounds = max(1, lostAfterMissedRounds)
        }

        /// Seconds between status rounds: max(1/rate, minimum).
        public var statusInterval: Double {
            ExecutorCapabilities.statusInterval(checksPerSecond: statusChecksPerSecond, minimum: minimumStatusInterval)
        }

        /// Options from the settings `SlurmExecutor.descriptor` declares and the run's limits
        /// (-j: at most that many Slurm jobs in flight, 100 when not given).
        public init(_ context: ExecutorContext) throws {
            let settings = context.settings
            var extra: [String] = []
            if let text = settings.string("extra") {
                guard let words = SlurmText.shellWords(text) else { throw SlurmError.invalidResource(name: "slurm-extra", value: text) }
                extra = words
            }
            self.init(jobs: context.jobs ?? 100,
                      statusChecksPerSecond: context.maxStatusChecksPerSecond,
                      minimumStatusInterval: context.secondsBetweenStatusChecks ?? 10,
                      partition: settings.string("partition"),
                      account: settings.string("account"),
                      qos: settings.string("qos"),
                      constraint: settings.string("constraint"),
                      reservation: settings.string("reservation"),
                      noAccount: settings.bool("no-account"),
                      requeue: settings.bool("requeue"),
                      workdir: context.workdir,
                      logDirectory: settings.string("logdir") ?? ".flow/logs/slurm",
                      extraArgs: extra,
                      commandTimeout: settings.double("command-timeout") ?? 60)
        }
    }
}
#endif
