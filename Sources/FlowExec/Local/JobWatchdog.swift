// FlowExec local backend: jobs die with flow, even when flow is killed with SIGKILL.
//
// Owns: one small bash process per run (started with the first job) that knows the process
// group of every running job: flow tells it "+<pgid>" when a job starts and "-<pgid>" once the
// job has been reaped, over a socket only flow holds the writing end of (close-on-exec, and
// posix_spawn closes every other descriptor in jobs). When that end closes — flow exited, or
// was killed by any signal — the watchdog reads EOF and ends the groups still listed: SIGTERM,
// then SIGKILL after the grace period. It ignores SIGHUP/SIGINT/SIGTERM and sits in its own
// process group, so neither a terminal's Ctrl-C nor a hang-up ends it before flow.
//
// Why not PR_SET_PDEATHSIG in each job's first process: posix_spawn cannot set it (a fork per
// job costs the start-up time this executor saves), and it would reach only that first process,
// not the rest of the job's group. The watchdog also works where there is no PDEATHSIG (macOS).
// It is best effort (a SIGKILL to the whole session ends it too, along with the jobs); the
// guarantee is the next run's check for orphans (FlowState.OrphanedJobs).

import FlowSystem
#if canImport(Glibc)
import Glibc

final class JobWatchdog {
    private let socket: Int32
    private let pid: pid_t

    private static let script = """
        trap '' HUP INT TERM PIPE
        declare -A groups
        while IFS= read -r line; do
            case $line in
                +*) groups[${line:1}]=1 ;;
                -*) unset "groups[${line:1}]" ;;
            esac
        done
        (( ${#groups[@]} )) || exit 0
        for g in "${!groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
        for (( i = 0; i < $1 * 10; i++ )); do
            alive=0
            for g in "${!groups[@]}"; do kill -0 -- "-$g" 2>/dev/null && alive=1; done
            (( alive )) || exit 0
            sleep 0.1
        done
        for g in "${!groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
        """

    /// Starts the watchdog; nil if it cannot be started (jobs then run without it).
    init?(spawner: ProcessSpawner, bash: String, environment: EnvironmentBlock, grace: Double) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { return nil }
        defer { close(fds[1]) }
        let discard = ChildOutput(stdoutPath: "/dev/null", stderrPath: "/dev/null")
        let seconds = String(max(1, Int(grace.rounded(.up))))
        guard let pid = try? spawner.spawn(executable: bash, arguments: ["bash", "-c", Self.script, "flow-watchdog", seconds],
                                           environment: environment, workingDirectory: nil, output: discard, input: fds[1])
        else {
            close(fds[0])
            return nil
        }
        socket = fds[0]
        self.pid = pid
    }

    deinit {
        close(socket)
        // With no job left it exits at once: reap it (briefly) rather than leave a zombie.
        var status: Int32 = 0
        for _ in 0..<20 where waitpid(pid, &status, WNOHANG) == 0 { usleep(1000) }
    }

    func jobStarted(_ pgid: pid_t) { send("+\(pgid)\n") }
    func jobReaped(_ pgid: pid_t) { send("-\(pgid)\n") }

    private func send(_ line: String) {
        var bytes = Array(line.utf8)
        // MSG_NOSIGNAL: a dead watchdog must not take flow down with SIGPIPE.
        _ = Glibc.send(socket, &bytes, bytes.count, Int32(MSG_NOSIGNAL))
    }
}
#endif
