// Small modules that are mostly constants or one-liners: platform, getpass, socket, string,
// warnings, uuid, and the import-only modules (typing, abc, __future__, ...).

import Foundation

enum MiscModules {
    static func userName() -> String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}
