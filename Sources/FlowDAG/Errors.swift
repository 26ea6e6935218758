// Errors of DAG construction and planning, worded as Snakemake words them, and the checkpoint
// signal that input functions raise.

import FlowLang
import FlowWorkflow

public enum DAGError: Error, CustomStringConvertible {
    /// `kind` is "input files", "log files" or "benchmark file".
    case wildcardsNotInOutput(rule: String, kind: String, names: [String], location: RuleLocation? = nil)
    case inconsistentOutputWildcards(rule: String)
    case missingInput(rule: String, output: [String], wildcards: [(String, String)], files: [String],
                      location: RuleLocation? = nil)
    case noRuleToProduce(file: String)
    case unknownRule(name: String)
    case targetRuleHasWildcards(rule: String)
    case ambiguousRules(file: String, a: JobSummary, b: JobSummary)
    case conflictingOutput(file: String, a: String, b: String)
    /// An output inside another job's directory() output.
    case childOutput(parent: String, parentRule: String, child: String, childRule: String)
    /// `cycle` lists "rule (file)" steps from the repeated job back to itself.
    case cyclicDependency(rule: String, file: String?, cycle: [String], location: RuleLocation? = nil)
    case inputFunction(rule: String, wildcards: [(String, String)], message: String)
    case incompleteFiles([String])
    case multiple([DAGError])
    case workflow(String)

    /// Did a dependency cycle (which depends on the path taken) cause this error?
    var involvesCycle: Bool {
        switch self {
        case .cyclicDependency: return true
        case .multiple(let es): return es.contains { $0.involvesCycle }
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .wildcardsNotInOutput(let rule, let kind, let names, let location):
            return "WildcardError in rule \(rule)\(location?.phrase ?? ""):\nWildcards in \(kind) cannot be determined from output files:\n"
                + names.map { "'\($0)'" }.joined(separator: ", ")
        case .inconsistentOutputWildcards(let rule):
            return "Not all output, log and benchmark files of rule \(rule) contain the same wildcards. This is crucial "
                + "though, in order to avoid that two or more jobs write to the same file."
        case .missingInput(let rule, let output, let wildcards, let files, let location):
            var s = "MissingInputException in rule \(rule)\(location?.phrase ?? ""):\nMissing input files for rule \(rule):"
            if !output.isEmpty { s += "\n    output: " + output.joined(separator: ", ") }
            if !wildcards.isEmpty { s += "\n    wildcards: " + formatWildcards(wildcards) }
            s += "\n    affected files:\n        " + files.joined(separator: "\n        ")
            return s
        case .noRuleToProduce(let f):
            return "MissingRuleException:\nNo rule to produce \(f) (if you use input functions make sure that they "
                + "don't raise unexpected exceptions)."
        case .unknownRule(let n): return "There is no rule named \(n)."
        case .targetRuleHasWildcards(let rule):
            return "WorkflowError:\nTarget rules may not contain wildcards. Please specify concrete files or a rule "
                + "without wildcards at the command line, or have a rule without wildcards at the very top of your "
                + "workflow (e.g. the typical \"rule all\" which just collects all results you want to generate in "
                + "the end). (rule \(rule))"
        case .ambiguousRules(let f, let a, let b):
            return "AmbiguousRuleException:\nRules \(a.rule) and \(b.rule) are ambiguous for the file \(f).\n"
                + "Consider starting rule output with a unique prefix, constrain your wildcards, or use the ruleorder directive.\n"
                + "Wildcards:\n\t\(a.rule): \(formatWildcards(a.wildcards))\n\t\(b.rule): \(formatWildcards(b.wildcards))\n"
                + "Expected input files:\n\t\(a.rule): \(a.input.joined(separator: " "))\n\t\(b.rule): \(b.input.joined(separator: " "))\n"
                + "Expected output files:\n\t\(a.rule): \(a.output.joined(separator: " "))\n\t\(b.rule): \(b.output.joined(separator: " "))"
        case .conflictingOutput(let f, let a, let b):
            return "AmbiguousRuleException:\nRules \(a) and \(b) are ambiguous for the file \(f): both would produce it."
        case .childOutput(let parent, let parentRule, let child, let childRule):
            return "ChildIOException:\nFile/directory is a child to another output:\n\(parent) (output of rule \(parentRule))\n"
                + "\(child) (output of rule \(childRule))"
        case .cyclicDependency(let rule, let file, let cycle, let location):
            var s = "CyclicGraphException in rule \(rule)\(location?.phrase ?? ""):\nCyclic dependency on rule \(rule)."
            if let file { s += "\nProblematic file: \(file)" }
            if !cycle.isEmpty { s += "\nCycle: " + cycle.joined(separator: " -> ") }
            return s
        case .inputFunction(let rule, let wildcards, let message):
            return "InputFunctionException in rule \(rule):\nError:\n  \(message)\nWildcards:\n"
                + wildcards.map { "  \($0.0)=\($0.1)" }.joined(separator: "\n")
        case .incompleteFiles(let files):
            return "IncompleteFilesException:\nThe files below seem to be incomplete. If you are sure that certain files "
                + "are not incomplete, mark them as complete with\n\n    flow run --cleanup-metadata <filenames>\n\n"
                + "To re-generate the files rerun your command with the --rerun-incomplete flag.\nIncomplete files:\n"
                + files.joined(separator: "\n")
        case .multiple(let es): return es.map(\.description).joined(separator: "\n")
        case .workflow(let m): return "WorkflowError:\n\(m)"
        }
    }
}

