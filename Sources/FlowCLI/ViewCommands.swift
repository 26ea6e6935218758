// `flow history`, `flow status` and `flow completion`: commands that look at what runs recorded
// (read-only; they never block a running `flow run`) or at flow's own command line.

import ArgumentParser
import Foundation
import FlowState
import FlowViews

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The last runs in this directory: start, end, outcome and job counts (from .flow/state.db)."
    )

    @Option(name: [.customShort("d"), .customLong("directory")], help: "The working directory of the runs.")
    var directory: String?
    @Option(name: [.customShort("n"), .customLong("limit")], help: "How many runs to show (newest).")
    var limit = 20
    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try openState(directory)
        let runs = try HistoryView.summaries(store, limit: limit)
        print(json ? try HistoryView.json(runs) : HistoryView.historyText(runs), terminator: "")
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "One run (the latest unless RUN is given): its jobs by state, why each ran, attempts, executor ids, times."
    )

    @Argument(help: "A run id from `flow history`.")
    var runID: String?
    @Option(name: [.customShort("d"), .customLong("directory")], help: "The working directory of the run.")
    var directory: String?
    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try openState(directory)
        guard let status = try HistoryView.status(store, runID: runID) else {
            throw CLIError(runID.map { "no run '\($0)' recorded in \(store.databasePath)" } ?? "no runs recorded in \(store.databasePath)")
        }
        print(json ? try HistoryView.json(status) : HistoryView.statusText(status), terminator: "")
    }
}

/// The state database of `directory` (default: here), opened read-only.
private func openState(_ directory: String?) throws -> StateStore {
    let workdir = directory ?? FileManager.default.currentDirectoryPath
    guard FileManager.default.fileExists(atPath: StateStore.directory(forWorkdir: workdir) + "/state.db") else {
        throw CLIError("no runs recorded in \(workdir) (no .flow/state.db)")
    }
    do { return try StateStore(readingWorkdir: workdir) } catch let error as StateError { throw CLIError(error.description) }
}

struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print a shell completion script: `source <(flow completion bash)`."
    )

    @Argument(help: "bash, zsh or fish.")
    var shell: String

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell) else {
            throw CLIError("completion: unknown shell '\(shell)' (choose from bash, zsh, fish)")
        }
        print(FlowCommand.completionScript(for: kind), terminator: "")
    }
}
