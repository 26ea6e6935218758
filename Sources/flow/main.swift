import FlowCLI

FlowCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
