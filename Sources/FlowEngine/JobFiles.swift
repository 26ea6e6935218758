// The life cycle of a job's files, over storage, as Snakemake runs it. Before a job: remote
// inputs are staged in (when the job shares flow's file system), stale outputs removed, parent
// directories made. After success: outputs must exist (waiting up to --latency-wait), touch()
// outputs are touched, ensure() is checked, protected() outputs become read-only, and outputs
// with a storage URL are stored. After failure: outputs are removed (unless --keep-incomplete),
// so that a partial file is never taken as done, and update() outputs return to their state
// before the job (they were backed up when it started).
//
// Two views of the same files. A job on flow's file system (local, Slurm) reads and writes real
// files under the working directory; storage URLs have local copies there. A job on a back end
// without it (Kubernetes without a shared volume, a PiCaS worker) was staged by its back end, so
// storage is the truth and every check asks storage.

import Foundation
import FlowExec
import FlowLang
import FlowStorage
import FlowWorkflow
import FlowSystem

struct JobFiles {
    let storage: Storage
    /// The job runs on flow's file system.
    let shared: Bool

    struct Output {
        var file: JobFile
        var flags: FileFlags
        var sha256: String?
    }

    // MARK: Before the job

    /// Retrieves inputs with a storage URL whose local copy is missing or older (shared file
    /// system only: other back ends stage in themselves), several at once.
    func stageIn(_ inputs: [JobFile]) throws {
        guard shared else { return }
        // Up to --max-storage-transfers at once.
        try storage.transferAll(inputs.filter { $0.location != $0.path }) { input in
            guard let remote = try storage.stat(input.location) else {
                throw EngineError("missing input \(StorageURL.safe(input.location)) in storage")
            }
            if let local = PosixStorage().stat(input.path), local.mtime >= remote.mtime { return }
            try storage.retrieve(input.location, to: input.path)
        }
    }

    /// Removes stale outputs (not update() ones) and creates the directories outputs, logs and
    /// benchmarks go into. directory() outputs are created by the job itself: only their parent.
    func prepare(_ outputs: [Output], logs: [JobFile], benchmark: JobFile?, in directory: String? = nil) throws {
        for output in outputs where !output.flags.contains(.update) { try remove(output.file) }
        guard shared else { return }
        for file in outputs.map(\.file) + logs + (benchmark.map { [$0] } ?? []) {
            let path = directory.map { $0 + "/" + file.path } ?? file.path
            do { try LocalFiles.makeParent(path) } catch {
                throw EngineError("cannot create the directory for \(path): \(error)")
            }
        }
    }

    // MARK: update() outputs

    /// Where an update() output waits while its job runs (Snakemake keeps such copies too).
    static func backupPath(_ file: JobFile) -> String {
        ".flow/backups/" + (file.path.hasPrefix("/") ? String(file.path.dropFirst()) : file.path)
    }

    /// Copies the existing update() outputs aside, so that a failed job can leave them as they were.
    func backUp(_ outputs: [Output]) throws {
        guard shared else { return }
        for output in outputs where output.flags.contains(.update) && LocalFiles.exists(output.file.path) {
            let backup = Self.backupPath(output.file)
            try? LocalFiles.remove(backup)
            do { try LocalFiles.copy(output.file.path, to: backup) } catch {
                throw EngineError("cannot back up \(output.file.path) (an update() output) before its job: \(error)")
            }
        }
    }

    /// After a failed job: the update() outputs that had a backup get it back; returns their paths.
    func restoreBackups(_ outputs: [Output]) -> [String] {
        guard shared else { return [] }
        var restored: [String] = []
        for output in outputs where output.flags.contains(.update) {
            let backup = Self.backupPath(output.file)
            guard LocalFiles.exists(backup) else { continue }
            try? LocalFiles.remove(output.file.path)
            if (try? LocalFiles.copy(backup, to: output.file.path)) != nil {
                try? LocalFiles.remove(backup)
                restored.append(output.file.path)
            }
        }
        return restored
    }

    /// After a successful job the backups are no longer needed.
    func dropBackups(_ outputs: [Output]) {
        guard shared else { return }
        for output in outputs where output.flags.contains(.update) { try? LocalFiles.remove(Self.backupPath(output.file)) }
    }

    // MARK: After the job

    /// Checks outputs after a successful job and stores remote ones; returns an error message,
    /// or nil when all is well.
    func finish(_ outputs: [Output], extra: [JobFile], latencyWait: Double) -> String? {
        var expected: [JobFile] = []
        for output in outputs {
            if output.flags.contains(.touch) {
                if !output.flags.contains(.directory) { try? touch(output.file) } else if shared { try? LocalFiles.makeDirectories(output.file.path) }
                continue
            }
            if output.flags.contains(.pipe) || output.flags.contains(.service) { continue }
            expected.append(output.file)
        }
        let missing = shared
            ? OutputWait.missing(expected.map(\.path), latencyWait: latencyWait)
            : OutputWait.missing(expected.map(\.location), latencyWait: latencyWait, exists: { (try? self.storage.exists($0)) == true })
        if !missing.isEmpty {
            return "Job completed successfully, but some output files are missing. Missing files after \(Int(latencyWait)) seconds. This might be due to filesystem latency. If that is the case, consider to increase the wait time with --latency-wait:\n" + missing.joined(separator: "\n")
        }
        for output in outputs {
            let path = output.file.path
            if output.flags.contains(.directory), stat(output.file)?.isDirectory == false {
                return "Output \(path) is marked as directory() but the job created a file."
            }
            if !output.flags.contains(.directory), stat(output.file)?.isDirectory == true {
                return "Output \(path) is a directory, but only outputs marked with directory() may be directories."
            }
            if output.flags.contains(.nonEmpty), (stat(output.file)?.size ?? 0) == 0 {
                return "Output \(path) is empty although it is marked with ensure(non_empty=True)."
            }
            if let sha = output.sha256, let actual = digest(output.file), actual.lowercased() != sha.lowercased() {
                return "Output \(path) has checksum \(actual), but ensure(sha256=...) expects \(sha)."
            }
        }
        if shared {
            // As Snakemake does: outputs are as new as the job's end, whatever times the job gave
            // them (an archive's, a symlink's); a directory's time is that of a marker file in it.
            for output in outputs where !output.flags.contains(.pipe) && !output.flags.contains(.service) {
                let path = output.file.path
                if output.flags.contains(.directory) {
                    if LocalFiles.isDirectory(path) { try? LocalFiles.touch(path + "/.snakemake_timestamp") }
                } else if LocalFiles.exists(path) {
                    try? LocalFiles.touch(path)
                }
            }
            for output in outputs where output.flags.contains(.protected) { Self.protect(output.file.path) }
        }
        do { try stageOut(outputs.map(\.file) + extra) } catch {
            return "Job completed successfully, but storing its outputs failed: \(error)"
        }
        return nil
    }

