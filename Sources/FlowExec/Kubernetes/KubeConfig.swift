// FlowExec Kubernetes backend: where the API server is and who we are to it, found as kubectl
// finds it.
//
// Owns: `KubeEndpoint` (server URL, TLS options, auth provider, namespace) and loading it from
// `$KUBECONFIG` (several files, merged as kubectl merges them: the first file that sets a map
// key wins), `~/.kube/config`, or, inside a pod, the service-account files with
// KUBERNETES_SERVICE_HOST/PORT. Credentials: bearer `token`, `tokenFile` (re-read on 401), client
// certificate and key (files or inline data), `exec` credential plugins (ExecCredential JSON,
// run again on 401). It knows nothing about Jobs or pods. Secrets never appear in its errors.

import FlowHTTP
import FlowLang
import Foundation

public struct KubeEndpoint: @unchecked Sendable {
    public var server: String
    public var tls: TLSOptions
    public var auth: (any AuthProvider)?
    /// The context's namespace (nil: not set).
    public var namespace: String?
    /// Where it came from, for messages ("kubeconfig /x context y", "in-cluster service account").
    public var origin: String
}

public struct KubeConfigError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

public enum KubeConfig {
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// kubectl's order: the explicit path, else $KUBECONFIG (merged), else ~/.kube/config; if no
    /// file exists, the in-cluster service account.
    public static func load(path: String? = nil, context: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            serviceAccountDirectory: String = serviceAccountDirectory) throws -> KubeEndpoint {
        var files: [String] = []
        if let path {
            files = [path]
        } else if let list = environment["KUBECONFIG"], !list.isEmpty {
            files = list.split(separator: ":").map(String.init).filter { FileManager.default.fileExists(atPath: $0) }
        } else if let home = environment["HOME"], FileManager.default.fileExists(atPath: home + "/.kube/config") {
            files = [home + "/.kube/config"]
        }
        if files.isEmpty {
            if let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] {
                return try inCluster(host: host, port: port, directory: serviceAccountDirectory)
            }
            throw KubeConfigError("no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not running in a pod (KUBERNETES_SERVICE_HOST is unset)")
        }
        return try fromFiles(files, context: context)
    }

    /// The endpoint a pod's service account gives.
    public static func inCluster(host: String, port: String, directory: String) throws -> KubeEndpoint {
        let tokenPath = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeConfigError("in-cluster: no service-account token at \(tokenPath)")
        }
        let namespace = (try? String(contentsOfFile: directory + "/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let ca = directory + "/ca.crt"
        let server = "https://" + (host.contains(":") ? "[\(host)]" : host) + ":" + port
        return KubeEndpoint(server: server, tls: TLSOptions(trust: FileManager.default.fileExists(atPath: ca) ? .caFile(ca) : .system),
                            auth: BearerTokenAuth(tokenSource: { try readToken(tokenPath) }),
                            namespace: namespace, origin: "in-cluster service account")
    }

    /// Merges the files (the first to define a named cluster, user or context wins, as does the
    /// first current-context) and resolves the current context.
    static func fromFiles(_ files: [String], context wanted: String?) throws -> KubeEndpoint {
        var clusters: [String: (entry: [String: Any], file: String)] = [:]
        var users: [String: (entry: [String: Any], file: String)] = [:]
        var contexts: [String: [String: Any]] = [:]
        var current: String?
        for file in files {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw KubeConfigError("cannot read kubeconfig \(file)")
            }
            let doc: Any
            do { doc = plain(try YAMLCodec.load(text, path: file)) } catch {
                throw KubeConfigError("kubeconfig \(file) is not valid YAML: \(error)")
            }
            guard let map = doc as? [String: Any] else { continue }
            if current == nil, let c = map["current-context"] as? String, !c.isEmpty { current = c }
            for item in map["clusters"] as? [Any] ?? [] {
                guard let d = item as? [String: Any], let n = d["name"] as? String, clusters[n] == nil else { continue }
                clusters[n] = (d["cluster"] as? [String: Any] ?? [:], file)
            }
            for item in map["users"] as? [Any] ?? [] {
                guard let d = item as? [String: Any], let n = d["name"] as? String, users[n] == nil else { continue }
                users[n] = (d["user"] as? [String: Any] ?? [:], file)
            }
            for item in map["contexts"] as? [Any] ?? [] {
                guard let d = item as? [String: Any], let n = d["name"] as? String, contexts[n] == nil else { continue }
                contexts[n] = d["context"] as? [String: Any] ?? [:]
            }
        }
        let shown = files.joined(separator: ":")
        guard let name = wanted ?? current else { throw KubeConfigError("kubeconfig \(shown): no current-context") }
        guard let ctx = contexts[name] else { throw KubeConfigError("kubeconfig \(shown): context '\(name)' not found") }
        guard let clusterName = ctx["cluster"] as? String, let cluster = clusters[clusterName] else {
            throw KubeConfigError("kubeconfig \(shown): context '\(name)' names no known cluster")
        }
        guard let server = cluster.entry["server"] as? String, !server.isEmpty else {
            throw KubeConfigError("kubeconfig \(shown): cluster '\(clusterName)' has no server")
        }
        var tls = TLSOptions()
        if let data = cluster.entry["certificate-authority-data"] as? String {
            tls.trust = .caData(try decode(data, "certificate-authority-data of cluster '\(clusterName)'"))
        } else if let file = cluster.entry["certificate-authority"] as? String {
            tls.trust = .caFile(relative(file, to: cluster.file))
        }
        tls.insecureSkipVerify = (cluster.entry["insecure-skip-tls-verify"] as? Bool) ?? false
        var auth: (any AuthProvider)?
        if let userName = ctx["user"] as? String, let user = users[userName] {
            let u = user.entry
            let what = "user '\(userName)'"
            if let cert = u["client-certificate-data"] as? String, let key = u["client-key-data"] as? String {
                tls.clientIdentity = .pem(certificate: try decode(cert, "client-certificate-data of \(what)"),
                                          key: try decode(key, "client-key-data of \(what)"))
            } else if let cert = u["client-certificate"] as? String, let key = u["client-key"] as? String {
                tls.clientIdentity = .files(certificate: relative(cert, to: user.file), key: relative(key, to: user.file))
            }
            if let token = u["token"] as? String, !token.isEmpty {
                auth = BearerTokenAuth(token: token)
            } else if let file = u["tokenFile"] as? String {
                let path = relative(file, to: user.file)
                auth = BearerTokenAuth(tokenSource: { try readToken(path) })
            } else if let exec = u["exec"] as? [String: Any] {
                let plugin = try ExecCredentialPlugin(exec, kubeconfig: user.file, user: userName)
                // Like kubectl: the token is used until its stated expirationTimestamp (run again
                // shortly before it), or, with none stated, until the server answers 401.
                auth = ExpiringBearerAuth(margin: 10) { try plugin.credential() }
            } else if let name = u["username"] as? String, let password = u["password"] as? String {
                auth = BasicAuth(user: name, password: password)
            }
        }
        return KubeEndpoint(server: server, tls: tls, auth: auth, namespace: ctx["namespace"] as? String,
                            origin: "kubeconfig \(shown), context \(name)")
    }

    static func readToken(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KubeConfigError("cannot read the token file \(path)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func decode(_ base64: String, _ what: String) throws -> Data {
        guard let data = Data(base64Encoded: base64.filter { !$0.isWhitespace }) else {
            throw KubeConfigError("\(what) is not valid base64")
        }
        return data
    }

    /// kubectl resolves relative paths in a kubeconfig against the file's folder.
    private static func relative(_ path: String, to file: String) -> String {
        if path.hasPrefix("/") { return path }
        return (file as NSString).deletingLastPathComponent + "/" + path
    }

    /// YAML values as Foundation values (maps with string keys, lists, strings, numbers, bools).
    static func plain(_ value: Value) -> Any {
        switch value {
        case .none: return NSNull()
        case .bool(let b): return b
        case .int(let n): return n
        case .float(let d): return d
        case .list(let l): return l.items.map(plain)
        case .tuple(let t): return t.map(plain)
        case .dict(let d):
            var out: [String: Any] = [:]
            for (k, v) in zip(d.keys, d.values) { out[k.stringValue ?? "\(k)"] = plain(v) }
            return out
        default: return value.stringValue ?? ""
        }
    }
}

