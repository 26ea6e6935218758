// FlowHTTP: how a client trusts servers and proves who it is.
//
// Owns: the TLS settings a kubeconfig, a CouchDB URL or a GCS endpoint may need — the system CAs,
// a CA file or inline CA data (kubeconfig `certificate-authority-data`), a client certificate and
// key as files or inline PEM, and `insecure-skip-tls-verify` when explicitly asked — and applying
// them to a curl handle. Inline keys are secrets: they go to curl as blobs and are never printed.

import CCurl
import CCurlShim
import Foundation

public struct TLSOptions: Sendable, Equatable {
    public enum Trust: Sendable, Equatable {
        /// The system's CA store (what libcurl was built with, e.g. /etc/ssl/certs on Debian).
        case system
        /// Only the CAs in this PEM file.
        case caFile(String)
        /// Only these PEM-encoded CAs.
        case caData(Data)
        /// Only the CAs in this OpenSSL hashed directory (`X509_CERT_DIR`, as grid tools use it).
        case caDirectory(String)
    }

    public enum ClientIdentity: Sendable, Equatable {
        case files(certificate: String, key: String)
        case pem(certificate: Data, key: Data)
    }

    public var trust: Trust
    public var clientIdentity: ClientIdentity?
    /// Accept any server certificate and host name. For tests and `insecure-skip-tls-verify: true`
    /// only; it makes TLS useless against an attacker.
    public var insecureSkipVerify: Bool

    public init(trust: Trust = .system, clientIdentity: ClientIdentity? = nil, insecureSkipVerify: Bool = false) {
        self.trust = trust
        self.clientIdentity = clientIdentity
        self.insecureSkipVerify = insecureSkipVerify
    }

    public static let system = TLSOptions()

    /// Applies the options to a freshly reset handle; a curl refusal names the option, not its value.
    func apply(to handle: UnsafeMutableRawPointer) throws {
        switch trust {
        case .system:
            break
        case .caFile(let path):
            try check(flow_curl_setopt_string(handle, CURLOPT_CAINFO, path), "CA file")
            // A given CA replaces the system store rather than adding to it (as kubectl does).
            try check(flow_curl_setopt_string(handle, CURLOPT_CAPATH, nil), "CA path")
        case .caData(let pem):
            try setBlob(handle, CURLOPT_CAINFO_BLOB, pem, "inline CA data")
            try check(flow_curl_setopt_string(handle, CURLOPT_CAPATH, nil), "CA path")
        case .caDirectory(let path):
            try check(flow_curl_setopt_string(handle, CURLOPT_CAPATH, path), "CA path")
            try check(flow_curl_setopt_string(handle, CURLOPT_CAINFO, nil), "CA file")
        }
        switch clientIdentity {
        case nil:
            break
        case .files(let certificate, let key):
            try check(flow_curl_setopt_string(handle, CURLOPT_SSLCERT, certificate), "client certificate file")
            try check(flow_curl_setopt_string(handle, CURLOPT_SSLKEY, key), "client key file")
        case .pem(let certificate, let key):
            try check(flow_curl_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM"), "client certificate type")
            try setBlob(handle, CURLOPT_SSLCERT_BLOB, certificate, "inline client certificate")
            try check(flow_curl_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM"), "client key type")
            try setBlob(handle, CURLOPT_SSLKEY_BLOB, key, "inline client key")
        }
        if insecureSkipVerify {
            try check(flow_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0), "skip verification")
            try check(flow_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0), "skip host verification")
        }
    }

    private func setBlob(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ data: Data, _ what: String) throws {
        let code = data.withUnsafeBytes { flow_curl_setopt_blob(handle, option, $0.baseAddress, $0.count) }
        try check(code, what)
    }

    private func check(_ code: CURLcode, _ what: String) throws {
        guard code == CURLE_OK else {
            throw HTTPError.invalidRequest("this libcurl does not accept the TLS setting \(what): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
