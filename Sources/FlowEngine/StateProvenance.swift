// The DAG's view of previous runs (ProvenanceSource) over the SQLite state store. Records are
// bulk-loaded on first use: one query for the whole table beats one query per output as soon as
// a plan asks about more than a few thousand files.

import FlowDAG
import FlowState

final class StateProvenance: ProvenanceSource {
    private let store: StateStore
    private var records: [String: JobRecord]?
    let incomplete: Set<String>

    init(store: StateStore) throws {
        self.store = store
        self.incomplete = try store.incompletePaths()
    }

    func record(for path: String) -> OutputProvenance? {
        if records == nil { records = (try? store.allRecords()) ?? [:] }
        guard let r = records?[path] else { return nil }
        return OutputProvenance(paramsHash: r.paramsHash.isEmpty ? nil : r.paramsHash,
                                codeHash: r.codeHash.isEmpty ? nil : r.codeHash,
                                input: r.inputs.paths,
                                softwareHash: r.softwareEnvHash.isEmpty ? nil : r.softwareEnvHash)
    }

    func isIncomplete(_ path: String) -> Bool { incomplete.contains(path) }
}
