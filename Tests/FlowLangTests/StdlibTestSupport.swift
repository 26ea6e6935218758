// Helpers for the stdlib tests: import a module, call its functions and read attributes of host
// objects without going through parsed source.

import XCTest
@testable import FlowLang

final class StdlibHarness {
    let interp = Interpreter()

    func module(_ name: String) throws -> PyModule {
        guard let m = try Stdlib.module(named: name, interpreter: interp) else {
            throw PyError.importError("No module named '\(name)'")
        }
        return m
    }

    /// `module.name(*args, **kw)`
    func call(_ module: String, _ name: String, _ args: [Value] = [], _ kw: [(String, Value)] = []) throws -> Value {
        let m = try self.module(module)
        guard let f = m.attributes.get(name) else { throw PyError.attribute("module '\(module)' has no attribute '\(name)'") }
        return try interp.call(f, Arguments(args, keywords: kw.map { (name: $0.0, value: $0.1) }))
    }

    func attr(_ value: Value, _ name: String) throws -> Value {
        guard case .object(let o) = value, let v = try o.getAttribute(name, interpreter: interp) else {
            throw PyError.attribute("no attribute '\(name)' on \(value.typeName)")
        }
        return v
    }

    /// `value.name(*args, **kw)`
    func method(_ value: Value, _ name: String, _ args: [Value] = [], _ kw: [(String, Value)] = []) throws -> Value {
        try interp.call(try attr(value, name), Arguments(args, keywords: kw.map { (name: $0.0, value: $0.1) }))
    }
}

/// Plain Swift views of values for assertions.
func strings(_ v: Value) -> [String?] {
    switch v {
    case .list(let l): return l.items.map { $0.stringValue }
    case .tuple(let t): return t.map { $0.stringValue }
    default: return []
    }
}

func ints(_ v: Value) -> [Int] {
    switch v {
    case .list(let l): return l.items.compactMap { if case .int(let i) = $0 { return i } else { return nil } }
    case .tuple(let t): return t.compactMap { if case .int(let i) = $0 { return i } else { return nil } }
    default: return []
    }
}

func int(_ v: Value) -> Int? { if case .int(let i) = v { return i } else { return nil } }
func bool(_ v: Value) -> Bool? { if case .bool(let b) = v { return b } else { return nil } }

/// Python equality for the plain cases (same type, same hash key).
func assertValue(_ v: Value, _ expected: Value, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(v.typeName == expected.typeName && HashKey(unchecked: v) == HashKey(unchecked: expected),
                  "\(v) is not \(expected)", file: file, line: line)
}

extension Value {
    var asObject: PyObject? { if case .object(let o) = self { return o } else { return nil } }
}

extension PyObject {
    var asSubscriptable: PySubscriptable? { self as? PySubscriptable }
}
