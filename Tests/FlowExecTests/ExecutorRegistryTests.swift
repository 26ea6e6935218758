// Pins the executor registry: lookups by name, alias and key, and settings parsed into their
// declared kinds with defaults, merging and errors that name the key and its source.

import XCTest
@testable import FlowExec

final class ExecutorRegistryTests: XCTestCase {
    private let fake = ExecutorDescriptor(name: "kubernetes", aliases: ["k8s"], summary: "Fake.", settings: [
        ExecutorSetting("namespace", .string, default: .string("default"), help: "Namespace."),
        ExecutorSetting("retries", .int, default: .int(3), minimum: 0, help: "Retries."),
        ExecutorSetting("cpu", .double, help: "CPUs."),
        ExecutorSetting("privileged", .bool, help: "Privileged pods."),
        ExecutorSetting("tolerations", .list, help: "Tolerations."),
        ExecutorSetting("pull-policy", .choice(["Always", "IfNotPresent"]), help: "Pull policy."),
    ]) { context in try LocalExecutor(options: .init(maxInFlight: context.jobs ?? 1)) }

    private func input(_ setting: String, _ values: [String], _ source: SettingSource = .commandLine) -> SettingInput {
        SettingInput(executor: "kubernetes", setting: setting, values: values, source: source)
    }

    func testRegistryListsLocalAndSlurm() {
        XCTAssertEqual(ExecutorRegistry.all.map(\.name), ["local", "slurm", "flux", "kubernetes", "picas"])
        XCTAssertTrue(ExecutorRegistry.descriptor(named: "local")?.isLocal == true)
        XCTAssertEqual(ExecutorRegistry.descriptor(named: "k8s", in: [fake])?.name, "kubernetes")
        XCTAssertEqual(ExecutorRegistry.setting(forKey: "slurm_partition")?.setting.name, "partition")
        XCTAssertEqual(ExecutorRegistry.setting(forKey: "kubernetes-pull-policy", in: [fake])?.setting.name, "pull-policy")
        XCTAssertNil(ExecutorRegistry.setting(forKey: "slurm-nonsense"))
        // Snakemake's flag names for what flow's Slurm back end supports.
        for key in ["slurm-partition", "slurm-account", "slurm-qos", "slurm-logdir", "slurm-extra", "slurm-constraint",
                    "slurm-command-timeout", "slurm-requeue", "slurm-no-account", "slurm-reservation"] {
            XCTAssertTrue(ExecutorRegistry.keys().contains(key), key)
        }
    }

    func testSettingsParseIntoTheirKindsWithDefaults() throws {
        let settings = try ExecutorSettings(fake, inputs: [
            input("retries", ["5"]), input("cpu", ["0.5"]), input("privileged", ["yes"]),
            input("tolerations", ["a"]), input("tolerations", ["b", "c"]), input("pull-policy", ["Always"]),
            input("namespace", ["first"]), input("namespace", ["second"]),
        ])
        XCTAssertEqual(settings.int("retries"), 5)
        XCTAssertEqual(settings.double("cpu"), 0.5)
        XCTAssertTrue(settings.bool("privileged"))
        XCTAssertEqual(settings.list("tolerations"), ["a", "b", "c"])
        XCTAssertEqual(settings.string("pull-policy"), "Always")
        XCTAssertEqual(settings.string("namespace"), "second", "the later input (the command line) wins")
        let defaults = try ExecutorSettings(fake)
        XCTAssertEqual(defaults.string("namespace"), "default")
        XCTAssertEqual(defaults.int("retries"), 3)
        XCTAssertNil(defaults.double("cpu"))
        XCTAssertFalse(defaults.bool("privileged"))
        XCTAssertEqual(defaults.description, "")
    }

    func testWrongValuesNameTheKeyAndWhereItCameFrom() {
        let cases: [(SettingInput, String)] = [
            (input("retries", ["many"]), "--kubernetes-retries: expected an integer, got 'many'"),
            (input("retries", ["-1"]), "--kubernetes-retries: expected an integer ≥ 0, got '-1'"),
            (input("privileged", ["maybe"], .profile(path: "/p/config.yaml")),
             "profile /p/config.yaml: invalid value for 'kubernetes-privileged': expected true or false, got 'maybe'"),
            (input("pull-policy", ["Never"]), "--kubernetes-pull-policy: expected one of Always, IfNotPresent, got 'Never'"),
            (input("nodes", ["2"]), "--kubernetes-nodes: executor kubernetes has no setting 'nodes'"),
        ]
        for (bad, message) in cases {
            XCTAssertThrowsError(try ExecutorSettings(fake, inputs: [bad])) { XCTAssertEqual("\($0)", message) }
        }
    }

    func testDescriptorsBuildTheirExecutors() throws {
        let local = try LocalExecutor.descriptor.makeExecutor(ExecutorContext(settings: try ExecutorSettings(LocalExecutor.descriptor), workdir: "/tmp", jobs: 3))
        XCTAssertEqual(local.name, "local")
        XCTAssertEqual(local.maxInFlight, 3)
        let settings = try ExecutorSettings(SlurmExecutor.descriptor, inputs: [
            SettingInput(executor: "slurm", setting: "partition", values: ["debug"], source: .commandLine),
        ])
        let slurm = try XCTUnwrap(try SlurmExecutor.descriptor.makeExecutor(ExecutorContext(settings: settings, workdir: "/tmp")) as? SlurmExecutor)
        XCTAssertEqual(slurm.options.partition, "debug")
        XCTAssertEqual(slurm.options.workdir, "/tmp")
    }
}
