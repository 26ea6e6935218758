// json and yaml: parsing like json.loads / yaml.safe_load and output identical to CPython 3.11's
// json.dumps and PyYAML 6's yaml.dump (expected strings produced once with python3).

import XCTest
@testable import FlowLang

final class StdlibDataFormatTests: XCTestCase {
    let h = StdlibHarness()

    private func writeJSON(_ v: Value, indent: String? = nil, sortKeys: Bool = false) throws -> String {
        var o = JSONWriter.Options()
        o.indent = indent
        o.sortKeys = sortKeys
        return try JSONWriter(options: o, interpreter: h.interp).write(v)
    }

    private func dict(_ pairs: [(Value, Value)]) -> Value {
        let d = PyDict()
        for (k, v) in pairs { d.set(HashKey(unchecked: k), v) }
        return .dict(d)
    }

    func testJSONDumpsMatchesPython() throws {
        let v = dict([(.str("a"), .int(1)), (.str("b"), .list(PyList([.int(1), .float(2.5), .float(1e16), .float(1e-5)]))),
                      (.str("c"), .str("é😀\n")), (.str("d"), .none), (.str("e"), .true), (.int(2), dict([])),
                      (.str("f"), .list(PyList()))])
        XCTAssertEqual(try writeJSON(v), #"{"a": 1, "b": [1, 2.5, 1e+16, 1e-05], "c": "\u00e9\ud83d\ude00\n", "d": null, "e": true, "2": {}, "f": []}"#)
        let nested = dict([(.str("c"), dict([])), (.str("a"), .list(PyList([.int(1), dict([(.str("b"), .list(PyList()))])])))])
        XCTAssertEqual(try writeJSON(nested, indent: "  ", sortKeys: true),
                       "{\n  \"a\": [\n    1,\n    {\n      \"b\": []\n    }\n  ],\n  \"c\": {}\n}")
    }

    func testFloatReprLikePython() {
        XCTAssertEqual(pyFloatRepr(1e15), "1000000000000000.0")
        XCTAssertEqual(pyFloatRepr(1e16), "1e+16")
        XCTAssertEqual(pyFloatRepr(0.0001), "0.0001")
        XCTAssertEqual(pyFloatRepr(1.5e-7), "1.5e-07")
        XCTAssertEqual(pyFloatRepr(0.1 + 0.2), "0.30000000000000004")
        XCTAssertEqual(pyFloatRepr(-0.0), "-0.0")
        XCTAssertEqual(pyFloatRepr(1.7976931348623157e308), "1.7976931348623157e+308")
    }

    func testJSONLoadsAndErrors() throws {
        let v = try h.call("json", "loads", [.str(#" {"a": [1, 2.0, -3e2, "x\u00e9\ud83d\ude00", null, true], "b": {}} "#)])
        guard case .dict(let d) = v, case .list(let l) = d.get("a")! else { return XCTFail() }
        assertValue(l.items[0], .int(1))
        assertValue(l.items[1], .float(2))
        assertValue(l.items[2], .float(-300))
        XCTAssertEqual(l.items[3].stringValue, "xé😀")
        XCTAssertTrue(l.items[4].isNone)
        XCTAssertThrowsError(try h.call("json", "loads", [.str("{\"a\": 1,\n  }")])) { e in
            XCTAssertEqual((e as? PyError)?.description,
                           "JSONDecodeError: Expecting property name enclosed in double quotes: line 2 column 3 (char 11)")
        }
        XCTAssertThrowsError(try h.call("json", "loads", [.str("[1] x")])) { e in
            XCTAssertEqual((e as? PyError)?.message, "Extra data: line 1 column 5 (char 4)")
        }
        XCTAssertThrowsError(try JSONCodec.load("{\"a\" 1}", path: "config.json")) { e in
            XCTAssertEqual((e as? PyError)?.message, "config.json:1:6: Expecting ':' delimiter")
        }
    }

    func testYAMLResolutionLikePyYAML() throws {
        let v = try YAMLCodec.load("a: [1e3, 1.0e3, 1.0e+3, 0o17, 017, 0x1F, yes, On, ~, 1_000, .5, +1, 'no', \"1\", .inf, 3:20]", path: "c.yaml")
        guard case .dict(let d) = v, case .list(let l) = d.get("a")! else { return XCTFail() }
        let expected: [Value] = [.str("1e3"), .str("1.0e3"), .float(1000), .str("0o17"), .int(15), .int(31), .true, .true,
                                 .none, .int(1000), .float(0.5), .int(1), .str("no"), .str("1"), .float(.infinity), .int(200)]
        XCTAssertEqual(l.items.count, expected.count)
        for (a, b) in zip(l.items, expected) { assertValue(a, b) }
    }

    func testYAMLAnchorsMergeAndBlockScalars() throws {
        let text = """
        base: &b {x: 1, y: 2}
        other: &o {y: 3, z: 4}
        m:
          <<: [*b, *o]
          w: 0
          x: 9
        l: &l [1, 2]
        l2: *l
        t: |
          line1
          line2
        f: >-
          a
          b
        q: "yes"
        n: ~
        e:
        """
        guard case .dict(let d) = try YAMLCodec.load(text, path: "c.yaml") else { return XCTFail() }
        guard case .dict(let m) = d.get("m")! else { return XCTFail() }
        XCTAssertEqual(m.keys.compactMap { $0.stringValue }, ["y", "z", "x", "w"])
        XCTAssertEqual(m.values.compactMap(int), [2, 4, 9, 0])
        guard case .list(let l1) = d.get("l")!, case .list(let l2) = d.get("l2")! else { return XCTFail() }
        XCTAssertTrue(l1 === l2, "an alias is the same object")
        XCTAssertEqual(d.get("t")?.stringValue, "line1\nline2\n")
        XCTAssertEqual(d.get("f")?.stringValue, "a b")
        XCTAssertEqual(d.get("q")?.stringValue, "yes")
        XCTAssertTrue(d.get("n")!.isNone && d.get("e")!.isNone)
    }

    func testYAMLErrorsNameFileLineColumn() {
        XCTAssertThrowsError(try YAMLCodec.load("a: 1\nb: [1, 2\nc: 3\n", path: "config/config.yaml")) { e in
            let message = (e as? PyError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("config/config.yaml:"), message)
            XCTAssertEqual((e as? PyError)?.type, "YAMLError")
        }
        XCTAssertThrowsError(try YAMLCodec.load("a: *missing\n", path: "x.yaml")) { e in
            XCTAssertEqual((e as? PyError)?.message, "x.yaml:1:4: found undefined alias 'missing'")
        }
    }

    func testYAMLDumpMatchesPyYAML() throws {
        let inner = dict([(.str("d"), .str("yes")), (.str("e"), .str("1")), (.str("f"), .str("a\nb")), (.str("g"), .str("é")),
                          (.str("h"), .float(1e17)), (.str("i"), .float(1.5)), (.str("j"), .str("")), (.str("k"), .list(PyList())),
                          (.str("l"), dict([])), (.str("m"), .str("x: y")), (.str("n"), .true)])
        let v = dict([(.str("b"), .list(PyList([.int(1), .int(2), dict([(.str("x"), .none)])]))), (.str("a"), inner)])
        XCTAssertEqual(try YAMLCodec.dump(v, interpreter: h.interp),
                       "a:\n  d: 'yes'\n  e: '1'\n  f: 'a\n\n    b'\n  g: \"\\xE9\"\n  h: 1.0e+17\n  i: 1.5\n  j: ''\n  k: []\n  l: {}\n  m: 'x: y'\n  n: true\nb:\n- 1\n- 2\n- x: null\n")
        var o = YAMLEmitter.Options()
        o.defaultFlowStyle = nil
        let flow = dict([(.str("b"), .list(PyList([.int(1), .int(2)]))), (.str("a"), dict([(.str("c"), .list(PyList([.int(3)])))]))])
        XCTAssertEqual(try YAMLEmitter(options: o, interpreter: h.interp).dump([flow]), "a:\n  c: [3]\nb: [1, 2]\n")
        XCTAssertEqual(try YAMLCodec.dump(.int(1), interpreter: h.interp), "1\n...\n")
        XCTAssertEqual(try YAMLCodec.dump(.list(PyList([.int(1), .list(PyList([.int(2), .int(3)]))])), interpreter: h.interp), "- 1\n- - 2\n  - 3\n")
        o = YAMLEmitter.Options()
        o.sortKeys = false
        XCTAssertEqual(try YAMLEmitter(options: o, interpreter: h.interp).dump([dict([(.str("z"), .int(1)), (.str("a"), .int(2))])]), "z: 1\na: 2\n")
    }

    func testYAMLRoundTrip() throws {
        let text = "samples:\n  A: data/a.fastq\n  B: data/b.fastq\nthreads: 4\nratio: 0.5\nflags:\n- on\n- 'off'\n"
        let v = try YAMLCodec.load(text, path: "c.yaml")
        XCTAssertEqual(try YAMLCodec.dump(v, interpreter: h.interp),
                       "flags:\n- true\n- 'off'\nratio: 0.5\nsamples:\n  A: data/a.fastq\n  B: data/b.fastq\nthreads: 4\n")
    }
}
