// What happens to a job's files around its execution, as Snakemake does it: before, old outputs
// are removed and parent directories created; after success, outputs must exist (waiting up to
// --latency-wait on shared file systems), touch() outputs are touched, ensure() is checked and
// protected() outputs become read-only; after failure, outputs are removed (unless
// --keep-incomplete) so that a partial file is never taken as done.

import Foundation
import FlowWorkflow
import FlowLang

enum OutputFiles {
    /// Removes stale outputs and creates the directories outputs, logs and benchmarks go into.
    /// (directory() outputs are created by the job itself: only their parent must exist.)
    static func prepare(outputs: [(path: String, flags: FileFlags)], logs: [String], benchmark: String?) throws {
        for (path, flags) in outputs {
            if !flags.contains(.update) { try remove(path) }
            try makeParent(path)
        }
        for path in logs + (benchmark.map { [$0] } ?? []) {
            try makeParent(path)
        }
    }

    static func makeParent(_ path: String) throws {
        let dir = PathText.dirname(path)
        guard !dir.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw EngineError("cannot create directory \(dir) for \(path): \(error.localizedDescription)")
        }
    }

    /// Removes a file, symlink or directory tree if present (write-protected outputs included).
    static func remove(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            makeWritable(path)
            try FileManager.default.removeItem(atPath: path)
        } else if unlink(path) != 0, errno != ENOENT {
            throw EngineError("cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func makeWritable(_ dir: String) {
        chmod(dir, 0o755)
        if let items = FileManager.default.enumerator(atPath: dir) {
            for case let item as String in items { chmod(dir + "/" + item, 0o755) }
        }
    }

    /// Checks outputs after a successful job; returns an error message, or nil when all is well.
    static func finish(outputs: [(path: String, flags: FileFlags, sha256: String?)], latencyWait: Double) -> String? {
        var missing: [String] = []
        for (path, flags, _) in outputs {
            if flags.contains(.touch) {
                touch(path)
                continue
            }
            if flags.contains(.pipe) || flags.contains(.service) { continue }
            if !exists(path) { missing.append(path) }
        }
        if !missing.isEmpty {
            // Shared file systems show outputs late; poll until --latency-wait passes.
            let deadline = Date().addingTimeInterval(latencyWait)
            while !missing.isEmpty, Date() < deadline {
                usleep(100_000)
                missing = missing.filter { !exists($0) }
            }
        }
        if !missing.isEmpty {
            return "Job completed successfully, but some output files are missing. Missing files after \(Int(latencyWait)) seconds. This might be due to filesystem latency. If that is the case, consider to increase the wait time with --latency-wait:\n" + missing.joined(separator: "\n")
        }
        for (path, flags, sha) in outputs {
            if flags.contains(.directory), !isDirectory(path) {
                return "Output \(path) is marked as directory() but the job created a file."
            }
            if flags.contains(.nonEmpty), size(path) == 0 {
                return "Output \(path) is empty although it is marked with ensure(non_empty=True)."
            }
            if let sha, let actual = FileDigest.sha256Hex(path: path), actual.lowercased() != sha.lowercased() {
                return "Output \(path) has checksum \(actual), but ensure(sha256=...) expects \(sha)."
            }
        }
        for (path, flags, _) in outputs where flags.contains(.protected) {
            protect(path)
        }
        return nil
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func size(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    static func mtime(_ path: String) -> Double? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }

    /// Creates the file if missing, else sets its times to now (without following symlinks).
    static func touch(_ path: String) {
        if !exists(path) {
            try? makeParent(path)
            let fd = open(path, O_WRONLY | O_CREAT, 0o644)
            if fd >= 0 { close(fd) }
            return
        }
        // UTIME_NOW ((1 << 30) - 1) is a macro Swift does not import.
        let now = Int((1 << 30) - 1)
        var times = [timespec(tv_sec: 0, tv_nsec: now), timespec(tv_sec: 0, tv_nsec: now)]
        utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// protected(): remove write permission (recursively for directories).
    static func protect(_ path: String) {
        var paths = [path]
        if isDirectory(path), let items = FileManager.default.enumerator(atPath: path) {
            for case let item as String in items { paths.append(path + "/" + item) }
        }
        for p in paths {
            var st = stat()
            guard lstat(p, &st) == 0, (st.st_mode & S_IFMT) != S_IFLNK else { continue }
            chmod(p, st.st_mode & ~(S_IWUSR | S_IWGRP | S_IWOTH))
        }
    }
}
