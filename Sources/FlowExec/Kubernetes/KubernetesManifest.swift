// FlowExec Kubernetes backend: the batch/v1 Job one job attempt becomes.
//
// Owns: building the Job body (plain JSON values, serialized with sorted keys so golden tests
// can pin it), the labels that find a run's objects, resources from threads and the job's
// resources, and the container command for the two data modes. Pure: no HTTP, no state.

import FlowStorage
import FlowSystem
import Foundation

public enum KubernetesManifest {
    public static let managedBy = "app.kubernetes.io/managed-by"
    public static let runLabel = "flow/run"
    public static let ruleLabel = "flow/rule"
    public static let jobLabel = "flow/job"
    public static let containerName = "main"

    /// A label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric.
    public static func labelValue(_ text: String) -> String {
        var out = ""
        for c in text where out.count < 63 {
            out.append(c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") ? c : "-")
        }
        while let f = out.first, !(f.isLetter || f.isNumber) { out.removeFirst() }
        while let l = out.last, !(l.isLetter || l.isNumber) { out.removeLast() }
        return out.isEmpty ? "x" : out
    }

    /// The selector of everything a run created.
    public static func runSelector(_ runIDs: [String]) -> String {
        let values = Set(runIDs.map(labelValue)).sorted()
        let run = values.count == 1 ? "\(runLabel)=\(values[0])" : "\(runLabel) in (\(values.joined(separator: ",")))"
        return "\(managedBy)=flow,\(run)"
    }

    public static func labels(for job: JobSpec, options: KubernetesOptions) -> [String: String] {
        var labels = options.labels
        labels[managedBy] = "flow"
        labels[runLabel] = labelValue(job.runID)
        labels[ruleLabel] = labelValue(job.name)
        labels[jobLabel] = job.externalName
        return labels
    }

    /// The name of the run's Secret holding the `envvars` values.
    public static func secretName(runID: String) -> String {
        "flow-env-" + String(JobSpec.hash(runID))
    }

    /// The Job for one attempt. `secret`: the run's Secret name when it holds `envvars`.
    public static func job(_ job: JobSpec, options: KubernetesOptions, secret: String?) throws -> [String: Any] {
        let labels = labels(for: job, options: options)
        var annotations = options.annotations
        annotations["flow/job-key"] = job.key
        annotations["flow/attempt"] = String(job.attempt)

        var container: [String: Any] = [
            "name": containerName,
            "image": job.container ?? options.image,
            "command": ["/bin/bash", "-c", try script(job, options: options)],
        ]
        var volumes: [[String: Any]] = []
        var mounts: [[String: Any]] = []
        for (i, pvc) in options.persistentVolumes.enumerated() {
            volumes.append(["name": "pvc-\(i)", "persistentVolumeClaim": ["claimName": pvc.name]])
            mounts.append(["name": "pvc-\(i)", "mountPath": pvc.path])
        }
        for (i, map) in options.configMapVolumes.enumerated() {
            volumes.append(["name": "configmap-\(i)", "configMap": ["name": map.name]])
            mounts.append(["name": "configmap-\(i)", "mountPath": map.path, "readOnly": true])
        }
        switch options.dataMode {
        case .shared:
            container["workingDir"] = job.workingDirectory.isEmpty ? options.workdir : job.workingDirectory
        case .staged:
            volumes.append(["name": "work", "emptyDir": [String: Any]()])
            mounts.append(["name": "work", "mountPath": stagedDirectory])
            container["workingDir"] = stagedDirectory
        }
        if !mounts.isEmpty { container["volumeMounts"] = mounts }
        if let secret, !options.envvars.isEmpty {
            container["env"] = options.envvars.sorted().map { name in
                ["name": name, "valueFrom": ["secretKeyRef": ["name": secret, "key": name]]] as [String: Any]
            }
        }
        let (resources, gpuToleration) = try self.resources(job, options: options)
        if !resources.isEmpty { container["resources"] = ["requests": resources, "limits": resources] }
        if options.privileged { container["securityContext"] = ["privileged": true] }

        var pod: [String: Any] = ["restartPolicy": "Never", "containers": [container]]
        if !volumes.isEmpty { pod["volumes"] = volumes }
        if let account = options.serviceAccount { pod["serviceAccountName"] = account }
        var selector = options.nodeSelector
        if case .string(let machine)? = job.resources["machine_type"] { selector["node.kubernetes.io/instance-type"] = machine }
        if !selector.isEmpty { pod["nodeSelector"] = selector }
        var tolerations: [[String: Any]] = options.tolerations.map { t in
            var d: [String: Any] = ["key": t.key, "operator": t.value == nil ? "Exists" : "Equal"]
            if let v = t.value { d["value"] = v }
            if let e = t.effect { d["effect"] = e }
            return d
        }
        if let gpuToleration { tolerations.append(gpuToleration) }
        if !tolerations.isEmpty { pod["tolerations"] = tolerations }
        if !options.imagePullSecrets.isEmpty { pod["imagePullSecrets"] = options.imagePullSecrets.map { ["name": $0] } }

        var spec: [String: Any] = [
            "backoffLimit": 0,
            "template": ["metadata": ["labels": labels, "annotations": annotations], "spec": pod] as [String: Any],
        ]
        if let runtime = job.resources["runtime"], let seconds = ExecutorText.runtimeSeconds(runtime.description), seconds > 0 {
            spec["activeDeadlineSeconds"] = seconds
        }
        if let ttl = options.ttlSecondsAfterFinished { spec["ttlSecondsAfterFinished"] = ttl }
        return [
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": ["name": job.externalName, "namespace": options.namespace, "labels": labels, "annotations": annotations] as [String: Any],
            "spec": spec,
        ]
    }

    /// The Job as JSON text with sorted keys (what is POSTed; what golden tests compare).
    public static func json(_ object: [String: Any], pretty: Bool = false) throws -> Data {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        return try JSONSerialization.data(withJSONObject: object, options: options)
    }

    /// cpu from threads × cpu-scalar (millicores), memory from mem_mb/mem_mib, ephemeral storage
    /// from disk_mb/disk_mib, GPUs from gpu + gpu_manufacturer (with the toleration GPU nodes need).
    static func resources(_ job: JobSpec, options: KubernetesOptions) throws -> ([String: String], [String: Any]?) {
        var r: [String: String] = [:]
        let millis = max(1, Int((Double(max(1, job.threads)) * options.cpuScalar * 1000).rounded()))
        r["cpu"] = millis % 1000 == 0 ? String(millis / 1000) : "\(millis)m"
        if let mb = job.resources["mem_mb"]?.intValue, mb > 0 { r["memory"] = "\(mb)M" } else if let mib = job.resources["mem_mib"]?.intValue, mib > 0 { r["memory"] = "\(mib)Mi" }
        if let mb = job.resources["disk_mb"]?.intValue, mb > 0 { r["ephemeral-storage"] = "\(mb)M" } else if let mib = job.resources["disk_mib"]?.intValue, mib > 0 { r["ephemeral-storage"] = "\(mib)Mi" }
        var toleration: [String: Any]?
        if let gpus = (job.resources["gpu"] ?? job.resources["gpus"])?.intValue, gpus > 0 {
            let maker = job.resources["gpu_manufacturer"]?.description.lowercased() ?? "nvidia"
            guard maker == "nvidia" || maker == "amd" else {
                throw KubernetesError.invalidResource(job: job.key, problem: "gpu_manufacturer must be nvidia or amd, got '\(maker)'")
            }
            let resource = "\(maker).com/gpu"
            r[resource] = String(gpus)
            toleration = ["key": resource, "operator": "Equal", "value": "present", "effect": "NoSchedule"]
        }
        return (r, toleration)
    }

    /// Where a staged-mode job runs inside its pod.
    public static let stagedDirectory = "/flow/work"

    /// Where a shared-mode job's own log goes: flow's `.flow/logs/k8s/` on the shared volume.
    public static func ownLogPath(_ job: JobSpec, options: KubernetesOptions) -> String {
        options.workdir + "/.flow/logs/k8s/" + job.externalName + ".log"
    }

    /// Where a staged-mode job stores its own log (nil without a storage prefix).
    public static func logLocation(_ job: JobSpec, options: KubernetesOptions) -> String? {
        logLocation(externalName: job.externalName, options: options)
    }

    static func logLocation(externalName: String, options: KubernetesOptions) -> String? {
        options.logStoragePrefix.map { $0 + "/" + externalName + ".log" }
    }

    /// The bash text the container runs. Every job keeps its own log (stdout and stderr through
    /// `tee`, so the pod log stays whole): in shared mode on the shared volume where flow reads
    /// it, in staged mode stored next to the outputs for flow to fetch. Reading pod logs from the
    /// API instead would cost one request per finished job in every status round.
    ///
    /// Shared mode: the job script, changing into the working directory on the shared volume.
    /// Staged mode: the pod's own folder is the job's directory; `flow job-files stage-in` (flow in
    /// the image, `kubernetes-flow-binary`) retrieves the inputs from storage, the self-contained
    /// script (programs embedded) runs, and `flow job-files stage-out` stores whatever outputs,
    /// logs and benchmarks it left, failed or not (the engine checks them in storage). Storage URLs
    /// are fetched with the credentials the cluster gives the pod; a plain path is made absolute
    /// against flow's working directory, so it must be visible to the pod (a mounted volume).
    public static func script(_ job: JobSpec, options: KubernetesOptions) throws -> String {
        switch options.dataMode {
        case .shared:
            let log = ownLogPath(job, options: options)
            var body = JobScript.render(job)
            if body.hasSuffix("\n") { body.removeLast() }
            let lines = ["mkdir -p \(ShellQuote.quote(LocalFiles.dirname(log))) 2>/dev/null"] + teed(body, to: log)
            return (lines + ["exit \"${PIPESTATUS[0]}\""]).joined(separator: "\n") + "\n"
        case .staged:
            let base = job.workingDirectory.isEmpty ? options.workdir : job.workingDirectory
            func located(_ file: JobFile) -> JobFile {
                StorageURL.isRemote(file.location) || file.location.hasPrefix("/")
                    ? file : JobFile(location: base + "/" + file.location, path: file.path)
            }
            let files = try JobStaging.Files(inputs: job.inputs.map(located), outputs: job.outputs.map(located)).json()
            let flow = ShellQuote.quote(options.flowBinary)
            var lines = ["set -uo pipefail", "mkdir -p .flow"]
            lines += hereDocument(files, to: ".flow/job-files.json", delimiter: "FLOW_JOB_FILES_END")
            var inner = ["\(flow) job-files stage-in .flow/job-files.json || exit $?", "status=0"]
            var body = JobScript.render(job, directory: .some(nil), embedPrograms: true)
            if body.hasSuffix("\n") { body.removeLast() }
            let delimiter = unusedDelimiter("FLOW_JOB_SCRIPT_END", in: body)
            inner += ["bash /dev/fd/4 4<<'\(delimiter)' || status=$?", body, delimiter]
            inner.append("\(flow) job-files stage-out .flow/job-files.json || { out=$?; [ \"$status\" = 0 ] && status=$out; }")
            inner.append("exit $status")
            lines += teed(inner.joined(separator: "\n"), to: ".flow/pod.log")
            var text = lines.joined(separator: "\n") + "\nstatus=${PIPESTATUS[0]}\n"
            if let location = logLocation(job, options: options) {
                let logFiles = try JobStaging.Files(inputs: [], outputs: [JobFile(location: location, path: ".flow/pod.log")]).json()
                text += hereDocument(logFiles, to: ".flow/log-files.json", delimiter: "FLOW_LOG_FILES_END").joined(separator: "\n") + "\n"
                text += "\(flow) job-files stage-out .flow/log-files.json\n"
            }
            return text + "exit $status\n"
        }
    }

    /// The body run by a bash of its own, output through `tee log`; its status is
    /// `${PIPESTATUS[0]}` afterwards, and a log that cannot be written still leaves the pod log.
    /// Not a `( … )` subshell: there `wait -n` forgets children that ended before it (a group's
    /// members). The body comes on fd 3, so the job's stdin is not the script.
    private static func teed(_ body: String, to log: String) -> [String] {
        let delimiter = unusedDelimiter("FLOW_JOB_BODY_END", in: body)
        return ["bash /dev/fd/3 2>&1 3<<'\(delimiter)' | tee \(ShellQuote.quote(log))", body, delimiter]
    }

    private static func unusedDelimiter(_ base: String, in text: String) -> String {
        var delimiter = base
        while text.contains(delimiter) { delimiter += "_" }
        return delimiter
    }

    private static func hereDocument(_ text: String, to path: String, delimiter base: String) -> [String] {
        let delimiter = unusedDelimiter(base, in: text)
        return ["cat > \(ShellQuote.quote(path)) <<'\(delimiter)'", text, delimiter]
    }
}
