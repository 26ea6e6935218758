// Shell quoting (the one implementation, matching Python's shlex.quote) and the shared file
// operations (atomic writes, copies that keep mtimes, removal of write-protected trees).

import FlowSystem
import Foundation
import XCTest

final class SystemTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-system-\(UUID().uuidString)"
        try LocalFiles.makeDirectories(dir)
    }

    override func tearDownWithError() throws { try LocalFiles.remove(dir) }

    func testShellQuoteMatchesPythonShlexQuote() throws {
        let samples = ["abc/def.txt", "", "a b", "$HOME", "it's", "x=1,y@z%:+", "tab\there", "new\nline", "é", "*.txt", "~user"]
        for s in samples {
            XCTAssertEqual(ShellQuote.quote(s), try python("import shlex, sys; sys.stdout.write(shlex.quote(sys.argv[1]))", s), s)
        }
        // And bash reads every quoted word back as the original text.
        for s in samples where !s.isEmpty {
            XCTAssertEqual(try bash("printf %s " + ShellQuote.quote(s)), s)
        }
    }

    func testCopyKeepsModificationTimeAndWritesWholeFiles() throws {
        try LocalFiles.writeAtomically("data", to: dir + "/a/src")
        LocalFiles.setMtime(dir + "/a/src", seconds: 1_000_000_000.25)
        try LocalFiles.copy(dir + "/a", to: dir + "/b")
        var info = stat()
        XCTAssertEqual(stat(dir + "/b/src", &info), 0)
        XCTAssertEqual(info.st_mtim.tv_sec, 1_000_000_000)
        XCTAssertEqual(try LocalFiles.read(dir + "/b/src"), Array("data".utf8))
        XCTAssertEqual(try LocalFiles.entries(of: dir + "/b"), ["src"], "no temporary file is left beside a copy")
        XCTAssertThrowsError(try LocalFiles.copy(dir + "/missing", to: dir + "/c")) { error in
            XCTAssertEqual("\(error)", "cannot copy \(dir)/missing: No such file or directory")
        }
    }

    func testRemoveWriteProtectedTrees() throws {
        try LocalFiles.writeAtomically("x", to: dir + "/p/q/r")
        chmod(dir + "/p/q/r", 0o444)
        chmod(dir + "/p/q", 0o555)
        try LocalFiles.remove(dir + "/p")
        XCTAssertFalse(LocalFiles.exists(dir + "/p"))
        try LocalFiles.remove(dir + "/p")   // gone already: fine
    }

    private func python(_ code: String, _ argument: String) throws -> String {
        try output("/usr/bin/env", ["python3", "-c", code, argument])
    }

    private func bash(_ command: String) throws -> String { try output("/bin/bash", ["-c", command]) }

    private func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

final class JSONWriterTests: XCTestCase {
    func testWritesWhatJSONSerializationReadsBack() throws {
        let text = #"{"b":0,"a":true,"c":1,"d":1.5,"e":[false,null,"x\"y\\z\n\u0001é"],"f":{"g":-3}}"#
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        // 0 and 1 stay numbers (PiCaS `lock: 0`), true stays a boolean, keys come sorted.
        XCTAssertEqual(try JSONWriter.string(parsed),
                       #"{"a":true,"b":0,"c":1,"d":1.5,"e":[false,null,"x\"y\\z\n\u0001é"],"f":{"g":-3}}"#)
        let native: [String: Any] = ["lock": 0, "done": true, "n": Int64(7), "x": 2.0, "list": ["a", 1], "empty": [String: Any]()]
        XCTAssertEqual(try JSONWriter.string(native), #"{"done":true,"empty":{},"list":["a",1],"lock":0,"n":7,"x":2}"#)
        let back = try JSONSerialization.jsonObject(with: try JSONWriter.data(native)) as? [String: Any]
        XCTAssertEqual(back?["lock"] as? Int, 0)
        XCTAssertThrowsError(try JSONWriter.data(["when": Date()]))
        XCTAssertThrowsError(try JSONWriter.data(Double.nan))
    }
}
