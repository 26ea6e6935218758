// FlowExec contract: the self-contained bash script a remote backend runs for a job.
//
// Owns: rendering a `JobSpec` into a script (strict mode, working directory, exported
// environment, the command) and writing it atomically as `.flow/jobs/<externalName>.sh`
// (temp file + rename, mode 0755), so a backend that reads it never sees half a script.
// Remote executors (Slurm, Kubernetes, Flux, PiCaS) then run `bash .flow/jobs/<name>.sh`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum JobScript {
    /// The script text. Environment entries are sorted so the text is reproducible.
    public static func render(_ job: JobSpec) -> String {
        var lines = [
            "#!/usr/bin/env bash",
            "# flow job \(job.id) (rule \(job.name)), attempt \(job.attempt): \(job.externalName)",
            // Snakemake's strict mode, so the script fails like the local run would.
            "set -euo pipefail",
            "cd \(shellQuote(job.workingDirectory))",
        ]
        for key in job.environment.keys.sorted() {
            lines.append("export \(key)=\(shellQuote(job.environment[key]!))")
        }
        switch job.command {
        case .shell(let text): lines.append(text)
        case .script(let path): lines.append("bash \(shellQuote(path))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the script under `directory` (created if missing); returns its path.
    @discardableResult
    public static func write(_ job: JobSpec, directory: String = ".flow/jobs") throws -> String {
        try makeDirectories(directory)
        let path = directory + "/" + job.externalName + ".sh"
        try writeAtomically(render(job), to: path, mode: 0o755)
        return path
    }

    /// Writes `text` to a temporary file beside `path`, then renames it over `path`.
    public static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws {
        let temp = "\(path).tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw SystemCallError("open", path: temp) }
        var text = text
        let complete = text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
        if !complete {
            let error = SystemCallError("write", path: temp)
            close(fd)
            unlink(temp)
            throw error
        }
        // open() applies the umask; the script must be executable whatever the umask is.
        if fchmod(fd, mode) != 0 || close(fd) != 0 {
            let error = SystemCallError("chmod/close", path: temp)
            unlink(temp)
            throw error
        }
        if rename(temp, path) != 0 {
            let error = SystemCallError("rename", path: path)
            unlink(temp)
            throw error
        }
    }

    /// Single-quotes `text` for bash ('\'' for each embedded quote); safe words stay bare.
    public static func shellQuote(_ text: String) -> String {
        if !text.isEmpty && text.utf8.allSatisfy(isPlainWordByte) { return text }
        var quoted = "'"
        for char in text {
            if char == "'" { quoted += "'\\''" } else { quoted.append(char) }
        }
        return quoted + "'"
    }

    /// `mkdir -p`.
    public static func makeDirectories(_ path: String) throws {
        if path.isEmpty || access(path, F_OK) == 0 { return }
        let parent = parentDirectory(path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o777) != 0 && errno != EEXIST { throw SystemCallError("mkdir", path: path) }
    }

    static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Bytes that mean nothing special to bash anywhere in a word: a word made only of them needs
    /// no quoting. Everything else (metacharacters, quotes, `$`, globs, `~`, newlines,
    /// non-ASCII) does.
    static func isPlainWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: ":"),
             UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}

/// write(2) until everything is written; false on error. (A free function: inside `JobScript`
/// the name `write` means the static method.)
private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if count < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += count
    }
    return true
}
