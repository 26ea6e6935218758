// FlowExec contract: Snakemake's --latency-wait — give a shared file system (or a store that
// shows objects late) time to show a finished job's outputs before calling them missing.
//
// Owns: the one latency-wait loop in flow: check that locations exist and, if some do not,
// re-check until a deadline. It blocks the scheduler only while outputs are actually missing.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FlowSystem

public enum OutputWait {
    /// The locations that still do not exist after waiting up to `latencyWait` seconds.
    /// - Parameter exists: how to look (default: the local file system, revalidating NFS caches).
    public static func missing(_ locations: [String], latencyWait: Double, interval: Double = 0.25,
                               exists: (String) -> Bool = OutputWait.existsOnSharedFileSystem) -> [String] {
        var missing = locations.filter { !exists($0) }
        let deadline = MonotonicClock.now() + latencyWait
        while !missing.isEmpty && MonotonicClock.now() < deadline {
            Interruption.sleep(seconds: min(interval, max(0, deadline - MonotonicClock.now())))
            missing = missing.filter { !exists($0) }
        }
        return missing
    }

    public static func existsOnSharedFileSystem(_ path: String) -> Bool {
        // Opening the parent directory makes NFS revalidate its cached listing; lstat alone may
        // keep answering from a stale attribute cache.
        let parent = LocalFiles.dirname(path)
        if !parent.isEmpty, let dir = opendir(parent) { closedir(dir) }
        return LocalFiles.exists(path)
    }
}
