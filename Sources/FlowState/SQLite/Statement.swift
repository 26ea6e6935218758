// Statement: a prepared SQLite statement with typed binds and column reads. Owned by the caller;
// reuse it (reset, bind, step) for every row of a batch, which is what makes batched writes
// and bulk loads cheap.
import CSQLite
import Foundation

/// SQLITE_TRANSIENT: SQLite copies the bytes during the bind, so Swift's temporary buffers
/// may die right after the call.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

public final class Statement {
    let database: Database
    let handle: OpaquePointer
    let sql: String

    init(database: Database, sql: String) throws {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw database.error(rc, "preparing \(Database.brief(sql))")
        }
        self.database = database
        self.handle = statement
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: binding (1-based indices, as in SQLite)

    public func bind(_ index: Int32, _ value: Int) throws { try check(sqlite3_bind_int64(handle, index, Int64(value))) }
    public func bind(_ index: Int32, _ value: Int64) throws { try check(sqlite3_bind_int64(handle, index, value)) }
    public func bind(_ index: Int32, _ value: Double) throws { try check(sqlite3_bind_double(handle, index, value)) }
    public func bindNull(_ index: Int32) throws { try check(sqlite3_bind_null(handle, index)) }

    public func bind(_ index: Int32, _ value: String) throws {
        var value = value
        try value.withUTF8 { bytes in
            let text = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            try check(sqlite3_bind_text(handle, index, text.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient))
        }
    }

    public func bind(_ index: Int32, _ value: Data) throws {
        try value.withUnsafeBytes { bytes in
            // A nil base address would bind NULL; an empty blob must stay an empty blob.
            try check(sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), transient))
        }
    }

    /// A string's UTF-8 bytes as a BLOB: for text that may contain NUL bytes (joined path
    /// lists), which SQLite's text functions would treat as terminators.
    func bindBlob(_ index: Int32, utf8 value: String) throws {
        var value = value
        try value.withUTF8 { bytes in
            try check(sqlite3_bind_blob(handle, index, bytes.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), transient))
        }
    }

    public func bind(_ index: Int32, _ value: Int?) throws { if let value { try bind(index, value) } else { try bindNull(index) } }
    public func bind(_ index: Int32, _ value: Int64?) throws { if let value { try bind(index, value) } else { try bindNull(index) } }
    public func bind(_ index: Int32, _ value: Double?) throws { if let value { try bind(index, value) } else { try bindNull(index) } }
    public func bind(_ index: Int32, _ value: String?) throws { if let value { try bind(index, value) } else { try bindNull(index) } }
    public func bind(_ index: Int32, _ value: Data?) throws { if let value { try bind(index, value) } else { try bindNull(index) } }

    // MARK: stepping

    /// Advances to the next row; false when the statement is done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw database.error(rc, "running \(Database.brief(sql))")
    }

    /// Clears the previous run and its bindings so the statement can be bound and run again.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// reset + bind (via `binder`) + step to completion: one write.
    public func run(_ binder: (Statement) throws -> Void = { _ in }) throws {
        reset()
        try binder(self)
        while try step() {}
    }

    // MARK: columns (0-based indices, as in SQLite)

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// Text as a String, "" for NULL. Reads the byte count instead of scanning for the NUL
    /// terminator: this accessor runs ~10 times per row of a 100k-row bulk load.
    public func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func data(_ column: Int32) -> Data {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: count)
    }

    public func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
    public func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    public func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    /// Raw text bytes of a column, valid until the next step/reset: lets bulk loaders compare
    /// with a previous row's value without building a String.
    func withTextBytes<R>(_ column: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let text = sqlite3_column_text(handle, column)  // before _bytes: it may convert the value
        let count = Int(sqlite3_column_bytes(handle, column))
        return body(UnsafeRawBufferPointer(start: text.map(UnsafeRawPointer.init), count: text == nil ? 0 : count))
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw database.error(rc, "binding a value for \(Database.brief(sql))") }
    }
}
