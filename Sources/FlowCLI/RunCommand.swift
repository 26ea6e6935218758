// `flow run`: the Snakemake command line.

import ArgumentParser
import Foundation
import FlowEngine
import FlowExec
import FlowPython
import FlowSyntax
import FlowViews

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow (Snakemake's flags and profiles)."
    )

    @OptionGroup var options: RunOptions
    /// Executor settings from the profile and the command line, lifted out before argument-parser
    /// parses (FlowCommand.main); not an argument-parser property.
    var executorSettings: [SettingInput] = []

    private enum CodingKeys: String, CodingKey {
        case options
    }

    func run() throws {
        var engineOptions = try EngineOptionsBuilder.build(options, executorSettings: executorSettings)
        // `import pandas` and other modules outside flow's own set: CPython, loaded only if asked.
        engineOptions.foreignModules = PythonModuleLoader()
        let live = Terminal.wantsLiveView(quiet: options.quiet, nocolor: options.nocolor)
            && !(options.dryRun || options.dag || options.rulegraph || options.filegraph || options.summary
                 || options.detailedSummary || options.report != nil)
        let view: LiveView? = live ? LiveView(printShellCommands: options.printshellcmds) : nil
        defer { view?.finish() }
        let printer: EngineReporter = view ?? Printer(
            quiet: options.quiet, printShellCommands: options.printshellcmds,
            colors: Terminal.wantsColors(nocolor: options.nocolor),
            messagesToStandardError: options.dag || options.rulegraph || options.filegraph, sink: StandardStreams())
        let engine = Engine(options: engineOptions, reporter: printer)
        if options.listRules || options.listTargetRules {
            for rule in try options.listTargetRules ? engine.listTargetRules() : engine.listRules() {
                if let doc = rule.docstring?.trimmingCharacters(in: .whitespacesAndNewlines), !doc.isEmpty {
                    print("\(rule.name) (\(doc))")
                } else {
                    print(rule.name)
                }
            }
            return
        }
        if let report = options.report {
            // Relative to where flow was started, not to -d.
            let path = report.hasPrefix("/") ? report : FileManager.default.currentDirectoryPath + "/" + report
            let html = HTMLReport.render(try engine.reportData())
            // Written next to its place and renamed: an interrupted write never leaves half a report.
            let temporary = path + ".tmp-\(getpid())"
            do {
                try Data(html.utf8).write(to: URL(fileURLWithPath: temporary))
                guard rename(temporary, path) == 0 else { throw CLIError(String(cString: strerror(errno))) }
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw CLIError("cannot write the report to \(report): \((error as? CLIError)?.description ?? error.localizedDescription)")
            }
            printer.info("Report written to \(report) (\(html.utf8.count / 1024) KiB).")
            printer.flush()
            return
        }
        if options.listUntracked {
            for path in try engine.untrackedFiles() { print(path) }
            return
        }
        let status = try engine.run()
        printer.flush()
        if status != 0 { throw ExitCode(status) }
    }
}

