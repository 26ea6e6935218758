// Summary: the data behind `flow run --summary` / `--detailed-summary`: for each output, whether
// it exists, its mtime and what the state database says about it. Data only; the CLI prints it
// and the planner adds DAG-derived reasons (params changed, update pending, ...).

public struct OutputSummary: Equatable, Sendable {
    public enum Status: String, Sendable {
        /// A job producing it started and did not finish (killed, failed, still running).
        case incomplete
        /// The file does not exist.
        case missing
        /// The file exists but flow has no record of making it (made by hand, or by Snakemake).
        case noRecord = "no record"
        /// Exists, recorded, and its mtime differs from the one recorded at completion.
        case modified = "modified since recorded"
        /// Exists and matches its record.
        case ok
    }

    public var path: String
    public var exists: Bool
    /// Current mtime (Unix seconds), nil when missing.
    public var mtime: Double?
    public var rule: String?
    public var status: Status
    /// The full record, for --detailed-summary (inputs, shell command, hashes).
    public var record: JobRecord?
}

extension StateStore {
    /// Summaries in the order of `paths`, stat'ing each path on the real file system.
    public func summary(for paths: [String]) throws -> [OutputSummary] {
        try summary(for: paths, mtime: FileSystem.mtime)
    }

    /// Summaries with `mtime` telling a path's current mtime, nil if it does not exist (the
    /// caller's storage layer, or an in-memory disk in tests).
    public func summary(for paths: [String], mtime: (String) -> Double?) throws -> [OutputSummary] {
        let records = try records(for: paths)
        let incomplete = try incompletePaths()
        return paths.map { path in
            let current = mtime(path)
            let record = records[path]
            let status: OutputSummary.Status
            if incomplete.contains(path) {
                status = .incomplete
            } else if current == nil {
                status = .missing
            } else if record == nil {
                status = .noRecord
            } else if let recorded = record?.outputMtime, let current, abs(recorded - current) > 1e-6 {
                status = .modified
            } else {
                status = .ok
            }
            return OutputSummary(path: path, exists: current != nil, mtime: current, rule: record?.rule,
                                 status: status, record: record)
        }
    }
}
