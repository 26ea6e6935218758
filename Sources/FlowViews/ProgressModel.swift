// ProgressModel: the numbers behind the live view's footer: jobs per rule by state, the jobs
// running now, and an estimate of the time left from the runtimes of finished jobs of the same
// rules. Plain data updated by reporter events; `footer` turns it into lines of a given width.

import Foundation

struct ProgressModel {
    struct RuleCounts {
        var total = 0
        var done = 0
        var running = 0
        var failed = 0
        /// Sum of the runtimes of finished jobs, for the mean.
        var seconds = 0.0
    }

    struct Running {
        var rule: String
        var wildcards: String
        var started: Double
        var executor: String?
        var externalID: String?
    }

    private(set) var rules: [String: RuleCounts] = [:]
    /// Rules in the order the run listed them (the "Job stats" table).
    private(set) var ruleOrder: [String] = []
    private(set) var running: [Int: Running] = [:]
    /// Total planned (grows when checkpoints add jobs).
    private(set) var total = 0
    let started: Double

    init(started: Double) { self.started = started }

    var done: Int { rules.values.reduce(0) { $0 + $1.done } }
    var failed: Int { rules.values.reduce(0) { $0 + $1.failed } }
    var queued: Int { max(0, total - done - failed - running.count) }

    mutating func planned(_ counts: [(rule: String, count: Int)]) {
        for (rule, count) in counts {
            if rules[rule] == nil { ruleOrder.append(rule) }
            rules[rule, default: RuleCounts()].total = max(rules[rule]?.total ?? 0, count)
        }
        total = max(total, rules.values.reduce(0) { $0 + $1.total })
    }

    mutating func setTotal(_ n: Int) { total = max(total, n) }

    mutating func started(jobid: Int, rule: String, wildcards: String, at time: Double) {
        if rules[rule] == nil { ruleOrder.append(rule); rules[rule] = RuleCounts() }
        if running[jobid] == nil { rules[rule]!.running += 1 }
        running[jobid] = Running(rule: rule, wildcards: wildcards, started: time)
    }

    mutating func submitted(jobid: Int, executor: String, externalID: String) {
        running[jobid]?.executor = executor
        running[jobid]?.externalID = externalID
    }

    /// A job ended. `failed`: for good (a retry starts it again and counts it as running).
    mutating func ended(jobid: Int, rule: String, succeeded: Bool, at time: Double) {
        let job = running.removeValue(forKey: jobid)
        if rules[rule] == nil { ruleOrder.append(rule); rules[rule] = RuleCounts() }
        if job != nil { rules[rule]!.running -= 1 }
        if succeeded {
            rules[rule]!.done += 1
            rules[rule]!.seconds += time - (job?.started ?? time)
        } else {
            rules[rule]!.failed += 1
        }
    }

    /// A failed job that will run again is not a failure yet.
    mutating func retrying(rule: String) {
        if (rules[rule]?.failed ?? 0) > 0 { rules[rule]!.failed -= 1 }
    }

    /// Seconds left: the jobs not finished times the mean runtime of their rule (of all finished
    /// jobs when their rule has none yet), less what running jobs have done, over the jobs that
    /// run at once. nil before any job has finished.
    func estimatedSecondsLeft(now: Double) -> Double? {
        let finished = rules.values.reduce(0) { $0 + $1.done }
        guard finished > 0 else { return nil }
        let overallMean = rules.values.reduce(0) { $0 + $1.seconds } / Double(finished)
        var work = 0.0
        for counts in rules.values {
            let mean = counts.done > 0 ? counts.seconds / Double(counts.done) : overallMean
            work += Double(max(0, counts.total - counts.done - counts.failed)) * mean
        }
        for job in running.values {
            let counts = rules[job.rule]
            let mean = (counts?.done ?? 0) > 0 ? counts!.seconds / Double(counts!.done) : overallMean
            work -= min(mean, now - job.started)
        }
        return max(0, work) / Double(max(1, running.count))
    }

    // MARK: Rendering

    /// The footer's lines, none longer than `width` characters, at most `maxLines` of them.
    func footer(now: Double, width: Int, maxLines: Int, colors: Bool) -> [String] {
        let width = max(20, width - 1)   // never the last column: some terminals wrap there
        var lines: [String] = []
        let fraction = total == 0 ? 0 : Double(done) / Double(total)
        var text = "\(done)/\(total) done, \(running.count) running, \(queued) queued, \(failed) failed"
        text += " | \(Self.clock(now - started))"
        if let left = estimatedSecondsLeft(now: now), done < total { text += ", ~\(Self.clock(left)) left" }
        // The bar takes the room the numbers leave (up to 30 columns); none below 5.
        let barWidth = min(30, width - text.count - 1)
        var head = text
        if barWidth >= 5 {
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            head = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled) + " " + text
        }
        lines.append(paint(Self.fit(head, width), failed > 0 ? .red : .bold, colors))
        let nameWidth = min(30, ruleOrder.map(\.count).max() ?? 0)
        let budget = max(1, maxLines - 1)
        let ruleLines = ruleOrder.filter { rules[$0]!.total > 0 || rules[$0]!.running > 0 }
        // Rules first, then as many running jobs as the room allows.
        let shownRules = min(ruleLines.count, max(1, budget / 2))
        for rule in ruleLines.prefix(shownRules) {
            let c = rules[rule]!
            var text = "  " + rule.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            text += "  \(c.done)/\(c.total) done"
            if c.running > 0 { text += ", \(c.running) running" }
            if c.failed > 0 { text += ", \(c.failed) failed" }
            lines.append(paint(Self.fit(text, width), c.failed > 0 ? .red : (c.done == c.total ? .green : nil), colors))
        }
        if ruleLines.count > shownRules { lines.append(Self.fit("  ... \(ruleLines.count - shownRules) more rules", width)) }
        let room = max(0, maxLines - lines.count)
        let jobs = running.sorted { ($0.value.started, $0.key) < ($1.value.started, $1.key) }
        let shownJobs = jobs.count > room ? max(0, room - 1) : jobs.count
        for (jobid, job) in jobs.prefix(shownJobs) {
            var text = "  > \(job.rule)"
            if !job.wildcards.isEmpty { text += " " + job.wildcards }
            text += " (job \(jobid)"
            if let executor = job.executor { text += ", \(executor)" + (job.externalID.map { " \($0)" } ?? "") }
            text += ") " + Self.clock(now - job.started)
            lines.append(Self.fit(text, width))
        }
        if jobs.count > shownJobs, room > 0 { lines.append(Self.fit("  ... \(jobs.count - shownJobs) more running", width)) }
        return lines
    }

    private func paint(_ s: String, _ color: ANSI?, _ colors: Bool) -> String {
        guard colors, let color else { return s }
        return color.wrap(s)
    }

    static func fit(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : String(s.prefix(max(0, width - 3))) + "..."
    }

    /// 75 → "1:15", 3725 → "1:02:05".
    static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
