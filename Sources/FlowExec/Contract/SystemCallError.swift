// FlowExec: the error thrown when a system call made on a job's behalf fails.
//
// Owns: `SystemCallError` (operation, path, errno) with a readable description. Shared by the
// job-script writer and the local executor so callers see one error shape.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct SystemCallError: Error, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String?
    public var code: Int32

    public init(_ operation: String, path: String? = nil, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        if let path { return "\(operation) '\(path)': \(reason)" }
        return "\(operation): \(reason)"
    }
}
