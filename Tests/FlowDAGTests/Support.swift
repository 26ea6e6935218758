// Builders for workflows written directly in Swift, an in-memory provenance store, and helpers.

import FlowDAG
import FlowStorage
import FlowLang
import FlowSyntax
import FlowWorkflow
import XCTest

let testSource = SourceFile(path: "Snakefile", text: "")

/// A rule with static inputs/outputs and a shell command.
func makeRule(_ name: String, input: [String] = [], output: [String] = [], log: [String] = [],
              shell: String? = "cmd", outputFlags: [FileFlags]? = nil, inputFlags: [FileFlags]? = nil,
              body: (inout Rule) -> Void = { _ in }) -> Rule {
    var r = Rule(name: name, index: 0, file: testSource, line: 1, basedir: ".")
    for (i, p) in input.enumerated() { r.input.append((nil, .file(IOFile(p, flags: inputFlags?[i] ?? [])))) }
    for (i, p) in output.enumerated() { r.output.append(IOFile(p, flags: outputFlags?[i] ?? [])) }
    for p in log { r.log.append(IOFile(p)) }
    if let shell { r.action = .shell(shell) }
    body(&r)
    return r
}

func makeWorkflow(_ rules: [Rule], configure: (Workflow) -> Void = { _ in }) -> Workflow {
    let w = Workflow(interpreter: Interpreter(), snakefile: "Snakefile", basedir: ".")
    for r in rules { w.addRule(r) }
    configure(w)
    return w
}

/// An input function implemented in Swift: receives the wildcards object.
func inputFunction(_ body: @escaping (NamedListObject) throws -> Value) -> Value {
    .object(BuiltinFunction("f") { args, _ in
        guard case .object(let o)? = args.positional.first, let w = o as? NamedListObject else {
            throw PyError.type("expected wildcards")
        }
        return try body(w)
    })
}

func wildcard(_ w: NamedListObject, _ name: String) -> String { w.value(named: name)?.stringValue ?? "?" }

final class FakeProvenance: ProvenanceSource {
    var records: [String: OutputProvenance] = [:]
    var incomplete: Set<String> = []
    func record(for path: String) -> OutputProvenance? { records[path] }
    func isIncomplete(_ path: String) -> Bool { incomplete.contains(path) }
}

extension DAG {
    /// The job producing `path` (test convenience).
    func job(producing path: String) -> JobID? {
        guard let f = files.id(of: path) else { return nil }
        let p = files.producer[f]
        return p >= 0 ? p : nil
    }
}

extension Plan {
    func runs(_ dag: DAG, producing path: String) -> Bool {
        guard let j = dag.job(producing: path) else { return false }
        return needsRun[j]
    }
    func reasonText(_ dag: DAG, producing path: String) -> String? {
        dag.job(producing: path).flatMap { reasonText(of: $0) }
    }
}

func XCTAssertThrowsDAGError(_ body: @autoclosure () throws -> Any, _ check: (String) -> Void,
                             file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        check("\(error)")
    }
}

extension DAG {
    /// A DAG over an in-memory store standing in for the working directory.
    convenience init(workflow: Workflow, disk: InMemoryStorage, targets: [String] = []) throws {
        try self.init(workflow: workflow, storage: Storage(local: disk), targets: targets)
    }
}
