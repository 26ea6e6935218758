// The CPython bridge: conversions both ways, calls with keywords, subscripts, iteration,
// operators, callbacks from Python into flow, exceptions with positions, and the errors when no
// suitable Python is found. Skipped when no python3 with pandas is on this machine
// (scripts/setup.sh installs Debian's python3-pandas; FLOW_PYTHON may name another).

import Foundation
import XCTest
import FlowLang
import FlowSyntax
@testable import FlowPython

/// The python3 these tests load (one per process: CPython cannot be loaded twice).
let pythonWithPandas: String? = {
    var candidates = ["python3", "/usr/bin/python3"]
    if let p = ProcessInfo.processInfo.environment["FLOW_PYTHON"], !p.isEmpty { candidates.insert(p, at: 0) }
    for c in candidates {
        guard let installation = try? PythonInstallation.locate(python: c) else { continue }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: installation.executable)
        p.arguments = ["-c", "import pandas"]
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { continue }
        p.waitUntilExit()
        if p.terminationStatus == 0 { return installation.executable }
    }
    return nil
}()

func pandasLoader() throws -> PythonModuleLoader {
    guard let python = pythonWithPandas else { throw XCTSkip("no python3 with pandas and a shared libpython") }
    return PythonModuleLoader(environment: ["FLOW_PYTHON": python])
}

/// Runs `source` with the bridge and returns what it printed.
func runWithPython(_ source: String, loader: PythonModuleLoader? = nil, path: String = "Snakefile") throws -> String {
    let interpreter = Interpreter()
    interpreter.foreignModules = try loader ?? pandasLoader()
    var output = ""
    interpreter.standardOutput = { output += $0 }
    try interpreter.execute(try parseModule(SourceFile(path: path, text: source)))
    return output
}

final class PythonBridgeTests: XCTestCase {
    func testScalarsAndContainersComeBackAsFlowValues() throws {
        let out = try runWithPython("""
            import builtins, fractions
            import json as flowjson
            ev = builtins.eval
            for x in [ev("None", {}), ev("True", {}), ev("2**40", {}), ev("1.5", {}), ev("'é'", {}), ev("[1, 'a']", {}), ev("(1, 2)", {}),
                      ev("{'a': [1]}", {}), ev("{3}", {}), ev("frozenset([4])", {})]:
                print(type(x).__name__, repr(x))
            big = ev("2**70", {})
            print(type(big).__name__, str(big))
            """)
        XCTAssertEqual(out, """
            NoneType None
            bool True
            int 1099511627776
            float 1.5
            str 'é'
            list [1, 'a']
            tuple (1, 2)
            dict {'a': [1]}
            set {3}
            frozenset frozenset({4})
            int 1180591620717411303424

            """)
    }

    func testFlowValuesGoInAsPythonValues() throws {
        let out = try runWithPython("""
            import builtins
            show = builtins.eval("lambda *a, **k: [type(x).__name__ for x in a] + sorted(k)", {})
            print(show(None, True, 1, 2.5, "s", [1], (1,), {"k": 1}, {1}, frozenset(), sep="-", end=3))
            rt = builtins.eval("lambda x: x", {})
            print(rt({"a": [1, (2, None)], "b": {1.5}}))
            """)
        XCTAssertEqual(out, """
            ['NoneType', 'bool', 'int', 'float', 'str', 'list', 'tuple', 'dict', 'set', 'frozenset', 'end', 'sep']
            {'a': [1, (2, None)], 'b': {1.5}}

            """)
    }

    func testDataFrameCallsSubscriptsAndIteration() throws {
        let dir = NSTemporaryDirectory() + "flow-python-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "sample\tunit\tfq1\tfq2\nA\t1\ta1.fq\ta2.fq\nA\t2\tb1.fq\t\nB\t1\tc1.fq\tc2.fq\n"
            .write(toFile: dir + "/units.tsv", atomically: true, encoding: .utf8)
        let out = try runWithPython("""
            import pandas as pd
            units = pd.read_csv("\(dir)/units.tsv", sep="\\t", dtype=str).set_index(["sample", "unit"], drop=False)
            print(len(units), units.index.names, list(units.columns))
            print(units.loc[("A", "1"), "fq1"], units.loc[("B", "1"), ["fq1", "fq2"]].tolist())
            print(pd.isnull(units.loc[("A", "2"), "fq2"]), units.loc["A"].shape)
            print([u for u in units["unit"]], units["sample"].unique().tolist())
            print(sorted(set(units.index.get_level_values("sample"))))
            for row in units.itertuples():
                print(row.sample, row.unit, row.fq1)
            print(units.iloc[1:3]["fq1"].tolist(), "A" in units.index.levels[0], bool(units.empty))
            print(units[units["sample"] == "A"]["fq1"].tolist(), units[~(units["sample"] == "A")]["fq1"].tolist())
            print(units.fq2.notna().sum(), (units.fq2.isnull() | (units.fq2 == "c2.fq")).tolist())
            units.loc[("A", "2"), "fq2"] = "new.fq"
            print(units.loc[("A", "2"), "fq2"], str(units.dtypes["fq1"]))
            print(units.apply(lambda r: r["sample"] + "-" + r["unit"], axis=1).tolist())
            print(sorted(units["fq1"], key=lambda s: s[::-1])[:1], units.fq1.str.replace(".fq", "").tolist())
            print(pd.Series([1, 2, 3]) * 2 + 1 < 6, sep="")
            print(f"{units.shape} {len(units.to_dict('records'))}")
            """)
        XCTAssertEqual(out, """
            3 ['sample', 'unit'] ['sample', 'unit', 'fq1', 'fq2']
            a1.fq ['c1.fq', 'c2.fq']
            True (2, 4)
            ['1', '2', '1'] ['A', 'B']
            ['A', 'B']
            A 1 a1.fq
            A 2 b1.fq
            B 1 c1.fq
            ['b1.fq', 'c1.fq'] True False
            ['a1.fq', 'b1.fq'] ['c1.fq']
            2 [False, True, True]
            new.fq object
            ['A-1', 'A-2', 'B-1']
            ['a1.fq'] ['a1', 'b1', 'c1']
            0     True
            1     True
            2    False
            dtype: bool
            (3, 4) 3

            """)
    }

