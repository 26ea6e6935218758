// The names a `run:` block and a `script:` see at job time, one by one: each is used the way a
// Snakefile uses it (glob_wildcards once failed with NameError), in a rule of its own whose
// output shows the value, so a missing or wrong name fails only its own check.
// Also pins that another rule's multiext() outputs, given as one named input, are planned as
// separate files.

import Foundation
import XCTest
@testable import FlowEngine

final class JobProgramNamesTests: WorkdirTestCase {
    /// Name -> (Python expression a run: block evaluates, the str() it must give).
    private static let runBlockChecks: [(name: String, expression: String, expected: String)] = [
        ("glob_wildcards", #"sorted(glob_wildcards("in/{s}.txt").s)"#, "['a', 'b']"),
        ("expand", #"expand("{x}.txt", x=[1, 2])"#, "['1.txt', '2.txt']"),
        ("collect", #"collect("{x}.txt", x=[3])"#, "['3.txt']"),
        ("multiext", #"multiext("p", ".a", ".b")"#, "['p.a', 'p.b']"),
        ("temp", #"temp("f")"#, "f"), ("temporary", #"temporary("f")"#, "f"),
        ("protected", #"protected("f")"#, "f"), ("directory", #"directory("f")"#, "f"),
        ("touch", #"touch("f")"#, "f"), ("ancient", #"ancient("f")"#, "f"), ("pipe", #"pipe("f")"#, "f"),
        ("service", #"service("f")"#, "f"), ("local", #"local("f")"#, "f"), ("update", #"update("f")"#, "f"),
        ("before_update", #"before_update("f")"#, "f"), ("ensure", #"ensure("f", non_empty=True)"#, "f"),
        ("unpack", #"unpack("f")"#, "f"), ("report", #"report("f", caption="c.rst")"#, "f"),
        ("flag", #"flag("f", "mine")"#, "f"), ("repeat", #"repeat("f", 2)"#, "f"),
        ("exists", #"exists("in/a.txt")"#, "True"),
        ("flatten", "flatten([[1], [2, [3]]])", "[1, 2, 3]"),
        ("branch", #"branch(True, then="yes", otherwise="no")"#, "yes"),
        ("evaluate", #"evaluate("{n} + 1")({"n": 1})"#, "2"),
        ("lookup", #"lookup(dpath="a/b", within={"a": {"b": 3}})"#, "3"),
        ("subpath", #"subpath("d/x.txt", strip_suffix=".txt")"#, "d/x"),
        ("prepend_param", #"prepend_param("-i", ["a", "b"])"#, "-i a -i b"),
        ("as_py_module", #"as_py_module("pkg/mod.py")"#, "pkg.mod"),
        ("update_config", #"(lambda c: (update_config(c, {"k": {"y": 2}}), c)[1])({"k": {"x": 1}})"#, "{'k': {'x': 1, 'y': 2}}"),
        ("shell", #"shell("echo hi", read=True).strip()"#, "hi"),
        ("config", #"config["greeting"]"#, "hello"),
        ("workflow", "workflow.basedir == basedir", "True"),
        ("checkpoints/scatter/gather", "scatter is not None and gather is not None", "True"),
        ("input", "input.src", "in/a.txt"), ("output", "output[0].startswith('out/')", "True"),
        ("params", "params.p", "7"),
        ("threads", "threads", "1"), ("resources", "resources.mem_mb", "100"), ("log", "list(log)", "[]"),
        ("rule", "rule", "check"), ("jobid", "isinstance(jobid, int)", "True"), ("wildcards", "len(wildcards)", "0"),
        ("snakemake", "snakemake.input.src + ' ' + snakemake.__version__[:1] + ' ' + str(snakemake.io.expand is expand)", "in/a.txt 9 True"),
        ("deployment arguments", "(conda_env, container_img, shadow_dir, bench_iteration, is_shell)", "(None, None, None, None, False)"),
        ("os/sys/re/subprocess", "os.sep + str(sys.maxsize > 0) + re.sub('a', 'b', 'a') + str(subprocess.PIPE)", "/Trueb-1"),
        ("Path", #"Path("d") / "x""#, "d/x"),
        ("collections", "OrderedDict(a=1)['a'] + len(namedtuple('T', 'x y')(1, 2))", "3"),
        ("itertools/functools", "list(chain([1], filterfalse(None, [0, 2]))) + [partial(int, base=2)('11')]", "[1, 0, 3]"),
        ("copy/tempfile/hashlib", "copy.deepcopy([1])[0] + len(hashlib.md5(b'').hexdigest()) + len(tempfile.gettempdir()[:0])", "33"),
        ("typing", "Optional[List[Dict[str, Union[int, Set[int]]]]] is not None and Callable is not None", "True"),
        ("logger", "logger.name", "snakemake"),
        ("Snakefile globals", "READ_AT_TOP", "top"),
    ]

    private func write(_ text: String, to name: String) throws {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func run(targets: [String] = [], dryRun: Bool = false) throws -> (status: Int32, events: RecordingReporter) {
        var options = EngineOptions()
        options.directory = directory
        options.snakefile = directory + "/Snakefile"
        options.cores = 2
        options.keepGoing = true
        options.dryRun = dryRun
        options.targets = targets
        let reporter = RecordingReporter()
        let status = try Engine(options: options, reporter: reporter).run()
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        return (status, reporter)
    }

    func testRunBlocksSeeEveryNameSnakemakeGivesThem() throws {
        try write("", to: "in/a.txt")
        try write("", to: "in/b.txt")
        var snakefile = """
            config["greeting"] = "hello"
            shell("echo read >> preamble-shell-runs.txt")
            READ_AT_TOP = shell("echo top", read=True).strip()

            rule check:
                input: src="in/a.txt"
                output: "out/done.txt"
                params: p=7
                resources: mem_mb=100
                run:
                    # One job (a job per name costs seconds each); each name is still tried on its own.
                    for i, expression in enumerate(EXPRESSIONS):
                        try:
                            value = str(expression())
                        except Exception as e:
                            value = "raised " + repr(e)
                        with open(f"out/{i}.txt", "w") as f:
                            f.write(value)
                    open(output[0], "w").close()

            """
        // Each check is a lambda of the Snakefile's code, so its names resolve in the job's globals.
        snakefile += "EXPRESSIONS = [\n"
        for check in Self.runBlockChecks { snakefile += "    lambda: \(check.expression),\n" }
        snakefile += "]\n"
        try write(snakefile, to: "Snakefile")
        let (status, events) = try run(targets: ["out/done.txt"])
        for (i, check) in Self.runBlockChecks.enumerated() {
            let got = try? String(contentsOfFile: directory + "/out/\(i).txt", encoding: .utf8)
            XCTAssertEqual(got, check.expected, "run: block name \(check.name) (\(check.expression))")
        }
        XCTAssertEqual(status, 0, "\(events.failedLogs)")
        XCTAssertEqual(try? String(contentsOfFile: directory + "/preamble-shell-runs.txt", encoding: .utf8), "read\n",
                       "a top-level shell() ran when the Snakefile was read, not again in the run: job")
    }

    func testScriptsSeeSnakemakesPreambleNames() throws {
        try write("", to: "in/a.txt")
        try write("""
            rule s:
                input: "in/a.txt"
                output: "out.txt"
                script: "scripts/s.py"
            """, to: "Snakefile")
        try write("""
            import os
            found = [snakemake.input[0], str(sys.maxsize > 0), logger.name, type(pickle.dumps).__name__,
                     str(os.path.isfile(__real_file__)), "/".join(__real_file__.split("/")[-3:-1]), Snakemake.__name__ != "",
                     snakemake.report_href("t.html").url_args(foo=4).anchor("bar"), snakemake.report_href("d").child_path("d/x.html")]
            open(snakemake.output[0], "w").write(" ".join(map(str, found)))
            """, to: "scripts/s.py")
        let (status, _) = try run()
        XCTAssertEqual(status, 0)
        XCTAssertEqual(try? String(contentsOfFile: directory + "/out.txt", encoding: .utf8),
                       "in/a.txt True snakemake builtin_function_or_method True .snakemake/scripts True "
                        + "../e604fd8ec772224b/t.html?foo=4#bar ../18ac3e7343f01689/d/x.html")
    }

    func testAnotherRulesMultiextOutputAsOneNamedInputIsPlanned() throws {
        try write("", to: "data/genome.fa")
        try write("", to: "r.fq")
        try write("""
            rule bwa_index:
                input: "data/genome.fa"
                output: multiext("data/genome.fa", ".amb", ".ann", ".bwt", ".pac", ".sa")
                shell: "touch {output}"

            rule bwa_mem:
                input: reads="r.fq", idx=rules.bwa_index.output
                output: "aln.txt"
                shell: "echo {input.idx} > {output}"
            """, to: "Snakefile")
        let (status, events) = try run(targets: ["aln.txt"])
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason))")
        XCTAssertEqual(events.finished.map(\.rule).sorted(), ["bwa_index", "bwa_mem"])
        XCTAssertEqual(try? String(contentsOfFile: directory + "/aln.txt", encoding: .utf8),
                       "data/genome.fa.amb data/genome.fa.ann data/genome.fa.bwt data/genome.fa.pac data/genome.fa.sa\n")
    }
}
