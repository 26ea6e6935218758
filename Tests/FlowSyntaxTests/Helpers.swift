// Shared helpers for parser tests: parse text and print the result as an S-expression or as the
// `line:col: message` of the diagnostic it raises.
import XCTest
@testable import FlowSyntax

func parseExpr(_ text: String) throws -> String {
    sexp(try parseExpression(text, file: SourceFile(path: "<test>", text: text)))
}

func parse(_ text: String) throws -> String {
    sexp(try parseModule(SourceFile(path: "<test>", text: text)).body)
}

func parseModuleBody(_ text: String) throws -> [Stmt] {
    try parseModule(SourceFile(path: "<test>", text: text)).body
}

/// `line:col: message` of the diagnostic parsing `text` raises, or "no error".
func parseError(_ text: String) -> String {
    do {
        _ = try parseModule(SourceFile(path: "<test>", text: text))
        return "no error"
    } catch let d as Diagnostic {
        return "\(d.location): \(d.message)"
    } catch {
        return "non-diagnostic error \(error)"
    }
}

/// Asserts each (source, expected dump) pair, reporting the failing source.
func assertTable(_ table: [(String, String)], _ parse: (String) throws -> String,
                 file: StaticString = #filePath, line: UInt = #line) {
    for (source, expected) in table {
        do {
            let got = try parse(source)
            XCTAssertEqual(got, expected, "source: \(source.debugDescription)", file: file, line: line)
        } catch {
            XCTFail("source: \(source.debugDescription) threw \(error)", file: file, line: line)
        }
    }
}
