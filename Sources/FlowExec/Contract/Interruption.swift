// FlowExec contract: a cancellation request that can wake a blocked wait (SIGINT/SIGTERM/SIGHUP, or a
// call from another thread).
//
// Owns: a non-blocking self-pipe and the process-wide signal handlers that write to it. A
// signal handler may only do async-signal-safe work, so it writes the signal number into the
// pipe; whoever waits (the local executor in poll(2), a remote executor's sleep) includes the
// pipe's read end and returns at once. The `Scheduler` then drains it and cancels the run.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end the installed signal handlers use (-1: none installed).
nonisolated(unsafe) private var signalWriteFD: Int32 = -1
nonisolated(unsafe) private var previousActions: [Int32: sigaction] = [:]

public final class Interruption: @unchecked Sendable {
    /// Readable once a cancellation was requested and not yet drained by `check()`.
    public let fileDescriptor: Int32
    private let writeFD: Int32
    /// The first signal that requested cancellation (0 for a programmatic request); sticky.
    /// Read and written only by the thread that calls `check()`.
    public private(set) var signal: Int32?

    public init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fatalError("flow: cannot create a pipe: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = fds[0]
        writeFD = fds[1]
    }

    deinit {
        if signalWriteFD == writeFD { Interruption.restoreSignalHandlers() }
        close(fileDescriptor)
        close(writeFD)
    }

    /// Requests cancellation; safe from any thread.
    public func request(signal: Int32 = 0) {
        var byte = UInt8(truncatingIfNeeded: signal)
        _ = write(writeFD, &byte, 1)
    }

    /// Drains the pipe; true once any cancellation was requested.
    @discardableResult
    public func check() -> Bool {
        // Called once per scheduler step: one byte at a time, no allocation.
        var byte: UInt8 = 0
        while read(fileDescriptor, &byte, 1) == 1 {
            if signal == nil { signal = Int32(byte) }
        }
        return signal != nil
    }

    /// Sleeps up to `timeout` seconds, returning early when a cancellation is requested.
    public func wait(timeout: Double) {
        var pfd = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&pfd, 1, Interruption.milliseconds(timeout))
    }

    /// Routes SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session: jobs must not be
    /// left running) — or the given signals — to this interruption, process-wide, until
    /// `restoreSignalHandlers()` or this object's deinit.
    public func installSignalHandlers(_ signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        Interruption.restoreSignalHandlers()
        signalWriteFD = writeFD
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                var byte = UInt8(truncatingIfNeeded: sig)
                _ = write(signalWriteFD, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var old = sigaction()
            sigaction(sig, &action, &old)
            previousActions[sig] = old
        }
    }

    public static func restoreSignalHandlers() {
        for (sig, old) in previousActions {
            var action = old
            sigaction(sig, &action, nil)
        }
        previousActions = [:]
        signalWriteFD = -1
    }

    static func sleep(seconds: Double) {
        _ = poll(nil, 0, milliseconds(seconds))
    }

    /// poll(2) timeout: rounded up so a short positive wait never becomes a busy 0; <0 = forever.
    static func milliseconds(_ seconds: Double) -> Int32 {
        if seconds.isInfinite || seconds > 86_400 { return -1 }
        if seconds <= 0 { return 0 }
        return Int32((seconds * 1000).rounded(.up))
    }
}
