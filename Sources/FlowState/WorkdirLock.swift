// WorkdirLock: one flow at a time per working directory, via `.flow/locks/workdir.lock`.
//
// Why a lock file and not flock(): flock is released by kill -9 (good) but is unreliable or
// host-local on NFS and Lustre, where workflows usually live on clusters. A file created
// atomically survives kill -9 by design and says who made it (pid, host, boot id, process start
// ticks), so the next flow can tell a live holder from a dead one and say which is which.
//
// Atomic creation: the contents go to a private temp file which is then link()ed to the lock
// name. link() is atomic on NFS (O_EXCL was not on NFSv2 and is fragile on some servers), and
// a reader never sees a half-written lock. If the link reply is lost, NFS may report failure
// although it succeeded; the temp file's link count tells the truth.
//
// A dead holder's lock (same host, its process gone or replaced) is taken over by the next run
// (`takeOver`), after that run has ended the dead run's orphaned jobs; a lock held on another
// host cannot be checked and stays until --unlock. --unlock itself refuses to remove the lock of
// a holder that provably still runs on this host, unless forced.
import FlowSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Who holds (or held) a working-directory lock, as written in the lock file.
public struct LockHolder: Equatable, Sendable {
    public var pid: Int
    public var host: String
    /// When the lock was taken, Unix seconds.
    public var startTime: Double
    public var runID: String?
    var bootID: String?
    var processStartTicks: UInt64?

    /// Whether the holder ran on this machine (its liveness can be checked here).
    public var isOnThisHost: Bool { host == ProcessIdentity.hostName }

    public init(pid: Int, host: String, startTime: Double, runID: String? = nil) {
        self.pid = pid
        self.host = host
        self.startTime = startTime
        self.runID = runID
    }

    /// "pid 1234 on node07, started 2026-11-21 10:02:03 UTC"
    public var summary: String {
        var text = "pid \(pid) on \(host), started \(Self.format(startTime))"
        if let runID { text += ", run \(runID)" }
        return text
    }

    /// Whether the holding process still runs (`unknown` if it ran on another host).
    public var isAlive: Bool? {
        switch ProcessIdentity.liveness(pid: pid, host: host, bootID: bootID, startTicks: processStartTicks) {
        case .alive: return true
        case .dead: return false
        case .unknown: return nil
        }
    }

    var fileContents: String {
        var lines = ["pid=\(pid)", "host=\(host)", "start_time=\(startTime)"]
        if let runID { lines.append("run_id=\(runID)") }
        if let bootID { lines.append("boot_id=\(bootID)") }
        if let processStartTicks { lines.append("process_start_ticks=\(processStartTicks)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// nil when the text is not a lock file flow wrote (then it is treated as stale).
    init?(fileContents text: String) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[line[..<equals]] = line[line.index(after: equals)...]
        }
        guard let pid = fields["pid"].flatMap({ Int($0) }), let host = fields["host"] else { return nil }
        self.pid = pid
        self.host = String(host)
        startTime = fields["start_time"].flatMap { Double($0) } ?? 0
        runID = fields["run_id"].map(String.init)
        bootID = fields["boot_id"].map(String.init)
        processStartTicks = fields["process_start_ticks"].flatMap { UInt64($0) }
    }

    static func format(_ time: Double) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
        return String(cString: buffer)
    }
}

public final class WorkdirLock: @unchecked Sendable {
    public let workdir: String
    public let lockFile: String
    public let holder: LockHolder
    private var held = true

    public static func lockDirectory(forWorkdir workdir: String) -> String {
        StateStore.directory(forWorkdir: workdir) + "/locks"
    }

    public static func lockFile(forWorkdir workdir: String) -> String {
        lockDirectory(forWorkdir: workdir) + "/workdir.lock"
    }