    /// Stores files with a storage URL from their local copies; the local copy then takes the
    /// stored object's modification time (Snakemake does the same: the store's clock decides).
    private func stageOut(_ files: [JobFile]) throws {
        guard shared else { return }
        try storage.transferAll(files.filter { $0.location != $0.path && LocalFiles.exists($0.path) }) { [storage] file in
            try storage.store(file.path, to: file.location)
            guard let stored = try storage.stat(file.location) else {
                throw EngineError("\(StorageURL.safe(file.location)) is missing right after it was stored; check read and write permissions")
            }
            LocalFiles.setMtime(file.path, seconds: stored.mtime)
        }
    }

    // MARK: Single files, in the job's view

    func stat(_ file: JobFile) -> FileStat? {
        shared ? PosixStorage().stat(file.path) : (try? storage.stat(file.location)) ?? nil
    }

    func exists(_ file: JobFile) -> Bool { stat(file) != nil }

    /// The modification time provenance records: the store's for remote files.
    func recordedMtime(_ file: JobFile) -> Double? {
        (try? storage.stat(file.location))??.mtime
    }

    func touch(_ file: JobFile) throws {
        if shared { try LocalFiles.touch(file.path) } else { try storage.touch(file.location) }
    }

    /// Removes a file in the job's view (for a remote file on a shared file system: its local
    /// copy; the stored object is replaced when the job's new output is stored).
    func remove(_ file: JobFile) throws {
        if shared { try LocalFiles.remove(file.path) } else { try storage.remove(file.location) }
    }

    /// Removes a file everywhere it is (temp() files, --delete-*-output).
    func removeEverywhere(_ file: JobFile) throws {
        if file.location != file.path { try LocalFiles.remove(file.path) }
        try storage.remove(file.location)
    }

    /// Writes a small file the engine makes for a job (a benchmark table).
    func write(_ text: String, to file: JobFile) throws {
        if shared {
            try LocalFiles.writeAtomically(text, to: file.path)
            try stageOut([file])
        } else {
            let temp = NSTemporaryDirectory() + "flow-\(getpid())-\(UUID().uuidString)"
            defer { try? LocalFiles.remove(temp) }
            try LocalFiles.writeAtomically(text, to: temp)
            try storage.store(temp, to: file.location)
        }
    }

    /// The text of a small file (logs of a failed job), nil if it cannot be read.
    func read(_ file: JobFile) -> String? {
        if shared { return try? String(decoding: LocalFiles.read(file.path), as: UTF8.self) }
        let temp = NSTemporaryDirectory() + "flow-\(getpid())-\(UUID().uuidString)"
        defer { try? LocalFiles.remove(temp) }
        guard (try? storage.retrieve(file.location, to: temp)) != nil else { return nil }
        return try? String(decoding: LocalFiles.read(temp), as: UTF8.self)
    }

    private func digest(_ file: JobFile) -> String? {
        if shared { return FileDigest.sha256Hex(path: file.path) }
        let temp = NSTemporaryDirectory() + "flow-\(getpid())-\(UUID().uuidString)"
        defer { try? LocalFiles.remove(temp) }
        guard (try? storage.retrieve(file.location, to: temp)) != nil else { return nil }
        return FileDigest.sha256Hex(path: temp)
    }

    /// Removes local copies (files or directories) and then the folders under `prefix` they
    /// leave empty. A copy that cannot go (a protected directory) stays.
    static func removeLocalCopies(_ paths: Set<String>, under prefix: String) {
        let root = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        for path in paths.sorted() where path.hasPrefix(root + "/") {
            try? LocalFiles.remove(path)
            var parent = (path as NSString).deletingLastPathComponent
            while parent.count > root.count, parent.hasPrefix(root + "/"), rmdir(parent) == 0 {
                parent = (parent as NSString).deletingLastPathComponent
            }
        }
        rmdir(root)   // only when empty
    }

    /// protected(): remove write permission (recursively for directories).
    static func protect(_ path: String) {
        var paths = [path]
        if LocalFiles.isDirectory(path), let items = FileManager.default.enumerator(atPath: path) {
            for case let item as String in items { paths.append(path + "/" + item) }
        }
        for p in paths {
            var st = Glibc.stat()
            guard lstat(p, &st) == 0, (st.st_mode & S_IFMT) != S_IFLNK else { continue }
            chmod(p, st.st_mode & ~(S_IWUSR | S_IWGRP | S_IWOTH))
        }
    }
}
