import Foundation
import FlowDAG
import FlowSyntax
import FlowStorage
import FlowLang
import FlowWorkflow
import XCTest

final class DAGTests: XCTestCase {
    func testFanoutBuildsOneJobPerSample() throws {
        let samples = ["a", "b", "c"]
        let wf = makeWorkflow([
            makeRule("all", input: samples.map { "out/\($0).txt" }, shell: nil),
            makeRule("copy", input: ["in/{sample}.txt"], output: ["out/{sample}.txt"]),
        ])
        let disk = InMemoryStorage(Dictionary(uniqueKeysWithValues: samples.map { ("in/\($0).txt", 1.0) }))
        let dag = try DAG(workflow: wf, disk: disk)
        XCTAssertEqual(dag.jobs.count, 4)
        let all = dag.targetJobs[0]
        XCTAssertEqual(dag.ruleName(of: all), "all")
        XCTAssertEqual(dag.jobs[all].dependencies.count, 3)
        let b = try XCTUnwrap(dag.job(producing: "out/b.txt"))
        XCTAssertEqual(dag.wildcards(of: b), ["sample": "b"])
        XCTAssertEqual(dag.inputPaths(of: b), ["in/b.txt"])
        XCTAssertEqual(dag.jobKey(b), "copy[sample=b]")
        let order = dag.topologicalOrder()
        XCTAssertEqual(order.last, all)
        XCTAssertEqual(dag.jobCounts(Array(dag.jobs.indices)).map(\.rule), ["all", "copy"])
    }

