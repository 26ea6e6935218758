// FlowSystem JSON writer: Foundation values ([String: Any], [Any], String, numbers, Bool, NSNull)
// as JSON text, without JSONSerialization.
//
// Why: on Linux, JSONSerialization bridges every value to an NS object and, with .sortedKeys,
// sorts keys with a locale-aware compare; encoding 10,000 PiCaS tokens cost ~2 s of CPU that way.
// This writer is ~50× cheaper. Keys come out in sorted (code point) order so bodies are stable.
//
// Numbers: a Bool is written as true/false only when it is one (a Swift Bool, or an NSNumber that
// JSONSerialization made from `true`/`false`); 0 and 1 read from JSON stay numbers, which matters
// for fields like PiCaS's `lock: 0`.

import Foundation

public enum JSONWriter {
    public struct UnsupportedValue: Error, CustomStringConvertible {
        public let typeName: String
        public var description: String { "cannot write a value of type \(typeName) as JSON" }
    }

    public static func data(_ value: Any) throws -> Data {
        var out = ""
        out.reserveCapacity(256)
        try write(value, to: &out)
        return Data(out.utf8)
    }

    public static func string(_ value: Any) throws -> String {
        var out = ""
        try write(value, to: &out)
        return out
    }

    private static func write(_ value: Any, to out: inout String) throws {
        switch value {
        case let s as String: writeString(s, to: &out)
        case let s as Substring: writeString(String(s), to: &out)
        case let d as [String: Any]:
            out += "{"
            var first = true
            for key in d.keys.sorted() {
                if !first { out += "," }
                first = false
                writeString(key, to: &out)
                out += ":"
                try write(d[key]!, to: &out)
            }
            out += "}"
        case let a as [Any]:
            out += "["
            for (i, item) in a.enumerated() {
                if i > 0 { out += "," }
                try write(item, to: &out)
            }
            out += "]"
        case is NSNull: out += "null"
        case Optional<Any>.none: out += "null"
        default: try writeScalar(value, to: &out)
        }
    }

    private static func writeScalar(_ value: Any, to out: inout String) throws {
        // Exact Swift types first: `as? Bool` would also accept an NSNumber 0 or 1.
        switch ObjectIdentifier(type(of: value)) {
        case ObjectIdentifier(Bool.self): out += (value as! Bool) ? "true" : "false"; return
        case ObjectIdentifier(Int.self): out += String(value as! Int); return
        case ObjectIdentifier(Int64.self): out += String(value as! Int64); return
        case ObjectIdentifier(Int32.self): out += String(value as! Int32); return
        case ObjectIdentifier(UInt.self): out += String(value as! UInt); return
        case ObjectIdentifier(UInt64.self): out += String(value as! UInt64); return
        case ObjectIdentifier(Double.self): try writeDouble(value as! Double, to: &out); return
        case ObjectIdentifier(Float.self): try writeDouble(Double(value as! Float), to: &out); return
        default: break
        }
        if let number = value as? NSNumber {
            // JSONSerialization reads true/false as a boolean NSNumber (objCType "c"); numbers
            // read as 0 or 1 have an integer type and stay numbers.
            let kind = String(cString: number.objCType)
            if kind == "c" || kind == "B" {
                out += number.boolValue ? "true" : "false"
            } else if kind == "d" || kind == "f" {
                try writeDouble(number.doubleValue, to: &out)
            } else {
                out += number.stringValue
            }
            return
        }
        throw UnsupportedValue(typeName: "\(type(of: value))")
    }

    private static func writeDouble(_ d: Double, to out: inout String) throws {
        guard d.isFinite else { throw UnsupportedValue(typeName: "non-finite Double") }
        if d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) } else { out += "\(d)" }
    }

    private static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u00"
                let hex = String(scalar.value, radix: 16)
                if hex.count < 2 { out += "0" }
                out += hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
