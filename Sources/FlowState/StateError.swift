// StateError: every failure FlowState reports. Each case names the file it concerns (the
// database or the lock file) so a user reading one line knows what to inspect or delete.
// Owns no recovery policy: callers decide whether to abort, retry or offer --unlock.

public enum StateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// SQLite refused an operation. `code` is the (extended) SQLite result code.
    case sqlite(path: String, code: Int32, message: String, operation: String)
    /// The database was written by a newer flow whose schema this build does not know.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// A live flow process (or one we cannot check, on another host) holds the directory lock.
    case locked(directory: String, lockFile: String, holder: LockHolder)
    /// A lock left behind by a process that no longer runs (kill -9, power loss).
    case staleLock(directory: String, lockFile: String, holder: LockHolder)
    /// A lock file that flow did not write (empty or foreign contents).
    case unreadableLock(directory: String, lockFile: String, contents: String?)
    /// --unlock of a lock whose holder still runs on this host.
    case unlockRefused(directory: String, lockFile: String, holder: LockHolder)
    /// The file system refused a lock or directory operation.
    case io(path: String, errno: Int32, operation: String)

    public var description: String {
        switch self {
        case let .sqlite(path, code, message, operation):
            var text = "flow state database \(path): \(message) (SQLite code \(code)) while \(operation)"
            // NOTADB / CORRUPT are the codes a damaged or foreign file produces.
            if code & 0xff == 26 || code & 0xff == 11 {
                text += ". The file is damaged or is not a flow database; move it aside to start with"
                text += " empty state (flow then forgets which jobs produced the existing outputs)."
            }
            return text
        case let .schemaTooNew(path, found, supported):
            return "flow state database \(path) has schema version \(found), but this flow understands"
                + " versions up to \(supported); it was written by a newer flow. Use that version or"
                + " move the file aside."
        case let .locked(directory, lockFile, holder):
            return "Directory cannot be locked: \(directory) is in use by another flow process"
                + " (\(holder.summary)). Lock file: \(lockFile). Wait for it to finish, or, if you are"
                + " sure no flow runs here (e.g. it ran on a host that has since died), run with --unlock."
        case let .staleLock(directory, lockFile, holder):
            return "Directory cannot be locked. Please make sure that no other flow process is trying"
                + " to create the same files in the following directory:\n\(directory)\n"
                + "The lock was left by \(holder.summary), which is no longer running; it was likely"
                + " caused by a kill signal or a power loss. It can be removed with the --unlock"
                + " argument. Lock file: \(lockFile)"
        case let .unreadableLock(directory, lockFile, contents):
            let shown = contents.map { $0.isEmpty ? "it is empty" : "it holds \(Self.excerpt($0))" } ?? "it cannot be read"
            return "Directory cannot be locked: the lock file \(lockFile) was not written by flow (\(shown)), so"
                + " nobody can be shown to hold it. If no flow runs in \(directory), remove it with --unlock."
        case let .unlockRefused(directory, lockFile, holder):
            return "Refusing to unlock \(directory): the flow holding the lock is still running"
                + " (\(holder.summary)). Wait for it to finish or stop it (it ends its jobs on SIGTERM);"
                + " --unlock --force-unlock removes the lock anyway, and a second run may then start the"
                + " same jobs while they still run. Lock file: \(lockFile)"
        case let .io(path, errno, operation):
            return "flow state: \(operation) \(path) failed: \(String(cString: strerror(errno)))"
        }
    }

    /// The start of foreign text, printable and on one line.
    private static func excerpt(_ text: String) -> String {
        var trimmed = Substring(text)
        while trimmed.last?.isWhitespace == true { trimmed = trimmed.dropLast() }
        let printable = trimmed.unicodeScalars.prefix(60).map { $0.value >= 0x20 && $0.value < 0x7f ? String($0) : "?" }.joined()
        return "\"" + printable + (trimmed.unicodeScalars.count > 60 ? "...\"" : "\"")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
