// Pins the Snakemake layer: Snakefile text in, Workflow model (and Snakemake API results) out.

import Foundation
import XCTest
import FlowLang
@testable import FlowWorkflow

final class WorkflowLoaderTests: SnakefileTestCase {
    func testNonUTF8SnakefileIsReportedAsSuchNotAsMissing() throws {
        let path = dir + "/Snakefile"
        FileManager.default.createFile(atPath: path, contents: Data("rule a:\n    output: \"caf".utf8) + Data([0xE9]) + Data("\"\n".utf8))
        XCTAssertThrowsError(try WorkflowLoader.load(WorkflowOptions(snakefile: path))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("Snakefile \"\(path)\" is not UTF-8 text (invalid byte 0xE9 at line 2, column 17)"), text)
            XCTAssertFalse(text.contains("not found"), text)
        }
        XCTAssertThrowsError(try WorkflowLoader.load(WorkflowOptions(snakefile: dir + "/Missing"))) { error in
            XCTAssertTrue("\(error)".contains("not found or not readable"), "\(error)")
        }
    }

    private func global(_ w: Workflow, _ name: String) throws -> String {
        try w.interpreter.repr(try XCTUnwrap(w.interpreter.globals.get(name)))
    }

    func testExpandProductZipAllowMissingAndFormatSpecs() throws {
        let w = try load("""
        a = expand("{s}_{n}.txt", s=["x", "y"], n=[1, 2])
        b = expand("{s}_{n}.txt", zip, s=["x", "y"], n=[1, 2])
        c = expand("{s}/{other}.txt", s="x", allow_missing=True)
        d = expand("{n:03d}.txt", n=[7])
        e = expand(["a{s}", "b{s}"], s=["1"])
        f = expand("{s}.txt", s=["x"], unused=[1, 2, 3])
        """)
        XCTAssertEqual(try global(w, "a"), "['x_1.txt', 'x_2.txt', 'y_1.txt', 'y_2.txt']")
        XCTAssertEqual(try global(w, "b"), "['x_1.txt', 'y_2.txt']")
        XCTAssertEqual(try global(w, "c"), "['x/{other}.txt']")
        XCTAssertEqual(try global(w, "d"), "['007.txt']")
        XCTAssertEqual(try global(w, "e"), "['a1', 'b1']")
        // Keywords a pattern does not use do not multiply its results.
        XCTAssertEqual(try global(w, "f"), "['x.txt']")
    }

    func testExpandGivesAOneShotIteratorToTheFirstPatternOnly() throws {
        // Snakemake's expand iterates each value once per pattern (dna-seq-gatk-variant-calling's
        // multiqc: `u=units.itertuples()` over three patterns expands the first only).
        let w = try load("""
        g = expand(["p/{s}.txt", "q/{s}.txt"], s=(x for x in ["a", "b"]))
        i = expand(["p/{s}.txt", "q/{s}_{n}.txt"], s=["a"], n=iter([1, 2]))
        l = expand(["p/{s}.txt", "q/{s}.txt"], s=["a", "b"])
        """)
        XCTAssertEqual(try global(w, "g"), "['p/a.txt', 'p/b.txt']")
        XCTAssertEqual(try global(w, "i"), "['p/a.txt', 'q/a_1.txt', 'q/a_2.txt']")
        XCTAssertEqual(try global(w, "l"), "['p/a.txt', 'p/b.txt', 'q/a.txt', 'q/b.txt']")
    }

    func testExpandWithAFunctionValueIsAFunctionOfTheWildcards() throws {
        // dna-seq-varlociraptor: expand(..., group=get_report_batch("variants")) in an input function.
        let w = try load("""
        deferred = expand("t/{g}.{e}.tsv", g=lambda wc: [wc.batch, "x"], e="present")
        mixed = expand("{s}/{g}.txt", s=["a", lambda wc: wc.batch], g="1")
        """)
        let wildcards = Value.object(NamedListObject(wildcards: [("batch", "all")]))
        let deferred = try w.interpreter.call(try XCTUnwrap(w.interpreter.globals.get("deferred")), Arguments([wildcards]))
        XCTAssertEqual(try w.interpreter.repr(deferred), "['t/all.present.tsv', 't/x.present.tsv']")
        let mixed = try w.interpreter.call(try XCTUnwrap(w.interpreter.globals.get("mixed")), Arguments([wildcards]))
        XCTAssertEqual(try w.interpreter.repr(mixed), "['a/1.txt', 'all/1.txt']")
    }

    func testExpandOverFunctionsIsDeferredToTheJobsWildcards() throws {
        let w = try load("""
        def first(wildcards):
            return wildcards.x
        def second(wildcards):
            return {wildcards.x + "2"}
        one = expand("{v}.in", v=first)
        both = expand("t.{v}.{k}", v=[first, "z"], k=["a"])
        inner = expand("{v}.in", v=second)
        """)
        let wildcards = Value.object(NamedListObject(wildcards: [("x", "q")]))
        func call(_ name: String) throws -> String {
            try w.interpreter.repr(try w.interpreter.call(try XCTUnwrap(w.interpreter.globals.get(name)), Arguments([wildcards])))
        }
        XCTAssertEqual(try call("one"), "['q.in']")
        XCTAssertEqual(try call("both"), "['t.q.a', 't.z.a']")
        XCTAssertEqual(try call("inner"), "['q2.in']")
    }

    func testExpandRejectsFlaggedPatterns() throws {
        XCTAssertThrowsError(try load("x = expand(temp(\"{s}.txt\"), s=[1])\n")) { error in
            XCTAssertTrue("\(error)".contains("Flags"), "\(error)")
        }
    }

    func testGlobWildcardsMatchesFilesOnDisk() throws {
        for name in ["data/a.fq", "data/b.fq", "data/sub/c.fq", "data/skip.txt"] { try write(name, "") }
        let w = try load("""
        W = glob_wildcards("\(dir)/data/{sample}.fq")
        T = glob_wildcards("\(dir)/data/{sample,[^/]+}.fq")
        samples = W.sample
        top = T.sample
        """)
        XCTAssertEqual(try global(w, "samples"), "['a', 'b', 'sub/c']")
        XCTAssertEqual(try global(w, "top"), "['a', 'b']")
    }

    func testConfigOverridesAreTypedAsSnakemakeTypesThem() throws {
        let d = try ConfigLoader.parseOverrides(["i=3", "f=0.5", "b=True", "s=text", "l=[1,2]", "e="])
        let interp = Interpreter()
        XCTAssertEqual(try interp.repr(.dict(d)), "{'i': 3, 'f': 0.5, 'b': True, 's': 'text', 'l': ['1', '2'], 'e': None}")
        XCTAssertThrowsError(try ConfigLoader.parseOverrides(["novalue"]))
        XCTAssertThrowsError(try ConfigLoader.parseOverrides(["1bad=2"]))
    }

    func testConfigfileMergesAndCommandLineWins() throws {
        try write("config.yaml", "a: 1\nnested:\n  x: 1\n  y: 2\n")
        let w = try load("""
        configfile: "\(dir)/config.yaml"
        seen = config
        """, config: ["a=5"])
        XCTAssertEqual(try global(w, "seen"), "{'a': 5, 'nested': {'x': 1, 'y': 2}}")
    }

    func testMissingConfigfileIsSkippedOnlyWhenConfigfileOptionGivesTheConfig() throws {
        try write("given.yaml", "a: 1\n")
        let snakefile = """
        configfile: "\(dir)/absent.yaml"
        seen = config
        """
        XCTAssertThrowsError(try load(snakefile)) { XCTAssertTrue("\($0)".contains("absent.yaml"), "\($0)") }
        try write("Snakefile", snakefile)
        var options = WorkflowOptions(snakefile: dir + "/Snakefile")
        options.configFiles = [dir + "/given.yaml"]
        XCTAssertEqual(try global(try WorkflowLoader.load(options), "seen"), "{'a': 1}")
    }

    func testRuleDirectivesBecomeTheModel() throws {
        let w = try load("""
        rule all:
            \"\"\"Everything.\"\"\"
            input: "out/a.txt"

        rule copy:
            input: main="in/{s}.txt", extra=["x.txt", "y.txt"]
            output: temp("out/{s}.txt"), log=protected("out/{s}.log")
            params: opt="-v", n=lambda w: w.s
            threads: 4
            resources: mem_mb=100
            priority: 3
            wildcard_constraints: s="[a-z]+"
            shell: "cp {input.main} {output}"

        rule:
            output: "anon.txt"
            shell: "touch {output}"
        """)
        XCTAssertEqual(w.rules.map(\.name), ["all", "copy", "3"])
        XCTAssertEqual(w.defaultTarget?.name, "all")
        XCTAssertEqual(w.rules[0].docstring, "Everything.")
        let copy = try XCTUnwrap(w.rule(named: "copy"))
        XCTAssertEqual(copy.input.map(\.name), ["main", "extra", "extra"])
        XCTAssertEqual(copy.output.items.map(\.pattern), ["out/{s}.txt", "out/{s}.log"])
        XCTAssertTrue(copy.output.items[0].flags.contains(.temp))
        XCTAssertTrue(copy.output.items[1].flags.contains(.protected))
        XCTAssertEqual(copy.output.range(named: "log"), 1..<2)
        XCTAssertEqual(copy.params.map(\.name), ["opt", "n"])
        XCTAssertEqual(copy.priority, 3)
        XCTAssertEqual(copy.wildcardConstraints, ["s": "[a-z]+"])
        guard case .shell(let cmd) = copy.action else { return XCTFail("shell action expected") }
        XCTAssertEqual(cmd, "cp {input.main} {output}")
        guard case .int(4)? = copy.threads else { return XCTFail("threads 4 expected") }
    }

    func testDuplicateRuleNamesAndDuplicateOutputsAreErrors() throws {
        XCTAssertThrowsError(try load("rule a:\n    output: \"x\"\nrule a:\n    output: \"y\"\n")) { error in
            XCTAssertTrue("\(error)".contains("already used"), "\(error)")
        }
        XCTAssertThrowsError(try load("rule a:\n    output: \"x\", \"x\"\n")) { error in
            XCTAssertTrue("\(error)".contains("Duplicate output"), "\(error)")
        }
    }

    func testRunBlockKeepsDedentedSource() throws {
        let w = try load("""
        rule r:
            output: "o.txt"
            run:
                with open(output[0], "w") as f:
                    f.write("x")
        """)
        guard case .run(let block) = try XCTUnwrap(w.rule(named: "r")).action else { return XCTFail("run: expected") }
        XCTAssertEqual(block.text.trimmingCharacters(in: .whitespacesAndNewlines),
                       "with open(output[0], \"w\") as f:\n    f.write(\"x\")")
    }

    func testIncludedRulesAreNotDefaultTargetsButAModulesFirstRuleIs() throws {
        // Snakemake 9.27.1 plans m_a here: a module is included with overwrite_default_target.
        try write("rules/extra.smk", "rule extra:\n    output: \"e.txt\"\n    shell: \"touch {output}\"\n")
        try write("mod/Snakefile", "include: \"inner.smk\"\nrule a:\n    output: \"m/x.txt\"\n    shell: \"touch {output}\"\n")
        try write("mod/inner.smk", "rule inner:\n    output: \"m/inner.txt\"\n    shell: \"touch {output}\"\n")
        let w = try load("""
        include: "rules/extra.smk"
        module m:
            snakefile: "mod/Snakefile"
        use rule * from m as m_*
        rule main:
            input: "e.txt"
        """)
        XCTAssertEqual(w.rules.map(\.name), ["extra", "m_inner", "m_a", "main"])
        XCTAssertEqual(w.defaultTarget?.name, "m_a")
        // `use rule` inside an included file: the include keeps the default target.
        try write("rules/use.smk", "module m:\n    snakefile: \"../mod/Snakefile\"\nuse rule * from m as m_*\n")
        let included = try load("""
        include: "rules/use.smk"
        rule main:
            input: "e.txt"
        """)
        XCTAssertEqual(included.defaultTarget?.name, "main")
    }

    func testUseRuleWithOverridesAndRulesReferences() throws {
        let w = try load("""
        rule base:
            output: "base.txt"
            params: p=1
            shell: "echo {params.p} > {output}"
        use rule base as derived with:
            output: "derived.txt"
        rule consumer:
            input: rules.derived.output[0]
        """)
        let derived = try XCTUnwrap(w.rule(named: "derived"))
        XCTAssertEqual(derived.output.items.map(\.pattern), ["derived.txt"])
        guard case .file(let f) = try XCTUnwrap(w.rule(named: "consumer")).input[0].item else { return XCTFail() }
        XCTAssertEqual(f.pattern, "derived.txt")
    }

    func testAnotherRulesOutputListAsANamedInputGivesEachFile() throws {
        // dna-seq-gatk-variant-calling: `idx=rules.bwa_index.output` with a multiext output, the rule
        // defined in an included file.
        try write("rules/ref.smk", "rule index:\n    output: multiext(\"g.fa\", \".amb\", \".ann\")\n    shell: \"touch {output}\"\n")
        let w = try load("""
        include: "rules/ref.smk"
        rule align:
            input:
                reads="r.fq",
                idx=rules.index.output,
            output: "a.bam"
            shell: "cat {input.idx} > {output}"
        """)
        let inputs = try XCTUnwrap(w.rule(named: "align")).input.map { entry -> String in
            guard case .file(let f) = entry.item else { return "?" }
            return "\(entry.name ?? "-")=\(f.pattern)"
        }
        XCTAssertEqual(inputs, ["reads=r.fq", "idx=g.fa.amb", "idx=g.fa.ann"])
    }

    func testSourcePathIsRelativeToTheCallingFunctionsFile() throws {
        // rna-seq-kallisto-sleuth: an input function in rules/ calls source_path("../resources/...")
        // while the DAG is built, long after its file was read.
        try write("rules/r.smk", """
        def template(name):
            return workflow.source_path(f"../resources/{name}.yaml")
        at_load = workflow.source_path("x.txt")
        """)
        let w = try load("""
        include: "rules/r.smk"
        main_level = workflow.source_path("y.txt")
        """)
        let template = try XCTUnwrap(w.interpreter.globals.get("template"))
        XCTAssertEqual(try w.interpreter.str(try w.interpreter.call(template, Arguments([.str("t")]))),
                       dir + "/rules/../resources/t.yaml")
        XCTAssertEqual(try global(w, "at_load"), "'\(dir)/rules/x.txt'")
        XCTAssertEqual(try global(w, "main_level"), "'\(dir)/y.txt'")
    }

    func testLoggerGlobalWritesToStandardError() throws {
        let captured = dir + "/stderr.txt"
        FileManager.default.createFile(atPath: captured, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: captured))
        let saved = dup(2)
        dup2(handle.fileDescriptor, 2)
        defer { dup2(saved, 2); close(saved) }
        _ = try load("""
        from snakemake.logging import logger as imported
        logger.info("%d samples in %s", 3, "sheet.tsv")
        imported.warning("plain")
        logger.debug("hidden")
        """)
        dup2(saved, 2)
        XCTAssertEqual(try String(contentsOfFile: captured, encoding: .utf8), "3 samples in sheet.tsv\nplain\n")
        XCTAssertThrowsError(try load("logger.info(\"%d\", \"x\")\n"))
    }

    func testScatterGatherExpandsOverScatterItems() throws {
        // cyrcular-calling: `gather.calling(...)`; the items are Snakemake's "i-of-N".
        let w = try load("""
        scattergather:
            split=3
        rule split:
            output: scatter.split("splitted/{scatteritem}.txt")
            shell: "touch {output}"
        parts = gather.split("processed/{scatteritem}.{ext}", ext="txt")
        """)
        XCTAssertEqual(try XCTUnwrap(w.rule(named: "split")).output.items.map(\.pattern),
                       ["splitted/1-of-3.txt", "splitted/2-of-3.txt", "splitted/3-of-3.txt"])
        XCTAssertEqual(try global(w, "parts"), "['processed/1-of-3.txt', 'processed/2-of-3.txt', 'processed/3-of-3.txt']")
        XCTAssertEqual(w.wildcardConstraints["scatteritem"], #"\d+-of-\d+"#)
        XCTAssertThrowsError(try load("x = scatter.undeclared('a/{scatteritem}')\n")) {
            XCTAssertTrue("\($0)".contains("scattergather: undeclared=N"), "\($0)")
        }
    }

    func testInputFunctionsMaySetAttributesOnWildcards() throws {
        // cyrcular-calling: `wildcards.group = ...` inside an input function.
        let w = try load("""
        def f(wildcards):
            wildcards.group = "g1"
            return wildcards.group + "/" + wildcards.sample
        """)
        let f = try XCTUnwrap(w.interpreter.globals.get("f"))
        let result = try w.interpreter.call(f, Arguments([.object(NamedListObject(wildcards: [("sample", "a")]))]))
        XCTAssertEqual(result.stringValue, "g1/a")
    }

    func testSnakemakeModulesPublishedWorkflowsImport() throws {
        // transcriptome-differential-expression imports snakemake.remote (usable only to fail, as in
        // Snakemake 9) and snakemake.exceptions, and reads workflow.configfiles.
        try write("c.yaml", "a: 1\n")
        let w = try load("""
        from snakemake.remote import FTP
        from snakemake.exceptions import WorkflowError
        configfile: "\(dir)/c.yaml"
        files = workflow.configfiles
        try:
            FTP.RemoteProvider()
        except NotImplementedError:
            remote = "raised"
        try:
            raise WorkflowError("bad")
        except WorkflowError as e:
            caught = str(e)
        """)
        XCTAssertEqual(try global(w, "files"), "['\(dir)/c.yaml']")
        XCTAssertEqual(try global(w, "remote"), "'raised'")
        XCTAssertEqual(try global(w, "caught"), "'bad'")
    }


    func testAnotherRulesOutputAsNamedInputIsEachOfItsFiles() throws {
        // Once taken as one space-joined path ("data/g.fa.amb data/g.fa.ann"), which no rule makes.
        let w = try load("""
        rule index:
            input: "data/g.fa"
            output: multiext("data/g.fa", ".amb", ".ann", ".bwt")
            shell: "touch {output}"
        rule align:
            input: reads="r.fq", idx=rules.index.output
            output: "a.bam"
            shell: "touch {output}"
        rule unnamed:
            input: rules.index.output
            output: "b.bam"
            shell: "touch {output}"
        """)
        func files(_ rule: String) throws -> [String] {
            try XCTUnwrap(w.rule(named: rule)).input.map { entry in
                guard case .file(let f) = entry.item else { XCTFail("\(entry) is not a file"); return "" }
                return (entry.name ?? "-") + ":" + f.pattern
            }
        }
        XCTAssertEqual(try files("align"), ["reads:r.fq", "idx:data/g.fa.amb", "idx:data/g.fa.ann", "idx:data/g.fa.bwt"])
        XCTAssertEqual(try files("unnamed"), ["-:data/g.fa.amb", "-:data/g.fa.ann", "-:data/g.fa.bwt"])
    }

    func testSnakemakeDagToposortGivesLayersAndRejectsCycles() throws {
        let w = try load("""
        from snakemake.dag import toposort
        layers = toposort({"job4": ["job2", "job3"], "job3": ["job1"], "job2": ["job1"]})
        ok = layers == [{"job1"}, {"job2", "job3"}, {"job4"}] and toposort({}) == [] and toposort({"a": [], "b": []}) == [{"a", "b"}]
        try:
            toposort({"a": ["b"], "b": ["a"]})
            cycle = "none"
        except ValueError as e:
            cycle = type(e).__name__
        """)
        XCTAssertEqual(try global(w, "ok"), "True")
        XCTAssertEqual(try global(w, "cycle"), "'CycleError'")
    }

    func testYTEConfigFilesAreRenderedByPythonsYte() throws {
        /// Stands in for CPython's `yte`: records what it is asked to render.
        final class FakeYTE: ForeignModuleLoader {
            var rendered: [String] = []
            func importModule(_ name: String, interpreter: Interpreter) throws -> Value? {
                guard name == "yte" else { return nil }
                return .object(PyModule("yte", [("process_yaml", .object(BuiltinFunction("process_yaml") { args, _ in
                    if case .bool(true)? = args.keyword("require_use_yte") {} else { XCTFail("yte is asked with require_use_yte=True") }
                    self.rendered.append(args.positional.first?.stringValue ?? "")
                    let d = PyDict()
                    d.set("test", .int(10))
                    return .dict(d)
                }))]))
            }
        }
        try write("config.yaml", "__use_yte__: true\n\ntest: ?5 + 5\n")
        try write("plain.yaml", "test: ?5 + 5\n")
        try write("Snakefile", "configfile: \"config.yaml\"\n")
        let yte = FakeYTE()
        var options = WorkflowOptions(snakefile: dir + "/Snakefile")
        options.foreignModules = yte
        let w = try WorkflowLoader.load(options)
        XCTAssertEqual(yte.rendered, ["__use_yte__: true\n\ntest: ?5 + 5\n"])
        XCTAssertEqual(try w.interpreter.repr(.dict(w.config)), "{'test': 10}")
        XCTAssertEqual(try w.interpreter.repr(.dict(try ConfigLoader.load(path: dir + "/plain.yaml", interpreter: w.interpreter))),
                       "{'test': '?5 + 5'}", "without __use_yte__ a '?' is just text")
        XCTAssertThrowsError(try ConfigLoader.load(path: dir + "/config.yaml")) { error in
            XCTAssertTrue("\(error)".contains("YTE template"), "\(error)")
        }
    }

    func testAllOutputsOfARuleAsANamedInputAreOneInputEach() throws {
        // `idx=rules.bwa_index.output` with a multiext output: three files named idx, each
        // produced by bwa_index (not one space-joined path).
        let w = try load("""
        rule bwa_index:
            output: multiext("data/genome.fa", ".amb", ".ann", ".bwt")
        rule map:
            input: idx=rules.bwa_index.output, ref="data/genome.fa"
            output: "mapped.txt"
        """)
        let map = try XCTUnwrap(w.rule(named: "map"))
        let inputs = map.input.map { entry -> String in
            guard case .file(let f) = entry.item else { return "?" }
            return "\(entry.name ?? "_")=\(f.pattern)"
        }
        XCTAssertEqual(inputs, ["idx=data/genome.fa.amb", "idx=data/genome.fa.ann", "idx=data/genome.fa.bwt", "ref=data/genome.fa"])
        XCTAssertEqual(map.inputProducers, [0: "bwa_index", 1: "bwa_index", 2: "bwa_index"])
    }

    func testShellFormatterFollowsSnakemake() throws {
        let interp = Interpreter()
        let input = NamedListObject(typeName: "InputFiles", paths: ["a b.txt", "c.txt"],
                                    names: [NameRange("pair", 0..<2, isSingle: false)])
        let params = NamedListObject(items: [.list(PyList([.int(1), .int(2)]))])
        let ns: [String: Value] = [
            "input": .object(input), "params": .object(params), "threads": .int(2),
            "wildcards": .object(NamedListObject(wildcards: [("s", "x"), ("n", "1")])),
        ]
        func fmt(_ t: String) throws -> String { try ShellFormatter.format(t, namespace: ns, interpreter: interp) }
        XCTAssertEqual(try fmt("cat {input} {{literal}}"), "cat a b.txt c.txt {literal}")
        XCTAssertEqual(try fmt("cat {input:q}"), "cat 'a b.txt' c.txt")
        XCTAssertEqual(try fmt("{input.pair}"), "a b.txt c.txt")
        XCTAssertEqual(try fmt("{input[1]} {params[0]} {threads}"), "c.txt 1 2 2")
        XCTAssertEqual(try fmt("{wildcards.s} {wildcards}"), "x s=x, n=1")
        XCTAssertThrowsError(try fmt("{nosuchname}")) { error in
            XCTAssertTrue("\(error)".contains("nosuchname"), "\(error)")
        }
    }

    func testCheckpointGetSignalsUntilOutputsExist() throws {
        let w = try load("""
        checkpoint split:
            output: directory("\(dir)/parts/{s}")
            shell: "mkdir -p {output}"
        def after(wildcards):
            return checkpoints.split.get(s=wildcards.s).output[0]
        """)
        let after = try XCTUnwrap(w.interpreter.globals.get("after"))
        let wildcards = Value.object(NamedListObject(wildcards: [("s", "A")]))
        XCTAssertThrowsError(try w.interpreter.call(after, Arguments([wildcards]))) { error in
            guard let e = error as? PyError, case .object(let o)? = e.value, let pending = o as? CheckpointPending else {
                return XCTFail("expected the checkpoint signal, got \(error)")
            }
            XCTAssertEqual(pending.rule, "split")
            XCTAssertEqual(pending.outputs, ["\(self.dir)/parts/A"])
        }
        try FileManager.default.createDirectory(atPath: dir + "/parts/A", withIntermediateDirectories: true)
        XCTAssertEqual(try w.interpreter.call(after, Arguments([wildcards])).pathValue, dir + "/parts/A")
    }

    func testUnknownModulesAndMissingSnakefilesGiveClearErrors() throws {
        XCTAssertThrowsError(try load("import pandas\n")) { error in
            XCTAssertTrue("\(error)".contains("module 'pandas' is not available in flow"), "\(error)")
        }
        XCTAssertThrowsError(try load("q = []\nrule all:\n    input: from_queue(q, finish_sentinel=None)\n")) { error in
            XCTAssertTrue("\(error)".contains("from_queue(): inputs fed from a queue while the workflow runs are not supported"), "\(error)")
        }
        XCTAssertThrowsError(try WorkflowLoader.load(WorkflowOptions(snakefile: dir + "/missing/Snakefile"))) { error in
            XCTAssertTrue("\(error)".contains("not found"), "\(error)")
        }
    }
}
