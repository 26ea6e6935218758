// Binary and unary operators with Python's semantics: floor division and modulo rounding toward
// negative infinity, `**` staying int for non-negative exponents, overflow reported as
// OverflowError (flow's ints are 64-bit) instead of trapping, sequence repetition and
// concatenation, set and dict-merge operators, `%` formatting, and PyOperable/user dunders.

import FlowSyntax

extension Interpreter {
    func binaryOp(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        // Fast paths for the common cases.
        switch (a, b) {
        case (.int(let x), .int(let y)): return try intOp(op, x, y)
        case (.str(let x), .str(let y)) where op == .add: return .str(x + y)
        case (.float, .float), (.float, .int), (.int, .float): if let r = try floatOp(op, a, b) { return r }
        default: break
        }
        if let r = try builtinBinary(op, a, b) { return r }
        if case .object(let o) = a {
            if let inst = o as? PyInstance, let r = try instanceBinaryDunder(inst, "__\(dunderName(op))__", b) { return r }
            if let operable = o as? PyOperable, let r = try operable.binaryOperation(op, b, reflected: false, interpreter: self) { return r }
        }
        if case .object(let o) = b {
            if let inst = o as? PyInstance, let r = try instanceBinaryDunder(inst, "__r\(dunderName(op))__", a) { return r }
            if let operable = o as? PyOperable, let r = try operable.binaryOperation(op, a, reflected: true, interpreter: self) { return r }
        }
        // String-like host objects (flagged paths) concatenate and format as str.
        if let x = a.stringValue, case .object = a, let r = try? binaryOp(op, .str(x), b) { return r }
        if let y = b.stringValue, case .object = b, let r = try? binaryOp(op, a, .str(y)) { return r }
        throw binaryTypeError(op, a, b)
    }

    private func binaryTypeError(_ op: BinaryOperator, _ a: Value, _ b: Value) -> PyError {
        if op == .add {
            switch a {
            case .str: return PyError.type("can only concatenate str (not \"\(b.typeName)\") to str")
            case .list: return PyError.type("can only concatenate list (not \"\(b.typeName)\") to list")
            case .tuple: return PyError.type("can only concatenate tuple (not \"\(b.typeName)\") to tuple")
            default: break
            }
        }
        if op == .multiply, case .str = a, case .str = b {
            return PyError.type("can't multiply sequence by non-int of type 'str'")
        }
        if op == .power { return PyError.type("unsupported operand type(s) for ** or pow(): '\(a.typeName)' and '\(b.typeName)'") }
        return PyError.type("unsupported operand type(s) for \(op.rawValue): '\(a.typeName)' and '\(b.typeName)'")
    }

    func dunderName(_ op: BinaryOperator) -> String {
        switch op {
        case .add: return "add"
        case .subtract: return "sub"
        case .multiply: return "mul"
        case .divide: return "truediv"
        case .floorDivide: return "floordiv"
        case .modulo: return "mod"
        case .power: return "pow"
        case .matrixMultiply: return "matmul"
        case .bitAnd: return "and"
        case .bitOr: return "or"
        case .bitXor: return "xor"
        case .leftShift: return "lshift"
        case .rightShift: return "rshift"
        }
    }

