// FlowExec contract: moving a self-contained job's files for a back end that does not share
// flow's file system. Before the job: every input is retrieved from storage to where the job sees
// it, under the job's own directory. After it: every output, log and benchmark the job left is
// stored back. The engine then checks the outputs in storage, as it checks files on a shared
// file system. A back end calls these where the job runs (in process for a test back end; a
// remote one runs the same steps next to the job).

import FlowStorage
import FlowSystem

public enum JobStaging {
    /// Prepares `directory` for the job as flow prepares its working directory: inputs retrieved
    /// (a missing one is an error naming it) and the directories its outputs go into created.
    public static func stageIn(_ job: JobSpec, storage: Storage, into directory: String) throws {
        for input in job.inputs {
            try storage.retrieve(input.location, to: directory + "/" + input.path)
        }
        for output in job.outputs { try LocalFiles.makeParent(directory + "/" + output.path) }
    }

    /// Stores what the job produced from `directory`; returns the outputs it did not produce
    /// (the engine decides whether that fails the job: touch() and pipe outputs are made elsewhere).
    @discardableResult
    public static func stageOut(_ job: JobSpec, storage: Storage, from directory: String) throws -> [JobFile] {
        var missing: [JobFile] = []
        for output in job.outputs {
            let local = directory + "/" + output.path
            guard LocalFiles.exists(local) else { missing.append(output); continue }
            try storage.store(local, to: output.location)
        }
        return missing
    }
}
