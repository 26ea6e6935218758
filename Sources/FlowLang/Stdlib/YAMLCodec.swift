// YAML text -> Values through libyaml's event parser, with PyYAML's SafeLoader semantics: YAML 1.1
// implicit resolution of plain scalars (yes/no/on/off booleans, 0x/0b/leading-0 octal ints,
// floats that need a dot and a signed exponent, ~/null), anchors and aliases sharing one object,
// `<<` merge keys. Public because config files and profiles are loaded through it; errors name
// the file, line and column. Dumping lives in YAMLEmitter.swift.

import CYAML
import Foundation

public enum YAMLCodec {
    /// Parses a single-document YAML text (empty text gives None).
    public static func load(_ text: String, path: String) throws -> Value {
        let docs = try loadAll(text, path: path)
        guard docs.count <= 1 else {
            throw PyError("YAMLError", "\(path): expected a single document in the stream, but found another document")
        }
        return docs.first ?? .none
    }

    /// Every document of a stream (`yaml.safe_load_all`).
    static func loadAll(_ text: String, path: String) throws -> [Value] {
        var loader = YAMLLoader(path: path)
        return try loader.run(text)
    }

    /// Serialises like PyYAML's `yaml.dump(value)` (block style, sorted keys).
    public static func dump(_ value: Value, interpreter: Interpreter) throws -> String {
        try YAMLEmitter(options: YAMLEmitter.Options(), interpreter: interpreter).dump([value])
    }
}

private struct YAMLLoader {
    let path: String
    var anchors: [String: Value] = [:]

    init(path: String) { self.path = path }

    /// A parsed collection under construction.
    private enum Frame {
        case sequence(PyList)
        case mapping(PyDict, pairs: [(Value, Value)], merges: [Value], pendingKey: Value?, mergeNext: Bool)
    }

    mutating func run(_ text: String) throws -> [Value] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw PyError("YAMLError", "cannot initialise the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer -> [Value] in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var documents: [Value] = []
            var stack: [Frame] = []
            var root: Value?
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw parseError(parser) }
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                var produced: Value?
                var anchor: String?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return documents
                case YAML_DOCUMENT_START_EVENT:
                    anchors = [:]
                    root = nil
                case YAML_DOCUMENT_END_EVENT:
                    documents.append(root ?? .none)
                case YAML_ALIAS_EVENT:
                    let name = String(cString: event.data.alias.anchor)
                    guard let v = anchors[name] else { throw error("found undefined alias '\(name)'", mark) }
                    produced = v
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                    let tag = s.tag.map { String(cString: $0) }
                    produced = try YAMLResolver.scalar(value, tag: tag, plain: s.style == YAML_PLAIN_SCALAR_STYLE,
                                                        at: { self.error($0, mark) })
                    anchor = s.anchor.map { String(cString: $0) }
                    // A plain `<<` key announces a merge.
                    if s.style == YAML_PLAIN_SCALAR_STYLE, value == "<<", tag == nil,
                       case .mapping(let d, let pairs, let merges, let pendingKey, false)? = stack.last, pendingKey == nil {
                        stack[stack.count - 1] = .mapping(d, pairs: pairs, merges: merges, pendingKey: nil, mergeNext: true)
                        continue
                    }
                case YAML_SEQUENCE_START_EVENT:
                    let list = PyList()
                    if let a = event.data.sequence_start.anchor { anchors[String(cString: a)] = .list(list) }
                    stack.append(.sequence(list))
                    continue
                case YAML_MAPPING_START_EVENT:
                    let dict = PyDict()
                    if let a = event.data.mapping_start.anchor { anchors[String(cString: a)] = .dict(dict) }
                    stack.append(.mapping(dict, pairs: [], merges: [], pendingKey: nil, mergeNext: false))
                    continue
                case YAML_SEQUENCE_END_EVENT:
                    guard case .sequence(let list)? = stack.popLast() else { continue }
                    produced = .list(list)
                case YAML_MAPPING_END_EVENT:
                    guard case .mapping(let dict, let pairs, let merges, _, _)? = stack.popLast() else { continue }
                    // PyYAML order: later merge sources first, then earlier ones, then the mapping's own
                    // keys; each later assignment overrides the value but keeps the first position.
                    var all: [(Value, Value)] = []
                    for m in merges.reversed() {
                        if case .dict(let d) = m { all += d.items.map { ($0.key, $0.value) } }
                    }
                    all += pairs
                    for (k, v) in all {
                        guard let key = try? HashKey(k) else { throw error("found unhashable key", mark) }
                        dict.set(key, v)
                    }
                    produced = .dict(dict)
                default:
                    continue
                }
                guard let value = produced else { continue }
                if let anchor { anchors[anchor] = value }
                try attach(value, to: &stack, root: &root, mark: mark)
            }
        }
    }

    private func attach(_ value: Value, to stack: inout [Frame], root: inout Value?, mark: yaml_mark_t) throws {
        guard let top = stack.last else { root = value; return }
        switch top {
        case .sequence(let list):
            list.items.append(value)
        case .mapping(let d, var pairs, var merges, let pendingKey, let mergeNext):
            if mergeNext {
                switch value {
                case .dict: merges.append(value)
                case .list(let l):
                    for item in l.items {
                        guard case .dict = item else { throw error("expected a mapping for merging, but found \(item.typeName)", mark) }
                        merges.append(item)
                    }
                default: throw error("expected a mapping or list of mappings for merging, but found \(value.typeName)", mark)
                }
                stack[stack.count - 1] = .mapping(d, pairs: pairs, merges: merges, pendingKey: nil, mergeNext: false)
            } else if let key = pendingKey {
                pairs.append((key, value))
                stack[stack.count - 1] = .mapping(d, pairs: pairs, merges: merges, pendingKey: nil, mergeNext: false)
            } else {
                stack[stack.count - 1] = .mapping(d, pairs: pairs, merges: merges, pendingKey: value, mergeNext: false)
            }
        }
    }

    private func error(_ message: String, _ mark: yaml_mark_t) -> PyError {
        PyError("YAMLError", "\(path):\(mark.line + 1):\(mark.column + 1): \(message)")
    }

    private func parseError(_ parser: yaml_parser_t) -> PyError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = "\(path):\(parser.problem_mark.line + 1):\(parser.problem_mark.column + 1): \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        return PyError("YAMLError", message)
    }
}

