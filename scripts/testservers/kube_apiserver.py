#!/usr/bin/env python3
"""A small, honest Kubernetes API server with a built-in controller and kubelet, for flow's tests.

Owns: the subset of the Kubernetes API that kubectl and flow's Kubernetes executor use
(test-servers.md §2, executors.md §5.1), served the way a real API server answers, and a
"node" that runs each pod's command as a local process (kube_node.py, next to this file). It
must not know anything about flow: every answer follows from the request, the stored objects,
the command line and the fault knobs.

Python 3 standard library only (plus /usr/bin/openssl for --tls). Binds 127.0.0.1 on an
ephemeral port and prints `PORT <n>` once it accepts connections.

API
  GET  /version /api /apis /api/v1 /apis/batch/v1          legacy discovery (plain JSON)
  GET  /openapi/v3, /openapi/v3/api/v1, /openapi/v3/apis/batch/v1   stubs: `kubectl create` validates
  batch/v1 jobs, v1 pods (+ /log), secrets, configmaps under /api[s]/.../namespaces/{ns}/{kind}:
       POST (201; 409 AlreadyExists; 422 Invalid), GET one (404 NotFound), LIST with
       labelSelector (=, ==, !=, exists, !key, in, notin), fieldSelector metadata.name=, limit,
       watch=true (chunked ADDED/MODIFIED events until timeoutSeconds), DELETE one
       (propagationPolicy Background|Foreground|Orphan, from the query or a DeleteOptions body)
       and DELETE collection by labelSelector. Every write bumps a global resourceVersion.
  Errors are metav1.Status bodies with real reasons and codes.

The node
  A Job creates one pod `<job>-<5 chars>` labelled job-name, batch.kubernetes.io/job-name and
  controller-uid plus the template's labels. The kubelet starts Pending pods: the image is
  recorded, never pulled (an image whose repository starts with `missing/` fails with
  ErrImagePull then ImagePullBackOff; one with upper case or spaces is InvalidImageName); a
  secretKeyRef to a missing Secret or key is CreateContainerConfigError; a cpu/memory request
  above --node-cpu/--node-memory-mb leaves the pod Pending with PodScheduled=False/Unschedulable,
  and so does a full node: with --max-pods N (the kubelet's maxPods, default no limit) a pod is
  scheduled only while fewer than N scheduled pods are not yet Succeeded or Failed ("Too many
  pods"), the way kube-scheduler counts them; it is scheduled once one of those ends or is deleted.
  Otherwise containers[0].command+args run as a local process group: env (value and
  secretKeyRef) is set, workingDir is used as is unless it lies under a mounted emptyDir (then
  it maps to a per-pod temporary folder); a persistentVolumeClaim volume maps to the host folder
  given by --pvc CLAIM=DIR, and its mountPath must be that same folder (this host has no mount
  namespaces); without workingDir the process runs in a fresh per-pod folder. Output is the pod
  log. Exit 0 -> Succeeded; else Failed with the exit code (137 is reported as OOMKilled).
  activeDeadlineSeconds kills the pod: the Job fails with reason DeadlineExceeded.

Auth: with --token, requests need `Authorization: Bearer <token>` (with --token-file, the file is
re-read on every request, so a test can rotate it); with --tls a client certificate signed by
the generated CA authenticates as well. --tls DIR generates ca.crt, server.crt/key and
client.crt/key there (openssl) and serves HTTPS. --kubeconfig PATH writes a kubeconfig for it.

Fault knobs (command line, or POST /_control with the same names as JSON):
  fault_rate, faults (429,500,503,reset)   random API failures, seeded by --seed; a reset
                                           reads the request and closes the socket with RST
  unauthorized   answer the next N API requests 401
  evict          the next N pods that start are Evicted at once (process killed, phase
                 Failed, reason Evicted, condition DisruptionTarget)
  oom            the next N pods that start are killed with 137 and reason OOMKilled
  vanish         the next N jobs that start vanish with their pods (a lost node, a deleted job)
Observability (never logged, never faulted, never authenticated):
  GET /_stats    {"requests": n, "by_route": {...}, "created": {job: n}, "started": {job: n}, ...}
  --log FILE     one JSON line per API request: t, method, path, query, status, fault, agent
"""
import argparse
import base64
import http.server
import json
import os
import random
import re
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

from kube_node import Node, now_iso

NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
KINDS = {
    # plural: (group-version prefix, kind, apiVersion)
    "jobs": ("/apis/batch/v1", "Job", "batch/v1"),
    "pods": ("/api/v1", "Pod", "v1"),
    "secrets": ("/api/v1", "Secret", "v1"),
    "configmaps": ("/api/v1", "ConfigMap", "v1"),
}
GROUP = {"jobs": "batch", "pods": "", "secrets": "", "configmaps": ""}


def status_body(code, reason, message, name=None, plural=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if name is not None:
        body["details"] = {"name": name, "kind": plural}
        if plural and GROUP.get(plural):
            body["details"]["group"] = GROUP[plural]
    return body


def parse_selector(text):
    """Label selector text -> list of predicates over a labels dict."""
    preds = []
    if not text:
        return preds
    # split on commas outside parentheses
    parts, depth, cur = [], 0, ""
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    for p in (x.strip() for x in parts if x.strip()):
        m = re.match(r"^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$", p)
        if m:
            key, op, vals = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if op == "in":
                preds.append(lambda l, k=key, v=vals: l.get(k) in v)
            else:
                preds.append(lambda l, k=key, v=vals: l.get(k) not in v)
        elif "!=" in p:
            k, v = p.split("!=", 1)
            preds.append(lambda l, k=k.strip(), v=v.strip(): l.get(k) != v)
        elif "==" in p or "=" in p:
            k, v = p.split("==", 1) if "==" in p else p.split("=", 1)
            preds.append(lambda l, k=k.strip(), v=v.strip(): l.get(k) == v)
        elif p.startswith("!"):
            preds.append(lambda l, k=p[1:].strip(): k not in l)
        else:
            preds.append(lambda l, k=p: k in l)
    return preds


class HTTPFailure(Exception):
    def __init__(self, code, reason, message, name=None, plural=None):
        super().__init__(message)
        self.body = status_body(code, reason, message, name, plural)
        self.code = code


class Cluster(Node):
    """The stored objects; with `Node` (kube_node.py), the Job controller and the kubelet. One lock guards
    everything."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.rv = 1
        self.objects = {k: {} for k in KINDS}  # plural -> {(ns, name): obj}
        self.procs = {}  # (ns, pod) -> dict(proc, log, started)
        self.bound = 0  # pods bound to the node and not terminated (tick recounts them)
        self.rng = random.Random(args.seed)
        self.knobs = {"fault_rate": args.fault_rate, "faults": args.faults.split(","),
                      "unauthorized": args.unauthorized, "evict": args.evict, "oom": args.oom,
                      "vanish": args.vanish}
        self.stats = {"requests": 0, "by_route": {}, "faults": {}, "created": {}, "conflicts": {},
                      "started": {}, "evicted": [], "oom": [], "vanished": [], "deleted_jobs": 0}
        self.pvcs = dict(x.split("=", 1) for x in args.pvc)
        self.sandbox = tempfile.mkdtemp(prefix="kube-apiserver-")
        self.logfile = open(args.log, "a", buffering=1) if args.log else None

    # --- objects ------------------------------------------------------------------------
    def bump(self, obj):
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)

    def create(self, plural, ns, obj):
        meta = obj.setdefault("metadata", {})
        name = meta.get("name")
        if not name and meta.get("generateName"):
            name = meta["generateName"] + "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        if not name:
            raise HTTPFailure(422, "Invalid", "%s \"\" is invalid: metadata.name: Required value" % plural, "", plural)
        if not NAME_RE.match(name) or len(name) > (63 if plural in ("jobs", "pods") else 253):
            raise HTTPFailure(422, "Invalid", "%s.%s \"%s\" is invalid: metadata.name: Invalid value: \"%s\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'" % (plural, GROUP[plural] or "", name, name), name, plural)
        if meta.get("namespace", ns) != ns:
            raise HTTPFailure(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
        key = (ns, name)
        if key in self.objects[plural]:
            self.stats["conflicts"][name] = self.stats["conflicts"].get(name, 0) + 1
            kind = plural + ("." + GROUP[plural] if GROUP[plural] else "")
            raise HTTPFailure(409, "AlreadyExists", "%s \"%s\" already exists" % (kind, name), name, plural)
        gv, kind, api = KINDS[plural]
        obj["kind"], obj["apiVersion"] = kind, api
        meta.update({"name": name, "namespace": ns, "uid": str(uuid.uuid4()), "creationTimestamp": now_iso()})
        meta.pop("generateName", None)
        if plural == "jobs":
            self.validate_job(obj)
            uid = meta["uid"]
            spec = obj["spec"]
            spec.setdefault("backoffLimit", 6)
            spec.setdefault("completions", 1)
            spec.setdefault("parallelism", 1)
            spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
            tl = spec["template"].setdefault("metadata", {}).setdefault("labels", {})
            tl.update({"batch.kubernetes.io/controller-uid": uid, "controller-uid": uid,
                       "batch.kubernetes.io/job-name": name, "job-name": name})
            obj["status"] = {}
            self.stats["created"][name] = self.stats["created"].get(name, 0) + 1
        if plural == "pods":
            obj.setdefault("status", {"phase": "Pending"})
        if plural == "secrets":
            for k, v in (obj.pop("stringData", None) or {}).items():
                obj.setdefault("data", {})[k] = base64.b64encode(v.encode()).decode()
            obj.setdefault("type", "Opaque")
        self.bump(obj)
        self.objects[plural][key] = obj
        if plural == "jobs":
            self.make_pod(obj)
        return obj

    def validate_job(self, job):
        spec = job.get("spec") or {}
        pod = ((spec.get("template") or {}).get("spec")) or {}
        containers = pod.get("containers") or []
        errors = []
        if not containers:
            errors.append("spec.template.spec.containers: Required value")
        for i, c in enumerate(containers):
            if not c.get("name"):
                errors.append("spec.template.spec.containers[%d].name: Required value" % i)
            if not c.get("image"):
                errors.append("spec.template.spec.containers[%d].image: Required value" % i)
            res = c.get("resources") or {}
            for rname, lim in (res.get("requests") or {}).items():
                if "/" in rname and (res.get("limits") or {}).get(rname) != lim:
                    errors.append("spec.template.spec.containers[%d].resources.requests[%s]: Invalid value: must be equal to %s limit" % (i, rname, rname))
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            errors.append("spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"")
        if errors:
            name = job["metadata"]["name"]
            raise HTTPFailure(422, "Invalid", "Job.batch \"%s\" is invalid: %s" % (name, "; ".join(errors)), name, "jobs")

    def select(self, plural, ns, label_sel, field_sel):
        preds = parse_selector(label_sel)
        name_eq = None
        if field_sel:
            for part in field_sel.split(","):
                k, _, v = part.partition("=")
                if k.strip() == "metadata.name":
                    name_eq = v.lstrip("=").strip()
        out = []
        for (ons, name), obj in sorted(self.objects[plural].items()):
            if ns is not None and ons != ns:
                continue
            if name_eq is not None and name != name_eq:
                continue
            labels = obj["metadata"].get("labels") or {}
            if all(p(labels) for p in preds):
                out.append(obj)
        return out

    def delete(self, plural, ns, name, propagation):
        obj = self.objects[plural].pop((ns, name), None)
        if obj is None:
            kind = plural + ("." + GROUP[plural] if GROUP[plural] else "")
            raise HTTPFailure(404, "NotFound", "%s \"%s\" not found" % (kind, name), name, plural)
        self.rv += 1
        if plural == "pods":
            self.kill(ns, name)
        if plural == "jobs":
            self.stats["deleted_jobs"] += 1
            if propagation != "Orphan":
                for pod in self.owned_pods(obj):
                    self.objects["pods"].pop((ns, pod["metadata"]["name"]), None)
                    self.kill(ns, pod["metadata"]["name"])
        return obj

    def pod_log(self, ns, name, query):
        pod = self.objects["pods"].get((ns, name))
        if pod is None:
            raise HTTPFailure(404, "NotFound", "pods \"%s\" not found" % name, name, "pods")
        cname = query.get("container", [pod["spec"]["containers"][0]["name"]])[0]
        if cname != pod["spec"]["containers"][0]["name"]:
            raise HTTPFailure(400, "BadRequest", "container %s is not valid for pod %s" % (cname, name))
        if query.get("previous", ["false"])[0] == "true":
            raise HTTPFailure(400, "BadRequest", "previous terminated container \"%s\" in pod \"%s\" not found" % (cname, name))
        entry = self.procs.get((ns, name))
        if entry is None:
            reason = ((pod["status"].get("containerStatuses") or [{}])[0].get("state", {}).get("waiting", {}) or {}).get("reason", "ContainerCreating")
            raise HTTPFailure(400, "BadRequest", "container \"%s\" in pod \"%s\" is waiting to start: %s" % (cname, name, reason))
        with open(entry["log"], "rb") as f:
            data = f.read()
        if "tailLines" in query:
            n = int(query["tailLines"][0])
            lines = data.splitlines(keepends=True)
            data = b"".join(lines[-n:]) if n > 0 else b""
        if "limitBytes" in query:
            data = data[:int(query["limitBytes"][0])]
        return data


def discovery(port):
    res_v1 = [{"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": ["create", "delete", "deletecollection", "get", "list", "watch"], "shortNames": ["po"]},
              {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
              {"name": "secrets", "singularName": "secret", "namespaced": True, "kind": "Secret", "verbs": ["create", "delete", "deletecollection", "get", "list", "watch"]},
              {"name": "configmaps", "singularName": "configmap", "namespaced": True, "kind": "ConfigMap", "verbs": ["create", "delete", "deletecollection", "get", "list", "watch"], "shortNames": ["cm"]}]
    res_batch = [{"name": "jobs", "singularName": "job", "namespaced": True, "kind": "Job", "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], "categories": ["all"]},
                 {"name": "jobs/status", "singularName": "", "namespaced": True, "kind": "Job", "verbs": ["get"]}]
    gv = {"groupVersion": "batch/v1", "version": "v1"}
    return {
        "/version": {"major": "1", "minor": "32", "gitVersion": "v1.32.0-flow-test", "platform": "linux/amd64"},
        "/api": {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % port}]},
        "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [{"name": "batch", "versions": [gv], "preferredVersion": gv}]},
        "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": res_v1},
        "/apis/batch/v1": {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "batch/v1", "resources": res_batch},
        "/openapi/v3": {"paths": {"apis/batch/v1": {"serverRelativeURL": "/openapi/v3/apis/batch/v1?hash=0"},
                                  "api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=0"}}},
        "/openapi/v3/apis/batch/v1": openapi_stub("/apis/batch/v1/namespaces/{namespace}/jobs/{name}", "batch", "Job"),
        "/openapi/v3/api/v1": openapi_stub("/api/v1/namespaces/{namespace}/pods/{name}", "", "Pod"),
    }


def openapi_stub(path, group, kind):
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": {path: {"patch": {"x-kubernetes-group-version-kind": {"group": group, "version": "v1", "kind": kind},
                                       "parameters": [{"name": "fieldValidation", "in": "query"}]}}}}


ROUTE = re.compile(r"^(/api/v1|/apis/batch/v1)(?:/namespaces/([^/]+))?/(jobs|pods|secrets|configmaps)(?:/([^/]+))?(?:/(log|status))?$")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "flow-kube-apiserver/1"

    def setup(self):
        # Small writes (a 100 Continue, headers then body) must not wait for delayed ACKs, as in a real server.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ctx = self.server.tls_context
        if ctx is not None:
            self.request.settimeout(30)
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        if self.server.args.verbose:
            sys.stderr.write("%s\n" % (fmt % args))

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, code, body, ctype="application/json", extra=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.status_sent = code

    def reset(self):
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.request.close()
        except OSError:
            pass

    def authenticated(self):
        args = self.server.args
        if not args.token and not args.token_file:
            return True
        if self.server.tls_context is not None:
            try:
                if self.request.getpeercert():
                    return True
            except (AttributeError, ValueError):
                pass
        token = args.token
        if args.token_file:
            try:
                with open(args.token_file) as f:
                    token = f.read().strip()
            except OSError:
                token = None
        got = self.headers.get("Authorization", "")
        return bool(token) and got == "Bearer " + token

    def handle_any(self, method):
        cluster = self.server.cluster
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body = self.read_body()
        self.status_sent = None
        fault = None
        if path == "/_stats":
            with cluster.lock:
                return self.send(200, cluster.stats)
        if path == "/_control" and method == "POST":
            with cluster.lock:
                knobs = json.loads(body or b"{}")
                cluster.knobs.update(knobs)
                return self.send(200, cluster.knobs)
        try:
            with cluster.lock:
                cluster.stats["requests"] += 1
                if cluster.knobs["unauthorized"] > 0:
                    cluster.knobs["unauthorized"] -= 1
                    fault = "401"
                elif cluster.knobs["fault_rate"] > 0 and cluster.rng.random() < cluster.knobs["fault_rate"]:
                    fault = cluster.rng.choice(cluster.knobs["faults"])
                if fault:
                    cluster.stats["faults"][fault] = cluster.stats["faults"].get(fault, 0) + 1
            if fault == "reset":
                self.reset()
                return
            if fault == "401" or not self.authenticated():
                return self.send(401, status_body(401, "Unauthorized", "Unauthorized"))
            if fault in ("429", "500", "503"):
                code = int(fault)
                reason = {429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable"}[code]
                return self.send(code, status_body(code, reason, "injected fault"), extra=[("Retry-After", "1")] if code == 429 else [])
            self.route(method, path, query, body)
        except HTTPFailure as failure:
            self.send(failure.code, failure.body)
        finally:
            self.record(method, path, url.query, fault)

    def record(self, method, path, query, fault):
        cluster = self.server.cluster
        route = method + " " + re.sub(r"/namespaces/[^/]+", "/namespaces/*", re.sub(r"/(jobs|pods|secrets|configmaps)/[^/]+", r"/\1/*", path))
        with cluster.lock:
            cluster.stats["by_route"][route] = cluster.stats["by_route"].get(route, 0) + 1
            if cluster.logfile:
                cluster.logfile.write(json.dumps({"t": round(time.time(), 3), "method": method, "path": path, "query": query,
                                                  "status": self.status_sent, "fault": fault,
                                                  "agent": self.headers.get("User-Agent", "")}) + "\n")

    def route(self, method, path, query, body):
        cluster = self.server.cluster
        docs = self.server.discovery
        if method == "GET" and path in docs:
            return self.send(200, docs[path])
        m = ROUTE.match(path)
        if not m:
            raise HTTPFailure(404, "NotFound", "the server could not find the requested resource")
        prefix, ns, plural, name, sub = m.groups()
        if KINDS[plural][0] != prefix:
            raise HTTPFailure(404, "NotFound", "the server could not find the requested resource")
        q = {k: v[0] for k, v in query.items()}
        with cluster.lock:
            if method == "POST" and name is None and ns:
                try:
                    obj = json.loads(body or b"{}")
                except ValueError:
                    raise HTTPFailure(400, "BadRequest", "the object provided is unrecognized (must be of type %s)" % KINDS[plural][1])
                if q.get("dryRun") == "All":
                    return self.send(201, obj)
                return self.send(201, cluster.create(plural, ns, obj))
            if method == "GET" and name is None:
                if q.get("watch") in ("true", "1"):
                    return self.watch(plural, ns, q)
                items = cluster.select(plural, ns, q.get("labelSelector"), q.get("fieldSelector"))
                kind = KINDS[plural][1] + "List"
                return self.send(200, {"kind": kind, "apiVersion": KINDS[plural][2], "metadata": {"resourceVersion": str(cluster.rv)},
                                       "items": [public(o) for o in items]})
            if method == "GET" and sub == "log":
                return self.send(200, cluster.pod_log(ns, name, query), "text/plain")
            if method == "GET":
                obj = cluster.objects[plural].get((ns, name))
                if obj is None:
                    kind = plural + ("." + GROUP[plural] if GROUP[plural] else "")
                    raise HTTPFailure(404, "NotFound", "%s \"%s\" not found" % (kind, name), name, plural)
                return self.send(200, public(obj))
            if method == "DELETE":
                opts = {}
                if body:
                    try:
                        opts = json.loads(body)
                    except ValueError:
                        opts = {}
                propagation = q.get("propagationPolicy") or opts.get("propagationPolicy") or ("Orphan" if plural == "jobs" else "Background")
                if name is None:
                    items = cluster.select(plural, ns, q.get("labelSelector"), q.get("fieldSelector"))
                    for o in items:
                        cluster.delete(plural, o["metadata"]["namespace"], o["metadata"]["name"], propagation)
                    return self.send(200, {"kind": KINDS[plural][1] + "List", "apiVersion": KINDS[plural][2],
                                           "metadata": {"resourceVersion": str(cluster.rv)}, "items": [public(o) for o in items]})
                obj = cluster.delete(plural, ns, name, propagation)
                return self.send(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                       "details": {"name": name, "group": GROUP[plural], "kind": plural, "uid": obj["metadata"]["uid"]}})
        raise HTTPFailure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def watch(self, plural, ns, q):
        cluster = self.server.cluster
        timeout = min(float(q.get("timeoutSeconds") or 30), 60)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.status_sent = 200
        seen = {}
        end = time.time() + timeout
        cluster.lock.release()  # the caller holds it once
        try:
            while time.time() < end:
                with cluster.lock:
                    items = cluster.select(plural, ns, q.get("labelSelector"), q.get("fieldSelector"))
                    events = []
                    for o in items:
                        key, rv = o["metadata"]["name"], o["metadata"]["resourceVersion"]
                        if seen.get(key) != rv:
                            events.append({"type": "ADDED" if key not in seen else "MODIFIED", "object": public(o)})
                            seen[key] = rv
                    for key in list(seen):
                        if key not in {o["metadata"]["name"] for o in items}:
                            events.append({"type": "DELETED", "object": {"kind": KINDS[plural][1], "metadata": {"name": key}}})
                            del seen[key]
                for ev in events:
                    data = json.dumps(ev).encode() + b"\n"
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                time.sleep(0.2)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
        finally:
            cluster.lock.acquire()


def public(obj):
    """The object as the API shows it (internal bookkeeping fields removed)."""
    out = json.loads(json.dumps(obj))
    if "status" in out and isinstance(out["status"], dict):
        out["status"].pop("_pendingSince", None)
    return out


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_tls(directory):
    os.makedirs(directory, exist_ok=True)

    def run(*cmd):
        subprocess.run(["openssl"] + list(cmd), check=True, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(os.path.join(directory, "server.crt")):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=flow-test-ca")
        with open(os.path.join(directory, "san.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
        run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
            "-days", "2", "-extfile", "san.ext")
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=flow-test-user/O=system:masters")
        run("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "2")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(directory, "server.crt"), os.path.join(directory, "server.key"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.load_verify_locations(os.path.join(directory, "ca.crt"))
    return ctx


def write_kubeconfig(path, port, args):
    scheme = "https" if args.tls else "http"
    cluster = {"server": "%s://127.0.0.1:%d" % (scheme, port)}
    if args.tls:
        with open(os.path.join(args.tls, "ca.crt"), "rb") as f:
            cluster["certificate-authority-data"] = base64.b64encode(f.read()).decode()
    user = {}
    if args.token:
        user["token"] = args.token
    elif args.token_file:
        user["tokenFile"] = os.path.abspath(args.token_file)
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "flow-test",
           "clusters": [{"name": "flow-test", "cluster": cluster}],
           "users": [{"name": "flow-test", "user": user}],
           "contexts": [{"name": "flow-test", "context": {"cluster": "flow-test", "user": "flow-test", "namespace": args.namespace}}]}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)  # JSON is YAML
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--token", help="bearer token every API request must carry")
    p.add_argument("--token-file", help="like --token, re-read on every request")
    p.add_argument("--tls", metavar="DIR", help="serve HTTPS with a CA, server and client certificate generated in DIR")
    p.add_argument("--kubeconfig", metavar="PATH", help="write a kubeconfig for this server")
    p.add_argument("--namespace", default="default", help="the namespace the written kubeconfig's context names")
    p.add_argument("--pvc", action="append", default=[], metavar="CLAIM=DIR", help="a PersistentVolumeClaim and its host folder")
    p.add_argument("--node-cpu", type=float, default=64)
    p.add_argument("--max-pods", type=int, default=0, help="pods the node runs at once (kubelet maxPods; 0: no limit)")
    p.add_argument("--node-memory-mb", type=float, default=256000)
    p.add_argument("--node-label", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--log", metavar="FILE", help="append one JSON line per API request")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--faults", default="429,500,503,reset")
    p.add_argument("--unauthorized", type=int, default=0, help="answer the first N API requests 401")
    p.add_argument("--evict", type=int, default=0)
    p.add_argument("--oom", type=int, default=0)
    p.add_argument("--vanish", type=int, default=0)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.args = args
    server.cluster = Cluster(args)
    server.tls_context = make_tls(args.tls) if args.tls else None
    port = server.server_address[1]
    server.discovery = discovery(port)
    if args.kubeconfig:
        write_kubeconfig(args.kubeconfig, port, args)

    def kubelet():
        while True:
            try:
                server.cluster.tick()
            except Exception as exc:  # keep the node alive; say what broke
                sys.stderr.write("kubelet: %r\n" % exc)
            time.sleep(0.05)
    threading.Thread(target=kubelet, daemon=True).start()

    def stop(*_):
        with server.cluster.lock:
            for key in list(server.cluster.procs):
                server.cluster.kill(*key)
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    print("PORT %d" % port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        stop()


if __name__ == "__main__":
    main()
