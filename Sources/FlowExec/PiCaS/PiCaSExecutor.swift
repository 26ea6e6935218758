// FlowExec PiCaS backend: jobs are tokens in a CouchDB token pool, run by whatever workers pull
// them (stock picas RunActors, `flow worker`, pilots on a grid).
//
// Owns: submit (the job script under .flow/jobs on the shared file system, a token whose
// `input` runs it; tokens are buffered and sent in batches, one `_bulk_docs` each, before the
// next status round or when a batch is full; a per-document conflict means "already submitted"
// and the token is adopted — after a restart its ids are the same, derived from run, job key and
// attempt), status (one `_all_docs?include_docs` request per round for every token in flight,
// mapped like the standard views), stale-lock scrubbing within a budget, then `lost`, logs (the
// `logs_<id>.out/.err` attachments, saved under .flow/logs/picas/) and cancel (todo tokens
// deleted, locked ones flagged `flow_cancel` so a flow worker stops them; one `_bulk_docs`). In grid
// data mode (no shared file system) a token carries the whole script and its files' storage
// locations, and the engine checks outputs in storage (`sharesFileSystem` false).
// It knows nothing about retries, ordering or limits beyond -j: the `Scheduler` decides those.

import Foundation
import FlowHTTP
import FlowStorage
import FlowSystem

public final class PiCaSExecutor: Executor {
    public struct Options {
        public var url: String
        public var database: String
        public var credentials: CouchCredentials?
        /// Absolute: where scripts and logs go (.flow/jobs, .flow/logs/picas).
        public var workdir: String
        public var jobs: Int = 100
        public var batchSize: Int = 2000
        public var statusInterval: Double = 5
        /// Seconds a lock may outlive the job's runtime (or a flow worker's last heartbeat).
        public var grace: Int = 600
        /// Stale locks scrubbed back to todo per token before it is reported lost.
        public var scrubBudget: Int = 2
        /// Rounds a token may be missing from the database before it is reported lost.
        public var lostAfterMissedRounds: Int = 3
        /// `path`: input runs the script on the shared file system; `embedded`: the token carries
        /// the whole script (with the job's generated programs), base64 in its one input line.
        public var tokenScript: String = "path"
        /// `shared`: workers run in flow's working directory. `grid`: no shared file system; each
        /// token carries its whole script and its files (location in storage, path in the job's
        /// folder) and `flow worker` stages them in and out around the job (`JobStaging`).
        public var dataMode: String = "shared"
        public var logHook: HTTPLogHook?

        public init(url: String, database: String, credentials: CouchCredentials?, workdir: String) {
            self.url = url
            self.database = database
            self.credentials = credentials
            self.workdir = workdir
        }
    }

    public let name = "picas"
    public let capabilities: ExecutorCapabilities
    public var maxInFlight: Int { options.jobs }
    public let options: Options
    let couch: CouchClient

    private struct Tracked {
        var stdoutPath: String?
        var stderrPath: String?
        var missedRounds = 0
        var scrubs = 0
    }

    private var tracked: [String: Tracked] = [:]
    private var pending: [CouchDocument] = []
    private var submissionErrors: [String: String] = [:]
    private var cancelled: Set<String> = []
    private var finished: [String: ExternalJobState] = [:]
    private var designChecked = false

    /// Requests that sent tokens (`_bulk_docs`) and status rounds (`_all_docs`) so far.
    public private(set) var submitRequests = 0
    public private(set) var statusRequests = 0
    /// Tokens found already in the database when submitted (a restart, a lost answer): adopted.
    public private(set) var adoptions = 0
    public private(set) var scrubbed = 0

    public init(options: Options) throws {
        self.options = options
        capabilities = ExecutorCapabilities(sharesFileSystem: options.dataMode != "grid", statusInterval: options.statusInterval)
        couch = try CouchClient(url: options.url, database: options.database, credentials: options.credentials,
                                logHook: options.logHook)
    }

    // MARK: submit

