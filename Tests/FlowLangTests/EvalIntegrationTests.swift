// Evaluator behaviour seen from Swift: error positions and tracebacks, imports (stdlib registry,
// local .py modules, the not-available message), the host hand-off of Snakemake statements,
// host-facing API (evaluate with locals, call, open()) and the 10,000-rule performance budget.

import XCTest
import FlowSyntax
@testable import FlowLang

private final class CountingHost: SnakefileHost {
    var rules: [String] = []
    func execute(_ statement: Stmt, file: SourceFile, interpreter: Interpreter) throws {
        guard case .rule(let decl) = statement.kind else { return }
        // Evaluate the directives like a workflow layer would.
        for directive in decl.directives {
            if case .arguments(let args) = directive.content {
                for arg in args { _ = try interpreter.evaluate(arg.expr, file: file) }
            }
        }
        rules.append(decl.name ?? "")
    }
    func importModule(_ name: String, interpreter: Interpreter) throws -> Value? {
        name == "snakemake.utils" ? .object(PyModule("snakemake.utils", [("answer", .int(42))])) : nil
    }
}

final class EvalIntegrationTests: XCTestCase {
    private func error(_ source: String, interpreter: Interpreter = Interpreter()) -> PyError? {
        do { _ = try runPython(source, interpreter: interpreter) } catch let e as PyError { return e } catch {
            XCTFail("unexpected \(error)")
        }
        return nil
    }

    func testErrorPositionsAndTraceback() throws {
        let e = try XCTUnwrap(error("x = 1\ny = x + undefined\n"))
        XCTAssertEqual(e.type, "NameError")
        XCTAssertEqual(e.message, "name 'undefined' is not defined")
        XCTAssertEqual(e.traceback.first?.file, "test.py")
        XCTAssertEqual(e.traceback.first?.location, SourceLocation(line: 2, column: 9))

        let nested = try XCTUnwrap(error("def inner():\n    return {}['k']\n\ndef outer():\n    return inner()\n\nouter()\n"))
        XCTAssertEqual(nested.type, "KeyError")
        XCTAssertEqual(nested.message, "'k'")
        XCTAssertEqual(nested.traceback.map(\.location.line), [2, 5, 7])

        let raised = try XCTUnwrap(error("class E(Exception):\n    pass\nif True:\n    raise E('bad')\n"))
        XCTAssertEqual(raised.type, "E")
        XCTAssertEqual(raised.message, "bad")
        XCTAssertEqual(raised.traceback.first?.location.line, 4)

        let attr = try XCTUnwrap(error("s = 'a'\ns.foo()\n"))
        XCTAssertEqual(attr.description, "AttributeError: 'str' object has no attribute 'foo'")
        XCTAssertEqual(attr.traceback.first?.location.line, 2)
    }

    func testUnknownModuleMessage() throws {
        let e = try XCTUnwrap(error("import pandas\n"))
        XCTAssertEqual(e.type, "ModuleNotFoundError")
        XCTAssertTrue(e.message.hasPrefix("module 'pandas' is not available in flow (supported: "), e.message)
        XCTAssertTrue(PyError.isSubclass(e.type, of: "ImportError"))
        XCTAssertEqual(try runPython("try:\n    import numpy as np\nexcept ImportError:\n    print('no numpy')\n"), "no numpy\n")
    }

    func testLocalModulesAndHostModules() throws {
        let dir = FileManagerless.temporaryDirectory()
        try "VALUE = 7\ndef double(x):\n    return 2 * x\n_private = 1\n".write(toFile: dir + "/helpers.py")
        try "".write(toFile: dir + "/pkg/__init__.py", createDirectory: true)
        try "NAME = 'sub'\n".write(toFile: dir + "/pkg/sub.py")
        let interp = Interpreter()
        interp.modulePaths = [dir]
        let host = CountingHost()
        interp.host = host
        let out = try runPython("""
            import helpers
            from helpers import double as d, VALUE
            from helpers import *
            import pkg.sub
            from pkg.sub import NAME
            from snakemake.utils import answer
            print(helpers.double(VALUE), d(1), double(2), pkg.sub.NAME, NAME, answer, '_private' in globals())
            import helpers as again
            print(again is helpers)
            """, interpreter: interp)
        XCTAssertEqual(out, "14 2 4 sub sub 42 False\nTrue\n")
    }

