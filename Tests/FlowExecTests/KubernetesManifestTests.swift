// Golden tests of the Job a job attempt becomes, the settings that shape it, and kubeconfig
// loading (merged files, token file, inline CA, exec plugin, in-cluster service account).

import Foundation
import XCTest
@testable import FlowExec

final class KubernetesManifestTests: XCTestCase {
    static let golden = #"""
    {
      "apiVersion" : "batch/v1",
      "kind" : "Job",
      "metadata" : {
        "annotations" : {
          "flow/attempt" : "2",
          "flow/job-key" : "bwa_map[sample=A]",
          "gke-gcsfuse/volumes" : "true"
        },
        "labels" : {
          "app.kubernetes.io/managed-by" : "flow",
          "flow/job" : "flow-20260101t000000-42-bwa-map-14da7e00f4db-2",
          "flow/rule" : "bwa_map",
          "flow/run" : "20260101T000000-42",
          "team" : "a"
        },
        "name" : "flow-20260101t000000-42-bwa-map-14da7e00f4db-2",
        "namespace" : "team-a"
      },
      "spec" : {
        "activeDeadlineSeconds" : 1800,
        "backoffLimit" : 0,
        "template" : {
          "metadata" : {
            "annotations" : {
              "flow/attempt" : "2",
              "flow/job-key" : "bwa_map[sample=A]",
              "gke-gcsfuse/volumes" : "true"
            },
            "labels" : {
              "app.kubernetes.io/managed-by" : "flow",
              "flow/job" : "flow-20260101t000000-42-bwa-map-14da7e00f4db-2",
              "flow/rule" : "bwa_map",
              "flow/run" : "20260101T000000-42",
              "team" : "a"
            }
          },
          "spec" : {
            "containers" : [
              {
                "command" : [
                  "/bin/bash",
                  "-c",
                  "mkdir -p /work/.flow/logs/k8s 2>/dev/null\nbash /dev/fd/3 2>&1 3<<'FLOW_JOB_BODY_END' | tee /work/.flow/logs/k8s/flow-20260101t000000-42-bwa-map-14da7e00f4db-2.log\n#!/usr/bin/env bash\n# flow job 7 (bwa_map[sample=A]), attempt 2: flow-20260101t000000-42-bwa-map-14da7e00f4db-2\nset -euo pipefail\ncd /work\nbwa mem genome.fa A.fq > A.bam\nFLOW_JOB_BODY_END\nexit \"${PIPESTATUS[0]}\"\n"
                ],
                "env" : [
                  {
                    "name" : "API_TOKEN",
                    "valueFrom" : {
                      "secretKeyRef" : {
                        "key" : "API_TOKEN",
                        "name" : "flow-env-01e868bafca3"
                      }
                    }
                  }
                ],
                "image" : "ghcr.io/x/flow:1",
                "name" : "main",
                "resources" : {
                  "limits" : {
                    "cpu" : "3800m",
                    "ephemeral-storage" : "1000M",
                    "memory" : "2000M",
                    "nvidia.com/gpu" : "1"
                  },
                  "requests" : {
                    "cpu" : "3800m",
                    "ephemeral-storage" : "1000M",
                    "memory" : "2000M",
                    "nvidia.com/gpu" : "1"
                  }
                },
                "volumeMounts" : [
                  {
                    "mountPath" : "/work",
                    "name" : "pvc-0"
                  },
                  {
                    "mountPath" : "/etc/params",
                    "name" : "configmap-0",
                    "readOnly" : true
                  }
                ],
                "workingDir" : "/work"
              }
            ],
            "imagePullSecrets" : [
              {
                "name" : "regcred"
              }
            ],
            "nodeSelector" : {
              "pool" : "batch"
            },
            "restartPolicy" : "Never",
            "serviceAccountName" : "flow-jobs",
            "tolerations" : [
              {
                "effect" : "NoSchedule",
                "key" : "dedicated",
                "operator" : "Equal",
                "value" : "flow"
              },
              {
                "effect" : "NoSchedule",
                "key" : "nvidia.com/gpu",
                "operator" : "Equal",
                "value" : "present"
              }
            ],
            "volumes" : [
              {
                "name" : "pvc-0",
                "persistentVolumeClaim" : {
                  "claimName" : "work"
                }
              },
              {
                "configMap" : {
                  "name" : "params"
                },
                "name" : "configmap-0"
              }
            ]
          }
        },
        "ttlSecondsAfterFinished" : 600
      }
    }
    """#

    func testGoldenJob() throws {
        var options = KubernetesOptions()
        options.namespace = "team-a"
        options.serviceAccount = "flow-jobs"
        options.persistentVolumes = [.init(name: "work", path: "/work")]
        options.configMapVolumes = [.init(name: "params", path: "/etc/params")]
        options.annotations = ["gke-gcsfuse/volumes": "true"]
        options.labels = ["team": "a"]
        options.nodeSelector = ["pool": "batch"]
        options.tolerations = [try KubernetesOptions.toleration("dedicated=flow:NoSchedule")]
        options.imagePullSecrets = ["regcred"]
        options.envvars = ["API_TOKEN"]
        options.ttlSecondsAfterFinished = 600
        options.cpuScalar = 0.95
        options.image = "ghcr.io/x/flow:1"
        options.workdir = "/work"
        let job = JobSpec(id: 7, name: "bwa_map", key: "bwa_map[sample=A]", attempt: 2, runID: "20260101T000000-42",
                          command: .shell("bwa mem genome.fa A.fq > A.bam"), workingDirectory: "/work", threads: 4,
                          resources: ["mem_mb": .int(2000), "disk_mb": .int(1000), "runtime": .int(30), "gpu": .int(1),
                                      "gpu_manufacturer": .string("nvidia")])
        let manifest = try KubernetesManifest.job(job, options: options, secret: KubernetesManifest.secretName(runID: job.runID))
        let text = String(decoding: try KubernetesManifest.json(manifest, pretty: true), as: UTF8.self)
        if text != Self.golden { try? text.write(toFile: "/tmp/flow-k8s-golden-actual.json", atomically: true, encoding: .utf8) }
        XCTAssertEqual(text, Self.golden)
        XCTAssertFalse(text.contains("s3cret"))
    }

    /// Staged mode: the pod's own folder, flow in the image staging the files through storage;
    /// nothing of flow's working directory in the Job but plain-path files made absolute.
    func testStagedJobStagesThroughStorageWithFlowInTheImage() throws {
        var options = KubernetesOptions()
        options.dataMode = .staged
        options.flowBinary = "/usr/local/bin/flow"
        options.workdir = "/home/me/run"
        let job = JobSpec(id: 3, name: "sort", runID: "r", command: .shell("samtools sort -o {out} {in}"),
                          workingDirectory: "/home/me/run",
                          inputs: [JobFile(location: "gs://bucket/run1/mapped/A.bam", path: ".flow/storage/gs/bucket/run1/mapped/A.bam")],
                          outputs: [JobFile(location: "gs://bucket/run1/sorted/A.bam", path: ".flow/storage/gs/bucket/run1/sorted/A.bam"),
                                    JobFile("logs/sort/A.log")])
        let manifest = try KubernetesManifest.job(job, options: options, secret: nil)
        let text = String(decoding: try KubernetesManifest.json(manifest), as: UTF8.self)
        let spec = ((manifest["spec"] as! [String: Any])["template"] as! [String: Any])["spec"] as! [String: Any]
        let container = (spec["containers"] as! [[String: Any]])[0]
        XCTAssertEqual(container["workingDir"] as? String, KubernetesManifest.stagedDirectory)
        let script = (container["command"] as! [String])[2]
        XCTAssertTrue(script.contains("/usr/local/bin/flow job-files stage-in .flow/job-files.json || exit $?"), script)
        XCTAssertTrue(script.contains("/usr/local/bin/flow job-files stage-out .flow/job-files.json"), script)
        XCTAssertFalse(script.contains("cp -a"))
        // The only trace of the working directory: the plain-path log, which must be on a volume the pod sees.
        XCTAssertEqual(text.components(separatedBy: "/home/me/run").count - 1, 1, text)
        let json = script.components(separatedBy: "\n").first { $0.hasPrefix("{\"inputs\"") }!
        let files = try JobStaging.Files.decode(Data(json.utf8))
        XCTAssertEqual(files.inputs, job.inputs)
        XCTAssertEqual(files.outputs[0], job.outputs[0])
        XCTAssertEqual(files.outputs[1], JobFile(location: "/home/me/run/logs/sort/A.log", path: "logs/sort/A.log"))
        XCTAssertEqual(ExecutorRegistry.setting(forKey: "kubernetes-flow-binary")?.setting.name, "flow-binary")
        // Without a storage prefix the pod keeps no log of its own to store: flow reads the API's.
        XCTAssertFalse(script.contains("log-files.json"), script)

        // With one, the pod stores its own log there after the job's outputs.
        options.logStoragePrefix = "gs://bucket/run1/.flow/logs/k8s"
        let withLog = try KubernetesManifest.script(job, options: options)
        let logJSON = withLog.components(separatedBy: "\n").first { $0.contains("pod.log") && $0.hasPrefix("{") }!
        XCTAssertEqual(try JobStaging.Files.decode(Data(logJSON.utf8)).outputs,
                       [JobFile(location: "gs://bucket/run1/.flow/logs/k8s/\(job.externalName).log", path: ".flow/pod.log")])
        XCTAssertTrue(withLog.hasSuffix("/usr/local/bin/flow job-files stage-out .flow/log-files.json\nexit $status\n"), withLog)
    }

    /// The shared-mode command, run by bash: the job's output reaches both the pod log (stdout)
    /// and its own log on the shared volume, its exit status is the pod's, and a job reading
    /// stdin does not eat its own script.
    func testSharedJobKeepsItsOwnLogAndStatus() throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        var options = KubernetesOptions()
        options.workdir = dir
        let job = JobSpec(id: 1, name: "a", runID: "r", command: .shell("read -r x || true; echo out; echo err >&2; exit 3"),
                          workingDirectory: dir)
        let script = try KubernetesManifest.script(job, options: options)
        let result = try runShell(["/bin/bash", "-c", script], directory: dir, stdin: "not a command\n")
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "out\nerr\n")
        XCTAssertEqual(readFile(KubernetesManifest.ownLogPath(job, options: options)), "out\nerr\n")
    }

    func testNamesLabelsAndSettingErrors() throws {
        XCTAssertEqual(KubernetesManifest.labelValue("20260101T000000-42"), "20260101T000000-42")
        XCTAssertEqual(KubernetesManifest.labelValue("-a b/c-"), "a-b-c")
        XCTAssertEqual(KubernetesManifest.runSelector(["r1"]), "app.kubernetes.io/managed-by=flow,flow/run=r1")
        XCTAssertThrowsError(try KubernetesOptions.mount("claim", "kubernetes-persistent-volumes"))
        XCTAssertThrowsError(try KubernetesOptions.toleration("gpu:Sometimes"))
        var options = KubernetesOptions()
        options.workdir = "/w"
        let gpu = JobSpec(id: 1, name: "r", runID: "r", command: .shell("true"), workingDirectory: "/w",
                          resources: ["gpu": .int(1), "gpu_manufacturer": .string("intel")])
        XCTAssertThrowsError(try KubernetesManifest.job(gpu, options: options, secret: nil))
    }

    func testWorkflowEnvvarsJoinTheFlagsInTheSecret() throws {
        let descriptor = KubernetesExecutor.descriptor
        let settings = try ExecutorSettings(descriptor, inputs: [
            SettingInput(executor: "kubernetes", setting: "envvars", values: ["A", "B"], source: .commandLine)])
        let context = ExecutorContext(settings: settings, workdir: "/w", workflowEnvvars: ["B", "C"])
        let options = try KubernetesOptions(context, defaultNamespace: nil)
        XCTAssertEqual(options.envvars, ["A", "B", "C"])
        var job = JobSpec(id: 1, name: "r", runID: "r1", command: .shell("true"), workingDirectory: "/w")
        job.resources = [:]
        let manifest = try KubernetesManifest.job(job, options: options, secret: "flow-r1-env")
        let body = String(decoding: try KubernetesManifest.json(manifest), as: UTF8.self)
        for name in ["A", "B", "C"] { XCTAssertTrue(body.contains("\"\(name)\""), "\(name) missing from the Job's env") }
    }

    func testDescriptorAndAlias() throws {
        XCTAssertEqual(ExecutorRegistry.descriptor(named: "k8s")?.name, "kubernetes")
        XCTAssertNotNil(ExecutorRegistry.setting(forKey: "kubernetes_persistent_volumes"))
        XCTAssertNotNil(ExecutorRegistry.setting(forKey: "kubernetes-omit-job-cleanup"))
    }

    func testKubeconfigMergedFilesTokenFileAndInlineCA() throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        try "tok-from-file\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try """
        apiVersion: v1
        kind: Config
        current-context: work
        contexts:
        - name: work
          context: {cluster: c1, user: u1, namespace: team-b}
        """.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try """
        apiVersion: v1
        kind: Config
        current-context: ignored
        clusters:
        - name: c1
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority-data: \(Data("PEM".utf8).base64EncodedString())
        users:
        - name: u1
          user:
            tokenFile: token
        """.write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let endpoint = try KubeConfig.load(environment: ["KUBECONFIG": dir + "/a.yaml:" + dir + "/missing.yaml:" + dir + "/b.yaml"])
        XCTAssertEqual(endpoint.server, "https://10.0.0.1:6443")
        XCTAssertEqual(endpoint.namespace, "team-b")
        XCTAssertEqual(endpoint.tls.trust, .caData(Data("PEM".utf8)))
        XCTAssertEqual(try endpoint.auth?.authorization(), "Bearer tok-from-file")
        XCTAssertFalse("\(endpoint.auth!)".contains("tok-from-file"))
    }

    func testExecPluginAndInCluster() throws {
        let dir = makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let plugin = dir + "/plugin.sh"
        try """
        #!/bin/sh
        echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-tok"}}'
        """.write(toFile: plugin, atomically: true, encoding: .utf8)
        chmod(plugin, 0o755)
        try """
        current-context: gke
        contexts: [{name: gke, context: {cluster: g, user: g}}]
        clusters: [{name: g, cluster: {server: "https://34.1.2.3", insecure-skip-tls-verify: true}}]
        users:
        - name: g
          user:
            exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./plugin.sh, args: [], interactiveMode: Never}
        """.write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let endpoint = try KubeConfig.load(path: dir + "/config")
        XCTAssertTrue(endpoint.tls.insecureSkipVerify)
        XCTAssertNil(endpoint.namespace)
        XCTAssertEqual(try endpoint.auth?.authorization(), "Bearer exec-tok")

        // A stated expiry is honoured: an expired token makes the next request run the plugin
        // again; one valid for an hour is reused.
        let counting = dir + "/counting.sh"
        try """
        #!/bin/sh
        n=$(( $(cat "$0.count" 2>/dev/null || echo 0) + 1 )); echo $n > "$0.count"
        echo "{\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"tok-$n\\",\\"expirationTimestamp\\":\\"$(cat "$0.expiry")\\"}}"
        """.write(toFile: counting, atomically: true, encoding: .utf8)
        chmod(counting, 0o755)
        try "2020-01-01T00:00:00Z".write(toFile: counting + ".expiry", atomically: true, encoding: .utf8)
        try """
        current-context: gke
        contexts: [{name: gke, context: {cluster: g, user: g}}]
        clusters: [{name: g, cluster: {server: "https://34.1.2.3"}}]
        users: [{name: g, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./counting.sh}}}]
        """.write(toFile: dir + "/config2", atomically: true, encoding: .utf8)
        let expiring = try KubeConfig.load(path: dir + "/config2")
        XCTAssertEqual(try expiring.auth?.authorization(), "Bearer tok-1")
        XCTAssertEqual(try expiring.auth?.authorization(), "Bearer tok-2")
        let inAnHour = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        try inAnHour.write(toFile: counting + ".expiry", atomically: true, encoding: .utf8)
        XCTAssertEqual(try expiring.auth?.authorization(), "Bearer tok-3")
        XCTAssertEqual(try expiring.auth?.authorization(), "Bearer tok-3")
        XCTAssertNotNil(ExecCredentialPlugin.timestamp("2026-12-07T05:00:00.123Z"))
        XCTAssertNil(ExecCredentialPlugin.timestamp("tomorrow"))

        try FileManager.default.createDirectory(atPath: dir + "/sa", withIntermediateDirectories: true)
        try "sa-tok".write(toFile: dir + "/sa/token", atomically: true, encoding: .utf8)
        try "jobs-ns\n".write(toFile: dir + "/sa/namespace", atomically: true, encoding: .utf8)
        try "CA".write(toFile: dir + "/sa/ca.crt", atomically: true, encoding: .utf8)
        let pod = try KubeConfig.load(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                                      serviceAccountDirectory: dir + "/sa")
        XCTAssertEqual(pod.server, "https://10.96.0.1:443")
        XCTAssertEqual(pod.namespace, "jobs-ns")
        XCTAssertEqual(pod.tls.trust, .caFile(dir + "/sa/ca.crt"))
        XCTAssertEqual(try pod.auth?.authorization(), "Bearer sa-tok")
    }
}
