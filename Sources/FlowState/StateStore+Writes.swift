// StateStore+Writes: the SQL that applies each WriteBatch operation. Runs inside the batch's
// transaction with the store's mutex held (see StateStore.apply).

extension StateStore {
    func apply(_ operation: WriteBatch.Operation) throws {
        switch operation {
        case let .record(outputs, mtimes, meta):
            try insertRecord(outputs: outputs, mtimes: mtimes, meta: meta)
        case let .remove(paths):
            // The delete trigger drops a job row once its last output is gone.
            let delete = try statement("DELETE FROM outputs WHERE path = ?")
            for path in paths { try delete.run { try $0.bind(1, path) } }
        case let .markIncomplete(paths, runID, time):
            let insert = try statement("INSERT OR REPLACE INTO incomplete(path, run_id, marked_at) VALUES (?, ?, ?)")
            for path in paths {
                try insert.run {
                    try $0.bind(1, path)
                    try $0.bind(2, runID)
                    try $0.bind(3, time)
                }
            }
        case let .clearIncomplete(paths):
            let delete = try statement("DELETE FROM incomplete WHERE path = ?")
            for path in paths { try delete.run { try $0.bind(1, path) } }
        case let .beginRun(run):
            let insert = try statement("""
                INSERT OR REPLACE INTO runs(id, start_time, end_time, status, pid, host, command)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            try insert.run {
                try $0.bind(1, run.id)
                try $0.bind(2, run.startTime)
                try $0.bind(3, run.endTime)
                try $0.bind(4, run.status.rawValue)
                try $0.bind(5, run.pid)
                try $0.bind(6, run.host)
                try $0.bind(7, run.command)
            }
        case let .endRun(id, status, time):
            let update = try statement("UPDATE runs SET status = ?, end_time = ? WHERE id = ?")
            try update.run {
                try $0.bind(1, status.rawValue)
                try $0.bind(2, time)
                try $0.bind(3, id)
            }
        case let .putExternalJob(job):
            let insert = try statement("""
                INSERT OR REPLACE INTO external_jobs
                    (executor, external_id, run_id, job_key, attempt, state, submitted_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try insert.run {
                try $0.bind(1, job.executor)
                try $0.bind(2, job.externalID)
                try $0.bind(3, job.runID)
                try $0.bind(4, job.jobKey)
                try $0.bind(5, job.attempt)
                try $0.bind(6, job.state.rawValue)
                try $0.bind(7, job.submittedAt)
                try $0.bind(8, job.updatedAt)
            }
        case let .updateExternalJob(executor, externalID, state, time):
            let update = try statement(
                "UPDATE external_jobs SET state = ?, updated_at = ? WHERE executor = ? AND external_id = ?")
            try update.run {
                try $0.bind(1, state.rawValue)
                try $0.bind(2, time)
                try $0.bind(3, executor)
                try $0.bind(4, externalID)
            }
        case let .deleteExternalJob(executor, externalID):
            let delete = try statement("DELETE FROM external_jobs WHERE executor = ? AND external_id = ?")
            try delete.run {
                try $0.bind(1, executor)
                try $0.bind(2, externalID)
            }
        case let .putRunJob(job):
            try insertRunJob(job)
        case let .putRunPlan(runID, counts):
            let insert = try statement("INSERT OR REPLACE INTO run_plans(run_id, rule, jobs) VALUES (?, ?, ?)")
            for count in counts {
                try insert.run {
                    try $0.bind(1, runID)
                    try $0.bind(2, count.rule)
                    try $0.bind(3, count.jobs)
                }
            }
        case let .putProcessGroup(group):
            let insert = try statement("""
                INSERT OR REPLACE INTO process_groups (run_id, pgid, start_ticks, job_key, started_at)
                VALUES (?, ?, ?, ?, ?)
                """)
            try insert.run {
                try $0.bind(1, group.runID)
                try $0.bind(2, group.pgid)
                try $0.bind(3, group.startTicks.map { Int(truncatingIfNeeded: $0) })
                try $0.bind(4, group.jobKey)
                try $0.bind(5, group.startedAt)
            }
        case let .deleteProcessGroup(runID, pgid):
            let delete = try statement("DELETE FROM process_groups WHERE run_id = ? AND pgid = ?")
            try delete.run {
                try $0.bind(1, runID)
                try $0.bind(2, pgid)
            }
        case let .deleteProcessGroups(runID):
            let delete = try statement("DELETE FROM process_groups WHERE run_id = ?")
            try delete.run { try $0.bind(1, runID) }
        }
    }

    /// One jobs row shared by all of the job's outputs; re-pointing an output at the new row
    /// fires the trigger that deletes the previous job once nothing refers to it.
    private func insertRecord(outputs: [String], mtimes: [Double?]?, meta: JobRecord) throws {
        guard !outputs.isEmpty else { return }
        let insertJob = try statement("""
            INSERT INTO jobs (rule_text, job_key, params_hash, code_hash_text, software_env_hash_text,
                              inputs, shell_command, start_time, end_time, exit_status, host_text, run_id_text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let rule = try textID(meta.rule)
        let codeHash = try textID(meta.codeHash)
        let envHash = try textID(meta.softwareEnvHash)
        let host = try textID(meta.host)
        let runID = try meta.runID.map(textID)
        try insertJob.run {
            try $0.bind(1, rule)
            try $0.bind(2, meta.jobKey)
            try $0.bind(3, meta.paramsHash)
            try $0.bind(4, codeHash)
            try $0.bind(5, envHash)
            try $0.bindBlob(6, utf8: meta.inputs.joined)
            try $0.bind(7, meta.shellCommand)
            try $0.bind(8, meta.startTime)
            try $0.bind(9, meta.endTime)
            try $0.bind(10, meta.exitStatus)
            try $0.bind(11, host)
            try $0.bind(12, runID)
        }
        let jobID = db.lastInsertRowID
        let upsert = try statement("""
            INSERT INTO outputs (path, job_id, mtime) VALUES (?, ?, ?)
            ON CONFLICT(path) DO UPDATE SET job_id = excluded.job_id, mtime = excluded.mtime
            """)
        for (index, path) in outputs.enumerated() {
            try upsert.run {
                try $0.bind(1, path)
                try $0.bind(2, jobID)
                try $0.bind(3, mtimes.map { $0[index] } ?? meta.outputMtime)
            }
        }
    }
}
