// What the user is told about a job: the `JobReport` of its start, end or failure (rule,
// wildcards, files, reason, threads and resources, message, command), and on failure the tail of
// its log files and of what the executor kept (`--show-failed-logs`, as Snakemake does).

import Foundation
import FlowDAG
import FlowExec
import FlowLang
import FlowWorkflow

struct JobReports {
    let plan: Plan
    let evaluator: JobEvaluator
    let options: EngineOptions
    var dag: DAG { plan.dag }

    func report(_ job: JobID, isLocal: Bool, namespace ns: JobNamespace? = nil, command: String? = nil) -> JobReport {
        let rule = dag.rule(of: job)
        // An input a pending checkpoint decides is shown as Snakemake shows it: <TBD>.
        let pending = dag.jobs[job].checkpointTargets
        let input = pending.isEmpty ? dag.inputPaths(of: job)
            : dag.jobs[job].input.map { pending.contains($0) ? "<TBD>" : dag.files.paths[$0] }
        var report = JobReport(
            jobid: job, rule: rule.name, isLocal: isLocal, isCheckpoint: rule.isCheckpoint,
            input: input, output: dag.outputPaths(of: job), log: dag.logPaths(of: job),
            reason: plan.reasonText(of: job) ?? "", wildcards: dag.wildcards(of: job).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        if let ns {
            report.threads = ns.threads
            let tmp = NSTemporaryDirectory()
            report.resources = [("tmpdir", tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp)]
            for (i, item) in ns.resources.items.enumerated() {
                guard let name = ns.resources.names.first(where: { $0.range.lowerBound == i })?.name, name != "tmpdir" else { continue }
                report.resources.append((name, ShellFormatter.plainOrRepr(item, evaluator.interpreter)))
            }
            if let message = rule.message { report.message = try? evaluator.format(message, ns) }
        }
        report.shellCommand = command
        report.location = RuleLocation(rule).phrase
        switch rule.action {
        case .run: report.actionKind = "run"
        case .script: report.actionKind = "script"
        default: break
        }
        return report
    }

    /// Snakemake's wording for a plain non-zero exit; the executor's own reason (TIMEOUT,
    /// OUT_OF_MEMORY, a signal, a Flux exception or cancellation) whenever it says more than that.
    static func reason(of failure: JobFailure) -> String {
        let generic = failure.kind == .exitStatus && (failure.exitStatus ?? 0) < 128
            && !failure.reason.contains("TIMEOUT") && !failure.reason.contains("OUT_OF_MEMORY")
            && !failure.reason.contains("CANCELED") && !failure.reason.contains("exception")
        return generic ? "command exited with non-zero exit code" : failure.reason
    }

    /// The last lines of the job's log files and of the executor's log of the attempt.
    func failedLogs(_ job: JobID, files: JobFiles, failure: JobFailure) -> String? {
        var parts: [String] = []
        for path in dag.logPaths(of: job) {
            guard let text = files.read(files.storage.jobFile(path)) else { continue }
            parts.append("==> \(path) <==\n" + Self.tail(text))
        }
        if let logs = failure.logs, !logs.isEmpty {
            let id = failure.externalID.map { " \($0)" } ?? ""
            parts.append("==> log of the \(options.executor) job\(id) <==\n" + Self.tail(logs))
        }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    static func tail(_ text: String, lines: Int = 20) -> String {
        var body = Substring(text)
        if body.hasSuffix("\n") { body = body.dropLast() }
        return body.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

extension ShellFormatter {
    /// str() of a value for display, never throwing.
    static func plainOrRepr(_ value: Value, _ interpreter: Interpreter) -> String {
        (try? plain(value, interpreter: interpreter)) ?? "\(value.typeName)"
    }
}
