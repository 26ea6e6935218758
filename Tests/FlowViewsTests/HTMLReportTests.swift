import Foundation
import XCTest
import FlowEngine
@testable import FlowViews

final class HTMLReportTests: XCTestCase {
    private func data(files: [ReportData.File] = []) -> ReportData {
        ReportData(
            snakefile: "/w/Snakefile", created: 1_700_000_000,
            rules: [(name: "a<b>", jobs: 2), (name: "merge", jobs: 1)], ruleEdges: [(from: 0, to: 1)],
            jobs: [
                ReportData.Job(rule: "a<b>", wildcards: "s=1", start: 100, end: 110, host: "h1", executor: "slurm", externalID: "42"),
                ReportData.Job(rule: "a<b>", wildcards: "s=2", start: 100, end: 105, host: "h1"),
                ReportData.Job(rule: "merge", wildcards: "", start: 110, end: 111, host: "h2"),
            ],
            files: files, config: "{\"k\": \"<v>\"}", runs: [])
    }

    func testSectionsAndEscaping() {
        let html = HTMLReport.render(data())
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertFalse(html.contains("a<b>"), "names are escaped")
        XCTAssertTrue(html.contains("a&lt;b&gt;"))
        XCTAssertTrue(html.contains("&quot;k&quot;: &quot;&lt;v&gt;&quot;"))
        XCTAssertEqual(html.components(separatedBy: "<rect class=\"job\"").count - 1, 3)
        XCTAssertEqual(html.components(separatedBy: "<g class=\"node\"").count - 1, 2)
        XCTAssertEqual(html.components(separatedBy: "<path class=\"edge\"").count - 1, 1)
        XCTAssertTrue(html.contains("slurm 42"), "executor ids in the job table and tooltips")
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "nothing from the network")
    }

    /// Two jobs that overlap share no lane; the third starts when the first ends and reuses its lane.
    func testTimelineLanesFollowConcurrency() {
        let html = HTMLReport.timeline(data())
        let ys = html.components(separatedBy: "<rect class=\"job\"").dropFirst().map { chunk -> String in
            let y = chunk.range(of: "y=\"")!.upperBound
            return String(chunk[y...].prefix { $0 != "\"" })
        }
        XCTAssertEqual(ys.count, 3)
        XCTAssertNotEqual(ys[0], ys[1])
        XCTAssertTrue(ys[2] == ys[0] || ys[2] == ys[1])
    }

    func testStatistics() {
        let html = HTMLReport.stats(data())
        // a<b>: 10 s and 5 s: min 5, mean 7.5, median 7.5, max 10, total 15.
        XCTAssertTrue(html.contains("<td data-value=\"2\">2</td><td data-value=\"5.0\">5.0 s</td><td data-value=\"7.5\">7.5 s</td><td data-value=\"7.5\">7.5 s</td><td data-value=\"10.0\">10.0 s</td><td data-value=\"15.0\">15.0 s</td>"), html)
    }

    func testResultsByCategoryWithImagesAndTables() {
        let png = Data([0x89, 0x50, 0x4E, 0x47])
        let html = HTMLReport.results(data(files: [
            ReportData.File(path: "plots/p.png", rule: "plot", wildcards: "", caption: "A *plot*.", category: "Figures", contents: png),
            ReportData.File(path: "t.csv", rule: "tab", wildcards: "", caption: nil, category: "Tables",
                            contents: Data("name,value\n\"x, y\",1\nz,<2>\n".utf8)),
            ReportData.File(path: "gone.tsv", rule: "tab", wildcards: "", category: "Tables", contents: nil),
        ]))
        XCTAssertTrue(html.contains("<h3>Figures</h3>"))
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,\(png.base64EncodedString())\""))
        XCTAssertTrue(html.contains("<div class=\"caption\">A *plot*.</div>"))
        XCTAssertTrue(html.contains("<thead><tr><th>name</th><th>value</th></tr></thead><tbody><tr><td>x, y</td><td>1</td></tr><tr><td>z</td><td>&lt;2&gt;</td></tr>"), html)
        XCTAssertTrue(html.contains("(missing or too large to embed)"))
        XCTAssertEqual(html.components(separatedBy: "<h3>Tables</h3>").count - 1, 1, "one heading per category")
    }

    func testGraphLayersFollowDependencies() {
        let svg = ReportGraph.svg(rules: ["a", "b", "c"], jobs: [1, 1, 1], edges: [(from: 0, to: 1), (from: 1, to: 2), (from: 0, to: 2)],
                                  color: HTMLReport.color)
        func y(_ rule: String) -> Double {
            let chunk = svg.components(separatedBy: "data-rule=\"\(rule)\"")[1]
            let start = chunk.range(of: "y=\"")!.upperBound
            return Double(chunk[start...].prefix { $0 != "\"" })!
        }
        XCTAssertLessThan(y("a"), y("b"))
        XCTAssertLessThan(y("b"), y("c"), "longest path: c below b")
    }
}
