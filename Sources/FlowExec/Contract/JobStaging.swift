// FlowExec contract: moving a self-contained job's files for a back end that does not share
// flow's file system. Before the job: every input is retrieved from storage to where the job sees
// it, under the job's own directory. After it: every output, log and benchmark the job left is
// stored back. The engine then checks the outputs in storage, as it checks files on a shared
// file system. A back end calls these where the job runs: in process (a test back end), or in the
// job's pod through `flow job-files stage-in|stage-out FILE` with the `Files` list as JSON.

import Foundation
import FlowStorage
import FlowSystem

public enum JobStaging {
    /// What a job reads and leaves behind: the part of a `JobSpec` staging needs, as the JSON a
    /// remote job carries to `flow job-files`.
    public struct Files: Equatable, Sendable, Codable {
        public var inputs: [JobFile]
        public var outputs: [JobFile]

        public init(inputs: [JobFile], outputs: [JobFile]) {
            self.inputs = inputs
            self.outputs = outputs
        }

        public init(_ job: JobSpec) { self.init(inputs: job.inputs, outputs: job.outputs) }

        /// Sorted keys, so a Job body holding it is reproducible.
        public func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }

        public static func decode(_ data: Data) throws -> Files { try JSONDecoder().decode(Files.self, from: data) }
    }

    /// Prepares `directory` for the job as flow prepares its working directory: inputs retrieved
    /// (a missing one is an error naming it) and the directories its outputs go into created.
    public static func stageIn(_ job: JobSpec, storage: Storage, into directory: String) throws {
        try stageIn(Files(job), storage: storage, into: directory)
    }

    public static func stageIn(_ files: Files, storage: Storage, into directory: String) throws {
        for input in files.inputs {
            try storage.retrieve(input.location, to: directory + "/" + input.path)
        }
        for output in files.outputs { try LocalFiles.makeParent(directory + "/" + output.path) }
    }

    /// Stores what the job produced from `directory`; returns the outputs it did not produce
    /// (the engine decides whether that fails the job: touch() and pipe outputs are made elsewhere).
    @discardableResult
    public static func stageOut(_ job: JobSpec, storage: Storage, from directory: String) throws -> [JobFile] {
        try stageOut(Files(job), storage: storage, from: directory)
    }

    @discardableResult
    public static func stageOut(_ files: Files, storage: Storage, from directory: String) throws -> [JobFile] {
        var missing: [JobFile] = []
        for output in files.outputs {
            let local = directory + "/" + output.path
            guard LocalFiles.exists(local) else { missing.append(output); continue }
            try storage.store(local, to: output.location)
        }
        return missing
    }
}
