// FlowExec contract: a job group — Snakemake's `group:` jobs, and jobs joined by pipe() or
// service() files — as ONE job for the back end.
//
// Owns: `JobGroup` (the members, each a complete `JobSpec`, with what joins them) and turning it
// into one `JobSpec` whose command is a bash program that runs the members: stage by stage in
// dependency order (`GroupResources` decides the stages), the members of a stage at the same
// time, each in a process group of its own; pipe outputs made as FIFOs before their stage starts
// so producer and consumer stream; a service member stopped once the rest of its stage is done
// (that is its success). A failing member stops its stage and the stages after it. Every
// member's exit status is appended to the group's member-status file as "<job id> <status>" the
// moment it ends, so the engine records each member's own outcome (`outcomes(_:)`); the file is
// one of the group's outputs, so a back end without flow's file system stages it back too.
// A back end submits the group's spec like any other: one sbatch, one Kubernetes Job, one flux
// job, one PiCaS token.

import Foundation
import FlowSystem

public struct JobGroupMember: Equatable, Sendable {
    public var spec: JobSpec
    /// Members (indexes into `JobGroup.members`) whose outputs this one reads.
    public var dependencies: [Int]
    /// Outputs that are pipe() files: made as FIFOs before the member starts, never staged.
    public var pipes: [String]
    /// Outputs that are service() files: the member serves them until its consumers are done.
    public var services: [String]

    public init(spec: JobSpec, dependencies: [Int] = [], pipes: [String] = [], services: [String] = []) {
        self.spec = spec
        self.dependencies = dependencies
        self.pipes = pipes
        self.services = services
    }

    var isService: Bool { !services.isEmpty }
}

public struct JobGroup: Equatable, Sendable {
    /// The group's name (the `group:` value, or a pipe group's own name).
    public var id: String
    /// In dependency order: a member comes after every member it reads from.
    public var members: [JobGroupMember]
    /// Member indexes per stage, in the order the stages run (set by `spec(...)`).
    public private(set) var stages: [[Int]] = []

    public init(id: String, members: [JobGroupMember]) {
        self.id = id
        self.members = members
    }

    /// The group as one job.
    /// - Parameters:
    ///   - limits: global limits the group's concurrent members must fit (--resources; `_cores`
    ///     for a group that runs locally).
    public func spec(runID: String, attempt: Int, workingDirectory: String, limits: [String: Int]) throws -> JobSpec {
        var group = self
        let local = members.contains { $0.spec.isLocal }
        let (levels, units) = group.levels()
        let unitResources = try units.map { unit in
            try GroupResources.merge(concurrent: unit.map { (members[$0].spec.threads, members[$0].spec.resources) })
        }
        let combined: GroupResources.Combined
        do {
            combined = try GroupResources.combine(levels: levels, units: unitResources, limits: limits, local: local)
        } catch let error as GroupResources.LayeringError {
            throw GroupResources.LayeringError(description: "group \(id): \(error.description)")
        }
        group.stages = combined.stages.map { $0.flatMap { units[$0] }.sorted() }
        let rules = members.map(\.spec.name).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
        let produced = Set(members.flatMap { $0.spec.outputs.map(\.location) })
        let transient = Set(members.flatMap { $0.pipes + $0.services })
        var inputs: [JobFile] = []
        var seen = Set<String>()
        for member in members {
            for input in member.spec.inputs where !produced.contains(input.location) && seen.insert(input.location).inserted {
                inputs.append(input)
            }
        }
        let images = Set(members.compactMap(\.spec.container))
        var spec = JobSpec(
            id: members[0].spec.id, name: id + "_" + (rules.count > 5 ? rules.prefix(5) + ["..."] : rules).joined(separator: "_"),
            key: Self.key(id: id, memberKeys: members.map(\.spec.key)), attempt: attempt,
            runID: runID, command: .shell("true"), workingDirectory: workingDirectory, threads: combined.threads,
            resources: combined.resources, inputs: inputs,
            outputs: members.flatMap { $0.spec.outputs.filter { !transient.contains($0.location) } },
            programs: members.flatMap(\.spec.programs), container: images.count == 1 ? images.first : nil, isLocal: local)
        spec.group = group
        let status = Self.statusFile(of: spec)
        spec.outputs.append(JobFile(status))
        spec.command = .shell(group.script(statusFile: status, workingDirectory: workingDirectory))
        return spec
    }

