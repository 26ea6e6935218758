// FlowExec local backend: GNU make's shortcut of running a simple command without a shell.
//
// Owns: deciding whether shell text is one plain command (words of ordinary characters, no
// quoting, expansion, redirection, pipes, lists, assignments, keywords or state-changing
// builtins) and resolving its program on PATH. For such a command bash's strict mode has
// nothing to act on, so exec'ing the program directly gives the same result and saves a bash
// start-up per job (~1 ms, the dominant cost of trivial jobs). The word lists follow GNU
// make's job.c (`sh_chars`, `sh_cmds`) plus bash's own keywords and builtins.

import FlowSystem
#if canImport(Glibc)
import Glibc

enum SimpleCommand {
    /// The argv of `text` if it can run without a shell, else nil.
    static func words(_ text: String) -> [String]? {
        var words: [String] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)); current = [] }
            } else if ShellQuote.isPlainWordByte(byte) {
                current.append(byte)
            } else {
                return nil
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        guard let first = words.first, !first.contains("="), !shellOnly.contains(first) else { return nil }
        return words
    }

    /// Keywords and builtins that only mean something inside a shell (or differ from the program
    /// of the same name in ways that matter).
    private static let shellOnly: Set<String> = [
        ".", ":", "[", "[[", "]]", "!", "{", "}", "alias", "bg", "bind", "break", "builtin", "caller",
        "case", "cd", "command", "compgen", "complete", "compopt", "continue", "coproc", "declare",
        "dirs", "disown", "do", "done", "echo", "elif", "else", "enable", "esac", "eval", "exec",
        "exit", "export", "fc", "fg", "fi", "for", "function", "getopts", "hash", "help", "history",
        "if", "in", "jobs", "let", "local", "logout", "mapfile", "popd", "pushd", "read",
        "readarray", "readonly", "return", "select", "set", "shift", "shopt", "source", "suspend",
        "test", "then", "time", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias",
        "unset", "until", "wait", "while",
    ]
}

/// Finds programs on a PATH, remembering hits (a miss is not remembered: a job may create it).
final class ExecutableResolver {
    private var cache: [String: String] = [:]

    func resolve(_ name: String, searchPath: String) -> String? {
        if name.hasPrefix("/") { return access(name, X_OK) == 0 ? name : nil }
        // A relative path with a slash is relative to the job's directory: let the shell do it.
        if name.contains("/") { return nil }
        let key = searchPath + "\u{0}" + name
        if let hit = cache[key] { return hit }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            guard candidate.hasPrefix("/") else { continue }
            var info = stat()
            if stat(candidate, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(candidate, X_OK) == 0 {
                cache[key] = candidate
                return candidate
            }
        }
        return nil
    }

    /// Forgets a hit that turned out stale (the program was removed).
    func forget(_ name: String, searchPath: String) {
        cache[searchPath + "\u{0}" + name] = nil
    }
}
#endif
