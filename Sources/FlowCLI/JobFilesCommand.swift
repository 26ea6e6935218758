// `flow job-files stage-in|stage-out FILE`: the staging steps a job without flow's file system
// runs next to itself (a Kubernetes pod in staged mode). FILE holds `JobStaging.Files` as JSON;
// the job's directory is the current one. Storage is flow's standard storage, with credentials
// from the environment the job was given (GOOGLE_APPLICATION_CREDENTIALS, the metadata server,
// STORAGE_EMULATOR_HOST). Hidden from help: flow writes these calls, users do not.

import ArgumentParser
import Foundation
import FlowExec
import FlowStorage

struct JobFilesCommand: ParsableCommand {
    enum Step: String, ExpressibleByArgument {
        case stageIn = "stage-in"
        case stageOut = "stage-out"
    }

    static let configuration = CommandConfiguration(
        commandName: "job-files",
        abstract: "Stage a job's inputs in from storage, or its outputs out to storage (run inside a job).",
        shouldDisplay: false)

    @Argument(help: "stage-in or stage-out.") var step: Step
    @Argument(help: "A JSON file with the job's inputs and outputs ({\"inputs\": [{\"location\", \"path\"}], \"outputs\": [...]}).")
    var file: String

    func run() throws {
        let files = try JobStaging.Files.decode(try Data(contentsOf: URL(fileURLWithPath: file)))
        let storage = Storage.standard()
        let directory = FileManager.default.currentDirectoryPath
        switch step {
        case .stageIn:
            try JobStaging.stageIn(files, storage: storage, into: directory)
        case .stageOut:
            let missing = try JobStaging.stageOut(files, storage: storage, from: directory)
            for file in missing {
                FileHandle.standardError.write(Data("flow job-files: the job left no \(file.path) (for \(StorageURL.safe(file.location)))\n".utf8))
            }
        }
    }
}
