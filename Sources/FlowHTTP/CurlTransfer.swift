// FlowHTTP: one attempt of one request on one curl easy handle.
//
// Owns: turning a request into curl options (method, body, headers, timeouts, TLS), the C
// callbacks that stream the body up (read/seek) and the answer down (header/write), and turning
// the outcome into either an answer or a `TransportFailure`. One attempt only: retries, auth
// refresh and logging belong to HTTPClient. Proxies: nothing here sets CURLOPT_PROXY or
// CURLOPT_NOPROXY, so libcurl honours `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy`
// from the environment by itself (only the lower-case `http_proxy`, as curl does).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCurl
import CCurlShim
import Foundation

/// Everything an attempt needs besides the request itself; fixed per client.
struct TransferSettings {
    var tls: TLSOptions
    var timeouts: HTTPTimeouts
    var userAgent: String
    var share: OpaquePointer?
    var isCancelled: (@Sendable () -> Bool)?
}

enum AttemptResult {
    case answer(status: Int, headers: [(name: String, value: String)])
    case failure(TransportFailure)
    /// A local problem (file unreadable/unwritable, bad request) that retrying cannot fix.
    case localError(HTTPError)
}

final class CurlTransfer {
    private var upload: UploadSource
    let sink: ResponseSink
    private let isCancelled: (@Sendable () -> Bool)?
    private(set) var status = 0
    private(set) var headers: [(name: String, value: String)] = []

    private init(upload: UploadSource, sink: ResponseSink, isCancelled: (@Sendable () -> Bool)?) {
        self.upload = upload
        self.sink = sink
        self.isCancelled = isCancelled
    }

    /// Runs one attempt. `sink` receives the body; the caller commits or discards it.
    static func perform(_ request: HTTPRequest, url: String, headers: [(name: String, value: String)],
                        sink: ResponseSink, on easy: CurlEasy, settings: TransferSettings) -> AttemptResult {
        let upload: UploadSource
        do {
            upload = try UploadSource(request.body)
        } catch let error as HTTPError {
            return .localError(error)
        } catch {
            return .localError(.invalidRequest("\(error)"))
        }
        let transfer = CurlTransfer(upload: upload, sink: sink, isCancelled: settings.isCancelled)
        defer { transfer.upload.close() }
        return transfer.run(request, url: url, headers: headers, easy: easy, settings: settings)
    }

    private func run(_ request: HTTPRequest, url: String, headers extra: [(name: String, value: String)],
                     easy: CurlEasy, settings: TransferSettings) -> AttemptResult {
        let h = easy.handle
        curl_easy_reset(h)  // Keeps the connection cache, DNS cache and TLS sessions; drops options.
        var slist: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(slist) }
        let me = Unmanaged.passUnretained(self).toOpaque()
        easy.errorBuffer[0] = 0

