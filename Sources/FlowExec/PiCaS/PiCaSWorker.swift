// FlowExec PiCaS backend: `flow worker`, a pilot that drains a token pool (no Python needed).
//
// Owns: the claim loop (a random token of the todo view's first 100, claimed by a PUT with the
// `_rev` it read: 409 → another token), running `input` with `bash -c` in its own process group
// under the token's time limit, heartbeats on long tokens (which also notice a flow cancel flag or
// a token taken away by a scrub), the one final update with `exit_code`, `done` and the
// `logs_<id>.out/.err` attachments (409 → re-read, merge, retry), returning the token to todo on
// SIGTERM/SIGINT, and the stop rules (max tokens, max time, idle exit). It runs stock picas
// tokens as well as flow's. An ambiguous answer (a PUT retried after a lost response) is settled
// by re-reading: the token carries this worker's id. A grid token (`flow.inputs`/`flow.outputs`)
// runs in a scratch folder of its own: inputs retrieved from storage before, outputs stored after.

#if canImport(Glibc)
import Foundation
import FlowHTTP
import FlowStorage
import Glibc

public final class PiCaSWorker {
    public struct Options {
        public var url: String
        public var database: String
        public var credentials: CouchCredentials?
        public var view = "todo"
        public var design = "Monitor"
        public var maxTokens: Int?
        /// Seconds after which no new token is claimed.
        public var maxTime: Double?
        /// Seconds to wait for new tokens once the view is empty (0: stop at once).
        public var idleExit: Double = 0
        /// Upper bound on a token's run time (a token's own `flow.time_limit` may be lower).
        public var maxTokenTime: Double?
        public var heartbeat: Double = 60
        /// Failed tokens put back in todo this many times, like picas' `max_scrub` (0: never).
        public var maxScrub: Int = 0
        /// Where `input` runs (nil: the current directory).
        public var workdir: String?
        public var log: (String) -> Void = { FileHandle.standardError.write(Data(("flow worker: " + $0 + "\n").utf8)) }

        public init(url: String, database: String, credentials: CouchCredentials?) {
            self.url = url
            self.database = database
            self.credentials = credentials
        }
    }

    public struct Summary: Equatable {
        public var processed = 0
        public var failed = 0
        public var returned = 0
    }

    private let options: Options
    private let couch: CouchClient
    private let interruption: Interruption
    /// Written into every token this worker locks, so an ambiguous answer can be settled.
    let workerID: String
    private let hostname: String
    /// Where grid tokens' files live (davs://, root://, file://, gs:// …), made on first use.
    private lazy var storage = Storage.standard()

