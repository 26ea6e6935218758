// Schema: the tables of .flow/state.db and the migrations between versions. The only file that
// writes DDL. The version lives in the `meta` table (key 'schema_version'); every migration
// runs in the same transaction as the version bump, so a crash mid-migration leaves the old
// schema intact.

enum Schema {
    /// Migration N (1-based) takes the database from version N-1 to N. Append, never edit.
    static let migrations: [String] = [
        // 1: initial schema.
        """
        -- Strings that repeat across many jobs (rule names, code and environment hashes, hosts,
        -- run ids), stored once. Rows are never deleted, so an id stays valid for every reader.
        CREATE TABLE texts (
            id    INTEGER PRIMARY KEY,
            value TEXT    NOT NULL UNIQUE
        );

        -- One row per job that produced at least one recorded output. Jobs are shared by their
        -- outputs (a job with 3 outputs stores its input list once); the triggers below delete
        -- a job when its last output is re-recorded or removed. *_text columns are texts ids.
        CREATE TABLE jobs (
            id                     INTEGER PRIMARY KEY,
            rule_text              INTEGER NOT NULL,
            job_key                TEXT    NOT NULL,
            params_hash            TEXT    NOT NULL, -- often per job (params with wildcards): inline
            code_hash_text         INTEGER NOT NULL,
            software_env_hash_text INTEGER NOT NULL,
            inputs                 BLOB    NOT NULL, -- sorted unique input paths joined by NUL bytes
            shell_command          TEXT,             -- NULL for script:/run: jobs
            start_time             REAL    NOT NULL, -- Unix seconds
            end_time               REAL    NOT NULL,
            exit_status            INTEGER NOT NULL,
            host_text              INTEGER NOT NULL,
            run_id_text            INTEGER           -- NULL when recorded outside a run
        );
        CREATE TABLE outputs (
            path   TEXT    PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id),
            mtime  REAL               -- the output's mtime when its job completed
        ) WITHOUT ROWID;
        -- (job_id, mtime) plus the implicit path makes the bulk load a covering index scan.
        CREATE INDEX outputs_by_job ON outputs(job_id, mtime);
        CREATE TRIGGER outputs_release_job_on_update AFTER UPDATE OF job_id ON outputs
            WHEN NOT EXISTS (SELECT 1 FROM outputs WHERE job_id = OLD.job_id)
            BEGIN DELETE FROM jobs WHERE id = OLD.job_id; END;
        CREATE TRIGGER outputs_release_job_on_delete AFTER DELETE ON outputs
            WHEN NOT EXISTS (SELECT 1 FROM outputs WHERE job_id = OLD.job_id)
            BEGIN DELETE FROM jobs WHERE id = OLD.job_id; END;

        -- Outputs of jobs that started but have not finished successfully. Written (and
        -- committed) before a job starts, cleared when it succeeds.
        CREATE TABLE incomplete (
            path      TEXT PRIMARY KEY,
            run_id    TEXT NOT NULL,
            marked_at REAL NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE runs (
            id         TEXT    PRIMARY KEY,
            start_time REAL    NOT NULL,
            end_time   REAL,
            status     TEXT    NOT NULL, -- running | succeeded | failed | interrupted
            pid        INTEGER NOT NULL,
            host       TEXT    NOT NULL,
            command    TEXT
        ) WITHOUT ROWID;

        CREATE TABLE external_jobs (
            executor     TEXT    NOT NULL,
            external_id  TEXT    NOT NULL,
            run_id       TEXT    NOT NULL,
            job_key      TEXT    NOT NULL,
            attempt      INTEGER NOT NULL,
            state        TEXT    NOT NULL, -- submitted | running | succeeded | failed | cancelled
            submitted_at REAL    NOT NULL,
            updated_at   REAL    NOT NULL,
            PRIMARY KEY (executor, external_id)
        ) WITHOUT ROWID;
        CREATE INDEX external_jobs_by_key ON external_jobs(job_key);
        """,
        // 2: run history for `flow history` / `flow status` and the report's timeline: every attempt
        // of every job a run started, and how many jobs per rule the run planned.
        """
        CREATE TABLE run_jobs (
            run_id      TEXT    NOT NULL,
            jobid       INTEGER NOT NULL, -- the job's number in that run (as printed)
            attempt     INTEGER NOT NULL,
            rule        TEXT    NOT NULL,
            wildcards   TEXT    NOT NULL, -- "name=value,name=value"
            reason      TEXT    NOT NULL,
            state       TEXT    NOT NULL, -- running | succeeded | failed | cancelled
            executor    TEXT,
            external_id TEXT,
            host        TEXT,
            start_time  REAL    NOT NULL,
            end_time    REAL,
            exit_status INTEGER,
            message     TEXT,             -- why a failed attempt failed
            PRIMARY KEY (run_id, jobid, attempt)
        ) WITHOUT ROWID;
        CREATE TABLE run_plans (
            run_id TEXT    NOT NULL,
            rule   TEXT    NOT NULL,
            jobs   INTEGER NOT NULL,
            PRIMARY KEY (run_id, rule)
        ) WITHOUT ROWID;
        """,
        // 3: process groups of running local jobs, so a run that finds its predecessor killed
        // can end that run's orphaned jobs before it reruns them.
        """
        CREATE TABLE process_groups (
            run_id      TEXT    NOT NULL,
            pgid        INTEGER NOT NULL, -- the job's process group (= its first process's pid)
            start_ticks INTEGER,          -- that process's start time, to tell a reused pid
            job_key     TEXT    NOT NULL,
            started_at  REAL    NOT NULL,
            PRIMARY KEY (run_id, pgid)
        ) WITHOUT ROWID;
        """,
    ]

    static var currentVersion: Int { migrations.count }

    /// Creates or upgrades the schema of `db`. Fails on a database from a newer flow.
    static func migrate(_ db: Database) throws {
        try db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        let found = try version(db)
        if found > currentVersion {
            throw StateError.schemaTooNew(path: db.path, found: found, supported: currentVersion)
        }
        guard found < currentVersion else { return }
        try db.transaction {
            // Re-read inside the write lock: another process may have migrated meanwhile.
            let start = try version(db)
            for index in start..<currentVersion {
                try db.execute(migrations[index])
            }
            let set = try db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', ?)")
            try set.run { try $0.bind(1, String(currentVersion)) }
        }
    }

    static func version(_ db: Database) throws -> Int {
        let query = try db.prepare("SELECT value FROM meta WHERE key = 'schema_version'")
        return try query.step() ? Int(query.string(0)) ?? 0 : 0
    }
}
