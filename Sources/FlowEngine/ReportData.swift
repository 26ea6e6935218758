// What `flow run --report FILE` shows, as plain data (FlowViews renders it): the rule graph of
// the workflow's DAG, every job's last recorded run (times, host, executor id) from the state
// database, the config, and the files marked `report(...)` with their captions and categories.
// Nothing runs: the report describes the outputs as the last runs left them.

import Foundation
import FlowDAG
import FlowLang
import FlowState
import FlowWorkflow

public struct ReportData {
    public struct Job: Equatable {
        public var rule: String
        public var wildcards: String
        public var start: Double
        public var end: Double
        public var host: String
        public var executor: String?
        public var externalID: String?
        public var runID: String?

        public init(rule: String, wildcards: String, start: Double, end: Double, host: String, executor: String? = nil,
                    externalID: String? = nil, runID: String? = nil) {
            self.rule = rule
            self.wildcards = wildcards
            self.start = start
            self.end = end
            self.host = host
            self.executor = executor
            self.externalID = externalID
            self.runID = runID
        }
    }

    public struct File: Equatable {
        public var path: String
        public var rule: String
        public var wildcards: String
        /// The caption file's text (or the caption itself when it names no file).
        public var caption: String?
        public var category: String?
        public var subcategory: String?
        /// The file's bytes, nil when it is missing or not on this machine's file system.
        public var contents: Data?

        public init(path: String, rule: String, wildcards: String, caption: String? = nil, category: String? = nil,
                    subcategory: String? = nil, contents: Data?) {
            self.path = path
            self.rule = rule
            self.wildcards = wildcards
            self.caption = caption
            self.category = category
            self.subcategory = subcategory
            self.contents = contents
        }
    }

    public var snakefile: String
    public var created: Double
    /// Rules that have jobs in the DAG, in workflow order, and how many jobs each.
    public var rules: [(name: String, jobs: Int)]
    /// Dependencies between rules (indices into `rules`): `from` makes what `to` needs.
    public var ruleEdges: [(from: Int, to: Int)]
    public var jobs: [Job]
    public var files: [File]
    /// The config as JSON.
    public var config: String
    public var runs: [RunRecord]

    public init(snakefile: String, created: Double, rules: [(name: String, jobs: Int)], ruleEdges: [(from: Int, to: Int)],
                jobs: [Job], files: [File], config: String, runs: [RunRecord]) {
        self.snakefile = snakefile
        self.created = created
        self.rules = rules
        self.ruleEdges = ruleEdges
        self.jobs = jobs
        self.files = files
        self.config = config
        self.runs = runs
    }
}

extension Engine {
    /// Largest file the report embeds (larger ones are listed, not shown).
    static let reportFileLimit = 20 << 20

