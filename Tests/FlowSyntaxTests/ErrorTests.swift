// Diagnostics: every error has a precise line:column, and hostile input never traps.
import Foundation
import XCTest
@testable import FlowSyntax

final class ErrorTests: XCTestCase {
    func testPositions() {
        assertTable([
            ("x = (1,\n2", "1:5: '(' was never closed"),
            ("x = [1, 2)", "1:10: closing parenthesis ')' does not match opening parenthesis '['"),
            ("x = 1)", "1:6: unmatched ')'"),
            ("  x = 1", "1:3: unexpected indent"),
            ("x = 1\n    y = 2", "2:5: unexpected indent"),
            ("if x:\n        a\n    b", "3:5: unindent does not match any outer indentation level"),
            ("if x:\npass", "2:1: expected an indented block"),
            ("if x\n    pass", "1:5: expected ':'"),
            ("def f(:): pass", "1:7: expected parameter name"),
            ("x = = 1", "1:5: invalid syntax"),
            ("x = 1 +", "1:8: invalid syntax"),
            ("f() = 1", "1:1: cannot assign to function call"),
            ("'a' = 1", "1:1: cannot assign to literal"),
            ("a + b = 1", "1:1: cannot assign to expression"),
            ("a, b += 1", "1:1: 'tuple' is an illegal expression for augmented assignment"),
            ("x = $", "1:5: invalid character '$'"),
            ("x = 1 \\ y", "1:7: unexpected character after line continuation character"),
            ("x = 0777", "1:5: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"),
            ("x = 99999999999999999999999", "1:5: integer literal too large"),
            ("x = 1abc", "1:5: invalid decimal literal"),
            ("x = 0x", "1:5: invalid number literal"),
            ("f(x for x in y, 1)", "1:3: Generator expression must be parenthesized"),
            ("f(a=1, b)", "1:8: positional argument follows keyword argument"),
            ("def f(a=1, b): pass", "1:12: non-default argument follows default argument"),
            ("def f(a, a): pass", "1:10: duplicate argument 'a' in function definition"),
            ("try:\n    x\ny", "3:1: expected 'except' or 'finally' block"),
            ("if x = 1:\n    pass", "1:6: expected ':'"),
            ("a b", "1:3: invalid syntax"),
            ("x = (a for a in b if c else d)", "1:24: expected ')'"),
            ("class", "1:6: expected class name"),
            ("x = '\\", "1:5: unterminated string literal"),
            ("x = 1 \\", "1:7: unexpected EOF after line continuation character"),
            ("é = 1\nx = (", "2:5: '(' was never closed"),
            ("x = 'é' $", "1:9: invalid character '$'"),
        ], { source in parseError(source) })
    }

    func testDiagnosticFormat() {
        do {
            _ = try parseModule(SourceFile(path: "Snakefile", text: "rule a:\n    inptu: 'x'\n"))
            XCTFail("expected an error")
        } catch let d as Diagnostic {
            XCTAssertEqual(d.description, "Snakefile:2:5: unknown directive 'inptu' in rule 'a'; did you mean 'input'?\n        inptu: 'x'\n        ^")
            XCTAssertEqual(d.file?.path, "Snakefile")
        } catch {
            XCTFail("\(error)")
        }
    }

    func testDeepNestingIsDiagnosed() {
        let deep = String(repeating: "(", count: 10_000) + String(repeating: ")", count: 10_000)
        XCTAssertTrue(parseError("x = " + deep).hasSuffix("too deeply nested"))
        XCTAssertTrue(parseError("x = " + String(repeating: "-", count: 10_000) + "1").hasSuffix("too deeply nested"))
        XCTAssertTrue(parseError("x = " + String(repeating: "not ", count: 10_000) + "1").hasSuffix("too deeply nested"))
        XCTAssertTrue(parseError("x = " + String(repeating: "[", count: 10_000)).contains("never closed"))
        XCTAssertTrue(parseError("x = " + String(repeating: "2**", count: 10_000) + "1").hasSuffix("too deeply nested"))
        XCTAssertTrue(parseError("x = " + String(repeating: "lambda: ", count: 10_000) + "1").hasSuffix("too deeply nested"))
        XCTAssertTrue(parseError("x = " + String(repeating: "a if b else ", count: 10_000) + "1").hasSuffix("too deeply nested"))
        var chain = "if a:\n    pass\n"
        for _ in 0..<20_000 { chain += "elif b:\n    pass\n" }
        XCTAssertEqual(parseError(chain + "else:\n    pass\n"), "no error")  // elif chains do not recurse
        var blocks = ""
        for level in 0..<300 { blocks += String(repeating: " ", count: level) + "if x:\n" }
        blocks += String(repeating: " ", count: 300) + "pass\n"
        XCTAssertNotEqual(parseError(blocks), "no error")
        // Moderate nesting is fine.
        XCTAssertEqual(parseError("x = " + String(repeating: "(", count: 90) + "1" + String(repeating: ")", count: 90)), "no error")
    }

    func testGarbageNeverTraps() {
        // Deterministic pseudo-random mutations of a representative Snakefile; any outcome but a
        // crash is acceptable, and every failure must be a Diagnostic with a position.
        let base = Array("""
        import os
        configfile: "config.yaml"
        rule a:
            '''doc'''
            input: f"{x!r:>{w}}", b=[1, 2][::2], c=lambda w: {**d}
            output:
                "o", # c
            run:
                for i in range(3):
                    print(i if i else -i**2)
        use rule a from m as b_* with:
            threads: 2
        """.utf8)
        let alphabet = Array("()[]{}:'\"\\\n\t #=,.*fr{}!@".utf8)
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Int {
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            return Int(truncatingIfNeeded: seed & 0x7FFF_FFFF)
        }
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + next() % 4) {
                let i = next() % bytes.count
                switch next() % 4 {
                case 0: bytes[i] = alphabet[next() % alphabet.count]
                case 1: bytes.remove(at: i)
                case 2: bytes.insert(alphabet[next() % alphabet.count], at: i)
                default: bytes = Array(bytes[0..<i])
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try parseModule(SourceFile(path: "fuzz", text: text))
            } catch let d as Diagnostic {
                XCTAssertGreaterThan(d.location.line, 0, "no position for \(text.debugDescription): \(d.message)")
            } catch {
                XCTFail("non-diagnostic error for \(text.debugDescription)")
            }
        }
    }
}

final class StackTests: XCTestCase {
    /// The depth cap must keep the worst case within a 1 MiB secondary-thread stack even in a debug build.
    func testMaximumNestingFitsSmallThreadStack() {
        let cases = [
            "x = " + String(repeating: "(", count: 99) + "1" + String(repeating: ")", count: 99),
            "x = " + String(repeating: "[", count: 99) + "1" + String(repeating: "]", count: 99),
            "x = " + String(repeating: "f(", count: 99) + "1" + String(repeating: ")", count: 99),
            "x = " + String(repeating: "-", count: 98) + "1",
            "x = " + String(repeating: "{1: ", count: 99) + "1" + String(repeating: "}", count: 99),
            "x = " + String(repeating: "(", count: 10_000),
        ]
        for source in cases {
            let done = expectation(description: "parsed")
            let thread = Thread {
                _ = parseError(source)
                done.fulfill()
            }
            thread.stackSize = 1024 * 1024
            thread.start()
            wait(for: [done], timeout: 30)
        }
    }
}
