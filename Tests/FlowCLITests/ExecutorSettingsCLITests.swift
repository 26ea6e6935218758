// Pins how executor settings reach a run from the registry: `--<executor>-<setting>` flags lifted
// out before argument-parser, profile keys (validated, with the nearest valid key and the file
// named in errors), the executor sections of `flow run --help`, and secrets never printed.

import Foundation
import XCTest
import FlowExec
@testable import FlowCLI

final class ExecutorSettingsCLITests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func profile(_ yaml: String) throws -> String {
        try yaml.write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        return dir + "/config.yaml"
    }

    func testRegistryFlagsBecomeTypedSettings() throws {
        let lifted = try ExecutorFlags.lift([
            "run", "-j", "4", "--executor", "slurm", "--slurm-partition", "debug", "--slurm-requeue",
            "--slurm-command-timeout=5", "out.txt", "--", "--slurm-qos",
        ])
        XCTAssertEqual(lifted.arguments, ["run", "-j", "4", "--executor", "slurm", "out.txt", "--", "--slurm-qos"])
        XCTAssertEqual(lifted.settings.map(\.key), ["slurm-partition", "slurm-requeue", "slurm-command-timeout"])
        let run = try RunOptions.parse(Array(lifted.arguments.dropFirst()))
        let e = try EngineOptionsBuilder.build(run, executorSettings: lifted.settings)
        XCTAssertEqual(e.executor, "slurm")
        let slurm = try XCTUnwrap(e.executorSettings["slurm"])
        XCTAssertEqual(slurm.string("partition"), "debug")
        XCTAssertTrue(slurm.bool("requeue"))
        XCTAssertEqual(slurm.double("command-timeout"), 5)
        XCTAssertEqual(slurm.string("logdir"), ".flow/logs/slurm")
        // The executor needs no --cores, and its settings build its options.
        let options = try SlurmExecutor.Options(ExecutorContext(settings: slurm, workdir: dir, jobs: e.jobs))
        XCTAssertEqual(options.partition, "debug")
        XCTAssertEqual(options.jobs, 4)
    }

    func testBadFlagsAreErrorsNamingTheFlag() {
        XCTAssertThrowsError(try ExecutorFlags.lift(["run", "--slurm-partitoin", "x"])) { error in
            XCTAssertEqual("\(error)", "unknown option '--slurm-partitoin' (did you mean '--slurm-partition'?)")
        }
        XCTAssertThrowsError(try ExecutorFlags.lift(["run", "--slurm-qos"])) { error in
            XCTAssertEqual("\(error)", "--slurm-qos: missing value")
        }
        let lifted = try? ExecutorFlags.lift(["run", "--slurm-command-timeout", "soon"])
        XCTAssertThrowsError(try EngineOptionsBuilder.build(RunOptions.parse(["-n"]), executorSettings: lifted?.settings ?? [])) { error in
            XCTAssertEqual("\(error)", "--slurm-command-timeout: expected a number, got 'soon'")
        }
        XCTAssertThrowsError(try EngineOptionsBuilder.build(RunOptions.parse(["-n", "--executor", "slrum"]))) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'slurm'"), "\(error)")
        }
    }

    func testProfileKeysForSettingsAreTypedAndTheCommandLineWins() throws {
        let path = try profile("""
        executor: slurm
        jobs: 10
        slurm_partition: debug
        slurm-logdir: logs/slurm
        use-conda: true
        """)
        let expansion = try ProfileExpansion.expand(["run", "--profile", dir, "--slurm-partition", "short"])
        XCTAssertEqual(expansion.arguments, ["run", "--executor", "slurm", "--jobs", "10", "--slurm-partition", "short"])
        XCTAssertEqual(expansion.executorSettings, [
            SettingInput(executor: "slurm", setting: "partition", values: ["debug"], source: .profile(path: path)),
            SettingInput(executor: "slurm", setting: "logdir", values: ["logs/slurm"], source: .profile(path: path)),
        ])
        XCTAssertEqual(expansion.warnings, ["profile \(path): ignoring 'use-conda' (flow does not create conda environments yet)"])
        let lifted = try ExecutorFlags.lift(expansion.arguments)
        let e = try EngineOptionsBuilder.build(RunOptions.parse(Array(lifted.arguments.dropFirst())),
                                               executorSettings: expansion.executorSettings + lifted.settings)
        XCTAssertEqual(e.executorSettings["slurm"]?.string("partition"), "short")
        XCTAssertEqual(e.executorSettings["slurm"]?.string("logdir"), "logs/slurm")
    }

    func testUnknownProfileKeyNamesTheFileAndTheNearestKey() throws {
        let path = try profile("cores: 2\nslurm-partitoin: debug\n")
        XCTAssertThrowsError(try Profile.load(dir)) { error in
            XCTAssertEqual("\(error)", "profile \(path): unknown key 'slurm-partitoin' (did you mean 'slurm-partition'?)")
        }
        _ = try profile("printshellcmd: true\n")
        XCTAssertThrowsError(try Profile.load(dir)) { error in
            XCTAssertTrue("\(error)".hasSuffix("unknown key 'printshellcmd' (did you mean 'printshellcmds'?)"), "\(error)")
        }
        // Aliases argument-parser knows are valid keys too.
        _ = try profile("restart-times: 2\nlatency_wait: 3\n")
        XCTAssertEqual(try Profile.load(dir).arguments, ["--restart-times", "2", "--latency-wait", "3"])
    }

    func testWrongSettingValueInProfileNamesKeyAndFile() throws {
        let path = try profile("executor: slurm\nslurm-command-timeout: abc\n")
        let expansion = try ProfileExpansion.expand(["run", "--profile", dir])
        XCTAssertThrowsError(try EngineOptionsBuilder.build(RunOptions.parse(Array(expansion.arguments.dropFirst())),
                                                            executorSettings: expansion.executorSettings)) { error in
            XCTAssertEqual("\(error)", "profile \(path): invalid value for 'slurm-command-timeout': expected a number, got 'abc'")
        }
    }

    func testRunOptionLongNamesComeFromArgumentParser() {
        let names = Set(RunOptions.longNames)
        for name in ["cores", "jobs", "dry-run", "dryrun", "executor", "seconds-between-status-checks", "list-untracked", "lu"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertFalse(names.contains("slurm-partition"), "executor settings come from the registry")
    }

    func testHelpHasASectionPerExecutorAndHidesSecrets() {
        let vault = ExecutorDescriptor(name: "vault", aliases: ["v"], summary: "A test back end.", settings: [
            ExecutorSetting("token", .string, default: .string("s3cr3t-default"), secret: true, help: "API token."),
            ExecutorSetting("mode", .choice(["fast", "slow"]), default: .string("fast"), help: "How to run."),
            ExecutorSetting("verbose", .bool, help: "Talk more."),
            ExecutorSetting("pin", .int, secret: true, help: "A secret number."),
        ]) { _ in throw CLIError("not for running") }
        let help = ExecutorFlags.help(ExecutorRegistry.all + [vault])
        for descriptor in ExecutorRegistry.all {
            XCTAssertTrue(help.contains("\n  \(descriptor.name) ") || help.contains("\n  \(descriptor.name), "), descriptor.name)
            for setting in descriptor.settings {
                XCTAssertTrue(help.contains("--" + descriptor.key(of: setting)), descriptor.key(of: setting))
            }
        }
        XCTAssertTrue(help.contains("SLURM EXECUTOR SETTINGS"))
        XCTAssertTrue(help.contains("VAULT EXECUTOR SETTINGS"))
        XCTAssertTrue(help.contains("--vault-mode <fast|slow>") && help.contains("(default: fast)"), help)
        XCTAssertTrue(help.contains("--vault-token <string>"))
        XCTAssertFalse(help.contains("s3cr3t"), help)

        // Nor in errors or the --verbose dump.
        let bad = SettingInput(executor: "vault", setting: "pin", values: ["s3cr3t"], source: .profile(path: "p.yaml"))
        XCTAssertThrowsError(try ExecutorSettings(vault, inputs: [bad])) { error in
            XCTAssertEqual("\(error)", "profile p.yaml: invalid value for 'vault-pin': expected an integer")
        }
        let token = SettingInput(executor: "vault", setting: "token", values: ["s3cr3t"], source: .commandLine)
        let settings = try? ExecutorSettings(vault, inputs: [token])
        XCTAssertEqual(settings?.string("token"), "s3cr3t")
        XCTAssertEqual(settings?.description, "vault-token=<secret>")
    }

    // MARK: the flow binary

    func testRunHelpEndsWithTheExecutorSections() throws {
        let result = try FlowBinary.run(["run", "--help"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("USAGE: flow run"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix(ExecutorFlags.help()), result.stdout)
        XCTAssertTrue(result.stdout.contains("Where jobs run: local, slurm"), result.stdout)
    }

    func testListTargetRulesAndUntrackedFiles() throws {
        try """
        rule all:
            "The final target."
            input: "b.txt"

        rule copy:
            input: "a.txt"
            output: "b.txt"
            log: "logs/copy.log"
            shell: "cp {input} {output} 2> {log}"

        rule per_sample:
            output: "{sample}.out"
            shell: "touch {output}"
        """.write(toFile: dir + "/Snakefile", atomically: true, encoding: .utf8)
        let fm = FileManager.default
        for path in ["a.txt", "notes.md", "data/extra.csv", ".hidden/secret.txt", ".dotfile"] {
            try fm.createDirectory(atPath: dir + "/" + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            fm.createFile(atPath: dir + "/" + path, contents: Data("x\n".utf8))
        }
        let targets = try FlowBinary.run(["run", "--lt"], in: dir)
        XCTAssertEqual(targets.status, 0, targets.stderr)
        XCTAssertEqual(targets.stdout, "all (The final target.)\ncopy\n")

        let untracked = try FlowBinary.run(["run", "--list-untracked"], in: dir)
        XCTAssertEqual(untracked.status, 0, untracked.stderr)
        XCTAssertEqual(untracked.stdout, "Snakefile\ndata/extra.csv\nnotes.md\n")
        XCTAssertFalse(fm.fileExists(atPath: dir + "/b.txt"), "--list-untracked must not run jobs")
    }
}

/// Runs the `flow` executable built next to the test bundle.
enum FlowBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: String) throws -> Result {
        let binDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // The test bundle is <bin>/flowPackageTests.xctest (a file on Linux).
        let candidates = [binDirectory, binDirectory.deletingLastPathComponent()].map { $0.appendingPathComponent("flow").path }
        guard let flow = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("flow binary not built next to the tests (run swift build first)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: flow)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW_PROFILE"] = nil
        environment["SNAKEMAKE_PROFILE"] = nil
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}
