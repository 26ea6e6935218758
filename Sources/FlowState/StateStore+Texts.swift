// StateStore+Texts: interning of strings that repeat across jobs (the `texts` table). Writers
// look ids up in memory and insert only unseen strings; readers turn ids back into shared
// Strings, so 100k records of one rule hold one copy of its rule name and hashes.
//
// The cache is per connection. Another process may add texts meanwhile (never remove them),
// so a miss is answered from the database, never assumed absent.

struct TextCache {
    var ids: [String: Int64] = [:]
    /// values[id]; nil for ids not loaded (yet).
    var values: [String?] = []
}

extension StateStore {
    /// The id of `value` in `texts`, inserting it if new. Callers hold `mutex`, inside a write
    /// transaction (a rollback discards the cache, see applyLocked).
    func textID(_ value: String) throws -> Int64 {
        if let id = texts.ids[value] { return id }
        let find = try statement("SELECT id FROM texts WHERE value = ?")
        let id: Int64
        find.reset()
        try find.bind(1, value)
        if try find.step() {
            id = find.int64(0)
            find.reset()
        } else {
            find.reset()
            let insert = try statement("INSERT INTO texts(value) VALUES (?)")
            try insert.run { try $0.bind(1, value) }
            id = db.lastInsertRowID
        }
        remember(id, value)
        return id
    }

    /// The string for a texts id; loads the whole (small) table on the first miss.
    func text(_ id: Int64) throws -> String {
        if id >= 0 && id < texts.values.count, let value = texts.values[Int(id)] { return value }
        try loadTexts()
        guard id >= 0 && id < texts.values.count, let value = texts.values[Int(id)] else {
            throw StateError.sqlite(path: databasePath, code: 11, message: "job refers to missing text \(id)",
                                    operation: "reading job records")
        }
        return value
    }

    /// Reads every row of `texts` (rules × hashes × hosts × runs: hundreds, not 100k).
    private func loadTexts() throws {
        let all = try statement("SELECT id, value FROM texts")
        all.reset()
        defer { all.reset() }
        while try all.step() { remember(all.int64(0), all.string(1)) }
    }

    private func remember(_ id: Int64, _ value: String) {
        texts.ids[value] = id
        let index = Int(id)
        if index >= texts.values.count {
            texts.values.append(contentsOf: repeatElement(nil, count: index + 1 - texts.values.count))
        }
        texts.values[index] = value
    }
}