    func testHostReceivesRulesAndTenThousandRulesAreFast() throws {
        var text = "SAMPLES = ['a', 'b']\n"
        for i in 0..<10_000 {
            text += "rule r\(i):\n    input: expand('data/{s}.txt', s=SAMPLES) if False else 'in\(i)'\n    output: f'out/\(i)_{SAMPLES[0]}.txt'\n    shell: 'cat {input} > {output}'\n\n"
        }
        let interp = Interpreter()
        let host = CountingHost()
        interp.host = host
        let file = SourceFile(path: "Snakefile", text: text)
        let module = try parseModule(file)
        let start = DispatchTime.now().uptimeNanoseconds
        try interp.execute(module)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        XCTAssertEqual(host.rules.count, 10_000)
        XCTAssertEqual(host.rules.last, "r9999")
        // Generous for debug builds; release is far below one second.
        XCTAssertLessThan(seconds, 5, "evaluating 10,000 rules took \(seconds)s")

        let noHost = Interpreter()
        XCTAssertThrowsError(try noHost.execute(try parseModule(SourceFile(path: "S", text: "rule a:\n    shell: 'x'\n"))))
    }

    func testHostFacingAPI() throws {
        let interp = Interpreter()
        _ = try runPython("def f(wildcards, n=2):\n    return wildcards['s'] * n\ncfg = {'k': [1, 2]}\n", interpreter: interp)
        let file = SourceFile(path: "x", text: "s + str(cfg['k'][1])")
        let expr = try parseExpression(file.text, file: file)
        XCTAssertEqual(try interp.str(try interp.evaluate(expr, file: file, locals: ["s": .str("v")])), "v2")
        let wildcards = PyDict()
        wildcards.set("s", .str("ab"))
        let f = try XCTUnwrap(interp.globals.get("f"))
        XCTAssertEqual(try interp.str(try interp.call(f, Arguments([.dict(wildcards)], keywords: [("n", .int(3))]))), "ababab")
        XCTAssertEqual(try interp.formatString("{0}-{name:>3}", Arguments([.int(1)], keywords: [("name", .str("x"))])), "1-  x")
        XCTAssertEqual(try interp.format(.float(2.5), spec: "08.3f"), "0002.500")
        XCTAssertEqual(try interp.repr(.tuple([.str("a")])), "('a',)")
        XCTAssertTrue(try interp.lessThan(.int(1), .float(1.5)))
        XCTAssertTrue(try interp.equals(.list(PyList([.int(1)])), .list(PyList([.float(1.0)]))))
        XCTAssertEqual(try interp.iterate(.str("ab")).count, 2)
        XCTAssertEqual(try interp.str(try interp.getAttribute(.str("ab"), "upper").callable(interp)), "AB")
        XCTAssertEqual(try interp.str(try interp.getItem(.tuple([.int(1), .int(2)]), .int(-1))), "2")
        XCTAssertFalse(try interp.truthy(.dict(PyDict())))
    }

    func testOpenReadWrite() throws {
        let dir = FileManagerless.temporaryDirectory()
        let out = try runPython("""
            with open('\(dir)/f.txt', 'w') as f:
                f.write('line1\\nline2\\n')
                print('x', file=f)
            with open('\(dir)/f.txt') as f:
                print(repr(f.read()))
            with open('\(dir)/f.txt') as f:
                print([l.strip() for l in f])
            print(open('\(dir)/f.txt').readlines()[1:])
            try:
                open('\(dir)/missing.txt')
            except FileNotFoundError as e:
                print('missing', e.__class__.__name__)
            """)
        XCTAssertEqual(out, "'line1\\nline2\\nx\\n'\n['line1', 'line2', 'x']\n['line2\\n', 'x\\n']\nmissing FileNotFoundError\n")
    }
}

private extension Value {
    func callable(_ interp: Interpreter) throws -> Value { try interp.call(self, Arguments()) }
}

/// Temp files without Foundation's FileManager (keeps the test independent of it).
enum FileManagerless {
    static func temporaryDirectory() -> String {
        var template = Array("/tmp/flow-eval-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }
}

private extension String {
    func write(toFile path: String, createDirectory: Bool = false) throws {
        if createDirectory {
            let dir = String(path[..<path.lastIndex(of: "/")!])
            mkdir(dir, 0o755)
        }
        guard let f = fopen(path, "w") else { throw PyError.os("cannot write \(path)") }
        fputs(self, f)
        fclose(f)
    }
}
