// The entry points of a run: evaluate the workflow, then list, plan or execute.

import Foundation
import FlowExec
import FlowLang
import FlowStorage
import FlowWorkflow

public final class Engine {
    public let options: EngineOptions
    public let reporter: EngineReporter
    /// Where the workflow's files live (POSIX for plain paths unless a test hands in another).
    public let storage: Storage
    /// Used as the remote executor instead of building one from `ExecutorRegistry` (tests
    /// inject fakes); `options.executor` then is its name.
    let injectedExecutor: (any Executor)?

    public init(options: EngineOptions, reporter: EngineReporter, storage: Storage = .standard(),
                executor: (any Executor)? = nil) {
        var options = options
        if let executor { options.executor = executor.name }
        self.options = options
        self.reporter = reporter
        self.storage = storage
        storage.maxTransfers = max(1, options.maxStorageTransfers)
        if let prefix = options.localStoragePrefix { storage.localCopyPrefix = prefix }
        self.injectedExecutor = executor
    }

    /// Applies `--directory` and finds the Snakefile (Snakemake's lookup when none is given).
    func resolveSnakefile() throws -> String {
        let fm = FileManager.default
        // -s is relative to where flow was started, -d changes where the workflow runs.
        var snakefile = options.snakefile.map { $0.hasPrefix("/") ? $0 : fm.currentDirectoryPath + "/" + $0 }
        if let dir = options.directory {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            guard fm.changeCurrentDirectoryPath(dir) else { throw EngineError("cannot change into directory \(dir)") }
        }
        if let s = snakefile {
            guard fm.fileExists(atPath: s) else { throw EngineError("Snakefile \"\(options.snakefile!)\" not found.") }
            return s
        }
        for candidate in EngineOptions.defaultSnakefiles where fm.fileExists(atPath: candidate) {
            snakefile = fm.currentDirectoryPath + "/" + candidate
            return snakefile!
        }
        throw EngineError("no Snakefile found, tried \(EngineOptions.defaultSnakefiles.joined(separator: ", ")).")
    }

    /// Evaluates the Snakefile with the run's config.
    public func loadWorkflow() throws -> Workflow {
        // Like Snakemake, --configfile paths are relative to where flow was started, not to --directory.
        let startDirectory = FileManager.default.currentDirectoryPath
        var wo = WorkflowOptions(snakefile: try resolveSnakefile())
        wo.configFiles = options.configFiles.map { $0.hasPrefix("/") ? $0 : startDirectory + "/" + $0 }
        wo.configOverrides = try ConfigLoader.parseOverrides(options.configEntries)
        wo.cores = options.cores
        wo.storage = storage
        wo.defaultStorageProvider = options.defaultStorageProvider
        wo.defaultStoragePrefix = options.defaultStoragePrefix
        wo.foreignModules = options.foreignModules
        wo.wrapperPrefix = options.wrapperPrefix
        let workflow = try WorkflowLoader.load(wo)
        workflow.groupID = options.localGroupID
        return workflow
    }
}

/// A run-level error with a plain message (no source position).
public struct EngineError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { self.description = message }
}
