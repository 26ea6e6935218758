// A job's values as its command sees them: human-friendly resources in Snakemake's units, a
// string resource under a --resources limit refused, params checked while planning (with
// resources that need missing inputs as "<TBD>"), prepend_param over a list of inputs,
// as_py_module's module name, and template_engine rules rendered with the packages python3 has.

import Foundation
import XCTest
@testable import FlowEngine

final class JobValuesTests: WorkdirTestCase {
    private func write(_ text: String, to name: String) throws {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func read(_ name: String) -> String? { try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) }

    private func run(resources: [String: Int] = [:]) throws -> (status: Int32, events: RecordingReporter) {
        var options = EngineOptions()
        options.directory = directory
        options.snakefile = directory + "/Snakefile"
        options.cores = 2
        options.resources = resources
        let reporter = RecordingReporter()
        let status = try Engine(options: options, reporter: reporter).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        return (status, reporter)
    }

    private static func pythonHas(_ module: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import \(module)"]
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    func testHumanFriendlyResourcesBecomeSnakemakesUnits() throws {
        try write("""
            rule a:
                output: "test.txt"
                resources: mem="5MB", disk="2GB", runtime="1h"
                shell: "echo {resources.mem_mb} {resources.disk_mb} {resources.runtime} > {output}"
            rule b:
                output: "minutes.txt"
                resources: runtime="90 s"
                shell: "echo {resources.runtime} > {output}"
            rule all:
                input: "test.txt", "minutes.txt"
            """, to: "Snakefile")
        var options = EngineOptions()
        options.directory = directory
        options.snakefile = directory + "/Snakefile"
        options.targets = ["all"]
        XCTAssertEqual(try Engine(options: options, reporter: RecordingReporter()).run(), 0)
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        XCTAssertEqual(read("test.txt"), "5 2000 60\n")
        XCTAssertEqual(read("minutes.txt"), "1\n", "90 s is one whole minute, as int(round(90) / 60)")
        XCTAssertEqual(JobEvaluator.minutes("2 hours"), 120)
        XCTAssertEqual(JobEvaluator.minutes("45"), 45)
        XCTAssertNil(JobEvaluator.minutes("soon"))
    }

    func testStringResourceUnderAResourcesLimitIsAnError() throws {
        try write("""
            rule all:
                input: "test1.txt", "test2.txt"
            rule a:
                output: "test1.txt"
                resources: foo=1
                shell: "touch {output}"
            rule b:
                output: "test2.txt"
                resources: foo="bar"
                shell: "touch {output}"
            """, to: "Snakefile")
        XCTAssertEqual(try run().status, 0, "without a limit, foo is just a value")
        try FileManager.default.removeItem(atPath: directory + "/test2.txt")
        var said = ""
        do {
            let (status, events) = try run(resources: ["foo": 4])
            XCTAssertNotEqual(status, 0)
            said = events.failed.map(\.reason).joined(separator: "\n")
        } catch {
            said = "\(error)"
        }
        XCTAssertTrue(said.contains("resource foo=bar of rule b is not an integer"), said)
    }

    func testParamsAreCheckedBeforeAnyJobWithUnknownResourcesAsTBD() throws {
        // b's memory depends on an input a makes: while planning it is "<TBD>", and a params
        // function turning it into a number fails the run before a starts (as in Snakemake).
        let snakefile = """
            rule b:
                output: "output.txt"
                input: "input.txt"
                resources: mem_mb=lambda wildcards, attempt, input: input.size_mb
                params: mem_gb=lambda wildcards, resources: PARAMS(resources)
                shell: "echo {params.mem_gb} {resources.mem_mb} > {output}"
            rule a:
                output: "input.txt"
                shell: "head -c 3000000 /dev/zero > {output}"
            """
        try write("PARAMS = lambda resources: int(resources.mem_mb) / 1000\n" + snakefile, to: "Snakefile")
        var said = ""
        do {
            let (status, _) = try run()
            XCTAssertNotEqual(status, 0)
        } catch {
            said = "\(error)"
        }
        XCTAssertTrue(said.contains("<TBD>"), said)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/input.txt"), "nothing ran")

        // A params function that copes with the unknown value runs, and sees the real one at the job.
        try write("PARAMS = lambda resources: str(resources.mem_mb)[:4]\n" + snakefile, to: "Snakefile")
        XCTAssertEqual(try run().status, 0)
        XCTAssertEqual(read("output.txt"), "3 3\n", "2.86 MiB of input: mem_mb 3")
    }

    func testPrependParamAndAsPyModuleOverJobItems() throws {
        for f in ["1.dat", "2.dat", "pkg/sub/mod.py"] { try write("", to: f) }
        try write("""
            rule all:
                input: "list.out", "single.out", "mod.out", "mod2.out"
            rule list:
                params: data=prepend_param("--input", input.data), glued=prepend_param("-I", input.data, space=False)
                input: data=["1.dat", "2.dat"]
                output: "list.out"
                shell: "echo {params.data} {params.glued} > {output}"
            rule single:
                params: data=prepend_param("--input", input)
                input: "1.dat"
                output: "single.out"
                shell: "echo {params.data} > {output}"
            rule mod:
                params: module=as_py_module()
                input: script="pkg/sub/mod.py"
                output: "mod.out"
                shell: "echo {params.module} > {output}"
            rule mod2:
                params: module=as_py_module(input)
                input: "pkg/sub/mod.py"
                output: "mod2.out"
                shell: "echo {params.module} > {output}"
            """, to: "Snakefile")
        XCTAssertEqual(try run().status, 0)
        XCTAssertEqual(read("list.out"), "--input 1.dat --input 2.dat -I1.dat -I2.dat\n")
        XCTAssertEqual(read("single.out"), "--input 1.dat\n")
        XCTAssertEqual(read("mod.out"), "pkg.sub.mod\n")
        XCTAssertEqual(read("mod2.out"), "pkg.sub.mod\n")
    }

    func testTemplateEngineRulesRenderWithTheJobsPython() throws {
        try write("{% set foo = 1 %}\nfoo: {{ foo }} {{ config['x'] }} {{ wildcards.n }}", to: "t.jinja2.txt")
        try write("?if True:\n  foo: ?params.p\n?else:\n  bar: 2\n", to: "t.yte.yaml")
        try write("""
            config["x"] = "cx"
            rule all:
                input: "out.jinja2.1", "out.yte"
            rule j:
                input: "t.jinja2.txt"
                output: "out.jinja2.{n}"
                template_engine: "jinja2"
            rule y:
                input: template="t.yte.yaml"
                output: "out.yte"
                params: p=7
                template_engine: "yte"
            """, to: "Snakefile")
        let (status, events) = try run()
        if Self.pythonHas("jinja2") && Self.pythonHas("yte") {
            XCTAssertEqual(status, 0, "\(events.failedLogs)")
            XCTAssertEqual(read("out.jinja2.1"), "\nfoo: 1 cx 1")
            XCTAssertEqual(read("out.yte"), "foo: 7\n")
        } else {
            // Without the packages the job says which one python3 lacks.
            XCTAssertNotEqual(status, 0)
            throw XCTSkip("python3 has no jinja2/yte: only the failure was checked")
        }
    }
}
