// String literals in every quoting form, escapes, implicit concatenation and f-strings.
import XCTest
@testable import FlowSyntax

final class StringTests: XCTestCase {
    func testQuotingForms() {
        assertTable([
            ("'a'", "\"a\""), ("\"a\"", "\"a\""),
            ("'''a\nb'''", "\"a\\nb\""), ("\"\"\"a\"b\"\"\"", "\"a\\\"b\""),
            ("'it\"s'", "\"it\\\"s\""), ("\"it's\"", "\"it\\'s\""),
            ("r'a\\nb'", "\"a\\\\nb\""), ("R'\\d+'", "\"\\\\d+\""),
            ("b'ab'", "\"ab\""), ("B\"ab\"", "\"ab\""), ("rb'\\x'", "\"\\\\x\""), ("Br'\\x'", "\"\\\\x\""),
            ("u'x'", "\"x\""), ("U'x'", "\"x\""),
            ("r'\\''", "\"\\\\\\'\""),
            ("''", "\"\""), ("''''''", "\"\""),
            ("'a' 'b'", "\"ab\""), ("'a' \"b\" '''c'''", "\"abc\""),
            ("('a'\n 'b')", "\"ab\""),
            ("'''a\r\nb'''", "\"a\\nb\""),
        ], parseExpr)
    }

    func testEscapes() {
        assertTable([
            ("'\\n\\t\\\\\\'\\\"'", "\"\\n\\t\\\\\\'\\\"\""),
            ("'\\x41\\101\\u00e9\\U0001F600'", "\"AAé😀\""),
            ("'\\0'", "\"\\0\""),
            ("'\\a\\b\\f\\v\\r'", "\"\\u{07}\\u{08}\\u{0C}\\u{0B}\\r\""),
            ("'a\\\nb'", "\"ab\""),
            ("'\\d'", "\"\\\\d\""),
            ("b'\\u00e9'", "\"\\\\u00e9\""),
        ], parseExpr)
    }

    func testFStrings() {
        assertTable([
            ("f'a{x}b'", "(f \"a\" (fmt x) \"b\")"),
            ("f'{x!r}'", "(f (fmt x !r))"),
            ("f'{x!s:>10}'", "(f (fmt x !s (spec \">10\")))"),
            ("f'{x:{w}.{p}f}'", "(f (fmt x (spec (fmt w) \".\" (fmt p) \"f\")))"),
            ("f'{x=}'", "(f (fmt x =\"x\"))"),
            ("f'{x = }'", "(f (fmt x =\"x \"))"),
            ("f'{x=!r:5}'", "(f (fmt x !r (spec \"5\") =\"x\"))"),
            ("f'{{}}{{x}}'", "(f \"{}{x}\")"),
            ("f\"{d['k']}\"", "(f (fmt ([] d \"k\")))"),
            ("f'''{d[\"k\"] + 'a'}'''", "(f (fmt (+ ([] d \"k\") \"a\")))"),
            ("f'{a == b}{a != b}{a <= b}'", "(f (fmt (cmp a == b)) (fmt (cmp a != b)) (fmt (cmp a <= b)))"),
            ("f'{(lambda: 1)()}'", "(f (fmt (call (lambda () 1))))"),
            ("f'{ {\"a\": 1}[\"a\"] }'", "(f (fmt ([] (dict (\"a\" 1)) \"a\")))"),
            ("f'{a, b}'", "(f (fmt (tuple a b)))"),
            ("f'\\n{x}\\t'", "(f \"\\n\" (fmt x) \"\\t\")"),
            ("rf'\\d{x}'", "(f \"\\\\d\" (fmt x))"),
            ("FR'{x}'", "(f (fmt x))"),
            ("'a' f'{x}' 'b'", "(f \"a\" (fmt x) \"b\")"),
            ("f'a' 'b'", "(f \"ab\")"),
            ("f''", "(f)"),
            ("f'{x:%Y-%m-%d}'", "(f (fmt x (spec \"%Y-%m-%d\")))"),
            ("f'{f\"{y}\"}'", "(f (fmt (f (fmt y))))"),
            ("f'''{\nx\n}'''", "(f (fmt x))"),
            // Python 3.12 (PEP 701): fields may reuse the enclosing quote.
            ("f\"{d[\"k\"]}\"", "(f (fmt ([] d \"k\")))"),
            ("f'{f'{x}'}'", "(f (fmt (f (fmt x))))"),
            ("f'{\"a\" if x else f'{y:{w}}'}!'", "(f (fmt (if x \"a\" (f (fmt y (spec (fmt w)))))) \"!\")"),
            ("f'{x:{'>'}10}'", "(f (fmt x (spec (fmt \">\") \"10\")))"),
        ], parseExpr)
    }

    func testFStringFieldPositions() throws {
        let e = try parseExpression("f'ab{cd}'", file: SourceFile(path: "t", text: ""))
        guard case .fstring(let parts) = e.kind, case .expression(let inner, _, _, _) = parts[1] else { return XCTFail() }
        XCTAssertEqual(inner.location, SourceLocation(line: 1, column: 6))
    }

    func testStringErrors() {
        XCTAssertEqual(parseError("x = 'abc\n"), "1:5: unterminated string literal")
        XCTAssertEqual(parseError("x = '''abc\n\n"), "1:5: unterminated triple-quoted string literal")
        XCTAssertEqual(parseError("x = f'{'"), "1:8: unterminated string literal")  // 3.12: the quote opens a nested string
        XCTAssertEqual(parseError("x = f'{}'"), "1:7: f-string: empty expression not allowed")
        XCTAssertEqual(parseError("x = f'{x'"), "1:9: unterminated string literal")
        XCTAssertEqual(parseError("x = f'{x' + 'y'"), "1:15: unterminated string literal")
        XCTAssertEqual(parseError("x = f'{x\n'"), "1:5: unterminated string literal")
        XCTAssertEqual(parseError("x = f'}'"), "1:7: f-string: single '}' is not allowed")
        XCTAssertEqual(parseError("x = f'{x!z}'"), "1:9: f-string: invalid conversion character: expected 's', 'r', or 'a'")
        XCTAssertEqual(parseError("x = f'{a +}'"), "1:11: invalid syntax")
        XCTAssertEqual(parseError("x = 'a' b'b'"), "1:9: cannot mix bytes and nonbytes literals")
        XCTAssertEqual(parseError("x = '\\x4'"), "1:6: (unicode error) truncated \\xXX escape")
    }
}
