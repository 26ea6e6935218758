// Why a job must run, with Snakemake 9's wording; what the plan needs to know about previous
// runs (`ProvenanceSource`, implemented by the engine over the state store); and the rerun
// triggers that select which provenance changes count.

import FlowWorkflow

/// Why a job runs. Empty means it does not need to.
public struct RerunReason: Sendable {
    public var forced = false
    /// A target job with neither input nor output.
    public var noIO = false
    /// A target job with a `shell:`/`run:` but no output.
    public var noOutput = false
    public var missingOutput: [FileID] = []
    public var incompleteOutput: [FileID] = []
    /// Inputs newer than the job's oldest output.
    public var updatedInput: [FileID] = []
    /// Inputs that a job running before this one (re)creates.
    public var updatedInputRun: [FileID] = []
    public var inputChanged = false
    public var codeChanged = false
    public var paramsChanged = false
    /// When recorded and current params are known as values: the ones only before / only now
    /// (across all outputs), as Snakemake 9 prints them.
    public var paramsOnlyBefore: [String] = []
    public var paramsOnlyNow: [String] = []
    public var softwareChanged = false

    public init() {}

    public var isEmpty: Bool {
        !(forced || noIO || noOutput || inputChanged || codeChanged || paramsChanged || softwareChanged)
            && missingOutput.isEmpty && incompleteOutput.isEmpty && updatedInput.isEmpty && updatedInputRun.isEmpty
    }

    /// Snakemake's `str(Reason)`: the parts joined by "; ".
    public func text(_ files: FileTable) -> String {
        func list(_ ids: [FileID]) -> String { ids.map { files[$0] }.joined(separator: ", ") }
        if forced { return "Forced execution" }
        if noIO { return "Rules with neither input nor output files are always executed." }
        if noOutput { return "Rules with a run or shell declaration but no output are always executed." }
        var parts: [String] = []
        if !missingOutput.isEmpty { parts.append("Missing output files: " + list(missingOutput)) }
        if !incompleteOutput.isEmpty { parts.append("Incomplete output files: " + list(incompleteOutput)) }
        let updated = updatedInput.filter { !updatedInputRun.contains($0) }
        if !updated.isEmpty { parts.append("Updated input files: " + list(updated)) }
        if !updatedInputRun.isEmpty { parts.append("Input files updated by another job: " + list(updatedInputRun)) }
        if inputChanged { parts.append("Set of input files has changed since last execution") }
        if codeChanged { parts.append("Code has changed since last execution") }
        if paramsChanged {
            if paramsOnlyBefore.isEmpty && paramsOnlyNow.isEmpty {
                parts.append("Params have changed since last execution")
            } else {
                func side(_ s: [String], _ label: String) -> String {
                    s.isEmpty ? "\(label): <nothing exclusive>" : "\(label): " + s.joined(separator: ",")
                }
                parts.append("Params have changed since last execution: Union of exclusive params before and now "
                    + "across all output: \(side(paramsOnlyBefore, "before")) \(side(paramsOnlyNow, "now")) ")
            }
        }
        if softwareChanged { parts.append("Software environment definition has changed since last execution") }
        return parts.joined(separator: "; ")
    }
}

/// What was recorded when an output file was last created.
public struct OutputProvenance: Sendable {
    public var paramsHash: String?
    /// The params as recorded values (Snakemake records each param's repr), when available.
    public var params: [String]?
    public var codeHash: String?
    /// The job's input paths at the time.
    public var input: [String]?
    public var softwareHash: String?

    public init(paramsHash: String? = nil, params: [String]? = nil, codeHash: String? = nil, input: [String]? = nil,
                softwareHash: String? = nil) {
        self.paramsHash = paramsHash
        self.params = params
        self.codeHash = codeHash
        self.input = input
        self.softwareHash = softwareHash
    }
}

/// Provenance of previous runs, keyed by output path (implemented over FlowState by the engine).
public protocol ProvenanceSource: AnyObject {
    /// The record of the run that last created `path`, if any.
    func record(for path: String) -> OutputProvenance?
    /// True when a job writing `path` started and did not finish (an incomplete marker).
    func isIncomplete(_ path: String) -> Bool
}

/// The current values compared with `OutputProvenance`; nil fields are not compared.
public struct JobSignature: Sendable {
    public var paramsHash: String?
    /// Current params as values (compared with `OutputProvenance.params` for the detailed reason).
    public var params: [String]?
    public var codeHash: String?
    public var softwareHash: String?

    public init(paramsHash: String? = nil, params: [String]? = nil, codeHash: String? = nil, softwareHash: String? = nil) {
        self.paramsHash = paramsHash
        self.params = params
        self.codeHash = codeHash
        self.softwareHash = softwareHash
    }

    /// What FlowDAG can compute without evaluating Python: the code hash of the rule's action and
    /// the hash of its software definition (`conda:`/`container:`/`envmodules:`). The recorder
    /// must use the same functions (`codeHash(of:)`, `softwareHash(of:)`).
    public static func `default`(for rule: Rule) -> JobSignature {
        JobSignature(paramsHash: nil, codeHash: codeHash(of: rule), softwareHash: softwareHash(of: rule))
    }

    public static func codeHash(of rule: Rule) -> String {
        switch rule.action {
        case .none: return stableHash("none")
        case .shell(let s): return stableHash("shell:" + s)
        case .run(let block): return stableHash("run:" + block.text)
        case .script(let s): return stableHash("script:" + s)
        case .wrapper(let s): return stableHash("wrapper:" + s)
        case .templateEngine(let e): return stableHash("template_engine:" + e)
        case .unsupported(let d, let v): return stableHash(d + ":" + v)
        }
    }

    public static func softwareHash(of rule: Rule) -> String? {
        if rule.software.isEmpty { return nil }
        return stableHash(rule.software.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"))
    }
}

/// 64-bit FNV-1a as 16 hex digits: stable across runs and platforms (unlike `Hasher`).
public func stableHash(_ s: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

/// `--rerun-triggers`: which kinds of change make a job with existing outputs run again.
public struct RerunTriggers: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let mtime = RerunTriggers(rawValue: 1 << 0)
    public static let params = RerunTriggers(rawValue: 1 << 1)
    public static let input = RerunTriggers(rawValue: 1 << 2)
    public static let softwareEnv = RerunTriggers(rawValue: 1 << 3)
    public static let code = RerunTriggers(rawValue: 1 << 4)
    public static let all: RerunTriggers = [.mtime, .params, .input, .softwareEnv, .code]

    /// Parses Snakemake's names (`mtime params input software-env code`).
    public init?(names: [String]) {
        var t: RerunTriggers = []
        for n in names {
            switch n {
            case "mtime": t.insert(.mtime)
            case "params": t.insert(.params)
            case "input": t.insert(.input)
            case "software-env": t.insert(.softwareEnv)
            case "code": t.insert(.code)
            default: return nil
            }
        }
        self = t
    }
}
