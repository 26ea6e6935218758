// FlowExec Flux backend: reading `flux jobs --json` and mapping a Flux job to flow's
// `ExternalJobState`.
//
// Owns: the answer's two shapes (`{"jobs":[…]}`, or ONE object when exactly one id was asked
// for: flux-jobs(1)), the fields flow reads (`id`, `name`, `state`, `result`, `returncode`,
// `waitstatus`, `exception{occurred,type,note}`; fields appear only once known), and the table:
// DEPEND/PRIORITY/SCHED → queued, RUN/CLEANUP → running, INACTIVE + COMPLETED → succeeded,
// FAILED → failed with the exit status (exceptions named: `exec`, `alloc`, …), TIMEOUT and
// CANCELED → failed with that word in the reason, a lost node → infrastructure failure.
// A job exception is an outcome like any other here (executors.md §2.1 bug c crashed on it).

import Foundation

struct FluxJobRecord: Decodable, Equatable {
    struct Exception: Decodable, Equatable {
        var occurred: Bool?
        var type: String?
        var note: String?
    }

    var id: UInt64
    var name: String?
    var state: String?
    var result: String?
    var returncode: Int?
    var waitstatus: Int?
    var exception: Exception?

    private enum CodingKeys: String, CodingKey { case id, name, state, result, returncode, waitstatus, exception }

    init(id: UInt64, name: String? = nil, state: String? = nil, result: String? = nil, returncode: Int? = nil,
         waitstatus: Int? = nil, exception: Exception? = nil) {
        self.id = id
        self.name = name
        self.state = state
        self.result = result
        self.returncode = returncode
        self.waitstatus = waitstatus
        self.exception = exception
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UInt64.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        // RFC 21 names; the numeric form (a bit per state) is read too.
        if let text = try? c.decodeIfPresent(String.self, forKey: .state) {
            state = text
        } else if let bits = try? c.decodeIfPresent(Int.self, forKey: .state) {
            state = FluxJobRecord.stateNames[bits]
        }
        result = try? c.decodeIfPresent(String.self, forKey: .result)
        returncode = try? c.decodeIfPresent(Int.self, forKey: .returncode)
        waitstatus = try? c.decodeIfPresent(Int.self, forKey: .waitstatus)
        exception = try? c.decodeIfPresent(Exception.self, forKey: .exception)
    }

    static let stateNames = [1: "NEW", 2: "DEPEND", 4: "PRIORITY", 8: "SCHED", 16: "RUN", 32: "CLEANUP", 64: "INACTIVE"]
}

enum FluxJobState {
    /// The records in a `flux jobs --json` answer (either shape); nil if it is not one.
    static func records(fromJSON text: String) -> [FluxJobRecord]? {
        struct List: Decodable { var jobs: [FluxJobRecord] }
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        if let list = try? decoder.decode(List.self, from: data) { return list.jobs }
        if let one = try? decoder.decode(FluxJobRecord.self, from: data) { return [one] }
        return nil
    }

    /// Exception types meaning the job never got a fair run (retried on their own budget).
    static let infrastructureExceptions: Set<String> = ["node-failure"]

    /// The flow state of `record`; nil for a state this table does not know (the caller keeps
    /// the job's previous state).
    static func map(_ record: FluxJobRecord) -> ExternalJobState? {
        switch (record.state ?? "").uppercased() {
        case "NEW", "DEPEND", "PRIORITY", "SCHED": return .queued
        case "RUN", "CLEANUP": return .running
        case "INACTIVE": break
        default: return nil
        }
        let exception = record.exception?.occurred == true ? record.exception : nil
        let note = exception.map(describe) ?? ""
        let status = exitStatus(record)
        switch (record.result ?? "").uppercased() {
        case "COMPLETED":
            return .succeeded
        case "TIMEOUT":
            return .failed(exitStatus: status ?? 1, reason: "TIMEOUT: job exceeded its runtime" + note)
        case "CANCELED":
            let when = record.returncode == -128 ? " before it started" : ""
            return .failed(exitStatus: status ?? 1, reason: "CANCELED\(when)" + note)
        case "FAILED":
            if let type = exception?.type, infrastructureExceptions.contains(type) {
                return .infrastructureFailed(reason: "Flux job FAILED" + note)
            }
            var parts: [String] = []
            if let status { parts.append("exit status \(status)") }
            if let signal = record.returncode.flatMap({ $0 < 0 && $0 != -128 ? -$0 : nil }) {
                parts.append("the job shell was killed by signal \(signal)")
            } else if let status, status > 128 {
                parts.append("killed by signal \(status - 128)")
            }
            let detail = parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
            return .failed(exitStatus: status ?? 1, reason: "Flux job FAILED" + detail + note)
        default:
            return nil
        }
    }

    /// The shell-style exit status: `returncode` (largest task exit code, 128+signal for a
    /// task killed by a signal; -signal when the job shell was; -128 cancelled before it ran),
    /// else the raw `waitstatus`. Nil when unknown or 0 (a failure must not read as success).
    static func exitStatus(_ record: FluxJobRecord) -> Int32? {
        var status: Int32?
        if let code = record.returncode {
            status = code == -128 ? nil : (code < 0 ? Int32(128 - code) : Int32(clamping: code))
        } else if let wait = record.waitstatus {
            status = ExecutorText.shellStatus(waitStatus: Int32(clamping: wait))
        }
        return status == 0 ? nil : status
    }

    private static func describe(_ exception: FluxJobRecord.Exception) -> String {
        let type = exception.type ?? "unknown"
        let note = ExecutorText.trim(exception.note ?? "")
        return "; Flux exception \(type)" + (note.isEmpty ? "" : ": \(note)")
    }
}
