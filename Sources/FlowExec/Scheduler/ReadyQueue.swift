// FlowExec scheduler: the jobs whose dependencies are all done, best first.
//
// Owns: a binary max-heap of job indexes ordered by (priority descending, index ascending),
// so push and pop are O(log n) and the highest-priority, earliest (topologically first) job
// comes out first. It knows nothing about resources; the scheduler passes over jobs that do
// not fit and pushes them back.

struct ReadyQueue {
    struct Entry {
        var priority: Int
        var index: Int32

        /// True when `self` should run before `other`.
        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            priority != other.priority ? priority > other.priority : index < other.index
        }
    }

    private var heap: [Entry] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            if left >= heap.count { break }
            var best = left
            if left + 1 < heap.count && heap[left + 1].precedes(heap[left]) { best = left + 1 }
            guard heap[best].precedes(heap[parent]) else { break }
            heap.swapAt(best, parent)
            parent = best
        }
        return top
    }
}
