// FlowExec Kubernetes backend: a Job and its pod reduced to one of a few outcomes, as Nextflow's
// K8s client does (executors.md §1.8, §5.1).
//
// Owns: the classification. Image and configuration errors fail at once with the reason;
// Evicted, a disruption and a lost node are infrastructure failures (their own retry budget);
// OOMKilled and DeadlineExceeded are failures named as such; an unschedulable pod stays queued
// (the executor warns after a while). Pure: the executor feeds it what one list round returned.

enum KubernetesJobState {
    static let failFastReasons: Set<String> = [
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
        "ErrImageNeverPull",
    ]

    struct Outcome: Equatable {
        var state: ExternalJobState
        /// Why the pod waits to be scheduled, while it does.
        var unschedulable: String?
    }

    static func classify(job: KubeJob, pod: KubePod?) -> Outcome {
        let conditions = job.status?.conditions ?? []
        func has(_ type: String) -> KubeCondition? { conditions.first { $0.type == type && $0.status == "True" } }
        let container = pod?.status?.containerStatuses?.first { $0.name == KubernetesManifest.containerName }
            ?? pod?.status?.containerStatuses?.first
        let terminated = container?.state?.terminated

        if has("Complete") != nil || (job.status?.succeeded ?? 0) > 0 {
            return Outcome(state: .succeeded)
        }
        if let failed = has("Failed") ?? ((job.status?.failed ?? 0) > 0 ? KubeCondition(type: "Failed", status: "True") : nil) {
            return Outcome(state: failure(pod: pod, terminated: terminated, jobReason: failed.reason, jobMessage: failed.message))
        }
        guard let pod else { return Outcome(state: .queued) }
        if let waiting = container?.state?.waiting, let reason = waiting.reason, failFastReasons.contains(reason) {
            return Outcome(state: .failed(exitStatus: 1, reason: reason + (waiting.message.map { ": " + $0 } ?? "")))
        }
        switch pod.status?.phase {
        case "Failed":
            return Outcome(state: failure(pod: pod, terminated: terminated, jobReason: nil, jobMessage: nil))
        case "Succeeded":
            return Outcome(state: .succeeded)
        case "Unknown":
            return Outcome(state: .infrastructureFailed(reason: "NodeLost: the pod's node stopped reporting"))
        case "Running":
            // A sidecar can keep the pod running after the main container ended (plugin v0.4.0, #43).
            if let terminated { return Outcome(state: terminated.exitCode == 0 ? .succeeded : failure(pod: pod, terminated: terminated, jobReason: nil, jobMessage: nil)) }
            return Outcome(state: .running)
        default:
            if let c = pod.status?.conditions?.first(where: { $0.type == "PodScheduled" && $0.status == "False" && $0.reason == "Unschedulable" }) {
                return Outcome(state: .queued, unschedulable: c.message ?? "Unschedulable")
            }
            return Outcome(state: .queued)
        }
    }

    private static func failure(pod: KubePod?, terminated: KubePod.ContainerState.Terminated?,
                                jobReason: String?, jobMessage: String?) -> ExternalJobState {
        let podReason = pod?.status?.reason
        let disrupted = pod?.status?.conditions?.first { $0.type == "DisruptionTarget" && $0.status == "True" }
        if podReason == "Evicted" || podReason == "Preempting" || disrupted != nil {
            return .infrastructureFailed(reason: (podReason ?? disrupted?.reason ?? "Disrupted") + ": " + (pod?.status?.message ?? disrupted?.message ?? ""))
        }
        if podReason == "NodeLost" || podReason == "Shutdown" || podReason == "NodeShutdown" {
            return .infrastructureFailed(reason: podReason! + ": " + (pod?.status?.message ?? ""))
        }
        if jobReason == "DeadlineExceeded" {
            return .failed(exitStatus: terminated?.exitCode ?? 137,
                           reason: "DeadlineExceeded: " + (jobMessage ?? "the job ran past its runtime (activeDeadlineSeconds)"))
        }
        if let terminated {
            let reason = terminated.reason ?? "Error"
            return .failed(exitStatus: terminated.exitCode, reason: reason == "OOMKilled" ? "OOMKilled: the container ran out of memory" : reason)
        }
        if pod == nil {
            return .infrastructureFailed(reason: "the Job failed and its pod is gone (node lost?): " + (jobReason ?? ""))
        }
        return .failed(exitStatus: 1, reason: jobReason ?? "Failed")
    }
}
