// FlowExec local backend: starting one child process, as cheaply as the platform allows.
//
// Owns: posix_spawn with a reusable attribute set (own process group, default signal
// dispositions, empty signal mask) and per-child file actions (stdin from /dev/null, stdout/
// stderr to files or inherited, working directory, no leaked descriptors), plus prebuilt
// environment blocks. No fork()+exec from Swift, no Foundation `Process`, no thread per child:
// start-up dominates trivial jobs (swift-notes.md), so this path allocates little.
// It does not wait for children; `ChildProcess` does.

#if canImport(Glibc)
import Glibc

/// glibc ≥ 2.29 / 2.34 extensions that Swift's Glibc module does not import: looked up once.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addClosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}

/// A NULL-terminated `KEY=VALUE` array owned by this object, reusable across spawns.
final class EnvironmentBlock {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ entries: [String]) {
        pointers = entries.map { strdup($0) }
        pointers.append(nil)
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }

    /// The calling process's environment as a dictionary.
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }

    /// `base` with `overrides` applied, sorted for reproducible children.
    static func merging(_ base: [String: String], _ overrides: [String: String]) -> EnvironmentBlock {
        let merged = base.merging(overrides) { _, new in new }
        return EnvironmentBlock(merged.keys.sorted().map { "\($0)=\(merged[$0]!)" })
    }
}

/// Where a child's standard output and error go: a file (appended to), an open descriptor such
/// as a pipe's write end (for commands whose output the caller reads, e.g. Slurm's CLI), or,
/// when neither is set, this process's own.
struct ChildOutput {
    var stdoutPath: String?
    var stderrPath: String?
    var stdoutDescriptor: Int32? = nil
    var stderrDescriptor: Int32? = nil
}

final class ProcessSpawner {
    private var attributes = posix_spawnattr_t()

    /// posix_spawn can change the child's directory itself (glibc ≥ 2.29); otherwise callers
    /// must `cd` inside the shell command.
    static var canChangeDirectory: Bool { SpawnExtensions.addChdir != nil }

    init() {
        posix_spawnattr_init(&attributes)
        // Own process group (pgid = pid) so cancel can signal the job and all its descendants,
        // and a terminal's Ctrl-C reaches flow, which then cancels jobs deliberately.
        let flags = Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // Signals ignored by this process would stay ignored in the child (e.g. SIGPIPE breaks
        // `yes | head` under pipefail): reset them.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM,
                    SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ] {
            sigaddset(&defaults, sig)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(flags))
    }

    deinit {
        posix_spawnattr_destroy(&attributes)
    }

    /// Starts `executable` (an absolute path) with `arguments` (argv, including argv[0]).
    /// Returns the child's pid, which is also its process group id.
    /// Standard input is /dev/null unless `input` names a descriptor to read from.
    func spawn(executable: String, arguments: [String], environment: EnvironmentBlock,
               workingDirectory: String?, output: ChildOutput, input: Int32? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        let appendFlags = O_WRONLY | O_CREAT | O_APPEND
        if let fd = output.stdoutDescriptor {
            posix_spawn_file_actions_adddup2(&actions, fd, 1)
        } else if let out = output.stdoutPath {
            posix_spawn_file_actions_addopen(&actions, 1, out, appendFlags, 0o644)
        }
        if let fd = output.stderrDescriptor {
            posix_spawn_file_actions_adddup2(&actions, fd, 2)
        } else if let err = output.stderrPath {
            if err == output.stdoutPath {
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 2, err, appendFlags, 0o644)
            }
        }
        if let directory = workingDirectory, let addChdir = SpawnExtensions.addChdir {
            _ = addChdir(&actions, directory)
        }
        // Descriptors this process opened without O_CLOEXEC (pipes, databases) must not leak
        // into jobs: a leaked pipe end can keep a reader from ever seeing EOF.
        if let addClosefrom = SpawnExtensions.addClosefrom {
            _ = addClosefrom(&actions, 3)
        }

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }

        var pid: pid_t = 0
        let result = environment.pointers.withUnsafeBufferPointer { envp in
            posix_spawn(&pid, executable, &actions, &attributes, argv,
                        envp.baseAddress)
        }
        if result != 0 { throw SystemCallError("posix_spawn", path: executable, code: result) }
        return pid
    }
}
#endif
