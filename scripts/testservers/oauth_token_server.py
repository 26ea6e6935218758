#!/usr/bin/env python3
"""A Google-style OAuth token endpoint and metadata server for tests of flow's GCS credentials
(127.0.0.1, port 0; prints its port). It implements the two real exchanges:

- POST /token with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer: the assertion must be a
  JWT signed RS256 by the private key whose public key is in --public-key, with iss, scope, aud
  (this endpoint's URL), iat and exp; answers {"access_token", "expires_in", "token_type"}.
- GET /computeMetadata/v1/instance/service-accounts/default/token with Metadata-Flavor: Google.

Each issued token is counted in --log (one line per request: path and outcome), never printed.
Signatures are verified with the `cryptography` package."""
import argparse, base64, json, secrets, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, line):
        with open(self.server.log, "a") as f:
            f.write(line + "\n")

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def issue(self, kind):
        token = "ya29." + secrets.token_urlsafe(24)
        with open(self.server.tokens, "a") as f:
            f.write(token + "\n")
        self.record(f"{kind} issued")
        self.answer(200, {"access_token": token, "expires_in": self.server.lifetime, "token_type": "Bearer"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if self.path != "/token" or form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            self.record("token rejected: grant")
            return self.answer(400, {"error": "unsupported_grant_type"})
        try:
            header, claims, signature = form["assertion"][0].split(".")
            key = serialization.load_pem_public_key(open(self.server.public_key, "rb").read())
            key.verify(b64url_decode(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
            h, c = json.loads(b64url_decode(header)), json.loads(b64url_decode(claims))
            now = time.time()
            assert h["alg"] == "RS256", "alg"
            assert c["aud"] == f"http://127.0.0.1:{self.server.server_port}/token", "aud"
            assert "devstorage" in c["scope"], "scope"
            assert c["iat"] <= now + 5 and c["exp"] > now, "times"
            assert c["iss"], "iss"
        except Exception as error:
            self.record(f"token rejected: {type(error).__name__} {error}")
            return self.answer(400, {"error": "invalid_grant"})
        self.issue("jwt")

    def do_GET(self):
        if self.path != "/computeMetadata/v1/instance/service-accounts/default/token":
            return self.answer(404, {"error": "not found"})
        if self.headers.get("Metadata-Flavor") != "Google":
            self.record("metadata rejected: flavor")
            return self.answer(403, {"error": "Missing Metadata-Flavor:Google header"})
        self.issue("metadata")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--public-key", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--tokens", required=True, help="file that receives each issued token (for the tests' greps)")
    p.add_argument("--lifetime", type=int, default=3600)
    a = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.public_key, server.log, server.tokens, server.lifetime = a.public_key, a.log, a.tokens, a.lifetime
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