/// Flags -> typed engine options, with Snakemake's validation messages.
enum EngineOptionsBuilder {
    static func build(_ o: RunOptions, executorSettings: [SettingInput] = []) throws -> EngineOptions {
        var e = EngineOptions()
        e.targets = o.targets
        e.snakefile = o.snakefile
        e.directory = o.directory
        e.configFiles = o.configfile
        e.configEntries = o.config
        e.dryRun = o.dryRun
        e.forceAll = o.forceall
        e.force = o.force
        e.forceRun = o.forcerun
        e.until = o.until
        e.omitFrom = o.omitFrom
        e.rerunIncomplete = o.rerunIncomplete
        if !o.rerunTriggers.isEmpty {
            let known: Set<String> = ["mtime", "params", "input", "software-env", "code"]
            for t in o.rerunTriggers where !known.contains(t) {
                throw CLIError("--rerun-triggers: unknown trigger '\(t)' (choose from mtime, params, input, software-env, code)")
            }
            e.rerunTriggers = Set(o.rerunTriggers)
        }
        e.touch = o.touch
        let executor = try executorDescriptor(o.executor ?? "local")
        e.executor = executor.name
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        if let c = o.cores {
            if c == "all" { e.cores = cpus } else if let n = Int(c), n > 0 { e.cores = n } else if let n = Int(c) {
                // Snakemake accepts both: with 0 it waits forever for a free core, -1 acts as no limit.
                throw CLIError("Error parsing number of cores (--cores, -c): \(n) "
                               + (n == 0 ? "cores could run no job" : "is negative")
                               + "; give a positive number, or 'all' for all \(cpus) cores of this machine.")
            } else {
                throw CLIError("Error parsing number of cores (--cores, -c): must be integer or 'all'.")
            }
        }
        if let j = o.jobs {
            if j == "unlimited" || j == "all" { e.jobs = nil } else if let n = Int(j), n > 0 { e.jobs = n } else if let n = Int(j) {
                throw CLIError("Error parsing number of jobs (--jobs, -j): \(n) "
                               + (n == 0 ? "jobs at once could run no job" : "is negative")
                               + "; give a positive number, or 'unlimited'.")
            } else {
                throw CLIError("Error parsing number of jobs (--jobs, -j): must be integer or 'unlimited'.")
            }
            // Snakemake: for local runs, -j N alone means N cores.
            if o.cores == nil, let n = e.jobs { e.cores = n } else if o.cores == nil, e.jobs == nil { e.cores = cpus }
        } else if o.cores == nil && !o.dryRun && !o.listRules && !o.listTargetRules && !o.dag && !o.rulegraph && !o.filegraph && o.report == nil
                    && !o.summary && !o.detailedSummary && !o.unlock && o.cleanupMetadata.isEmpty && !o.touch && !o.deleteAllOutput
                    && !o.deleteTempOutput && !o.listUntracked && executor.isLocal {
            throw CLIError("Error: cores have to be specified for local execution (use --cores N or --cores all).")
        }
        for entry in o.resources {
            let (k, v) = try keyValue(entry, flag: "--resources")
            guard let n = Int(v) else { throw CLIError("--resources: value of '\(k)' must be an integer") }
            e.resources[k] = n
        }
        e.defaultResources = o.defaultResources
        for entry in o.setThreads {
            let (k, v) = try keyValue(entry, flag: "--set-threads")
            guard let n = Int(v), n > 0 else { throw CLIError("--set-threads: threads of rule '\(k)' must be a positive integer") }
            e.setThreads[k] = n
        }
        for entry in o.setResources {
            let (k, v) = try keyValue(entry, flag: "--set-resources")
            let parts = k.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CLIError("--set-resources: expected rule:name=value, got '\(entry)'") }
            e.setResources[parts[0], default: [:]][parts[1]] = v
        }
        for entry in o.groups {
            let (k, v) = try keyValue(entry, flag: "--groups")
            e.groups[k] = v
        }
        for entry in o.groupComponents {
            let (k, v) = try keyValue(entry, flag: "--group-components")
            guard let n = Int(v), n > 0 else { throw CLIError("--group-components: components of group '\(k)' must be a positive integer") }
            e.groupComponents[k] = n
        }
        if let id = o.localGroupID { e.localGroupID = id }
        e.keepGoing = o.keepGoing
        e.retries = o.retries ?? 0
        if let w = o.latencyWait { e.latencyWait = w }
        if let m = o.maxStatusChecksPerSecond { e.maxStatusChecksPerSecond = m }
        e.secondsBetweenStatusChecks = o.secondsBetweenStatusChecks
        e.cancelPrevious = o.cancelPrevious
        for descriptor in ExecutorRegistry.all {
            let inputs = executorSettings.filter { $0.executor == descriptor.name }
            if inputs.isEmpty { continue }
            do { e.executorSettings[descriptor.name] = try ExecutorSettings(descriptor, inputs: inputs) } catch let error as ExecutorSettingError {
                throw CLIError(error.description)
            }
        }
        e.notemp = o.notemp
        e.keepIncomplete = o.keepIncomplete
        e.defaultStorageProvider = o.defaultStorageProvider
        e.defaultStoragePrefix = o.defaultStoragePrefix
        if let n = o.maxStorageTransfers { e.maxStorageTransfers = n }
        e.localStoragePrefix = o.localStoragePrefix.map { expandingVariables($0) }
        e.keepStorageLocalCopies = o.keepStorageLocalCopies
        e.nolock = o.nolock
        e.printShellCommands = o.printshellcmds
        e.wrapperPrefix = o.wrapperPrefix
        e.quiet = o.quiet
        e.verbose = o.verbose
        e.showFailedLogs = o.showFailedLogs
        e.printDAG = o.dag
        e.printRuleGraph = o.rulegraph
        e.printFileGraph = o.filegraph
        e.summary = o.summary
        e.detailedSummary = o.detailedSummary
        e.deleteAllOutput = o.deleteAllOutput
        e.deleteTempOutput = o.deleteTempOutput
        e.unlock = o.unlock
        e.forceUnlock = o.forceUnlock
        e.waitForOrphans = o.waitForOrphans
        e.cleanupMetadata = o.cleanupMetadata
        return e
    }

    /// `--executor NAME` (or an alias) in the registry.
    static func executorDescriptor(_ name: String) throws -> ExecutorDescriptor {
        if let descriptor = ExecutorRegistry.descriptor(named: name) { return descriptor }
        let names = ExecutorRegistry.all.map(\.name)
        var message = "--executor: unknown executor '\(name)' (available: \(names.joined(separator: ", "))"
        if let near = closestName(to: name, in: names + ExecutorRegistry.all.flatMap(\.aliases)) { message += "; did you mean '\(near)'?" }
        throw CLIError(message + ")")
    }

    /// `$NAME` and `${NAME}` replaced by the environment's values; unset ones stay as written, as
    /// Python's os.path.expandvars leaves them for Snakemake's --local-storage-prefix.
    static func expandingVariables(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            var after = rest[rest.index(after: dollar)...]
            let braced = after.first == "{"
            if braced { after = after.dropFirst() }
            let name = after.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            let closed = !braced || after.dropFirst(name.count).first == "}"
            guard !name.isEmpty, closed, let value = environment[String(name)] else {
                out += "$"
                rest = rest[rest.index(after: dollar)...]
                continue
            }
            out += value
            rest = after.dropFirst(name.count + (braced ? 1 : 0))
        }
        return out + rest
    }

    static func keyValue(_ entry: String, flag: String) throws -> (String, String) {
        guard let eq = entry.firstIndex(of: "=") else { throw CLIError("\(flag): expected name=value, got '\(entry)'") }
        return (String(entry[..<eq]), String(entry[entry.index(after: eq)...]))
    }
}