/// Where a rule is defined, as errors name it: `in file "Snakefile", line 12` (Snakemake's words).
public struct RuleLocation: Sendable, Equatable {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public init(_ rule: Rule) { self.init(file: rule.file.path, line: rule.line) }

    public var phrase: String { " in file \"\(file)\", line \(line)" }
}

/// What an ambiguity error shows of each competing job.
public struct JobSummary: Sendable {
    public var rule: String
    public var wildcards: [(String, String)]
    public var input: [String]
    public var output: [String]
}

/// Snakemake's `format_wildcards`: `a=1, b=2`.
func formatWildcards(_ w: [(String, String)]) -> String { w.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") }

/// Raised by an input function that calls `checkpoints.X.get(...)` before checkpoint X's job has
/// produced its output. The DAG then makes the calling job depend on the job producing
/// `targetFile` (the checkpoint's output for those wildcards) and re-evaluates its inputs after that
/// job finished (`DAG.reevaluate(afterCheckpoint:)`).
///
/// The workflow layer throws it from `checkpoints.X.get()`. If the interpreter turns Swift errors
/// into Python exceptions, it should keep this one as is, or wrap it as
/// `PyError("IncompleteCheckpointException", ..., value: .object(IncompleteCheckpointValue(...)))`;
/// the DAG recognises both.
public struct IncompleteCheckpoint: Error, CustomStringConvertible {
    public var rule: String
    public var targetFile: String

    public init(rule: String, targetFile: String) {
        self.rule = rule
        self.targetFile = targetFile
    }

    public var description: String {
        "IncompleteCheckpointException: checkpoint \(rule) has not produced \(targetFile) yet"
    }

    /// The signal inside `error`, if `error` is one (directly or wrapped in a PyError).
    public static func from(_ error: Error) -> IncompleteCheckpoint? {
        if let e = error as? IncompleteCheckpoint { return e }
        if let p = error as? PyError, case .object(let o)? = p.value, let v = o as? IncompleteCheckpointValue {
            return v.signal
        }
        // What `checkpoints.NAME.get(...)` raises (FlowWorkflow cannot name this module's types).
        if let p = error as? PyError, case .object(let o)? = p.value, let v = o as? CheckpointPending, let first = v.outputs.first {
            return IncompleteCheckpoint(rule: v.rule, targetFile: first)
        }
        return nil
    }
}

/// The Python-visible form of `IncompleteCheckpoint` (an exception instance).
public final class IncompleteCheckpointValue: PyObject {
    public let signal: IncompleteCheckpoint
    public init(_ signal: IncompleteCheckpoint) { self.signal = signal }
    public var typeName: String { "IncompleteCheckpointException" }
}
