// `--dag` and `--rulegraph`: Graphviz dot in Snakemake's layout (one colour per rule, dashed
import Foundation
// boxes for jobs that will run), renderable by `dot -Tsvg`.

public enum Graphviz {
    public struct Node {
        public var id: Int
        public var label: String
        /// Index of the node's rule among `ruleCount` rules (decides the colour).
        public var ruleIndex: Int
        public var willRun: Bool
        public init(id: Int, label: String, ruleIndex: Int, willRun: Bool) {
            self.id = id
            self.label = label
            self.ruleIndex = ruleIndex
            self.willRun = willRun
        }
    }

    public static func render(name: String, nodes: [Node], edges: [(from: Int, to: Int)], ruleCount: Int) -> String {
        var out = "digraph \(name) {\n"
        out += "    graph[bgcolor=white, margin=0];\n"
        out += "    node[shape=box, style=rounded, fontname=sans, fontsize=10, penwidth=2];\n"
        out += "    edge[penwidth=2, color=grey];\n"
        for node in nodes {
            let hue = ruleCount == 0 ? 0 : Double(node.ruleIndex) / Double(ruleCount)
            let color = String(format: "%.2f 0.6 0.85", hue)
            let style = node.willRun ? "rounded,dashed" : "rounded"
            out += "\t\(node.id)[label = \"\(escape(node.label))\", color = \"\(color)\", style=\"\(style)\"];\n"
        }
        for edge in edges { out += "\t\(edge.from) -> \(edge.to)\n" }
        out += "}\n"
        return out
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
