// Checksums of files for the engine (ensure(sha256=...)), over the digests of the hashlib module.

import Foundation

public enum FileDigest {
    /// The SHA-256 of a file's contents as lowercase hex, or nil if it cannot be read.
    public static func sha256Hex(path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var digest = Digest(.sha256)
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            digest.update([UInt8](chunk))
        }
        return digest.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
