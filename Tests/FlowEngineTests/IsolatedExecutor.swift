// A back end that shares no file system with flow, for engine tests: each job runs in a fresh
// directory of its own from the self-contained script (`JobScript.render(embedPrograms:)`), its
// inputs retrieved from storage and its outputs stored back (`JobStaging`) — what a Kubernetes
// pod without a shared volume or a PiCaS worker does. Jobs run on background threads; status is
// answered from what the threads recorded.

import Foundation
import FlowExec
import FlowStorage
import FlowSystem

final class IsolatedExecutor: Executor {
    let name = "isolated"
    let capabilities = ExecutorCapabilities(sharesFileSystem: false, statusInterval: 0.02)
    let maxInFlight: Int
    let storage: Storage
    /// Where job directories are made (never flow's working directory).
    let root: String
    private let lock = NSLock()
    private var states: [String: ExternalJobState] = [:]
    private var logTexts: [String: String] = [:]
    private(set) var submitted: [JobSpec] = []
    /// Directories the jobs ran in (each must differ from flow's working directory).
    private(set) var directories: [String] = []

    init(storage: Storage, root: String, maxInFlight: Int = 4) {
        self.storage = storage
        self.root = root
        self.maxInFlight = maxInFlight
    }

    func submit(_ job: JobSpec) throws -> String {
        let id = job.externalName
        let directory = root + "/" + id
        lock.withLock {
            submitted.append(job)
            directories.append(directory)
            states[id] = .queued
        }
        Thread.detachNewThread { [self] in
            let state = run(job, in: directory, id: id)
            lock.withLock { states[id] = state }
        }
        return id
    }

    private func run(_ job: JobSpec, in directory: String, id: String) -> ExternalJobState {
        lock.withLock { states[id] = .running }
        defer { try? LocalFiles.remove(directory) }
        do {
            try LocalFiles.makeDirectories(directory)
            try JobStaging.stageIn(job, storage: storage, into: directory)
            let script = directory + "/.job.sh"
            // No `cd`: the script runs where the back end starts it, its own directory.
            try LocalFiles.writeAtomically(JobScript.render(job, directory: .some(nil), embedPrograms: true), to: script)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let log = Pipe()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            let output = log.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            lock.withLock { logTexts[id] = String(decoding: output, as: UTF8.self) }
            guard process.terminationStatus == 0 else {
                return .failed(exitStatus: process.terminationStatus, reason: "exit status \(process.terminationStatus)")
            }
            try JobStaging.stageOut(job, storage: storage, from: directory)
            return .succeeded
        } catch {
            return .infrastructureFailed(reason: "staging: \(error)")
        }
    }

    func poll(_ ids: [String]) throws -> [String: ExternalJobState] {
        lock.withLock { Dictionary(uniqueKeysWithValues: ids.compactMap { id in states[id].map { (id, $0) } }) }
    }

    func cancel(_ ids: [String]) {}

    func logs(_ id: String) -> String? { lock.withLock { logTexts[id] } }
}
