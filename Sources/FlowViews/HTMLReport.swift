// HTMLReport: `flow run --report report.html` as one self-contained file (inline CSS, JavaScript
// and SVG; images embedded as data: URLs; nothing is fetched from the network). Sections: the
// rule graph, a timeline of every job coloured by rule, per-rule runtime statistics, the files
// marked report(...) by category with their captions, the config, and the last runs.

import Foundation
import FlowEngine

public enum HTMLReport {
    /// Jobs listed one by one in the table under the timeline (the timeline itself shows all).
    static let tableLimit = 5000
    /// Rows of a CSV/TSV result rendered as a table.
    static let rowLimit = 1000

    public static func render(_ data: ReportData) -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>flow report: \(escape(data.snakefile))</title>
        <style>\(css)</style></head><body>
        <header><h1>Workflow report</h1>
        <p class="meta">\(escape(data.snakefile)) · created \(escape(HistoryView.time(data.created))) · \(data.jobs.count) jobs recorded · \(data.rules.count) rules</p>
        <nav><a href="#graph">Rule graph</a><a href="#timeline">Timeline</a><a href="#stats">Runtimes</a>\
        <a href="#results">Results</a><a href="#config">Config</a><a href="#runs">Runs</a></nav></header>
        <main>
        """
        html += section("graph", "Rule graph", ReportGraph.svg(rules: data.rules.map(\.name), jobs: data.rules.map(\.jobs), edges: data.ruleEdges, color: color))
        html += section("timeline", "Timeline", timeline(data))
        html += section("stats", "Runtimes per rule", stats(data))
        html += section("results", "Results", results(data))
        html += section("config", "Config", "<pre class=\"config\">\(escape(data.config))</pre>")
        html += section("runs", "Runs", runs(data))
        html += "</main><script>\(script)</script></body></html>\n"
        return html
    }

    static func section(_ id: String, _ title: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(escape(title))</h2>\n\(body)\n</section>\n"
    }

    /// One hue per rule, spread around the circle (as --dag colours them).
    static func color(_ index: Int, _ count: Int) -> String {
        let hue = count == 0 ? 0 : Int(Double(index) / Double(count) * 360)
        return "hsl(\(hue),60%,50%)"
    }

    // MARK: Timeline

    static func timeline(_ data: ReportData) -> String {
        guard let first = data.jobs.map(\.start).min(), let last = data.jobs.map(\.end).max() else {
            return "<p>No job has been recorded yet (run the workflow first).</p>"
        }
        let ruleIndex = Dictionary(data.rules.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Lanes: each job goes into the first lane free at its start, so the height is the concurrency.
        var laneEnds: [Double] = []
        var lanes: [Int] = []
        for job in data.jobs {
            if let lane = laneEnds.firstIndex(where: { $0 <= job.start }) {
                laneEnds[lane] = job.end
                lanes.append(lane)
            } else {
                laneEnds.append(job.end)
                lanes.append(laneEnds.count - 1)
            }
        }
        let span = max(last - first, 1e-3)
        let width = 1000.0, left = 10.0, laneHeight = 18.0, top = 24.0
        let height = top + Double(laneEnds.count) * laneHeight + 10
        var svg = "<svg class=\"timeline\" viewBox=\"0 0 \(Int(width + 2 * left)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"timeline of \(data.jobs.count) jobs\">"
        // Axis: five ticks.
        for t in 0...4 {
            let x = left + width * Double(t) / 4
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top - 4))\" x2=\"\(f(x))\" y2=\"\(f(height - 6))\" class=\"tick\"/>"
            svg += "<text x=\"\(f(x))\" y=\"12\" text-anchor=\"\(t == 0 ? "start" : t == 4 ? "end" : "middle")\">+\(escape(clock(span * Double(t) / 4)))</text>"
        }
        for (i, job) in data.jobs.enumerated() {
            let x = left + (job.start - first) / span * width
            let w = max(1.5, (job.end - job.start) / span * width)
            let y = top + Double(lanes[i]) * laneHeight
            let r = ruleIndex[job.rule] ?? 0
            var tip = "\(job.rule)\(job.wildcards.isEmpty ? "" : " " + job.wildcards)\n\(HistoryView.time(job.start)) → \(HistoryView.time(job.end)) (\(HistoryView.duration(job.end - job.start)))\nhost \(job.host)"
            if let executor = job.executor { tip += "\n\(executor)" + (job.externalID.map { " \($0)" } ?? "") }
            svg += "<rect class=\"job\" data-rule=\"\(escape(job.rule))\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(laneHeight - 4))\" fill=\"\(color(r, data.rules.count))\"><title>\(escape(tip))</title></rect>"
        }
        svg += "</svg>"
        var legend = "<ul class=\"legend\">"
        for (i, rule) in data.rules.enumerated() {
            legend += "<li data-rule=\"\(escape(rule.name))\"><span style=\"background:\(color(i, data.rules.count))\"></span>\(escape(rule.name))</li>"
        }
        legend += "</ul>"
        var table = "<details><summary>All jobs (\(data.jobs.count))</summary><table class=\"jobs\"><thead><tr><th>rule</th><th>wildcards</th><th>start</th><th>end</th><th>duration</th><th>host</th><th>executor id</th></tr></thead><tbody>"
        for job in data.jobs.prefix(tableLimit) {
            let executor = job.executor.map { $0 + (job.externalID.map { " " + $0 } ?? "") } ?? "-"
            table += "<tr><td>\(escape(job.rule))</td><td>\(escape(job.wildcards))</td><td>\(escape(HistoryView.time(job.start)))</td><td>\(escape(HistoryView.time(job.end)))</td><td>\(escape(HistoryView.duration(job.end - job.start)))</td><td>\(escape(job.host))</td><td>\(escape(executor))</td></tr>"
        }
        table += "</tbody></table>"
        if data.jobs.count > tableLimit { table += "<p>… and \(data.jobs.count - tableLimit) more (see the timeline).</p>" }
        table += "</details>"
        return "<p class=\"meta\">From \(escape(HistoryView.time(first))) to \(escape(HistoryView.time(last))) (\(escape(HistoryView.duration(last - first)))); hover a bar for its job, a rule to highlight its jobs.</p>" + svg + legend + table
    }

    // MARK: Statistics

    static func stats(_ data: ReportData) -> String {
        var rows = "<table class=\"stats sortable\"><thead><tr><th>rule</th><th>jobs</th><th>min</th><th>mean</th><th>median</th><th>max</th><th>total</th></tr></thead><tbody>"
        for rule in data.rules {
            let times = data.jobs.filter { $0.rule == rule.name }.map { $0.end - $0.start }.sorted()
            guard !times.isEmpty else {
                rows += "<tr><td>\(escape(rule.name))</td><td>0</td><td colspan=\"5\">no outputs recorded</td></tr>"
                continue
            }
            let total = times.reduce(0, +)
            let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            let cells = [times.first!, total / Double(times.count), median, times.last!, total]
                .map { "<td data-value=\"\($0)\">\(escape(HistoryView.duration($0)))</td>" }.joined()
            rows += "<tr><td>\(escape(rule.name))</td><td data-value=\"\(times.count)\">\(times.count)</td>\(cells)</tr>"
        }
        return rows + "</tbody></table>"
    }

    // MARK: Results

    static func results(_ data: ReportData) -> String {
        guard !data.files.isEmpty else { return "<p>No output is marked with <code>report(...)</code>.</p>" }
        var byCategory: [(String, [ReportData.File])] = []
        for file in data.files {
            let category = file.category ?? "Other"
            if let i = byCategory.firstIndex(where: { $0.0 == category }) { byCategory[i].1.append(file) } else { byCategory.append((category, [file])) }
        }
        var html = ""
        for (category, files) in byCategory {
            html += "<h3>\(escape(category))</h3>"
            for file in files {
                html += "<figure class=\"result\"><figcaption><code>\(escape(file.path))</code> · rule \(escape(file.rule))"
                if let sub = file.subcategory { html += " · \(escape(sub))" }
                html += "</figcaption>"
                if let caption = file.caption { html += "<div class=\"caption\">\(escape(caption))</div>" }
                html += body(of: file)
                html += "</figure>"
            }
        }
        return html
    }

    static let imageTypes = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
                             "svg": "image/svg+xml", "webp": "image/webp"]

    static func body(of file: ReportData.File) -> String {
        guard let contents = file.contents else { return "<p class=\"missing\">(missing or too large to embed)</p>" }
        let ext = (file.path as NSString).pathExtension.lowercased()
        if let type = imageTypes[ext] {
            return "<img alt=\"\(escape(file.path))\" src=\"data:\(type);base64,\(contents.base64EncodedString())\">"
        }
        let text = String(decoding: contents, as: UTF8.self)
        if ext == "csv" || ext == "tsv" {
            return table(text, separator: ext == "tsv" ? "\t" : ",")
        }
        if ["txt", "log", "json", "yaml", "yml", "vcf", "md", "rst"].contains(ext) || !contents.contains(0) {
            let shown = text.count > 100_000 ? String(text.prefix(100_000)) + "\n…" : text
            return "<pre>\(escape(shown))</pre>"
        }
        return "<a download=\"\((file.path as NSString).lastPathComponent)\" href=\"data:application/octet-stream;base64,\(contents.base64EncodedString())\">download (\(contents.count) bytes)</a>"
    }

    /// A CSV or TSV file as a table; the first row is the header. Quoted CSV fields ("a,b") are kept whole.
    static func table(_ text: String, separator: Character) -> String {
        let lines = text.split(whereSeparator: \.isNewline).prefix(rowLimit + 1)
        guard let header = lines.first else { return "<p>(empty)</p>" }
        func cells(_ line: Substring) -> [String] {
            guard separator == "," else { return line.split(separator: separator, omittingEmptySubsequences: false).map(String.init) }
            var out: [String] = [], field = "", quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { out.append(field); field = "" } else { field.append(ch) }
            }
            out.append(field)
            return out
        }
        var html = "<table class=\"data\"><thead><tr>" + cells(header).map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for line in lines.dropFirst().prefix(rowLimit) {
            html += "<tr>" + cells(line).map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table>"
    }

    // MARK: Runs

    static func runs(_ data: ReportData) -> String {
        guard !data.runs.isEmpty else { return "<p>No runs recorded.</p>" }
        var html = "<table><thead><tr><th>run</th><th>start</th><th>end</th><th>status</th><th>host</th></tr></thead><tbody>"
        for run in data.runs.reversed() {
            html += "<tr><td>\(escape(run.id))</td><td>\(escape(HistoryView.time(run.startTime)))</td><td>\(escape(run.endTime.map(HistoryView.time) ?? "-"))</td><td>\(escape(run.status.rawValue))</td><td>\(escape(run.host))</td></tr>"
        }
        return html + "</tbody></table>"
    }

    // MARK: Helpers

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    static func clock(_ seconds: Double) -> String { seconds < 60 ? String(format: "%.1fs", seconds) : ProgressModel.clock(seconds) }

    static let css = """
    body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
    header{background:#2b5b84;color:#fff;padding:12px 24px}header h1{margin:0;font-size:1.4em}
    header .meta{color:#dde}nav a{color:#fff;margin-right:14px}
    main{padding:0 24px 40px}section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:18px 0;padding:8px 16px}
    h2{font-size:1.15em;border-bottom:1px solid #eee;padding-bottom:4px}
    .meta{color:#666;font-size:.9em}svg text{font:11px sans-serif;fill:#333}
    .tick{stroke:#ddd}.edge{stroke:#999;stroke-width:1.5;fill:none}.node rect{stroke-width:2;fill:#fff}
    .node text{font:12px sans-serif}.job{stroke:#fff;stroke-width:.5}.job.dim{opacity:.15}
    .legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:12px}.legend li{cursor:pointer}
    .legend span{display:inline-block;width:12px;height:12px;margin-right:4px;border-radius:2px;vertical-align:middle}
    table{border-collapse:collapse;font-size:.9em;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
    th{background:#f0f0f0}.sortable th{cursor:pointer}figure.result{margin:12px 0;border-top:1px solid #eee;padding-top:8px}
    figure img{max-width:100%;border:1px solid #eee}.caption{white-space:pre-wrap;margin:6px 0;color:#333}
    pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:400px}
    """

    /// Highlighting a rule's jobs from the legend, and sorting the statistics table by a column.
    static let script = """
    (function(){
      var jobs=document.querySelectorAll('rect.job');
      document.querySelectorAll('.legend li, .node').forEach(function(item){
        var rule=item.getAttribute('data-rule');
        item.addEventListener('mouseenter',function(){jobs.forEach(function(j){j.classList.toggle('dim',j.getAttribute('data-rule')!==rule);});});
        item.addEventListener('mouseleave',function(){jobs.forEach(function(j){j.classList.remove('dim');});});
      });
      document.querySelectorAll('table.sortable').forEach(function(table){
        table.querySelectorAll('th').forEach(function(th,col){
          th.addEventListener('click',function(){
            var body=table.tBodies[0], rows=Array.prototype.slice.call(body.rows);
            var key=function(r){var c=r.cells[col];if(!c)return '';var v=c.getAttribute('data-value');return v===null?c.textContent:parseFloat(v);};
            var asc=th.getAttribute('data-order')!=='asc';th.setAttribute('data-order',asc?'asc':'desc');
            rows.sort(function(a,b){var x=key(a),y=key(b);return (x<y?-1:x>y?1:0)*(asc?1:-1);});
            rows.forEach(function(r){body.appendChild(r);});
          });
        });
      });
      document.body.setAttribute('data-report-ready', String(jobs.length));
    })();
    """
}
