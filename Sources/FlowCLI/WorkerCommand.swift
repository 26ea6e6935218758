// `flow worker`: a PiCaS pilot. Claims tokens from a CouchDB token pool and runs them until its
// stop rules say so; all the work is FlowExec's `PiCaSWorker`. Credentials as for the executor:
// PICAS_USER/PICAS_PASSWORD or --credentials-file, never on the command line. Grid tokens
// (`--picas-data-mode grid`) run in a folder of their own under -d, their files staged.

import ArgumentParser
import Foundation
import FlowExec

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run PiCaS tokens from a CouchDB token pool (flow's or stock picas tokens).",
        discussion: "Credentials: PICAS_USER and PICAS_PASSWORD, or --credentials-file (user:password, mode 600). Tokens of a grid-mode run (flow run --picas-data-mode grid) run in a folder of their own under the directory, their inputs retrieved from storage first and their outputs stored after.")

    @Option(help: "CouchDB server URL.") var url: String
    @Option(help: "The token pool's database.") var database: String
    @Option(help: "File with user:password (else PICAS_USER/PICAS_PASSWORD).") var credentialsFile: String?
    @Option(help: "The view to claim tokens from.") var view: String = "todo"
    @Option(help: "The design document holding the view.") var design: String = "Monitor"
    @Option(help: "Stop after this many tokens.") var maxTokens: Int?
    @Option(help: "Claim no new token after this many seconds.") var maxTime: Double?
    @Option(help: "Seconds to wait for new tokens once the view is empty (0: stop at once).") var idleExit: Double = 0
    @Option(help: "Upper bound in seconds on one token's run time (a flow token's own limit may be lower).") var maxTokenTime: Double?
    @Option(help: "Seconds between heartbeats of a running token.") var heartbeat: Double = 60
    @Option(help: "Put a failed token back in todo up to this many times (picas' max_scrub).") var maxScrub: Int = 0
    @Option(name: [.customShort("d"), .long], help: "Run tokens in this directory (default: the current one).") var directory: String?

    func validate() throws {
        if heartbeat <= 0 { throw ValidationError("--heartbeat must be positive") }
        if idleExit < 0 { throw ValidationError("--idle-exit must not be negative") }
    }

    func run() throws {
        var options = PiCaSWorker.Options(url: url, database: database,
                                          credentials: try CouchCredentials.resolve(file: credentialsFile, workdir: directory))
        options.view = view
        options.design = design
        options.maxTokens = maxTokens
        options.maxTime = maxTime
        options.idleExit = idleExit
        options.maxTokenTime = maxTokenTime
        options.heartbeat = heartbeat
        options.maxScrub = maxScrub
        options.workdir = directory
        let interruption = Interruption()
        interruption.installSignalHandlers()
        defer { Interruption.restoreSignalHandlers() }
        let summary = try PiCaSWorker(options: options, interruption: interruption).run()
        FileHandle.standardError.write(Data("flow worker: \(summary.processed) tokens run, \(summary.failed) failed, \(summary.returned) returned to todo\n".utf8))
    }
}