    func testIsinstanceWithAPythonClassAsksPython() throws {
        let out = try runWithPython("""
            import pandas as pd
            s = pd.Series([1, 2])
            print(isinstance(s, pd.Series), isinstance(s, pd.core.series.Series), isinstance(s, pd.DataFrame))
            print(isinstance("x", pd.Series), isinstance("x", (pd.Series, str)), isinstance(s, (int, pd.Series)))
            """)
        XCTAssertEqual(out, "True True False\nFalse True True\n")
    }

    func testNumpyScalarsBecomeFlowScalars() throws {
        let out = try runWithPython("""
            import numpy as np
            a = np.array([1, 2, 3])
            print(type(a.sum()).__name__, a.sum(), type(a.mean()).__name__, type(a[0] > 1).__name__, a.tolist())
            print([type(x).__name__ for x in a], -a, a.dtype)
            """)
        XCTAssertEqual(out, "int 6 float bool [1, 2, 3]\n['int', 'int', 'int'] [-1 -2 -3] int64\n")
    }

    func testPythonExceptionsBecomeFlowErrorsWithPositions() throws {
        let source = "import pandas as pd\ndf = pd.DataFrame({'a': [1]})\nx = 1\ny = df.loc[5, 'a']\n"
        XCTAssertThrowsError(try runWithPython(source, path: "wf/Snakefile")) { error in
            let e = error as! PyError
            XCTAssertEqual(e.type, "KeyError")
            XCTAssertEqual(e.message, "5")
            XCTAssertEqual(e.traceback.first?.file, "wf/Snakefile")
            XCTAssertEqual(e.traceback.first?.location.line, 4)
            XCTAssertTrue(e.notes.first?.hasPrefix("Python traceback") ?? false, "\(e.notes)")
        }
        // Caught by flow's except clauses, by Python's class hierarchy.
        let out = try runWithPython("""
            import pandas as pd
            try:
                pd.read_csv("/nonexistent/file.tsv")
            except OSError as e:
                print("OSError caught")
            try:
                pd.DataFrame({"a": [1]})["b"]
            except LookupError as e:
                print("LookupError", e)
            try:
                pd.Series([1, 2]) and 1
            except ValueError as e:
                print(str(e).split(".")[0])
            """)
        XCTAssertEqual(out, "OSError caught\nLookupError 'b'\nThe truth value of a Series is ambiguous\n")
    }

    func testErrorsInFlowCallbacksComeBackUnchanged() throws {
        XCTAssertThrowsError(try runWithPython("""
            import pandas as pd
            def f(x):
                return x["nope"] + undefined_name
            pd.DataFrame({"a": [1]}).apply(f, axis=1)
            """)) { error in
            let e = error as! PyError
            XCTAssertEqual(e.type, "KeyError", "\(e)")
        }
    }

    func testMissingModuleSaysHowToPointFlowAtAPython() throws {
        XCTAssertThrowsError(try runWithPython("import surely_no_such_module_xyz\n")) { error in
            let e = error as! PyError
            XCTAssertEqual(e.type, "ModuleNotFoundError")
            XCTAssertTrue(e.message.contains("surely_no_such_module_xyz"), e.message)
            XCTAssertTrue(e.message.contains("FLOW_PYTHON"), e.message)
            XCTAssertFalse(e.message.contains("\n"), e.message)
        }
    }

    func testNoSuitablePythonIsAClearOneLineError() throws {
        let loader = PythonModuleLoader(environment: ["FLOW_PYTHON": "/nonexistent/bin/python3"])
        XCTAssertThrowsError(try runWithPython("import pandas as pd\n", loader: loader)) { error in
            let e = error as! PyError
            XCTAssertEqual(e.type, "ModuleNotFoundError")
            XCTAssertTrue(e.message.contains("FLOW_PYTHON=/nonexistent/bin/python3"), e.message)
            XCTAssertTrue(e.message.contains("set FLOW_PYTHON"), e.message)
            XCTAssertFalse(e.message.contains("\n"), e.message)
        }
        XCTAssertThrowsError(try PythonInstallation.locate(python: "/bin/false"))
    }

    func testWithoutForeignImportsCPythonIsNeverAsked() throws {
        let loader = PythonModuleLoader(environment: ["FLOW_PYTHON": "/nonexistent/bin/python3"])
        let out = try runWithPython("import os, re, json, collections\nprint(os.path.join('a', 'b'))\n", loader: loader)
        XCTAssertEqual(out, "a/b\n")
        XCTAssertEqual(loader.runtimeRequests, 0)
    }
}
