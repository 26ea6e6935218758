// SQLiteTests: the Database/Statement wrapper on its own: typed binds and reads, transactions,
// and errors that name the file.
import Foundation
import XCTest
@testable import FlowState

final class SQLiteTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try makeWorkdir() }
    override func tearDown() { removeWorkdir(dir) }

    func testOpensInWALMode() throws {
        let db = try Database(path: dir + "/t.db")
        let query = try db.prepare("PRAGMA journal_mode")
        XCTAssertTrue(try query.step())
        XCTAssertEqual(query.string(0), "wal")
        let sync = try db.prepare("PRAGMA synchronous")
        XCTAssertTrue(try sync.step())
        XCTAssertEqual(sync.int(0), 1)  // NORMAL
    }

    func testTypedBindAndColumnRoundTrip() throws {
        let db = try Database(path: dir + "/t.db")
        try db.execute("CREATE TABLE t (i INTEGER, j INTEGER, d REAL, s TEXT, b BLOB, n TEXT)")
        let insert = try db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)")
        let blob = Data([0, 1, 2, 255])
        try insert.run {
            try $0.bind(1, 42)
            try $0.bind(2, Int64.max)
            try $0.bind(3, 3.25)
            try $0.bind(4, "héllo\u{1F40D}")
            try $0.bind(5, blob)
            try $0.bind(6, nil as String?)
        }
        try insert.run {
            try $0.bind(1, nil as Int?)
            try $0.bind(2, Int64(-1))
            try $0.bind(3, nil as Double?)
            try $0.bind(4, "")
            try $0.bind(5, Data())
            try $0.bind(6, "x" as String?)
        }
        let query = try db.prepare("SELECT i, j, d, s, b, n FROM t ORDER BY rowid")
        XCTAssertTrue(try query.step())
        XCTAssertEqual(query.int(0), 42)
        XCTAssertEqual(query.int64(1), Int64.max)
        XCTAssertEqual(query.double(2), 3.25)
        XCTAssertEqual(query.string(3), "héllo\u{1F40D}")
        XCTAssertEqual(query.data(4), blob)
        XCTAssertNil(query.optionalString(5))
        XCTAssertTrue(try query.step())
        XCTAssertNil(query.optionalInt(0))
        XCTAssertNil(query.optionalDouble(2))
        XCTAssertEqual(query.string(3), "")
        XCTAssertFalse(query.isNull(4), "an empty blob stays a blob, not NULL")
        XCTAssertEqual(query.data(4), Data())
        XCTAssertEqual(query.optionalString(5), "x")
        XCTAssertFalse(try query.step())
    }

    func testTransactionCommitsAndRollsBackOnThrow() throws {
        struct Boom: Error {}
        let db = try Database(path: dir + "/t.db")
        try db.execute("CREATE TABLE t (v INTEGER)")
        try db.transaction { try db.execute("INSERT INTO t VALUES (1)") }
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO t VALUES (2)")
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        // Nested transactions join the outer one.
        try db.transaction {
            try db.transaction { try db.execute("INSERT INTO t VALUES (3)") }
        }
        let query = try db.prepare("SELECT group_concat(v) FROM t")
        XCTAssertTrue(try query.step())
        XCTAssertEqual(query.string(0), "1,3")
    }

    func testSQLErrorNamesDatabaseAndMessage() throws {
        let path = dir + "/t.db"
        let db = try Database(path: path)
        XCTAssertThrowsError(try db.execute("SELECT * FROM no_such_table")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains(path), text)
            XCTAssertTrue(text.contains("no such table: no_such_table"), text)
        }
        XCTAssertThrowsError(try db.prepare("SELEC 1")) { error in
            XCTAssertTrue(String(describing: error).contains("syntax error"), "\(error)")
        }
    }

    func testOpeningMissingDirectoryFailsWithPath() {
        let path = dir + "/missing/dir/t.db"
        XCTAssertThrowsError(try Database(path: path)) { error in
            XCTAssertTrue(String(describing: error).contains(path), "\(error)")
        }
    }
}
