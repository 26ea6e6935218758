// FlowExec scheduler: what is free right now — cores for local jobs and the global
// `--resources` limits for all jobs.
//
// Owns: mapping resource names to slots once, turning a job's threads/resources into a compact
// `ResourceDemand`, and fit/acquire/release in O(number of limited resources). Resources that
// have no global limit are not counted (Snakemake's rule); a demand above a limit can never
// fit and is reported so the job fails instead of waiting forever.

struct ResourceDemand: Equatable {
    /// Cores taken from --cores (0 for jobs on a remote executor).
    var threads: Int
    /// (slot, amount) for each limited resource the job asks for.
    var amounts: [Slot]

    struct Slot: Equatable {
        var slot: Int
        var amount: Int
    }
}

struct ResourcePool {
    let cores: Int
    private(set) var freeCores: Int
    private let names: [String]
    private let limits: [Int]
    private var free: [Int]
    private let slotOfName: [String: Int]

    init(cores: Int, limits: [String: Int]) {
        self.cores = cores
        freeCores = cores
        names = limits.keys.sorted()
        self.limits = names.map { limits[$0]! }
        free = self.limits
        var slots: [String: Int] = [:]
        for (slot, name) in names.enumerated() { slots[name] = slot }
        slotOfName = slots
    }

    func demand(threads: Int, resources: [String: Int], local: Bool) -> ResourceDemand {
        var amounts: [ResourceDemand.Slot] = []
        if !slotOfName.isEmpty {
            for (name, amount) in resources {
                if let slot = slotOfName[name], amount > 0 { amounts.append(.init(slot: slot, amount: amount)) }
            }
            amounts.sort { $0.slot < $1.slot }
        }
        return ResourceDemand(threads: local ? min(max(threads, 1), cores) : 0, amounts: amounts)
    }

    func demand(of spec: JobSpec, local: Bool) -> ResourceDemand {
        var integers: [String: Int] = [:]
        if !slotOfName.isEmpty {
            for (name, value) in spec.resources { if let amount = value.intValue { integers[name] = amount } }
        }
        return demand(threads: spec.threads, resources: integers, local: local)
    }

    /// Why `demand` can never be met, or nil.
    func impossibility(_ demand: ResourceDemand) -> String? {
        for item in demand.amounts where item.amount > limits[item.slot] {
            return "job needs \(names[item.slot])=\(item.amount) but only \(names[item.slot])=\(limits[item.slot]) are available (--resources)"
        }
        return nil
    }

    @inline(__always)
    func fits(_ demand: ResourceDemand) -> Bool {
        if demand.threads > freeCores { return false }
        for item in demand.amounts where item.amount > free[item.slot] { return false }
        return true
    }

    mutating func acquire(_ demand: ResourceDemand) {
        freeCores -= demand.threads
        for item in demand.amounts { free[item.slot] -= item.amount }
    }

    mutating func release(_ demand: ResourceDemand) {
        freeCores += demand.threads
        for item in demand.amounts { free[item.slot] += item.amount }
    }
}
