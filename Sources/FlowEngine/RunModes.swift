// The modes of `flow run` that look at the plan instead of executing it: dry run, --dag,
// --rulegraph, --filegraph, --summary, --touch, --delete-all-output / --delete-temp-output.

import Foundation
import FlowDAG
import FlowState
import FlowStorage
import FlowWorkflow

extension Engine {
    func printDryRun(_ plan: Plan, evaluator: JobEvaluator) throws {
        let reports = JobReports(plan: plan, evaluator: evaluator, options: options)
        reporter.jobStats(plan.jobCounts)
        if !options.quiet {
            for job in plan.runJobs {
                // Params/resources functions may read inputs that earlier jobs have not made yet:
                // then the job is shown without them (Snakemake prints <TBD>).
                guard let ns = try? evaluator.namespace(job, attempt: 1) else {
                    reporter.jobStarted(reports.report(job, isLocal: isLocal(job, plan)), dryRun: true)
                    continue
                }
                var command: String?
                if case .shell(let template) = plan.dag.rule(of: job).action { command = try? evaluator.shellCommand(plan.dag.rule(of: job), template, ns) }
                reporter.jobStarted(reports.report(job, isLocal: isLocal(job, plan), namespace: ns, command: command), dryRun: true)
            }
        }
        reporter.dryRunFinished(plan.jobCounts, reasons: reasonSummary(plan))
    }

    private func isLocal(_ job: JobID, _ plan: Plan) -> Bool {
        JobRunner.runsLocally(plan.dag.rule(of: job), executor: options.executor)
    }

    /// Rules grouped by kind of reason, as Snakemake's dry-run footer lists them.
    func reasonSummary(_ plan: Plan) -> [(reason: String, rules: [String])] {
        var groups: [(String, [String])] = []
        func add(_ kind: String, _ rule: String) {
            if let i = groups.firstIndex(where: { $0.0 == kind }) {
                if !groups[i].1.contains(rule) { groups[i].1.append(rule) }
            } else {
                groups.append((kind, [rule]))
            }
        }
        for job in plan.runJobs {
            guard let r = plan.reason(of: job) else { continue }
            let rule = plan.dag.ruleName(of: job)
            if r.forced { add("forced", rule) }
            if !r.missingOutput.isEmpty || r.noOutput { add("output files have to be generated", rule) }
            if !r.incompleteOutput.isEmpty { add("incomplete output files", rule) }
            if !r.updatedInputRun.isEmpty { add("input files updated by another job", rule) }
            if !r.updatedInput.isEmpty { add("updated input files", rule) }
            if r.codeChanged { add("code has changed since last execution", rule) }
            if r.paramsChanged { add("params have changed since last execution", rule) }
            if r.inputChanged { add("set of input files has changed since last execution", rule) }
            if r.softwareChanged { add("software environment definition has changed since last execution", rule) }
        }
        return groups.map { ($0.0, $0.1.sorted()) }.sorted { $0.0 < $1.0 }
    }

    func jobGraph(_ plan: Plan) -> String {
        let dag = plan.dag
        let jobs = dag.jobs.indices.filter { plan.inScope[$0] }
        let nodes = jobs.map { j -> Graphviz.Node in
            let wc = dag.wildcards(of: j).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            return Graphviz.Node(id: j, label: ([dag.ruleName(of: j)] + wc).joined(separator: "\n"),
                                 ruleIndex: dag.jobs[j].rule, willRun: plan.needsRun[j])
        }
        var edges: [(from: Int, to: Int)] = []
        for j in jobs { for d in dag.jobs[j].dependencies where plan.inScope[d] { edges.append((d, j)) } }
        return Graphviz.render(name: "snakemake_dag", nodes: nodes, edges: edges, ruleCount: dag.workflow.rules.count)
    }

    func ruleGraph(_ plan: Plan) -> String {
        let rules = plan.dag.workflow.rules
        return ruleLevelGraph(plan) { r in rules[r].name }
    }

