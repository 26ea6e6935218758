// FlowCLI: command-line flags (Snakemake's names), profiles, and what the user sees.
import ArgumentParser

public struct FlowCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "A Snakemake-compatible workflow engine.",
        version: "0.1.0"
    )
    public init() {}
}
