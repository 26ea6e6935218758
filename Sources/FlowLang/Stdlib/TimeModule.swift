// `time` and a minimal `datetime`: wall and monotonic clocks, sleep, struct_time, strftime
// through the C library (same format directives as Python on Linux), datetime.now()/date.today()
// with strftime/isoformat/year..second.

import Foundation

enum TimeModule {
    static func make() -> PyModule {
        tzset()
        let m = PyModule("time", [("tzname", .tuple([.str(tzName(0)), .str(tzName(1))]))])
        m.define("time") { _, _ in .float(Date().timeIntervalSince1970) }
        m.define("time_ns") { _, _ in .int(Int(Date().timeIntervalSince1970 * 1e9)) }
        for name in ["perf_counter", "monotonic", "process_time"] {
            m.define(name) { _, _ in
                var ts = timespec()
                clock_gettime(name == "process_time" ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
                return .float(Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
            }
        }
        m.define("sleep") { a, i in
            let s = try Args(a, "sleep", i).double(0, "secs")
            guard s >= 0 else { throw PyError.value("sleep length must be non-negative") }
            Thread.sleep(forTimeInterval: s)
            return .none
        }
        for name in ["localtime", "gmtime"] {
            m.define(name) { a, i in
                let secs = try Args(a, name, i).value(0, "secs").flatMap { $0.isNone ? nil : $0 }.map { try doubleValue($0, function: name) }
                return .object(StructTime(brokenDown(secs ?? Date().timeIntervalSince1970, utc: name == "gmtime")))
            }
        }
        m.define("strftime") { a, i in
            let args = Args(a, "strftime", i)
            let format = try args.string(0, "format")
            var t = brokenDown(Date().timeIntervalSince1970, utc: false)
            if case .object(let o)? = args.value(1, "t"), let st = o as? StructTime { t = st.tm }
            return .str(strftime(format, t))
        }
        m.define("ctime") { a, i in
            let secs = try Args(a, "ctime", i).value(0, "secs").flatMap { $0.isNone ? nil : $0 }.map { try doubleValue($0, function: "ctime") }
            return .str(strftime("%a %b %e %H:%M:%S %Y", brokenDown(secs ?? Date().timeIntervalSince1970, utc: false)))
        }
        m.define("mktime") { a, i in
            guard case .object(let o) = try Args(a, "mktime", i).required(0, "t"), let st = o as? StructTime else {
                throw PyError.type("Tuple or struct_time argument required")
            }
            var tm = st.tm
            return .float(Double(Foundation.mktime(&tm)))
        }
        return m
    }

    private static func tzName(_ k: Int) -> String {
        return withUnsafePointer(to: tzname) { p in
            p.withMemoryRebound(to: UnsafeMutablePointer<CChar>?.self, capacity: 2) { $0[k].map { String(cString: $0) } ?? "" }
        }
    }

    static func brokenDown(_ secs: Double, utc: Bool) -> tm {
        var t = time_t(secs.rounded(.down))
        var result = tm()
        if utc { gmtime_r(&t, &result) } else { localtime_r(&t, &result) }
        return result
    }

    static func strftime(_ format: String, _ t: tm) -> String {
        var t = t
        var buffer = [CChar](repeating: 0, count: 512 + format.utf8.count * 8)
        let n = Foundation.strftime(&buffer, buffer.count, format, &t)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `time.struct_time`: tuple-like with tm_* attributes.
final class StructTime: TupleBacked, PySubscriptable, PyIterable, PySized {
    let tm: tm
    init(_ tm: tm) { self.tm = tm }
    var typeName: String { "time.struct_time" }

    static let fields = ["tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst"]

    var elements: [Value] {
        // Python: Monday is 0 and yday starts at 1; C: Sunday is 0 and yday starts at 0.
        [Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec),
         (Int(tm.tm_wday) + 6) % 7, Int(tm.tm_yday) + 1, Int(tm.tm_isdst)].map { .int($0) }
    }

    func getItem(_ key: Value, interpreter: Interpreter) throws -> Value { try interpreter.getItem(.tuple(elements), key) }
    func makeIterator(interpreter: Interpreter) throws -> PyIterator { ClosureIterator("tuple_iterator", values: elements) }
    func length(interpreter: Interpreter) throws -> Int { 9 }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        if let k = Self.fields.firstIndex(of: name) { return elements[k] }
        if name == "tm_zone" { return .str(tm.tm_zone.map { String(cString: $0) } ?? "") }
        if name == "tm_gmtoff" { return .int(Int(tm.tm_gmtoff)) }
        return nil
    }

    func repr(interpreter: Interpreter) throws -> String {
        "time.struct_time(" + zip(Self.fields, elements).map { "\($0)=\(int($1))" }.joined(separator: ", ") + ")"
    }

    private func int(_ v: Value) -> Int { if case .int(let n) = v { return n }; return 0 }
}

enum DatetimeModule {
    static func make() -> PyModule {
        let m = PyModule("datetime")
        let datetime = HostClass("datetime") { a, i in
            let args = Args(a, "datetime", i)
            var t = tm()
            t.tm_year = Int32(try args.int(0, "year") - 1900)
            t.tm_mon = Int32(try args.int(1, "month") - 1)
            t.tm_mday = Int32(try args.int(2, "day"))
            t.tm_hour = Int32(try args.int(3, "hour", default: 0))
            t.tm_min = Int32(try args.int(4, "minute", default: 0))
            t.tm_sec = Int32(try args.int(5, "second", default: 0))
            t.tm_isdst = -1
            return .object(DateTimeObject(Double(mktime(&t)), dateOnly: false))
        }
        datetime.attributes["now"] = function("now") { _, _ in .object(DateTimeObject(Date().timeIntervalSince1970, dateOnly: false)) }
        datetime.attributes["today"] = datetime.attributes["now"]
        datetime.attributes["fromtimestamp"] = function("fromtimestamp") { a, i in
            .object(DateTimeObject(try Args(a, "fromtimestamp", i).double(0, "timestamp"), dateOnly: false))
        }
        let date = HostClass("date") { a, i in
            let args = Args(a, "date", i)
            var t = tm()
            t.tm_year = Int32(try args.int(0, "year") - 1900)
            t.tm_mon = Int32(try args.int(1, "month") - 1)
            t.tm_mday = Int32(try args.int(2, "day"))
            t.tm_hour = 12
            t.tm_isdst = -1
            return .object(DateTimeObject(Double(mktime(&t)), dateOnly: true))
        }
        date.attributes["today"] = function("today") { _, _ in .object(DateTimeObject(Date().timeIntervalSince1970, dateOnly: true)) }
        m.attributes.set("datetime", .object(datetime))
        m.attributes.set("date", .object(date))
        return m
    }
}

/// A local date or date-time (no time zones, no arithmetic).
final class DateTimeObject: PyHashable {
    let timestamp: Double
    let dateOnly: Bool
    init(_ timestamp: Double, dateOnly: Bool) { self.timestamp = timestamp; self.dateOnly = dateOnly }

    var typeName: String { dateOnly ? "date" : "datetime" }
    var tm: tm { TimeModule.brokenDown(timestamp, utc: false) }
    var pyHash: Int { timestamp.hashValue }
    func pyEquals(_ other: PyHashable) -> Bool { (other as? DateTimeObject)?.timestamp == timestamp }

    var isoformat: String {
        if dateOnly { return TimeModule.strftime("%Y-%m-%d", tm) }
        let micro = Int((timestamp - timestamp.rounded(.down)) * 1_000_000)
        return TimeModule.strftime("%Y-%m-%dT%H:%M:%S", tm) + (micro > 0 ? String(format: ".%06d", micro) : "")
    }

    func repr(interpreter: Interpreter) throws -> String {
        let t = tm
        var parts = [Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday)]
        if !dateOnly { parts += [Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec)] }
        return "datetime.\(typeName)(" + parts.map(String.init).joined(separator: ", ") + ")"
    }

    func getAttribute(_ name: String, interpreter: Interpreter) throws -> Value? {
        let t = tm
        switch name {
        case "year": return .int(Int(t.tm_year) + 1900)
        case "month": return .int(Int(t.tm_mon) + 1)
        case "day": return .int(Int(t.tm_mday))
        case "hour": return .int(Int(t.tm_hour))
        case "minute": return .int(Int(t.tm_min))
        case "second": return .int(Int(t.tm_sec))
        case "strftime": return function(name) { a, i in .str(TimeModule.strftime(try Args(a, name, i).string(0, "format"), t)) }
        case "isoformat", "__str__": return function(name) { _, _ in .str(self.isoformat) }
        case "timestamp": return function(name) { _, _ in .float(self.timestamp) }
        case "date": return function(name) { _, _ in .object(DateTimeObject(self.timestamp, dateOnly: true)) }
        case "weekday": return function(name) { _, _ in .int((Int(t.tm_wday) + 6) % 7) }
        case "timetuple": return function(name) { _, _ in .object(StructTime(t)) }
        default: return nil
        }
    }
}
