// LiveView: the run on a terminal. A footer (overall progress, a line per rule, the jobs running
// now) is redrawn in place; the log lines of finished and failed jobs, warnings and messages
// scroll above it. The view owns the terminal: every byte of the run's output passes through it,
// so the footer is erased before text is written and drawn again after.
//
// Cost: events only update counters; drawing (and writing the log lines gathered meanwhile)
// happens at most every `interval` seconds, from the event that finds the interval passed or from
// a ticker thread (elapsed times move while nothing happens). No cursor hiding and no alternate
// screen, so a flow killed with -9 leaves at worst a stale footer, never a broken terminal.

import Foundation
import FlowEngine

public final class LiveView: EngineReporter, TextSink {
    private let lock = NSLock()
    private var printer: Printer!
    private var model: ProgressModel
    /// Standard output's bytes waiting for the next draw.
    private var pending: [UInt8] = []
    /// Lines of the footer now on screen (0: none).
    private var footerLines = 0
    /// The footer appears with the first job that really starts (not in dry runs or listings).
    private var active = false
    private var dirty = false
    private var lastDraw = 0.0
    private let interval: Double
    private var ticker: Thread?
    private var stopped = false
    /// The terminal (standard output; a file in tests).
    private let out: Int32

    /// `interval`: the least time between two draws (0.1 s: at most 10 per second).
    public init(printShellCommands: Bool, interval: Double = 0.1, output: Int32 = 1) {
        self.interval = interval
        self.out = output
        model = ProgressModel(started: Self.now())
        printer = nil
        printer = Printer(quiet: false, printShellCommands: printShellCommands, colors: true, sink: self)
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    // MARK: TextSink (the printer's output)

    public func write(_ bytes: [UInt8]) {
        // Called with `lock` held (from an event) or from `finish`.
        if active { pending.append(contentsOf: bytes) } else { Terminal.writeAll(out, bytes) }
    }

    public func writeError(_ text: String) {
        // Errors appear at once: flow may stop right after them.
        if active {
            drawLocked(force: true, errorText: text)
        } else {
            Terminal.writeAll(2, Array(text.utf8))
        }
    }

    // MARK: Drawing

    private func drawLocked(force: Bool, errorText: String? = nil) {
        let now = Self.now()
        if (force || errorText != nil) && !stopped && now - lastDraw < interval {
            // Text that must go out now (an error, a flush) is written at once, but the footer waits for its
            // turn (thousands of failures with --keep-going must not mean thousands of redraws): the next
            // event or tick draws it.
            printer.flush()
            var text = eraseFooter()
            text.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
            Terminal.writeAll(out, text)
            if let errorText { Terminal.writeAll(2, Array(errorText.utf8)) }
            dirty = true
            return
        }
        guard force || (dirty && now - lastDraw >= interval) || now - lastDraw >= 1 else { return }
        lastDraw = now
        dirty = false
        printer.flush()
        var text = eraseFooter()
        text.append(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
        if let errorText {
            // Standard error may be another file; standard output's part goes first.
            Terminal.writeAll(out, text)
            Terminal.writeAll(2, Array(errorText.utf8))
            text = []
        }
        if active && !stopped {
            let size = Terminal.size(out)
            let lines = model.footer(now: now, width: size.columns, maxLines: max(3, size.rows / 2), colors: true)
            for line in lines { text.append(contentsOf: line.utf8); text.append(10) }
            footerLines = lines.count
        }
        Terminal.writeAll(out, text)
    }

    /// Moves to the footer's first line and clears to the end of the screen.
    private func eraseFooter() -> [UInt8] {
        guard footerLines > 0 else { return [] }
        defer { footerLines = 0 }
        return Array("\r\u{1B}[\(footerLines)A\u{1B}[J".utf8)
    }

    private func event(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body()
        dirty = true
        if active { drawLocked(force: false) }
    }

    private func startTicker() {
        let thread = Thread { [weak self] in
            while let self, !self.isStopped {
                usleep(250_000)
                self.lock.lock()
                if self.active && !self.stopped { self.drawLocked(force: false) }
                self.lock.unlock()
            }
        }
        thread.name = "flow-live-view"
        thread.start()
        ticker = thread
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Erases the footer and writes what is left; the terminal is as a plain run would leave it.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        drawLocked(force: true)
        active = false
    }

    // MARK: EngineReporter

    public func buildingDAG() { event { printer.buildingDAG() } }

    public func jobStats(_ counts: [(rule: String, count: Int)]) {
        event {
            model.planned(counts)
            printer.jobStats(counts)
        }
    }

    public func jobStarted(_ job: JobReport, dryRun: Bool) {
        if dryRun {
            event { printer.jobStarted(job, dryRun: true) }
            return
        }
        event {
            if !active {
                printer.flush()
                active = true
                startTicker()
            }
            let wildcards = job.wildcards.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            model.started(jobid: job.jobid, rule: job.rule, wildcards: wildcards, at: Self.now())
            // The footer shows what runs; only -p asks for the commands in the log.
            if printer.printShellCommands, let command = job.shellCommand { printer.info(command) }
        }
    }

    public func jobSubmitted(jobid: Int, attempt: Int, executor: String, externalID: String) {
        event { model.submitted(jobid: jobid, executor: executor, externalID: externalID) }
    }

    public func jobFinished(_ job: JobReport) {
        event {
            let started = model.running[job.jobid]?.started
            let now = Self.now()
            model.ended(jobid: job.jobid, rule: job.rule, succeeded: true, at: now)
            var text = "[\(Printer.timestampFormat.string(from: Date()))] Finished jobid: \(job.jobid) (Rule: \(job.rule))"
            if !job.wildcards.isEmpty { text += " " + job.wildcards.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }
            if let started { text += String(format: " in %.1f s", now - started) }
            printer.info(ANSI.green.wrap(text))
        }
    }

    public func progress(done: Int, total: Int) { event { model.setTotal(total) } }

    public func jobFailed(_ job: JobReport, exitStatus: Int32?, reason: String, removedOutputs: [String], logTail: String?) {
        event {
            model.ended(jobid: job.jobid, rule: job.rule, succeeded: false, at: Self.now())
            lastFailedRule[job.jobid] = job.rule
            printer.jobFailed(job, exitStatus: exitStatus, reason: reason, removedOutputs: removedOutputs, logTail: logTail)
        }
    }

    public func jobRetrying(jobid: Int) {
        event {
            // The failed attempt's rule: the last failure reported for this job.
            if let rule = lastFailedRule[jobid] { model.retrying(rule: rule) }
            printer.info("Trying to restart job \(jobid).")
        }
    }

    private var lastFailedRule: [Int: String] = [:]

    public func nothingToDo() { event { printer.nothingToDo() } }

    public func dryRunFinished(_ counts: [(rule: String, count: Int)], reasons: [(reason: String, rules: [String])]) {
        event { printer.dryRunFinished(counts, reasons: reasons) }
    }

    public func info(_ message: String) { event { printer.info(message) } }

    public func warning(_ message: String) { event { printer.warning(message) } }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        if active { drawLocked(force: true) } else { printer.flush() }
    }
}
