// SQLite: one connection to one database file, the only place that opens, configures and closes
// libsqlite3 handles. Knows nothing about flow's tables; StateStore builds on `execute`,
// `prepare` and `transaction`.
//
// A Database is not thread-safe by itself (the handle is opened NOMUTEX because every caller
// already serialises access: StateStore holds its own lock).
import CSQLite

public final class Database {
    public let path: String
    let handle: OpaquePointer
    private var transactionDepth = 0
    /// Transactions committed through `transaction` on this connection: lets the scheduler's
    /// benchmarks (and tests) check that batching really costs a few commits.
    public private(set) var commitCount = 0

    /// Opens (creating if needed) `path` in WAL mode with synchronous=NORMAL: a commit survives
    /// the process being killed at any moment (only a power loss can drop the last commits, and
    /// even then the file stays consistent). `busyTimeout` covers a second connection (for
    /// example `flow --summary` reading while a run writes).
    public init(path: String, busyTimeout milliseconds: Int32 = 10_000, readOnly: Bool = false) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw StateError.sqlite(path: path, code: rc, message: message, operation: "opening")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, milliseconds)
        do {
            // journal_mode is the first statement that reads the file header, so a garbage file
            // fails here with SQLITE_NOTADB rather than later in the middle of a run.
            if !readOnly { try execute("PRAGMA journal_mode=WAL") }
            try execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY")
            // Bulk loads of 100k rows read the whole file; mmap avoids a copy per page.
            try execute("PRAGMA mmap_size=268435456; PRAGMA cache_size=-32768")
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
    }

    deinit {
        // close_v2 defers the close until every Statement still alive is finalized.
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows the caller needs.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorMessage)
            throw StateError.sqlite(path: path, code: rc, message: message, operation: "running \(Self.brief(sql))")
        }
    }

    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// BEGIN IMMEDIATE ... COMMIT around `body`; ROLLBACK when it throws. IMMEDIATE takes the
    /// write lock up front, so a busy database fails (after the busy timeout) before any work
    /// rather than at COMMIT. Nested calls join the outer transaction.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try execute("COMMIT")
            commitCount += 1
            return result
        } catch {
            // The original error matters more than a failed rollback (SQLite may already have
            // rolled back on its own, e.g. after SQLITE_FULL).
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs several reads as one read transaction: one consistent snapshot, and one WAL read
    /// lock instead of one per statement (two fcntl calls each, which dominate 100k point
    /// lookups). Inside another transaction it simply joins it.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        try execute("BEGIN DEFERRED")
        transactionDepth = 1
        defer {
            transactionDepth = 0
            try? execute("COMMIT")
        }
        return try body()
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func error(_ rc: Int32, _ operation: String) -> StateError {
        .sqlite(path: path, code: rc, message: String(cString: sqlite3_errmsg(handle)), operation: operation)
    }

    /// First line of a statement, short enough for an error message.
    static func brief(_ sql: String) -> String {
        let line = sql.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? sql
        return line.count > 80 ? String(line.prefix(77)) + "..." : line
    }
}
