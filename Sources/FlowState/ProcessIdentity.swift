// ProcessIdentity: who a process is (pid, host, boot, start time) and whether it still runs.
// Used by WorkdirLock to tell a live lock holder from one killed with -9: a bare pid is not
// enough, since pids are reused and the machine may have rebooted since the lock was written.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum ProcessIdentity {
    static var currentPID: Int { Int(getpid()) }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(cString: buffer)
    }

    /// Changes on every boot (Linux); nil where unknown.
    static var bootID: String? {
        FileSystem.readSmallFile("/proc/sys/kernel/random/boot_id")?
            .trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
    }

    /// The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat):
    /// with the boot id it identifies a process even after its pid is reused. nil where unknown.
    static func startTicks(pid: Int) -> UInt64? { procStat(pid: pid)?.startTicks }

    /// State letter (R, S, Z, ...), process group and start ticks from /proc/<pid>/stat.
    static func procStat(pid: Int) -> (state: Substring, pgid: Int, startTicks: UInt64?)? {
        guard let stat = FileSystem.readSmallFile("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm)" come fields 3...; the comm may itself contain spaces and parens.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard let state = fields.first, fields.count > 2, let pgid = Int(fields[2]) else { return nil }
        return (state, pgid, fields.count > 19 ? UInt64(fields[19]) : nil)
    }

    enum Liveness: Equatable { case alive, dead, unknown }

    /// Whether the process described still runs. `unknown` when it ran on another host: a
    /// pid there means nothing here (a lock on a shared file system stays held until --unlock).
    static func liveness(pid: Int, host: String, bootID recordedBoot: String?, startTicks recordedStart: UInt64?) -> Liveness {
        guard host == hostName else { return .unknown }
        if let recordedBoot, let bootID, recordedBoot != bootID { return .dead }
        guard pid > 0 else { return .dead }
        if kill(pid_t(pid), 0) != 0 && errno == ESRCH { return .dead }
        // Alive (or EPERM: alive, another user's). A zombie has exited already; a process with
        // another start time is a new one that inherited the pid.
        if let stat = procStat(pid: pid) {
            if stat.state == "Z" || stat.state == "X" { return .dead }
            if let recordedStart, let current = stat.startTicks, current != recordedStart { return .dead }
        }
        return .alive
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

import Foundation
