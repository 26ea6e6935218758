// Prints engine events the way Snakemake 9 prints them, through one buffered writer (a verbose
// dry run of 100k jobs writes megabytes; per-line locking writes would cost more than planning).
// With `colors`, job headers are green, errors red and warnings yellow (Snakemake's log colours).

import Foundation
import FlowEngine

public final class Printer: EngineReporter {
    let quiet: Bool
    let printShellCommands: Bool
    let colors: Bool
    /// Progress messages ("Building DAG of jobs...") on standard error, so that standard output is
    /// only the data asked for (`--dag | dot -Tsvg`), as with Snakemake.
    let messagesToStandardError: Bool
    /// Where the text goes: standard output and error, or the live view that owns the terminal.
    let sink: TextSink
    private var buffer: [UInt8] = []

    public init(quiet: Bool, printShellCommands: Bool, colors: Bool = false, messagesToStandardError: Bool = false,
                sink: TextSink = StandardStreams()) {
        self.quiet = quiet
        self.messagesToStandardError = messagesToStandardError
        self.printShellCommands = printShellCommands
        self.colors = colors
        self.sink = sink
        buffer.reserveCapacity(1 << 16)
    }

    deinit { flush() }

    // MARK: Output plumbing

    private func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func line(_ s: String = "") { write(s); write("\n") }

    private func line(_ s: String, _ color: ANSI) { line(colors ? color.wrap(s) : s) }

    public func flush() {
        guard !buffer.isEmpty else { return }
        sink.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func errorLine(_ s: String, _ color: ANSI?) {
        flush()
        sink.writeError((colors ? color.map { $0.wrap(s) } ?? s : s) + "\n")
    }

    private static let timestampFormat: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        return f
    }()

    private var stampSecond = Int.min
    private var stampText = ""

    /// Snakemake's "[Mon Dec 7 15:04:05 2026]" for now. Formatted once per second: a DateFormatter
    /// call costs microseconds, and a run of 100k jobs asks for a stamp per job.
    func stamp() -> String {
        let now = Date()
        let second = Int(now.timeIntervalSince1970.rounded(.down))
        if second != stampSecond {
            stampSecond = second
            stampText = "[" + Printer.timestampFormat.string(from: now) + "]"
        }
        return stampText
    }

    private func timestamp() { line(stamp()) }

    // MARK: EngineReporter

    public func buildingDAG() {
        if messagesToStandardError { errorLine("Building DAG of jobs...", nil) } else { line("Building DAG of jobs...") }
    }

    public func jobStats(_ counts: [(rule: String, count: Int)]) {
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

    public func jobStarted(_ job: JobReport, dryRun: Bool) {
        if quiet {
            if printShellCommands, !dryRun, let cmd = job.shellCommand { line(cmd) }
            return
        }
        if !dryRun { line() }
        timestamp()
        if let message = job.message {
            line("Job \(job.jobid): \(message)", .green)
            line("Reason: \(job.reason)", .green)
        } else {
            let kind = job.isCheckpoint ? "checkpoint" : "rule"
            var block = ["\(job.isLocal && !dryRun ? "local" : "")\(kind) \(job.rule):"]
            if !job.input.isEmpty { block.append("    input: " + job.input.joined(separator: ", ")) }
            if !job.output.isEmpty { block.append("    output: " + job.output.joined(separator: ", ")) }
            if !job.log.isEmpty { block.append("    log: " + job.log.joined(separator: ", ")) }
            block.append("    jobid: \(job.jobid)")
            block.append("    reason: \(job.reason)")
            if !job.wildcards.isEmpty { block.append("    wildcards: " + job.wildcards.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")) }
            if job.threads > 1 { block.append("    threads: \(job.threads)") }
            if !job.resources.isEmpty { block.append("    resources: " + job.resources.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")) }
            for text in block { line(text, .green) }
        }
        if printShellCommands, let cmd = job.shellCommand {
            line()
            line(cmd)
            line()
        }
        if !dryRun { flush() }
    }

    public func jobFinished(_ job: JobReport) {
        guard !quiet else { return }
        timestamp()
        line("Finished jobid: \(job.jobid) (Rule: \(job.rule))")
    }

    public func progress(done: Int, total: Int) {
        let percent = total == 0 ? 100 : Int((Double(done) * 100 / Double(total)).rounded())
        line("\(done) of \(total) steps (\(percent)%) done")
        flush()
    }

    public func jobFailed(_ job: JobReport, exitStatus: Int32?, reason: String, removedOutputs: [String], logTail: String?) {
        var s = ""
        if let cmd = job.shellCommand, let location = job.location, let exitStatus, exitStatus < 128 {
            // Snakemake's words for a failed shell command, naming the rule's Snakefile and line.
            s += "RuleException:\nCalledProcessError\(location):\nCommand 'set -euo pipefail;  \(cmd)' returned non-zero exit status \(exitStatus).\n"
        }
        s += stamp() + "\nError in rule \(job.rule):\n"
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
        errorLine(String(s.dropLast()), .red)
    }

    public func nothingToDo() {
        line("Nothing to be done (all requested files are present and up to date).")
        flush()
    }

    public func dryRunFinished(_ counts: [(rule: String, count: Int)], reasons: [(reason: String, rules: [String])]) {
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

    public func info(_ message: String) { line(message) }

    public func warning(_ message: String) { errorLine(message, .yellow) }
}
