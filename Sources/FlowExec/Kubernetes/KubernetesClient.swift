// FlowExec Kubernetes backend: the few REST calls the executor makes, over FlowHTTP.
//
// Owns: paths, label-selector queries and the decoding of Jobs, Pods and Status errors. One
// client per run, one namespace. Retries, backoff, Retry-After and the one token refresh after a
// 401 are FlowHTTP's (never repeated here); what reaches the executor is a final answer or a
// thrown error it treats as transient.

import FlowHTTP
import Foundation

/// The parts of a Job and a Pod the executor reads.
struct KubeObjectMeta: Decodable {
    var name: String
    var labels: [String: String]?
    var creationTimestamp: String?
}

struct KubeCondition: Decodable {
    var type: String
    var status: String
    var reason: String?
    var message: String?
}

struct KubeJob: Decodable {
    struct Status: Decodable {
        var active: Int?
        var succeeded: Int?
        var failed: Int?
        var conditions: [KubeCondition]?
    }
    var metadata: KubeObjectMeta
    var status: Status?
}

struct KubePod: Decodable {
    struct ContainerState: Decodable {
        struct Waiting: Decodable { var reason: String?; var message: String? }
        struct Terminated: Decodable { var exitCode: Int32; var reason: String?; var message: String? }
        var waiting: Waiting?
        var running: [String: String]?
        var terminated: Terminated?
    }
    struct ContainerStatus: Decodable {
        var name: String
        var restartCount: Int?
        var state: ContainerState?
    }
    struct Status: Decodable {
        var phase: String?
        var reason: String?
        var message: String?
        var conditions: [KubeCondition]?
        var containerStatuses: [ContainerStatus]?
    }
    var metadata: KubeObjectMeta
    var status: Status?
}

struct KubeList<Item: Decodable>: Decodable {
    var items: [Item]
}

/// A Kubernetes `Status` error body.
struct KubeStatus: Decodable {
    var reason: String?
    var message: String?
}

final class KubernetesClient: @unchecked Sendable {
    let http: HTTPClient
    let namespace: String

    init(http: HTTPClient, namespace: String) {
        self.http = http
        self.namespace = namespace
    }

    private var jobsPath: String { "/apis/batch/v1/namespaces/\(namespace)/jobs" }
    private var podsPath: String { "/api/v1/namespaces/\(namespace)/pods" }
    private var secretsPath: String { "/api/v1/namespaces/\(namespace)/secrets" }

    enum CreateResult { case created, alreadyExists }

    /// POST an object with a fixed name. Safe to resend: a duplicate answers 409, which is
    /// "already there" (a lost answer, a restarted flow), never a second copy.
    func create(_ body: Data, kind: String, name: String) throws -> CreateResult {
        let path = kind == "secrets" ? secretsPath : jobsPath
        let response = try http.send(HTTPRequest(.post, path, headers: [("Accept", "application/json")],
                                                 body: .json(raw: body), idempotent: true))
        if response.isSuccess { return .created }
        if response.status == 409 { return .alreadyExists }
        throw refusal(response, "create \(kind) \(name)")
    }

    func listJobs(selector: String) throws -> [KubeJob] {
        try http.getJSON(KubeList<KubeJob>.self, jobsPath, query: [("labelSelector", selector)]).items
    }

    func listPods(selector: String) throws -> [KubePod] {
        try http.getJSON(KubeList<KubePod>.self, podsPath, query: [("labelSelector", selector)]).items
    }

    /// The tail of a pod's log (at most `limitBytes`), or nil when there is none to read.
    func podLog(_ pod: String, container: String, limitBytes: Int) throws -> String? {
        let response = try http.send(HTTPRequest(.get, "\(podsPath)/\(pod)/log",
                                                 query: [("container", container), ("limitBytes", String(limitBytes))]))
        guard response.isSuccess else { return nil }
        return String(decoding: response.body, as: UTF8.self)
    }

    /// Deletes every object of `kind` ("jobs", "pods", "secrets") matching the selector in one
    /// request; Jobs take their pods with them (propagation Background).
    func deleteCollection(_ kind: String, selector: String) throws {
        let path = kind == "jobs" ? jobsPath : kind == "pods" ? podsPath : secretsPath
        var query = [("labelSelector", selector)]
        if kind == "jobs" { query.append(("propagationPolicy", "Background")) }
        let response = try http.send(HTTPRequest(.delete, path, query: query))
        if !response.isSuccess && response.status != 404 { throw refusal(response, "delete \(kind)") }
    }

    private func refusal(_ response: HTTPResponse, _ what: String) -> KubernetesError {
        let status = try? JSONDecoder().decode(KubeStatus.self, from: response.body)
        return .refused(what: what, status: response.status, reason: status?.reason ?? "",
                        message: status?.message ?? String(decoding: response.body.prefix(300), as: UTF8.self))
    }
}
