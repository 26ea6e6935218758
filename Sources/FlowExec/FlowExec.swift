// FlowExec: running jobs — the scheduler and the executors (the last stage of the pipeline).
//
//   Contract/   what every backend implements: `JobSpec` in, `ExternalJobState` out, through the
//               `Executor` protocol (submit, one batched poll per round, cancel, logs, wait);
//               job scripts for remote backends; job groups as one `JobSpec` (`JobGroup`: a
//               script that runs the members, pipes and services; `GroupResources`);
//               interruption by signals.
//   Local/      the local backend: posix_spawn into a process group per job, pidfd waits,
//               group kill on cancel.
//   Slurm/      the Slurm backend: sbatch with a job script, one squeue per status round
//               (sacct for jobs squeue forgot), scancel, adoption of a job already queued under
//               its name; commands through an injectable runner.
//   Registry/   the list of back ends (`ExecutorRegistry`), each described by data: name, aliases,
//               settings with kinds/defaults/help/secrecy, and a factory. FlowCLI derives flags,
//               profile keys, help and validation from it; the engine builds executors with it.
//   Scheduler/  the generic scheduler: dependency counters, ready queue by priority, cores and
//               --resources, -j per executor, retries, -k, cancellation, summary.
//
// It must not know rules, wildcards, the DAG or the state database: the engine turns its DAG
// into `SchedulerJob`s, builds a `JobSpec` when asked (`SchedulerDelegate.prepare`) and
// persists what it hears through the delegate.
