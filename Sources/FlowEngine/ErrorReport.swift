// Turns any error escaping a run into the text the user sees: `file:line:col: message`, the
// source line and a caret for errors with a position; a plain message otherwise. Never a Swift
// stack trace.

import Foundation
import FlowLang
import FlowSyntax

public enum ErrorReport {
    public static func describe(_ error: Error) -> String {
        switch error {
        case let d as Diagnostic:
            return d.description
        case let e as PyError:
            return describe(e)
        default:
            return String(describing: error)
        }
    }

    static func describe(_ e: PyError) -> String {
        let message = e.type == "WorkflowError" ? e.message : e.description
        let notes = e.notes.map { "\n" + $0 }.joined()
        guard let innermost = e.traceback.first else { return message + notes }
        var out = "\(innermost.file):\(innermost.location.line):\(innermost.location.column): \(message)"
        if let line = sourceLine(innermost.file, innermost.location.line), !line.isEmpty {
            out += "\n    \(line)\n    " + String(repeating: " ", count: max(0, innermost.location.column - 1)) + "^"
        }
        // Outer frames (calls that led here), outermost last, as a short trail.
        for frame in e.traceback.dropFirst().prefix(8) {
            out += "\n  called from \(frame.file):\(frame.location.line)"
        }
        return out + notes
    }

    private static func sourceLine(_ path: String, _ number: Int) -> String? {
        guard number > 0, let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return SourceFile(path: path, text: text).line(number)
    }
}