    /// Takes the lock or throws `.locked` (a live or unverifiable holder) / `.staleLock` (a
    /// holder that no longer runs; `unlock` clears it).
    public static func acquire(workdir: String, runID: String? = nil) throws -> WorkdirLock {
        let directory = lockDirectory(forWorkdir: workdir)
        let lockFile = lockFile(forWorkdir: workdir)
        try LocalFiles.makeDirectories(directory)
        var me = LockHolder(pid: ProcessIdentity.currentPID, host: ProcessIdentity.hostName,
                            startTime: unixTime(), runID: runID)
        me.bootID = ProcessIdentity.bootID
        me.processStartTicks = ProcessIdentity.startTicks(pid: me.pid)

        let temp = "\(directory)/.workdir.lock.\(me.host).\(me.pid).tmp"
        try writeFile(temp, me.fileContents)
        defer { unlink(temp) }
        if link(temp, lockFile) == 0 || linkCount(temp) == 2 {
            return WorkdirLock(workdir: workdir, lockFile: lockFile, holder: me)
        }
        let linkError = errno
        guard linkError == EEXIST || access(lockFile, F_OK) == 0 else {
            throw StateError.io(path: lockFile, errno: linkError, operation: "creating lock")
        }
        let text = FileSystem.readSmallFile(lockFile)
        guard let other = text.flatMap(LockHolder.init(fileContents:)) else {
            // Empty or foreign contents (flow writes a lock atomically, so never a partial one):
            // nobody can be shown to hold it, nor that nobody does.
            throw StateError.unreadableLock(directory: workdir, lockFile: lockFile, contents: text)
        }
        if other.isAlive == false {
            throw StateError.staleLock(directory: workdir, lockFile: lockFile, holder: other)
        }
        throw StateError.locked(directory: workdir, lockFile: lockFile, holder: other)
    }

    /// The current holder of `workdir`'s lock, if any (for diagnostics and --summary).
    public static func currentHolder(workdir: String) -> LockHolder? {
        FileSystem.readSmallFile(lockFile(forWorkdir: workdir)).flatMap(LockHolder.init(fileContents:))
    }

    /// Replaces the lock `stale` left by a holder that no longer runs (`.staleLock`) with one of
    /// this process. Two flows taking over at once: one wins, the other gets `.locked`. The
    /// caller must have ended the dead holder's jobs first.
    public static func takeOver(workdir: String, stale: LockHolder, runID: String? = nil) throws -> WorkdirLock {
        let lockFile = lockFile(forWorkdir: workdir)
        // A short-lived flock serialises takers on this host (the only ones: a stale lock is only
        // recognised as such on its own host); the kernel drops it if the taker dies.
        let guardPath = lockDirectory(forWorkdir: workdir) + "/takeover.lock"
        let fd = open(guardPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateError.io(path: guardPath, errno: errno, operation: "creating lock") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StateError.io(path: guardPath, errno: errno, operation: "locking") }
        }
        // Still the same holder, and still not running (a caller's word is not taken for it).
        if let current = currentHolder(workdir: workdir), current == stale, current.isAlive == false,
           unlink(lockFile) != 0, errno != ENOENT {
            throw StateError.io(path: lockFile, errno: errno, operation: "removing stale lock")
        }
        return try acquire(workdir: workdir, runID: runID)
    }

    /// `flow --unlock`: removes the lock and returns who held it. Refuses (`.unlockRefused`)
    /// while the holder provably runs on this host, unless `force`: removing a live run's lock
    /// lets a second run start the same jobs.
    @discardableResult
    public static func unlock(workdir: String, force: Bool = false) throws -> LockHolder? {
        let lockFile = lockFile(forWorkdir: workdir)
        let previous = currentHolder(workdir: workdir)
        if let previous, previous.isAlive == true, !force {
            throw StateError.unlockRefused(directory: workdir, lockFile: lockFile, holder: previous)
        }
        if unlink(lockFile) != 0 && errno != ENOENT {
            throw StateError.io(path: lockFile, errno: errno, operation: "removing lock")
        }
        return previous
    }

    private init(workdir: String, lockFile: String, holder: LockHolder) {
        self.workdir = workdir
        self.lockFile = lockFile
        self.holder = holder
    }

    /// Removes the lock if it is still ours (after an --unlock another flow may own the file).
    public func release() {
        guard held else { return }
        held = false
        if let current = FileSystem.readSmallFile(lockFile).flatMap(LockHolder.init(fileContents:)),
           current == holder {
            unlink(lockFile)
        }
    }

    deinit { release() }

    private static func writeFile(_ path: String, _ contents: String) throws {
        unlink(path)  // a leftover from an earlier process with our pid
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateError.io(path: path, errno: errno, operation: "creating lock") }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        // fsync: after a crash the lock must still name its holder, not be an empty file.
        guard written == bytes.count, fsync(fd) == 0 else {
            throw StateError.io(path: path, errno: errno, operation: "writing lock")
        }
    }

    private static func linkCount(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_nlink) : 0
    }
}
