#!/usr/bin/env python3
"""Fault-injecting HTTP/1.1 test server for flow's HTTP layer (FlowHTTP).

Owns: a small, honest HTTP/1.1 server (keep-alive, Content-Length or chunked request bodies,
optional TLS and client-certificate checks) used by Tests/FlowHTTPTests and bench/http_stream.sh.
It must not know anything about the client under test: every answer follows from the request,
the command-line configuration and a seeded RNG, never from guessing what a test wants.

Python 3 standard library only. Binds 127.0.0.1 on an ephemeral port and prints `PORT <n>` on
stdout once it accepts connections.

Endpoints (all bodies are streamed: nothing is ever held whole in memory)
  ANY  /echo/<p>            JSON {method, path, target, query, body_sha256, body_length, count,
                            connection_request (1 for a new connection, n for its n-th request)}
  ANY  /flaky/<p>           like /echo, but with --fault-rate a seeded RNG injects one of --faults:
                              503, 429 (with `Retry-After: --retry-after`), 408 (then closes),
                              reset (reads part of the request, then closes with SO_LINGER 0 -> RST)
  ANY  /always/<status>/<p> always answers <status> (body drained; 429/503 carry Retry-After 0)
  ANY  /reset/<p>           reads the whole request, then resets the connection
  POST /auth/token          issues a new bearer token (counts as one refresh); JSON {token}
  ANY  /auth/<p>            401 unless `Authorization: Bearer <an issued token>`; else like /echo
  ANY  /basic/<p>           401 unless Basic auth matches --basic-user/--basic-password
  GET  /download?bytes=N&seed=S         N deterministic pseudo-random bytes, generated on the fly
                            (&stall_after=K&stall_seconds=T: pause T seconds once K bytes are sent;
                            &cut_every=K: send at most K bytes of each answer, then reset; a
                            `Range: bytes=A-[B]` request gets 206 and that part)
  GET  /download-sha256?bytes=N&seed=S  JSON {sha256, length} of that same stream
  PUT|POST /upload/<p>      hashes the body as it arrives; JSON {sha256, length}
  ANY  /retry-after/<name>?fails=K&seconds=S&format=seconds|date&status=429
                            the first K requests per name answer <status> with Retry-After S
                            (an HTTP-date rounded UP to a whole second when format=date);
                            every attempt's arrival time is recorded
  GET  /slow?seconds=S      waits S seconds, then answers 200
  GET  /_stats              JSON {requests: {path: n}, faults: {kind: n}, refreshes, attempts: {name: [t]}}
"""
import argparse
import base64
import email.utils
import hashlib
import http.server
import json
import math
import random
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

CHUNK = 64 * 1024


