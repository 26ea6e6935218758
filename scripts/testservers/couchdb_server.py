#!/usr/bin/env python3
"""A CouchDB subset for PiCaS tests (flow's PiCaS executor, `flow worker`, the stock picas client).

Owns: an in-memory CouchDB that is wire-compatible with what picas 1.1.2 / couchdb-python 1.2 and
flow use (test-servers.md §3, executors.md §5.3). It must not know anything about its clients:
every answer follows from the request, the configuration and a seeded RNG.

Python 3 standard library only. Binds 127.0.0.1 on an ephemeral port (or --port) and prints
`PORT <n>` on stdout once it accepts connections. One lock guards all data, so a check of `_rev`
and the write that follows are atomic (the claim race of many workers depends on it).

Served
  GET /                         welcome; GET /_all_dbs
  HEAD|GET|PUT|DELETE /{db}     db info has doc_count (design docs included); PUT -> 201, 412 if it exists
  GET|PUT /{db}/_security
  GET|HEAD /{db}/{id}           the doc with _rev; attachments as stubs, or inline with ?attachments=true;
                                404 {"error":"not_found","reason":"missing"|"deleted"}; `_design/X` is one id
  PUT /{db}/{id}                MVCC: 409 unless body _rev (or ?rev=) is the current rev; inline
                                `_attachments` ({data: base64}) stored, stubs keep what is stored
  POST /{db}                    create with a generated id
  DELETE /{db}/{id}?rev=R       a deleted id may be re-created
  GET|PUT|DELETE /{db}/{id}/{attachment}   raw bytes; PUT/DELETE need ?rev=
  POST /{db}/_bulk_docs         {"docs":[...]} -> 201, one result per doc (non-atomic); `_deleted: true` deletes
  GET|POST /{db}/_all_docs      keys (query JSON or POST body), include_docs, startkey, endkey, limit, skip
  GET|POST /{db}/_design/{d}/_view/{v}   limit, skip, include_docs, reduce, group, key, keys, startkey, endkey,
                                descending. Views are evaluated natively: a map function must be the PiCaS
                                shape -- `if (doc.type == "T") { if (COND) { emit(K, V); } ... }`, COND a
                                conjunction of `doc.F OP literal` / `parseInt(doc.F) OP literal` -- and a
                                reduce `_sum`, `_count` or a function returning sum(values). Anything else is
                                a 400 {"error":"unsupported_view"} naming what was not understood.
  Basic auth (--user, password from $COUCHDB_PASSWORD or --password-file): 401 {"error":"unauthorized"}.

Test control (no auth, never faulted)
  GET  /_flow/stats             {requests: {"METHOD kind": n}, claims: {id: n}, completions: {id: n}, faults: {kind: n}}
  POST /_flow/faults            JSON: {"rate": 0.1, "kinds": ["409","503","500","drop"], "latency": 0.0, "conflict_rate": 0.1,
                                "conflict_next": [ids]} (same as the command-line knobs)
  Fault kinds: 409 (a lost claim race: only a PUT that locks a free token), 409-any (any PUT of an
  existing document), 500, 502, 503, drop. A forced 409 never writes; 5xx and
  drops happen before the request is processed, so a retried request is never applied twice.

Request log (--log FILE): one line per request, `METHOD /path STATUS [claim|done|scrub ID]...`
(no query strings, headers or bodies: the password never reaches it).
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import random
import re
import socketserver
import sys
import threading
import time
import urllib.parse
import uuid


class HTTPFail(Exception):
    def __init__(self, status, error, reason):
        super().__init__(reason)
        self.status, self.error, self.reason = status, error, reason


def conflict():
    return HTTPFail(409, "conflict", "Document update conflict.")


# ---------------------------------------------------------------- views (PiCaS-shaped map functions)

NAN = float("nan")


def to_number(value):
    """JavaScript's Number() for JSON values."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(text)
        except ValueError:
            return NAN
    return NAN


