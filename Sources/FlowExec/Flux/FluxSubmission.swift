// FlowExec Flux backend: the `flux submit` command line for one job attempt, and job ids.
//
// Owns: turning a `JobSpec`'s threads and resources (Snakemake's names: runtime in minutes,
// gpus, nodes) plus the executor's settings into `flux submit` arguments, and `FluxJobID`:
// reading the id `flux submit` prints (F58 `ƒ2Ux…`, its ASCII form `f2Ux…`, or decimal) into
// the 64-bit number `flux jobs --json` reports as `id`. Pure functions: tested without Flux.
// Flux has no memory request (executors.md §2.1 e): mem_mb is not passed on.

enum FluxSubmission {
    /// `flux submit` argv: one task (`-n1`) with `threads` cores (`-c`; §2.1 bug a gave every
    /// job one core), `-g` GPUs per task, `-N` nodes, `-t` the runtime in minutes (§2.1 bug b
    /// read minutes as seconds), named after the job, in `directory`, stdout and stderr to files,
    /// and an environment of allow-listed variables only (§2.1 bug e copied all of it).
    static func arguments(for job: JobSpec, scriptPath: String, stdout: String, stderr: String,
                          directory: String, options: FluxExecutor.Options) throws -> [String] {
        var args = ["flux", "submit", "--job-name=\(job.externalName)", "--cwd=\(directory)",
                    "--output=\(stdout)", "--error=\(stderr)", "--env=-*"]
        args += options.environment.map { "--env=\($0)" }
        args += ["-n1", "-c\(max(1, job.threads))"]
        if let gpus = job.resources["gpus"] ?? job.resources["gpu"] {
            let count = try count(gpus, name: "gpus", allowZero: true)
            if count > 0 { args.append("-g\(count)") }
        }
        if let nodes = job.resources["nodes"] { args.append("-N\(try count(nodes, name: "nodes", allowZero: false))") }
        if let runtime = job.resources["runtime"] { args.append("-t\(try timeLimit(runtime))") }
        if let queue = job.resources["flux_queue"]?.description ?? options.queue, !queue.isEmpty {
            args.append("--queue=\(queue)")
        }
        if let requires = options.requires, !requires.isEmpty { args.append("--requires=\(requires)") }
        args += options.attributes.map { "--setattr=\($0)" }
        args += ["bash", scriptPath]
        return args
    }

    /// Flux Standard Duration for `-t`: integers are minutes, as Snakemake's `runtime` (`30` →
    /// `30m`); strings ("2h", "1h30m", "90s", "1-00:00:00") are read as durations and passed in
    /// minutes when whole, else in seconds, so Flux enforces what the user wrote.
    static func timeLimit(_ value: ResourceValue) throws -> String {
        switch value {
        case .int(let minutes) where minutes > 0:
            return "\(minutes)m"
        case .string(let text):
            guard let seconds = ExecutorText.runtimeSeconds(text), seconds > 0 else {
                throw FluxError.invalidResource(name: "runtime", value: text)
            }
            return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
        default:
            throw FluxError.invalidResource(name: "runtime", value: value.description)
        }
    }

    private static func count(_ value: ResourceValue, name: String, allowZero: Bool) throws -> Int {
        let number = value.intValue ?? Int(ExecutorText.trim(value.description))
        guard let number, number > 0 || (allowZero && number == 0) else {
            throw FluxError.invalidResource(name: name, value: value.description)
        }
        return number
    }

    /// The job id `flux submit` printed (its last non-empty stdout line), as printed.
    static func jobID(fromOutput output: String) -> String? {
        guard let line = output.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map({ ExecutorText.trim($0) }).last(where: { !$0.isEmpty }) else { return nil }
        return FluxJobID.number(line) == nil ? nil : line
    }
}

/// Flux job ids: 64-bit numbers, printed in F58 (base 58 with the `ƒ` prefix, or `f` when
/// FLUX_F58_FORCE_ASCII is set or the locale is not UTF-8) or in decimal.
public enum FluxJobID {
    private static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let values: [UInt8: UInt64] = {
        var table: [UInt8: UInt64] = [:]
        for (index, byte) in alphabet.enumerated() { table[byte] = UInt64(index) }
        return table
    }()

    /// The number of an id in F58 (`ƒ…` or `f…`) or decimal; nil if it is neither.
    public static func number<S: StringProtocol>(_ text: S) -> UInt64? {
        var body = Substring(text)
        if body.hasPrefix("ƒ") || body.hasPrefix("f") {
            body = body.dropFirst()
            guard !body.isEmpty else { return nil }
            var value: UInt64 = 0
            for byte in body.utf8 {
                guard let digit = values[byte] else { return nil }
                let (times, overflow1) = value.multipliedReportingOverflow(by: 58)
                let (sum, overflow2) = times.addingReportingOverflow(digit)
                if overflow1 || overflow2 { return nil }
                value = sum
            }
            return value
        }
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(body)
    }

    /// The F58 form with the `ƒ` prefix, as `flux submit` prints it by default.
    public static func f58(_ number: UInt64) -> String {
        var digits: [UInt8] = []
        var rest = number
        repeat {
            digits.append(alphabet[Int(rest % 58)])
            rest /= 58
        } while rest > 0
        return "ƒ" + String(decoding: digits.reversed(), as: UTF8.self)
    }
}
