// Prints engine events the way Snakemake 9 prints them, through one buffered writer (a verbose
// dry run of 100k jobs writes megabytes; per-line locking writes would cost more than planning).

import Foundation
import FlowEngine

final class Printer: EngineReporter {
    let quiet: Bool
    let printShellCommands: Bool
    private var buffer: [UInt8] = []

    init(quiet: Bool, printShellCommands: Bool) {
        self.quiet = quiet
        self.printShellCommands = printShellCommands
        buffer.reserveCapacity(1 << 16)
    }

    deinit { flush() }

    // MARK: Output plumbing

    private func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func line(_ s: String = "") { write(s); write("\n") }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBufferPointer { p in
            var offset = 0
            while offset < p.count {
                let n = Glibc.write(1, p.baseAddress! + offset, p.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func errorLine(_ s: String) {
        flush()
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    private static let timestampFormat: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        return f
    }()

    private func timestamp() { line("[\(Printer.timestampFormat.string(from: Date()))]") }

    // MARK: EngineReporter

    func buildingDAG() { line("Building DAG of jobs...") }

    func jobStats(_ counts: [(rule: String, count: Int)]) {
        guard !quiet else { return }
        table(counts)
    }

    private func table(_ counts: [(rule: String, count: Int)]) {
        let total = counts.reduce(0) { $0 + $1.count }
        let nameWidth = max(5, counts.map(\.rule.count).max() ?? 0)
        let countWidth = max(5, String(total).count)
        line("Job stats:")
        line("job".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + String(repeating: " ", count: countWidth - 5) + "count")
        line(String(repeating: "-", count: nameWidth) + "  " + String(repeating: "-", count: countWidth))
        for (rule, count) in counts + [("total", total)] {
            let c = String(count)
            line(rule.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + String(repeating: " ", count: countWidth - c.count) + c)
        }
        line()
    }

    func jobStarted(_ job: JobReport, dryRun: Bool) {
        if quiet {
            if printShellCommands, !dryRun, let cmd = job.shellCommand { line(cmd) }
            return
        }
        if !dryRun { line() }
        timestamp()
        if let message = job.message {
            line("Job \(job.jobid): \(message)")
            line("Reason: \(job.reason)")
        } else {
            let kind = job.isCheckpoint ? "checkpoint" : "rule"
            line("\(job.isLocal && !dryRun ? "local" : "")\(kind) \(job.rule):")
            if !job.input.isEmpty { line("    input: " + job.input.joined(separator: ", ")) }
            if !job.output.isEmpty { line("    output: " + job.output.joined(separator: ", ")) }
            if !job.log.isEmpty { line("    log: " + job.log.joined(separator: ", ")) }
            line("    jobid: \(job.jobid)")
            line("    reason: \(job.reason)")
            if !job.wildcards.isEmpty { line("    wildcards: " + job.wildcards.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")) }
            if job.threads > 1 { line("    threads: \(job.threads)") }
            if !job.resources.isEmpty { line("    resources: " + job.resources.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")) }
        }
        if printShellCommands, let cmd = job.shellCommand {
            line()
            line(cmd)
            line()
        }
        if !dryRun { flush() }
    }

    func jobFinished(_ job: JobReport) {
        guard !quiet else { return }
        timestamp()
        line("Finished jobid: \(job.jobid) (Rule: \(job.rule))")
    }

    func progress(done: Int, total: Int) {
        let percent = total == 0 ? 100 : Int((Double(done) * 100 / Double(total)).rounded())
        line("\(done) of \(total) steps (\(percent)%) done")
        flush()
    }

    func jobFailed(_ job: JobReport, exitStatus: Int32?, reason: String, removedOutputs: [String], logTail: String?) {
        var s = ""
        if let cmd = job.shellCommand, let location = job.location, let exitStatus, exitStatus < 128 {
            // Snakemake's words for a failed shell command, naming the rule's Snakefile and line.
            s += "RuleException:\nCalledProcessError\(location):\nCommand 'set -euo pipefail;  \(cmd)' returned non-zero exit status \(exitStatus).\n"
        }
        s += "[\(Printer.timestampFormat.string(from: Date()))]\nError in rule \(job.rule):\n"
        s += "    message: \(job.message ?? "None")\n"
        s += "    jobid: \(job.jobid)\n"
        if !job.input.isEmpty { s += "    input: " + job.input.joined(separator: ", ") + "\n" }
        if !job.output.isEmpty { s += "    output: " + job.output.joined(separator: ", ") + "\n" }
        if !job.log.isEmpty { s += "    log: " + job.log.joined(separator: ", ") + " (check log file(s) for error details)\n" }
        if let cmd = job.shellCommand {
            s += "    shell:\n        \(cmd)\n        (\(reason))\n"
        } else {
            s += "    \(job.actionKind): \(reason)\n"
        }
        if let exitStatus { s += "    exit status: \(exitStatus)\n" }
        if let logTail, !logTail.isEmpty { s += "    log tail:\n" + logTail.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n") + "\n" }
        if !removedOutputs.isEmpty {
            s += "Removing output files of failed job \(job.rule) since they might be corrupted:\n" + removedOutputs.joined(separator: ", ") + "\n"
        }
        errorLine(String(s.dropLast()))
    }

    func nothingToDo() {
        line("Nothing to be done (all requested files are present and up to date).")
        flush()
    }

    func dryRunFinished(_ counts: [(rule: String, count: Int)], reasons: [(reason: String, rules: [String])]) {
        if !quiet {
            table(counts)
            line("Reasons:")
            line("    (check individual jobs above for details)")
            for (reason, rules) in reasons {
                line("    \(reason):")
                line("        " + rules.joined(separator: ", "))
            }
        }
        line("This was a dry-run (flag -n). The order of jobs does not reflect the order of execution.")
        flush()
    }

    func info(_ message: String) { line(message) }

    func warning(_ message: String) { errorLine(message) }
}
