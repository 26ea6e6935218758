@testable import FlowDAG
@testable import FlowWorkflow
import XCTest

final class PatternTests: XCTestCase {
    func matcher(_ p: String, rule: [String: String] = [:], global: [String: String] = [:]) throws -> PatternMatcher {
        try PatternMatcher(WildcardPattern(p), ruleConstraints: rule, globalConstraints: global)
    }

    func testParseNamesConstraintsAndEscapes() throws {
        let p = try WildcardPattern("out/{sample}/{ x , \\d+ }.{{txt}}")
        XCTAssertEqual(p.names, ["sample", "x"])
        XCTAssertEqual(p.inlineConstraints, [nil, "\\d+"])
        XCTAssertEqual(p.format(["a", "1"]), "out/a/1.{txt}")
        XCTAssertEqual(Array("out/".utf8), p.literalPrefix)
        XCTAssertEqual(try WildcardPattern("a{w,x{2,3}}b").inlineConstraints, ["x{2,3}"])
        XCTAssertEqual(try WildcardPattern("plain.txt").names, [])
        XCTAssertThrowsError(try WildcardPattern("{a}/{a,\\d+}"))
    }

    func testSimpleMatch() throws {
        let m = try matcher("out/{sample}.txt")
        XCTAssertEqual(m.match("out/a.txt"), ["a"])
        XCTAssertEqual(m.match("out/x/y.txt"), ["x/y"])
        XCTAssertNil(m.match("out/.txt"))
        XCTAssertNil(m.match("in/a.txt"))
        XCTAssertNil(m.match("out/a.txt.gz"))
        XCTAssertEqual(try matcher("a.txt").match("a.txt"), [])
        XCTAssertNil(try matcher("a.txt").match("a.txt2"))
    }

    func testGreedyLikePython() throws {
        // re.match(r"(?P<a>.+)_(?P<b>.+)\.txt$", "x_y_z.txt") -> a="x_y", b="z"
        XCTAssertEqual(try matcher("{a}_{b}.txt").match("x_y_z.txt"), ["x_y", "z"])
        XCTAssertEqual(try matcher("{a}{b}").match("abc"), ["ab", "c"])
        XCTAssertEqual(try matcher("{a}/{b}/c").match("1/2/3/c"), ["1/2", "3"])
        XCTAssertEqual(try matcher("{a}é{b}").match("xéyéz"), ["xéy", "z"])
        XCTAssertEqual(try matcher("{a}{b}").match("aé"), ["a", "é"])
    }

    func testConstraints() throws {
        XCTAssertNil(try matcher("out/{s,[^/]+}.txt").match("out/a/b.txt"))
        XCTAssertEqual(try matcher("out/{s,[^/]+}.txt").match("out/ab.txt"), ["ab"])
        XCTAssertEqual(try matcher("{a,\\d+}{b}").match("12x"), ["12", "x"])
        XCTAssertNil(try matcher("{a,\\d+}.txt").match("1a.txt"))
        // Rule constraints beat workflow constraints; inline ones beat both.
        XCTAssertNil(try matcher("{s}.txt", rule: ["s": "[a-z]+"], global: ["s": ".+"]).match("A.txt"))
        XCTAssertEqual(try matcher("{s}.txt", global: ["s": "[A-Z]+"]).match("AB.txt"), ["AB"])
        XCTAssertEqual(try matcher("{s,.+}.txt", rule: ["s": "[a-z]+"]).match("A.txt"), ["A"])
        // Regex fallback for anything else.
        let alt = try matcher("res/{kind,(raw|clean)}/{id}.csv")
        XCTAssertEqual(alt.match("res/raw/7.csv"), ["raw", "7"])
        XCTAssertNil(alt.match("res/other/7.csv"))
        XCTAssertEqual(try matcher("{a,[a-z]{2}}{b}").match("abcd"), ["ab", "cd"])
        XCTAssertEqual(try matcher("{s,.*}x").match("x"), [""])
    }

    func testRepeatedWildcardMustMatchSameValue() throws {
        let m = try matcher("{s}/{s}.txt")
        XCTAssertEqual(m.match("a/a.txt"), ["a"])
        XCTAssertNil(m.match("a/b.txt"))
        let r = try matcher("{s,(x|y)}/{s}.txt")
        XCTAssertEqual(r.match("x/x.txt"), ["x"])
        XCTAssertNil(r.match("x/y.txt"))
    }

    func testFormatWithLookup() throws {
        let p = try WildcardPattern("{a}-{b,\\d+}-{a}")
        XCTAssertEqual(try p.format { ["a": "x", "b": "2"][$0] }, "x-2-x")
        XCTAssertThrowsError(try p.format { ["a": "x"][$0] })
    }

    func testByteClassParsing() {
        guard case .bytes(let s, false) = WildcardClass.parse("[A-Za-z0-9_\\-]+") else { return XCTFail() }
        XCTAssertTrue(s.contains(UInt8(ascii: "-")))
        XCTAssertTrue(s.contains(UInt8(ascii: "Q")))
        XCTAssertFalse(s.contains(UInt8(ascii: "/")))
        guard case .regex = WildcardClass.parse("(a|b)") else { return XCTFail() }
        guard case .regex = WildcardClass.parse("[a-z]{3}") else { return XCTFail() }
    }
}
