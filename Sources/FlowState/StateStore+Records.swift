// StateStore+Records: reading job records back, by path or all at once. The bulk load is
// what the planner's no-op check uses at 100k outputs, so its inner loop avoids work per row:
// sequential scans only, each job's columns decoded once, repeated strings (rule names,
// hashes, hosts) shared through the texts table instead of allocated per row.
import CSQLite

extension StateStore {
    /// Columns 0...12 of a job, in the order `JobRowDecoder` reads them.
    private static let jobColumns = """
        j.id, j.rule_text, j.job_key, j.params_hash, j.code_hash_text, j.software_env_hash_text,
        j.inputs, j.shell_command, j.start_time, j.end_time, j.exit_status, j.host_text, j.run_id_text
        """

    /// Records for the given outputs; paths without a record are absent from the result.
    public func records(for paths: [String]) throws -> [String: JobRecord] {
        try locked {
            try readTransaction {
                let query = try statement("""
                    SELECT \(Self.jobColumns), o.mtime FROM outputs o JOIN jobs j ON j.id = o.job_id
                    WHERE o.path = ?
                    """)
                defer { query.reset() }
                var decoder = JobRowDecoder(store: self)
                var result: [String: JobRecord] = [:]
                result.reserveCapacity(paths.count)
                for path in paths {
                    query.reset()
                    try query.bind(1, path)
                    guard try query.step() else { continue }
                    var record = try decoder.job(query)
                    record.outputMtime = query.optionalDouble(13)
                    result[path] = record
                }
                return result
            }
        }
    }

    /// Every recorded output with its job. A merge join done here rather than in SQL: both
    /// tables are read sequentially in job-id order (jobs by rowid, outputs through the covering
    /// index outputs_by_job), which costs less than SQLite's per-job index probes.
    public func allRecords() throws -> [String: JobRecord] {
        try locked {
            try readTransaction {
                let jobs = try statement("SELECT \(Self.jobColumns) FROM jobs j ORDER BY j.id")
                let outputs = try statement("""
                    SELECT job_id, mtime, path FROM outputs INDEXED BY outputs_by_job ORDER BY job_id
                    """)
                jobs.reset()
                outputs.reset()
                defer {
                    jobs.reset()
                    outputs.reset()
                }
                var result: [String: JobRecord] = [:]
                result.reserveCapacity(try count("SELECT count(*) FROM outputs"))
                var decoder = JobRowDecoder(store: self)
                var haveOutput = try outputs.step()
                while haveOutput, try jobs.step() {
                    let jobID = jobs.int64(0)
                    // Outputs whose job row is missing cannot happen (foreign key); skip them anyway.
                    while haveOutput && outputs.int64(0) < jobID { haveOutput = try outputs.step() }
                    guard haveOutput && outputs.int64(0) == jobID else { continue }
                    var record = try decoder.job(jobs)
                    // Store copies for all but the job's last output, which takes `record` itself:
                    // most jobs have one output, and a copy costs a retain per string field.
                    var path = outputs.string(2)
                    var mtime = outputs.optionalDouble(1)
                    haveOutput = try outputs.step()
                    while haveOutput && outputs.int64(0) == jobID {
                        var copy = record
                        copy.outputMtime = mtime
                        result[path] = copy
                        path = outputs.string(2)
                        mtime = outputs.optionalDouble(1)
                        haveOutput = try outputs.step()
                    }
                    record.outputMtime = mtime
                    result[path] = record
                }
                return result
            }
        }
    }

    /// Number of recorded outputs.
    public func recordCount() throws -> Int {
        try locked { try count("SELECT count(*) FROM outputs") }
    }

    func count(_ sql: String) throws -> Int {
        let query = try statement(sql)
        query.reset()
        defer { query.reset() }
        return try query.step() ? query.int(0) : 0
    }
}

/// Turns rows of `jobColumns` into JobRecords. Callers hold the store's mutex. Keeps its own
/// copy of the texts table so the per-row lookups are plain array reads.
private struct JobRowDecoder {
    let store: StateStore
    private var texts: [String?]
    private var paramsHash = RepeatedString()

    init(store: StateStore) {
        self.store = store
        texts = store.texts.values
    }

    mutating func job(_ row: Statement) throws -> JobRecord {
        JobRecord(
            rule: try text(row, 1), jobKey: row.string(2), paramsHash: paramsHash.value(row, 3),
            codeHash: try text(row, 4), inputs: InputSet(canonical: row.string(6)),
            softwareEnvHash: try text(row, 5), shellCommand: row.optionalString(7),
            startTime: row.double(8), endTime: row.double(9), exitStatus: row.int(10),
            host: try text(row, 11), runID: row.isNull(12) ? nil : try text(row, 12))
    }

    private mutating func text(_ row: Statement, _ column: Int32) throws -> String {
        let id = Int(row.int64(column))
        if id >= 0 && id < texts.count, let value = texts[id] { return value }
        let value = try store.text(Int64(id))  // loads what other writers added
        texts = store.texts.values
        return value
    }
}

/// The last string read from one column. When the next row holds the same bytes the String is
/// shared (a retain) rather than allocated: jobs without params, or of one rule with the same
/// params, then hold one copy of the hash.
private struct RepeatedString {
    private var last = ""

    mutating func value(_ row: Statement, _ column: Int32) -> String {
        row.withTextBytes(column) { bytes in
            let same = last.utf8.withContiguousStorageIfAvailable { stored in
                stored.count == bytes.count
                    && (bytes.count == 0 || memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            } ?? false
            if !same { last = String(decoding: bytes, as: UTF8.self) }
        }
        return last
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
