// os, os.path, glob, fnmatch and pathlib against a temporary directory tree. Expected values were
// produced once with CPython 3.11 on the same tree.

import XCTest
@testable import FlowLang

final class StdlibFileSystemTests: XCTestCase {
    let h = StdlibHarness()
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "flow-stdlib-\(UUID().uuidString)"
        for d in ["sub/deep", "sub/.h"] { try FileManager.default.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true) }
        for f in ["a.txt", "b.csv", ".hidden.txt", "sub/c.txt", "sub/deep/d.txt", "sub/.h/e.txt"] {
            FileManager.default.createFile(atPath: root + "/" + f, contents: Data("x".utf8))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    private func glob(_ pattern: String, recursive: Bool = true) throws -> [String] {
        let r = try h.call("glob", "glob", [.str(root + pattern)], [("recursive", .bool(recursive))])
        return strings(r).map { String($0!.dropFirst(root.count)) }
    }

    func testGlobLikePython() throws {
        XCTAssertEqual(try glob("/*.txt"), ["/a.txt"])
        XCTAssertEqual(try glob("/**/*.txt"), ["/a.txt", "/sub/c.txt", "/sub/deep/d.txt"])
        XCTAssertEqual(try glob("/**"), ["/", "/a.txt", "/b.csv", "/sub", "/sub/c.txt", "/sub/deep", "/sub/deep/d.txt"])
        XCTAssertEqual(try glob("/sub/*/"), ["/sub/deep/"])
        XCTAssertEqual(try glob("/*/*.txt"), ["/sub/c.txt"])
        XCTAssertEqual(try glob("/[ab].*"), ["/a.txt", "/b.csv"])
        XCTAssertEqual(try glob("/**/"), ["/", "/sub/", "/sub/deep/"])
        XCTAssertEqual(try glob("/**/*.txt", recursive: false), ["/sub/c.txt"])
        XCTAssertEqual(try glob("/nothing.txt"), [])
        XCTAssertEqual(try glob("/a.txt"), ["/a.txt"])
        XCTAssertEqual(try h.call("glob", "escape", [.str("a*[b]?.txt")]).stringValue, "a[*][[]b][?].txt")
    }

    func testFnmatch() throws {
        XCTAssertEqual(bool(try h.call("fnmatch", "fnmatch", [.str("data_1.fq.gz"), .str("data_[0-9].*.gz")])), true)
        XCTAssertEqual(bool(try h.call("fnmatch", "fnmatch", [.str("x.txt"), .str("*.[!t]xt")])), false)
        XCTAssertEqual(strings(try h.call("fnmatch", "filter", [strList(["a.py", "b.txt", "c.py"]), .str("*.py")])), ["a.py", "c.py"])
    }

    func testPosixPathAlgebra() throws {
        let inputs = ["/a/b/", "a/b.c.d", ".bashrc", "//x//y/../z", "a/../../b", "/", "", "x/.y", "...a"]
        func each(_ f: String) throws -> [Value] { try inputs.map { try h.call("os.path", f, [.str($0)]) } }
        XCTAssertEqual(try each("basename").map(\.stringValue), ["", "b.c.d", ".bashrc", "z", "b", "", "", ".y", "...a"])
        XCTAssertEqual(try each("dirname").map(\.stringValue), ["/a/b", "a", "", "//x//y/..", "a/../..", "/", "", "x", ""])
        XCTAssertEqual(try each("normpath").map(\.stringValue), ["/a/b", "a/b.c.d", ".bashrc", "//x/z", "../b", "/", ".", "x/.y", "...a"])
        XCTAssertEqual(try each("splitext").map(strings), [["/a/b/", ""], ["a/b.c", ".d"], [".bashrc", ""], ["//x//y/../z", ""],
                                                           ["a/../../b", ""], ["/", ""], ["", ""], ["x/.y", ""], ["...a", ""]])
        XCTAssertEqual(try each("split").map(strings), [["/a/b", ""], ["a", "b.c.d"], ["", ".bashrc"], ["//x//y/..", "z"],
                                                        ["a/../..", "b"], ["/", ""], ["", ""], ["x", ".y"], ["", "...a"]])
        XCTAssertEqual(try h.call("os.path", "relpath", [.str("/a/b/c"), .str("/a/d")]).stringValue, "../b/c")
        XCTAssertEqual(try h.call("os.path", "relpath", [.str("a/b"), .str("a")]).stringValue, "b")
        XCTAssertEqual(try h.call("os.path", "commonpath", [strList(["/a/b/c", "/a/b/d"])]).stringValue, "/a/b")
        XCTAssertEqual(try h.call("os.path", "commonprefix", [strList(["abc", "abd"])]).stringValue, "ab")
        XCTAssertEqual(try h.call("os.path", "join", [.str("a"), .str("/b"), .str("c")]).stringValue, "/b/c")
        XCTAssertEqual(try h.call("os.path", "join", [.str("a/"), .str("b")]).stringValue, "a/b")
        XCTAssertEqual(try h.call("os.path", "join", [.str("a"), .str("")]).stringValue, "a/")
        setenv("FLOW_STDLIB_FOO", "bar", 1)
        XCTAssertEqual(try h.call("os.path", "expandvars", [.str("$FLOW_STDLIB_FOO/${FLOW_STDLIB_FOO}x/$NOPE_X/${NOPE_X")]).stringValue,
                       "bar/barx/$NOPE_X/${NOPE_X")
    }

    func testOSFileOperationsAndErrors() throws {
        let dir = root + "/new/a/b"
        _ = try h.call("os", "makedirs", [.str(dir)])
        XCTAssertThrowsError(try h.call("os", "makedirs", [.str(dir)])) { XCTAssertEqual(($0 as? PyError)?.type, "FileExistsError") }
        _ = try h.call("os", "makedirs", [.str(dir)], [("exist_ok", .true)])
        XCTAssertEqual(bool(try h.call("os.path", "isdir", [.str(dir)])), true)
        XCTAssertThrowsError(try h.call("os", "remove", [.str(root + "/missing")])) { e in
            XCTAssertEqual((e as? PyError)?.description, "FileNotFoundError: [Errno 2] No such file or directory: '\(self.root)/missing'")
        }
        _ = try h.call("os", "rename", [.str(root + "/a.txt"), .str(root + "/z.txt")])
        XCTAssertEqual(bool(try h.call("os.path", "exists", [.str(root + "/z.txt")])), true)
        let st = try h.call("os", "stat", [.str(root + "/z.txt")])
        assertValue(try h.attr(st, "st_size"), .int(1))
        XCTAssertEqual(strings(try h.call("os", "listdir", [.str(root + "/sub/deep")])), ["d.txt"])
        _ = try h.call("os", "symlink", [.str(root + "/z.txt"), .str(root + "/link")])
        XCTAssertEqual(try h.call("os", "readlink", [.str(root + "/link")]).stringValue, root + "/z.txt")
        XCTAssertEqual(bool(try h.call("os.path", "islink", [.str(root + "/link")])), true)
        XCTAssertEqual(bool(try h.call("os", "access", [.str(root + "/z.txt"), .int(Int(R_OK))])), true)
    }

    func testWalkTopDownAndPruning() throws {
        let it = try h.call("os", "walk", [.str(root + "/sub")])
        guard case .object(let o) = it, let iterator = o as? PyIterator else { return XCTFail() }
        guard case .tuple(let first)? = try iterator.next(interpreter: h.interp) else { return XCTFail() }
        XCTAssertEqual(first[0].stringValue, root + "/sub")
        XCTAssertEqual(strings(first[1]), [".h", "deep"])
        XCTAssertEqual(strings(first[2]), ["c.txt"])
        // Pruning dirnames in place stops the descent, as in Python.
        guard case .list(let dirs) = first[1] else { return XCTFail() }
        dirs.items = [.str("deep")]
        guard case .tuple(let second)? = try iterator.next(interpreter: h.interp) else { return XCTFail() }
        XCTAssertEqual(second[0].stringValue, root + "/sub/deep")
        XCTAssertNil(try iterator.next(interpreter: h.interp))
    }

    func testEnvironAndSystem() throws {
        let env = try h.module("os").attributes.get("environ")!
        guard case .object(let o) = env, let e = o as? EnvironObject else { return XCTFail() }
        try e.setItem(.str("FLOW_STDLIB_ENV"), value: .str("1"), interpreter: h.interp)
        XCTAssertEqual(String(cString: getenv("FLOW_STDLIB_ENV")), "1")
        XCTAssertTrue(try e.contains(.str("FLOW_STDLIB_ENV"), interpreter: h.interp))
        XCTAssertEqual(try h.method(env, "get", [.str("FLOW_STDLIB_NOPE"), .str("d")]).stringValue, "d")
        assertValue(try h.call("os", "system", [.str("test \"$FLOW_STDLIB_ENV\" = 1 && exit 3")]), .int(3 << 8))
    }

    func testPathlibLexicalParts() throws {
        let p = try h.call("pathlib", "PurePath", [.str("/x/y/archive.tar.gz")])
        XCTAssertEqual(try h.attr(p, "name").stringValue, "archive.tar.gz")
        XCTAssertEqual(try h.attr(p, "stem").stringValue, "archive.tar")
        XCTAssertEqual(try h.attr(p, "suffix").stringValue, ".gz")
        XCTAssertEqual(strings(try h.attr(p, "suffixes")), [".tar", ".gz"])
        XCTAssertEqual(try h.attr(p, "parent").stringValue, "/x/y")
        XCTAssertEqual(strings(try h.attr(p, "parts")), ["/", "x", "y", "archive.tar.gz"])
        XCTAssertEqual(strings(try h.attr(p, "parents")), ["/x/y", "/x", "/"])
        XCTAssertEqual(try h.method(p, "with_suffix", [.str(".bz2")]).stringValue, "/x/y/archive.tar.bz2")
        XCTAssertEqual(try h.method(p, "relative_to", [.str("/x")]).stringValue, "y/archive.tar.gz")
        XCTAssertEqual(try h.call("pathlib", "Path", [.str("a//b/./c/")]).stringValue, "a/b/c")
        XCTAssertEqual(try h.attr(try h.call("pathlib", "Path", [.str(".hidden")]), "suffix").stringValue, "")
        XCTAssertEqual(try h.call("pathlib", "Path", [.str("")]).stringValue, ".")
        let q = try h.call("pathlib", "Path", [.str("a")])
        guard case .object(let o) = q, let op = o as? PyOperable else { return XCTFail() }
        XCTAssertEqual(try op.binaryOperation(.divide, .str("b"), reflected: false, interpreter: h.interp)?.stringValue, "a/b")
        XCTAssertEqual(try op.binaryOperation(.divide, .str("r"), reflected: true, interpreter: h.interp)?.stringValue, "r/a")
        XCTAssertEqual(try o.repr(interpreter: h.interp), "PosixPath('a')")
        XCTAssertEqual(HashKey(unchecked: q), HashKey(unchecked: try h.call("pathlib", "Path", [.str("a/")])))
    }

    func testPathlibFileSystem() throws {
        let base = try h.call("pathlib", "Path", [.str(root)])
        func rel(_ v: Value) throws -> [String] {
            try h.interpIterate(v).map { String($0.stringValue!.dropFirst(root.count)) }.sorted()
        }
        XCTAssertEqual(try rel(try h.method(base, "glob", [.str("**/*.txt")])), ["/.hidden.txt", "/a.txt", "/sub/.h/e.txt", "/sub/c.txt", "/sub/deep/d.txt"])
        XCTAssertEqual(try rel(try h.method(base, "rglob", [.str("*.txt")])), ["/.hidden.txt", "/a.txt", "/sub/.h/e.txt", "/sub/c.txt", "/sub/deep/d.txt"])
        XCTAssertEqual(try rel(try h.method(base, "glob", [.str("*")])), ["/.hidden.txt", "/a.txt", "/b.csv", "/sub"])
        let f = try h.method(base, "joinpath", [.str("out"), .str("n.txt")])
        _ = try h.method(try h.attr(f, "parent"), "mkdir", [], [("parents", .true), ("exist_ok", .true)])
        assertValue(try h.method(f, "write_text", [.str("héllo")]), .int(5))
        XCTAssertEqual(try h.method(f, "read_text").stringValue, "héllo")
        XCTAssertEqual(bool(try h.method(f, "is_file")), true)
        _ = try h.method(f, "unlink")
        XCTAssertThrowsError(try h.method(f, "unlink")) { XCTAssertEqual(($0 as? PyError)?.type, "FileNotFoundError") }
        _ = try h.method(f, "unlink", [], [("missing_ok", .true)])
    }
}

extension StdlibHarness {
    /// Drains a host iterator without going through Interpreter.iterate.
    func interpIterate(_ v: Value) throws -> [Value] {
        guard case .object(let o) = v, let it = o as? PyIterable else { return [] }
        let iterator = try it.makeIterator(interpreter: interp)
        var out: [Value] = []
        while let x = try iterator.next(interpreter: interp) { out.append(x) }
        return out
    }
}
