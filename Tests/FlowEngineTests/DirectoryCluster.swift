// A batch system kept in a directory, for engine tests that kill flow: every submitted job is a
// file (its self-contained script and its state), so a job outlives the flow process that
// submitted it, and a second flow process sees it, exactly as Slurm jobs outlive a killed flow.
// Jobs of "held" rules stay running; others run when a status round asks about them. Logs of
// what happened (submissions, adoptions, executions, cancellations) are appended to files the
// test reads. Shares flow's file system, like most Slurm sites.

import Foundation
import FlowExec
import FlowSystem

final class DirectoryCluster: Executor {
    let name = "dircluster"
    let capabilities = ExecutorCapabilities(sharesFileSystem: true, statusInterval: 0.01)
    let maxInFlight = 100
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        try LocalFiles.makeDirectories(directory)
    }

    /// Rules whose jobs stay running (one name per line in `hold`), until the time in `release`
    /// if there is one.
    var held: Set<String> {
        if let release = try? String(contentsOfFile: directory + "/release", encoding: .utf8), let time = Double(release),
           Date().timeIntervalSince1970 >= time { return [] }
        return Set(((try? String(contentsOfFile: directory + "/hold", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
    }

    /// Holds the jobs of `rules`, for `seconds` from now or until told otherwise.
    func hold(_ rules: [String], for seconds: Double? = nil) throws {
        try LocalFiles.writeAtomically(rules.joined(separator: "\n"), to: directory + "/hold")
        try LocalFiles.remove(directory + "/release")
        if let seconds { try LocalFiles.writeAtomically(String(Date().timeIntervalSince1970 + seconds), to: directory + "/release") }
    }

    /// Lines of one of the event logs: "submitted", "adopted", "executed", "cancelled".
    func events(_ kind: String) -> [String] {
        ((try? String(contentsOfFile: directory + "/" + kind, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private func log(_ kind: String, _ line: String) {
        let fd = open(directory + "/" + kind, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        _ = (line + "\n").withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    private func state(_ id: String) -> String? {
        try? String(contentsOfFile: directory + "/" + id + ".state", encoding: .utf8)
    }

    private func setState(_ id: String, _ state: String) {
        try? LocalFiles.writeAtomically(state, to: directory + "/" + id + ".state")
    }

    func submit(_ job: JobSpec) throws -> String {
        let id = job.externalName
        if let state = state(id), state == "queued" || state.hasPrefix("running") {
            log("adopted", "\(job.key) id=\(job.id) name=\(id)")
            return id
        }
        try LocalFiles.writeAtomically(JobScript.render(job, embedPrograms: true), to: directory + "/" + id + ".sh")
        try LocalFiles.writeAtomically(job.name, to: directory + "/" + id + ".rule")
        setState(id, "queued")
        log("submitted", "\(job.key) id=\(job.id) name=\(id)")
        return id
    }

    func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        var states: [String: ExternalJobState] = [:]
        let held = self.held
        for id in ids {
            guard let state = state(id) else { states[id] = .lost; continue }
            switch state {
            case "succeeded": states[id] = .succeeded
            case "cancelled": states[id] = .failed(exitStatus: 130, reason: "CANCELLED")
            case let s where s.hasPrefix("failed"): states[id] = .failed(exitStatus: Int32(s.dropFirst(7)) ?? 1, reason: s)
            default:
                let rule = (try? String(contentsOfFile: directory + "/" + id + ".rule", encoding: .utf8)) ?? ""
                if held.contains(rule) {
                    setState(id, "running")
                    states[id] = .running
                } else {
                    states[id] = execute(id)
                }
            }
        }
        return states
    }

    private func execute(_ id: String) -> ExternalJobState {
        log("executed", id)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [directory + "/" + id + ".sh"]
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            setState(id, "failed 127")
            return .failed(exitStatus: 127, reason: "\(error)")
        }
        process.waitUntilExit()
        let status = process.terminationStatus
        setState(id, status == 0 ? "succeeded" : "failed \(status)")
        return status == 0 ? .succeeded : .failed(exitStatus: status, reason: "exit status \(status)")
    }

    /// Runs every job still queued or running, as the batch system would while no flow watches.
    func runUnfinishedJobs() {
        let names = ((try? LocalFiles.entries(of: directory)) ?? []).filter { $0.hasSuffix(".state") }
        for name in names {
            let id = String(name.dropLast(".state".count))
            if let state = state(id), state == "queued" || state == "running" { _ = execute(id) }
        }
    }

    func cancel(_ ids: [String]) {
        for id in ids where state(id) != nil {
            setState(id, "cancelled")
            log("cancelled", id)
        }
    }

    func logs(_ id: String) -> String? { nil }
}
