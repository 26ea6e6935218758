// `csv`: reader/writer and DictReader/DictWriter with the default (excel) dialect — comma or a
// chosen delimiter, double-quote quoting with QUOTE_MINIMAL, "\r\n" line terminator. Files are any
// iterable of lines (reading) or any object with `write` (writing).

enum CSVModule {
    static let quoteMinimal = 0, quoteAll = 1, quoteNonNumeric = 2, quoteNone = 3

    struct Dialect {
        var delimiter: Character = ","
        var quote: Character = "\""
        var lineTerminator = "\r\n"
        var quoting = CSVModule.quoteMinimal

        init(_ a: Arguments) {
            if let d = a.keyword("delimiter")?.stringValue?.first { delimiter = d }
            if let q = a.keyword("quotechar")?.stringValue?.first { quote = q }
            if let l = a.keyword("lineterminator")?.stringValue { lineTerminator = l }
            if case .int(let q)? = a.keyword("quoting") { quoting = q }
            if a.keyword("dialect")?.stringValue == "excel-tab" { delimiter = "\t" }
        }
    }

    static func make() -> PyModule {
        let m = PyModule("csv", [("QUOTE_MINIMAL", .int(quoteMinimal)), ("QUOTE_ALL", .int(quoteAll)),
                                 ("QUOTE_NONNUMERIC", .int(quoteNonNumeric)), ("QUOTE_NONE", .int(quoteNone))])
        m.define("reader") { a, i in
            let rows = try parse(try Args(a, "reader", i).required(0, "csvfile"), Dialect(a), i)
            return .object(ClosureIterator("_csv.reader", values: rows.map { strList($0) }))
        }
        m.define("DictReader") { a, i in
            let args = Args(a, "DictReader", i)
            var rows = try parse(try args.required(0, "f"), Dialect(a), i)
            let fields: [String]
            if let f = args.value(1, "fieldnames"), !f.isNone { fields = try i.iterate(f).map { try i.str($0) } }
            else if !rows.isEmpty { fields = rows.removeFirst() } else { fields = [] }
            let dicts = rows.filter { !$0.isEmpty }.map { row -> Value in
                .dict(dictFromPairs(fields.enumerated().map { ($0.element, $0.offset < row.count ? .str(row[$0.offset]) : .none) }))
            }
            return .object(ClosureIterator("DictReader", values: dicts))
        }
        m.define("writer") { a, i in
            let file = try Args(a, "writer", i).required(0, "csvfile")
            let dialect = Dialect(a)
            let w = AttributeObject("_csv.writer")
            w.method("writerow") { a, i in try writeRow(file, try i.iterate(a.positional.first ?? .tuple([])), dialect, i) }
            w.method("writerows") { a, i in
                for row in try i.iterate(a.positional.first ?? .tuple([])) { _ = try writeRow(file, try i.iterate(row), dialect, i) }
                return .none
            }
            return .object(w)
        }
        m.define("DictWriter") { a, i in
            let args = Args(a, "DictWriter", i)
            let file = try args.required(0, "f")
            let fields = try i.iterate(try args.required(1, "fieldnames"))
            let dialect = Dialect(a)
            let restval = a.keyword("restval") ?? .str("")
            let w = AttributeObject("DictWriter", ["fieldnames": .list(PyList(fields))])
            func row(_ d: Value, _ i: Interpreter) throws -> [Value] {
                try fields.map { f in
                    guard case .dict(let dict) = d else { return try i.getItem(d, f) }
                    return dict.get(try HashKey(f)) ?? restval
                }
            }
            w.method("writeheader") { _, i in try writeRow(file, fields, dialect, i) }
            w.method("writerow") { a, i in try writeRow(file, try row(a.positional.first ?? .none, i), dialect, i) }
            w.method("writerows") { a, i in
                for d in try i.iterate(a.positional.first ?? .tuple([])) { _ = try writeRow(file, try row(d, i), dialect, i) }
                return .none
            }
            return .object(w)
        }
        return m
    }

    private static func writeRow(_ file: Value, _ fields: [Value], _ d: Dialect, _ i: Interpreter) throws -> Value {
        let special: Set<Character> = [d.delimiter, d.quote, "\n", "\r"]
        let cells = try fields.map { v -> String in
            let s = v.isNone ? "" : try i.str(v)
            let numeric: Bool = { if case .int = v { return true }; if case .float = v { return true }; return false }()
            let quote = d.quoting == quoteAll || (d.quoting == quoteNonNumeric && !numeric) ||
                (d.quoting == quoteMinimal && (s.contains(where: special.contains) || (s.isEmpty && fields.count == 1 && !v.isNone)))
            guard quote else { return s }
            return String(d.quote) + s.replacingOccurrences(of: String(d.quote), with: String(d.quote) + String(d.quote)) + String(d.quote)
        }
        let line = cells.joined(separator: String(d.delimiter)) + d.lineTerminator
        return try i.call(try i.getAttribute(file, "write"), Arguments([.str(line)]))
    }

    /// Splits the text of all lines into rows, honouring quoted fields that span lines.
    static func parse(_ source: Value, _ d: Dialect, _ i: Interpreter) throws -> [[String]] {
        let text = try i.iterate(source).map { try i.str($0) }.joined()
        var rows: [[String]] = [], row: [String] = [], field = ""
        var inQuotes = false, fieldStarted = false
        // Scalars, not Characters: "\r\n" is a single Character in Swift.
        var chars = Array(text.unicodeScalars).map(Character.init)[...]
        while let c = chars.popFirst() {
            if inQuotes {
                if c == d.quote {
                    if chars.first == d.quote { field.append(c); chars.removeFirst() } else { inQuotes = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case d.quote where !fieldStarted || field.isEmpty: inQuotes = true; fieldStarted = true
            case d.delimiter: row.append(field); field = ""; fieldStarted = false
            case "\r": continue
            case "\n":
                if fieldStarted || !row.isEmpty || !field.isEmpty { row.append(field) }
                rows.append(row); row = []; field = ""; fieldStarted = false
            default: field.append(c); fieldStarted = true
            }
        }
        if fieldStarted || !row.isEmpty || !field.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
