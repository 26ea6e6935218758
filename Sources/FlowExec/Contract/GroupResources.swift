// FlowExec contract: what a job group asks of the back end, derived from its members the way
// Snakemake derives it (resources.py, GroupResources.basic_layered).
//
// Owns: the layering of a group's members and the combination of their resources. Members come
// in dependency levels (a member's level is after every member it reads from; members joined by
// pipes or services share a level and count as one unit, their resources summed and their runtime
// maxed, since they run at the same time). Each level is cut into layers that fit the global
// limits (fattest and longest units first, first fit); the units of a layer run together. A
// layer needs the sum of its units (runtime: the max), a level the max of its layers (runtime:
// the sum); a remote group needs the max over levels (runtime: the sum), a local one the sum.
// The layers are also the order the group's script runs its members in, so what it asks for is
// what it uses.

public enum GroupResources {
    /// Resources summed along time rather than across concurrent jobs.
    static let additive: Set<String> = ["runtime"]
    /// Human-readable twins of `mem_mb`/`disk_mb`: combined through those, never on their own.
    static let sized: Set<String> = ["mem", "disk"]
    /// The name threads go by among the resources while they are combined (Snakemake's).
    static let cores = "_cores"

    public struct Combined: Equatable, Sendable {
        public var threads: Int
        public var resources: [String: ResourceValue]
        /// Units (indexes into the input) in the order they run: the units of one stage together.
        public var stages: [[Int]]
    }

    public struct LayeringError: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - levels: unit indexes per dependency level, first level first.
    ///   - units: each unit's threads and resources (a unit of several members already merged
    ///     with `merge(concurrent:)`).
    ///   - limits: the global limits (--resources, and `_cores` for a group that runs locally).
    ///   - local: the group runs on this machine (levels add up) rather than as one remote job.
    public static func combine(levels: [[Int]], units: [[String: ResourceValue]], limits: [String: Int],
                               local: Bool) throws -> Combined {
        var blocks: [[String: ResourceValue]] = []
        var stages: [[Int]] = []
        for level in levels {
            var strings: [String: ResourceValue] = [:]
            var names: [String] = []
            for unit in level { for name in units[unit].keys where !names.contains(name) { names.append(name) } }
            names.sort()
            var integers: [String: [Int]] = [:]
            for name in names {
                let values = level.map { units[$0][name] ?? .int(0) }
                if let text = try stringValue(name, values) { strings[name] = text } else { integers[name] = values.map { $0.intValue! } }
            }
            let intNames = integers.keys.sorted()
            let constraints = intNames.map { additive.contains($0) ? nil : limits[$0] }
            let rows = level.indices.map { i in intNames.map { integers[$0]![i] } }
            let layers = try layer(rows, constraints: constraints, names: intNames)
            var block = strings
            var levelTotals = [Int](repeating: 0, count: intNames.count)
            for layer in layers {
                stages.append(layer.map { level[$0] })
                for (k, name) in intNames.enumerated() {
                    let column = layer.map { rows[$0][k] }
                    let inLayer = additive.contains(name) ? (column.max() ?? 0) : column.reduce(0, +)
                    levelTotals[k] = additive.contains(name) ? levelTotals[k] + inLayer : max(levelTotals[k], inLayer)
                }
            }
            for (k, name) in intNames.enumerated() { block[name] = .int(levelTotals[k]) }
            blocks.append(block)
        }
        var final = try merge(blocks, sumAll: local)
        let threads = final.removeValue(forKey: cores)?.intValue ?? 1
        return Combined(threads: threads, resources: final, stages: stages)
    }

    /// The resources of members that run at the same time (a pipe or service unit): summed,
    /// runtime maxed; threads go in as `_cores`.
    public static func merge(concurrent members: [(threads: Int, resources: [String: ResourceValue])]) throws -> [String: ResourceValue] {
        try merge(members.map(unit), sumAll: true, additiveMax: true)
    }

    /// One member's resources as a unit: its threads under `_cores`, the sized twins left out.
    public static func unit(threads: Int, resources: [String: ResourceValue]) -> [String: ResourceValue] {
        var unit = resources.filter { !sized.contains($0.key) && $0.key != "_nodes" }
        unit[cores] = .int(threads)
        return unit
    }

    /// Across blocks: `sumAll` sums everything (additive resources too, unless `additiveMax`);
    /// otherwise the max, and additive resources summed.
    private static func merge(_ blocks: [[String: ResourceValue]], sumAll: Bool, additiveMax: Bool = false) throws -> [String: ResourceValue] {
        var names: [String] = []
        for block in blocks { for name in block.keys where !names.contains(name) { names.append(name) } }
        var out: [String: ResourceValue] = [:]
        for name in names {
            let values = blocks.compactMap { $0[name] }
            if let text = try stringValue(name, values) { out[name] = text; continue }
            let ints = values.map { $0.intValue! }
            let sum = additive.contains(name) ? !additiveMax : sumAll
            out[name] = .int(sum ? ints.reduce(0, +) : (ints.max() ?? 0))
        }
        return out
    }

    /// A resource given as text by any member must be the same text for every member.
    private static func stringValue(_ name: String, _ values: [ResourceValue]) throws -> ResourceValue? {
        guard values.contains(where: { $0.intValue == nil }) else { return nil }
        var distinct: [String] = []
        for value in values where !distinct.contains(value.description) { distinct.append(value.description) }
        guard distinct.count == 1 else {
            throw LayeringError(description: "resource \(name) is a string but not all jobs in the group require the same value (\(distinct.joined(separator: ", ")))")
        }
        return values[0]
    }

    /// First-fit layering of `rows` (one per unit, values per resource) under `constraints`.
    private static func layer(_ rows: [[Int]], constraints: [Int?], names: [String]) throws -> [[Int]] {
        func proportion(_ row: [Int]) -> Double {
            zip(row, constraints).map { value, limit in limit.map { $0 > 0 ? Double(value) / Double($0) : 0 } ?? 0 }.max() ?? 0
        }
        var order = rows.indices.sorted { proportion(rows[$0]) > proportion(rows[$1]) }
        if let runtime = names.firstIndex(of: "runtime") {
            // A stable sort by runtime keeps the proportion order among equal runtimes.
            order = order.enumerated().sorted {
                rows[$0.element][runtime] != rows[$1.element][runtime]
                    ? rows[$0.element][runtime] > rows[$1.element][runtime] : $0.offset < $1.offset
            }.map(\.element)
        }
        var layers: [[Int]] = []
        var sums: [[Int]] = []
        for unit in order {
            let row = rows[unit]
            let fits = { (sum: [Int]) in zip(zip(sum, row), constraints).allSatisfy { pair, limit in
                guard let limit, limit > 0 else { return true }
                return pair.0 + pair.1 <= limit
            } }
            if let i = sums.indices.first(where: { fits(sums[$0]) }) {
                layers[i].append(unit)
                sums[i] = zip(sums[i], row).map(+)
            } else if fits([Int](repeating: 0, count: row.count)) {
                layers.append([unit])
                sums.append(row)
            } else {
                let over = names.indices.filter { k in constraints[k].map { $0 > 0 && row[k] > $0 } ?? false }
                    .map { "\(names[$0] == cores ? "cores" : names[$0]): \(row[$0])/\(constraints[$0]!)" }
                throw LayeringError(description: "jobs that must run together need more than the limits allow (\(over.joined(separator: ", ")))")
            }
        }
        // Layers keep the order of the level (dependency order within it reads best in logs).
        return layers.map { $0.sorted() }
    }
}
