// ReportGraph: the rule graph as inline SVG, laid out without Graphviz (the report must not
// depend on a program being installed). Layers top to bottom by longest path from the rules
// nothing feeds; within a layer, nodes ordered by the mean position of their parents (one
// barycentre pass is enough for workflow-sized graphs: tens of rules).

import Foundation

enum ReportGraph {
    static func svg(rules: [String], jobs: [Int], edges: [(from: Int, to: Int)], color: (Int, Int) -> String) -> String {
        guard !rules.isEmpty else { return "<p>No rules.</p>" }
        let n = rules.count
        var parents = [[Int]](repeating: [], count: n)
        var children = [[Int]](repeating: [], count: n)
        for e in edges where e.from != e.to {
            parents[e.to].append(e.from)
            children[e.from].append(e.to)
        }
        // Longest-path layering (Kahn's order; a cycle, which a DAG of rules cannot have, stops at n passes).
        var layer = [Int](repeating: 0, count: n)
        var indegree = parents.map(\.count)
        var queue = (0..<n).filter { indegree[$0] == 0 }
        while !queue.isEmpty {
            let r = queue.removeFirst()
            for c in children[r] {
                layer[c] = max(layer[c], layer[r] + 1)
                indegree[c] -= 1
                if indegree[c] == 0 { queue.append(c) }
            }
        }
        let layerCount = (layer.max() ?? 0) + 1
        var rows = [[Int]](repeating: [], count: layerCount)
        for r in 0..<n { rows[layer[r]].append(r) }
        var slot = [Double](repeating: 0, count: n)
        for (l, row) in rows.enumerated() {
            var ordered = row
            if l > 0 {
                func centre(_ r: Int) -> Double {
                    parents[r].isEmpty ? Double(r) : parents[r].map { slot[$0] }.reduce(0, +) / Double(parents[r].count)
                }
                ordered.sort { (centre($0), $0) < (centre($1), $1) }
            }
            rows[l] = ordered
            for (i, r) in ordered.enumerated() { slot[r] = Double(i) }
        }
        let boxHeight = 34.0, rowGap = 40.0, colGap = 24.0
        let widths = (0..<n).map { r in max(90.0, Double(max(rules[r].count, 6 + String(jobs[r]).count)) * 7.5 + 24) }
        let rowWidths = rows.map { row in row.map { widths[$0] }.reduce(0, +) + colGap * Double(max(0, row.count - 1)) }
        let total = (rowWidths.max() ?? 0) + 20
        var x = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
        for (l, row) in rows.enumerated() {
            var cursor = (total - rowWidths[l]) / 2
            for r in row {
                x[r] = cursor + widths[r] / 2
                y[r] = 10 + Double(l) * (boxHeight + rowGap)
                cursor += widths[r] + colGap
            }
        }
        let height = 20 + Double(layerCount) * (boxHeight + rowGap) - rowGap
        var svg = "<svg class=\"rulegraph\" viewBox=\"0 0 \(Int(total)) \(Int(height))\" width=\"\(Int(min(total, 1100)))\" role=\"img\" aria-label=\"rule graph\">"
        svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#999\"/></marker></defs>"
        for e in edges where e.from != e.to {
            let x1 = x[e.from], y1 = y[e.from] + boxHeight, x2 = x[e.to], y2 = y[e.to]
            let mid = (y1 + y2) / 2
            svg += "<path class=\"edge\" marker-end=\"url(#arrow)\" d=\"M\(HTMLReport.f(x1)),\(HTMLReport.f(y1)) C\(HTMLReport.f(x1)),\(HTMLReport.f(mid)) \(HTMLReport.f(x2)),\(HTMLReport.f(mid)) \(HTMLReport.f(x2)),\(HTMLReport.f(y2))\"/>"
        }
        for r in 0..<n {
            let c = color(r, n)
            svg += "<g class=\"node\" data-rule=\"\(HTMLReport.escape(rules[r]))\"><rect x=\"\(HTMLReport.f(x[r] - widths[r] / 2))\" y=\"\(HTMLReport.f(y[r]))\" width=\"\(HTMLReport.f(widths[r]))\" height=\"\(HTMLReport.f(boxHeight))\" rx=\"6\" stroke=\"\(c)\"/>"
            svg += "<text x=\"\(HTMLReport.f(x[r]))\" y=\"\(HTMLReport.f(y[r] + 14))\" text-anchor=\"middle\">\(HTMLReport.escape(rules[r]))</text>"
            svg += "<text x=\"\(HTMLReport.f(x[r]))\" y=\"\(HTMLReport.f(y[r] + 28))\" text-anchor=\"middle\" class=\"count\">\(jobs[r]) job\(jobs[r] == 1 ? "" : "s")</text></g>"
        }
        return svg + "</svg>"
    }
}
