// Pins Snakemake's storage language in flow: `storage:` declarations, `storage(...)` /
// `storage.NAME(...)` queries, the default storage provider, and the Snakefile helpers that ask
// the workflow's Storage (here in memory: plain paths in one store, `mem://` URLs in another).

import Foundation
import XCTest
import FlowLang
import FlowStorage
@testable import FlowWorkflow

final class StorageLanguageTests: XCTestCase {
    private var dir = ""
    private var local = InMemoryStorage()
    private var remote = InMemoryStorage()

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-storage-language-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        local = InMemoryStorage()
        remote = InMemoryStorage()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func load(_ snakefile: String, defaultProvider: String? = nil, defaultPrefix: String? = nil) throws -> Workflow {
        try snakefile.write(toFile: dir + "/Snakefile", atomically: true, encoding: .utf8)
        var options = WorkflowOptions(snakefile: dir + "/Snakefile")
        options.storage = Storage(local: local, adapters: ["mem": remote])
        options.defaultStorageProvider = defaultProvider
        options.defaultStoragePrefix = defaultPrefix
        return try WorkflowLoader.load(options)
    }

    private func global(_ w: Workflow, _ name: String) throws -> String {
        try w.interpreter.repr(try XCTUnwrap(w.interpreter.globals.get(name)))
    }

    /// The error loading `snakefile` raises: its message and the Snakefile line it names.
    private func loadError(_ snakefile: String, defaultProvider: String? = nil, defaultPrefix: String? = nil,
                           file: StaticString = #filePath, line: UInt = #line) -> (message: String, line: Int?) {
        do {
            _ = try load(snakefile, defaultProvider: defaultProvider, defaultPrefix: defaultPrefix)
            XCTFail("expected an error", file: file, line: line)
            return ("", nil)
        } catch let e as PyError {
            return (e.message, e.traceback.first?.location.line)
        } catch {
            return ("\(error)", nil)
        }
    }

    // MARK: Helpers through storage

    func testGlobWildcardsListsPlainPathsAndURLsThroughStorage() throws {
        for path in ["data/a.fq", "data/b.fq", "data/sub/c.fq", "data/skip.txt", "data/d1/x.txt", "elsewhere/z.fq"] {
            local.write(path, [])
        }
        for path in ["mem://bkt/data/s1.fq", "mem://bkt/data/s2.fq", "mem://bkt/data/deep/s3.fq", "mem://bkt/other/s4.fq"] {
            remote.write(path, [])
        }
        let w = try load("""
        samples = glob_wildcards("data/{sample}.fq").sample
        top = glob_wildcards("./data/{sample,[^/]+}.fq").sample
        names = glob_wildcards("data/{name}").name
        remote = glob_wildcards("mem://bkt/data/{sample}.fq").sample
        flagged = glob_wildcards(storage("mem://bkt/data/{sample,[^/]+}.fq")).sample
        """)
        XCTAssertEqual(try global(w, "samples"), "['a', 'b', 'sub/c']")
        XCTAssertEqual(try global(w, "top"), "['a', 'b']")
        // Directories match too, as in Snakemake (os.walk's dirnames): each directory's entries,
        // then its subdirectories.
        XCTAssertEqual(try global(w, "names"), "['a.fq', 'b.fq', 'd1', 'skip.txt', 'sub', 'd1/x.txt', 'sub/c.fq']")
        XCTAssertEqual(try global(w, "remote"), "['deep/s3', 's1', 's2']")
        XCTAssertEqual(try global(w, "flagged"), "['s1', 's2']")
    }

    func testGlobWildcardsOverAnUnservableSchemeNamesTheLine() {
        let error = loadError("x = 1\nW = glob_wildcards(\"s4://bkt/{s}.txt\")\n")
        XCTAssertEqual(error.line, 2)
        XCTAssertTrue(error.message.contains("unknown storage scheme 's4://'"), error.message)
    }

    func testExistsSizesAndCheckpointsAskStorage() throws {
        local.touch("in/x.txt", mtime: 1, size: 3 * 1_048_576)
        remote.write("mem://b/y.txt", [1, 2, 3, 4])
        remote.write("mem://b/ck.txt", [1, 2, 3])
        let w = try load("""
        here = [exists("in/x.txt"), exists("in/none.txt"), exists("mem://b/y.txt"), exists("mem://b/none")]

        rule r:
            input: "in/x.txt", "mem://b/y.txt"
            output: "out.txt"
            shell: "x"

        sizes = [rules.r.input.size, rules.r.input.size_mb, rules.r.input.size_files]

        checkpoint c:
            output: "mem://b/ck.txt"
            shell: "x"

        ck = checkpoints.c.get().output[0]
        ck_facts = [ck.exists(), ck.size]
        """)
        XCTAssertEqual(try global(w, "here"), "[True, False, True, False]")
        XCTAssertEqual(try global(w, "sizes"), "[3145732, 3.0000038146972656, [3145728, 4]]")
        XCTAssertEqual(try global(w, "ck"), "'mem://b/ck.txt'")
        XCTAssertEqual(try global(w, "ck_facts"), "[True, 3]")
    }