    func testJobsAreDeduplicatedAcrossOutputs() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["r/x.a", "r/x.b", "s/x.c"], shell: nil),
            makeRule("pair", output: ["r/{n}.a", "r/{n}.b"]),
            makeRule("use", input: ["r/{n}.a", "r/{n}.b"], output: ["s/{n}.c"]),
        ])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage())
        XCTAssertEqual(dag.jobs.count, 3)
        let pair = try XCTUnwrap(dag.job(producing: "r/x.b"))
        XCTAssertEqual(dag.job(producing: "r/x.a"), pair)
        let use = try XCTUnwrap(dag.job(producing: "s/x.c"))
        XCTAssertEqual(dag.jobs[use].dependencies, [pair])
    }

    func testTargetsByFileAndRuleName() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["out/a.txt"], shell: nil),
            makeRule("copy", input: ["in/{s}.txt"], output: ["out/{s}.txt"]),
            makeRule("hello", output: ["hello.txt"]),
        ])
        let disk = InMemoryStorage(["in/z.txt": 1, "in/a.txt": 1])
        let dag = try DAG(workflow: wf, disk: disk, targets: ["out/z.txt", "hello"])
        XCTAssertEqual(dag.targetJobs.map { dag.jobKey($0) }, ["copy[s=z]", "hello"])
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: disk, targets: ["nothing.txt"])) {
            XCTAssertTrue($0.contains("No rule to produce nothing.txt"), $0)
        }
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: disk, targets: ["copy"])) {
            XCTAssertTrue($0.contains("Target rules may not contain wildcards"), $0)
        }
        // An existing file nobody produces is a fine target: nothing to do.
        XCTAssertEqual(try DAG(workflow: wf, disk: disk, targets: ["in/z.txt"]).jobs.count, 0)
    }

    func testRuleOrderDecidesAndAmbiguityIsAnError() throws {
        let rules = [
            makeRule("all", input: ["x.out"], shell: nil),
            makeRule("a", input: ["{n}.in"], output: ["{n}.out"]),
            makeRule("b", input: ["{n}.raw"], output: ["{n}.out"]),
        ]
        let disk = InMemoryStorage(["x.in": 1, "x.raw": 1])
        XCTAssertThrowsDAGError(try DAG(workflow: makeWorkflow(rules), disk: disk)) {
            XCTAssertTrue($0.contains("Rules a and b are ambiguous for the file x.out"), $0)
            XCTAssertTrue($0.contains("ruleorder"), $0)
        }
        let ordered = makeWorkflow(rules) { $0.ruleOrder = [["b", "a"]] }
        let dag = try DAG(workflow: ordered, disk: disk)
        XCTAssertEqual(dag.job(producing: "x.out").map { dag.ruleName(of: $0) }, "b")
        // A later clause overrides an earlier one.
        let reordered = makeWorkflow(rules) { $0.ruleOrder = [["b", "a"], ["a", "b"]] }
        let dag2 = try DAG(workflow: reordered, disk: disk)
        XCTAssertEqual(dag2.job(producing: "x.out").map { dag2.ruleName(of: $0) }, "a")
    }

    func testRuleWithoutWildcardsBeatsRuleWithWildcards() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["special.out"], shell: nil),
            makeRule("generic", output: ["{n}.out"]),
            makeRule("special", output: ["special.out"]),
        ])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage())
        XCTAssertEqual(dag.job(producing: "special.out").map { dag.ruleName(of: $0) }, "special")
        XCTAssertEqual(dag.jobs.count, 2)
    }

    func testCandidateWithUnresolvableInputIsSkipped() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["x.out"], shell: nil),
            makeRule("fromIn", input: ["{n}.in"], output: ["{n}.out"]),
            makeRule("fromRaw", input: ["{n}.raw"], output: ["{n}.out"]),
            makeRule("deep", input: ["{n}.missing"], output: ["{n}.in"]),
        ])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage(["x.raw": 1]))
        XCTAssertEqual(dag.job(producing: "x.out").map { dag.ruleName(of: $0) }, "fromRaw")
        // The failed candidate's subtree was rolled back.
        XCTAssertEqual(dag.jobs.count, 2)
        XCTAssertNil(dag.job(producing: "x.in"))
    }

    func testMissingInputErrorText() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["out/a.txt"], shell: nil),
            makeRule("copy", input: ["in/{sample}.txt"], output: ["out/{sample}.txt"]),
        ])
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: InMemoryStorage())) { text in
            XCTAssertTrue(text.contains("Missing input files for rule copy:"), text)
            XCTAssertTrue(text.contains("output: out/a.txt"), text)
            XCTAssertTrue(text.contains("wildcards: sample=a"), text)
            XCTAssertTrue(text.contains("affected files:\n        in/a.txt"), text)
        }
    }

    func testInputWildcardNotInOutputIsAnError() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["out/a.txt"], shell: nil),
            makeRule("copy", input: ["in/{other}.txt"], output: ["out/{sample}.txt"]),
        ])
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: InMemoryStorage())) {
            XCTAssertTrue($0.contains("rule copy"), $0)
            XCTAssertTrue($0.contains("'other'"), $0)
        }
    }

    func testCycleIsReportedWithItsPath() throws {
        let wf = makeWorkflow([
            makeRule("all", input: ["x.a"], shell: nil),
            makeRule("ab", input: ["{n}.b"], output: ["{n}.a"]),
            makeRule("ba", input: ["{n}.a"], output: ["{n}.b"]),
        ])
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: InMemoryStorage())) { text in
            XCTAssertTrue(text.contains("Cyclic dependency on rule"), text)
            XCTAssertTrue(text.contains("ab (x.a) -> ba (x.b) -> ab (x.a)"), text)
        }
        // A rule consuming its own output pattern is a cycle too, but an existing file breaks it.
        let selfLoop = makeWorkflow([
            makeRule("all", input: ["x.txt"], shell: nil),
            makeRule("loop", input: ["{n}.txt"], output: ["{n}.txt"]),
        ])
        XCTAssertThrowsDAGError(try DAG(workflow: selfLoop, disk: InMemoryStorage())) {
            XCTAssertTrue($0.contains("Cyclic dependency on rule loop"), $0)
        }
        XCTAssertEqual(try DAG(workflow: selfLoop, disk: InMemoryStorage(["x.txt": 1])).jobs.count, 1)
    }

    func testOutputInsideAnotherJobsDirectoryOutputIsAnError() throws {
        let wf = makeWorkflow([
            makeRule("normal", output: ["some/dir"], outputFlags: [.directory]),
            makeRule("child_to_other", input: ["some/dir"], output: ["some/dir/child"]),
            makeRule("sibling", input: ["some/dir"], output: ["some/dir-child"]),
        ])
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: InMemoryStorage(), targets: ["some/dir/child"])) {
            XCTAssertTrue($0.contains("ChildIOException"), $0)
            XCTAssertTrue($0.contains("some/dir (output of rule normal)"), $0)
        }
        XCTAssertEqual(try DAG(workflow: wf, disk: InMemoryStorage(), targets: ["some/dir-child"]).jobs.count, 2,
                       "a shared name prefix is no parent directory")
    }

    func testBeforeUpdateInputOfItsOwnUpdateOutputIsNoCycle() throws {
        // rule a reads test.txt as it is and update()s it: a is still test.txt's producer.
        let wf = makeWorkflow([
            makeRule("all", input: ["test.txt"], shell: nil),
            makeRule("a", input: ["test.txt"], output: ["test.txt"], outputFlags: [.update], inputFlags: [.beforeUpdate]),
        ])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage(["test.txt": 1]))
        XCTAssertEqual(dag.jobs.count, 2)
        XCTAssertNotNil(dag.job(producing: "test.txt"))
    }

    func testInputFunctionsAndNamedInputs() throws {
        var use = makeRule("use", output: ["res/{s}.txt"])
        use.input = [
            ("ref", .file(IOFile("ref.fa"))),
            ("reads", .function(inputFunction { w in
                .list(PyList([.str("data/\(wildcard(w, "s"))_1.fq"), .tuple([.str("data/{s}_2.fq")])]))
            }, flags: [])),
            (nil, .function(inputFunction { w in .str("extra/\(wildcard(w, "s"))") }, flags: [.ancient])),
        ]
        let wf = makeWorkflow([makeRule("all", input: ["res/A.txt"], shell: nil), use])
        let disk = InMemoryStorage(["ref.fa": 1, "data/A_1.fq": 1, "data/A_2.fq": 1, "extra/A": 1])
        let dag = try DAG(workflow: wf, disk: disk)
        let j = try XCTUnwrap(dag.job(producing: "res/A.txt"))
        XCTAssertEqual(dag.inputPaths(of: j), ["ref.fa", "data/A_1.fq", "data/A_2.fq", "extra/A"])
        XCTAssertEqual(dag.jobs[j].inputNames.map(\.name), ["ref", "reads"])
        XCTAssertEqual(dag.jobs[j].inputNames[1].range, 1..<3)
        XCTAssertTrue(dag.jobs[j].flags(ofInput: 3).contains(.ancient))
        let input = dag.inputObject(j)
        XCTAssertEqual(input.stringValue, "ref.fa data/A_1.fq data/A_2.fq extra/A")
        XCTAssertEqual(input.value(named: "ref")?.stringValue, "ref.fa")
    }

    func testALogIsProducedByItsRule() throws {
        // rna-seq-star-deseq2: multiqc reads the logs of rseqc jobs (Snakemake's Rule.products()).
        let wf = makeWorkflow([
            makeRule("all", input: ["report.html"], shell: nil),
            makeRule("qc", input: ["bam/{s}.bam"], output: ["qc/{s}.bed"], log: ["logs/qc/{s}.log"]),
            makeRule("report", input: ["logs/qc/a.log", "logs/qc/b.log"], output: ["report.html"]),
        ])
        let disk = InMemoryStorage(["bam/a.bam": 1, "bam/b.bam": 1])
        let dag = try DAG(workflow: wf, disk: disk)
        let report = try XCTUnwrap(dag.job(producing: "report.html"))
        XCTAssertEqual(dag.jobs[report].dependencies.map { dag.jobKey($0) }.sorted(), ["qc[s=a]", "qc[s=b]"])
    }

    func testTrailingSlashesAreRemovedFromPatternsAndFunctionResults() throws {
        var consumer = makeRule("consume", output: ["sum.txt"])
        consumer.input = [(nil, .function(inputFunction { _ in .str("reports/x/") }, flags: []))]
        let wf = makeWorkflow([
            makeRule("all", input: ["sum.txt", "reports/y/"], shell: nil),
            makeRule("report", output: ["reports/{name}/"], outputFlags: [.directory]),
            consumer,
        ])
        XCTAssertEqual(wf.rules[1].output.items.map(\.pattern), ["reports/{name}"])
        let dag = try DAG(workflow: wf, disk: InMemoryStorage())
        XCTAssertEqual(dag.jobs.count, 4)
        let sum = try XCTUnwrap(dag.job(producing: "sum.txt"))
        XCTAssertEqual(dag.inputPaths(of: sum), ["reports/x"])
        XCTAssertEqual(dag.jobs[sum].dependencies.map { dag.jobKey($0) }, ["report[name=x]"])
        XCTAssertNotNil(dag.job(producing: "reports/y"))
    }

    func testUnpackDictAndList() throws {
        var r = makeRule("r", output: ["o/{x}"])
        r.input = [
            (nil, .unpack(inputFunction { w in
                let d = PyDict()
                d.set("a", .str("in/\(wildcard(w, "x")).a"))
                d.set("b", .list(PyList([.str("in/b1"), .str("in/b2")])))
                return .dict(d)
            })),
            (nil, .unpack(inputFunction { _ in .list(PyList([.str("in/c")])) })),
        ]
        let wf = makeWorkflow([makeRule("all", input: ["o/1"], shell: nil), r])
        let disk = InMemoryStorage(["in/1.a": 1, "in/b1": 1, "in/b2": 1, "in/c": 1])
        let dag = try DAG(workflow: wf, disk: disk)
        let j = try XCTUnwrap(dag.job(producing: "o/1"))
        XCTAssertEqual(dag.inputPaths(of: j), ["in/1.a", "in/b1", "in/b2", "in/c"])
        XCTAssertEqual(dag.jobs[j].inputNames, [NameRange("a", 0..<1, isSingle: true), NameRange("b", 1..<3, isSingle: false)])
    }

    func testInputFunctionErrorNamesRuleAndWildcards() throws {
        var r = makeRule("r", output: ["o/{x}"])
        r.input = [(nil, .function(inputFunction { _ in throw PyError.key("'nope'") }, flags: []))]
        let wf = makeWorkflow([makeRule("all", input: ["o/1"], shell: nil), r])
        XCTAssertThrowsDAGError(try DAG(workflow: wf, disk: InMemoryStorage())) {
            XCTAssertTrue($0.contains("InputFunctionException in rule r"), $0)
            XCTAssertTrue($0.contains("KeyError"), $0)
            XCTAssertTrue($0.contains("x=1"), $0)
        }
    }

    func testDanglingSymlinkInputIsMissing() throws {
        let dir = NSTemporaryDirectory() + "flow-dag-dangling-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/in.txt", withDestinationPath: dir + "/nowhere")
        let wf = makeWorkflow([makeRule("use", input: [dir + "/in.txt"], output: [dir + "/out.txt"])])
        let storage = Storage(local: PosixStorage())
        XCTAssertThrowsDAGError(try DAG(workflow: wf, storage: storage)) {
            XCTAssertTrue($0.contains("MissingInputException in rule use"), $0)
            XCTAssertTrue($0.contains(dir + "/in.txt"), $0)
        }
        // Once the link points at a file, the input is there.
        FileManager.default.createFile(atPath: dir + "/nowhere", contents: Data("x".utf8))
        XCTAssertEqual(try DAG(workflow: wf, storage: storage).jobs.count, 1)
    }

    func testRuleErrorsNameTheSnakefileAndLine() throws {
        func rule(_ name: String, line: Int, input: [String] = [], output: [String] = [], log: [String] = []) -> Rule {
            var r = makeRule(name, input: input, output: output, log: log)
            r.file = SourceFile(path: "/work/Snakefile", text: "")
            r.line = line
            return r
        }
        XCTAssertThrowsDAGError(try DAG(workflow: makeWorkflow([rule("a", line: 7, input: ["in.txt"], output: ["o"])]),
                                        disk: InMemoryStorage())) {
            XCTAssertTrue($0.hasPrefix("MissingInputException in rule a in file \"/work/Snakefile\", line 7:\n"), $0)
        }
        let cycle = makeWorkflow([rule("all", line: 1, input: ["x.a"]), rule("a", line: 3, input: ["{n}.b"], output: ["{n}.a"]),
                                  rule("b", line: 9, input: ["{n}.a"], output: ["{n}.b"])])
        XCTAssertThrowsDAGError(try DAG(workflow: cycle, disk: InMemoryStorage())) {
            XCTAssertTrue($0.contains("CyclicGraphException in rule "), $0)
            XCTAssertTrue($0.contains(" in file \"/work/Snakefile\", line 3:") || $0.contains(" in file \"/work/Snakefile\", line 9:"), $0)
        }
        let wildcard = makeWorkflow([rule("w", line: 12, output: ["o.txt"], log: ["{x}.log"])])
        XCTAssertThrowsDAGError(try DAG(workflow: wildcard, disk: InMemoryStorage())) {
            XCTAssertTrue($0.hasPrefix("WildcardError in rule w in file \"/work/Snakefile\", line 12:\n"), $0)
        }
    }

    func testChainOfDepth10000() throws {
        let depth = 10_000
        let wf = makeWorkflow([
            makeRule("all", input: ["c/\(depth).txt"], shell: nil),
            makeRule("step", input: ["c/{i}.prev"], output: ["c/{i}.txt"]),
            makeRule("link", output: ["c/{i}.prev"], body: { r in
                r.input = [(nil, .function(inputFunction { w in
                    let i = Int(wildcard(w, "i"))!
                    return .str(i == 0 ? "seed" : "c/\(i - 1).txt")
                }, flags: []))]
            }),
        ]) { $0.wildcardConstraints = ["i": "\\d+"] }
        let dag = try DAG(workflow: wf, disk: InMemoryStorage(["seed": 1]))
        XCTAssertEqual(dag.jobs.count, 2 * (depth + 1) + 1)
        XCTAssertEqual(dag.topologicalOrder().count, dag.jobs.count)
        let plan = try Plan(dag: dag)
        XCTAssertEqual(plan.runJobs.count, dag.jobs.count)
    }

    func testCheckpointPendingAndReevaluate() throws {
        // checkpoint split: produces a directory; aggregate's input function asks for its content.
        let disk = InMemoryStorage(["in.txt": 1])
        var aggregate = makeRule("aggregate", output: ["agg.txt"])
        aggregate.input = [(nil, .function(inputFunction { _ in
            guard disk.contains("split") else { throw IncompleteCheckpoint(rule: "split", targetFile: "split") }
            return .list(PyList([.str("proc/1.txt"), .str("proc/2.txt")]))
        }, flags: []))]
        var split = makeRule("split", input: ["in.txt"], output: ["split"], outputFlags: [.directory])
        split.isCheckpoint = true
        let wf = makeWorkflow([
            makeRule("all", input: ["agg.txt"], shell: nil),
            aggregate, split,
            makeRule("process", input: ["split"], output: ["proc/{i}.txt"]),
        ])
        let dag = try DAG(workflow: wf, disk: disk)
        let agg = try XCTUnwrap(dag.job(producing: "agg.txt"))
        let cp = try XCTUnwrap(dag.job(producing: "split"))
        XCTAssertTrue(dag.jobs[agg].isPendingCheckpoint)
        XCTAssertEqual(dag.jobs[agg].dependencies, [cp])
        XCTAssertEqual(dag.jobsPending(onCheckpoint: cp), [agg])
        let plan = try Plan(dag: dag)
        XCTAssertEqual(Set(plan.runJobs), [0, 1, 2])

        // The checkpoint ran.
        disk.touch("split", mtime: 5, isDirectory: true)
        let changed = try dag.reevaluate(afterCheckpoint: cp)
        XCTAssertFalse(dag.jobs[agg].isPendingCheckpoint)
        XCTAssertEqual(dag.inputPaths(of: agg), ["proc/1.txt", "proc/2.txt"])
        XCTAssertEqual(changed.count, 3)
        XCTAssertEqual(dag.jobs.count, 5)
        let added = plan.update(with: changed)
        XCTAssertEqual(added.map { dag.jobKey($0) }.sorted(), ["process[i=1]", "process[i=2]"])
        XCTAssertTrue(plan.needsRun[agg])
        XCTAssertEqual(plan.pendingDependencyCounts()[agg], 2)
        XCTAssertEqual(plan.reasonText(of: added[0]),
                       "Missing output files: \(dag.outputPaths(of: added[0])[0]); Input files updated by another job: split")
    }

    func testCheckpointPerSampleKeepsReverseEdgesConsistent() throws {
        let disk = InMemoryStorage()
        let samples = (0..<40).map { "s\($0)" }
        var agg = makeRule("agg", output: ["agg/{s}.txt"])
        agg.input = [(nil, .function(inputFunction { w in
            let s = wildcard(w, "s")
            guard disk.contains("cp/\(s)") else { throw IncompleteCheckpoint(rule: "cp", targetFile: "cp/\(s)") }
            return .list(PyList([.str("proc/\(s)/1.txt"), .str("proc/\(s)/2.txt")]))
        }, flags: []))]
        var cp = makeRule("cp", output: ["cp/{s}"])
        cp.isCheckpoint = true
        let wf = makeWorkflow([
            makeRule("all", input: samples.map { "agg/\($0).txt" }, shell: nil),
            agg, cp,
            makeRule("proc", input: ["cp/{s}"], output: ["proc/{s}/{i}.txt"]),
        ])
        let dag = try DAG(workflow: wf, disk: disk)
        let plan = try Plan(dag: dag)
        XCTAssertEqual(plan.runJobs.count, 1 + 2 * samples.count)
        var changed: [JobID] = []
        for s in samples {
            disk.touch("cp/\(s)", mtime: 2)
            let checkpointJob = try XCTUnwrap(dag.job(producing: "cp/\(s)"))
            changed += try dag.reevaluate(afterCheckpoint: checkpointJob)
            // Reverse edges stay exact while patched.
            var expected = [[JobID]](repeating: [], count: dag.jobs.count)
            for (k, job) in dag.jobs.enumerated() { for d in job.dependencies { expected[d].append(k) } }
            for j in dag.jobs.indices { XCTAssertEqual(Set(dag.dependents(of: j)), Set(expected[j]), "job \(dag.jobKey(j))") }
        }
        let added = plan.update(with: changed)
        XCTAssertEqual(added.count, 2 * samples.count)
        XCTAssertEqual(plan.runJobs.count, 1 + 4 * samples.count)
        XCTAssertEqual(dag.topologicalOrder().count, dag.jobs.count)
    }

    func testNamedListObject() throws {
        let interp = Interpreter()
        let w = NamedListObject(wildcards: [("sample", "A"), ("n", "3")])
        XCTAssertEqual(try w.getAttribute("sample", interpreter: interp)?.stringValue, "A")
        XCTAssertEqual(try w.getItem(.str("n"), interpreter: interp).stringValue, "3")
        XCTAssertEqual(try w.getItem(.int(-1), interpreter: interp).stringValue, "3")
        XCTAssertThrowsError(try w.getItem(.str("zzz"), interpreter: interp))
        XCTAssertNil(try w.getAttribute("zzz", interpreter: interp))
        let get = try XCTUnwrap(try w.getAttribute("get", interpreter: interp))
        XCTAssertEqual(try interp.call(get, Arguments([.str("zzz"), .str("dflt")])).stringValue, "dflt")
        let keys = try interp.call(try XCTUnwrap(try w.getAttribute("keys", interpreter: interp)), Arguments())
        guard case .list(let l) = keys else { return XCTFail() }
        XCTAssertEqual(l.items.compactMap(\.stringValue), ["sample", "n"])
        XCTAssertEqual(try w.length(interpreter: interp), 2)
        XCTAssertTrue(try w.contains(.str("A"), interpreter: interp))
        XCTAssertEqual(w.stringValue, "A 3")
        XCTAssertEqual(try w.repr(interpreter: interp), "['A', '3']")
        let it = try w.makeIterator(interpreter: interp)
        XCTAssertEqual(try it.next(interpreter: interp)?.stringValue, "A")
        let input = NamedListObject(typeName: "InputFiles", paths: ["a", "b", "c"], names: [NameRange("pair", 1..<3, isSingle: false)])
        // A named range is itself a Namedlist (str() joins with spaces, as in Snakemake's shell formatting).
        guard case .object(let o)? = input.value(named: "pair"), let pair = o as? NamedListObject else { return XCTFail() }
        XCTAssertEqual(pair.items.compactMap(\.stringValue), ["b", "c"])
        XCTAssertEqual(pair.stringValue, "b c")
    }
}
