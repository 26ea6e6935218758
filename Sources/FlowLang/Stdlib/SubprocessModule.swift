// `subprocess`: run/call/check_call/check_output/Popen over ProcessRunner, CompletedProcess
// results and CalledProcessError carrying returncode/cmd/output. Output is always text (str).

import Foundation

enum SubprocessModule {
    static let pipe = -1, stdoutRedirect = -2, devnull = -3

    static func make(_ interp: Interpreter) throws -> PyModule {
        let m = PyModule("subprocess", [("PIPE", .int(pipe)), ("STDOUT", .int(stdoutRedirect)), ("DEVNULL", .int(devnull))])
        for name in ["CalledProcessError", "SubprocessError", "TimeoutExpired"] {
            m.attributes.set(name, .object(try interp.exceptionClass(name)))
        }
        m.define("run") { a, i in
            let (cmd, result) = try execute(a, i, defaultCapture: false)
            if try Args(a, "run", i).flag("check"), result.returncode != 0 {
                throw try calledProcessError(result, cmd: cmd, i)
            }
            return .object(completed(cmd, result))
        }
        m.define("call") { a, i in .int(try execute(a, i, defaultCapture: false).1.returncode) }
        m.define("check_call") { a, i in
            let (cmd, result) = try execute(a, i, defaultCapture: false)
            if result.returncode != 0 { throw try calledProcessError(result, cmd: cmd, i) }
            return .int(0)
        }
        m.define("check_output") { a, i in
            let (cmd, result) = try execute(a, i, defaultCapture: true)
            if result.returncode != 0 { throw try calledProcessError(result, cmd: cmd, i) }
            return .str(result.stdout ?? "")
        }
        m.define("getoutput") { a, i in
            let cmd = try Args(a, "getoutput", i).string(0, "cmd")
            var r = ProcessRunner(argv: ["/bin/sh", "-c", cmd])
            r.stdout = .capture
            r.stderr = .toStdout
            var out = try r.run().stdout ?? ""
            if out.hasSuffix("\n") { out.removeLast() }
            return .str(out)
        }
        m.define("Popen") { a, i in
            // Runs to completion at construction; communicate()/wait() then report the outcome.
            let (cmd, result) = try execute(a, i, defaultCapture: false)
            let p = AttributeObject("Popen", ["returncode": .int(result.returncode), "args": cmd,
                                             "pid": .int(0)], mutable: true)
            p.method("wait") { _, _ in .int(result.returncode) }
            p.method("poll") { _, _ in .int(result.returncode) }
            p.method("communicate") { _, _ in
                .tuple([result.stdout.map { .str($0) } ?? .none, result.stderr.map { .str($0) } ?? .none])
            }
            p.method("kill") { _, _ in .none }
            p.method("terminate") { _, _ in .none }
            return .object(p)
        }
        return m
    }

    /// Runs the command described by subprocess-style arguments; returns (args value, result).
    private static func execute(_ a: Arguments, _ i: Interpreter, defaultCapture: Bool) throws -> (Value, ProcessRunner.Result) {
        let args = Args(a, "run", i)
        let cmd = try args.required(0, "args")
        let shell = try args.flag("shell")
        var argv: [String]
        if let s = cmd.pathValue {
            argv = shell ? ["/bin/sh", "-c", s] : [s]
        } else {
            argv = try i.iterate(cmd).map { v in
                guard let p = v.pathValue else { return try i.str(v) }
                return p
            }
            if shell { argv = ["/bin/sh", "-c"] + argv }
        }
        if let executable = try args.optionalPath(99, "executable"), !argv.isEmpty { argv[0] = executable }
        var runner = ProcessRunner(argv: argv)
        runner.cwd = try args.optionalPath(99, "cwd")
        if let env = a.keyword("env"), !env.isNone {
            var environment: [String: String] = [:]
            for k in try i.iterate(env) { environment[try i.str(k)] = try i.str(try i.getItem(env, k)) }
            runner.environment = environment
        }
        if let input = a.keyword("input"), !input.isNone { runner.stdin = try i.str(input) }
        let capture = try args.flag("capture_output")
        func stream(_ name: String, _ fallback: ProcessRunner.Stream) throws -> ProcessRunner.Stream {
            guard let v = a.keyword(name), !v.isNone else { return capture ? .capture : fallback }
            switch v {
            case .int(pipe): return .capture
            case .int(devnull): return .devnull
            case .int(stdoutRedirect): return .toStdout
            default: return .inherit   // file objects: not redirected (rare in Snakefiles)
            }
        }
        runner.stdout = try stream("stdout", defaultCapture ? .capture : .inherit)
        runner.stderr = try stream("stderr", .inherit)
        return (cmd, try runner.run())
    }

    private static func completed(_ cmd: Value, _ r: ProcessRunner.Result) -> AttributeObject {
        let stdout: Value = r.stdout.map { .str($0) } ?? .none
        let stderr: Value = r.stderr.map { .str($0) } ?? .none
        let o = AttributeObject("CompletedProcess", ["args": cmd, "returncode": .int(r.returncode), "stdout": stdout, "stderr": stderr],
                                mutable: true) { i in
            var s = "CompletedProcess(args=\(try i.repr(cmd)), returncode=\(r.returncode)"
            if !stdout.isNone { s += ", stdout=\(try i.repr(stdout))" }
            if !stderr.isNone { s += ", stderr=\(try i.repr(stderr))" }
            return s + ")"
        }
        o.method("check_returncode") { _, i in
            if r.returncode != 0 { throw try calledProcessError(r, cmd: cmd, i) }
            return .none
        }
        return o
    }

    static func calledProcessError(_ r: ProcessRunner.Result, cmd: Value, _ i: Interpreter) throws -> PyError {
        let message = r.returncode < 0
            ? "Command \(try i.repr(cmd)) died with signal \(-r.returncode)."
            : "Command \(try i.repr(cmd)) returned non-zero exit status \(r.returncode)."
        let inst = try i.instantiateException("CalledProcessError", [.int(r.returncode), cmd])
        inst.errorMessage = message
        let output: Value = r.stdout.map { .str($0) } ?? .none
        for (k, v) in [("returncode", Value.int(r.returncode)), ("cmd", cmd), ("output", output), ("stdout", output),
                       ("stderr", r.stderr.map { .str($0) } ?? .none)] {
            inst.attributes.set(k, v)
        }
        return PyError("CalledProcessError", message, value: .object(inst))
    }
}
