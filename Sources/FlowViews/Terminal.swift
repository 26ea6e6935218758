// FlowViews: what the user looks at. The printers of engine events (Snakemake's plain lines, the
// live view on a terminal), the HTML report and the history tables. Fed by FlowEngine's reporter
// events and by what FlowState recorded; knows nothing of the DAG, the scheduler or executors.
//
// This file: the terminal itself (is it one, how wide, colours) and where text goes.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The colours of Snakemake's log.
public enum ANSI: String {
    case red = "\u{1B}[31m"
    case green = "\u{1B}[32m"
    case yellow = "\u{1B}[33m"
    case bold = "\u{1B}[1m"
    case dim = "\u{1B}[2m"
    static let reset = "\u{1B}[0m"

    func wrap(_ s: String) -> String { rawValue + s + ANSI.reset }
}

/// Where a printer's text goes. `write` gets standard output's bytes, `writeError` standard error's text.
public protocol TextSink: AnyObject {
    func write(_ bytes: [UInt8])
    func writeError(_ text: String)
}

/// File descriptors 1 and 2, written whole (a short write is continued, EINTR retried).
public final class StandardStreams: TextSink {
    public init() {}
    public func write(_ bytes: [UInt8]) { Terminal.writeAll(1, bytes) }
    public func writeError(_ text: String) { Terminal.writeAll(2, Array(text.utf8)) }
}

public enum Terminal {
    /// Whether a run's output should be the live view: standard output is a terminal, colour is
    /// allowed (`--nocolor` and NO_COLOR turn both off, as in Snakemake) and TERM can move the cursor.
    public static func wantsLiveView(quiet: Bool, nocolor: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !quiet && wantsColors(nocolor: nocolor, environment: environment)
    }

    /// Colours only on a terminal and never with `--nocolor` or NO_COLOR (https://no-color.org: any value).
    public static func wantsColors(nocolor: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard !nocolor, environment["NO_COLOR"] == nil, isatty(1) == 1 else { return false }
        return environment["TERM"] != "dumb"
    }

    /// Characters `text` shows on a terminal: its escape sequences (colours) take no room.
    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                // A CSI sequence ends with a byte in @...~ (the `[` right after ESC is not one).
                if scalar.value >= 0x40 && scalar.value <= 0x7E && scalar != "[" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }

    /// Columns and rows of the terminal on `fd` (80×24 when it does not say).
    static func size(_ fd: Int32 = 1) -> (columns: Int, rows: Int) {
        var w = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 { return (Int(w.ws_col), Int(w.ws_row)) }
        return (80, 24)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { p in
            var offset = 0
            while offset < p.count {
                let n = Glibc.write(fd, p.baseAddress! + offset, p.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
