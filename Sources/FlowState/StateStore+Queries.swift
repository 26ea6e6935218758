// StateStore+Queries: reads of the small tables: incomplete markers, runs, external job ids.
// (Job records have their own file: their bulk load is performance-critical.)

extension StateStore {
    // MARK: incomplete markers

    /// Outputs whose job started but did not finish successfully (in any run).
    public func incompletePaths() throws -> Set<String> {
        try locked {
            let query = try statement("SELECT path FROM incomplete")
            query.reset()
            defer { query.reset() }
            var paths = Set<String>()
            while try query.step() { paths.insert(query.string(0)) }
            return paths
        }
    }

    /// Incomplete outputs with the run that marked them.
    public func incompleteMarkers() throws -> [String: String] {
        try locked {
            let query = try statement("SELECT path, run_id FROM incomplete")
            query.reset()
            defer { query.reset() }
            var markers: [String: String] = [:]
            while try query.step() { markers[query.string(0)] = query.string(1) }
            return markers
        }
    }

    // MARK: runs

    /// Runs, oldest first; `limit` keeps only the most recent ones.
    public func runs(limit: Int? = nil) throws -> [RunRecord] {
        try locked {
            let query = try statement("""
                SELECT id, start_time, end_time, status, pid, host, command FROM
                    (SELECT * FROM runs ORDER BY start_time DESC LIMIT ?) ORDER BY start_time
                """)
            query.reset()
            defer { query.reset() }
            try query.bind(1, limit ?? -1)
            var runs: [RunRecord] = []
            while try query.step() {
                runs.append(RunRecord(
                    id: query.string(0), startTime: query.double(1), endTime: query.optionalDouble(2),
                    status: RunRecord.Status(rawValue: query.string(3)) ?? .interrupted,
                    pid: query.int(4), host: query.string(5), command: query.optionalString(6)))
            }
            return runs
        }
    }

    public func run(id: String) throws -> RunRecord? {
        try runs().first { $0.id == id }
    }

    // MARK: external job ids

    /// External jobs, optionally only one executor's and only those still submitted/running
    /// (what a restarted flow adopts).
    public func externalJobs(executor: String? = nil, activeOnly: Bool = true) throws -> [ExternalJob] {
        try locked {
            let query = try statement("""
                SELECT executor, external_id, run_id, job_key, attempt, state, submitted_at, updated_at
                FROM external_jobs WHERE (?1 IS NULL OR executor = ?1)
                ORDER BY submitted_at, executor, external_id
                """)
            query.reset()
            defer { query.reset() }
            try query.bind(1, executor)
            var jobs: [ExternalJob] = []
            while try query.step() {
                let job = ExternalJob(
                    executor: query.string(0), externalID: query.string(1), runID: query.string(2),
                    jobKey: query.string(3), attempt: query.int(4),
                    state: ExternalJob.State(rawValue: query.string(5)) ?? .failed,
                    submittedAt: query.double(6), updatedAt: query.double(7))
                if !activeOnly || job.state.isActive { jobs.append(job) }
            }
            return jobs
        }
    }

    // MARK: local process groups

    /// The process groups recorded for `runID` (every run's when nil).
    public func processGroups(runID: String? = nil) throws -> [ProcessGroupRecord] {
        try locked {
            let query = try statement("""
                SELECT run_id, pgid, start_ticks, job_key, started_at FROM process_groups
                WHERE (?1 IS NULL OR run_id = ?1) ORDER BY started_at, pgid
                """)
            query.reset()
            defer { query.reset() }
            try query.bind(1, runID)
            var groups: [ProcessGroupRecord] = []
            while try query.step() {
                groups.append(ProcessGroupRecord(
                    runID: query.string(0), pgid: query.int(1),
                    startTicks: query.optionalInt(2).map { UInt64(truncatingIfNeeded: $0) },
                    jobKey: query.string(3), startedAt: query.double(4)))
            }
            return groups
        }
    }
}
