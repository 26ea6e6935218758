// FlowExecTests support for the Kubernetes backend: scripts/testservers/kube_apiserver.py as a
// subprocess (it prints its port and writes a kubeconfig for itself), and its /_stats counters.

import Foundation
@testable import FlowExec

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

final class KubeTestServer {
    let process = Process()
    let port: Int
    let directory: String
    var kubeconfig: String { directory + "/kubeconfig" }

    init(_ arguments: [String] = []) throws {
        directory = makeTemporaryDirectory()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot.appendingPathComponent("scripts/testservers/kube_apiserver.py").path,
                             "--kubeconfig", directory + "/kubeconfig", "--log", directory + "/requests.log"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw NSError(domain: "KubeTestServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(text)"])
        }
        self.port = port
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        removeDirectory(directory)
    }

    /// Sets fault knobs (POST /_control) with curl.
    func control(_ json: String) throws {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-sf", "-o", "/dev/null", "-X", "POST", "-d", json, "http://127.0.0.1:\(port)/_control"]
        try curl.run()
        curl.waitUntilExit()
    }

    /// API requests logged so far, as "METHOD path?query" lines.
    func requestLog() -> [String] {
        (readFile(directory + "/requests.log") ?? "").split(separator: "\n").compactMap { line in
            guard let d = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return "\(d["method"] ?? "") \(d["path"] ?? "")"
        }
    }
}