    public func reportData() throws -> ReportData {
        let workflow = try loadWorkflow()
        let workdir = FileManager.default.currentDirectoryPath
        reporter.buildingDAG()
        let dag = try DAG(workflow: workflow, storage: storage, targets: options.targets)
        let store = try StateStore(workdir: workdir)

        // The rule graph.
        var jobsPerRule: [Int: Int] = [:]
        var edgeSet = Set<[Int]>()
        for j in dag.jobs.indices {
            jobsPerRule[dag.jobs[j].rule, default: 0] += 1
            for d in dag.jobs[j].dependencies { edgeSet.insert([dag.jobs[d].rule, dag.jobs[j].rule]) }
        }
        let used = jobsPerRule.keys.sorted()
        let position = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        let rules = used.map { (name: workflow.rules[$0].name, jobs: jobsPerRule[$0]!) }
        let edges = edgeSet.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { (from: position[$0[0]]!, to: position[$0[1]]!) }

        // Jobs as last recorded: the producer of each job's outputs, with its executor id from the run history.
        var paths: [String] = []
        for j in dag.jobs.indices { paths += dag.outputPaths(of: j) }
        let records = try store.records(for: paths)
        var attempts = SucceededAttempts(store: store)
        var jobs: [ReportData.Job] = []
        var files: [ReportData.File] = []
        for j in dag.jobs.indices {
            let wildcards = dag.wildcards(of: j).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let outputs = dag.outputPaths(of: j)
            let rule = dag.rule(of: j)
            if let record = outputs.lazy.compactMap({ records[$0] }).first {
                var job = ReportData.Job(rule: record.rule, wildcards: wildcards, start: record.startTime, end: record.endTime,
                                         host: record.host, runID: record.runID)
                if let runID = record.runID, let row = try attempts.inRun(runID, rule: record.rule, wildcards: wildcards) {
                    job.executor = row.executor
                    job.externalID = row.externalID
                }
                jobs.append(job)
            } else if outputs.isEmpty, Self.runsSomething(rule) {
                guard let row = try attempts.latest(rule: rule.name, wildcards: wildcards) else { continue }
                // A job without outputs (but with something to run: not a target rule like `all`) leaves no file
                // record; its last success in the run history speaks for it.
                jobs.append(ReportData.Job(rule: row.rule, wildcards: wildcards, start: row.startTime, end: row.endTime ?? row.startTime,
                                           host: row.host ?? "", executor: row.executor, externalID: row.externalID, runID: row.runID))
            }
            for (i, path) in outputs.enumerated() where dag.outputFlags(of: j, i).contains(.report) {
                let annotation = i < rule.output.items.count ? rule.output.items[i].report : nil
                files.append(ReportData.File(
                    path: path, rule: rule.name, wildcards: wildcards,
                    caption: annotation?.caption.map { caption(workflow.basedir, $0) }, category: annotation?.category,
                    subcategory: annotation?.subcategory, contents: Self.smallFile(path)))
            }
        }
        jobs.sort { ($0.start, $0.rule, $0.wildcards) < ($1.start, $1.rule, $1.wildcards) }
        let config = (try? JSONWriter.indented(.dict(workflow.config), interpreter: workflow.interpreter)) ?? "{}"
        return ReportData(snakefile: workflow.snakefile, created: Date().timeIntervalSince1970, rules: rules, ruleEdges: edges,
                          jobs: jobs, files: files, config: config, runs: try store.runs(limit: 20))
    }

    private static func runsSomething(_ rule: Rule) -> Bool {
        if case .none = rule.action { return false }
        return true
    }

    /// A caption names a file relative to the Snakefile (Snakemake); otherwise it is the text itself.
    private func caption(_ basedir: String, _ caption: String) -> String {
        let path = caption.hasPrefix("/") ? caption : basedir + "/" + caption
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? caption
    }

    private static func smallFile(_ path: String) -> Data? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int, size <= reportFileLimit else { return nil }
        return FileManager.default.contents(atPath: path)
    }
}

/// The succeeded attempts in the run history, keyed by rule and wildcards; each run's are read
/// once, when first asked for.
private struct SucceededAttempts {
    let store: StateStore
    private var byRun: [String: [String: RunJob]] = [:]
    /// The recent runs, newest first (read on first use).
    private var recentRuns: [String]?

    init(store: StateStore) { self.store = store }

    /// The job's succeeded attempt in one run.
    mutating func inRun(_ runID: String, rule: String, wildcards: String) throws -> RunJob? {
        if byRun[runID] == nil {
            var byJob: [String: RunJob] = [:]
            for row in try store.runJobs(runID: runID) where row.state == .succeeded { byJob[row.rule + "|" + row.wildcards] = row }
            byRun[runID] = byJob
        }
        return byRun[runID]?[rule + "|" + wildcards]
    }

    /// The job's last succeeded attempt over the recent 20 runs.
    mutating func latest(rule: String, wildcards: String) throws -> RunJob? {
        if recentRuns == nil { recentRuns = try store.runs(limit: 20).reversed().map(\.id) }
        for runID in recentRuns! {
            if let row = try inRun(runID, rule: rule, wildcards: wildcards) { return row }
        }
        return nil
    }
}
