// FlowExec local backend: one running child, how to wait for it and what its end means.
//
// Owns: the pidfd (Linux ≥ 5.3) that makes a child's exit pollable without a SIGCHLD handler
// or a reaper thread, reaping by pid (never waitpid(-1), which would steal children that other
// parts of the process started), and the mapping of a wait status to `ExternalJobState`
// (exit n → n, signal n → 128+n, like a shell).

#if canImport(Glibc)
import Glibc

struct ChildProcess {
    let pid: pid_t
    /// Readable once the child has exited; -1 where pidfds are unavailable (then callers poll).
    let exitDescriptor: Int32
    let output: ChildOutput
    /// The raw wait status once reaped.
    var waitStatus: Int32?
    var cancelled = false

    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    private static let pidfdOpen: PidfdOpen? = {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, "pidfd_open") else { return nil }
        return unsafeBitCast(address, to: PidfdOpen.self)
    }()

    init(pid: pid_t, output: ChildOutput) {
        self.pid = pid
        self.output = output
        let fd = ChildProcess.pidfdOpen?(pid, 0) ?? -1
        if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        exitDescriptor = fd
    }

    /// Reaps the child if it has exited (or waits for it when `block`); true once reaped.
    mutating func reap(block: Bool = false) -> Bool {
        if waitStatus != nil { return true }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, block ? 0 : WNOHANG)
            if result == pid {
                waitStatus = status
                if exitDescriptor >= 0 { close(exitDescriptor) }
                return true
            }
            if result < 0 && errno == EINTR { continue }
            if result < 0 && errno == ECHILD {
                // Someone else reaped it (a waitpid(-1) elsewhere in the process): its status
                // is gone, so report it as lost rather than hang.
                waitStatus = -1
                if exitDescriptor >= 0 { close(exitDescriptor) }
                return true
            }
            return false
        }
    }

    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// True while a process of group `pgid` is still running (zombies do not count: where PID 1
    /// does not reap orphans, as in many containers, they linger but hold nothing).
    static func groupHasLiveMembers(_ pgid: pid_t) -> Bool {
        if kill(-pgid, 0) != 0 && errno == ESRCH { return false }
        // Members exist; find out whether any is more than a zombie (Linux /proc).
        guard let proc = opendir("/proc") else { return true }
        defer { closedir(proc) }
        while let entry = readdir(proc) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), let stat = readSmallFile("/proc/\(pid)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "comm)": state, ppid, pgrp, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ", maxSplits: 4)
            if fields.count > 2, Int32(fields[2]) == pgid, fields[0] != "Z", fields[0] != "X" { return true }
        }
        return false
    }

    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(fd, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    var state: ExternalJobState {
        guard let status = waitStatus else { return .running }
        return ChildProcess.state(waitStatus: status, cancelled: cancelled)
    }

    /// Maps a waitpid status to a job state.
    static func state(waitStatus status: Int32, cancelled: Bool = false) -> ExternalJobState {
        if status == -1 { return .lost }
        let low = status & 0x7f
        if low == 0 {
            let code = (status >> 8) & 0xff
            if code == 0 && !cancelled { return .succeeded }
            return .failed(exitStatus: code, reason: cancelled ? "cancelled" : "exit status \(code)")
        }
        let reason = cancelled ? "cancelled" : "killed by signal \(low) (\(signalName(low)))"
        return .failed(exitStatus: 128 + low, reason: reason)
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: return "SIGHUP"
        case SIGINT: return "SIGINT"
        case SIGQUIT: return "SIGQUIT"
        case SIGILL: return "SIGILL"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGSEGV: return "SIGSEGV"
        case SIGPIPE: return "SIGPIPE"
        case SIGALRM: return "SIGALRM"
        case SIGTERM: return "SIGTERM"
        case SIGUSR1: return "SIGUSR1"
        case SIGUSR2: return "SIGUSR2"
        case SIGXCPU: return "SIGXCPU"
        case SIGXFSZ: return "SIGXFSZ"
        default: return "signal \(signal)"
        }
    }
}
#endif
