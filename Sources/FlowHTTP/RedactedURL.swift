// FlowHTTP: the only way a URL is shown to a person (logs, error messages).
//
// Owns: turning a URL into something safe to print — scheme, host, port and path, never the
// userinfo (`user:password@`) nor the query string (signed URLs and some APIs carry tokens there).
// It must not know about requests, retries or curl.

import Foundation

enum RedactedURL {
    /// `https://host:port/path` plus `?…` when there was a query, so a reader knows one was dropped.
    static func describe(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let host = parts.host else {
            return describeUnparsable(url)
        }
        var text = (parts.scheme.map { "\($0)://" } ?? "") + host
        if let port = parts.port { text += ":\(port)" }
        text += parts.percentEncodedPath
        if parts.percentEncodedQuery != nil { text += "?…" }
        return text
    }

    /// The path alone, as the request log shows it (no query, no userinfo, no host).
    static func path(_ url: String) -> String {
        guard let parts = URLComponents(string: url) else { return "/" }
        let path = parts.percentEncodedPath
        return path.isEmpty ? "/" : path
    }

    /// Text that is not a URL we can parse may still hold `user:pass@` or `?token=`: cut both out.
    private static func describeUnparsable(_ text: String) -> String {
        var rest = Substring(text)
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<q] }
        if let at = rest.lastIndex(of: "@") {
            let scheme = rest.range(of: "://").map { rest[..<$0.upperBound] } ?? ""
            rest = scheme + rest[rest.index(after: at)...]
        }
        return String(rest) + (text.contains("?") ? "?…" : "")
    }
}