    public func submit(_ job: JobSpec) throws -> String {
        let id = job.externalName
        if tracked[id] != nil { return id }
        let grid = options.dataMode == "grid"
        let input: String
        if grid || options.tokenScript == "embedded" {
            var bare = job
            bare.environment = [:]  // values never travel in a token; workers bring their own
            // Grid: no cd, the worker starts the script in the token's own scratch folder.
            let script = JobScript.render(bare, directory: grid ? .some(nil) : .none, embedPrograms: true)
            input = "printf %s \(Data(script.utf8).base64EncodedString()) | base64 -d | bash"
        } else {
            let path = try JobScript.write(job, directory: options.workdir + "/.flow/jobs")
            input = "bash " + ShellQuote.quote(path)
        }
        tracked[id] = Tracked(stdoutPath: resolve(job.stdoutPath), stderrPath: resolve(job.stderrPath))
        if grid, let local = job.inputs.first(where: { StorageURL.scheme(of: $0.location) == nil }) {
            // A worker without flow's file system could never read it.
            submissionErrors[id] = "grid mode: input \(local.location) is not in storage (give --default-storage-prefix)"
            return id
        }
        pending.append(PiCaSToken.make(for: job, input: input, timeLimit: PiCaSToken.timeLimit(of: job), carryFiles: grid))
        if pending.count >= options.batchSize { try? flush() }
        return id
    }

    /// Sends the buffered tokens, `batchSize` per `_bulk_docs`. What fails stays buffered.
    public func flush() throws {
        if pending.isEmpty { return }
        try ensureDesignDocument()
        while !pending.isEmpty {
            let batch = Array(pending.prefix(options.batchSize))
            submitRequests += 1
            let results = try couch.bulk(batch)
            pending.removeFirst(batch.count)
            for result in results {
                switch result.error {
                case nil: break
                case "conflict"?: adoptions += 1
                case let error?: submissionErrors[result.id] = "the token pool refused the token: \(error)"
                }
            }
        }
    }

    /// The `Monitor` views stock workers and tools use, created if missing (others' views kept).
    func ensureDesignDocument() throws {
        if designChecked { return }
        let id = "_design/Monitor"
        for _ in 0..<5 {
            guard try couch.databaseExists() else {
                throw CouchError("the PiCaS database '\(options.database)' does not exist on \(options.url)")
            }
            var doc = try couch.get(id) ?? ["_id": id, "language": "javascript"]
            var views = doc["views"] as? [String: Any] ?? [:]
            var changed = false
            for (name, view) in PiCaSToken.monitorViews where views[name] == nil {
                views[name] = view
                changed = true
            }
            if !changed { break }
            doc["views"] = views
            if case .saved = try couch.put(doc) { break }
        }
        designChecked = true
    }

    // MARK: status

