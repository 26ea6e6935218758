// Values -> YAML text in PyYAML's `yaml.dump` style, through libyaml's emitter (the same emitter
// logic PyYAML mirrors, so quoting, wrapping and indentation match). What this file adds is
// PyYAML's representer and serializer: scalars spelled like PyYAML (true, null, 1.0e+17, .inf),
// the implicit flags that make a str such as 'yes' or '1' quoted, sorted keys, and the
// default_flow_style rule (None: leaf collections in flow style).

import CYAML
import Foundation

struct YAMLEmitter {
    struct Options {
        /// nil: PyYAML's None (collections of plain scalars in flow style).
        var defaultFlowStyle: Bool? = false
        var sortKeys = true
        var allowUnicode = false
        var indent = 2
        var width = 80
        var explicitStart = false
    }

    let options: Options
    let interpreter: Interpreter

    private final class Output { var bytes: [UInt8] = [] }

    func dump(_ documents: [Value]) throws -> String {
        var emitter = yaml_emitter_t()
        guard yaml_emitter_initialize(&emitter) == 1 else { throw PyError("YAMLError", "cannot initialise the YAML emitter") }
        defer { yaml_emitter_delete(&emitter) }
        let output = Output()
        let box = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(&emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            Unmanaged<Output>.fromOpaque(data).takeUnretainedValue().bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, box)
        yaml_emitter_set_unicode(&emitter, options.allowUnicode ? 1 : 0)
        yaml_emitter_set_indent(&emitter, Int32(options.indent))
        yaml_emitter_set_width(&emitter, Int32(options.width))

        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        try emit(&emitter, &event)
        for doc in documents {
            yaml_document_start_event_initialize(&event, nil, nil, nil, options.explicitStart ? 0 : 1)
            try emit(&emitter, &event)
            try node(doc, &emitter, depth: 0)
            yaml_document_end_event_initialize(&event, 1)
            try emit(&emitter, &event)
        }
        yaml_stream_end_event_initialize(&event)
        try emit(&emitter, &event)
        yaml_emitter_flush(&emitter)
        var text = String(decoding: output.bytes, as: UTF8.self)
        // PyYAML ends a document whose root is a plain scalar with "..." (libyaml 0.2.5 no longer does).
        if documents.count == 1, scalarText(documents[0]) != nil, let first = text.first, !"'\"|>".contains(first),
           !text.hasSuffix("...\n") {
            text += "...\n"
        }
        return text
    }

    private func emit(_ emitter: inout yaml_emitter_t, _ event: inout yaml_event_t) throws {
        guard yaml_emitter_emit(&emitter, &event) == 1 else {
            let problem = emitter.problem.map { String(cString: $0) } ?? "emitter error"
            throw PyError("YAMLError", problem)
        }
    }

    /// A scalar as PyYAML's representer spells it, with its resolved kind.
    private func scalarText(_ value: Value) -> (String, YAMLResolver.Kind)? {
        switch value {
        case .none: return ("null", .null)
        case .bool(let b): return (b ? "true" : "false", .bool)
        case .int(let n): return (String(n), .int)
        case .float(let d):
            if d.isNaN { return (".nan", .float) }
            if d.isInfinite { return (d > 0 ? ".inf" : "-.inf", .float) }
            var s = pyFloatRepr(d).lowercased()
            if !s.contains("."), let e = s.firstIndex(of: "e") { s.replaceSubrange(e...e, with: ".0e") }
            return (s, .float)
        default:
            if let s = value.stringValue { return (s, .str) }
            return nil
        }
    }

    private func isPlainScalar(_ v: Value) -> Bool { scalarText(v) != nil }

    private func node(_ value: Value, _ emitter: inout yaml_emitter_t, depth: Int) throws {
        guard depth < 200 else { throw PyError("YAMLError", "cannot represent a recursive structure") }
        var event = yaml_event_t()
        if let (text, kind) = scalarText(value) {
            // Implicit flags as PyYAML's serializer computes them: plain only if a plain scalar
            // would resolve back to the same type; quoted only for strings.
            let plainImplicit: Int32 = YAMLResolver.kind(ofPlain: text) == kind ? 1 : 0
            let quotedImplicit: Int32 = kind == .str ? 1 : 0
            let tag = "tag:yaml.org,2002:\(kind)"
            var bytes = Array(text.utf8)
            var tagBytes = Array(tag.utf8) + [0]
            let count = bytes.count
            bytes.withUnsafeMutableBufferPointer { b in
                tagBytes.withUnsafeMutableBufferPointer { t in
                    _ = yaml_scalar_event_initialize(&event, nil, t.baseAddress, b.baseAddress ?? UnsafeMutablePointer(mutating: [UInt8(0)]), Int32(count),
                                                     plainImplicit, quotedImplicit, YAML_ANY_SCALAR_STYLE)
                }
            }
            try emit(&emitter, &event)
            return
        }
        let items: [Value]?
        switch value {
        case .list(let l): items = l.items
        case .tuple(let t): items = t
        case .object(let o as TupleBacked): items = o.elements
        case .set(let s): items = nil; try mapping(s.elements.map { ($0, .none) }, &emitter, depth: depth, tag: "tag:yaml.org,2002:set"); return
        default: items = nil
        }
        if let items {
            let flow = options.defaultFlowStyle ?? items.allSatisfy(isPlainScalar)
            yaml_sequence_start_event_initialize(&event, nil, nil, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE)
            try emit(&emitter, &event)
            for item in items { try node(item, &emitter, depth: depth + 1) }
            yaml_sequence_end_event_initialize(&event)
            try emit(&emitter, &event)
            return
        }
        switch value {
        case .dict(let d): try mapping(d.items.map { ($0.key, $0.value) }, &emitter, depth: depth, tag: nil)
        case .object(let o as DictBacked): try mapping(o.storage.items.map { ($0.key, $0.value) }, &emitter, depth: depth, tag: nil)
        default: throw PyError("YAMLError", "cannot represent an object: \(try interpreter.repr(value))")
        }
    }

    private func mapping(_ pairsIn: [(Value, Value)], _ emitter: inout yaml_emitter_t, depth: Int, tag: String?) throws {
        var pairs = pairsIn
        if options.sortKeys {
            if pairs.allSatisfy({ if case .str = $0.0 { return true } else { return false } }) {
                pairs.sort { codePointLess($0.0.stringValue!, $1.0.stringValue!) }
            } else {
                var failure: Error?
                pairs.sort { a, b in
                    do { return try interpreter.lessThan(a.0, b.0) } catch { failure = error; return false }
                }
                if let failure { throw failure }
            }
        }
        let flow = options.defaultFlowStyle ?? pairs.allSatisfy { isPlainScalar($0.0) && isPlainScalar($0.1) }
        var event = yaml_event_t()
        var tagBytes = tag.map { Array($0.utf8) + [0] }
        let implicit: Int32 = tag == nil ? 1 : 0
        if tagBytes != nil {
            tagBytes!.withUnsafeMutableBufferPointer { t in
                _ = yaml_mapping_start_event_initialize(&event, nil, t.baseAddress, implicit, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
            }
        } else {
            yaml_mapping_start_event_initialize(&event, nil, nil, implicit, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
        }
        try emit(&emitter, &event)
        for (k, v) in pairs {
            try node(k, &emitter, depth: depth + 1)
            try node(v, &emitter, depth: depth + 1)
        }
        yaml_mapping_end_event_initialize(&event)
        try emit(&emitter, &event)
    }
}
