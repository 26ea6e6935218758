// FlowExec contract: Snakemake's --latency-wait — give a shared file system time to show a
// finished job's outputs before calling them missing.
//
// Owns: checking that paths exist and, if some do not, re-checking until a deadline. The
// engine calls it from `SchedulerDelegate.jobFinished` with `JobSpec.outputs`; it blocks the
// scheduler only while outputs are actually missing.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum OutputWait {
    /// The paths that still do not exist after waiting up to `latencyWait` seconds.
    public static func missing(_ paths: [String], latencyWait: Double, interval: Double = 0.25) -> [String] {
        var missing = paths.filter { !exists($0) }
        let deadline = MonotonicClock.now() + latencyWait
        while !missing.isEmpty && MonotonicClock.now() < deadline {
            Interruption.sleep(seconds: min(interval, max(0, deadline - MonotonicClock.now())))
            missing = missing.filter { !exists($0) }
        }
        return missing
    }

    private static func exists(_ path: String) -> Bool {
        // Opening the parent directory makes NFS revalidate its cached listing; lstat alone may
        // keep answering from a stale attribute cache.
        let parent = JobScript.parentDirectory(path)
        if !parent.isEmpty, let dir = opendir(parent) { closedir(dir) }
        var info = stat()
        return lstat(path, &info) == 0
    }
}
