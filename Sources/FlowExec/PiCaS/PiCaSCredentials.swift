// FlowExec PiCaS backend: where the CouchDB user and password come from.
//
// Owns: PICAS_USER/PICAS_PASSWORD from the environment, else a credentials file, which must lie
// outside the working directory (so it is never shipped, committed or put in a token) and must
// not be readable by others. Never from a profile or a flag. Errors name the file, never its
// content.

import Foundation
import FlowSystem

extension CouchCredentials {
    /// - Parameters:
    ///   - file: a file with `user:password` on one line, or the user and the password on two lines.
    ///   - workdir: the run's working directory; the file may not be inside it (nil: no check).
    public static func resolve(file: String?, workdir: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CouchCredentials? {
        if let user = environment["PICAS_USER"], !user.isEmpty {
            guard let password = environment["PICAS_PASSWORD"] else {
                throw CouchError("PICAS_USER is set but PICAS_PASSWORD is not")
            }
            return CouchCredentials(user: user, password: password)
        }
        guard let file, !file.isEmpty else { return nil }
        let path = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        if let workdir {
            let base = URL(fileURLWithPath: workdir).standardizedFileURL.resolvingSymlinksInPath().path
            if path == base || path.hasPrefix(base.hasSuffix("/") ? base : base + "/") {
                throw CouchError("the PiCaS credentials file \(file) is inside the working directory; keep it outside (e.g. ~/.config/flow/picas)")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw CouchError("cannot read the PiCaS credentials file \(file)") }
        if info.st_mode & 0o077 != 0 {
            throw CouchError("the PiCaS credentials file \(file) is readable by others (chmod 600 it)")
        }
        guard let bytes = try? LocalFiles.read(path), let text = String(bytes: bytes, encoding: .utf8) else {
            throw CouchError("cannot read the PiCaS credentials file \(file)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        if lines.count == 1, let colon = lines[0].firstIndex(of: ":") {
            return CouchCredentials(user: String(lines[0][..<colon]), password: String(lines[0][lines[0].index(after: colon)...]))
        }
        if lines.count == 2 { return CouchCredentials(user: lines[0], password: lines[1]) }
        throw CouchError("the PiCaS credentials file \(file) must hold `user:password` or a user line and a password line")
    }
}
