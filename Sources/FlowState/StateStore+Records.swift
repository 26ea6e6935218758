// StateStore+Records: reading job records back, by path or all at once. The bulk load is
// what the planner's no-op check uses at 100k outputs, so its inner loop avoids work per row:
// one covering-index join in job order, each job's columns decoded once, and repeated strings
// (rule names, hashes, hosts) shared with the previous row instead of allocated again.
import CSQLite

extension StateStore {
    /// Columns 0...12 describe the job, 13 and 14 the output; `JobRowDecoder` relies on this order.
    private static let recordColumns = """
        j.id, j.rule, j.job_key, j.params_hash, j.code_hash, j.software_env_hash, j.inputs,
        j.shell_command, j.start_time, j.end_time, j.exit_status, j.host, j.run_id, o.path, o.mtime
        """

    /// Records for the given outputs; paths without a record are absent from the result.
    public func records(for paths: [String]) throws -> [String: JobRecord] {
        try locked {
            let query = try statement("""
                SELECT \(Self.recordColumns) FROM outputs o JOIN jobs j ON j.id = o.job_id WHERE o.path = ?
                """)
            var decoder = JobRowDecoder()
            var result: [String: JobRecord] = [:]
            result.reserveCapacity(paths.count)
            for path in paths {
                query.reset()
                try query.bind(1, path)
                if try query.step() { result[path] = decoder.record(query) }
            }
            query.reset()
            return result
        }
    }

    /// Every recorded output with its job, in one pass over the database.
    public func allRecords() throws -> [String: JobRecord] {
        try locked {
            // CROSS JOIN keeps jobs as the outer loop, so a job's outputs arrive together and the
            // inner side is a covering scan of outputs_by_job (no lookups into the outputs table).
            let query = try statement("""
                SELECT \(Self.recordColumns) FROM jobs j CROSS JOIN outputs o ON o.job_id = j.id
                """)
            query.reset()
            defer { query.reset() }
            var result: [String: JobRecord] = [:]
            result.reserveCapacity(try count("SELECT count(*) FROM outputs"))
            var decoder = JobRowDecoder()
            while try query.step() {
                result[query.string(13)] = decoder.record(query)
            }
            return result
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

/// Turns rows of `recordColumns` into JobRecords, reusing the previous row's job (same id)
/// and the previous row's strings (same bytes).
private struct JobRowDecoder {
    private var lastJobID: Int64 = .min
    private var lastJob: JobRecord?
    private var rule = RepeatedString()
    private var paramsHash = RepeatedString()
    private var codeHash = RepeatedString()
    private var envHash = RepeatedString()
    private var host = RepeatedString()
    private var runID = RepeatedString()

    mutating func record(_ row: Statement) -> JobRecord {
        let id = row.int64(0)
        var job: JobRecord
        if id == lastJobID, let lastJob {
            job = lastJob
        } else {
            job = JobRecord(
                rule: rule.value(row, 1), jobKey: row.string(2), paramsHash: paramsHash.value(row, 3),
                codeHash: codeHash.value(row, 4), inputs: InputSet(canonical: row.string(6)),
                softwareEnvHash: envHash.value(row, 5), shellCommand: row.optionalString(7),
                startTime: row.double(8), endTime: row.double(9), exitStatus: row.int(10),
                host: host.value(row, 11), runID: row.isNull(12) ? nil : runID.value(row, 12))
            lastJobID = id
            lastJob = job
        }
        job.outputMtime = row.optionalDouble(14)
        return job
    }
}

/// The last string read from one column. When the next row holds the same bytes the String is
/// shared (a retain) rather than allocated: 100k records of one rule then cost one copy of its
/// 64-character hashes, not 100k.
private struct RepeatedString {
    private var last = ""

    mutating func value(_ row: Statement, _ column: Int32) -> String {
        let same = row.withTextBytes(column) { bytes -> Bool in
            last.utf8.withContiguousStorageIfAvailable { stored in
                stored.count == bytes.count
                    && (bytes.count == 0 || memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            } ?? false
        }
        if !same { last = row.string(column) }
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
