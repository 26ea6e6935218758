// Job groups: which of the jobs to run form one unit (Snakemake's dag.update_groups and
// handle_pipes_and_services).
//
// Owns: the checks on pipe() and service() outputs (each has a consumer, a pipe exactly one, and
// that consumer runs something), the groups themselves and the check that no group depends on
// itself through jobs outside it. A group is a connected part of the DAG whose jobs share a group
// name: the rule's `group:` (formatted with the job's wildcards, or a function of them), or the
// `--groups` override; jobs joined by a pipe or a service always run together, under their user
// group if they have one, else under a pipe group of their own. User groups only apply when jobs
// are submitted to a remote back end (Snakemake: "Group jobs: inactive (local execution)");
// `--group-components NAME=N` puts up to N connected parts of one name into one group.

import Foundation
import FlowLang
import FlowWorkflow

public struct GroupSettings: Sendable {
    /// Whether `group:` and `--groups` apply (jobs go to a remote back end).
    public var userGroups: Bool
    /// `--groups RULE=GROUP`: replaces the rule's `group:`.
    public var overrides: [String: String]
    /// `--group-components GROUP=N`.
    public var components: [String: Int]

    public init(userGroups: Bool, overrides: [String: String] = [:], components: [String: Int] = [:]) {
        self.userGroups = userGroups
        self.overrides = overrides
        self.components = components
    }
}

public struct JobGroups {
    public struct Group {
        public var id: String
        /// In the order of the jobs given (dependency order).
        public var jobs: [JobID]
    }

    public var groups: [Group] = []
    /// Job → index in `groups`; jobs outside every group (or alone in one) are absent.
    public var groupOf: [JobID: Int] = [:]

    public var isEmpty: Bool { groups.isEmpty }

    public init() {}
}

extension DAG {
    /// Whether any rule has pipe() or service() outputs (most workflows: no, and nothing here runs).
    public var hasPipesOrServices: Bool {
        index.rules.contains { $0.outputFlags.contains { $0.contains(.pipe) || $0.contains(.service) } }
    }

    /// The pipe() and service() outputs of `job`, by location, and whether each is a pipe.
    public func streamedOutputs(of job: JobID) -> [(path: String, isPipe: Bool)] {
        let flags = index.rules[jobs[job].rule].outputFlags
        guard flags.contains(where: { $0.contains(.pipe) || $0.contains(.service) }) else { return [] }
        return jobs[job].output.indices.compactMap { i in
            flags[i].contains(.pipe) || flags[i].contains(.service) ? (files.paths[jobs[job].output[i]], flags[i].contains(.pipe)) : nil
        }
    }

    /// Consumers among `jobs` of each pipe/service output of `jobs`, checked as Snakemake checks
    /// them. Keys: producer job; values: (consumer, producer) pairs.
    public func checkPipes(_ jobs: [JobID]) throws -> [(producer: JobID, consumer: JobID)] {
        guard hasPipesOrServices else { return [] }
        var consumersOf: [FileID: [JobID]] = [:]
        var streamed = Set<FileID>()
        for j in jobs {
            for (i, f) in self.jobs[j].output.enumerated() {
                let flags = index.rules[self.jobs[j].rule].outputFlags[i]
                if flags.contains(.pipe) || flags.contains(.service) { streamed.insert(f) }
            }
        }
        guard !streamed.isEmpty else { return [] }
        for j in jobs {
            for f in Set(self.jobs[j].input) where streamed.contains(f) { consumersOf[f, default: []].append(j) }
        }
        var pairs: [(JobID, JobID)] = []
        for j in jobs {
            let rule = rule(of: j)
            for (i, f) in self.jobs[j].output.enumerated() {
                let flags = index.rules[self.jobs[j].rule].outputFlags[i]
                let isPipe = flags.contains(.pipe)
                guard isPipe || flags.contains(.service) else { continue }
                let path = files.paths[f]
                if case .run = rule.action {
                    throw DAGError.workflow("Rule \(rule.name) defines pipe output but uses a 'run' directive. This is not "
                        + "possible for technical reasons. Consider using 'shell' or 'script'.")
                }
                let consumers = consumersOf[f] ?? []
                if isPipe && consumers.count > 1 {
                    throw DAGError.workflow("Output file \(path) of rule \(rule.name) is marked as pipe but more than one job "
                        + "depends on it. Make sure that any pipe output is only consumed by one job.")
                }
                if consumers.isEmpty {
                    throw DAGError.workflow("Output file \(path) of rule \(rule.name) is marked as pipe or service but it has "
                        + "no consumer. This is invalid because it can lead to a dead lock.")
                }
                for c in consumers {
                    let consumer = self.rule(of: c)
                    if isPipe, case .none = consumer.action {
                        throw DAGError.workflow("Output file \(path) of rule \(rule.name) is marked as pipe but is requested "
                            + "by rule \(consumer.name), which does not execute anything. This is not allowed because it "
                            + "would lead to a dead lock.")
                    }
                    if case .run = consumer.action {
                        throw DAGError.workflow("Rule \(consumer.name) consumes pipe or service input but uses a 'run' "
                            + "directive. This is not possible for technical reasons. Consider using 'shell' or 'script'.")
                    }
                    pairs.append((j, c))
                }
            }
        }
        return pairs
    }

