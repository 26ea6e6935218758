import FlowCLI

FlowCommand.main()
