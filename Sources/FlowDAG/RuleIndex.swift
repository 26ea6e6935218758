// Rules prepared for DAG construction: output matchers with cheap prefilters, input/log/benchmark
// templates bound to the rule's wildcard list, and Snakemake's rule order (`ruleorder`, then
// "a rule without wildcards beats one with").

import FlowLang
import FlowWorkflow

/// A pattern whose wildcards are bound to positions in a job's wildcard list.
struct Template {
    let pattern: WildcardPattern
    /// For each of `pattern.names`: its index in the rule's wildcards, or -1 when the output has no
    /// such wildcard.
    let binding: [Int]
    /// The text itself when it has no braces at all (most static inputs): formatting returns it.
    private let literal: String?
    private static let noWildcards = WildcardPattern(literal: "")

    init(_ text: String, ruleWildcards: [String]) throws {
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") }) {
            pattern = Template.noWildcards
            binding = []
            literal = text
            return
        }
        pattern = try WildcardPattern(text)
        binding = pattern.names.map { ruleWildcards.firstIndex(of: $0) ?? -1 }
        literal = nil
    }

    var unboundNames: [String] { zip(pattern.names, binding).filter { $0.1 < 0 }.map(\.0) }

    /// Formats with the job's wildcard values (all names must be bound).
    func format(_ values: [(name: String, value: String)]) -> String {
        if let literal { return literal }
        return pattern.render { values[binding[$0]].value }
    }
}

enum CompiledInput {
    /// `producer`: the rule (index) named as the file's producer (`rules.a.output`), or -1.
    case file(Template, flags: FileFlags, name: String?, producer: Int)
    case function(Value, flags: FileFlags, name: String?)
    case unpack(Value)
}

struct CompiledRule {
    let index: Int
    let name: String
    /// Where the rule is defined, for errors.
    let location: RuleLocation
    let wildcardNames: [String]
    let outputMatchers: [PatternMatcher]
    /// Matchers of the rule's products: its outputs, then the logs and benchmark that have all of
    /// the rule's wildcards (Snakemake finds a rule by its log files too).
    let productMatchers: [PatternMatcher]
    /// Output patterns bound to `wildcardNames`, by output index.
    let outputs: [Template]
    let outputFlags: [FileFlags]
    let logs: [Template]
    let benchmark: Template?
    let inputs: [CompiledInput]
    /// What `<name>` means in input functions' results, and the module prefixes they get.
    let pathvars: Pathvars
    let pathModifiers: [PathModifier]
    var hasWildcards: Bool { !wildcardNames.isEmpty }

    /// Pairs wildcard values (in `wildcardNames` order) with their names.
    func bind(_ values: [String]) -> [(name: String, value: String)] {
        var w: [(name: String, value: String)] = []
        w.reserveCapacity(values.count)
        for (k, n) in wildcardNames.enumerated() { w.append((n, values[k])) }
        return w
    }

    init(_ rule: Rule, globalConstraints workflowConstraints: [String: String], producers: [Int: Int] = [:]) throws {
        index = rule.index
        name = rule.name
        pathvars = rule.pathvars
        pathModifiers = rule.pathModifiers
        let globalConstraints = rule.moduleWildcardConstraints ?? workflowConstraints
        location = RuleLocation(rule)
        var names: [String] = []
        var matchers: [PatternMatcher] = []
        for item in rule.output.items {
            let p = try WildcardPattern(item.pattern)
            for n in p.names where !names.contains(n) { names.append(n) }
            matchers.append(try PatternMatcher(p, ruleConstraints: rule.wildcardConstraints,
                                               globalConstraints: globalConstraints))
        }
        for m in matchers where m.pattern.names.count != names.count {
            throw DAGError.inconsistentOutputWildcards(rule: rule.name)
        }
        wildcardNames = names
        outputMatchers = matchers
        var products = matchers
        if !rule.output.isEmpty {
            for item in rule.log.items + (rule.benchmark.map { [$0] } ?? []) {
                let p = try WildcardPattern(item.pattern)
                guard Set(p.names) == Set(names) else { continue }
                products.append(try PatternMatcher(p, ruleConstraints: rule.wildcardConstraints, globalConstraints: globalConstraints))
            }
        }
        productMatchers = products
        outputs = try rule.output.items.map { try Template($0.pattern, ruleWildcards: names) }
        outputFlags = rule.output.items.map(\.flags)
        logs = try rule.log.items.map { try Template($0.pattern, ruleWildcards: names) }
        let unboundLogs = logs.flatMap(\.unboundNames)
        if !unboundLogs.isEmpty {
            throw DAGError.wildcardsNotInOutput(rule: rule.name, kind: "log files", names: unboundLogs, location: location)
        }
        benchmark = try rule.benchmark.map { try Template($0.pattern, ruleWildcards: names) }
        if let b = benchmark, !b.unboundNames.isEmpty {
            throw DAGError.wildcardsNotInOutput(rule: rule.name, kind: "benchmark file", names: b.unboundNames, location: location)
        }
        inputs = try rule.input.enumerated().map { i, entry in
            switch entry.item {
            case .file(let f):
                return .file(try Template(f.pattern, ruleWildcards: names), flags: f.flags, name: entry.name, producer: producers[i] ?? -1)
            case .function(let v, let flags): return .function(v, flags: flags, name: entry.name)
            case .unpack(let v): return .unpack(v)
            }
        }
    }
}

