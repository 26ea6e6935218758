// OrphanedJobs: the job processes a killed flow left running on this host, and ending them.
//
// A flow killed with SIGKILL (or whose session died) cannot cancel its jobs; they run on in their
// own process groups and may still be writing outputs the next run is about to recreate. The next
// run finds them two ways, so that neither a reused pid nor an unrecorded group slips through:
//   - the process groups the dead run recorded in the state database (`process_groups`), each
//     trusted only while one of its members is provably that run's (its first process with the
//     recorded start time, or a member carrying the marker below);
//   - every process whose environment carries `FLOW_RUN_ID=<the dead run's id>`: local jobs get
//     it from flow and their descendants inherit it, which also covers a job started between its
//     spawn and the commit of its group, and descendants that left their job's group.
// Linux (/proc) only: elsewhere nothing can be shown to be the run's, so nothing is found.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public struct OrphanedJobs: Sendable {
    /// The environment variable naming the run a job process belongs to.
    public static let runMarkerVariable = "FLOW_RUN_ID"

    public let runID: String
    /// Process groups of the run that still have live members.
    public private(set) var groups: Set<Int>
    /// Live processes of the run outside those groups (they left their job's group).
    public private(set) var strays: Set<Int>

    public var isEmpty: Bool { groups.isEmpty && strays.isEmpty }
    /// How many processes were found (for messages).
    public private(set) var processCount: Int

    /// Scans this host's processes for those of run `runID`.
    public static func find(runID: String, recorded: [ProcessGroupRecord]) -> OrphanedJobs {
        let me = getpid(), myGroup = getpgrp()
        let marker = Array((runMarkerVariable + "=" + runID).utf8)
        let recordedTicks = Dictionary(recorded.map { ($0.pgid, $0.startTicks) }, uniquingKeysWith: { a, _ in a })
        var members: [(pid: Int, pgid: Int)] = []
        var marked = Set<Int>()
        var verifiedGroups = Set<Int>()
        for pid in allPIDs() where pid != Int(me) {
            guard let stat = ProcessIdentity.procStat(pid: pid), stat.state != "Z", stat.state != "X",
                  stat.pgid != Int(myGroup) else { continue }
            let hasMarker = environment(of: pid, contains: marker)
            if let ticks = recordedTicks[stat.pgid] {
                if hasMarker || (pid == stat.pgid && ticks != nil && ticks == stat.startTicks) {
                    verifiedGroups.insert(stat.pgid)
                }
            }
            if hasMarker { marked.insert(pid) }
            members.append((pid, stat.pgid))
        }
        var result = OrphanedJobs(runID: runID, groups: verifiedGroups, strays: [], processCount: 0)
        for member in members where verifiedGroups.contains(member.pgid) || marked.contains(member.pid) {
            result.processCount += 1
            if !verifiedGroups.contains(member.pgid) { result.strays.insert(member.pid) }
        }
        return result
    }

    /// Ends the processes: SIGTERM, then SIGKILL to whatever is left after `grace` seconds.
    /// Returns once none is left (true) or 5 seconds after the SIGKILL (false).
    public func terminate(grace: Double, recorded: [ProcessGroupRecord]) -> Bool {
        var current = self
        for signal in [SIGTERM, SIGKILL] {
            current.send(signal)
            let deadline = monotonicNow() + (signal == SIGTERM ? grace : 5)
            while monotonicNow() < deadline {
                current = OrphanedJobs.find(runID: runID, recorded: recorded)
                if current.isEmpty { return true }
                current.send(signal)  // members started since the last round
                sleepSeconds(0.05)
            }
        }
        return OrphanedJobs.find(runID: runID, recorded: recorded).isEmpty
    }

    /// Waits (without signalling) until none of the processes is left.
    public func waitUntilGone(recorded: [ProcessGroupRecord], poll interval: Double = 0.5) {
        while !OrphanedJobs.find(runID: runID, recorded: recorded).isEmpty { sleepSeconds(interval) }
    }

    private func send(_ signal: Int32) {
        for group in groups { _ = kill(pid_t(-group), signal) }
        for pid in strays { _ = kill(pid_t(pid), signal) }
    }

    private static func allPIDs() -> [Int] {
        guard let proc = opendir("/proc") else { return [] }
        defer { closedir(proc) }
        var pids: [Int] = []
        while let entry = readdir(proc) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let pid = Int(name) { pids.append(pid) }
        }
        return pids
    }

    /// Whether `/proc/<pid>/environ` (NUL-separated KEY=VALUE entries) has exactly `entry`.
    /// Unreadable (another user's process): false.
    static func environment(of pid: Int, contains entry: [UInt8]) -> Bool {
        let fd = open("/proc/\(pid)/environ", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes.split(separator: 0, omittingEmptySubsequences: true).contains { $0.elementsEqual(entry) }
    }

}

private func monotonicNow() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

private func sleepSeconds(_ seconds: Double) {
    _ = poll(nil, 0, Int32(seconds * 1000))
}

extension ProcessGroupRecord {
    /// The record of a job whose process group `pgid` was just started.
    public init(runID: String, startedGroup pgid: Int, jobKey: String, startedAt: Double) {
        self.init(runID: runID, pgid: pgid, startTicks: ProcessIdentity.startTicks(pid: pgid), jobKey: jobKey,
                  startedAt: startedAt)
    }
}

extension RunRecord {
    /// Whether the run's process is gone: true/false on this host (by pid alone, so a reused pid
    /// reads as alive), nil for another host's run.
    public var processIsGone: Bool? {
        switch ProcessIdentity.liveness(pid: pid, host: host, bootID: nil, startTicks: nil) {
        case .dead: return true
        case .alive: return false
        case .unknown: return nil
        }
    }
}
