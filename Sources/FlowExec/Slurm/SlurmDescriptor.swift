// FlowExec Slurm backend: its entry in the executor registry — the settings it declares (named
// as Snakemake's slurm executor plugin names them, as `--slurm-<name>` flags and `slurm-<name>`
// profile keys) and the factory building a `SlurmExecutor` from them.

#if canImport(Glibc)
extension SlurmExecutor {
    public static let descriptor = ExecutorDescriptor(
        name: "slurm",
        summary: "Jobs are Slurm batch jobs (sbatch, one squeue per status round, scancel).",
        settings: [
            ExecutorSetting("partition", .string, help: "Partition for jobs without a slurm_partition resource."),
            ExecutorSetting("account", .string, help: "Account for jobs without a slurm_account resource."),
            ExecutorSetting("no-account", .bool, default: .bool(false), help: "Submit without any account (not even a job's slurm_account)."),
            ExecutorSetting("qos", .string, help: "QOS for jobs without a qos resource."),
            ExecutorSetting("constraint", .string, help: "Node constraint for jobs without a constraint resource."),
            ExecutorSetting("reservation", .string, help: "Submit every job into this reservation."),
            ExecutorSetting("requeue", .bool, default: .bool(false), help: "Let Slurm requeue preempted or failed jobs (sbatch --requeue)."),
            ExecutorSetting("extra", .string, help: "Extra sbatch arguments for every job, before a job's own slurm_extra."),
            ExecutorSetting("logdir", .string, default: .string(".flow/logs/slurm"), help: "Where Slurm job logs go, relative to the working directory unless absolute."),
            ExecutorSetting("command-timeout", .double, default: .double(60), minimum: 0,
                            help: "Seconds a Slurm command (sbatch, squeue, sacct, scancel) may take before it counts as failed."),
        ]
    ) { context in
        SlurmExecutor(options: try Options(context))
    }
}
#endif
