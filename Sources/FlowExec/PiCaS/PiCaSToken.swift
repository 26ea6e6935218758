// FlowExec PiCaS backend: what a token is (executors.md §3.1, §3.2, §5.3).
//
// Owns: building a token from a `JobSpec` (the standard PiCaS fields any stock worker runs, plus
// flow's own under `flow`), the `Monitor` design document with the standard views, reading a
// token's state the way those views do (so lock = done = 99 counts as an error), the scrub that
// puts a token back in todo, and the epoch clock tokens use. Plain functions over
// `CouchDocument`s: no HTTP here.

import Foundation
import FlowSystem

public enum PiCaSToken {
    /// What a token's fields say, in the terms of the standard views.
    public enum Phase: Equatable {
        case todo
        case locked
        case done
        /// done with a non-zero or unreadable exit code (the `error` view).
        case error(exitCode: Int32?)
    }

    /// Epoch seconds, as PiCaS writes `lock` and `done`.
    public static func now() -> Int { Int(Date().timeIntervalSince1970) }

    // MARK: building

    /// The token for one job attempt. `input` is one shell command line; environment values are
    /// never part of it. With `carryFiles` (grid mode) the job's inputs and outputs go under
    /// `flow.inputs`/`flow.outputs` as `{location, path}` pairs, for `flow worker` to stage.
    public static func make(for job: JobSpec, input: String, timeLimit: Int?, carryFiles: Bool = false) -> CouchDocument {
        var flow: CouchDocument = [
            "run": job.runID,
            "job": job.key,
            "rule": job.name,
            "wildcards": wildcards(ofKey: job.key),
            "attempt": job.attempt,
            "threads": job.threads,
            "resources": Dictionary(uniqueKeysWithValues: job.resources.map { key, value -> (String, Any) in
                switch value {
                case .int(let n): return (key, n)
                case .string(let s): return (key, s)
                }
            }),
            "workdir": job.workingDirectory,
        ]
        if let timeLimit { flow["time_limit"] = timeLimit }
        if carryFiles {
            flow["inputs"] = job.inputs.map { ["location": $0.location, "path": $0.path] }
            flow["outputs"] = job.outputs.map { ["location": $0.location, "path": $0.path] }
        }
        return [
            "_id": job.externalName,
            "type": "token",
            "lock": 0,
            "done": 0,
            "hostname": "",
            "scrub_count": 0,
            "input": input,
            "exit_code": "",
            "output": [String: Any](),
            "uploads": [String: Any](),
            "error": [Any](),
            "flow": flow,
        ]
    }