    func intOp(_ op: BinaryOperator, _ x: Int, _ y: Int) throws -> Value {
        switch op {
        case .add: return .int(try checked(x.addingReportingOverflow(y)))
        case .subtract: return .int(try checked(x.subtractingReportingOverflow(y)))
        case .multiply: return .int(try checked(x.multipliedReportingOverflow(by: y)))
        case .divide:
            if y == 0 { throw PyError("ZeroDivisionError", "division by zero") }
            return .float(Double(x) / Double(y))
        case .floorDivide:
            if y == 0 { throw PyError("ZeroDivisionError", "integer division or modulo by zero") }
            if x == Int.min && y == -1 { throw overflow() }
            let q = x / y
            return .int((x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q)
        case .modulo:
            if y == 0 { throw PyError("ZeroDivisionError", "integer modulo by zero") }
            if y == -1 { return .int(0) }
            let r = x % y
            return .int(r != 0 && ((r < 0) != (y < 0)) ? r + y : r)
        case .power:
            if y < 0 {
                if x == 0 { throw PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power") }
                return .float(pow(Double(x), Double(y)))
            }
            return .int(try intPower(x, y))
        case .bitAnd: return .int(x & y)
        case .bitOr: return .int(x | y)
        case .bitXor: return .int(x ^ y)
        case .leftShift:
            if y < 0 { throw PyError.value("negative shift count") }
            if x == 0 { return .int(0) }
            guard y < 63, (x << y) >> y == x else { throw overflow() }
            return .int(x << y)
        case .rightShift:
            if y < 0 { throw PyError.value("negative shift count") }
            return .int(y >= 64 ? (x < 0 ? -1 : 0) : x >> y)
        case .matrixMultiply:
            throw PyError.type("unsupported operand type(s) for @: 'int' and 'int'")
        }
    }

    func intPower(_ base: Int, _ exponent: Int) throws -> Int {
        var result = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = try checked(result.multipliedReportingOverflow(by: b)) }
            e >>= 1
            if e > 0 { b = try checked(b.multipliedReportingOverflow(by: b)) }
        }
        return result
    }

    func overflow() -> PyError { PyError("OverflowError", "integer overflow (flow integers are 64-bit)") }

    @inline(__always)
    func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Int {
        if r.overflow { throw overflow() }
        return r.partialValue
    }

