// FlowHTTP: the client — one per endpoint and configuration, safe to use from several threads.
//
// Owns: the life of a request: building its headers (auth included), running attempts on pooled
// curl handles, the one auth refresh after a 401, asking RetryPolicy what to do after a failure
// and sleeping when told, logging every attempt through the hook, and committing or discarding a
// streamed download. This is the only retry loop in flow's HTTP stack: callers (Kubernetes,
// CouchDB, GCS adapters) must not wrap it in retries of their own.
//
// Requests are synchronous: the calling thread blocks, like the rest of FlowExec's backends.

import Foundation

public final class HTTPClient: @unchecked Sendable {
    public let configuration: HTTPClientConfiguration
    private let pool: CurlHandlePool

    public init(_ configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws {
        self.configuration = configuration
        pool = try CurlHandlePool(maxIdle: configuration.maxIdleHandles)
    }

    /// Sends `request`, retrying transient failures within the policy.
    ///
    /// Returns the final answer for any status that is not retried (2xx, 404, 409, ...: check
    /// with `requireSuccess()`). Throws `HTTPError.gaveUp` when a transient status outlasted the
    /// retries, `.transport` for failures below HTTP, `.unauthorized` for a 401 that one refresh
    /// did not cure, and `.localFile` for upload/download file problems.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let url = try request.url(base: configuration.baseURL)
        let shown = RedactedURL.describe(url)
        let path = RedactedURL.path(url)
        let method = request.method.rawValue
        try Self.validateHeaders(configuration.defaultHeaders + request.headers)
        let clock = configuration.clock
        let settings = TransferSettings(tls: configuration.tls, timeouts: configuration.timeouts,
                                        userAgent: configuration.userAgent, share: pool.share,
                                        isCancelled: configuration.isCancelled)
        let started = clock.now()
        var attempt = 0
        var refreshed = false
        // One sink for all attempts of a resumable download (it keeps the partial file between
        // them); a fresh one per attempt otherwise.
        let resumable: Bool = if case .resumableFile = request.destination { true } else { false }
        var sink = ResponseSink(destination: request.destination)

        while true {
            attempt += 1
            if configuration.isCancelled?() == true {
                throw HTTPError.transport(method: method, url: shown,
                                          failure: TransportFailure(kind: .cancelled, message: "cancelled before the request was sent", nothingSent: true),
                                          attempts: attempt - 1)
            }
            var headers = configuration.defaultHeaders + request.headers
            if let value = try authorization() { headers.append((name: "Authorization", value: value)) }
            if resumable, let offset = sink.resumeOffset {
                headers.append((name: "Range", value: "bytes=\(offset)-"))
            } else if attempt > 1 {
                sink = ResponseSink(destination: request.destination)
            }
            let attemptStarted = clock.now()
            let result = try pool.withHandle { easy in
                CurlTransfer.perform(request, url: url, headers: headers, sink: sink, on: easy, settings: settings)
            }
            let duration = clock.now() - attemptStarted

            let outcome: RetryPolicy.Outcome
            var answer: (status: Int, headers: [(name: String, value: String)])?
            switch result {
            case .localError(let error):
                let kind: TransportErrorKind = if case .localFile = error { .localFile } else { .other }
                log(method, path, .failed(kind), attempt, duration)
                throw error
            case .failure(let failure):
                log(method, path, .failed(failure.kind), attempt, duration)
                outcome = .transport(failure)
            case .answer(let status, let responseHeaders):
                log(method, path, .status(status), attempt, duration)
                if status == 401 {
                    sink.discard()
                    guard let auth = configuration.auth, !refreshed else {
                        throw HTTPError.unauthorized(method: method, url: shown, refreshed: refreshed)
                    }
                    refreshed = true
                    try Self.providerCall { try auth.refresh() }
                    continue  // The one re-send after a refresh; not counted against the retry policy.
                }
                answer = (status, responseHeaders)
                let retryAfter = RetryPolicy.parseRetryAfter(responseHeaders.first {
                    $0.name.caseInsensitiveCompare("Retry-After") == .orderedSame
                }?.value)
                outcome = .status(status, retryAfter: retryAfter)
                if !RetryPolicy.isTransient(status: status) {
                    return try finish(sink, status: status, headers: responseHeaders, attempts: attempt, method: method, url: shown)
                }
            }

            let retries = attempt - (refreshed ? 1 : 0)
            let decision = configuration.retry.decide(after: retries, outcome: outcome, idempotent: request.isIdempotent,
                                                      elapsed: clock.now() - started, random: clock.random)
            switch decision {
            case .retry(let delay):
                if resumable { sink.keepForResume() } else { sink.discard() }
                sleep(delay)
            case .giveUp(let reason):
                switch (outcome, answer) {
                case (.status, let answer?) where reason == .notRetryable:
                    // E.g. a 500 to a POST: the caller decides what it means.
                    return try finish(sink, status: answer.status, headers: answer.headers, attempts: attempt, method: method, url: shown)
                case (.status(let status, _), _):
                    sink.discard()
                    throw HTTPError.gaveUp(method: method, url: shown, lastStatus: status, attempts: attempt, reason: reason)
                case (.transport(let failure), _):
                    sink.discard()
                    throw HTTPError.transport(method: method, url: shown, failure: failure, attempts: attempt)
                }
            }
        }
    }

    /// GET a JSON document and decode it, requiring a 2xx.
    public func getJSON<T: Decodable>(_ type: T.Type, _ target: String, query: [(name: String, value: String)] = []) throws -> T {
        try send(HTTPRequest(.get, target, query: query, headers: [(name: "Accept", value: "application/json")]))
            .requireSuccess().decodeJSON(T.self)
    }

    // MARK: -

    private func finish(_ sink: ResponseSink, status: Int, headers: [(name: String, value: String)],
                        attempts: Int, method: String, url: String) throws -> HTTPResponse {
        let file = try sink.commit(status: status)
        return HTTPResponse(status: status, headers: headers, body: sink.memory, bodyFile: file,
                            bodyLength: file != nil ? sink.fileLength : sink.length, attempts: attempts, requestLine: (method, url))
    }

    private func authorization() throws -> String? {
        guard let auth = configuration.auth else { return nil }
        let value = try Self.providerCall { try auth.authorization() }
        if let value, value.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw HTTPError.authProvider(reason: "the credential contains a line break")
        }
        return value
    }

    /// Provider errors become `.authProvider` (providers keep secrets out of their errors).
    private static func providerCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError.authProvider(reason: "\(error)")
        }
    }

    /// A line break in a header would let a value inject headers. Only the name is reported: the
    /// value may be a secret.
    private static func validateHeaders(_ headers: [(name: String, value: String)]) throws {
        for header in headers where header.name.isEmpty || (header.name + header.value).contains(where: { $0 == "\r" || $0 == "\n" })
            || header.name.contains(":") {
            throw HTTPError.invalidRequest("header '\(header.name.prefix(40))' has an empty name, a colon in its name or a line break")
        }
    }

    /// Sleeps in short slices so a cancellation is noticed within a tenth of a second.
    private func sleep(_ seconds: Double) {
        guard let isCancelled = configuration.isCancelled else { return configuration.clock.sleep(seconds) }
        var left = seconds
        while left > 0 && !isCancelled() {
            let slice = min(left, 0.1)
            configuration.clock.sleep(slice)
            left -= slice
        }
    }

    private func log(_ method: String, _ path: String, _ outcome: HTTPLogEntry.Outcome, _ attempt: Int, _ duration: Double) {
        configuration.logHook?(HTTPLogEntry(method: method, path: path, outcome: outcome, attempt: attempt, duration: duration))
    }
}