    // MARK: Declarations and queries

    func testStorageDirectivesAreRecorded() throws {
        let w = try load("""
        storage:
            provider="gcs",
            max_requests_per_second=10

        storage web:
            provider="http",
            keep_local=True
        """)
        XCTAssertEqual(w.storageProviders.map(\.tag), [nil, "web"])
        XCTAssertEqual(w.storageProviders.map(\.provider), ["gcs", "http"])
        XCTAssertEqual(w.storageProviders.map(\.line), [1, 5])
        XCTAssertEqual(w.storageProviders[0].settings.keys.sorted(), ["max_requests_per_second"])
        XCTAssertEqual(try w.interpreter.repr(w.storageProviders[1].settings["keep_local"]!), "True")

        let missing = loadError("x = 1\nstorage:\n    retries=3\n")
        XCTAssertTrue(missing.message.contains("provider=\"...\""), missing.message)
        XCTAssertEqual(missing.line, 2)
    }

    func testStorageQueriesAreFlaggedStorageFiles() throws {
        let w = try load("""
        storage tagged:
            provider="mem"

        q = storage("mem://b/a.txt")
        facts = [str(q), q.flags]

        rule r:
            input: storage("mem://b/{x}.txt"), storage.tagged("mem://b/{x}.idx", retrieve=False), plain="mem://b/{x}.raw"
            output: storage(["mem://b/out/{x}.txt"], keep_local=True), "local/{x}.txt"
            shell: "x"
        """)
        XCTAssertEqual(try global(w, "facts"), "['mem://b/a.txt', {'storage_object': True}]")
        let r = try XCTUnwrap(w.rule(named: "r"))
        let inputs = r.input.compactMap { item -> IOFile? in if case .file(let f) = item.item { return f } else { return nil } }
        XCTAssertEqual(inputs.map(\.pattern), ["mem://b/{x}.txt", "mem://b/{x}.idx", "mem://b/{x}.raw"])
        XCTAssertEqual(inputs.map(\.flags), [.storage, [.storage, .noRetrieve], .storage])
        XCTAssertEqual(r.output.items.map(\.flags), [[.storage, .keepLocal], []])
    }

    func testUnservableQueriesAreErrorsAtTheSnakefileLine() {
        let unknown = loadError("x = 1\n\ny = storage(\"s4://bucket/{x}.txt\")\n")
        XCTAssertEqual(unknown.line, 3)
        XCTAssertTrue(unknown.message.contains("unknown storage scheme 's4://'"), unknown.message)
        XCTAssertTrue(unknown.message.contains("known: "), unknown.message)
        XCTAssertTrue(unknown.message.contains("gs://") && unknown.message.contains("mem://"), unknown.message)

        let inRule = loadError("rule a:\n    output: 'x'\n    shell: 'x'\n\nrule b:\n    input:\n        storage('s4://y')\n    shell: 'x'\n")
        XCTAssertEqual(inRule.line, 7)

        let unavailable = loadError("y = storage.gcs(\"gs://bucket/x.txt\")\n")
        XCTAssertEqual(unavailable.line, 1)
        XCTAssertTrue(unavailable.message.contains("not available in this build"), unavailable.message)

        let noScheme = loadError("y = storage(\"data/x.txt\")\n")
        XCTAssertTrue(noScheme.message.contains("no URL scheme"), noScheme.message)

        let undeclared = loadError("x = 1\ny = storage.nosuch(\"mem://b/x\")\n")
        XCTAssertEqual(undeclared.line, 2)
        XCTAssertTrue(undeclared.message.contains("'nosuch' is neither a declared storage tag"), undeclared.message)

        let wrongProvider = loadError("y = storage.gcs(\"root://host//x\")\n")
        XCTAssertTrue(wrongProvider.message.contains("not a valid gcs query"), wrongProvider.message)

        let both = loadError("y = local(storage(\"mem://b/x\"))\n")
        XCTAssertTrue(both.message.contains("mutually exclusive"), both.message)
    }

    // MARK: Default storage