        var setupFailed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if setupFailed == CURLE_OK && code != CURLE_OK { setupFailed = code } }

        set(flow_curl_setopt_string(h, CURLOPT_URL, url))
        set(flow_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, easy.errorBuffer))
        // Several threads use several handles: curl must not use signals (alarm) for DNS timeouts.
        set(flow_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1))
        set(flow_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(flow_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1))
        if let share = settings.share { set(flow_curl_setopt_share(h, share)) }
        // On a reused connection that dies before any answer, curl silently sends the request
        // again on a new one, whatever the method. A request that must not run twice therefore
        // gets a connection of its own, so that only RetryPolicy decides about re-sending it.
        if !request.isIdempotent { set(flow_curl_setopt_long(h, CURLOPT_FRESH_CONNECT, 1)) }
        set(flow_curl_setopt_string(h, CURLOPT_USERAGENT, settings.userAgent))

        // Method and body. POST uses curl's POST mode (it then sends Content-Length from
        // POSTFIELDSIZE); other methods with a body use upload mode with a custom verb.
        let method = request.method.rawValue
        if let size = upload.size {
            set(flow_curl_setopt_read_callback(h, readCallback))
            set(flow_curl_setopt_pointer(h, CURLOPT_READDATA, me))
            set(flow_curl_setopt_seek_callback(h, seekCallback))
            set(flow_curl_setopt_pointer(h, CURLOPT_SEEKDATA, me))
            if method == "POST" {
                set(flow_curl_setopt_long(h, CURLOPT_POST, 1))
                set(flow_curl_setopt_offset(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(size)))
            } else {
                set(flow_curl_setopt_long(h, CURLOPT_UPLOAD, 1))
                set(flow_curl_setopt_offset(h, CURLOPT_INFILESIZE_LARGE, curl_off_t(size)))
                if method != "PUT" { set(flow_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, method)) }
            }
        } else {
            switch method {
            case "GET": set(flow_curl_setopt_long(h, CURLOPT_HTTPGET, 1))
            case "HEAD": set(flow_curl_setopt_long(h, CURLOPT_NOBODY, 1))
            case "POST":
                set(flow_curl_setopt_long(h, CURLOPT_POST, 1))
                set(flow_curl_setopt_offset(h, CURLOPT_POSTFIELDSIZE_LARGE, 0))
                set(flow_curl_setopt_string(h, CURLOPT_COPYPOSTFIELDS, ""))
            default: set(flow_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, method))
            }
        }

        var headerLines = extra.map { "\($0.name): \($0.value)" }
        if let type = request.body.contentType,
           !extra.contains(where: { $0.name.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            headerLines.append("Content-Type: \(type)")
        }
        // Small in-memory bodies go at once; `Expect: 100-continue` stays for file uploads, where
        // it saves sending gigabytes to a server that is about to answer 401 or 413.
        if case .bytes = request.body { headerLines.append("Expect:") }
        for line in headerLines { slist = curl_slist_append(slist, line) }
        set(flow_curl_setopt_slist(h, CURLOPT_HTTPHEADER, slist))

        set(flow_curl_setopt_write_callback(h, CURLOPT_HEADERFUNCTION, headerCallback))
        set(flow_curl_setopt_pointer(h, CURLOPT_HEADERDATA, me))
        set(flow_curl_setopt_write_callback(h, CURLOPT_WRITEFUNCTION, writeCallback))
        set(flow_curl_setopt_pointer(h, CURLOPT_WRITEDATA, me))

        let t = settings.timeouts
        set(flow_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(t.connect)))
        set(flow_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, milliseconds(request.totalTimeout ?? t.total ?? 0)))
        if let low = t.lowSpeed {
            set(flow_curl_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, low.bytesPerSecond))
            set(flow_curl_setopt_long(h, CURLOPT_LOW_SPEED_TIME, low.seconds))
        }
        if settings.isCancelled != nil {
            set(flow_curl_setopt_xferinfo_callback(h, xferinfoCallback))
            set(flow_curl_setopt_pointer(h, CURLOPT_XFERINFODATA, me))
            set(flow_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0))
        }
        guard setupFailed == CURLE_OK else {
            return .localError(.invalidRequest("libcurl refused an option: \(String(cString: curl_easy_strerror(setupFailed)))"))
        }
        do {
            try settings.tls.apply(to: h)
        } catch let error as HTTPError {
            return .localError(error)
        } catch {
            return .localError(.invalidRequest("\(error)"))
        }

        let code = curl_easy_perform(h)
        if let failure = upload.failure { return .localError(failure) }
        if let failure = sink.failure { return .localError(failure) }
        guard code == CURLE_OK else {
            var pretransfer: curl_off_t = 0
            _ = flow_curl_getinfo_offset(h, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
            let message = String(cString: easy.errorBuffer)
            // No connection means nothing left this machine. Past connect, the request may have
            // reached the server even if no answer came back.
            let neverConnected = code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST
                || code == CURLE_COULDNT_RESOLVE_PROXY
                || (pretransfer == 0 && (code == CURLE_OPERATION_TIMEDOUT || code == CURLE_SSL_CONNECT_ERROR))
            return .failure(TransportFailure(code: code, message: message, nothingSent: neverConnected))
        }
        var responseCode = 0
        _ = flow_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &responseCode)
        return .answer(status: responseCode != 0 ? responseCode : status, headers: headers)
    }

    // MARK: callbacks (called by curl on the thread running curl_easy_perform)

    fileprivate func receiveHeader(_ line: Substring) {
        if line.hasPrefix("HTTP/") {
            // A new status line (after `100 Continue`, say) starts a new header block.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            headers.append((name: name, value: value))
        }
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        sink.write(bytes, status: status)
    }

    fileprivate func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        upload.read(into: buffer)
    }

    fileprivate func rewind(to offset: Int64) -> Bool {
        upload.seek(to: offset)
    }

    fileprivate var shouldAbort: Bool { isCancelled?() ?? false }
}

private func milliseconds(_ seconds: Double) -> Int {
    seconds <= 0 ? 0 : max(1, Int((seconds * 1000).rounded()))
}

private func transfer(_ userdata: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
}

private let headerCallback: flow_curl_write_cb = { data, size, count, userdata in
    let n = size * count
    guard let data else { return n }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
    transfer(userdata).receiveHeader(Substring(line.trimmingCharacters(in: .newlines)))
    return n
}

private let writeCallback: flow_curl_write_cb = { data, size, count, userdata in
    let n = size * count
    guard let data, n > 0 else { return 0 }
    return transfer(userdata).receiveBody(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
}

/// CURL_READFUNC_ABORT: makes curl stop with CURLE_ABORTED_BY_CALLBACK.
private let readAbort = 0x1000_0000

private let readCallback: flow_curl_read_cb = { buffer, size, count, userdata in
    guard let buffer else { return 0 }
    let n = transfer(userdata).fill(UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    return n < 0 ? readAbort : n
}

private let seekCallback: flow_curl_seek_cb = { userdata, offset, origin in
    // curl only ever asks for SEEK_SET. 0 = CURL_SEEKFUNC_OK, 1 = CURL_SEEKFUNC_FAIL.
    guard origin == SEEK_SET else { return 1 }
    return transfer(userdata).rewind(to: Int64(offset)) ? 0 : 1
}

private let xferinfoCallback: flow_curl_xferinfo_cb = { userdata, _, _, _, _ in
    transfer(userdata).shouldAbort ? 1 : 0
}
