// FlowHTTP: the curl easy handles a client keeps between requests.
//
// Owns: creating easy handles, lending one to a request at a time and taking it back, so that
// connections (each handle keeps its own), DNS answers and TLS sessions (shared by all handles
// through one locked share handle) are reused across requests and threads. It must not know
// what requests are sent on them.

import CCurl
import CCurlShim
import Foundation

/// One curl easy handle plus the error buffer curl writes its detailed messages to.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }
}

final class CurlHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CurlEasy] = []
    private let maxIdle: Int
    /// Shared DNS cache and TLS sessions; freed after every handle (they reference it).
    let share: OpaquePointer?

    init(maxIdle: Int) throws {
        guard flow_curl_global_init_once() == CURLE_OK else {
            throw HTTPError.invalidRequest("libcurl could not be initialised")
        }
        self.maxIdle = max(1, maxIdle)
        share = flow_curl_share_new()
    }

    deinit {
        idle.removeAll()
        flow_curl_share_free(share)
    }

    /// Runs `body` with a handle of its own; the handle (and its open connection) goes back to
    /// the pool afterwards, unless the pool is full.
    func withHandle<T>(_ body: (CurlEasy) throws -> T) throws -> T {
        lock.lock()
        let reused = idle.popLast()
        lock.unlock()
        guard let easy = reused ?? CurlEasy() else {
            throw HTTPError.invalidRequest("libcurl could not create a handle (out of memory?)")
        }
        defer {
            lock.lock()
            if idle.count < maxIdle { idle.append(easy) }
            lock.unlock()
        }
        return try body(easy)
    }
}
