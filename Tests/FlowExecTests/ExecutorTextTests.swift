// Tests for the text every back end reads alike: `runtime` strings in all their forms, trimming
// and wait statuses.

import XCTest
@testable import FlowExec

final class ExecutorTextTests: XCTestCase {
    func testRuntimeStrings() {
        let cases: [(String, Int?)] = [
            ("30", 1800), ("0.5", 30), ("2h", 7200), ("30m", 1800), ("1h30m", 5400), ("1.5 hours", 5400),
            ("90s", 90), ("2d", 172_800), ("1 week", 604_800), ("05:30", 330), ("1:00:00", 3600),
            ("2-12", 216_000), ("2-12:30", 217_800), ("1-00:00:01", 86401), ("", nil), ("h", nil),
            ("2x", nil), ("1:2:3:4", nil), ("-5", nil), ("inf", nil), ("nan", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(ExecutorText.runtimeSeconds(text), expected, text)
        }
    }

    func testTrimAndWaitStatuses() {
        XCTAssertEqual(ExecutorText.trim(" \t x y \r\n"), "x y")
        XCTAssertEqual(ExecutorText.trim(" \n"), "")
        XCTAssertEqual(ExecutorText.shellStatus(waitStatus: 7 << 8), 7)
        XCTAssertEqual(ExecutorText.shellStatus(waitStatus: 9), 137)
        XCTAssertEqual(ExecutorText.shellStatus(waitStatus: 0), 0)
    }
}
