// Shell-style wildcard matching (fnmatch) and directory globbing with glob.glob's rules: hidden
// names only match patterns that start with '.', `**` spans directories when recursive, results
// keep the pattern's directory prefix. Each directory listing is sorted so results are
// deterministic (Python returns them in file-system order). Shared by glob, fnmatch and pathlib.

import Foundation

enum FnMatch {
    static func hasMagic(_ s: String) -> Bool { s.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// `fnmatch.fnmatchcase(name, pattern)`.
    static func matches(_ name: String, _ pattern: String) -> Bool {
        match(Array(name.unicodeScalars), 0, Array(pattern.unicodeScalars), 0)
    }

    private static func match(_ n: [Unicode.Scalar], _ ni: Int, _ p: [Unicode.Scalar], _ pi: Int) -> Bool {
        var ni = ni, pi = pi
        // Backtracking point for the last `*`.
        var star: (p: Int, n: Int)?
        while ni < n.count || pi < p.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    star = (pi, ni)
                    pi += 1
                    continue
                case "?":
                    if ni < n.count { ni += 1; pi += 1; continue }
                case "[":
                    if let (matched, next) = bracket(p, pi, n, ni) {
                        if matched { ni += 1; pi = next; continue }
                    } else if ni < n.count, n[ni] == "[" {
                        // An unterminated '[' is a literal.
                        ni += 1; pi += 1; continue
                    }
                default:
                    if ni < n.count, n[ni] == p[pi] { ni += 1; pi += 1; continue }
                }
            }
            guard let s = star, s.n < n.count else { return false }
            star = (s.p, s.n + 1)
            pi = s.p + 1
            ni = s.n + 1
        }
        return true
    }

    /// Matches `n[ni]` against the class starting at `p[pi]`; nil when the class is unterminated.
    private static func bracket(_ p: [Unicode.Scalar], _ pi: Int, _ n: [Unicode.Scalar], _ ni: Int) -> (Bool, Int)? {
        var j = pi + 1
        var negate = false
        if j < p.count, p[j] == "!" { negate = true; j += 1 }
        var first = true
        var matched = false
        let c = ni < n.count ? n[ni] : nil
        while j < p.count, p[j] != "]" || first {
            first = false
            if j + 2 < p.count, p[j + 1] == "-", p[j + 2] != "]" {
                if let c, p[j] <= c, c <= p[j + 2] { matched = true }
                j += 3
            } else {
                if let c, p[j] == c { matched = true }
                j += 1
            }
        }
        guard j < p.count else { return nil }
        guard c != nil else { return (false, j + 1) }
        return (matched != negate, j + 1)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch == "*" || ch == "?" || ch == "[" { out += "[\(ch)]" } else { out.append(ch) }
        }
        return out
    }
}

struct Globber {
    var recursive = false
    /// pathlib matches hidden files with `*`; glob.glob does not.
    var includeHidden = false
    /// Directory that relative patterns are resolved against (nil: the current directory).
    var root: String? = nil

    private func fsPath(_ p: String) -> String {
        guard let root, !p.hasPrefix("/") else { return p.isEmpty ? "." : p }
        return p.isEmpty ? root : PosixPath.join(root, [p])
    }

    func glob(_ pattern: String) -> [String] {
        let (dirname, basename) = PosixPath.split(pattern)
        if !FnMatch.hasMagic(pattern) {
            if basename.isEmpty { return PosixPath.isdir(fsPath(pattern)) ? [pattern] : [] }
            return PosixPath.lexists(fsPath(pattern)) ? [pattern] : []
        }
        if dirname.isEmpty { return inDirectory("", basename) }
        let dirs = (dirname != pattern && FnMatch.hasMagic(dirname)) ? glob(dirname) : [dirname]
        var results: [String] = []
        for d in dirs {
            for name in inDirectory(d, basename) { results.append(PosixPath.join(d, [name])) }
        }
        return results
    }

    private func inDirectory(_ dir: String, _ basename: String) -> [String] {
        if recursive && basename == "**" { return [""] + walk(dir) }
        if FnMatch.hasMagic(basename) {
            return listing(dir).filter { name in
                (includeHidden || !name.hasPrefix(".") || basename.hasPrefix(".")) && FnMatch.matches(name, basename)
            }
        }
        if basename.isEmpty { return PosixPath.isdir(fsPath(dir)) ? [""] : [] }
        return PosixPath.lexists(fsPath(PosixPath.join(dir, [basename]))) ? [basename] : []
    }

    private func listing(_ dir: String) -> [String] {
        ((try? PosixPath.listdir(fsPath(dir))) ?? []).sorted()
    }

    /// Every path below `dir` (relative to it), depth first, hidden names skipped unless allowed.
    private func walk(_ dir: String) -> [String] {
        var out: [String] = []
        for name in listing(dir) where includeHidden || !name.hasPrefix(".") {
            out.append(name)
            let full = PosixPath.join(dir, [name])
            if PosixPath.isdir(fsPath(full)) && !PosixPath.islink(fsPath(full)) {
                out += walk(full).map { PosixPath.join(name, [$0]) }
            }
        }
        return out
    }
}

enum GlobModule {
    static func make() -> PyModule {
        let m = PyModule("glob")
        for name in ["glob", "iglob"] {
            m.define(name) { a, i in
                let args = Args(a, name, i)
                var g = Globber()
                g.recursive = try args.flag("recursive")
                g.includeHidden = try args.flag("include_hidden")
                g.root = try args.optionalPath(99, "root_dir")
                let results = g.glob(try args.path(0, "pathname")).map { Value.str($0) }
                return name == "glob" ? .list(PyList(results)) : .object(ClosureIterator("generator", values: results))
            }
        }
        m.define("escape") { a, i in .str(FnMatch.escape(try Args(a, "escape", i).path(0, "pathname"))) }
        m.define("has_magic") { a, i in .bool(FnMatch.hasMagic(try Args(a, "has_magic", i).path(0, "s"))) }
        return m
    }
}

enum FnmatchModule {
    static func make() -> PyModule {
        let m = PyModule("fnmatch")
        for name in ["fnmatch", "fnmatchcase"] {
            m.define(name) { a, i in
                let args = Args(a, name, i)
                return .bool(FnMatch.matches(try args.path(0, "name"), try args.path(1, "pat")))
            }
        }
        m.define("filter") { a, i in
            let args = Args(a, "filter", i)
            let pattern = try args.path(1, "pat")
            return .list(PyList(try i.iterate(try args.required(0, "names")).filter {
                FnMatch.matches(try pathString($0, function: "filter"), pattern)
            }))
        }
        m.define("translate") { a, i in
            // Only the common wildcards; enough for re.match(fnmatch.translate(p), name).
            let p = try Args(a, "translate", i).string(0, "pat")
            var out = "(?s:"
            for ch in p {
                switch ch {
                case "*": out += ".*"
                case "?": out += "."
                default: out += ReModule.escape(String(ch))
                }
            }
            return .str(out + ")\\Z")
        }
        return m
    }
}
