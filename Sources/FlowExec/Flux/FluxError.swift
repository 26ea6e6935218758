// FlowExec Flux backend: what can go wrong talking to Flux, in words a user can act on.
//
// Owns: `FluxError`. Every case that involves a command names the command line; failed commands
// carry the flux command's own stderr.

public enum FluxError: Error, Equatable, CustomStringConvertible {
    /// A flux command exited non-zero.
    case commandFailed(command: String, status: Int32, stderr: String)
    case timedOut(command: String, seconds: Double)
    case commandNotFound(searchPath: String)
    /// `flux version` answered, but no broker: flow is not inside a Flux instance.
    case noInstance(uri: String?, detail: String)
    /// The command succeeded but printed something we cannot read (no job id, no JSON).
    case unexpectedOutput(command: String, output: String)
    /// A job resource Flux cannot take (e.g. runtime="soon", gpus=-1).
    case invalidResource(name: String, value: String)
    /// An executor setting Flux cannot take (e.g. --flux-setattr without '=').
    case invalidSetting(name: String, value: String)

    public var description: String {
        switch self {
        case .commandFailed(let command, let status, let stderr):
            let detail = ExecutorText.trim(stderr)
            return "`\(command)` failed with exit status \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .timedOut(let command, let seconds):
            return "`\(command)` did not finish within \(seconds) s"
        case .commandNotFound(let searchPath):
            return "flux not found on PATH (\(searchPath)); --executor flux needs the flux command of flux-core"
        case .noInstance(let uri, let detail):
            let where_ = uri.map { "FLUX_URI=\($0) does not reach a Flux broker" }
                ?? "FLUX_URI is not set and no local Flux broker answers"
            return "no Flux instance: \(where_). Run flow inside one (`flux alloc`, `flux batch`, `flux start`, "
                + "a Flux Operator MiniCluster) or set FLUX_URI" + (detail.isEmpty ? "" : " (flux version said: \(detail))")
        case .unexpectedOutput(let command, let output):
            return "`\(command)` printed something unexpected: \(ExecutorText.trim(output).prefix(200))"
        case .invalidResource(let name, let value):
            return "resource \(name)=\(value) is not valid for Flux"
        case .invalidSetting(let name, let value):
            return "--flux-\(name) \(value): expected KEY=VALUE"
        }
    }
}