/// All rules of a workflow, ready for matching requested files to producing rules.
struct RuleIndex {
    let rules: [CompiledRule]
    /// Product matchers flattened for the matching scan: (rule, product index).
    private let scan: [(rule: Int, output: Int)]
    /// `ruleorder` clauses as rule indices, highest priority first.
    private let order: [[Int]]

    init(_ workflow: Workflow) throws {
        rules = try workflow.rules.map { rule in
            try CompiledRule(rule, globalConstraints: workflow.wildcardConstraints,
                             producers: rule.inputProducers.compactMapValues { workflow.ruleIndex(named: $0) })
        }
        var scan: [(Int, Int)] = []
        for r in rules { for o in r.productMatchers.indices { scan.append((r.index, o)) } }
        self.scan = scan
        order = workflow.ruleOrder.map { $0.compactMap { workflow.ruleIndex(named: $0) } }
    }

    /// Candidate producers of `path`: each rule with an output pattern that matches, with the
    /// wildcard values (in the rule's wildcard order) of its best-matching output (the one with the
    /// shortest total wildcard length, as Snakemake picks), sorted highest priority first.
    func candidates(for path: String) -> [(rule: Int, values: [String])] {
        var bytes = path
        return bytes.withUTF8 { p in
            var found: [(rule: Int, values: [String])] = []
            var bestLength = 0
            for (r, o) in scan {
                guard let values = rules[r].productMatchers[o].match(utf8: p, path: path) else { continue }
                let matcher = rules[r].productMatchers[o]
                let bound = Template.bind(values, names: matcher.pattern.names, to: rules[r].wildcardNames)
                let length = values.reduce(0) { $0 + $1.utf8.count }
                if let last = found.last, last.rule == r {
                    if length < bestLength { found[found.count - 1] = (r, bound); bestLength = length }
                } else {
                    found.append((r, bound))
                    bestLength = length
                }
            }
            if found.count > 1 { found = sortedByPriority(found) }
            return found
        }
    }

    /// Snakemake's match by wildcard names: a candidate whose wildcards the requesting job has
    /// too takes the job's values when one of its products formatted with them is `path` and
    /// they satisfy its constraints (`{sample}{read}` then splits as the requester's did).
    func preferRequesterWildcards(_ candidates: inout [(rule: Int, values: [String])], path: String,
                                  requester: [(name: String, value: String)]) {
        for k in candidates.indices {
            let rule = rules[candidates[k].rule]
            // Most requests agree with the pattern's split already: check that without allocating.
            var differs = false
            var covered = true
            for (i, name) in rule.wildcardNames.enumerated() {
                guard let v = requester.first(where: { $0.name == name })?.value else { covered = false; break }
                if v != candidates[k].values[i] { differs = true }
            }
            guard covered, differs else { continue }
            let values = rule.wildcardNames.map { name in requester.first { $0.name == name }!.value }
            for matcher in rule.productMatchers {
                let bound = matcher.pattern.names.map { values[rule.wildcardNames.firstIndex(of: $0)!] }
                if matcher.pattern.format(bound) == path, matcher.accepts(bound) {
                    candidates[k].values = values
                    break
                }
            }
        }
    }

    /// Snakemake's `Ruleorder.compare`: >0 when rule a has priority over rule b, <0 when b over a.
    func compare(_ a: Int, _ b: Int) -> Int {
        if a != b {
            for clause in order.reversed() {
                if let i = clause.firstIndex(of: a), let j = clause.firstIndex(of: b) {
                    return i < j ? 1 : (i > j ? -1 : 0)
                }
            }
        }
        let wa = rules[a].hasWildcards ? 1 : 0, wb = rules[b].hasWildcards ? 1 : 0
        return wb - wa
    }

    /// A stable ordering consistent with the partial order `compare`: repeatedly take the first
    /// candidate that no remaining one beats.
    private func sortedByPriority<T>(_ items: [(rule: Int, values: T)]) -> [(rule: Int, values: T)] {
        var rest = items
        var out: [(rule: Int, values: T)] = []
        while !rest.isEmpty {
            let i = rest.indices.first { i in !rest.indices.contains { j in j != i && compare(rest[j].rule, rest[i].rule) > 0 } } ?? 0
            out.append(rest.remove(at: i))
        }
        return out
    }
}

extension Template {
    /// Reorders values given for `names` into the order of `ruleNames`.
    static func bind(_ values: [String], names: [String], to ruleNames: [String]) -> [String] {
        if names == ruleNames { return values }
        return ruleNames.map { n in names.firstIndex(of: n).map { values[$0] } ?? "" }
    }
}
