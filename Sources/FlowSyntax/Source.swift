// FlowSyntax: source text -> tokens -> AST with positions.
//
// Owns: the Snakefile language's surface syntax (Python subset + Snakemake's rule grammar), source
// positions and the `file:line:col: message` diagnostics format. It knows nothing about values,
// evaluation, rules as objects or files on disk beyond reading the text it is given.

/// A position in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public static let unknown = SourceLocation(line: 0, column: 0)
    public var description: String { "\(line):\(column)" }
}

/// The text of one Snakefile (or included file) plus its path, shared by every node parsed from it.
public final class SourceFile: Sendable {
    public let path: String
    public let text: String
    /// Byte offsets (UTF-8) where each line starts; index 0 is line 1.
    public let lineStarts: [Int]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        var starts = [0]
        var offset = 0
        for byte in text.utf8 {
            offset += 1
            if byte == UInt8(ascii: "\n") { starts.append(offset) }
        }
        self.lineStarts = starts
    }

    /// The text of a 1-based line, without its newline ("" when out of range).
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let utf8 = Array(text.utf8)
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : utf8.count
        while end > start, utf8[end - 1] == UInt8(ascii: "\n") || utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }

    /// The source text between two UTF-8 byte offsets.
    public func slice(_ range: Range<Int>) -> String {
        let utf8 = Array(text.utf8)
        let lower = max(0, min(range.lowerBound, utf8.count))
        let upper = max(lower, min(range.upperBound, utf8.count))
        return String(decoding: utf8[lower..<upper], as: UTF8.self)
    }
}

/// An error with a position, printed as `file:line:col: message`, the source line and a caret.
public struct Diagnostic: Error, CustomStringConvertible, Sendable {
    public var file: SourceFile?
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation, in file: SourceFile?) {
        self.message = message
        self.location = location
        self.file = file
    }

    /// `file:line:col: message` followed by the offending line and a caret under the column.
    public var description: String {
        let path = file?.path ?? "<input>"
        var out = "\(path):\(location.line):\(location.column): \(message)"
        if let file, location.line > 0 {
            let text = file.line(location.line)
            if !text.isEmpty {
                out += "\n    \(text)\n    " + String(repeating: " ", count: max(0, location.column - 1)) + "^"
            }
        }
        return out
    }
}