/// A `users[].user.exec` credential plugin (client.authentication.k8s.io ExecCredential): run
/// with KUBERNETES_EXEC_INFO; its `status.token` is used until `status.expirationTimestamp`, and
/// the plugin is run again then or on 401.
final class ExecCredentialPlugin: @unchecked Sendable {
    let command: String
    let args: [String]
    let env: [String: String]
    let apiVersion: String
    let what: String

    init(_ exec: [String: Any], kubeconfig: String, user: String) throws {
        guard let command = exec["command"] as? String else { throw KubeConfigError("user '\(user)': exec has no command") }
        // A bare name is looked up on PATH; a relative path is relative to the kubeconfig.
        self.command = command.contains("/") && !command.hasPrefix("/")
            ? (kubeconfig as NSString).deletingLastPathComponent + "/" + command : command
        args = (exec["args"] as? [Any] ?? []).map { "\($0)" }
        var env: [String: String] = [:]
        for item in exec["env"] as? [Any] ?? [] {
            if let d = item as? [String: Any], let n = d["name"] as? String { env[n] = "\(d["value"] ?? "")" }
        }
        self.env = env
        apiVersion = exec["apiVersion"] as? String ?? "client.authentication.k8s.io/v1"
        what = "exec credential plugin '\(command)' of user '\(user)'"
    }

    /// The token and the seconds it stays valid (infinite when the plugin states no expiry).
    func credential(now: Date = Date()) throws -> (token: String, expiresIn: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + args
        var environment = ProcessInfo.processInfo.environment
        environment.merge(env) { $1 }
        environment["KUBERNETES_EXEC_INFO"] = #"{"apiVersion":"\#(apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw KubeConfigError("\(what) cannot be run") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KubeConfigError("\(what) exited with status \(process.terminationStatus)")
        }
        guard let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let status = doc["status"] as? [String: Any], let token = status["token"] as? String, !token.isEmpty else {
            throw KubeConfigError("\(what) printed no ExecCredential with status.token")
        }
        guard let stamp = status["expirationTimestamp"] as? String else { return (token, .infinity) }
        guard let expiry = Self.timestamp(stamp) else {
            throw KubeConfigError("\(what) printed an expirationTimestamp that is not RFC 3339: \(stamp)")
        }
        return (token, expiry.timeIntervalSince(now))
    }

    /// RFC 3339 as Kubernetes writes it ("2026-12-07T05:00:00Z"), with or without fractional seconds.
    static func timestamp(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
