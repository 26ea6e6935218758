// Runs a child process for os.system and subprocess: argv or a /bin/sh command line, optional
// cwd/env, each stream inherited, piped (captured) or discarded. Values and Python semantics live
// in the callers; this file only spawns, feeds, drains and waits.

import Foundation

struct ProcessRunner {
    enum Stream { case inherit, capture, devnull, toStdout }

    var argv: [String]
    var cwd: String?
    var environment: [String: String]?
    var stdin: String?
    var stdout: Stream = .inherit
    var stderr: Stream = .inherit

    struct Result {
        /// Exit status, or minus the signal number like Python's returncode.
        var returncode: Int
        var stdout: String?
        var stderr: String?
    }

    func run() throws -> Result {
        let process = Process()
        guard let program = argv.first else { throw PyError("IndexError", "list index out of range") }
        // Resolve the program like execvp: a bare name searches PATH (from the child's environment).
        let resolved = program.contains("/") ? program : Self.which(program, path: (environment ?? ProcessInfo.processInfo.environment)["PATH"])
        guard let executable = resolved, FileManager.default.isExecutableFile(atPath: executable) else {
            throw osError(ENOENT, program)
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        if let cwd {
            guard PosixPath.isdir(cwd) else { throw osError(PosixPath.exists(cwd) ? ENOTDIR : ENOENT, cwd) }
            process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        }
        if let environment { process.environment = environment }

        let outPipe = stdout == .capture ? Pipe() : nil
        let errPipe = stderr == .capture ? Pipe() : nil
        let inPipe = stdin != nil ? Pipe() : nil
        let devnull = FileHandle(forUpdatingAtPath: "/dev/null")
        if let outPipe { process.standardOutput = outPipe } else if stdout == .devnull { process.standardOutput = devnull }
        switch stderr {
        case .capture: process.standardError = errPipe
        case .devnull: process.standardError = devnull
        case .toStdout: process.standardError = outPipe ?? (stdout == .devnull ? devnull : FileHandle.standardOutput)
        case .inherit: break
        }
        if let inPipe { process.standardInput = inPipe }

        do { try process.run() } catch { throw osError(ENOENT, program) }

        // Drain stderr and feed stdin on other threads so a full pipe never deadlocks the child.
        let group = DispatchGroup()
        let errBox = DataBox()
        if let errPipe {
            DispatchQueue.global().async(group: group) { errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
        }
        if let inPipe, let input = stdin {
            DispatchQueue.global().async(group: group) {
                inPipe.fileHandleForWriting.write(Data(input.utf8))
                try? inPipe.fileHandleForWriting.close()
            }
        }
        let outData = outPipe?.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        try? devnull?.close()

        let code = process.terminationReason == .uncaughtSignal ? -Int(process.terminationStatus) : Int(process.terminationStatus)
        return Result(returncode: code,
                      stdout: outData.map { String(decoding: $0, as: UTF8.self) },
                      stderr: errPipe != nil ? String(decoding: errBox.data, as: UTF8.self) : nil)
    }

    static func which(_ name: String, path: String?) -> String? {
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate), !PosixPath.isdir(candidate) { return candidate }
        }
        return nil
    }
}

private final class DataBox: @unchecked Sendable { var data = Data() }
