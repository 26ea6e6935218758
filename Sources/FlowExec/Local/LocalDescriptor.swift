// FlowExec local backend: its entry in the executor registry (no settings of its own: --cores
// and -j are general flags).

#if canImport(Glibc)
extension LocalExecutor {
    public static let descriptor = ExecutorDescriptor(
        name: "local", summary: "Jobs run as child processes of flow on this machine (--cores N).", isLocal: true
    ) { context in
        try LocalExecutor(options: Options(maxInFlight: context.jobs ?? .max))
    }
}
#endif
