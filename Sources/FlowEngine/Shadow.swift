// `shadow:` directories, as Snakemake builds them: the job runs in `.flow/shadow/<job>/`, which
// mirrors the working directory (minimal: its inputs; shallow: the top-level entries; full: every
// file; copy-minimal: copies of the inputs), so junk the job writes never reaches the working
// directory. After success only the declared outputs, logs and benchmark are moved back.

import Foundation
import FlowLang
import FlowSystem

struct ShadowDirectory {
    let path: String
    let workdir: String

    /// Creates and populates the shadow directory for one job attempt.
    static func create(mode: String, path: String, workdir: String, inputs: [String]) throws -> ShadowDirectory {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let shadow = ShadowDirectory(path: path, workdir: workdir)
        switch mode {
        case "minimal", "copy-minimal":
            for input in inputs where !input.hasPrefix("/") {
                try shadow.mirror(input, copy: mode == "copy-minimal")
            }
        case "shallow":
            for entry in try FileManager.default.contentsOfDirectory(atPath: workdir) where entry != ".flow" && entry != ".snakemake" {
                try shadow.link(entry)
            }
        case "full":
            guard let walker = FileManager.default.enumerator(atPath: workdir) else { break }
            for case let entry as String in walker {
                if entry == ".flow" || entry == ".snakemake" { walker.skipDescendants(); continue }
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: workdir + "/" + entry, isDirectory: &isDir)
                if isDir.boolValue {
                    try FileManager.default.createDirectory(atPath: path + "/" + entry, withIntermediateDirectories: true)
                } else {
                    try shadow.link(entry)
                }
            }
        default:
            throw EngineError("shadow: unknown mode '\(mode)' (use minimal, shallow, full or copy-minimal)")
        }
        return shadow
    }

    /// Symlinks (or copies) `relative` into the shadow directory, creating parent directories.
    private func mirror(_ relative: String, copy: Bool) throws {
        let target = path + "/" + relative
        let parent = PathText.dirname(target)
        if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        guard FileManager.default.fileExists(atPath: workdir + "/" + relative), !FileManager.default.fileExists(atPath: target) else { return }
        if copy {
            // copy-minimal copies what a symlinked input points to, not the link.
            let source = URL(fileURLWithPath: workdir + "/" + relative).resolvingSymlinksInPath().path
            try FileManager.default.copyItem(atPath: source, toPath: target)
        } else {
            try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: workdir + "/" + relative)
        }
    }

    private func link(_ relative: String) throws {
        let target = path + "/" + relative
        if FileManager.default.fileExists(atPath: target) { return }
        try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: workdir + "/" + relative)
    }

    /// Moves declared files produced in the shadow directory back into the working directory.
    func collect(_ files: [String]) throws {
        for file in files where !file.hasPrefix("/") {
            let source = path + "/" + file
            var st = stat()
            guard lstat(source, &st) == 0 else { continue }
            // An input symlinked in by the shadow itself is not a product of the job.
            if (st.st_mode & S_IFMT) == S_IFLNK,
               let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: source), dest == workdir + "/" + file {
                continue
            }
            let target = workdir + "/" + file
            // Written through a symlinked directory of the shadow (shallow mode links the top
            // level): the file already is in the working directory.
            if Self.realPath(source) != nil, Self.realPath(source) == Self.realPath(target) { continue }
            try LocalFiles.makeParent(target)
            try? LocalFiles.remove(target)
            // A symlink the job made to an absolute path inside the shadow must point into the
            // working directory once the shadow is gone.
            if (st.st_mode & S_IFMT) == S_IFLNK, let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: source),
               dest.hasPrefix(path + "/") {
                unlink(source)
                try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: workdir + dest.dropFirst(path.count))
                continue
            }
            if rename(source, target) != 0 {
                throw EngineError("shadow: cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func remove() {
        try? LocalFiles.remove(path)
    }
}