    func testDefaultStorageMapsRulePathsExceptLocalOnes() throws {
        remote.write("mem://bkt/run1/data/in.csv", [1])
        let w = try load("""
        rule all:
            input: "results/a.txt", local("local/b.txt")

        rule make:
            input: "data/{x}.csv", lambda w: "fn/" + w.x
            output: "results/{x}.txt", protected("./results/{x}.log")
            log: "logs/{x}.log"
            benchmark: "bench/{x}.tsv"
            shell: "x"

        rule again:
            input: rules.make.output[0], "mem://elsewhere/y.txt"
            output: "u.txt"
            shell: "x"

        found = [exists("data/in.csv"), exists(local("data/in.csv"))]
        """, defaultProvider: "mem", defaultPrefix: "mem://bkt/run1/")
        XCTAssertEqual(w.defaultStorage, DefaultStorage(provider: "mem", prefix: "mem://bkt/run1"))
        func files(_ rule: String) throws -> [IOFile] {
            try XCTUnwrap(w.rule(named: rule)).input.compactMap { if case .file(let f) = $0.item { return f } else { return nil } }
        }
        XCTAssertEqual(try files("all").map(\.pattern), ["mem://bkt/run1/results/a.txt", "local/b.txt"])
        XCTAssertEqual(try files("all").map(\.flags), [.storage, .local])
        let make = try XCTUnwrap(w.rule(named: "make"))
        XCTAssertEqual(try files("make").map(\.pattern), ["mem://bkt/run1/data/{x}.csv"])
        XCTAssertEqual(make.output.items.map(\.pattern), ["mem://bkt/run1/results/{x}.txt", "mem://bkt/run1/results/{x}.log"])
        XCTAssertEqual(make.output.items[1].flags, [.protected, .storage])
        XCTAssertEqual(make.log.items.map(\.pattern), ["mem://bkt/run1/logs/{x}.log"])
        XCTAssertEqual(make.benchmark?.pattern, "mem://bkt/run1/bench/{x}.tsv")
        // A rule's output used by another rule, and a query written out, are not prefixed twice.
        XCTAssertEqual(try files("again").map(\.pattern), ["mem://bkt/run1/results/{x}.txt", "mem://elsewhere/y.txt"])
        XCTAssertEqual(try global(w, "found"), "[True, False]")
        // What the DAG applies to input functions' results and file targets.
        XCTAssertEqual(w.applyDefaultStorage(to: "fn/../fn/a").path, "mem://bkt/run1/fn/a")
        XCTAssertEqual(w.applyDefaultStorage(to: "keep.txt", flags: .local).path, "keep.txt")
    }

    func testDefaultStorageMapsModuleRulesAfterTheirPrefix() throws {
        try "rule a:\n    input: 'in/{x}.txt'\n    output: 'out/{x}.txt'\n    shell: 'x'\n"
            .write(toFile: dir + "/other.smk", atomically: true, encoding: .utf8)
        let w = try load("""
        module m:
            snakefile: "other.smk"
            prefix: "p"

        use rule * from m as m_*
        """, defaultProvider: "mem", defaultPrefix: "mem://bkt/run1")
        let rule = try XCTUnwrap(w.rule(named: "m_a"))
        XCTAssertEqual(rule.output.items.map(\.pattern), ["mem://bkt/run1/p/out/{x}.txt"])
        guard case .file(let input) = rule.input[0].item else { return XCTFail("expected a file input") }
        XCTAssertEqual(input.pattern, "mem://bkt/run1/p/in/{x}.txt")
    }

    func testDefaultStoragePrefixMustBeServable() throws {
        let unknown = loadError("x = 1\n", defaultProvider: "s4", defaultPrefix: "s4://bkt/run")
        XCTAssertTrue(unknown.message.hasPrefix("--default-storage-prefix s4://bkt/run: unknown storage scheme 's4://'"), unknown.message)
        XCTAssertNil(unknown.line)

        let noScheme = loadError("x = 1\n", defaultProvider: "gcs", defaultPrefix: "bkt/run")
        XCTAssertTrue(noScheme.message.contains("needs --default-storage-prefix with a URL scheme"), noScheme.message)

        let unavailable = loadError("x = 1\n", defaultProvider: "gcs", defaultPrefix: "gs://bkt/run")
        XCTAssertTrue(unavailable.message.contains("not available in this build"), unavailable.message)

        let mismatch = loadError("x = 1\n", defaultProvider: "gfal", defaultPrefix: "gs://bkt/run")
        XCTAssertTrue(mismatch.message.contains("not a valid gfal query"), mismatch.message)

        let none = try load("rule a:\n    output: 'x'\n    shell: 'x'\n", defaultProvider: "none", defaultPrefix: "gs://bkt")
        XCTAssertNil(none.defaultStorage)
        XCTAssertEqual(none.rules[0].output.items[0].pattern, "x")
    }
}
