// The `re` module: Python syntax translated to ICU, Python offsets, sub/split/findall semantics.
// Expected values were produced once with CPython 3.11.

import XCTest
@testable import FlowLang

final class StdlibReTests: XCTestCase {
    let h = StdlibHarness()

    func testSubWithNumberedAndNamedReferences() throws {
        let r = try h.call("re", "sub", [.str(#"(\w+)@(?P<dom>\w+)"#), .str(#"\2:\1 \g<dom>"#), .str("joe@x, ann@y")])
        XCTAssertEqual(r.stringValue, "x:joe x, y:ann y")
    }

    func testFindallShapesFollowGroupCount() throws {
        let r = try h.call("re", "findall", [.str("(a)(b)?"), .str("ab a")])
        guard case .list(let l) = r else { return XCTFail() }
        XCTAssertEqual(l.items.map(strings), [["a", "b"], ["a", ""]])
        XCTAssertEqual(strings(try h.call("re", "findall", [.str("a{,2}b"), .str("aaab b")])), ["aab", "b"])
        XCTAssertEqual(strings(try h.call("re", "findall", [.str("[[]x{a}"), .str("[x{a}")])), ["[x{a}"])
    }

    func testSplitWithGroupsMaxsplitAndEmptyMatches() throws {
        XCTAssertEqual(strings(try h.call("re", "split", [.str(#"(,)\s*"#), .str("a, b,c")], [("maxsplit", .int(1))])), ["a", ",", "b,c"])
        XCTAssertEqual(strings(try h.call("re", "split", [.str("x*"), .str("axbc")])), ["", "a", "", "b", "c", ""])
        XCTAssertEqual(try h.call("re", "sub", [.str("x*"), .str("-"), .str("abxd")]).stringValue, "-a-b--d-")
    }

    func testOffsetsAreCodePointsWithNonASCIIText() throws {
        let m = try h.call("re", "search", [.str(#"(?P<w>\w+)\.txt"#), .str("héllo 😀 wörld.txt")])
        XCTAssertEqual(ints(try h.method(m, "span")), [8, 17])
        assertValue(try h.method(m, "start", [.str("w")]), .int(8))
        XCTAssertEqual(try h.method(m, "group", [.str("w")]).stringValue, "wörld")
        assertValue(try h.attr(m, "lastindex"), .int(1))
        XCTAssertEqual(try (m.asObject!).repr(interpreter: h.interp), "<re.Match object; span=(8, 17), match='wörld.txt'>")
    }

    func testMatchFullmatchAndGroups() throws {
        let full = try h.call("re", "fullmatch", [.str("a|ab"), .str("ab")])
        XCTAssertEqual(ints(try h.method(full, "span")), [0, 2])
        XCTAssertTrue(try h.call("re", "match", [.str("b"), .str("ab")]).isNone)
        let m = try h.call("re", "match", [.str(#"(\d+)-(\d+)?"#), .str("12-")])
        XCTAssertEqual(strings(try h.method(m, "groups")), ["12", nil])
        XCTAssertEqual(strings(try h.method(m, "groups", [.str("z")])), ["12", "z"])
        XCTAssertEqual(try m.asObject!.asSubscriptable!.getItem(.int(1), interpreter: h.interp).stringValue, "12")
    }

    func testCallableReplacementCountAndSubn() throws {
        let repl = Value.object(BuiltinFunction("double") { a, _ in
            guard case .object(let o) = a.positional[0], let m = o as? MatchObject else { return .none }
            return .str(String(Int(m.group(1).stringValue!)! * 2))
        })
        XCTAssertEqual(try h.call("re", "sub", [.str(#"(?P<a>\d)"#), repl, .str("a1b2c3")], [("count", .int(2))]).stringValue, "a2b4c3")
        let r = try h.call("re", "subn", [.str("a"), .str("b"), .str("aaa")])
        guard case .tuple(let t) = r else { return XCTFail() }
        XCTAssertEqual(t[0].stringValue, "bbb")
        assertValue(t[1], .int(3))
    }

    func testAnchorsFlagsAndVerbose() throws {
        let mflag = try h.module("re").attributes.get("M")!
        XCTAssertEqual(strings(try h.call("re", "findall", [.str(#"^\w+$"#), .str("ab\ncd\n"), mflag])), ["ab", "cd"])
        XCTAssertEqual(strings(try h.call("re", "findall", [.str(#"\w+\Z"#), .str("ab\ncd\n")])), [])
        XCTAssertEqual(strings(try h.call("re", "findall", [.str(#"\w+$"#), .str("ab\ncd\n")])), ["cd"])
        let verbose = "\n  (\\d+)   # number\n  [ ]x"
        XCTAssertEqual(strings(try h.call("re", "findall", [.str(verbose), .str("12 x"), .int(64)])), ["12"])
        let p = try h.call("re", "compile", [.str("(?i)abc")])
        assertValue(try h.attr(p, "flags"), .int(34))
        XCTAssertFalse(try h.call("re", "match", [p, .str("ABC")]).isNone)
        let q = try h.call("re", "compile", [.str("x"), .int(2 | 8)])
        XCTAssertEqual(try q.asObject!.repr(interpreter: h.interp), "re.compile('x', re.IGNORECASE|re.MULTILINE)")
    }

    func testEscapeAndGroupIndex() throws {
        XCTAssertEqual(try h.call("re", "escape", [.str("a.b*c-d e")]).stringValue, #"a\.b\*c\-d\ e"#)
        let p = try h.call("re", "compile", [.str(#"(?P<sample>\w+)_(?P<rep>\d+)(x)"#)])
        assertValue(try h.attr(p, "groups"), .int(3))
        guard case .dict(let d) = try h.attr(p, "groupindex") else { return XCTFail() }
        assertValue(d.get("sample") ?? .none, .int(1))
        assertValue(d.get("rep") ?? .none, .int(2))
        let m = try h.method(p, "match", [.str("a_12x")])
        guard case .dict(let gd) = try h.method(m, "groupdict") else { return XCTFail() }
        XCTAssertEqual(gd.get("rep")?.stringValue, "12")
        XCTAssertEqual(try h.method(m, "expand", [.str(#"\g<rep>-\1"#)]).stringValue, "12-a")
        let back = try h.call("re", "search", [.str(#"(?P<q>['"]).*?(?P=q)"#), .str(#"say "hi" now"#)])
        XCTAssertEqual(try h.method(back, "group").stringValue, "\"hi\"")
    }

    func testBadPatternRaisesReError() {
        XCTAssertThrowsError(try h.call("re", "compile", [.str("(abc")]))
        XCTAssertThrowsError(try h.call("re", "compile", [.str(#"\q"#)]))
    }
}
