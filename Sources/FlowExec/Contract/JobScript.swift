// FlowExec contract: the self-contained bash script a remote backend runs for a job.
//
// Owns: rendering a `JobSpec` into a script (strict mode, working directory, exported
// environment, the command) and writing it atomically as `.flow/jobs/<externalName>.sh`
// (temp file + rename, mode 0755), so a backend that reads it never sees half a script.
// Remote executors (Slurm, Kubernetes, Flux, PiCaS) then run `bash .flow/jobs/<name>.sh`.

import FlowSystem

public enum JobScript {
    /// The script text. Environment entries are sorted so the text is reproducible.
    /// - Parameters:
    ///   - directory: where the script changes to first; nil stays where the back end started it
    ///     (a back end without flow's file system starts it in the job's own directory).
    ///   - embedPrograms: write the job's generated programs from the script itself (quoted
    ///     here-documents), so the script alone is everything a remote back end needs.
    public static func render(_ job: JobSpec, directory: String?? = .none, embedPrograms: Bool = false) -> String {
        var lines = [
            "#!/usr/bin/env bash",
            "# flow job \(job.id) (\(job.key)), attempt \(job.attempt): \(job.externalName)",
            // Snakemake's strict mode, so the script fails like the local run would.
            "set -euo pipefail",
        ]
        if let cd = directory ?? job.workingDirectory { lines.append("cd \(ShellQuote.quote(cd))") }
        for key in job.environment.keys.sorted() {
            lines.append("export \(key)=\(ShellQuote.quote(job.environment[key]!))")
        }
        if embedPrograms {
            for program in job.programs {
                // A delimiter that cannot occur in the text ends the here-document.
                var delimiter = "FLOW_PROGRAM_END"
                while program.text.contains(delimiter) { delimiter += "_" }
                let parent = LocalFiles.dirname(program.path)
                if !parent.isEmpty { lines.append("mkdir -p \(ShellQuote.quote(parent))") }
                lines.append("cat > \(ShellQuote.quote(program.path)) <<'\(delimiter)'")
                lines.append(program.text.hasSuffix("\n") ? String(program.text.dropLast()) : program.text)
                lines.append(delimiter)
            }
        }
        switch job.command {
        case .shell(let text): lines.append(text)
        case .script(let path): lines.append("bash \(ShellQuote.quote(path))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the script under `directory` (created if missing); returns its path.
    @discardableResult
    public static func write(_ job: JobSpec, directory: String = ".flow/jobs") throws -> String {
        let path = directory + "/" + job.externalName + ".sh"
        try LocalFiles.writeAtomically(render(job), to: path, mode: 0o755)
        return path
    }
}
