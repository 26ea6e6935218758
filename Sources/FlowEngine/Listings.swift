// The listing modes: --list-rules, --list-target-rules and --list-untracked. They evaluate the
// workflow (and, for untracked files, build the DAG) but never plan or run a job.

import Foundation
import FlowDAG
import FlowStorage
import FlowWorkflow

extension Engine {
    /// `--list-rules`: rule names with their docstrings, sorted by name as Snakemake sorts them.
    public func listRules() throws -> [(name: String, docstring: String?)] {
        try loadWorkflow().rules.map { ($0.name, $0.docstring) }.sorted { $0.0 < $1.0 }
    }

    /// `--list-target-rules`: the rules Snakemake offers as targets, those without wildcards in
    /// their outputs (a rule with no outputs counts).
    public func listTargetRules() throws -> [(name: String, docstring: String?)] {
        try loadWorkflow().rules
            .filter { rule in rule.output.items.allSatisfy { (try? WildcardPattern($0.pattern))?.hasWildcards == false } }
            .map { ($0.name, $0.docstring) }.sorted { $0.0 < $1.0 }
    }

    /// `--list-untracked`: files under the working directory that no job of the DAG reads, writes
    /// or logs to, relative and sorted. As in Snakemake, hidden files and hidden folders (so
    /// `.flow/`) are skipped and symbolic links to folders are not followed.
    public func untrackedFiles() throws -> [String] {
        let workflow = try loadWorkflow()
        let dag = try DAG(workflow: workflow, storage: storage, targets: options.targets)
        let fm = FileManager.default
        let root = URL(fileURLWithPath: fm.currentDirectoryPath).standardizedFileURL.path
        func relative(_ path: String) -> String {
            let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: root + "/")).standardizedFileURL.path
            return absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : absolute
        }
        var used = Set<String>()
        for job in dag.jobs.indices {
            for path in dag.inputPaths(of: job) + dag.outputPaths(of: job) + dag.logPaths(of: job) {
                used.insert(relative(path))
            }
        }
        var untracked: [String] = []
        guard let walk = fm.enumerator(atPath: root) else { return [] }
        while let path = walk.nextObject() as? String {
            let name = (path as NSString).lastPathComponent
            let type = walk.fileAttributes?[.type] as? FileAttributeType
            if type == .typeDirectory {
                if name.hasPrefix(".") { walk.skipDescendants() }
                continue
            }
            var isDirectory: ObjCBool = false
            if type == .typeSymbolicLink, fm.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), isDirectory.boolValue {
                continue
            }
            if !name.hasPrefix(".") && !used.contains(path) { untracked.append(path) }
        }
        return untracked.sorted()
    }
}
