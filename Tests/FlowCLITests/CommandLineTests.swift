// Pins Snakemake-compatible command-line handling: flag parsing into engine options, attached
// short values, and profiles (config.yaml keys are long flag names; the command line wins).

import Foundation
import XCTest
@testable import FlowCLI

final class CommandLineTests: XCTestCase {
    private func options(_ args: [String]) throws -> RunOptions { try RunOptions.parse(args) }

    func testSnakemakeFlagsBecomeEngineOptions() throws {
        let e = try EngineOptionsBuilder.build(options([
            "out.txt", "-c", "3", "-n", "-p", "-F", "-R", "a", "b", "--resources", "mem_mb=100",
            "--set-threads", "map=4", "--set-resources", "map:mem_mb=50", "--retries", "2", "-k",
            "--config", "x=1", "--rerun-triggers", "mtime", "params",
        ]))
        XCTAssertEqual(e.targets, ["out.txt"])
        XCTAssertEqual(e.cores, 3)
        XCTAssertTrue(e.dryRun && e.printShellCommands && e.forceAll && e.keepGoing)
        XCTAssertEqual(e.forceRun, ["a", "b"])
        XCTAssertEqual(e.resources, ["mem_mb": 100])
        XCTAssertEqual(e.setThreads, ["map": 4])
        XCTAssertEqual(e.setResources, ["map": ["mem_mb": "50"]])
        XCTAssertEqual(e.retries, 2)
        XCTAssertEqual(e.configEntries, ["x=1"])
        XCTAssertEqual(e.rerunTriggers, ["mtime", "params"])
    }

    func testGroupFlags() throws {
        let e = try EngineOptionsBuilder.build(options([
            "-c", "1", "--groups", "a=g1", "b=g1", "--group-components", "g1=3", "--local-groupid", "here",
        ]))
        XCTAssertEqual(e.groups, ["a": "g1", "b": "g1"])
        XCTAssertEqual(e.groupComponents, ["g1": 3])
        XCTAssertEqual(e.localGroupID, "here")
        XCTAssertThrowsError(try EngineOptionsBuilder.build(options(["-c", "1", "--group-components", "g1=0"]))) {
            XCTAssertTrue("\($0)".contains("--group-components"), "\($0)")
        }
    }

    func testStorageFlags() throws {
        let e = try EngineOptionsBuilder.build(options(["-c", "1", "--local-storage-prefix", "/scratch/$FLOW_NO_SUCH_VAR/copies",
                                                        "--keep-storage-local-copies", "--max-storage-transfers", "7"]))
        XCTAssertEqual(e.localStoragePrefix, "/scratch/$FLOW_NO_SUCH_VAR/copies", "an unset variable stays as written")
        XCTAssertTrue(e.keepStorageLocalCopies)
        XCTAssertEqual(e.maxStorageTransfers, 7)
        let defaults = try EngineOptionsBuilder.build(options(["-c", "1"]))
        XCTAssertNil(defaults.localStoragePrefix)
        XCTAssertFalse(defaults.keepStorageLocalCopies)
        XCTAssertEqual(defaults.maxStorageTransfers, 4)
        let env = ["TMPDIR": "/tmp/x", "USER": "ana"]
        XCTAssertEqual(EngineOptionsBuilder.expandingVariables("$TMPDIR/${USER}/s", environment: env), "/tmp/x/ana/s")
        XCTAssertEqual(EngineOptionsBuilder.expandingVariables("a$ b${USER c$", environment: env), "a$ b${USER c$")
    }

    func testCoresAreRequiredForLocalRunsAndValidated() throws {
        XCTAssertThrowsError(try EngineOptionsBuilder.build(options([]))) { error in
            XCTAssertTrue("\(error)".contains("cores have to be specified"), "\(error)")
        }
        XCTAssertThrowsError(try EngineOptionsBuilder.build(options(["--cores", "zero"])))
        XCTAssertThrowsError(try EngineOptionsBuilder.build(options(["-c", "1", "--rerun-triggers", "bogus"])))
        XCTAssertEqual(try EngineOptionsBuilder.build(options(["--cores", "all"])).cores,
                       ProcessInfo.processInfo.activeProcessorCount)
        // -j alone sets the cores of a local run, as in Snakemake.
        XCTAssertEqual(try EngineOptionsBuilder.build(options(["-j", "5"])).cores, 5)
        // A dry run needs no cores.
        XCTAssertNoThrow(try EngineOptionsBuilder.build(options(["-n"])))
    }

    func testZeroAndNegativeCoresAndJobsSayWhatIsWrong() throws {
        for (args, expected) in [(["--cores", "0"], "0 cores could run no job"), (["--cores", "-1"], "-1 is negative"),
                                 (["-c", "-4"], "-4 is negative"), (["-j", "0"], "0 jobs at once could run no job"),
                                 (["--jobs", "-2"], "-2 is negative")] {
            // As `flow run` gets them: a negative value must reach the check, not read as an option.
            XCTAssertThrowsError(try EngineOptionsBuilder.build(options(ShortOptions.split(args))), "\(args)") { error in
                XCTAssertTrue("\(error)".contains(expected), "\(args): \(error)")
                XCTAssertTrue("\(error)".contains("give a positive number"), "\(error)")
            }
        }
    }

    func testAttachedShortValuesAreSplit() {
        XCTAssertEqual(ShortOptions.split(["run", "-c4", "-j8", "-n", "--cores", "-p"]),
                       ["run", "-c", "4", "-j", "8", "-n", "--cores", "-p"])
    }

    func testProfileKeysBecomeFlagsAndTheCommandLineWins() throws {
        let dir = NSTemporaryDirectory() + "flow-profile-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        cores: 2
        printshellcmds: true
        keep-going: false
        default-resources:
          mem_mb: 100
          slurm_partition: debug
        set-resources:
          map:
            mem_mb: 50
        """.write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        let profile = try Profile.load(dir)
        XCTAssertEqual(profile.arguments, ["--cores", "2", "--printshellcmds", "--default-resources", "mem_mb=100",
                                           "slurm_partition=debug", "--set-resources", "map:mem_mb=50"])
        let expanded = try ProfileExpansion.expand(["run", "--profile", dir, "--cores", "7"])
        guard let cmd = try FlowCommand.parseAsRoot(expanded.arguments) as? RunCommand else { return XCTFail("run expected") }
        XCTAssertEqual(try EngineOptionsBuilder.build(cmd.options).cores, 7)
        XCTAssertTrue(cmd.options.printshellcmds)
        XCTAssertThrowsError(try Profile.load(dir + "/missing")) { error in
            XCTAssertTrue("\(error)".contains("not found"), "\(error)")
        }
    }
}
