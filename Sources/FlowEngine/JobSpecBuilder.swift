// Builds the `JobSpec` of one attempt right before it is dispatched: the command (a formatted
// `shell:`, or the generated program of a `run:` block or a `script:`), the files it reads and
// writes with where the job sees them, resources, container image. It writes nothing but the
// generated programs of jobs that run on flow's own file system.
//
// A job for a back end without flow's file system is self-contained: its programs (and its
// script's source) travel as text in the spec, every path in its command is relative to the
// directory the back end runs it in, and its inputs and outputs are listed for staging.

import Foundation
import FlowDAG
import FlowExec
import FlowLang
import FlowStorage
import FlowWorkflow
import FlowSystem

struct JobSpecBuilder {
    let dag: DAG
    let evaluator: JobEvaluator
    let options: EngineOptions
    let workdir: String
    let wrappers: WrapperSource
    /// Where generated programs go, relative to the job's directory.
    static let programDirectory = ".flow/jobs"
    /// Where the program running a Python `script:` goes: Snakemake's place for a script with
    /// its preamble, which scripts see as `__real_file__` (and users look in when debugging).
    static let scriptProgramDirectory = ".snakemake/scripts"

    struct Built {
        var spec: JobSpec
        /// The command as the user sees it (shell rules only).
        var shownCommand: String?
    }

    /// - Parameters:
    ///   - shared: the job runs on flow's file system (programs are written to the working
    ///     directory and referenced by absolute path, so shadow directories work too).
    func build(job: JobID, attempt: Int, namespace ns: JobNamespace, runID: String, isLocal: Bool, shared: Bool,
               directory: String) throws -> Built {
        let rule = dag.rule(of: job)
        let name = "\(rule.name)-\(job)-\(attempt)"
        var programs: [JobProgram] = []
        func program(_ file: String, _ text: String, in directory: String = Self.programDirectory) throws -> String {
            let relative = directory + "/" + file
            programs.append(JobProgram(path: relative, text: text))
            guard shared else { return relative }
            try LocalFiles.writeAtomically(text, to: workdir + "/" + relative)
            return workdir + "/" + relative
        }
        let command: JobCommand
        var shown: String?
        switch rule.action {
        case .shell(let template):
            let cmd = try evaluator.shellCommand(rule, template, ns)
            shown = cmd
            if cmd.utf8.count > 100_000 {
                // One argv string may not exceed 128 KiB (MAX_ARG_STRLEN): long commands go to a file.
                command = .script(path: try program(name + ".sh", "set -euo pipefail\n" + cmd + "\n"))
            } else {
                command = .shell(cmd)
            }
        case .run(let block):
            let text = try PythonJob.runBlock(block, namespace: ns, basedir: rule.basedir, workflow: dag.workflow,
                                                   printShellCommands: options.printShellCommands)
            command = .shell("python3 " + ShellFormatter.shellQuote(try program(name + ".py", text)))
        case .script(let template):
            var path = try evaluator.format(template, ns)
            if !path.hasPrefix("/") { path = rule.basedir + "/" + path }
            command = try scriptCommand(path, ns: ns, rule: rule, name: name, shared: shared,
                                        program: { try program($0, $1, in: $2) })
        case .wrapper(let spec):
            let path = try wrappers.script(for: try evaluator.format(spec, ns))
            command = try scriptCommand(path, ns: ns, rule: rule, name: name, shared: shared,
                                        program: { try program($0, $1, in: $2) })
        case .templateEngine(let engine):
            let text = try PythonJob.template(engine: engine, namespace: ns, workflow: dag.workflow)
            command = .shell("python3 " + ShellFormatter.shellQuote(try program(name + ".py", text)))
        case .none:
            command = .shell("true")
        case .unsupported(let directive, _):
            throw EngineError("rule \(rule.name): '\(directive):' is not supported by flow")
        }
        let spec = JobSpec(
            id: job, name: rule.name, key: dag.jobKey(job), attempt: attempt, runID: runID, command: command,
            workingDirectory: directory, threads: ns.threads, resources: resources(ns),
            inputs: dag.inputPaths(of: job).map(file), outputs: producedFiles(job).map(file),
            programs: programs, container: rule.software["container"], isLocal: isLocal)
        return Built(spec: spec, shownCommand: shown)
    }

    /// What a job leaves behind: outputs, logs, benchmark.
    func producedFiles(_ job: JobID) -> [String] {
        dag.outputPaths(of: job) + dag.logPaths(of: job) + (dag.benchmarkPath(of: job).map { [$0] } ?? [])
    }

    func file(_ location: String) -> JobFile { dag.storage.jobFile(location) }

    private func scriptCommand(_ path: String, ns: JobNamespace, rule: Rule, name: String, shared: Bool,
                               program: (String, String, String) throws -> String) throws -> JobCommand {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EngineError("rule \(rule.name): script \(path) not found")
        }
        // Elsewhere the script's own text travels with the job, beside its programs.
        let runPath = shared ? path : try program("scripts/" + (path as NSString).lastPathComponent,
                                                  String(decoding: try LocalFiles.read(path), as: UTF8.self), Self.programDirectory)
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "py":
            let text = try PythonJob.script(path: runPath, namespace: ns, workflow: dag.workflow, printShellCommands: options.printShellCommands)
            let file = name + "." + (path as NSString).lastPathComponent
            return .shell("python3 " + ShellFormatter.shellQuote(try program(file, text, Self.scriptProgramDirectory)))
        case "sh", "bash":
            let text = try PythonJob.bashScript(path: runPath, namespace: ns, interpreter: evaluator.interpreter)
            return .shell("bash " + ShellFormatter.shellQuote(try program(name + ".sh", text, Self.programDirectory)))
        default:
            let interpreters = ["r": "Rscript", "rmd": "Rscript", "jl": "julia", "rs": "rust-script"]
            let tool = interpreters[ext] ?? ext
            throw EngineError("rule \(rule.name): script \(path): .\(ext) scripts are not supported by flow (only .py and .sh)"
                + (Self.onPath(tool) ? "" : "; \(tool) is not installed either"))
        }
    }

    private static func onPath(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    /// Resources as the back ends take them: integers (floats rounded up) or strings.
    private func resources(_ ns: JobNamespace) -> [String: ResourceValue] {
        var resources: [String: ResourceValue] = [:]
        for (i, item) in ns.resources.items.enumerated() {
            guard let n = ns.resources.names.first(where: { $0.range.lowerBound == i })?.name else { continue }
            switch item {
            case .int(let v): resources[n] = .int(v)
            case .float(let v): resources[n] = .int(Int(v.rounded(.up)))
            default: resources[n] = .string(ShellFormatter.plainOrRepr(item, evaluator.interpreter))
            }
        }
        return resources
    }
}

extension Storage {
    /// A DAG path as a job file: storage URLs are seen through their local copies.
    func jobFile(_ location: String) -> JobFile { JobFile(location: location, path: localCopy(of: location)) }
}
