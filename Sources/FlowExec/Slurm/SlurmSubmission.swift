// FlowExec Slurm backend: the sbatch command line for one job attempt, and reading its answer.
//
// Owns: turning a `JobSpec`'s threads and resources (Snakemake's names: mem_mb, runtime,
// slurm_partition, slurm_account, qos, constraint, gres, nodes, tasks, cpus_per_task,
// slurm_extra) plus the executor's site defaults into sbatch arguments, and parsing
// `sbatch --parsable`'s "123" or "123;cluster". A job's own resource beats the default; options
// given twice are left to sbatch, which takes the last one, so `slurm_extra` can override anything.
// Pure functions: tested without Slurm.

enum SlurmSubmission {
    /// `sbatch` argv for `job`, whose script is at `scriptPath` and whose output goes to
    /// `stdout` and `stderr` (the same path merges them; `%j` becomes the job id).
    static func arguments(for job: JobSpec, scriptPath: String, stdout: String, stderr: String,
                          directory: String, options: SlurmExecutor.Options) throws -> [String] {
        let resources = job.resources
        var args = ["sbatch", "--parsable", "--job-name=\(job.externalName)",
                    "--output=\(stdout)", "--error=\(stderr)",
                    "--chdir=\(directory)", "--export=ALL"]
        let cpus = try resources["cpus_per_task"].map { try positiveInt($0, name: "cpus_per_task") } ?? max(1, job.threads)
        args.append("--cpus-per-task=\(cpus)")
        if let value = resources["mem_mb_per_cpu"] {
            args.append("--mem-per-cpu=\(try positiveInt(value, name: "mem_mb_per_cpu"))M")
        } else if let value = resources["mem_mb"] {
            args.append("--mem=\(try positiveInt(value, name: "mem_mb"))M")
        }
        if let value = resources["runtime"] {
            args.append("--time=\(try minutes(value))")
        }
        let named: [(resource: String, flag: String, fallback: String?)] = [
            ("slurm_partition", "--partition", options.partition),
            ("slurm_account", "--account", options.account),
            ("qos", "--qos", options.qos),
            ("constraint", "--constraint", options.constraint),
            ("gres", "--gres", nil),
            ("nodes", "--nodes", nil),
            ("tasks", "--ntasks", nil),
        ]
        for (resource, flag, fallback) in named {
            if resource == "slurm_account" && options.noAccount { continue }
            if let value = resources[resource]?.description ?? fallback, !value.isEmpty {
                args.append("\(flag)=\(value)")
            }
        }
        if let reservation = options.reservation, !reservation.isEmpty { args.append("--reservation=\(reservation)") }
        if options.requeue { args.append("--requeue") }
        args += options.extraArgs
        if let extra = resources["slurm_extra"] {
            guard let words = SlurmText.shellWords(extra.description) else {
                throw SlurmError.invalidResource(name: "slurm_extra", value: extra.description)
            }
            args += words
        }
        args.append(scriptPath)
        return args
    }

    /// `--time` in whole minutes (Slurm's unit; it rounds seconds up to a minute anyway).
    /// Ints are minutes, as Snakemake's `runtime`; "UNLIMITED"/"INFINITE" pass through.
    static func minutes(_ value: ResourceValue) throws -> String {
        switch value {
        case .int(let minutes) where minutes > 0:
            return String(minutes)
        case .string(let text) where ["UNLIMITED", "INFINITE"].contains(ExecutorText.trim(text).uppercased()):
            return "UNLIMITED"
        case .string(let text):
            guard let seconds = ExecutorText.runtimeSeconds(text), seconds > 0 else {
                throw SlurmError.invalidResource(name: "runtime", value: text)
            }
            return String((seconds + 59) / 60)
        default:
            throw SlurmError.invalidResource(name: "runtime", value: value.description)
        }
    }

    private static func positiveInt(_ value: ResourceValue, name: String) throws -> Int {
        let number = value.intValue ?? Int(ExecutorText.trim(value.description))
        guard let number, number > 0 else { throw SlurmError.invalidResource(name: name, value: value.description) }
        return number
    }

    /// The job id from `sbatch --parsable` ("123" or "123;cluster"; warnings may precede it).
    static func jobID(fromOutput output: String) -> String? {
        guard let line = output.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map({ ExecutorText.trim($0) }).last(where: { !$0.isEmpty }) else { return nil }
        let id = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return !id.isEmpty && id.allSatisfy({ $0.isASCII && $0.isNumber }) ? id : nil
    }
}
