#!/usr/bin/env python3
"""bench/k8s_requests.py LABEL:N:START:END:LOG ...: one column per run of bench/k8s_submit.sh.

Reads the JSON-lines request log of scripts/testservers/kube_apiserver.py (one fresh server per run, so
every line belongs to the tool under test) and prints, side by side: wall time, submission rate (Job POSTs
per second, first to last POST), API requests per job by kind, and status rounds.

A status round is one pass over the running jobs. A tool that lists Jobs reads them all in one request (each
list GET of jobs is a round); a tool that reads each Job's status in turn starts a new round when it reads a
Job it has already read in the current one. Both rules follow from the requests alone, not from the tool.
"""
import json
import re
import sys

ONE = re.compile(r"/namespaces/[^/]+/(jobs|pods|secrets|configmaps)/([^/]+)(?:/(log|status))?$")
LIST = re.compile(r"/namespaces/[^/]+/(jobs|pods|secrets|configmaps)$")


def kind(method, path):
    m = ONE.search(path)
    if m:
        return "%s %s/%s" % (method, m.group(1), m.group(3)) if m.group(3) else "%s %s (one)" % (method, m.group(1))
    m = LIST.search(path)
    if m:
        return "%s %s" % (method, m.group(1)) if method == "POST" else "%s %s (list)" % (method, m.group(1))
    return "%s other" % method


def rounds(reqs):
    n, seen = 0, set()
    for r in reqs:
        if r["method"] != "GET":
            continue
        if LIST.search(r["path"]) and LIST.search(r["path"]).group(1) == "jobs":
            n, seen = n + 1, set()
            continue
        m = ONE.search(r["path"])
        if m and m.group(1) == "jobs" and m.group(3) in (None, "status"):
            if not seen or m.group(2) in seen:
                n, seen = n + 1, set()
            seen.add(m.group(2))
    return n


def column(spec):
    label, n, start, end, log = spec.split(":", 4)
    n, wall = int(n), float(end) - float(start)
    reqs = sorted((json.loads(line) for line in open(log)), key=lambda r: r["t"])
    posts = [r["t"] for r in reqs if r["method"] == "POST" and LIST.search(r["path"]) and r["path"].endswith("/jobs")]
    span = posts[-1] - posts[0] if len(posts) > 1 else 0.0
    kinds = {}
    for r in reqs:
        k = kind(r["method"], r["path"])
        kinds[k] = kinds.get(k, 0) + 1
    return {"label": "%s N=%d" % (label, n), "n": n, "wall": wall, "posts": len(posts), "span": span,
            "rate": len(posts) / span if span > 0 else float("nan"), "requests": len(reqs), "kinds": kinds,
            "rounds": rounds(reqs), "errors": sum(1 for r in reqs if (r.get("status") or 0) >= 400)}


def main():
    cols = [column(s) for s in sys.argv[1:]]
    rows = [("wall time (s)", lambda c: "%.1f" % c["wall"]),
            ("jobs/s end to end", lambda c: "%.2f" % (c["n"] / c["wall"])),
            ("Job POSTs", lambda c: "%d" % c["posts"]),
            ("first to last POST (s)", lambda c: "%.2f" % c["span"]),
            ("submission (Jobs/s)", lambda c: "%.1f" % c["rate"]),
            ("API requests", lambda c: "%d" % c["requests"]),
            ("API requests per job", lambda c: "%.2f" % (c["requests"] / c["n"])),
            ("status rounds", lambda c: "%d" % c["rounds"]),
            ("answers >= 400", lambda c: "%d" % c["errors"])]
    for k in sorted({k for c in cols for k in c["kinds"]}):
        rows.append(("  per job: " + k, lambda c, k=k: "%.2f" % (c["kinds"].get(k, 0) / c["n"])))
    width = max(len(r[0]) for r in rows) + 2
    cw = max(16, max(len(c["label"]) for c in cols) + 2)
    print("".ljust(width) + "".join(c["label"].rjust(cw) for c in cols))
    for name, f in rows:
        print(name.ljust(width) + "".join(f(c).rjust(cw) for c in cols))


if __name__ == "__main__":
    main()
