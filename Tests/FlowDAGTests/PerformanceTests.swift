import FlowDAG
import FlowStorage
import FlowWorkflow
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Builds the 100k-job fan-out of reference/performance.md on an in-memory disk and prints how
/// long DAG construction and planning take (measured, never asserted).
final class PerformanceTests: XCTestCase {
    /// CPU time of this process: on a shared 2-core machine wall time mostly measures the neighbours.
    private func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    func testFanout100k() throws {
        #if DEBUG
        let defaultN = 10_000
        #else
        let defaultN = 100_000
        #endif
        let n = Int(ProcessInfoLite.environment("FLOW_DAG_BENCH_N") ?? "") ?? defaultN
        let samples = (0..<n).map { "s\($0)" }
        let wf = makeWorkflow([
            makeRule("all", input: samples.map { "out/\($0).txt" }, shell: nil),
            makeRule("copy", input: ["in/{sample}.txt"], output: ["out/{sample}.txt"]),
        ])
        let disk = InMemoryStorage()
        for s in samples { disk.touch("in/\(s).txt", mtime: 1) }

        var t0 = now()
        let dag = try DAG(workflow: wf, disk: disk)
        let tDag = now() - t0
        t0 = now()
        let plan = try Plan(dag: dag)
        let tPlan = now() - t0
        XCTAssertEqual(dag.jobs.count, n + 1)
        XCTAssertEqual(plan.runJobs.count, n + 1)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024

        // The nothing-to-do check: every output exists and is newer.
        for s in samples { disk.touch("out/\(s).txt", mtime: 2) }
        t0 = now()
        let dag2 = try DAG(workflow: wf, disk: disk)
        let plan2 = try Plan(dag: dag2)
        let tNoop = now() - t0
        XCTAssertEqual(plan2.runJobs.count, 0)
        print(String(format: "fanout %d (CPU time): DAG %.3f s, plan %.3f s, no-op DAG+plan %.3f s; peak RSS after the first plan %.0f MB",
                     n, tDag, tPlan, tNoop, peakMB))
    }

    func testChain100k() throws {
        #if DEBUG
        let n = 2_500
        #else
        let n = 25_000
        #endif
        let wf = makeWorkflow([
            makeRule("all", input: (0..<n).map { "d/\($0).d" }, shell: nil),
            makeRule("a", input: ["in/{s}.txt"], output: ["a/{s}.a"]),
            makeRule("b", input: ["a/{s}.a"], output: ["b/{s}.b"]),
            makeRule("c", input: ["b/{s}.b"], output: ["c/{s}.c"]),
            makeRule("d", input: ["c/{s}.c"], output: ["d/{s}.d"]),
        ])
        let disk = InMemoryStorage()
        for s in 0..<n { disk.touch("in/\(s).txt", mtime: 1) }
        let t0 = now()
        let dag = try DAG(workflow: wf, disk: disk)
        let plan = try Plan(dag: dag)
        let t = now() - t0
        XCTAssertEqual(plan.runJobs.count, 4 * n + 1)
        print(String(format: "chain 4x%d (CPU time): DAG+plan %.3f s", n, t))
    }
}

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
