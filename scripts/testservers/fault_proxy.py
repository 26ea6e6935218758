#!/usr/bin/env python3
"""Fault-injecting HTTP/1.1 reverse proxy for storage tests (fake-gcs-server, the WebDAV test bed).

Owns: forwarding each request to one upstream HTTP server and, with probability --rate (a seeded RNG),
answering it with a fault instead. It knows nothing of WebDAV or of the client under test.

Faults (--faults, comma-separated):
  503       answer 503 Service Unavailable without forwarding (the server never acted)
  reset     read the request, then reset the connection (SO_LINGER 0) without forwarding
  truncate  forward a GET, send the headers and half the body, then reset (a download cut short)
  lost      forward the request, then reset instead of answering (the server acted; the client
            cannot know: a resumable upload's chunk was committed, an answer never arrived)

--tls-cert/--tls-key: the proxy speaks HTTPS to its clients (the upstream stays plain HTTP), so a
client's TLS path (davs://, handshakes and resets over TLS) meets the same faults.

`Location` headers naming the upstream are rewritten to the proxy, so a resumable upload's session
URI keeps going through it. Behind TLS the proxy sends `X-Forwarded-Proto: https`.

--gcs-status-queries: fake-gcs-server finalises a resumable upload when asked for its status
(`PUT` with `Content-Range: bytes */N` and no body; storage.md §6.2), where GCS answers 308 with
the committed `Range`. With this flag the proxy answers status queries as GCS does, from what the
emulator itself reported for that session (its last 308 `Range`, or its final answer), and never
forwards them. Every other request is forwarded unchanged.

Python 3 standard library only. Binds 127.0.0.1 on an ephemeral port and prints `PORT <n>` once it
accepts connections. Counts are written to --stats (JSON) after every request.
"""
import argparse
import http.client
import http.server
import json
import random
import socket
import ssl
import struct
import threading
import urllib.parse

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "MKCOL", "PROPFIND", "PROPPATCH", "MOVE", "COPY", "OPTIONS", "LOCK", "UNLOCK"]
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True, help="host:port of the real server")
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--faults", default="503,reset,truncate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", help="file to write JSON counts to")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="and this key (PEM)")
    parser.add_argument("--gcs-status-queries", action="store_true", help="answer resumable-upload status queries as GCS does")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    upstream_url = "http://" + args.upstream
    own_url = [None]  # set once the proxy's port is known
    faults = [f for f in args.faults.split(",") if f]
    rng = random.Random(args.seed)
    lock = threading.Lock()
    stats = {"requests": 0, "faults": {}, "status_queries": 0, "ranged_gets": 0, "partial_answers": 0}
    sessions = {}  # upload_id -> {"committed": n} or {"final": (status, headers, body)}

    def count(kind):
        with lock:
            stats["requests"] += 1
            if kind:
                stats["faults"][kind] = stats["faults"].get(kind, 0) + 1
            if args.stats:
                with open(args.stats, "w") as f:
                    json.dump(stats, f)

    def pick(method):
        with lock:
            if rng.random() >= args.rate:
                return None
            kinds = [f for f in faults if f != "truncate" or method == "GET"]
            return rng.choice(kinds) if kinds else None

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def read_body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return body
                    body += self.rfile.read(size)
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def reset(self):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        def session(self):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            return (query.get("upload_id") or [None])[0]

        def answer(self, status, headers, data):
            self.send_response(status)
            for k, v in headers:
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def status_query(self, upload):
            with lock:
                stats["status_queries"] += 1
                known = dict(sessions.get(upload, {"committed": 0}))
            if "final" in known:
                return self.answer(*known["final"])
            committed = known["committed"]
            self.answer(308, [("Range", "bytes=0-%d" % (committed - 1))] if committed else [], b"")

        def record(self, upload, status, headers, data):
            """What the emulator reported for a session: bytes committed so far, or its final answer."""
            with lock:
                if status == 308:
                    ranges = [v for k, v in headers if k.lower() == "range"]
                    sessions[upload] = {"committed": int(ranges[0].rsplit("-", 1)[1]) + 1 if ranges else 0}
                elif 200 <= status < 300:
                    sessions[upload] = {"final": (status, headers, data)}

        def handle_any(self):
            body = self.read_body()
            upload = self.session() if self.command == "PUT" else None
            if upload and args.gcs_status_queries and not body and self.headers.get("Content-Range", "").startswith("bytes */"):
                count(None)
                return self.status_query(upload)
            fault = pick(self.command)
            if self.command == "GET" and self.headers.get("Range"):
                with lock:
                    stats["ranged_gets"] += 1
            count(fault)
            if fault == "503":
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.send_header("Retry-After", "0")
                self.end_headers()
                return
            if fault == "reset":
                return self.reset()
            upstream = http.client.HTTPConnection(host, int(port), timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "expect"}
            if args.tls_cert:
                # As reverse proxies say it: a WebDAV MOVE's Destination names https://, which the
                # server accepts only knowing that its client came in over TLS.
                headers["X-Forwarded-Proto"] = "https"
            upstream.request(self.command, self.path, body=body if body or self.command in ("PUT", "POST") else None, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            upstream.close()
            headers = [(k, v.replace(upstream_url, own_url[0]) if k.lower() == "location" else v) for k, v in response.getheaders()]
            if upload:
                self.record(upload, response.status, headers, data)
            if response.status == 206:
                with lock:
                    stats["partial_answers"] += 1
            if fault == "lost":
                return self.reset()
            self.send_response(response.status, response.reason)
            for k, v in headers:
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if fault == "truncate" and len(data) > 1:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                return self.reset()
            self.wfile.write(data)

    for method in METHODS:
        setattr(Handler, "do_" + method, Handler.handle_any)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    own_url[0] = "%s://127.0.0.1:%d" % ("https" if args.tls_cert else "http", server.server_address[1])
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