    /// Snakemake's --filegraph: the rule graph, each rule labelled with its input and output files
    /// (the patterns of the rule; an input function shows as "<function>").
    func fileGraph(_ plan: Plan) -> String {
        let rules = plan.dag.workflow.rules
        return ruleLevelGraph(plan) { r in
            let rule = rules[r]
            let inputs = rule.input.map { entry -> String in
                switch entry.item {
                case .file(let file): return file.pattern
                case .function, .unpack: return "<function>"
                }
            }
            var label = [rule.name]
            if !inputs.isEmpty { label.append("input: " + inputs.joined(separator: ", ")) }
            if !rule.output.items.isEmpty { label.append("output: " + rule.output.items.map(\.pattern).joined(separator: ", ")) }
            return label.joined(separator: "\n")
        }
    }

    /// The rules of the jobs in scope and the rule-to-rule edges between them, each rule labelled.
    private func ruleLevelGraph(_ plan: Plan, label: (Int) -> String) -> String {
        let dag = plan.dag
        var used = Set<Int>()
        var edgeSet = Set<[Int]>()
        for j in dag.jobs.indices where plan.inScope[j] {
            used.insert(dag.jobs[j].rule)
            for d in dag.jobs[j].dependencies where plan.inScope[d] { edgeSet.insert([dag.jobs[d].rule, dag.jobs[j].rule]) }
        }
        let nodes = used.sorted().map { r in Graphviz.Node(id: r, label: label(r), ruleIndex: r, willRun: false) }
        let edges = edgeSet.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { (from: $0[0], to: $0[1]) }
        return Graphviz.render(name: "snakemake_dag", nodes: nodes, edges: edges, ruleCount: dag.workflow.rules.count)
    }

    func printSummary(_ plan: Plan, store: StateStore) throws {
        let dag = plan.dag
        var paths: [String] = []
        var ruleOf: [String: String] = [:]
        var planned: Set<String> = []
        for j in dag.topologicalOrder() where plan.inScope[j] {
            for p in dag.outputPaths(of: j) {
                paths.append(p)
                ruleOf[p] = dag.ruleName(of: j)
                if plan.needsRun[j] { planned.insert(p) }
            }
        }
        var lines = [options.detailedSummary
                     ? "output_file\tdate\trule\tlog-file(s)\tinput-file(s)\tshellcmd\tstatus\tplan"
                     : "output_file\tdate\trule\tlog-file(s)\tstatus\tplan"]
        for s in try store.summary(for: paths, mtime: { plan.dag.storage.statOrRecord($0)?.mtime }) {
            let date = s.mtime.map { Date(timeIntervalSince1970: $0).description } ?? "-"
            let status: String
            switch s.status {
            case .ok: status = "ok"
            case .missing: status = "missing"
            case .noRecord: status = "no record"
            case .incomplete: status = "incomplete"
            case .modified: status = "modified since last run"
            }
            let plan = planned.contains(s.path) ? "update pending" : "no update"
            if options.detailedSummary {
                let inputs = s.record?.inputs.paths.joined(separator: ",") ?? "-"
                lines.append("\(s.path)\t\(date)\t\(ruleOf[s.path] ?? "-")\t-\t\(inputs)\t\(s.record?.shellCommand ?? "-")\t\(status)\t\(plan)")
            } else {
                lines.append("\(s.path)\t\(date)\t\(ruleOf[s.path] ?? "-")\t-\t\(status)\t\(plan)")
            }
        }
        for line in lines { reporter.info(line) }
        reporter.flush()
    }

    func touchOutputs(_ plan: Plan) -> Int32 {
        for j in plan.runJobs {
            for p in plan.dag.outputPaths(of: j) where (try? storage.exists(p)) == true {
                reporter.info("Touching output file \(p).")
                do { try storage.touch(p) } catch { reporter.warning("cannot touch \(p): \(error)") }
            }
        }
        reporter.flush()
        return 0
    }

    func deleteOutputs(_ plan: Plan, tempOnly: Bool) -> Int32 {
        let dag = plan.dag
        for j in dag.jobs.indices where plan.inScope[j] {
            for (i, p) in dag.outputPaths(of: j).enumerated() {
                let flags = dag.outputFlags(of: j, i)
                if tempOnly && !flags.contains(.temp) { continue }
                if flags.contains(.protected) || (try? storage.exists(p)) != true { continue }
                if options.dryRun { reporter.info("Would delete \(p)"); continue }
                reporter.info("Deleting \(p)")
                do { try JobFiles(storage: storage, shared: true).removeEverywhere(storage.jobFile(p)) } catch {
                    reporter.warning("cannot delete \(p): \(error)")
                }
            }
        }
        reporter.flush()
        return 0
    }
}