class State:
    """Everything shared between handler threads; one lock guards it all."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.rng = random.Random(args.seed)
        self.requests = {}
        self.faults = {}
        self.tokens = set()
        self.refreshes = 0
        self.attempts = {}

    def count(self, path):
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1
            return self.requests[path]

    def pick_fault(self):
        with self.lock:
            if self.args.fault_rate <= 0 or self.rng.random() >= self.args.fault_rate:
                return None
            kind = self.rng.choice(self.args.faults)
            self.faults[kind] = self.faults.get(kind, 0) + 1
            return kind


def stream_blocks(n, seed):
    """Yields n deterministic pseudo-random bytes in CHUNK-sized blocks."""
    rng = random.Random(seed)
    left = n
    while left > 0:
        size = min(CHUNK, left)
        yield rng.randbytes(size)
        left -= size


def lingering_close(sock):
    """Close after a failed TLS handshake the way nginx and Apache close: stop sending, then read
    and drop what the client already sent. Closing with unread data would make the kernel send a
    RST, which can overtake the TLS alert and hide the reason from the client."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(2)
        for _ in range(64):
            if not sock.recv(CHUNK):
                break
    except OSError:
        pass
    finally:
        sock.close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "flow-fault-server/1"

    def setup(self):
        ctx = self.server.tls_context
        if ctx is not None:
            raw = self.request
            raw.settimeout(30)
            spare = raw.dup()  # keeps the TCP connection open if the handshake fails
            try:
                self.request = ctx.wrap_socket(raw, server_side=True)
            except OSError:
                lingering_close(spare)
                raise
            spare.close()
        self.requests_on_connection = 0  # one handler instance serves one connection
        super().setup()

    def log_message(self, fmt, *args):
        if self.server.state.args.verbose:
            sys.stderr.write("%s\n" % (fmt % args))

    # --- request bodies -------------------------------------------------------------------

    def body_blocks(self, limit=None):
        """Yields the request body as it arrives (Content-Length or chunked), at most `limit` bytes."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            seen = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left > 0:
                    block = self.rfile.read(min(CHUNK, left))
                    if not block:
                        raise ConnectionError("body ended early")
                    left -= len(block)
                    seen += len(block)
                    yield block
                    if limit is not None and seen >= limit:
                        return
                self.rfile.readline(3)
        else:
            left = int(self.headers.get("Content-Length", "0") or "0")
            if limit is not None:
                left = min(left, limit)
            while left > 0:
                block = self.rfile.read(min(CHUNK, left))
                if not block:
                    raise ConnectionError("body ended early")
                left -= len(block)
                yield block

    def hash_body(self):
        digest = hashlib.sha256()
        length = 0
        for block in self.body_blocks():
            digest.update(block)
            length += len(block)
        return digest.hexdigest(), length

    def drain(self):
        for _ in self.body_blocks():
            pass

    # --- responses ------------------------------------------------------------------------

    def send_json(self, status, obj, extra=()):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def reset(self):
        """Abort the connection with a TCP RST (SO_LINGER on, timeout 0), as a crashed peer would."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            sock.close()  # with TLS too: closing the wrapped socket closes (and resets) the TCP one
        except OSError:
            pass

    def echo(self, path, parsed):
        sha, length = self.hash_body()
        count = self.server.state.count(path)
        self.send_json(200, {
            "method": self.command, "path": path, "target": self.path,
            "query": parsed.query, "body_sha256": sha, "body_length": length, "count": count,
            "connection_request": self.requests_on_connection,
        })

    # --- routing --------------------------------------------------------------------------

    def handle_any(self):
        self.requests_on_connection += 1
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        query = dict(urllib.parse.parse_qsl(parsed.query))
        state = self.server.state
        if path.startswith("/echo"):
            return self.echo(path, parsed)
        if path.startswith("/flaky"):
            state.count(path + "#attempts")
            fault = state.pick_fault()
            if fault == "reset":
                # Read part of the request (half of any body), then vanish.
                n = int(self.headers.get("Content-Length", "0") or "0")
                for _ in self.body_blocks(limit=n // 2):
                    pass
                return self.reset()
            if fault in ("503", "429", "408"):
                self.drain()
                extra = [("Retry-After", str(state.args.retry_after))] if fault == "429" else []
                if fault == "408":
                    extra.append(("Connection", "close"))
                    self.close_connection = True
                return self.send_json(int(fault), {"fault": fault}, extra)
            return self.echo(path, parsed)
        if path.startswith("/always/"):
            status = int(path.split("/")[2])
            state.count(path)
            self.drain()
            extra = [("Retry-After", "0")] if status in (429, 503) else []
            return self.send_json(status, {"status": status}, extra)
        if path.startswith("/reset"):
            state.count(path)
            self.drain()
            return self.reset()
        if path == "/auth/token" and self.command == "POST":
            self.drain()
            with state.lock:
                state.refreshes += 1
                token = "tok-%d-%016x" % (state.refreshes, state.rng.getrandbits(64))
                state.tokens.add(token)
            return self.send_json(200, {"token": token})
        if path.startswith("/auth/"):
            header = self.headers.get("Authorization", "")
            token = header[len("Bearer "):] if header.startswith("Bearer ") else None
            with state.lock:
                ok = token in state.tokens
            if not ok:
                state.count(path)
                self.drain()
                return self.send_json(401, {"error": "unauthorized"}, [("WWW-Authenticate", "Bearer")])
            return self.echo(path, parsed)
        if path.startswith("/basic/"):
            want = "Basic " + base64.b64encode(
                ("%s:%s" % (state.args.basic_user, state.args.basic_password)).encode()).decode()
            if self.headers.get("Authorization", "") != want:
                state.count(path)
                self.drain()
                return self.send_json(401, {"error": "unauthorized"}, [("WWW-Authenticate", "Basic")])
            return self.echo(path, parsed)
        if path == "/download":
            self.drain()
            n, seed = int(query.get("bytes", "0")), int(query.get("seed", "1"))
            # `Range: bytes=A-` or `bytes=A-B` (RFC 9110 §14): 206 with that part; else the whole body.
            start, end = 0, n - 1
            ranged = self.headers.get("Range", "")
            if ranged.startswith("bytes=") and "," not in ranged:
                first, _, last = ranged[len("bytes="):].partition("-")
                if first.isdigit():
                    start, end = int(first), min(int(last), n - 1) if last.isdigit() else n - 1
                    if start >= n:
                        state.count(path + " 416")
                        return self.send_json(416, {"error": "range not satisfiable"}, [("Content-Range", "bytes */%d" % n)])
                else:
                    ranged = ""
            else:
                ranged = ""
            state.count(path + (" 206" if ranged else " 200"))
            self.send_response(206 if ranged else 200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(end - start + 1))
            if ranged:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, n))
            self.end_headers()
            stall_after = int(query.get("stall_after", "-1"))
            # &cut_every=K: every answer sends at most K bytes of its body, then resets the connection.
            cut_every = int(query.get("cut_every", "-1"))
            sent = 0
            position = 0
            if self.command != "HEAD":
                for block in stream_blocks(n, seed):
                    block_start, position = position, position + len(block)
                    if position <= start:
                        continue
                    if block_start > end:
                        break
                    piece = block[max(start, block_start) - block_start:min(end + 1, position) - block_start]
                    if 0 <= stall_after <= sent:
                        time.sleep(float(query.get("stall_seconds", "5")))
                        stall_after = -1
                    if 0 <= cut_every < sent + len(piece):
                        self.wfile.write(piece[:cut_every - sent])
                        self.wfile.flush()
                        time.sleep(0.05)  # let the client read what was sent before the reset
                        return self.reset()
                    self.wfile.write(piece)
                    sent += len(piece)
            return
        if path == "/download-sha256":
            self.drain()
            n, seed = int(query.get("bytes", "0")), int(query.get("seed", "1"))
            digest = hashlib.sha256()
            for block in stream_blocks(n, seed):
                digest.update(block)
            return self.send_json(200, {"sha256": digest.hexdigest(), "length": n})
        if path.startswith("/upload"):
            sha, length = self.hash_body()
            state.count(path)
            return self.send_json(200, {"sha256": sha, "length": length})
        if path.startswith("/retry-after/"):
            name = path.split("/")[2]
            now = time.time()
            with state.lock:
                times = state.attempts.setdefault(name, [])
                times.append(now)
                attempt = len(times)
            self.drain()
            if attempt <= int(query.get("fails", "1")):
                seconds = float(query.get("seconds", "1"))
                if query.get("format") == "date":
                    value = email.utils.formatdate(math.ceil(now + seconds), usegmt=True)
                else:
                    value = str(int(seconds))
                status = int(query.get("status", "429"))
                return self.send_json(status, {"retry_after": value}, [("Retry-After", value)])
            return self.send_json(200, {"attempt": attempt})
        if path == "/slow":
            self.drain()
            time.sleep(float(query.get("seconds", "1")))
            return self.send_json(200, {"slept": query.get("seconds", "1")})
        if path == "/_stats":
            self.drain()
            with state.lock:
                stats = {"requests": dict(state.requests), "faults": dict(state.faults),
                         "refreshes": state.refreshes, "attempts": dict(state.attempts)}
            return self.send_json(200, stats)
        self.drain()
        return self.send_json(404, {"error": "no such endpoint", "path": path})

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Resets and failed TLS handshakes are part of the job; keep stderr quiet unless asked.
        if self.state.args.verbose:
            super().handle_error(request, client_address)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--faults", default="503,429,reset,408",
                   help="comma-separated kinds to inject: 503, 429, 408, reset")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--retry-after", type=int, default=0, help="Retry-After seconds on injected 429s")
    p.add_argument("--basic-user", default="flow")
    p.add_argument("--basic-password", default="")
    p.add_argument("--tls-cert", help="server certificate (PEM); enables TLS")
    p.add_argument("--tls-key", help="server private key (PEM)")
    p.add_argument("--client-ca", help="require client certificates signed by this CA (PEM)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    args.faults = [f for f in args.faults.split(",") if f]

    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args)
    server.tls_context = None
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)
        server.tls_context = ctx
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