def parse_int(value):
    """JavaScript's parseInt(): a leading integer of the string form, else NaN."""
    if isinstance(value, bool) or value is None:
        return NAN
    if isinstance(value, (int, float)):
        return float(int(value))
    m = re.match(r"\s*([+-]?\d+)", str(value))
    return float(m.group(1)) if m else NAN


def js_compare(left, op, right):
    if isinstance(left, str) and isinstance(right, str):
        a, b = left, right
    else:
        a, b = to_number(left), to_number(right)
        if a != a or b != b:  # NaN
            return op == "!="
    return {"==": a == b, "!=": a != b, ">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


class ViewError(Exception):
    pass


LITERAL = r'(?:-?\d+(?:\.\d+)?|"[^"]*"|\'[^\']*\'|true|false|null)'
OPERAND = r'(?:parseInt\(\s*doc\.\w+\s*\)|doc\.\w+)'
TERM = re.compile(r'^(' + OPERAND + r')\s*(===?|!==?|>=|<=|>|<)\s*(' + LITERAL + r')$')
FIELD = re.compile(r'^doc\.(\w+)$')


def literal(text):
    if text in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[text]
    if text[0] in "\"'":
        return text[1:-1]
    return float(text) if "." in text else int(text)


def compile_condition(cond):
    terms = []
    for part in cond.split("&&"):
        part = part.strip()
        while part.startswith("(") and part.endswith(")"):
            part = part[1:-1].strip()
        m = TERM.match(part)
        if not m:
            raise ViewError("condition term not understood: %r" % part)
        operand, op, lit = m.group(1), m.group(2).replace("===", "==").replace("!==", "!="), literal(m.group(3))
        if operand.startswith("parseInt"):
            name = re.search(r"doc\.(\w+)", operand).group(1)
            terms.append((lambda d, n=name: parse_int(d.get(n)), op, lit))
        else:
            name = operand[4:]
            terms.append((lambda d, n=name: d.get(n), op, lit))
    return lambda doc: all(js_compare(get(doc), op, lit) for get, op, lit in terms)


def compile_expr(text):
    text = text.strip()
    m = FIELD.match(text)
    if m:
        return lambda doc, n=m.group(1): doc.get(n)
    if re.fullmatch(LITERAL, text):
        value = literal(text)
        return lambda doc: value
    raise ViewError("emit argument not understood: %r" % text)


EMIT = re.compile(r'emit\(\s*([^,()]+?)\s*,\s*([^()]+?)\s*\)\s*;?')


def compile_map(source):
    """A PiCaS-style map function -> fn(doc) -> [(key, value)]."""
    body = re.sub(r"\s+", " ", source).strip()
    m = re.match(r'^function\s*\(\s*doc\s*\)\s*\{(.*)\}$', body)
    if not m:
        raise ViewError("not a `function(doc) {...}`")
    body = m.group(1).strip()
    type_filter = None
    m = re.match(r'^if\s*\(\s*doc\.type\s*===?\s*(["\'])(\w+)\1\s*\)\s*\{(.*)\}$', body)
    if m:
        type_filter, body = m.group(2), m.group(3).strip()
    emits = []
    pos = 0
    cond_emit = re.compile(r'\s*if\s*\(([^{}]*)\)\s*\{\s*' + EMIT.pattern + r'\s*\}\s*')
    plain_emit = re.compile(r'\s*' + EMIT.pattern + r'\s*')
    while pos < len(body):
        m = cond_emit.match(body, pos)
        if m:
            emits.append((compile_condition(m.group(1)), compile_expr(m.group(2)), compile_expr(m.group(3))))
            pos = m.end()
            continue
        m = plain_emit.match(body, pos)
        if m:
            emits.append((lambda doc: True, compile_expr(m.group(1)), compile_expr(m.group(2))))
            pos = m.end()
            continue
        raise ViewError("map function not understood near %r" % body[pos:pos + 60])
    if not emits:
        raise ViewError("map function emits nothing")

    def run(doc):
        if type_filter is not None and doc.get("type") != type_filter:
            return []
        return [(k(doc), v(doc)) for cond, k, v in emits if cond(doc)]
    return run


def compile_reduce(source):
    if source is None:
        return None
    text = re.sub(r"\s+", " ", source).strip()
    if text == "_sum" or re.fullmatch(r'function\s*\(\s*\w+\s*,\s*values(\s*,\s*rereduce)?\s*\)\s*\{\s*return sum\(values\);?\s*\}', text):
        return lambda values: sum(v for v in values if isinstance(v, (int, float)))
    if text == "_count":
        return len
    raise ViewError("reduce not understood (only _sum, _count and `return sum(values)`): %r" % text[:80])


def sort_key(value):
    """CouchDB collation, for the values views here emit: null < booleans < numbers < strings < arrays < objects."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float)):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, list):
        return (4, [sort_key(v) for v in value])
    return (5, json.dumps(value, sort_keys=True))


# ---------------------------------------------------------------- data

class Doc:
    __slots__ = ("id", "rev", "body", "deleted", "atts")

    def __init__(self, doc_id):
        self.id, self.rev, self.body, self.deleted, self.atts = doc_id, None, {}, False, {}

    def generation(self):
        return int(self.rev.split("-")[0]) if self.rev else 0


class Database:
    def __init__(self, name):
        self.name = name
        self.docs = {}
        self.seq = 0
        self.security = {}
        self.view_cache = {}


def new_rev(generation, body):
    digest = hashlib.md5(json.dumps(body, sort_keys=True).encode() + os.urandom(4)).hexdigest()
    return "%d-%s" % (generation + 1, digest)


def att_stub(att, inline):
    out = {"content_type": att["content_type"], "revpos": att["revpos"], "digest": att["digest"], "length": len(att["data"])}
    if inline:
        out["data"] = base64.b64encode(att["data"]).decode()
    else:
        out["stub"] = True
    return out


def doc_json(doc, inline_atts=False):
    out = {"_id": doc.id, "_rev": doc.rev}
    out.update(doc.body)
    if doc.atts:
        out["_attachments"] = {n: att_stub(a, inline_atts) for n, a in sorted(doc.atts.items())}
    return out


class Store:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.dbs = {}
        self.rng = random.Random(args.seed)
        self.requests = {}
        self.claims = {}
        self.completions = {}
        self.scrubs = {}
        self.faults_seen = {}
        self.rate = args.fault_rate
        self.kinds = args.faults.split(",") if args.faults else []
        self.latency = args.latency
        self.conflict_rate = args.conflict_rate
        self.conflict_next = set()
        self.log = open(args.log, "a", buffering=1) if args.log else None

    # -- faults
    def pick_fault(self, method, is_doc_put):
        with self.lock:
            if self.rate <= 0 or self.rng.random() >= self.rate:
                return None
            kinds = [k for k in self.kinds if not k.startswith("409") or is_doc_put]
            if not kinds:
                return None
            kind = self.rng.choice(kinds)
            if not kind.startswith("409"):  # a 409 counts once it is given (write() decides)
                self.faults_seen[kind] = self.faults_seen.get(kind, 0) + 1
            return kind

    # -- documents (caller holds the lock)
    def write(self, db, doc_id, body, rev_hint=None, events=None, force_conflict_ok=True, forced=None):
        """One document write with MVCC; returns the new rev. `body` is the JSON sent."""
        body = dict(body)
        sent_rev = body.pop("_rev", None) or rev_hint
        body.pop("_id", None)
        deleting = bool(body.pop("_deleted", False))
        atts_in = body.pop("_attachments", None)
        for key in [k for k in body if k.startswith("_")]:
            body.pop(key)  # _revisions, _conflicts and the like are not kept
        doc = db.docs.get(doc_id)
        exists = doc is not None and not doc.deleted
        if exists:
            if sent_rev != doc.rev:
                raise conflict()
            if force_conflict_ok and doc_id in self.conflict_next:
                self.conflict_next.discard(doc_id)
                self.faults_seen["409-next"] = self.faults_seen.get("409-next", 0) + 1
                raise conflict()
            # "409": a lost claim race (the stored token is free, the write locks it); "409-any": any update.
            claim = to_number(doc.body.get("lock", 0)) == 0 and to_number(body.get("lock", 0)) > 0
            if claim and forced is None and self.conflict_rate > 0:
                forced = "409" if self.rng.random() < self.conflict_rate else None
            if forced == "409-any" or (forced == "409" and claim):
                self.faults_seen[forced] = self.faults_seen.get(forced, 0) + 1
                raise conflict()
        else:
            if deleting:
                raise HTTPFail(404, "not_found", "deleted" if doc is not None else "missing")
            if doc is not None and sent_rev is not None and sent_rev != doc.rev:
                raise conflict()
            if doc is None and sent_rev is not None:
                raise conflict()
        old_body = doc.body if exists else {}
        old_atts = doc.atts if exists else {}
        if doc is None:
            doc = Doc(doc_id)
            db.docs[doc_id] = doc
        generation = doc.generation()
        atts = {}
        if not deleting and atts_in:
            for name, spec in atts_in.items():
                if spec.get("stub"):
                    if name not in old_atts:
                        raise HTTPFail(412, "missing_stub", "Invalid attachment stub in %s for %s" % (doc_id, name))
                    atts[name] = old_atts[name]
                else:
                    try:
                        data = base64.b64decode(spec.get("data", ""), validate=True)
                    except Exception:
                        raise HTTPFail(400, "bad_request", "invalid base64 in attachment %s" % name)
                    atts[name] = {"content_type": spec.get("content_type", "application/octet-stream"), "data": data,
                                  "digest": "md5-" + base64.b64encode(hashlib.md5(data).digest()).decode(),
                                  "revpos": generation + 1}
        doc.rev = new_rev(generation, body)
        doc.deleted = deleting
        doc.body = {} if deleting else body
        doc.atts = atts
        db.seq += 1
        if events is not None and not deleting:
            self.note_transitions(doc_id, old_body, body, events)
        return doc.rev

    def note_transitions(self, doc_id, old, new, events):
        def num(d, k):
            v = to_number(d.get(k, 0))
            return 0 if v != v else v
        if num(old, "lock") == 0 and num(new, "lock") > 0 and num(new, "done") == 0:
            self.claims[doc_id] = self.claims.get(doc_id, 0) + 1
            events.append("claim " + doc_id)
        if num(old, "done") == 0 and num(new, "done") > 0:
            self.completions[doc_id] = self.completions.get(doc_id, 0) + 1
            events.append("done " + doc_id)
        if old and num(old, "lock") > 0 and num(new, "lock") == 0 and num(new, "done") == 0:
            self.scrubs[doc_id] = self.scrubs.get(doc_id, 0) + 1
            events.append("scrub " + doc_id)

    def view_rows(self, db, ddoc_id, view_name):
        ddoc = db.docs.get("_design/" + ddoc_id)
        if ddoc is None or ddoc.deleted:
            raise HTTPFail(404, "not_found", "missing")
        view = ddoc.body.get("views", {}).get(view_name)
        if view is None:
            raise HTTPFail(404, "not_found", "missing_named_view")
        cache_key = (ddoc_id, view_name)
        cached = db.view_cache.get(cache_key)
        if cached and cached[0] == db.seq and cached[1] == ddoc.rev:
            return cached[2], cached[3]
        try:
            mapper = compile_map(view.get("map", ""))
            reducer = compile_reduce(view.get("reduce"))
        except ViewError as e:
            raise HTTPFail(400, "unsupported_view", "_design/%s/_view/%s: %s (this test server evaluates PiCaS-style views only)"
                           % (ddoc_id, view_name, e))
        rows = []
        for doc in db.docs.values():
            if doc.deleted or doc.id.startswith("_design/"):
                continue
            for key, value in mapper(dict(doc.body, _id=doc.id, _rev=doc.rev)):
                rows.append((sort_key(key), doc.id, key, value))
        rows.sort(key=lambda r: (r[0], r[1]))
        db.view_cache[cache_key] = (db.seq, ddoc.rev, rows, reducer)
        return rows, reducer


# ---------------------------------------------------------------- HTTP

def qjson(query, name, default=None):
    if name not in query:
        return default
    text = query[name][-1]
    try:
        return json.loads(text)
    except ValueError:
        if name in ("startkey_docid", "endkey_docid"):
            return text
        raise HTTPFail(400, "query_parse_error", "Invalid value for %s" % name)


def qbool(query, name, default=False):
    value = qjson(query, name, default)
    return bool(value)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm each answer on a kept-alive
    # connection would wait for the client's delayed ACK (40 ms), as no real CouchDB does.
    disable_nagle_algorithm = True
    server_version = "CouchDB/3.3.3 (flow test server)"

    def log_message(self, fmt, *args):
        pass

    # every method goes through one dispatcher
    def do_GET(self): self.dispatch()
    def do_HEAD(self): self.dispatch()
    def do_PUT(self): self.dispatch()
    def do_POST(self): self.dispatch()
    def do_DELETE(self): self.dispatch()
    def do_COPY(self): self.dispatch()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, payload=None, raw=None, content_type="application/json", extra=()):
        if raw is None:
            raw = (json.dumps(payload) + "\n").encode() if payload is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Cache-Control", "must-revalidate")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)
        self.status_sent = status

    def dispatch(self):
        store = self.server.store
        self.status_sent = 0
        self.fault = None
        events = []
        url = urllib.parse.urlsplit(self.path)
        raw_parts = [p for p in url.path.split("/") if p != ""]
        parts = [urllib.parse.unquote(p) for p in raw_parts]
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body = self.read_body()
        kind = "other"
        try:
            if parts[:1] == ["_flow"]:
                kind = "control"
                return self.control(parts, body)
            kind = self.kind_of(parts)
            is_doc_put = self.command == "PUT" and kind == "doc"
            fault = store.pick_fault(self.command, is_doc_put)
            if store.latency > 0:
                time.sleep(store.latency)
            if fault == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault in ("500", "502", "503"):
                return self.send(int(fault), {"error": "injected", "reason": "fault injected by the test server"},
                                 extra=[("Connection", "close")] if fault == "500" else [])
            if not self.authorized():
                return self.send(401, {"error": "unauthorized", "reason": "Name or password is incorrect."},
                                 extra=[("WWW-Authenticate", 'Basic realm="server"')])
            self.fault = fault
            self.route(parts, query, body, events)
        except HTTPFail as e:
            self.send(e.status, {"error": e.error, "reason": e.reason})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            with store.lock:
                key = "%s %s" % (self.command, kind)
                store.requests[key] = store.requests.get(key, 0) + 1
            if store.log and kind != "control":
                store.log.write("%s %s %s%s\n" % (self.command, url.path, self.status_sent or "dropped",
                                                  "".join(" " + e for e in events)))

    @staticmethod
    def kind_of(parts):
        if not parts:
            return "root"
        if len(parts) == 1:
            return "db"
        if parts[1] in ("_bulk_docs", "_all_docs", "_security"):
            return parts[1]
        if parts[1] == "_design" and len(parts) >= 5 and parts[3] == "_view":
            return "view"
        if parts[1] == "_design":
            return "doc" if len(parts) == 3 else "attachment"
        return "doc" if len(parts) == 2 else "attachment"

    def authorized(self):
        args = self.server.store.args
        if not args.user:
            return True
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except Exception:
            return False
        return user == args.user and password == self.server.password

    def control(self, parts, body):
        store = self.server.store
        if parts == ["_flow", "stats"]:
            with store.lock:
                return self.send(200, {"requests": store.requests, "claims": store.claims, "completions": store.completions,
                                       "scrubs": store.scrubs, "faults": store.faults_seen})
        if parts == ["_flow", "faults"] and self.command == "POST":
            spec = json.loads(body or b"{}")
            with store.lock:
                store.rate = float(spec.get("rate", store.rate))
                store.kinds = list(spec.get("kinds", store.kinds))
                store.latency = float(spec.get("latency", store.latency))
                store.conflict_rate = float(spec.get("conflict_rate", store.conflict_rate))
                store.conflict_next |= set(spec.get("conflict_next", []))
            return self.send(200, {"ok": True})
        raise HTTPFail(404, "not_found", "no such control endpoint")

    # -- routing
    def route(self, parts, query, body, events):
        store, method = self.server.store, self.command
        if not parts:
            return self.send(200, {"couchdb": "Welcome", "version": "3.3.3", "vendor": {"name": "flow test server"}})
        if parts == ["_all_dbs"]:
            with store.lock:
                return self.send(200, sorted(store.dbs))
        if parts[0] == "_session":
            return self.send(200, {"ok": True, "userCtx": {"name": store.args.user, "roles": []}})
        name = parts[0]
        with store.lock:
            db = store.dbs.get(name)
            if len(parts) == 1:
                return self.database(name, db, method, body, events)
            if db is None:
                raise HTTPFail(404, "not_found", "Database does not exist.")
            rest = parts[1:]
            if rest == ["_bulk_docs"] and method == "POST":
                return self.bulk_docs(db, body, events)
            if rest == ["_all_docs"] and method in ("GET", "HEAD", "POST"):
                return self.all_docs(db, query, body)
            if rest == ["_security"]:
                if method == "PUT":
                    db.security = json.loads(body or b"{}")
                    return self.send(200, {"ok": True})
                return self.send(200, db.security)
            if rest[0] == "_design" and len(rest) >= 2:
                if len(rest) == 4 and rest[2] == "_view" and method in ("GET", "HEAD", "POST"):
                    return self.view(db, rest[1], rest[3], query, body)
                doc_id, att = "_design/" + rest[1], "/".join(rest[2:]) or None
            else:
                doc_id, att = rest[0], "/".join(rest[1:]) or None
            if doc_id.startswith("_") and not doc_id.startswith("_design/"):
                raise HTTPFail(400, "illegal_docid", "Only reserved document ids may start with underscore.")
            if att is not None:
                return self.attachment(db, doc_id, att, method, query, body, events)
            return self.document(db, doc_id, method, query, body, events)

    def database(self, name, db, method, body, events):
        store = self.server.store
        if method in ("GET", "HEAD"):
            if db is None:
                raise HTTPFail(404, "not_found", "Database does not exist.")
            live = sum(1 for d in db.docs.values() if not d.deleted)
            return self.send(200, {"db_name": name, "doc_count": live, "doc_del_count": len(db.docs) - live,
                                   "update_seq": str(db.seq), "instance_start_time": "0"})
        if method == "PUT":
            if db is not None:
                raise HTTPFail(412, "file_exists", "The database could not be created, the file already exists.")
            if not re.fullmatch(r"[a-z][a-z0-9_$()+/-]*", name):
                raise HTTPFail(400, "illegal_database_name", "Name: '%s'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter." % name)
            store.dbs[name] = Database(name)
            return self.send(201, {"ok": True})
        if method == "DELETE":
            if db is None:
                raise HTTPFail(404, "not_found", "Database does not exist.")
            del store.dbs[name]
            return self.send(200, {"ok": True})
        if method == "POST":
            if db is None:
                raise HTTPFail(404, "not_found", "Database does not exist.")
            data = self.parse_json(body)
            if not isinstance(data, dict):
                raise HTTPFail(400, "bad_request", "Document must be a JSON object")
            doc_id = data.get("_id") or uuid.uuid4().hex
            rev = store.write(db, doc_id, data, None, events)
            return self.send(201, {"ok": True, "id": doc_id, "rev": rev})
        raise HTTPFail(405, "method_not_allowed", "Only GET,HEAD,PUT,DELETE allowed")

    def parse_json(self, body):
        try:
            return json.loads(body or b"null")
        except ValueError:
            raise HTTPFail(400, "bad_request", "invalid UTF-8 JSON")

    def document(self, db, doc_id, method, query, body, events):
        store = self.server.store
        if method in ("GET", "HEAD"):
            doc = db.docs.get(doc_id)
            if doc is None or doc.deleted:
                raise HTTPFail(404, "not_found", "deleted" if doc is not None else "missing")
            return self.send(200, doc_json(doc, qbool(query, "attachments")), extra=[("ETag", '"%s"' % doc.rev)])
        if method == "PUT":
            data = self.parse_json(body)
            if not isinstance(data, dict):
                raise HTTPFail(400, "bad_request", "Document must be a JSON object")
            rev_hint = query.get("rev", [None])[-1] or (self.headers.get("If-Match") or "").strip('"') or None
            rev = store.write(db, doc_id, data, rev_hint, events, forced=self.fault)
            return self.send(201, {"ok": True, "id": doc_id, "rev": rev}, extra=[("ETag", '"%s"' % rev)])
        if method == "DELETE":
            rev = query.get("rev", [None])[-1] or (self.headers.get("If-Match") or "").strip('"') or None
            rev = store.write(db, doc_id, {"_deleted": True, "_rev": rev}, None, events, force_conflict_ok=False)
            return self.send(200, {"ok": True, "id": doc_id, "rev": rev})
        raise HTTPFail(405, "method_not_allowed", "Only GET,HEAD,PUT,DELETE allowed")

    def attachment(self, db, doc_id, name, method, query, body, events):
        store = self.server.store
        doc = db.docs.get(doc_id)
        if method in ("GET", "HEAD"):
            if doc is None or doc.deleted or name not in doc.atts:
                raise HTTPFail(404, "not_found", "Document is missing attachment")
            att = doc.atts[name]
            return self.send(200, raw=att["data"], content_type=att["content_type"],
                             extra=[("Content-MD5", att["digest"][4:])])
        rev = query.get("rev", [None])[-1]
        current = doc_json(doc) if doc is not None and not doc.deleted else {}
        current["_rev"] = rev
        atts = dict(current.get("_attachments", {}))
        if method == "PUT":
            atts[name] = {"content_type": self.headers.get("Content-Type", "application/octet-stream"),
                          "data": base64.b64encode(body).decode()}
        elif method == "DELETE":
            if name not in atts:
                raise HTTPFail(404, "not_found", "Document is missing attachment")
            del atts[name]
        else:
            raise HTTPFail(405, "method_not_allowed", "Only GET,HEAD,PUT,DELETE allowed")
        current["_attachments"] = atts
        new = store.write(db, doc_id, current, None, events)
        return self.send(201 if method == "PUT" else 200, {"ok": True, "id": doc_id, "rev": new})

    def bulk_docs(self, db, body, events):
        store = self.server.store
        data = self.parse_json(body)
        docs = data.get("docs") if isinstance(data, dict) else None
        if not isinstance(docs, list):
            raise HTTPFail(400, "bad_request", "POST body must include `docs` parameter.")
        results = []
        for doc in docs:
            doc_id = doc.get("_id") or uuid.uuid4().hex
            try:
                rev = store.write(db, doc_id, doc, None, events)
                results.append({"ok": True, "id": doc_id, "rev": rev})
            except HTTPFail as e:
                results.append({"id": doc_id, "error": e.error, "reason": e.reason})
        return self.send(201, results)

    def all_docs(self, db, query, body):
        keys = qjson(query, "keys")
        if self.command == "POST":
            data = self.parse_json(body) or {}
            keys = data.get("keys", keys)
        include = qbool(query, "include_docs")
        inline = qbool(query, "attachments")
        rows = []
        if keys is not None:
            for key in keys:
                doc = db.docs.get(key) if isinstance(key, str) else None
                if doc is None:
                    rows.append({"key": key, "error": "not_found"})
                elif doc.deleted:
                    row = {"id": key, "key": key, "value": {"rev": doc.rev, "deleted": True}}
                    if include:
                        row["doc"] = None
                    rows.append(row)
                else:
                    row = {"id": key, "key": key, "value": {"rev": doc.rev}}
                    if include:
                        row["doc"] = doc_json(doc, inline)
                    rows.append(row)
            return self.send(200, {"total_rows": len(db.docs), "offset": 0, "rows": rows})
        live = sorted(d.id for d in db.docs.values() if not d.deleted)
        start, end = qjson(query, "startkey", qjson(query, "start_key")), qjson(query, "endkey", qjson(query, "end_key"))
        selected = [i for i in live if (start is None or i >= start) and (end is None or i <= end)]
        skip = int(qjson(query, "skip", 0))
        limit = qjson(query, "limit")
        selected = selected[skip:] if limit is None else selected[skip:skip + int(limit)]
        for doc_id in selected:
            doc = db.docs[doc_id]
            row = {"id": doc_id, "key": doc_id, "value": {"rev": doc.rev}}
            if include:
                row["doc"] = doc_json(doc, inline)
            rows.append(row)
        return self.send(200, {"total_rows": len(live), "offset": skip, "rows": rows})

    def view(self, db, ddoc, name, query, body):
        store = self.server.store
        rows, reducer = store.view_rows(db, ddoc, name)
        keys = qjson(query, "keys")
        if self.command == "POST":
            keys = (self.parse_json(body) or {}).get("keys", keys)
        if "key" in query:
            keys = [qjson(query, "key")]
        start, end = qjson(query, "startkey", qjson(query, "start_key")), qjson(query, "endkey", qjson(query, "end_key"))
        selected = rows
        if keys is not None:
            wanted = [sort_key(k) for k in keys]
            selected = [r for w in wanted for r in rows if r[0] == w]
        if start is not None:
            selected = [r for r in selected if r[0] >= sort_key(start)]
        if end is not None:
            selected = [r for r in selected if r[0] <= sort_key(end)]
        if qbool(query, "descending"):
            selected = list(reversed(selected))
        use_reduce = reducer is not None and qbool(query, "reduce", True)
        if qbool(query, "include_docs") and use_reduce and "reduce" not in query:
            use_reduce = False
        skip = int(qjson(query, "skip", 0))
        limit = qjson(query, "limit")
        if use_reduce:
            if qbool(query, "group") or int(qjson(query, "group_level", 0) or 0) > 0:
                groups = []
                for r in selected:
                    if groups and groups[-1][0] == r[0]:
                        groups[-1][2].append(r[3])
                    else:
                        groups.append((r[0], r[2], [r[3]]))
                out = [{"key": k, "value": reducer(v)} for _, k, v in groups]
            else:
                out = [{"key": None, "value": reducer([r[3] for r in selected])}] if selected else []
            out = out[skip:] if limit is None else out[skip:skip + int(limit)]
            return self.send(200, {"rows": out})
        page = selected[skip:] if limit is None else selected[skip:skip + int(limit)]
        out = []
        include = qbool(query, "include_docs")
        for _, doc_id, key, value in page:
            row = {"id": doc_id, "key": key, "value": value}
            if include:
                row["doc"] = doc_json(db.docs[doc_id])
            out.append(row)
        return self.send(200, {"total_rows": len(rows), "offset": skip, "rows": out})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--user", default=None, help="require Basic auth with this user (password: $COUCHDB_PASSWORD or --password-file)")
    p.add_argument("--password-file", default=None)
    p.add_argument("--db", action="append", default=[], help="create this database at start")
    p.add_argument("--log", default=None, help="append one line per request to this file")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fault-rate", type=float, default=0.0, help="probability that a request gets a fault")
    p.add_argument("--faults", default="409,503", help="comma-separated: 409 (claims only), 409-any (doc updates), 500, 502, 503, drop")
    p.add_argument("--conflict-rate", type=float, default=0.0, help="probability that a claim (a PUT locking a free token) loses a forced race (409)")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    args = p.parse_args()
    password = None
    if args.user:
        if args.password_file:
            with open(args.password_file) as f:
                password = f.read().strip()
        else:
            password = os.environ.get("COUCHDB_PASSWORD")
        if not password:
            p.error("--user needs $COUCHDB_PASSWORD or --password-file")
    store = Store(args)
    for name in args.db:
        store.dbs[name] = Database(name)
    server = Server(("127.0.0.1", args.port), Handler)
    server.store = store
    server.password = password
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
