// The engine with a back end that shares no file system: the tutorial DAG (bwa, samtools,
// bcftools, a Python script) runs end to end with every file in an in-memory store, each job in a
// directory of its own, staged in and out; its outputs equal those of a local run.

import Foundation
import XCTest
import FlowExec
import FlowStorage
@testable import FlowEngine
import FlowSystem

final class RemoteStagingTests: WorkdirTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    private func requireTools(_ tools: [String]) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for tool in tools where !path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }) {
            throw XCTSkip("\(tool) is not installed (scripts/setup.sh installs it)")
        }
    }

    private func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-euc", command]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, command)
    }

    /// The tutorial's Snakefile, config and scripts (not its data) in `folder`.
    private func copyTutorialSources(to folder: String) throws {
        let tutorial = Self.root + "/workflows/tutorial"
        for name in ["Snakefile", "config.yaml", "scripts"] {
            try LocalFiles.copy(tutorial + "/" + name, to: folder + "/" + name)
        }
    }

    private func run(in folder: String, storage: Storage, executor: Executor?) throws -> (Int32, RecordingReporter) {
        var options = EngineOptions()
        options.directory = folder
        options.cores = 2
        options.executor = executor?.name ?? "local"
        options.latencyWait = 1
        let reporter = RecordingReporter()
        defer { FileManager.default.changeCurrentDirectoryPath(originalDirectory) }
        let status = try Engine(options: options, reporter: reporter, storage: storage, executor: executor).run()
        return (status, reporter)
    }

    func testTutorialWithoutASharedFileSystemMatchesALocalRun() throws {
        try requireTools(["bwa", "samtools", "bcftools", "python3"])
        let data = directory + "/data-source"
        try shell("python3 '\(Self.root)/data/generate_tutorial_data.py' --out '\(data)' --reads 400 --length 4000 --snps 3 >/dev/null")
        let inputs = try PosixStorage().list(under: data).map { String($0.dropFirst(data.count + 1)) }
        XCTAssertEqual(inputs, ["genome.fa", "planted_snps.tsv", "samples/A.fastq", "samples/B.fastq", "samples/C.fastq"])

        // A local run on the real file system.
        let local = directory + "/local"
        try copyTutorialSources(to: local)
        try LocalFiles.copy(data, to: local + "/data")
        let (localStatus, localEvents) = try run(in: local, storage: Storage(), executor: nil)
        XCTAssertEqual(localStatus, 0, "\(localEvents.failed.map(\.reason))")

        // The same workflow with every data file in memory and jobs on a back end of their own.
        let remote = directory + "/remote"
        try copyTutorialSources(to: remote)
        let memory = InMemoryStorage()
        for input in inputs { memory.write("data/" + input, try LocalFiles.read(data + "/" + input)) }
        let storage = Storage(local: memory)
        let executor = IsolatedExecutor(storage: storage, root: directory + "/backend")
        let (status, events) = try run(in: remote, storage: storage, executor: executor)
        XCTAssertEqual(status, 0, "\(events.failed.map(\.reason)) \(executor.submitted.map { executor.logs($0.externalName) ?? "" })")

        // Every job with an action ran on the back end, each in its own directory.
        XCTAssertEqual(executor.submitted.map(\.name).sorted(), ["bcftools_call", "bwa_map", "bwa_map", "bwa_map", "index_genome",
            "plot_quals", "samtools_index", "samtools_index", "samtools_index", "samtools_sort", "samtools_sort", "samtools_sort"])
        XCTAssertEqual(Set(executor.directories).count, executor.submitted.count)
        XCTAssertTrue(executor.directories.allSatisfy { $0.hasPrefix(directory + "/backend/") })
        // The script rule's program and the script itself travelled with the job.
        let plot = try XCTUnwrap(executor.submitted.first { $0.name == "plot_quals" })
        XCTAssertTrue(plot.programs.contains { $0.path.hasSuffix("/plot-quals.py") }, "\(plot.programs.map(\.path))")
        guard case .shell(let command) = plot.command else { return XCTFail("plot_quals: \(plot.command)") }
        XCTAssertFalse(command.contains(remote), "a job without flow's file system gets relative paths: \(command)")

        // Its outputs equal the local run's, and none of them touched the remote working directory.
        let sources: Set<String> = Set(["Snakefile", "config.yaml"] + inputs.map { "data/" + $0 })
        let produced: [String] = try PosixStorage().list(under: local).map { String($0.dropFirst(local.count + 1)) }
            .filter { (path: String) -> Bool in
                !path.hasPrefix(".flow/") && !path.hasPrefix(".snakemake/") && !path.hasPrefix("scripts/") && !sources.contains(path)
            }
        XCTAssertEqual(produced.count, 22, "\(produced)")
        for path in produced {
            let expected = try LocalFiles.read(local + "/" + path)
            let actual = try XCTUnwrap(memory.contents(path), "\(path) missing from storage")
            // Logs hold timings; every other output must be byte for byte the same.
            if !path.hasPrefix("logs/") {
                XCTAssertTrue(Self.comparable(actual, path) == Self.comparable(expected, path), "\(path) differs from the local run's")
            }
            XCTAssertFalse(LocalFiles.exists(remote + "/" + path), "\(path) written to the working directory")
        }
        XCTAssertEqual(memory.paths.count, produced.count + inputs.count)
    }

    /// bcftools stamps its header with the date and time of the run.
    private static func comparable(_ bytes: [UInt8], _ path: String) -> [UInt8] {
        guard path.hasSuffix(".vcf") else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        return Array(text.split(separator: "\n").filter { !$0.contains("Date=") }.joined(separator: "\n").utf8)
    }
}