/// PyYAML's implicit and explicit scalar resolution (YAML 1.1 core of SafeLoader).
enum YAMLResolver {
    static let boolWords: [String: Bool] = {
        var d: [String: Bool] = [:]
        for w in ["yes", "true", "on"] { for v in [w, w.capitalized, w.uppercased()] { d[v] = true } }
        for w in ["no", "false", "off"] { for v in [w, w.capitalized, w.uppercased()] { d[v] = false } }
        return d
    }()
    static let nullWords: Set<String> = ["~", "null", "Null", "NULL", ""]

    private static func regex(_ p: String) -> NSRegularExpression { try! NSRegularExpression(pattern: p) }
    static let intPattern = regex(#"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"#)
    static let floatPattern = regex(#"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"#)

    static func matches(_ r: NSRegularExpression, _ s: String) -> Bool {
        r.firstMatch(in: s, range: NSRange(location: 0, length: s.utf16.count)) != nil
    }

    /// The tag PyYAML would resolve a plain scalar to.
    enum Kind { case null, bool, int, float, str }

    static func kind(ofPlain s: String) -> Kind {
        if nullWords.contains(s) { return .null }
        if boolWords[s] != nil { return .bool }
        guard let first = s.unicodeScalars.first, "-+0123456789.".unicodeScalars.contains(first) else { return .str }
        if matches(intPattern, s) { return .int }
        if matches(floatPattern, s) { return .float }
        return .str
    }

    static func scalar(_ s: String, tag: String?, plain: Bool, at error: (String) -> PyError) throws -> Value {
        let kind: Kind
        switch tag {
        case nil: kind = plain ? self.kind(ofPlain: s) : .str
        case "!", "tag:yaml.org,2002:str": kind = .str
        case "tag:yaml.org,2002:int": kind = .int
        case "tag:yaml.org,2002:float": kind = .float
        case "tag:yaml.org,2002:bool": kind = .bool
        case "tag:yaml.org,2002:null": kind = .null
        case "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary": kind = .str
        default: throw error("could not determine a constructor for the tag '\(tag!)'")
        }
        switch kind {
        case .null: return .none
        case .str: return .str(s)
        case .bool:
            guard let b = boolWords[s] else { throw error("invalid boolean '\(s)'") }
            return .bool(b)
        case .int:
            guard let n = int(s) else { throw error("invalid integer '\(s)'") }
            return .int(n)
        case .float:
            guard let d = float(s) else { throw error("invalid float '\(s)'") }
            return .float(d)
        }
    }

    static func int(_ raw: String) -> Int? {
        var s = raw.replacingOccurrences(of: "_", with: "")
        var sign = 1
        if s.hasPrefix("-") { sign = -1; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        if s == "0" { return 0 }
        if s.hasPrefix("0b") { return Int(s.dropFirst(2), radix: 2).map { $0 * sign } }
        if s.hasPrefix("0x") { return Int(s.dropFirst(2), radix: 16).map { $0 * sign } }
        if s.hasPrefix("0") { return Int(s.dropFirst(), radix: 8).map { $0 * sign } }
        if s.contains(":") { return sexagesimal(s).map { Int($0) * sign } }
        return Int(s).map { $0 * sign }
    }

    static func float(_ raw: String) -> Double? {
        var s = raw.replacingOccurrences(of: "_", with: "").lowercased()
        var sign = 1.0
        if s.hasPrefix("-") { sign = -1; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        if s == ".inf" { return sign * .infinity }
        if s == ".nan" { return .nan }
        if s.contains(":") { return sexagesimal(s).map { $0 * sign } }
        return Double(s).map { $0 * sign }
    }

    private static func sexagesimal(_ s: String) -> Double? {
        var total = 0.0
        for part in s.split(separator: ":") {
            guard let d = Double(part) else { return nil }
            total = total * 60 + d
        }
        return total
    }
}