    /// `rule[a=1,b=x]` → ["a": "1", "b": "x"] (the stable job key's wildcards).
    static func wildcards(ofKey key: String) -> [String: String] {
        guard let open = key.firstIndex(of: "["), key.hasSuffix("]") else { return [:] }
        let inner = key[key.index(after: open)..<key.index(before: key.endIndex)]
        var result: [String: String] = [:]
        for part in inner.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { result[String(pair[0]).trimmingCharacters(in: .whitespaces)] = String(pair[1]) }
        }
        return result
    }

    /// The token's time limit in seconds from the job's `runtime` resource (minutes, or "2h").
    static func timeLimit(of job: JobSpec) -> Int? {
        switch job.resources["runtime"] {
        case .int(let minutes)?: return minutes > 0 ? minutes * 60 : nil
        case .string(let text)?: return ExecutorText.runtimeSeconds(text)
        case nil: return nil
        }
    }

    // MARK: reading

    /// The files a grid-mode token carries (nil for a shared-file-system or stock token).
    public static func files(of doc: CouchDocument) -> (inputs: [JobFile], outputs: [JobFile])? {
        guard let flow = doc["flow"] as? CouchDocument, let inputs = flow["inputs"] as? [Any],
              let outputs = flow["outputs"] as? [Any] else { return nil }
        func read(_ list: [Any]) -> [JobFile] {
            list.compactMap { entry in
                guard let e = entry as? CouchDocument, let location = e["location"] as? String,
                      let path = e["path"] as? String else { return nil }
                return JobFile(location: location, path: path)
            }
        }
        return (read(inputs), read(outputs))
    }

    public static func phase(of doc: CouchDocument) -> Phase {
        let lock = number(doc["lock"]) ?? 0
        let done = number(doc["done"]) ?? 0
        if lock == 0 && done == 0 { return .todo }
        if lock > 0 && done == 0 { return .locked }
        if lock > 0 && done > 0 {
            let code = exitCode(doc["exit_code"])
            return code == 0 ? .done : .error(exitCode: code)
        }
        // lock 0 with done > 0 is in no view: treat it as an error, never as success.
        return .error(exitCode: exitCode(doc["exit_code"]))
    }

    /// JavaScript's parseInt for `exit_code` (an int, or text such as "0").
    static func exitCode(_ value: Any?) -> Int32? {
        if let n = value as? Int { return Int32(truncatingIfNeeded: n) }
        if let d = value as? Double, d.isFinite { return Int32(truncatingIfNeeded: Int(d)) }
        if let s = value as? String {
            let digits = s.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber || $0 == "-" || $0 == "+" }
            return Int32(digits)
        }
        return nil
    }

    /// A JSON number (or numeric text) as a Double; nil otherwise.
    static func number(_ value: Any?) -> Double? {
        if let b = value as? Bool { return b ? 1 : 0 }
        if let n = value as? NSNumber { return n.doubleValue }
        if let s = value as? String { return s.isEmpty ? 0 : Double(s) }
        return nil
    }

    /// A locked token whose worker has gone quiet: its last heartbeat (flow workers) or its lock
    /// (stock workers, which never heartbeat) is older than the job's runtime plus `grace`.
    public static func isStale(_ doc: CouchDocument, now: Int, grace: Int) -> Bool {
        guard phase(of: doc) == .locked else { return false }
        if let beat = number(doc["flow_heartbeat"]), beat > 0 { return Double(now) - beat > Double(grace) }
        let lock = number(doc["lock"]) ?? 0
        let limit = number((doc["flow"] as? CouchDocument)?["time_limit"]) ?? 0
        return Double(now) - lock > limit + Double(grace)
    }

    /// The failure messages a worker recorded (`error: [{message, ...}]`).
    static func errors(of doc: CouchDocument) -> [String] {
        (doc["error"] as? [Any] ?? []).compactMap { entry in
            if let e = entry as? CouchDocument { return e["message"] as? String }
            return entry as? String
        }
    }

    /// Back to todo (`Task.scrub` of the picas client): lock and done 0, scrub_count + 1, no worker.
    public static func scrubbed(_ doc: CouchDocument) -> CouchDocument {
        var doc = doc
        doc["lock"] = 0
        doc["done"] = 0
        doc["scrub_count"] = Int(number(doc["scrub_count"]) ?? 0) + 1
        doc["hostname"] = ""
        for key in ["flow_worker", "flow_heartbeat", "slurm_job_id", "pbs_job_id", "dirac_job_id", "wms_job_id", "cream_job_id"] {
            doc[key] = nil
        }
        return doc
    }

    // MARK: the Monitor design document

    public static let viewConditions: [(name: String, condition: String)] = [
        ("todo", "doc.lock == 0 && doc.done == 0"),
        ("locked", "doc.lock > 0 && doc.done == 0"),
        ("done", "doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) == 0"),
        ("error", "doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) != 0"),
    ]

    /// The standard views of picas' `create_views.py`.
    public static var monitorViews: [String: CouchDocument] {
        var views: [String: CouchDocument] = [:]
        for (name, condition) in viewConditions {
            views[name] = ["map": "function(doc) {\n   if(doc.type == \"token\") {\n    if(\(condition)) {\n      emit(doc._id, doc._id);\n    }\n  }\n}"]
        }
        let overview = viewConditions.map { "       if(\($0.condition)) {\n          emit('\($0.name)', 1);\n       }\n" }.joined()
        views["overview_total"] = [
            "map": "function(doc) {\n   if(doc.type == \"token\") {\n" + overview + "   }\n}",
            "reduce": "function (key, values, rereduce) {\n   return sum(values);\n}",
        ]
        return views
    }
}
