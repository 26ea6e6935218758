// FlowExec Slurm backend: one status round for many jobs.
//
// Owns: the commands of a round and reading their answers. The common case — jobs pending or
// running, or finished less than MinJobAge ago — is exactly ONE `squeue -t all -j <ids>` call,
// whose `exit_code` field also carries the exit status of failed jobs (no per-job scontrol).
// Only jobs squeue does not know (aged out, or adopted after a restart) cost one more call:
// `sacct` when accounting works, else `sacct -c` (the jobcomp file); which one works is found
// out once. `scontrol show job` is asked only for a failed job whose exit code squeue left
// empty. A job no source knows for `lostAfterMissedRounds` consecutive rounds is `.lost`.
// A failing squeue throws (transient: the scheduler keeps the jobs and backs off).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class SlurmStatusQuery {
    private enum Accounting { case unknown, database, jobcomp, unavailable }

    /// Above this many ids, ask for all of this user's jobs instead: a `-j` list that long
    /// would exceed the kernel's per-argument limit (128 KiB).
    static let maxIDsOnCommandLine = 1000
    static let squeueFields = "JobID:|,State:|,exit_code:|,Reason:|"

    private let commands: SchedulerCommands
    private let lostAfter: Int
    private var accounting = Accounting.unknown
    private var missedRounds: [String: Int] = [:]
    /// Commands run for status so far (squeue, sacct, scontrol), for tests and diagnostics.
    private(set) var calls = 0

    init(commands: SchedulerCommands, lostAfterMissedRounds: Int) {
        self.commands = commands
        lostAfter = lostAfterMissedRounds
    }

    func states(of ids: [String]) throws -> [String: ExternalJobState] {
        if ids.isEmpty { return [:] }
        var rows = try squeue(ids)
        let wanted = Set(ids)
        var missing = ids.filter { rows[$0] == nil }
        if !missing.isEmpty {
            for (id, row) in try sacct(missing) where wanted.contains(id) { rows[id] = row }
            missing = missing.filter { rows[$0] == nil }
        }
        var states: [String: ExternalJobState] = [:]
        for id in ids {
            guard var row = rows[id] else { continue }
            missedRounds[id] = nil
            if row.exitStatus == nil && SlurmJobState.needsExitStatus(row.state) {
                row.exitStatus = try scontrolExitStatus(id)
            }
            // A state this table does not know keeps the job's previous state (omitted).
            if let state = SlurmJobState.map(row.state, exitStatus: row.exitStatus, reason: row.reason) {
                states[id] = state
            }
        }
        for id in missing {
            let misses = (missedRounds[id] ?? 0) + 1
            if misses >= lostAfter {
                missedRounds[id] = nil
                states[id] = .lost
            } else {
                missedRounds[id] = misses
            }
        }
        return states
    }

    struct Row: Equatable {
        var state: String
        var exitStatus: Int32?
        var reason: String?
    }

    // MARK: squeue

    private func squeue(_ ids: [String]) throws -> [String: Row] {
        var args = ["squeue", "--noheader", "--states=all"]
        if ids.count > SlurmStatusQuery.maxIDsOnCommandLine {
            args.append("--user=\(getuid())")
        } else {
            args.append("--jobs=" + ids.joined(separator: ","))
        }
        args.append("--Format=" + SlurmStatusQuery.squeueFields)
        let result = try run(args)
        if result.status != 0 {
            // Every listed id is unknown (all aged out): an answer, not an error.
            if result.stderr.contains("Invalid job id specified") { return [:] }
            throw commands.failure(args, result)
        }
        return SlurmStatusQuery.parseSqueue(result.stdout)
    }

    /// Lines "id|STATE|exit_code|reason" (exit_code is a raw wait status).
    static func parseSqueue(_ output: String) -> [String: Row] {
        var rows: [String: Row] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map { ExecutorText.trim($0) }
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else { continue }
            let exit = fields.count > 2 ? SlurmText.exitStatus(waitStatus: fields[2]) : nil
            var reason = fields.count > 3 ? fields[3] : nil
            if reason?.hasSuffix("|") == true { reason?.removeLast() }
            rows[fields[0]] = Row(state: fields[1], exitStatus: exit, reason: reason)
        }
        return rows
    }

    // MARK: sacct

    private func sacct(_ ids: [String]) throws -> [String: Row] {
        if accounting == .unknown || accounting == .database {
            let args = ["sacct", "-X", "--parsable2", "--noheader", "--jobs=" + ids.joined(separator: ","),
                        "--format=JobIdRaw,State,ExitCode"]
            let result = try run(args)
            if result.status == 0 {
                accounting = .database
                return SlurmStatusQuery.parseSacct(result.stdout)
            }
            guard accounting == .unknown, result.stderr.contains("accounting storage is disabled") else {
                throw commands.failure(args, result)
            }
            accounting = .jobcomp
        }
        guard accounting == .jobcomp else { return [:] }
        let args = ["sacct", "--completion", "--parsable2", "--noheader", "--jobs=" + ids.joined(separator: ","),
                    "--format=JobID,State,ExitCode"]
        let result = try run(args)
        if result.status != 0 {
            // No jobcomp file to read (JobCompType is not filetxt): squeue is all there is.
            accounting = .unavailable
            return [:]
        }
        return SlurmStatusQuery.parseSacct(result.stdout)
    }

    /// Lines "id|STATE|code:signal"; a later line for the same id (a requeue) wins.
    static func parseSacct(_ output: String) -> [String: Row] {
        var rows: [String: Row] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { ExecutorText.trim($0) }
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty,
                  fields[0].allSatisfy({ $0.isASCII && $0.isNumber }) else { continue }
            let exit = fields.count > 2 ? SlurmText.exitStatus(codeAndSignal: fields[2]) : nil
            rows[fields[0]] = Row(state: fields[1], exitStatus: exit, reason: nil)
        }
        return rows
    }

    // MARK: scontrol (rare: a failed job without an exit code)

    private func scontrolExitStatus(_ id: String) throws -> Int32? {
        let result = try run(["scontrol", "show", "job", "-o", id])
        guard result.status == 0 else { return nil }
        return SlurmStatusQuery.exitCode(fromScontrol: result.stdout)
    }

    /// `ExitCode=3:0` from a `scontrol show job -o` line (not `DerivedExitCode=`).
    static func exitCode(fromScontrol line: String) -> Int32? {
        for field in line.split(whereSeparator: { $0 == " " || $0 == "\n" }) where field.hasPrefix("ExitCode=") {
            return SlurmText.exitStatus(codeAndSignal: String(field.dropFirst("ExitCode=".count)))
        }
        return nil
    }

    private func run(_ args: [String]) throws -> CommandResult {
        calls += 1
        return try commands.run(args)
    }
}
