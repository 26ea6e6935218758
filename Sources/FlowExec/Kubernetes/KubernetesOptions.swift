// FlowExec Kubernetes backend: its settings for one run, typed.
//
// Owns: `KubernetesOptions` (what the Job manifest and the executor need: namespace, service
// account, volumes, scheduling, the default image, data mode, cleanup, polling) and reading it
// from the registry's `ExecutorSettings` (KubernetesDescriptor.swift declares them). Parsing of
// `NAME:PATH`, `KEY=VALUE` and toleration texts lives here, with errors naming the setting.

public struct KubernetesOptions: Sendable, Equatable {
    public enum DataMode: String, Sendable, Equatable {
        /// The working directory is on a PVC mounted at the same path in flow's pod and the jobs'.
        case shared
        /// Each pod runs in a folder of its own; flow in the image stages inputs in from storage
        /// and outputs back (`flow job-files`).
        case staged
    }

    public struct Mount: Sendable, Equatable {
        public var name: String
        public var path: String
    }

    public struct Toleration: Sendable, Equatable {
        public var key: String
        public var value: String?
        public var effect: String?
    }

    public var namespace: String = "default"
    public var serviceAccount: String?
    public var persistentVolumes: [Mount] = []
    public var configMapVolumes: [Mount] = []
    public var privileged = false
    public var omitJobCleanup = false
    public var cpuScalar = 1.0
    public var annotations: [String: String] = [:]
    public var labels: [String: String] = [:]
    public var nodeSelector: [String: String] = [:]
    public var tolerations: [Toleration] = []
    public var imagePullSecrets: [String] = []
    /// Names of environment variables whose values (from flow's environment) reach jobs through one
    /// Secret per run.
    public var envvars: [String] = []
    public var ttlSecondsAfterFinished: Int?
    public var image = "flow:latest"
    public var dataMode: DataMode = .shared
    /// flow in the job image (staged mode runs `<it> job-files stage-in|stage-out`).
    public var flowBinary = "flow"
    /// flow's working directory (absolute): where shared-mode jobs run.
    public var workdir = "/"
    public var jobs = 100
    public var statusInterval = 10.0
    /// Rounds a job may be missing from the Job list before it counts as lost.
    public var lostAfterMissedRounds = 3
    /// Seconds a pod may stay unschedulable before a warning names it.
    public var unschedulableWarning = 60.0
    /// Staged mode: where each pod stores its own log for flow to fetch (under
    /// `--default-storage-prefix`); nil: flow reads it from the API.
    public var logStoragePrefix: String?
    /// Bytes of a pod log kept under `.flow/logs/k8s/`.
    public var logLimitBytes = 1 << 20
    public var kubeconfig: String?
    public var context: String?

    public init() {}

    /// Options from the settings `KubernetesExecutor.descriptor` declares. The namespace, when not
    /// given, is the kubeconfig context's (`defaultNamespace`), else `default`.
    public init(_ context: ExecutorContext, defaultNamespace: String?) throws {
        let s = context.settings
        namespace = s.string("namespace") ?? defaultNamespace ?? "default"
        serviceAccount = s.string("service-account-name")
        persistentVolumes = try s.list("persistent-volumes").map { try Self.mount($0, "kubernetes-persistent-volumes") }
        configMapVolumes = try s.list("config-maps").map { try Self.mount($0, "kubernetes-config-maps") }
        privileged = s.bool("privileged")
        omitJobCleanup = s.bool("omit-job-cleanup")
        cpuScalar = s.double("cpu-scalar") ?? 1.0
        annotations = try Self.pairs(s.list("annotations"), "kubernetes-annotations")
        labels = try Self.pairs(s.list("labels"), "kubernetes-labels")
        nodeSelector = try Self.pairs(s.list("node-selector"), "kubernetes-node-selector")
        tolerations = try s.list("tolerations").map { try Self.toleration($0) }
        imagePullSecrets = s.list("image-pull-secrets")
        // The Snakefile's `envvars:` travel like `--kubernetes-envvars`: pods do not inherit flow's
        // environment, so both go into the run's Secret.
        envvars = s.list("envvars")
        for name in context.workflowEnvvars where !envvars.contains(name) { envvars.append(name) }
        ttlSecondsAfterFinished = s.int("ttl-seconds-after-finished")
        image = s.string("container-image") ?? image
        dataMode = DataMode(rawValue: s.string("data-mode") ?? "shared") ?? .shared
        flowBinary = s.string("flow-binary") ?? flowBinary
        if dataMode == .staged, var prefix = context.defaultStoragePrefix, prefix.contains("://") {
            while prefix.hasSuffix("/") { prefix.removeLast() }
            logStoragePrefix = prefix + "/.flow/logs/k8s"
        }
        workdir = context.workdir
        jobs = context.jobs ?? 100
        let fromRate = context.maxStatusChecksPerSecond > 0 ? 1 / context.maxStatusChecksPerSecond : 0
        statusInterval = max(fromRate, context.secondsBetweenStatusChecks ?? 10)
        unschedulableWarning = s.double("unschedulable-warning") ?? 60
        kubeconfig = s.string("kubeconfig")
        self.context = s.string("context")
    }

    static func mount(_ text: String, _ key: String) throws -> Mount {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            throw KubernetesError.invalidSetting(key: key, problem: "expected NAME:/MOUNT/PATH, got '\(text)'")
        }
        return Mount(name: parts[0], path: parts[1])
    }

    static func pairs(_ items: [String], _ key: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw KubernetesError.invalidSetting(key: key, problem: "expected KEY=VALUE, got '\(item)'")
            }
            out[parts[0]] = parts[1]
        }
        return out
    }

    /// `KEY[=VALUE][:EFFECT]`, as `kubectl taint` writes taints.
    static func toleration(_ text: String) throws -> Toleration {
        var rest = Substring(text)
        var effect: String?
        if let colon = rest.lastIndex(of: ":") {
            effect = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
            guard ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect!) else {
                throw KubernetesError.invalidSetting(key: "kubernetes-tolerations", problem: "unknown effect '\(effect!)' in '\(text)'")
            }
        }
        let parts = rest.split(separator: "=", maxSplits: 1).map(String.init)
        guard let key = parts.first, !key.isEmpty else {
            throw KubernetesError.invalidSetting(key: "kubernetes-tolerations", problem: "expected KEY[=VALUE][:EFFECT], got '\(text)'")
        }
        return Toleration(key: key, value: parts.count == 2 ? parts[1] : nil, effect: effect)
    }
}

public enum KubernetesError: Error, CustomStringConvertible {
    case invalidSetting(key: String, problem: String)
    case invalidResource(job: String, problem: String)
    /// The API refused (not a transient failure: those are retried by FlowHTTP and then thrown as HTTPError).
    case refused(what: String, status: Int, reason: String, message: String)

    public var description: String {
        switch self {
        case .invalidSetting(let key, let problem): return "--\(key): \(problem)"
        case .invalidResource(let job, let problem): return "job \(job): \(problem)"
        case .refused(let what, let status, let reason, let message):
            return "Kubernetes API refused to \(what): \(status) \(reason): \(message)"
        }
    }
}
