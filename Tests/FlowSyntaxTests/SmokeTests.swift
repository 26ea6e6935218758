import XCTest
@testable import FlowSyntax

final class SmokeTests: XCTestCase {
    func testSmoke() throws {
        print(try parseExpr("-x**2 + f(a, *b, k=1, **c)[1:2, ::3].y"))
        print(try parseExpr("f'a{x!r:>{w}} {y=}' 'z'"))
        print(try parse("rule a:\n    \"\"\"doc\"\"\"\n    input: 'a', b='c'\n    output:\n        'x',\n        # c\n        'y'\n    shell:\n        'a '\n        'b'\n    run:\n        print(1)\n        x = 2\nx = 1\n"))
        print(parseError("rule a:\n    inputs: 'x'\n"))
    }
}
