// FlowExec Slurm backend: Slurm job states as flow's `ExternalJobState`.
//
// Owns: the mapping table (squeue %T / sacct State / scontrol JobState → queued, running,
// succeeded, failed with an exit status, infrastructure failure). Whether a failure is the
// job's own fault matters: `failed` is retried on --retries, `infrastructureFailed` (node
// failure, preemption) on its own budget (executors.md §4-8: OOM is the job's, not the node's).

enum SlurmJobState {
    /// The flow state for Slurm `state` (first word: sacct prints "CANCELLED by 0"), with the
    /// job's shell-style exit status when known and Slurm's reason (squeue %r) for messages.
    /// Nil for a state this table does not know: the caller keeps the job's previous state.
    static func map(_ state: String, exitStatus: Int32?, reason: String? = nil) -> ExternalJobState? {
        let name = state.split(separator: " ").first.map(String.init)?.uppercased() ?? ""
        // Failures must never look like success: a missing or zero status becomes 1.
        let status = exitStatus.flatMap { $0 == 0 ? nil : $0 } ?? 1
        switch name {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING",
             "SUSPENDED", "RESV_DEL_HOLD", "POWER_UP_NODE":
            return .queued
        case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "STOPPED", "UPDATE_DB":
            return .running
        case "COMPLETED":
            return .succeeded
        case "FAILED":
            return .failed(exitStatus: status, reason: "Slurm job FAILED" + detail(reason, status: status))
        case "TIMEOUT":
            return .failed(exitStatus: status, reason: "TIMEOUT: job exceeded its runtime")
        case "OUT_OF_MEMORY":
            return .failed(exitStatus: status, reason: "OUT_OF_MEMORY: job exceeded its memory (mem_mb)")
        case "CANCELLED":
            return .failed(exitStatus: status, reason: "CANCELLED")
        case "SPECIAL_EXIT":
            return .failed(exitStatus: status, reason: "SPECIAL_EXIT" + detail(reason, status: status))
        case "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED", "LAUNCH_FAILED":
            return .infrastructureFailed(reason: name + detail(reason, status: nil))
        default:
            return nil
        }
    }

    private static func detail(_ reason: String?, status: Int32?) -> String {
        var parts: [String] = []
        if let status { parts.append("exit status \(status)") }
        if let reason, !reason.isEmpty, reason != "None" { parts.append(reason) }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    /// States for which squeue's exit code is worth asking scontrol about when it is missing.
    static func needsExitStatus(_ state: String) -> Bool {
        ["FAILED", "TIMEOUT", "OUT_OF_MEMORY", "CANCELLED", "SPECIAL_EXIT"].contains(state.uppercased())
    }
}
