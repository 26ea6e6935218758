// FlowExec scheduler: which jobs wait on which, as flat arrays indexed by job position.
//
// Owns: the job id → index map, the reverse edges (dependents, in CSR form: one offsets array,
// one flat list) and a pending-dependency counter per job. A finished job decrements its
// dependents' counters; a counter reaching zero makes that job ready — O(1) per edge, never a
// rescan of input lists (performance.md §4.5). Cycles are rejected up front.

struct DependencyCounters {
    let ids: [Int]
    private(set) var pending: [Int32]
    private let dependentOffsets: [Int32]
    private let dependents: [Int32]

    init(_ jobs: [SchedulerJob]) throws {
        var indexOf = [Int: Int32](minimumCapacity: jobs.count)
        for (index, job) in jobs.enumerated() {
            if indexOf.updateValue(Int32(index), forKey: job.id) != nil { throw SchedulerError.duplicateJob(job.id) }
        }
        ids = jobs.map(\.id)
        var pending = [Int32](repeating: 0, count: jobs.count)
        var counts = [Int32](repeating: 0, count: jobs.count + 1)
        var edges: [(from: Int32, to: Int32)] = []
        for (index, job) in jobs.enumerated() {
            // A dependency listed twice must count once, or the counter never reaches zero.
            for dependency in job.dependencies.count > 1 ? Array(Set(job.dependencies)) : job.dependencies {
                guard let from = indexOf[dependency] else {
                    throw SchedulerError.unknownDependency(job: job.id, dependency: dependency)
                }
                edges.append((from, Int32(index)))
                counts[Int(from) + 1] += 1
                pending[index] += 1
            }
        }
        for index in 0..<jobs.count { counts[index + 1] += counts[index] }
        var cursor = counts
        var flat = [Int32](repeating: 0, count: edges.count)
        for edge in edges {
            flat[Int(cursor[Int(edge.from)])] = edge.to
            cursor[Int(edge.from)] += 1
        }
        self.pending = pending
        dependentOffsets = counts
        dependents = flat
        try rejectCycles()
    }

    /// Kahn's algorithm on a copy of the counters: whatever never reaches zero is on or behind a cycle.
    private func rejectCycles() throws {
        var remaining = pending
        var stack = (0..<remaining.count).filter { remaining[$0] == 0 }
        var visited = 0
        while let index = stack.popLast() {
            visited += 1
            forEachDependent(of: index) { dependent in
                remaining[dependent] -= 1
                if remaining[dependent] == 0 { stack.append(dependent) }
            }
        }
        if visited < remaining.count {
            throw SchedulerError.cycle((0..<remaining.count).filter { remaining[$0] > 0 }.map { ids[$0] })
        }
    }

    @inline(__always)
    func forEachDependent(of index: Int, _ body: (Int) -> Void) {
        for position in Int(dependentOffsets[index])..<Int(dependentOffsets[index + 1]) {
            body(Int(dependents[position]))
        }
    }

    /// Marks `index` done; calls `ready` for each dependent whose last dependency this was.
    @inline(__always)
    mutating func complete(_ index: Int, ready: (Int) -> Void) {
        for position in Int(dependentOffsets[index])..<Int(dependentOffsets[index + 1]) {
            let dependent = Int(dependents[position])
            pending[dependent] -= 1
            if pending[dependent] == 0 { ready(dependent) }
        }
    }
}
