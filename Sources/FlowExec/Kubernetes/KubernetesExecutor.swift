// FlowExec Kubernetes backend: jobs as batch/v1 Jobs through the Kubernetes API.
//
// Owns: submit (one POST per attempt with a deterministic name; 409 means already submitted:
// adopt), status (one LIST of the run's Jobs and one of its Pods by label per round, whatever
// the number of jobs, plus one batched DELETE of the Jobs that finished), the log of every
// finished job under .flow/logs/k8s/ (each job writes its own, on the shared volume or stored
// through storage; the API's pod log is only the fallback, as it costs a request per job), cancel (one batched
// DELETE), the run's Secret for `envvars`, and the sweep of everything labelled with the run when
// the executor goes away (normal end, failure, Ctrl-C; not SIGKILL, so a restart can adopt).
// Transient API errors are thrown from `poll`: the scheduler keeps every job's previous state
// and asks again. It knows nothing about retries of jobs, ordering or limits beyond -j.

import FlowHTTP
import FlowStorage
import FlowSystem
import Foundation

public final class KubernetesExecutor: Executor {
    public let name = "kubernetes"
    public let capabilities: ExecutorCapabilities
    public var maxInFlight: Int { options.jobs }
    public let options: KubernetesOptions
    /// Called with warnings (an unschedulable pod); stderr by default.
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data(("flow: warning: " + $0 + "\n").utf8)) }

    let client: KubernetesClient
    private let logDirectory: String
    private let lock = NSLock()
    private var runIDs: [String] = []
    private var secretsMade: Set<String> = []
    private var missedRounds: [String: Int] = [:]
    private var unschedulableSince: [String: Date] = [:]
    private var warned: Set<String> = []
    private var logPaths: [String: String] = [:]
    /// Finished Jobs whose delete has not gone through yet.
    private var toDelete: Set<String> = []

    public private(set) var submissions = 0
    public private(set) var adoptions = 0
    private let counter = RequestCounter()
    /// Staged mode: where jobs leave their own logs (made on first use; credentials as the pods').
    private lazy var storage = Storage.standard()
    /// API requests (attempts) so far.
    public var apiRequests: Int { counter.value }

    public init(options: KubernetesOptions, endpoint: KubeEndpoint, retry: RetryPolicy = RetryPolicy()) throws {
        self.options = options
        capabilities = ExecutorCapabilities(sharesFileSystem: options.dataMode == .shared, statusInterval: options.statusInterval)
        let counter = self.counter
        let http = try HTTPClient(HTTPClientConfiguration(
            baseURL: endpoint.server, tls: endpoint.tls, auth: endpoint.auth, retry: retry,
            timeouts: HTTPTimeouts(connect: 10, total: 60), userAgent: "flow-k8s",
            logHook: { _ in counter.increment() }))
        client = KubernetesClient(http: http, namespace: options.namespace)
        logDirectory = options.workdir + "/.flow/logs/k8s"
    }


    // MARK: submit

    public func submit(_ job: JobSpec) throws -> String {
        let name = job.externalName
        lock.lock()
        let newRun = !runIDs.contains(job.runID)
        if newRun { runIDs.append(job.runID) }
        lock.unlock()
        let secret = options.envvars.isEmpty ? nil : try ensureSecret(runID: job.runID)
        let body = try KubernetesManifest.json(KubernetesManifest.job(job, options: options, secret: secret))
        switch try client.create(body, kind: "jobs", name: name) {
        case .created: submissions += 1
        case .alreadyExists: adoptions += 1
        }
        return name
    }

    /// The run's Secret with the `envvars` values (taken from flow's environment), made once.
    /// The values travel only in this request's body: never in a Job, a log or an error.
    private func ensureSecret(runID: String) throws -> String {
        let name = KubernetesManifest.secretName(runID: runID)
        if secretsMade.contains(runID) { return name }
        var data: [String: String] = [:]
        for variable in options.envvars {
            guard let value = ProcessInfo.processInfo.environment[variable] else {
                throw KubernetesError.invalidSetting(key: "kubernetes-envvars", problem: "environment variable \(variable) is not set")
            }
            data[variable] = Data(value.utf8).base64EncodedString()
        }
        let labels = [KubernetesManifest.managedBy: "flow", KubernetesManifest.runLabel: KubernetesManifest.labelValue(runID)]
        let secret: [String: Any] = ["apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                     "metadata": ["name": name, "namespace": options.namespace, "labels": labels] as [String: Any],
                                     "data": data]
        _ = try client.create(try KubernetesManifest.json(secret), kind: "secrets", name: name)
        secretsMade.insert(runID)
        return name
    }

    // MARK: status

    public func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        if ids.isEmpty { return [:] }
        let selector = runSelector
        let jobs = try client.listJobs(selector: selector)
        let pods = try client.listPods(selector: selector)
        var jobByName: [String: KubeJob] = [:]
        for job in jobs { jobByName[job.metadata.name] = job }
        var podByJob: [String: KubePod] = [:]
        for pod in pods {
            guard let owner = pod.metadata.labels?[KubernetesManifest.jobLabel] ?? pod.metadata.labels?["job-name"] else { continue }
            // The newest pod of a Job speaks for it.
            if let old = podByJob[owner], (old.metadata.creationTimestamp ?? "") > (pod.metadata.creationTimestamp ?? "") { continue }
            podByJob[owner] = pod
        }
        var states: [String: ExternalJobState] = [:]
        var finished: [String] = []
        for id in ids {
            guard let job = jobByName[id] else {
                let missed = (missedRounds[id] ?? 0) + 1
                missedRounds[id] = missed
                if missed >= options.lostAfterMissedRounds { states[id] = .lost; finished.append(id) }
                continue
            }
            missedRounds[id] = nil
            let outcome = KubernetesJobState.classify(job: job, pod: podByJob[id])
            states[id] = outcome.state
            noteUnschedulable(id, outcome.unschedulable)
            if outcome.state.isTerminal { finished.append(id) }
        }
        collectLogs(finished.filter { jobByName[$0] != nil }, pods: podByJob)
        if !options.omitJobCleanup {
            toDelete.formUnion(finished)
            deleteFinished()
        }
        return states
    }

    private var runSelector: String {
        lock.lock()
        defer { lock.unlock() }
        return KubernetesManifest.runSelector(runIDs)
    }

    private func noteUnschedulable(_ id: String, _ why: String?) {
        guard let why else { unschedulableSince[id] = nil; return }
        let since = unschedulableSince[id] ?? Date()
        unschedulableSince[id] = since
        if Date().timeIntervalSince(since) >= options.unschedulableWarning, !warned.contains(id) {
            warned.insert(id)
            warn("Kubernetes job \(id) has been unschedulable for \(Int(options.unschedulableWarning)) s: \(why)")
        }
    }

    /// The finished jobs' own logs (see `KubernetesManifest.script`): on the shared volume, or
    /// fetched from storage and removed there, in parallel (a round where many jobs end waits for
    /// the slowest transfer, not for their sum). Only for a job that left none (it never started,
    /// or could not write it) is the pod log read from the API, before the Job is deleted. A
    /// failed read leaves the job's outcome alone.
    private func collectLogs(_ jobs: [String], pods: [String: KubePod]) {
        guard !jobs.isEmpty else { return }
        var found = Set<String>()
        switch options.dataMode {
        case .shared:
            found = Set(jobs.filter { FileManager.default.fileExists(atPath: logPath($0)) })
        case .staged:
            let fetched = NSLock()
            if (try? LocalFiles.makeDirectories(logDirectory)) != nil {
                try? storage.transferAll(jobs) { [storage, options] job in
                    guard let location = KubernetesManifest.logLocation(externalName: job, options: options) else { return }
                    try storage.retrieve(location, to: self.logPath(job))
                    try? storage.remove(location)
                    fetched.withLock { _ = found.insert(job) }
                }
            }
        }
        for job in jobs {
            if found.contains(job) { logPaths[job] = logPath(job); continue }
            guard let pod = pods[job], pod.status?.containerStatuses?.contains(where: { $0.state?.terminated != nil }) ?? false,
                  let text = try? client.podLog(pod.metadata.name, container: KubernetesManifest.containerName,
                                                limitBytes: options.logLimitBytes) else { continue }
            if (try? LocalFiles.writeAtomically(text, to: logPath(job), mode: 0o644)) != nil { logPaths[job] = logPath(job) }
        }
    }

    private func logPath(_ job: String) -> String { logDirectory + "/" + job + ".log" }

    /// One DELETE for every finished Job not deleted yet; kept for the next round if it fails.
    private func deleteFinished() {
        guard !toDelete.isEmpty else { return }
        let names = toDelete.sorted()
        if (try? client.deleteCollection("jobs", selector: runSelector + ",\(KubernetesManifest.jobLabel) in (\(names.joined(separator: ",")))")) != nil {
            toDelete.subtract(names)
        }
    }

    // MARK: cancel, logs, sweep

    public func cancel(_ ids: [String]) {
        if ids.isEmpty { return }
        // Jobs of an earlier run (--cancel-previous) carry their own run label: select by name only.
        let selector = "\(KubernetesManifest.managedBy)=flow,\(KubernetesManifest.jobLabel) in (\(ids.sorted().joined(separator: ",")))"
        try? client.deleteCollection("jobs", selector: selector)
        try? client.deleteCollection("pods", selector: selector)
    }

    public func logs(_ id: String) -> String? {
        guard let path = logPaths[id] else { return nil }
        return LocalExecutor.readTail(of: path, limit: 64 * 1024)
    }

    /// At the end of a run: everything labelled with this process's runs goes (Jobs unless kept,
    /// their pods, the Secret).
    public func finish() { sweep() }

    /// Everything labelled with this process's runs: Jobs (unless kept), their pods, the Secret.
    public func sweep() {
        lock.lock()
        let runs = runIDs
        lock.unlock()
        if runs.isEmpty { return }
        let selector = KubernetesManifest.runSelector(runs)
        if !options.omitJobCleanup {
            try? client.deleteCollection("jobs", selector: selector)
            try? client.deleteCollection("pods", selector: selector)
        }
        if !options.envvars.isEmpty { try? client.deleteCollection("secrets", selector: selector) }
    }
}

/// Counts API attempts from the HTTP log hook (any thread).
final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
