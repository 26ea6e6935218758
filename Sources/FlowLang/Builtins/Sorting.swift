// A stable merge sort whose comparator may throw (Swift's sort cannot), used by sorted(),
// list.sort(), min() and max(). Stability makes `reverse=True` keep equal items in order, as in Python.

extension Interpreter {
    func sortValues(_ items: [Value], key: Value?, reverse: Bool) throws -> [Value] {
        if items.count < 2 { return items }
        let keys: [Value]
        if let key, !key.isNone { keys = try items.map { try callValue(key, Arguments([$0])) } } else { keys = items }
        var order = Array(items.indices)
        var scratch = order
        try mergeSort(&order, &scratch, 0, order.count) { a, b in
            reverse ? try self.compareOrder(.less, keys[b], keys[a]) : try self.compareOrder(.less, keys[a], keys[b])
        }
        return order.map { items[$0] }
    }

    private func mergeSort(_ a: inout [Int], _ tmp: inout [Int], _ lo: Int, _ hi: Int,
                           _ less: (Int, Int) throws -> Bool) throws {
        if hi - lo < 2 { return }
        if hi - lo <= 16 {
            // Insertion sort for short runs (stable).
            for i in (lo + 1)..<hi {
                let x = a[i]
                var j = i
                while j > lo, try less(x, a[j - 1]) { a[j] = a[j - 1]; j -= 1 }
                a[j] = x
            }
            return
        }
        let mid = (lo + hi) / 2
        try mergeSort(&a, &tmp, lo, mid, less)
        try mergeSort(&a, &tmp, mid, hi, less)
        if !(try less(a[mid], a[mid - 1])) { return }
        var i = lo, j = mid, k = lo
        while i < mid && j < hi {
            if try less(a[j], a[i]) { tmp[k] = a[j]; j += 1 } else { tmp[k] = a[i]; i += 1 }
            k += 1
        }
        while i < mid { tmp[k] = a[i]; i += 1; k += 1 }
        while j < hi { tmp[k] = a[j]; j += 1; k += 1 }
        for m in lo..<hi { a[m] = tmp[m] }
    }
}