    private func floatOp(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value? {
        guard let x = a.asDouble, let y = b.asDouble else { return nil }
        switch op {
        case .add: return .float(x + y)
        case .subtract: return .float(x - y)
        case .multiply: return .float(x * y)
        case .divide:
            if y == 0 { throw PyError("ZeroDivisionError", "float division by zero") }
            return .float(x / y)
        case .floorDivide:
            if y == 0 { throw PyError("ZeroDivisionError", "float floor division by zero") }
            return .float(floorDivide(x, y))
        case .modulo:
            if y == 0 { throw PyError("ZeroDivisionError", "float modulo") }
            return .float(floatModulo(x, y))
        case .power:
            if x == 0 && y < 0 { throw PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power") }
            if x < 0 && y.rounded() != y { throw PyError.value("complex results are not supported in flow") }
            let r = pow(x, y)
            if r.isInfinite && x.isFinite && y.isFinite { throw PyError("OverflowError", "(34, 'Numerical result out of range')") }
            return .float(r)
        default: return nil
        }
    }

    private func floorDivide(_ x: Double, _ y: Double) -> Double {
        let mod = floatModulo(x, y)
        return ((x - mod) / y).rounded()
    }

    private func floatModulo(_ x: Double, _ y: Double) -> Double {
        var mod = x.truncatingRemainder(dividingBy: y)
        if mod != 0 {
            if (y < 0) != (mod < 0) { mod += y }
        } else {
            mod = y < 0 ? -0.0 : 0.0
        }
        return mod
    }

    /// Operators on builtin non-numeric types (and bool/int mixes).
    private func builtinBinary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value? {
        switch (op, a, b) {
        case (.bitAnd, .bool(let x), .bool(let y)): return .bool(x && y)
        case (.bitOr, .bool(let x), .bool(let y)): return .bool(x || y)
        case (.bitXor, .bool(let x), .bool(let y)): return .bool(x != y)
        case (_, .bool, .int), (_, .int, .bool), (_, .bool, .bool):
            if case .int(let x) = a.numericPromoted, case .int(let y) = b.numericPromoted { return try intOp(op, x, y) }
        case (_, .bool, .float), (_, .float, .bool):
            return try floatOp(op, a.numericPromoted, b.numericPromoted)
        case (.add, .list(let x), .list(let y)): return .list(PyList(x.items + y.items))
        case (.add, .tuple(let x), .tuple(let y)): return .tuple(x + y)
        case (.multiply, .str(let s), .int(let n)), (.multiply, .int(let n), .str(let s)):
            return .str(n <= 0 ? "" : String(repeating: s, count: n))
        case (.multiply, .list(let l), .int(let n)), (.multiply, .int(let n), .list(let l)):
            return .list(PyList(repeated(l.items, n)))
        case (.multiply, .tuple(let t), .int(let n)), (.multiply, .int(let n), .tuple(let t)):
            return .tuple(repeated(t, n))
        case (.modulo, .str(let s), _): return .str(try percentFormat(s, b))
        case (.bitOr, .dict(let x), .dict(let y)):
            let d = x.copy()
            for i in 0..<y.count { d.set(HashKey(unchecked: y.keys[i]), y.values[i]) }
            return .dict(d)
        case (_, .set(let x), .set(let y)): return setOp(op, x, y)
        default: break
        }
        return nil
    }

    private func repeated(_ items: [Value], _ n: Int) -> [Value] {
        guard n > 0 else { return [] }
        var out: [Value] = []
        out.reserveCapacity(items.count * n)
        for _ in 0..<n { out.append(contentsOf: items) }
        return out
    }

    private func setOp(_ op: BinaryOperator, _ x: PySet, _ y: PySet) -> Value? {
        let result = PySet(frozen: x.frozen)
        switch op {
        case .bitOr:
            for e in x.elements { result.insert(HashKey(unchecked: e)) }
            for e in y.elements { result.insert(HashKey(unchecked: e)) }
        case .bitAnd:
            for e in x.elements where y.contains(HashKey(unchecked: e)) { result.insert(HashKey(unchecked: e)) }
        case .subtract:
            for e in x.elements where !y.contains(HashKey(unchecked: e)) { result.insert(HashKey(unchecked: e)) }
        case .bitXor:
            for e in x.elements where !y.contains(HashKey(unchecked: e)) { result.insert(HashKey(unchecked: e)) }
            for e in y.elements where !x.contains(HashKey(unchecked: e)) { result.insert(HashKey(unchecked: e)) }
        default: return nil
        }
        return .set(result)
    }

    /// `a op= b`: lists, sets and dicts update in place; everything else rebinds.
    func augmentedOp(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        switch (op, a) {
        case (.add, .list(let l)):
            l.items.append(contentsOf: try iterateValues(b))
            return a
        case (.multiply, .list(let l)):
            guard case .int(let n) = b.numericPromoted else { break }
            l.items = repeated(l.items, n)
            return a
        case (.bitOr, .dict(let d)):
            try updateDict(d, from: b)
            return a
        case (_, .set(let s)) where !s.frozen:
            guard case .set(let other) = b, let r = setOp(op, s, other), case .set(let result) = r else { break }
            let copy = result.elements
            for e in s.elements { s.remove(HashKey(unchecked: e)) }
            for e in copy { s.insert(HashKey(unchecked: e)) }
            return a
        case (_, .object(let o)):
            if let inst = o as? PyInstance, let r = try instanceBinaryDunder(inst, "__i\(dunderName(op))__", b) { return r }
        default: break
        }
        return try binaryOp(op, a, b)
    }

    func unaryOp(_ op: UnaryOperator, _ v: Value) throws -> Value {
        switch (op, v) {
        case (.not, _): return .bool(!(try isTruthy(v)))
        case (.negate, .int(let i)):
            if i == Int.min { throw overflow() }
            return .int(-i)
        case (.negate, .float(let d)): return .float(-d)
        case (.negate, .bool(let b)): return .int(b ? -1 : 0)
        case (.plus, .int), (.plus, .float): return v
        case (.plus, .bool(let b)): return .int(b ? 1 : 0)
        case (.invert, .int(let i)): return .int(~i)
        case (.invert, .bool(let b)): return .int(~(b ? 1 : 0))
        case (_, .object(let o)):
            let name = op == .negate ? "__neg__" : op == .plus ? "__pos__" : "__invert__"
            if let inst = o as? PyInstance, let m = userDunder(inst, name) { return try callValue(m, Arguments()) }
            if let operable = o as? PyOperable, let r = try operable.unaryOperation(op, interpreter: self) { return r }
        default: break
        }
        throw PyError.type("bad operand type for unary \(op.rawValue): '\(v.typeName)'")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
