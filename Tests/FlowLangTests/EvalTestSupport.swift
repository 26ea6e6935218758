// Shared harness for the evaluator tests: runs Python source through parser + interpreter and
// returns what it printed, so each case compares against CPython's output for the same snippet.

import XCTest
import FlowSyntax
@testable import FlowLang

/// Runs `source` as a module and returns everything `print` wrote.
func runPython(_ source: String, interpreter: Interpreter = Interpreter(), path: String = "test.py") throws -> String {
    var output = ""
    interpreter.standardOutput = { output += $0 }
    let file = SourceFile(path: path, text: source)
    try interpreter.execute(try parseModule(file))
    return output
}

extension XCTestCase {
    /// Each (source, expected print output) pair must match; failures name the snippet.
    func checkOutputs(_ cases: [(String, String)], file: StaticString = #filePath, line: UInt = #line) {
        for (source, expected) in cases {
            do {
                let got = try runPython(source)
                XCTAssertEqual(got, expected, "snippet:\n\(source)", file: file, line: line)
            } catch {
                XCTFail("snippet raised \(error):\n\(source)", file: file, line: line)
            }
        }
    }
}