    /// What identifies the group across runs: its name and its members' keys.
    public static func key(id: String, memberKeys: [String]) -> String {
        "group \(id): " + memberKeys.sorted().joined(separator: ", ")
    }

    /// The member keys a group's key names; nil for the key of a single job.
    public static func memberKeys(ofKey key: String) -> [String]? {
        guard key.hasPrefix("group "), let colon = key.range(of: ": ") else { return nil }
        return key[colon.upperBound...].components(separatedBy: ", ")
    }

    /// Where the group's script writes each member's exit status, relative to its directory.
    public static func statusFile(of spec: JobSpec) -> String { ".flow/jobs/\(spec.externalName).members" }

    /// Member job id → exit status, from the member-status file's text. Members missing never ran
    /// to their end (an earlier stage failed, or the group was stopped).
    public static func outcomes(_ text: String) -> [Int: Int32] {
        var out: [Int: Int32] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let id = Int(parts[0]), let status = Int32(parts[1]) { out[id] = status }
        }
        return out
    }

    /// Dependency levels of the units (a unit: members joined by pipes or services, else one
    /// member); a unit's level follows every unit it reads from.
    private func levels() -> (levels: [[Int]], units: [[Int]]) {
        // Union-find over pipe/service edges.
        var parent = Array(members.indices)
        func root(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
        for (i, member) in members.enumerated() {
            for d in member.dependencies where !(members[d].pipes.isEmpty && members[d].services.isEmpty) {
                let produced = Set(members[d].pipes + members[d].services)
                if member.spec.inputs.contains(where: { produced.contains($0.location) }) { parent[root(i)] = root(d) }
            }
        }
        var unitOf = [Int: Int]()
        var units: [[Int]] = []
        for i in members.indices {
            let r = root(i)
            if let u = unitOf[r] { units[u].append(i) } else { unitOf[r] = units.count; units.append([i]) }
        }
        // Members are in dependency order, so a unit's level is known once its members are seen;
        // a unit whose members come late is settled by repeating (at most once per unit).
        var level = [Int](repeating: 0, count: units.count)
        var changed = true
        var rounds = 0
        while changed && rounds <= units.count {
            changed = false
            rounds += 1
            for (u, unit) in units.enumerated() {
                for i in unit {
                    for d in members[i].dependencies {
                        let du = unitOf[root(d)]!
                        if du != u && level[du] + 1 > level[u] { level[u] = level[du] + 1; changed = true }
                    }
                }
            }
        }
        let depth = (level.max() ?? -1) + 1
        var levels = [[Int]](repeating: [], count: depth)
        for u in units.indices { levels[level[u]].append(u) }
        return (levels, units)
    }

    /// The bash program that runs the members (see the file comment).
    func script(statusFile: String, workingDirectory: String) -> String {
        var lines = [
            "# flow group \(id): \(members.count) jobs in \(stages.count) stages",
            // Failures are handled member by member. Each member runs in a session (so a process
            // group) of its own, which stops whole: a service's children go with it.
            "set +eu",
            "if command -v setsid >/dev/null 2>&1; then _flow_sid=setsid; else _flow_sid=; fi",
            "_flow_status=\(ShellQuote.quote(statusFile))",
            "mkdir -p \"$(dirname \"$_flow_status\")\" && : > \"$_flow_status\"",
            "_flow_rc=0; _flow_all=(); _flow_normal=(); _flow_services=(); declare -A _flow_id=() _flow_pid=()",
            "_flow_kill() { local p; for p in \"$@\"; do kill -TERM -- \"-$p\" 2>/dev/null || kill -TERM \"$p\" 2>/dev/null; done; }",
            "trap '_flow_kill \"${_flow_all[@]}\"; exit 143' TERM INT HUP",
            "_flow_start() { _flow_id[$1]=$2; _flow_pid[$2]=$1; _flow_all+=(\"$1\"); if [ \"$3\" = service ]; then _flow_services+=(\"$1\"); else _flow_normal+=(\"$1\"); fi; }",
            "_flow_ended() { echo \"$1 $2\" >> \"$_flow_status\"; if [ \"$2\" -ne 0 ] && [ \"$_flow_rc\" -eq 0 ]; then _flow_rc=$2; _flow_kill \"${_flow_normal[@]}\" \"${_flow_services[@]}\"; fi; }",
            // Wait for the stage's members as they end (any order: a consumer may fail before its
            // producer), then stop its services, whose consumers are all done.
            "_flow_wait_stage() {",
            "  local pid s rest p",
            "  while [ ${#_flow_normal[@]} -gt 0 ]; do",
            "    pid=; wait -n -p pid \"${_flow_normal[@]}\" 2>/dev/null; s=$?",
            // bash may already have reaped and filed away a member that ended while it returned
            // another one; `wait -n` no longer knows it ("no such job"), a plain `wait` still
            // has its status.
            "    if [ -z \"$pid\" ]; then for pid in \"${_flow_normal[@]}\"; do wait \"$pid\"; _flow_ended \"${_flow_id[$pid]}\" \"$?\"; done; _flow_normal=(); break; fi",
            "    rest=(); for p in \"${_flow_normal[@]}\"; do [ \"$p\" = \"$pid\" ] || rest+=(\"$p\"); done; _flow_normal=(\"${rest[@]}\")",
            "    _flow_ended \"${_flow_id[$pid]}\" \"$s\"",
            "  done",
            "  for pid in \"${_flow_services[@]}\"; do",
            "    if kill -0 \"$pid\" 2>/dev/null; then _flow_kill \"$pid\"; wait \"$pid\"; _flow_ended \"${_flow_id[$pid]}\" 0",
            "    else wait \"$pid\"; _flow_ended \"${_flow_id[$pid]}\" \"$?\"; fi",
            "  done",
            "  _flow_services=()",
            "  [ \"$_flow_rc\" -eq 0 ] || exit \"$_flow_rc\"",
            "}",
        ]
        for (number, stage) in stages.enumerated() {
            lines.append("# stage \(number + 1): " + stage.map { "\(members[$0].spec.name) (job \(members[$0].spec.id))" }.joined(separator: ", "))
            for i in stage {
                for pipe in members[i].pipes {
                    let path = members[i].spec.outputs.first { $0.location == pipe }?.path ?? pipe
                    let q = ShellQuote.quote(path)
                    lines.append("rm -f \(q) && mkfifo \(q) || exit 1")
                }
            }
            // Services first: their consumers wait for the service's file to appear.
            for i in stage.filter({ members[$0].isService }) + stage.filter({ !members[$0].isService }) {
                lines.append(memberLine(i, workingDirectory: workingDirectory))
            }
            lines.append("_flow_wait_stage")
        }
        lines.append("exit 0")
        return lines.joined(separator: "\n")
    }

    private func memberLine(_ index: Int, workingDirectory: String) -> String {
        let member = members[index]
        let spec = member.spec
        var body: [String] = []
        // A service's file appears some time after it starts (Snakemake's jobs wait for their
        // inputs too): wait for it while the service lives.
        for d in member.dependencies where members[d].isService {
            for path in members[d].services where spec.inputs.contains(where: { $0.location == path }) {
                let q = ShellQuote.quote(spec.inputs.first { $0.location == path }!.path)
                body.append("while [ ! -e \(q) ] && kill -0 \"${_flow_pid[\(members[d].spec.id)]}\" 2>/dev/null; do sleep 0.1; done")
            }
        }
        // A member runs in the group's directory unless flow gave it one of its own (shadow).
        if spec.workingDirectory != workingDirectory { body.append("cd \(ShellQuote.quote(spec.workingDirectory))") }
        for key in spec.environment.keys.sorted() { body.append("export \(key)=\(ShellQuote.quote(spec.environment[key]!))") }
        switch spec.command {
        case .shell(let text): body.append("exec $_flow_sid bash -euo pipefail -c \(ShellQuote.quote(text))")
        case .script(let path): body.append("exec $_flow_sid bash \(ShellQuote.quote(path))")
        }
        var redirect = ""
        if let out = spec.stdoutPath { redirect += " >>\(ShellQuote.quote(out))" }
        if let err = spec.stderrPath { redirect += err == spec.stdoutPath ? " 2>&1" : " 2>>\(ShellQuote.quote(err))" }
        let kind = member.isService ? "service" : "job"
        return "( \(body.joined(separator: "; ")) )\(redirect) < /dev/null & _flow_start $! \(spec.id) \(kind)"
    }
}
