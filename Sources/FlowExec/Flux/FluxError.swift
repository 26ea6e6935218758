// FlowExec Flux backend: what Flux cannot take, or no Flux to talk to, in words a user can act on.
//
// Owns: `FluxError`. Failures of the flux commands themselves (failed, timed out, missing,
// unreadable) are the contract's `SchedulerCommandError`.

public enum FluxError: Error, Equatable, CustomStringConvertible {
    /// `flux version` answered, but no broker: flow is not inside a Flux instance.
    case noInstance(uri: String?, detail: String)
    /// A job resource Flux cannot take (e.g. runtime="soon", gpus=-1).
    case invalidResource(name: String, value: String)
    /// An executor setting Flux cannot take (e.g. --flux-setattr without '=').
    case invalidSetting(name: String, value: String)

    public var description: String {
        switch self {
        case .noInstance(let uri, let detail):
            let where_ = uri.map { "FLUX_URI=\($0) does not reach a Flux broker" }
                ?? "FLUX_URI is not set and no local Flux broker answers"
            return "no Flux instance: \(where_). Run flow inside one (`flux alloc`, `flux batch`, `flux start`, "
                + "a Flux Operator MiniCluster) or set FLUX_URI" + (detail.isEmpty ? "" : " (flux version said: \(detail))")
        case .invalidResource(let name, let value):
            return "resource \(name)=\(value) is not valid for Flux"
        case .invalidSetting(let name, let value):
            return "--flux-\(name) \(value): expected KEY=VALUE"
        }
    }
}
