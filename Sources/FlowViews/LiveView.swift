// LiveView: the run on a terminal. A footer (overall progress, a line per rule, the jobs running
// now) is redrawn in place; the log lines of finished and failed jobs, warnings and messages
// scroll above it. The view owns the terminal: every byte of the run's output passes through it,
// so the footer is erased before text is written and drawn again after.
//
// Cost: events only update counters and gather log lines; drawing (and writing the log lines
// gathered meanwhile) happens at most every `interval` seconds, on a ticker thread, so the
// scheduler never blocks on a slow terminal; errors, flushes and the end draw at once. No cursor
// hiding and no alternate screen, so a flow killed with -9 leaves at worst a stale footer, never a broken terminal.

import Foundation
import FlowEngine

public final class LiveView: EngineReporter, TextSink {
    private let lock = NSLock()
    /// Serializes writes to the terminal in the order they were composed (taken with `lock` held).
    private let writeLock = NSLock()
    private var printer: Printer!
    private var model: ProgressModel
    /// Standard output's bytes waiting for the next draw.
    private var pending: [UInt8] = []
    /// Visible widths of the footer's lines as drawn (none: no footer on the screen).
    private var footerWidths: [Int] = []
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

    /// Draws now, on the caller's thread (an error, a flush, the end): what must be on the
    /// terminal before flow goes on.
    private func drawLocked(force: Bool, errorText: String? = nil) {
        let chunks = composeLocked(force: force, errorText: errorText)
        writeLock.lock()
        Self.write(chunks)
        writeLock.unlock()
    }

    /// What to write for a draw, as (descriptor, bytes) in order; empty when it is not time yet.
    private func composeLocked(force: Bool, errorText: String? = nil) -> [(Int32, [UInt8])] {
        let now = Self.now()
        if (force || errorText != nil) && !stopped && now - lastDraw < interval {
            // Text that must go out now (an error, a flush) is written at once, but the footer waits for its
            // turn (thousands of failures with --keep-going must not mean thousands of redraws): the next
            // tick draws it.
            printer.flush()
            var text = eraseFooter()
            text.append(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
            dirty = true
            var chunks: [(Int32, [UInt8])] = [(out, text)]
            if let errorText { chunks.append((2, Array(errorText.utf8))) }
            return chunks
        }
        guard force || (dirty && now - lastDraw >= interval) || now - lastDraw >= 1 else { return [] }
        lastDraw = now
        dirty = false
        printer.flush()
        var chunks: [(Int32, [UInt8])] = []
        var text = eraseFooter()
        text.append(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
        if let errorText {
            // Standard error may be another file; standard output's part goes first.
            chunks.append((out, text))
            chunks.append((2, Array(errorText.utf8)))
            text = []
        }
        if active && !stopped {
            let size = Terminal.size(out)
            let lines = model.footer(now: now, width: size.columns, maxLines: max(3, size.rows / 2), colors: true)
            for line in lines { text.append(contentsOf: line.utf8); text.append(10) }
            footerWidths = lines.map(Terminal.visibleWidth)
        }
        chunks.append((out, text))
        return chunks
    }

    private static func write(_ chunks: [(Int32, [UInt8])]) {
        for (fd, bytes) in chunks where !bytes.isEmpty { Terminal.writeAll(fd, bytes) }
    }

    /// A terminal made narrower since the footer was drawn has re-wrapped its lines: each now
    /// takes ceil(width / columns) rows, and the cursor must climb them all.
    private func eraseFooter() -> [UInt8] {
        guard !footerWidths.isEmpty else { return [] }
        defer { footerWidths = [] }
        let columns = max(1, Terminal.size(out).columns)
        let rows = footerWidths.reduce(0) { $0 + max(1, ($1 + columns - 1) / columns) }
        return Array("\r\u{1B}[\(rows)A\u{1B}[J".utf8)
    }

    /// Events only update the model and gather log lines: the thread that reports them (the
    /// scheduler's) never waits for the terminal, which may be slower than the jobs.
    private func event(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body()
        dirty = true
    }

    /// Draws every `interval` when something changed (every second regardless: elapsed times
    /// move). The bytes are written outside `lock`, so events go on meanwhile; `writeLock`, taken
    /// before `lock` is released, keeps draws in the order they were composed.
    private func startTicker() {
        let thread = Thread { [weak self] in
            guard let pause = self.map({ useconds_t(max(0.01, $0.interval) * 1_000_000) }) else { return }
            while let self, !self.isStopped {
                usleep(pause)
                self.lock.lock()
                let chunks = self.active && !self.stopped ? self.composeLocked(force: false) : []
                self.writeLock.lock()
                self.lock.unlock()
                Self.write(chunks)
                self.writeLock.unlock()
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
            var text = printer.stamp() + " Finished jobid: \(job.jobid) (Rule: \(job.rule))"
            if !job.wildcards.isEmpty { text += " " + job.wildcards.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }
            if let started {
                // Tenths by hand: String(format:) costs more than the rest of the event.
                let tenths = Int(((now - started) * 10).rounded())
                text += " in \(tenths / 10).\(tenths % 10) s"
            }
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