    public init(options: Options, interruption: Interruption) throws {
        self.options = options
        self.interruption = interruption
        couch = try CouchClient(url: options.url, database: options.database, credentials: options.credentials,
                                retry: RetryPolicy(maxAttempts: 8, baseDelay: 0.25, maxDelay: 4, budget: 120))
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        hostname = String(cString: name)
        workerID = "\(hostname):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }

    public func run() throws -> Summary {
        var summary = Summary()
        let started = MonotonicClock.now()
        var idleSince: Double?
        while !interruption.check() {
            if let max = options.maxTokens, summary.processed >= max { options.log("processed \(max) tokens: stopping"); break }
            if let max = options.maxTime, MonotonicClock.now() - started >= max { options.log("ran \(Int(max)) s: stopping"); break }
            guard let token = try claim() else {
                let now = MonotonicClock.now()
                idleSince = idleSince ?? now
                let waited = now - idleSince!
                if waited >= options.idleExit { options.log("no token in view \(options.view): stopping"); break }
                interruption.wait(timeout: min(2, options.idleExit - waited))
                continue
            }
            idleSince = nil
            switch try process(token) {
            case .finished(let code):
                summary.processed += 1
                if code != 0 { summary.failed += 1 }
            case .returned:
                summary.returned += 1
                return summary
            case .takenAway:
                summary.processed += 1
            }
        }
        return summary
    }

    // MARK: claiming

    /// A token of the view, locked for this worker; nil when the view is empty.
    func claim() throws -> CouchDocument? {
        var conflicts = 0
        while !interruption.check() {
            let ids = try couch.viewIDs(options.view, design: options.design, limit: 100)
            guard let id = ids.randomElement() else { return nil }
            guard var doc = try couch.get(id), PiCaSToken.phase(of: doc) == .todo else { continue }
            doc["lock"] = PiCaSToken.now()
            doc["hostname"] = hostname
            doc["flow_worker"] = workerID
            // From the claim on, a flow worker's liveness is its heartbeat (see PiCaSToken.isStale).
            doc["flow_heartbeat"] = doc["lock"]
            if let slurm = ProcessInfo.processInfo.environment["SLURM_JOB_ID"] { doc["slurm_job_id"] = slurm }
            switch try couch.put(doc) {
            case .saved(let rev):
                doc["_rev"] = rev
                return doc
            case .conflict:
                // Lost the race, unless our own earlier attempt got through before its answer was lost.
                if let now = try couch.get(id), now["flow_worker"] as? String == workerID, PiCaSToken.phase(of: now) == .locked {
                    return now
                }
                conflicts += 1
                if conflicts % 10 == 0 { interruption.wait(timeout: Double.random(in: 0.1...0.5)) }
            }
        }
        return nil
    }

    // MARK: running

    enum Outcome: Equatable {
        case finished(exitCode: Int32)
        /// Interrupted: the token went back to todo.
        case returned
        /// Scrubbed or deleted meanwhile: someone else owns it now.
        case takenAway
    }

    func process(_ claimed: CouchDocument) throws -> Outcome {
        var doc = claimed
        let id = doc["_id"] as? String ?? "?"
        guard let input = doc["input"] as? String else {
            return try finish(&doc, exitCode: 1, out: Data(), err: Data(), error: "input is not a shell command line")
        }
        var limit = options.maxTokenTime
        if let own = PiCaSToken.number((doc["flow"] as? CouchDocument)?["time_limit"]), own > 0 { limit = min(limit ?? own, own) }
        let scratch = NSTemporaryDirectory() + "flow-worker-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err"
        // A grid token (no shared file system) runs in a folder of its own, its files staged.
        var staged: JobSpec?
        defer { if let staged { try? FileManager.default.removeItem(atPath: staged.workingDirectory) } }
        if let files = PiCaSToken.files(of: doc) {
            let folder = (options.workdir ?? FileManager.default.currentDirectoryPath) + "/flow-token-" + id
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let spec = JobSpec(id: 0, name: id, key: id, runID: "", command: .shell(""), workingDirectory: folder,
                               inputs: files.inputs, outputs: files.outputs)
            staged = spec
            options.log("token \(id): staging in \(files.inputs.count) inputs")
            do { try JobStaging.stageIn(spec, storage: storage, into: folder) } catch {
                let message = "staging in failed: \(error)"
                return try finish(&doc, exitCode: 1, out: Data(), err: Data((message + "\n").utf8), error: message)
            }
        }
        options.log("running token \(id)")
        let pid = try ProcessSpawner().spawn(
            executable: "/bin/bash", arguments: ["bash", "-c", input],
            environment: EnvironmentBlock.merging(jobEnvironment, ["PICAS_TOKEN_ID": id]),
            workingDirectory: staged?.workingDirectory ?? options.workdir, output: ChildOutput(stdoutPath: outPath, stderrPath: errPath))
        var child = ChildProcess(pid: pid, output: ChildOutput(stdoutPath: outPath, stderrPath: errPath))
        let started = MonotonicClock.now()
        var nextBeat = started + options.heartbeat
        var stopReason: String?
        var cancelledByFlow = false
        while !child.reap() {
            let now = MonotonicClock.now()
            if interruption.check() {
                stop(&child)
                options.log("interrupted: returning token \(id) to todo")
                try update(&doc) { PiCaSToken.scrubbed($0) }
                return .returned
            }
            if let limit, now - started >= limit {
                stopReason = "time limit of \(Int(limit)) s exceeded"
                stop(&child)
                break
            }
            if now >= nextBeat {
                nextBeat = now + options.heartbeat
                switch heartbeat(&doc) {
                case .ok: break
                case .cancelled:
                    stopReason = "cancelled by flow"
                    cancelledByFlow = true
                    stop(&child)
                case .takenAway:
                    options.log("token \(id) was taken away (scrubbed or deleted): stopping its job")
                    stop(&child)
                    return .takenAway
                }
            }
            let wake = min(nextBeat, limit.map { started + $0 } ?? .infinity)
            wait(for: child, timeout: max(0.01, min(wake - MonotonicClock.now(), 1)))
        }
        _ = child.reap(block: true)
        var code: Int32
        switch ChildProcess.state(waitStatus: child.waitStatus ?? -1) {
        case .succeeded: code = 0
        case .failed(let status, _): code = status
        default: code = 1
        }
        if stopReason != nil && code == 0 { code = cancelledByFlow ? 130 : 124 }
        let out = FileManager.default.contents(atPath: outPath) ?? Data()
        var err = FileManager.default.contents(atPath: errPath) ?? Data()
        if let staged {
            // What the job left, failed or not (flow reads a failed job's logs from storage).
            do { try JobStaging.stageOut(staged, storage: storage, from: staged.workingDirectory) } catch {
                let message = "staging out failed: \(error)"
                err.append(Data((message + "\n").utf8))
                if code == 0 { code = 1; stopReason = message }
            }
        }
        return try finish(&doc, exitCode: code, out: out, err: err, error: stopReason)
    }

    /// The one final update: exit code, done, the log attachments (and the error, if any).
    private func finish(_ doc: inout CouchDocument, exitCode: Int32, out: Data, err: Data, error: String?) throws -> Outcome {
        let id = doc["_id"] as? String ?? "?"
        let done = PiCaSToken.now()
        var scrubAfter = false
        let saved = try update(&doc) { current in
            var next = current
            next["exit_code"] = Int(exitCode)
            next["done"] = done
            next["flow_heartbeat"] = nil
            var attachments = current["_attachments"] as? CouchDocument ?? [:]
            attachments["logs_\(id).out"] = ["content_type": "text/plain", "data": out.base64EncodedString()]
            attachments["logs_\(id).err"] = ["content_type": "text/plain", "data": err.base64EncodedString()]
            next["_attachments"] = attachments
            if let error {
                var errors = current["error"] as? [Any] ?? []
                errors.append(["time": done, "message": error, "exception": ""])
                next["error"] = errors
            }
            return next
        }
        guard saved else { return .takenAway }
        options.log("token \(id) done: exit code \(exitCode)")
        if exitCode != 0, Int(PiCaSToken.number(doc["scrub_count"]) ?? 0) < options.maxScrub { scrubAfter = true }
        if scrubAfter { _ = try update(&doc) { PiCaSToken.scrubbed($0) } }
        return .finished(exitCode: exitCode)
    }

    private enum Beat { case ok, cancelled, takenAway }

    private func heartbeat(_ doc: inout CouchDocument) -> Beat {
        guard let id = doc["_id"] as? String else { return .ok }
        let found: CouchDocument?
        do { found = try couch.get(id) } catch { return .ok }  // unreachable for now: keep running
        guard let current = found else { return .takenAway }
        guard isOurs(current) else { return .takenAway }
        if current["flow_cancel"] as? Bool == true { doc = current; return .cancelled }
        var next = current
        next["flow_heartbeat"] = PiCaSToken.now()
        if case .saved(let rev)? = try? couch.put(next) { next["_rev"] = rev; doc = next } else { doc = current }
        return .ok
    }

    /// This process's environment without the pool's password: jobs never see it.
    private var jobEnvironment: [String: String] {
        var environment = EnvironmentBlock.current()
        environment["PICAS_PASSWORD"] = nil
        return environment
    }

    private func isOurs(_ doc: CouchDocument) -> Bool {
        doc["flow_worker"] as? String == workerID && PiCaSToken.phase(of: doc) == .locked
    }

    /// Read-modify-write of our token: on 409 re-read and apply `change` again, as long as the
    /// token is still ours. False when it no longer is.
    @discardableResult
    private func update(_ doc: inout CouchDocument, _ change: (CouchDocument) -> CouchDocument) throws -> Bool {
        guard let id = doc["_id"] as? String else { return false }
        var current = doc
        for attempt in 0..<20 {
            var next = change(current)
            switch try couch.put(next) {
            case .saved(let rev):
                next["_rev"] = rev
                doc = next
                return true
            case .conflict:
                guard let fresh = try couch.get(id) else { return false }
                if !isOurs(fresh) {
                    // Still carrying our id but no longer locked: our own write landed before its
                    // answer was lost. Otherwise it was scrubbed or deleted: no longer ours.
                    if fresh["flow_worker"] as? String == workerID { doc = fresh; return true }
                    return false
                }
                current = fresh
                if attempt > 3 { Thread.sleep(forTimeInterval: 0.05 * Double(attempt)) }
            }
        }
        throw CouchError("token \(id): 20 update conflicts in a row")
    }

    /// SIGTERM to the job's process group, SIGKILL after 5 s.
    private func stop(_ child: inout ChildProcess) {
        child.signalGroup(SIGTERM)
        let deadline = MonotonicClock.now() + 5
        while !child.reap() && MonotonicClock.now() < deadline { wait(for: child, timeout: 0.1) }
        if !child.reap() {
            child.signalGroup(SIGKILL)
            _ = child.reap(block: true)
        }
    }

    private func wait(for child: ChildProcess, timeout: Double) {
        var fds = [pollfd(fd: interruption.fileDescriptor, events: Int16(POLLIN), revents: 0)]
        if child.exitDescriptor >= 0 { fds.append(pollfd(fd: child.exitDescriptor, events: Int16(POLLIN), revents: 0)) }
        let ms = child.exitDescriptor >= 0 ? Int32(timeout * 1000) : Int32(min(timeout, 0.1) * 1000)
        _ = poll(&fds, nfds_t(fds.count), ms)
    }
}
#endif
