// FlowExec Slurm backend: what Slurm cannot take, in words a user can act on.
//
// Owns: `SlurmError`. Failures of Slurm's commands themselves (sbatch, squeue, ... failed, timed
// out, missing, unreadable) are the contract's `SchedulerCommandError`.

public enum SlurmError: Error, Equatable, CustomStringConvertible {
    /// A job resource Slurm cannot take (e.g. runtime="soon").
    case invalidResource(name: String, value: String)

    public var description: String {
        switch self {
        case .invalidResource(let name, let value):
            return "resource \(name)=\(value) is not valid for Slurm"
        }
    }
}
