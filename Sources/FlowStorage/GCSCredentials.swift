// FlowStorage, GCS: where the Google Cloud Storage adapter gets its endpoint and credentials, in
// the order Google's client libraries look: `STORAGE_EMULATOR_HOST` (an emulator: no auth),
// `GOOGLE_OAUTH_ACCESS_TOKEN` (a token given as is), `GOOGLE_APPLICATION_CREDENTIALS` (a service
// account key: a JWT signed RS256 exchanged for an access token; or gcloud's authorized-user
// file: a refresh token exchanged for one), then the metadata server (a GCE VM or a GKE pod with
// workload identity). Tokens are cached until shortly before they expire (FlowHTTP's
// `ExpiringBearerAuth`) and never printed: errors name the file or endpoint, not the secret.

import CCryptoShim
import Foundation
import FlowHTTP

public struct GCSEndpoint {
    public var baseURL: String
    public var auth: (any AuthProvider)?

    public static let googleAPIs = "https://storage.googleapis.com"
    static let scope = "https://www.googleapis.com/auth/devstorage.read_write"

    /// From the environment, as described at the top of this file.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       tokenClient: HTTPClient? = nil) throws -> GCSEndpoint {
        if let emulator = environment["STORAGE_EMULATOR_HOST"], !emulator.isEmpty {
            return GCSEndpoint(baseURL: emulator.contains("://") ? emulator : "http://" + emulator, auth: nil)
        }
        let client = try tokenClient ?? HTTPClient(HTTPClientConfiguration())
        if let token = environment["GOOGLE_OAUTH_ACCESS_TOKEN"], !token.isEmpty {
            return GCSEndpoint(baseURL: googleAPIs, auth: BearerTokenAuth(token: token))
        }
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            let key = try CredentialsFile(path: path)
            return GCSEndpoint(baseURL: googleAPIs, auth: ExpiringBearerAuth { try key.accessToken(client) })
        }
        let host = environment["GCE_METADATA_HOST"] ?? "metadata.google.internal"
        return GCSEndpoint(baseURL: googleAPIs, auth: ExpiringBearerAuth { try metadataToken(host: host, client) })
    }

    struct TokenAnswer: Decodable {
        var access_token: String
        var expires_in: Double?
    }

    /// The metadata server's token for the VM's (or the pod's bound) service account.
    static func metadataToken(host: String, _ client: HTTPClient) throws -> (token: String, expiresIn: Double) {
        let url = "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token"
        let answer = try client.send(HTTPRequest(.get, url, headers: [("Metadata-Flavor", "Google")])).requireSuccess()
            .decodeJSON(TokenAnswer.self)
        return (answer.access_token, answer.expires_in ?? 3600)
    }
}

/// A `GOOGLE_APPLICATION_CREDENTIALS` file: a service account key or an authorized user.
struct CredentialsFile: Sendable {
    struct Contents: Decodable {
        var type: String
        var client_email: String?
        var private_key: String?
        var private_key_id: String?
        var token_uri: String?
        var client_id: String?
        var client_secret: String?
        var refresh_token: String?
    }

    let path: String
    let contents: Contents

    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorageError.failed(operation: "read credentials", location: path, reason: "cannot read the file")
        }
        do { contents = try JSONDecoder().decode(Contents.self, from: data) } catch {
            throw StorageError.failed(operation: "read credentials", location: path, reason: "not a Google credentials JSON file")
        }
        guard ["service_account", "authorized_user"].contains(contents.type) else {
            throw StorageError.failed(operation: "read credentials", location: path,
                                      reason: "credentials of type '\(contents.type)' are not supported (service_account, authorized_user)")
        }
    }

    /// Exchanges the file's grant for an access token at its token endpoint.
    func accessToken(_ client: HTTPClient) throws -> (token: String, expiresIn: Double) {
        let tokenURI = contents.token_uri ?? "https://oauth2.googleapis.com/token"
        var form: [(String, String)]
        if contents.type == "service_account" {
            form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", try jwt(audience: tokenURI))]
        } else {
            guard let id = contents.client_id, let secret = contents.client_secret, let refresh = contents.refresh_token else {
                throw StorageError.failed(operation: "read credentials", location: path, reason: "client_id, client_secret or refresh_token missing")
            }
            form = [("grant_type", "refresh_token"), ("client_id", id), ("client_secret", secret), ("refresh_token", refresh)]
        }
        let body = form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(.post, tokenURI, body: .bytes(Data(body.utf8), contentType: "application/x-www-form-urlencoded"),
                                  idempotent: true)
        let answer = try client.send(request).requireSuccess().decodeJSON(GCSEndpoint.TokenAnswer.self)
        return (answer.access_token, answer.expires_in ?? 3600)
    }

    /// The signed assertion of a service account (RFC 7523): header.claims.signature, base64url.
    func jwt(audience: String, now: Double = Date().timeIntervalSince1970) throws -> String {
        guard let email = contents.client_email, let key = contents.private_key else {
            throw StorageError.failed(operation: "read credentials", location: path, reason: "client_email or private_key missing")
        }
        var header: [String: String] = ["alg": "RS256", "typ": "JWT"]
        if let kid = contents.private_key_id { header["kid"] = kid }
        let issued = Int(now)
        let claims: [String: Any] = ["iss": email, "scope": GCSEndpoint.scope, "aud": audience, "iat": issued, "exp": issued + 3600]
        let encoded = try [JSONSerialization.data(withJSONObject: header, options: .sortedKeys),
                           JSONSerialization.data(withJSONObject: claims, options: .sortedKeys)].map(Self.base64URL)
        let signingInput = encoded.joined(separator: ".")
        return signingInput + "." + Self.base64URL(try Self.sign(Array(signingInput.utf8), pem: key, path: path))
    }

    static func sign(_ bytes: [UInt8], pem: String, path: String) throws -> Data {
        var signature: UnsafeMutablePointer<UInt8>?
        var length = 0
        var error = [CChar](repeating: 0, count: 256)
        let status = flow_rs256_sign(pem, bytes, bytes.count, &signature, &length, &error, error.count)
        guard status == 0, let signature else {
            throw StorageError.failed(operation: "sign a token request with", location: path, reason: String(cString: error))
        }
        defer { flow_crypto_free(signature) }
        return Data(bytes: signature, count: length)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