    /// The groups among `jobs` (in dependency order); see the file comment.
    public func jobGroups(_ jobs: [JobID], settings: GroupSettings) throws -> JobGroups {
        let pairs = try checkPipes(jobs)
        let anyUserGroup = settings.userGroups
            && (!settings.overrides.isEmpty || workflow.rules.contains { $0.group != nil })
        guard anyUserGroup || !pairs.isEmpty else { return JobGroups() }
        var name: [JobID: String] = [:]
        if anyUserGroup {
            for j in jobs {
                let rule = rule(of: j)
                if let forced = settings.overrides[rule.name] {
                    name[j] = formatGroup(forced, j)
                } else if let value = rule.group {
                    name[j] = try groupName(value, j)
                }
            }
        }
        // Jobs joined by pipes or services: one set each, named by its user group if it has one.
        var pipeRoot: [JobID: JobID] = [:]
        func root(_ j: JobID) -> JobID {
            var j = j
            while let p = pipeRoot[j], p != j { j = p }
            return j
        }
        for (producer, consumer) in pairs {
            if pipeRoot[producer] == nil { pipeRoot[producer] = producer }
            if pipeRoot[consumer] == nil { pipeRoot[consumer] = consumer }
            let a = root(producer), b = root(consumer)
            if a != b { pipeRoot[max(a, b)] = min(a, b) }
        }
        if !pipeRoot.isEmpty {
            var setName: [JobID: String] = [:]
            for j in jobs where pipeRoot[j] != nil {
                let r = root(j)
                guard let user = name[j] else { continue }
                if let other = setName[r], other != user {
                    throw DAGError.workflow("An output file is marked as pipe or service, but consuming jobs are part of "
                        + "conflicting groups (\(other), \(user)); rule \(ruleName(of: j)).")
                }
                setName[r] = user
            }
            // A pipe group's own name must not depend on the DAG's numbering (a restarted flow finds
            // its remote job by it): the least key of its jobs.
            var ownName: [JobID: String] = [:]
            for j in jobs where pipeRoot[j] != nil {
                let r = root(j), key = "pipe " + jobKey(j)
                if ownName[r].map({ key < $0 }) ?? true { ownName[r] = key }
            }
            for j in jobs where pipeRoot[j] != nil {
                let r = root(j)
                name[j] = setName[r] ?? ownName[r]!
            }
        }
        // Connected parts of equal names.
        var part: [JobID: JobID] = [:]
        func find(_ j: JobID) -> JobID {
            var j = j
            while let p = part[j], p != j { j = p }
            return j
        }
        for j in jobs {
            guard let n = name[j] else { continue }
            if part[j] == nil { part[j] = j }
            for d in self.jobs[j].dependencies where name[d] == n {
                if part[d] == nil { continue }   // not among the jobs to run
                let a = find(j), b = find(d)
                if a != b { part[max(a, b)] = min(a, b) }
            }
        }
        var result = JobGroups()
        var groupOfPart: [JobID: Int] = [:]
        var partsOfName: [String: Int] = [:]
        var lastGroupOfName: [String: Int] = [:]
        for j in jobs {
            guard let n = name[j] else { continue }
            let p = find(j)
            if groupOfPart[p] == nil {
                let perGroup = max(1, settings.components[n] ?? 1)
                let seen = partsOfName[n, default: 0]
                partsOfName[n] = seen + 1
                if seen % perGroup != 0, let g = lastGroupOfName[n] {
                    groupOfPart[p] = g
                } else {
                    groupOfPart[p] = result.groups.count
                    lastGroupOfName[n] = result.groups.count
                    result.groups.append(JobGroups.Group(id: n, jobs: []))
                }
            }
            result.groups[groupOfPart[p]!].jobs.append(j)
        }
        // A group of one job is just that job.
        result.groups = result.groups.filter { $0.jobs.count > 1 }
        for (g, group) in result.groups.enumerated() { for j in group.jobs { result.groupOf[j] = g } }
        try checkGroupsDoNotReenter(result, jobs)
        return result
    }

    /// A group whose job depends on jobs outside it that depend on the group again could never
    /// start: Snakemake rejects it, naming the rules.
    private func checkGroupsDoNotReenter(_ groups: JobGroups, _ jobs: [JobID]) throws {
        guard !groups.isEmpty else { return }
        let inRun = Set(jobs)
        for (g, group) in groups.groups.enumerated() {
            // Jobs outside the group reachable upstream from it; any of them that has a group
            // member upstream closes a loop.
            var stack = group.jobs.flatMap { self.jobs[$0].dependencies }.filter { inRun.contains($0) && groups.groupOf[$0] != g }
            var seen = Set(stack)
            var outside: [String] = []
            while let j = stack.popLast() {
                outside.append(ruleName(of: j))
                for d in self.jobs[j].dependencies where inRun.contains(d) {
                    if groups.groupOf[d] == g {
                        let names = Array(Set(outside)).sorted().joined(separator: ",")
                        throw DAGError.workflow("Error in group \(group.id): job of rule \(ruleName(of: group.jobs[0])) "
                            + "depends on rule(s) \(names) from outside the group, but they in turn depend on rule "
                            + "\(ruleName(of: d)) from inside the group again. This is not allowed. Ensure that those rules "
                            + "are part of the group as well.")
                    }
                    if seen.insert(d).inserted { stack.append(d) }
                }
            }
        }
    }

    private func groupName(_ value: Value, _ job: JobID) throws -> String {
        switch value {
        case .str(let text): return formatGroup(text, job)
        case .int(let n): return String(n)
        case .object(let o) where o is PyCallable:
            let result = try workflow.interpreter.callSnakemakeStyle(value, first: .object(wildcardsObject(job)), extras: [])
            return result.stringValue ?? "\(result)"
        default: return value.stringValue ?? "\(value)"
        }
    }

    /// `{name}` replaced by the job's wildcard values, as Snakemake's apply_wildcards does.
    private func formatGroup(_ text: String, _ job: JobID) -> String {
        guard text.contains("{") else { return text }
        var out = text
        for (name, value) in jobs[job].wildcards { out = out.replacingOccurrences(of: "{\(name)}", with: value) }
        return out
    }
}