    public func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        try flush()
        var states: [String: ExternalJobState] = [:]
        var ask: [String] = []
        for id in ids {
            if let state = finished[id] { states[id] = state } else if let error = submissionErrors[id] {
                states[id] = .infrastructureFailed(reason: error)
            } else if cancelled.contains(id) {
                states[id] = .failed(exitStatus: 130, reason: "cancelled")
            } else {
                ask.append(id)
            }
        }
        if ask.isEmpty { return states }
        statusRequests += 1
        let rows = try couch.allDocs(keys: ask)
        let now = PiCaSToken.now()
        var scrub: [CouchDocument] = []
        for id in ask {
            guard case .document(let doc)? = rows[id] else {
                tracked[id, default: Tracked()].missedRounds += 1
                if tracked[id]!.missedRounds >= options.lostAfterMissedRounds { states[id] = .lost }
                continue
            }
            tracked[id, default: Tracked()].missedRounds = 0
            switch PiCaSToken.phase(of: doc) {
            case .todo:
                states[id] = .queued
            case .locked:
                if PiCaSToken.isStale(doc, now: now, grace: options.grace) {
                    if tracked[id]!.scrubs < options.scrubBudget {
                        tracked[id]!.scrubs += 1
                        scrub.append(PiCaSToken.scrubbed(doc))
                        states[id] = .queued
                    } else {
                        states[id] = .lost
                        finished[id] = .lost
                    }
                } else {
                    states[id] = .running
                }
            case .done:
                saveLogs(id)
                states[id] = .succeeded
            case .error(let code):
                saveLogs(id)
                let host = (doc["hostname"] as? String).map { $0.isEmpty ? "" : " on \($0)" } ?? ""
                var reason = code.map { "exit code \($0)\(host)" } ?? "the worker reported an error\(host)"
                let messages = PiCaSToken.errors(of: doc)
                if !messages.isEmpty { reason += ": " + messages.joined(separator: "; ") }
                states[id] = .failed(exitStatus: code.map { $0 == 0 ? 1 : $0 } ?? 1, reason: reason)
            }
            if let state = states[id], state.isTerminal { finished[id] = state }
        }
        if !scrub.isEmpty {
            // A conflict means a worker moved the token meanwhile: the next round sees what it did.
            _ = try? couch.bulk(scrub)
            scrubbed += scrub.count
        }
        return states
    }

    // MARK: logs

    private var logDirectory: String { options.workdir + "/.flow/logs/picas" }

    /// Fetches the token's log attachments into .flow/logs/picas/<id>.out/.err (and the job's own
    /// log paths, if it has them).
    private func saveLogs(_ id: String) {
        guard let doc = try? couch.get(id, attachments: true),
              let attachments = doc["_attachments"] as? [String: Any] else { return }
        try? LocalFiles.makeDirectories(logDirectory)
        for (suffix, own) in [("out", tracked[id]?.stdoutPath), ("err", tracked[id]?.stderrPath)] {
            guard let entry = attachments.first(where: { $0.key.hasSuffix("." + suffix) })?.value as? [String: Any],
                  let encoded = entry["data"] as? String, let data = Data(base64Encoded: encoded) else { continue }
            try? LocalFiles.writeAtomically([UInt8](data), to: logDirectory + "/" + id + "." + suffix)
            if let own, !data.isEmpty { Self.append(data, to: own) }
        }
    }

    public func logs(_ id: String) -> String? {
        let texts = ["out", "err"].compactMap { suffix -> String? in
            let path = logDirectory + "/" + id + "." + suffix
            guard let text = LocalExecutor.readTail(of: path, limit: 64 * 1024), !text.isEmpty else { return nil }
            return text
        }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    private static func append(_ data: Data, to path: String) {
        try? LocalFiles.makeParent(path)
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { return }
        handle.seekToEndOfFile()
        handle.write(data)
        handle.closeFile()
    }

    // MARK: cancel

    /// Deletes tokens still in todo and flags locked ones `flow_cancel` (a flow worker then stops
    /// the job); unsent tokens are dropped. A conflict (a worker just claimed it) is re-read once.
    public func cancel(_ ids: [String]) {
        let wanted = Set(ids)
        pending.removeAll { wanted.contains($0["_id"] as? String ?? "") }
        let remote = ids.filter { finished[$0] == nil && submissionErrors[$0] == nil }
        for id in ids { cancelled.insert(id) }
        var left = remote
        for _ in 0..<2 where !left.isEmpty {
            guard let rows = try? couch.allDocs(keys: left) else { return }
            var changes: [CouchDocument] = []
            for id in left {
                guard case .document(var doc)? = rows[id] else { continue }
                switch PiCaSToken.phase(of: doc) {
                case .todo:
                    changes.append(["_id": id, "_rev": doc["_rev"] ?? "", "_deleted": true])
                case .locked:
                    doc["flow_cancel"] = true
                    changes.append(doc)
                case .done, .error:
                    break
                }
            }
            guard !changes.isEmpty, let results = try? couch.bulk(changes) else { return }
            left = results.filter { $0.error == "conflict" }.map(\.id)
        }
    }

    private func resolve(_ path: String?) -> String? {
        guard let path else { return nil }
        return path.hasPrefix("/") ? path : options.workdir + "/" + path
    }
}
