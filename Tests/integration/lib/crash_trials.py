#!/usr/bin/env python3
"""Helpers of Tests/integration/crash-trials.sh (one kill trial = snapshot, then verdict).

snapshot WORKDIR ENGINE > FILE
    Outputs that count as finished right after the kill: present and not marked incomplete by
    the engine (flow: the `incomplete` table of .flow/state.db; Snakemake: .snakemake/incomplete/,
    one urlsafe-base64-named file per output). One line per output: path, mtime in ns, sha256.
verdict WORKDIR N SNAPSHOT KILL_OFFSET
    After the recovery: prints one line of counts
      missing=… wrong=… finished_rerun=… concurrent=…
    missing: outputs absent; wrong: outputs whose bytes differ from what one clean run of their
    job writes (overlapping writes show as repeated parts); finished_rerun: finished outputs whose
    bytes or mtime changed or whose job started again after the kill; concurrent: jobs with two
    attempts running at once, i.e. an event of one attempt logged after a later attempt started.
"""
import base64
import hashlib
import os
import sqlite3
import sys


def incomplete(workdir, engine):
    if engine == "flow":
        db = os.path.join(workdir, ".flow", "state.db")
        if not os.path.exists(db):
            return set()
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return {row[0] for row in con.execute("SELECT path FROM incomplete")}
        finally:
            con.close()
    marks = set()
    root = os.path.join(workdir, ".snakemake", "incomplete")
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name == "migration_underway":
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            encoded = "".join(part.lstrip("@") for part in rel.split(os.sep))
            try:
                marks.add(base64.urlsafe_b64decode(encoded).decode())
            except ValueError:
                pass
    return marks


def outputs(n):
    half = n // 2
    return [f"a/{i}.txt" for i in range(half)] + [f"b/{i}.txt" for i in range(half)]


def stamp(workdir, path):
    full = os.path.join(workdir, path)
    with open(full, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return f"{path} {os.stat(full).st_mtime_ns} {digest}"


def snapshot(workdir, engine):
    marked = incomplete(workdir, engine)
    for sub in ("a", "b"):
        directory = os.path.join(workdir, sub)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            path = f"{sub}/{name}"
            if name.endswith(".txt") and path not in marked:
                print(stamp(workdir, path))


def expected(path):
    sub, name = path.split("/")
    i = name[: -len(".txt")]
    own = "".join(f"{sub}-{i} part {step}\n" for step in (1, 2, 3))
    return (expected(f"a/{i}.txt") if sub == "b" else "") + own


def verdict(workdir, n, snapshot_file, kill_offset):
    missing = wrong = finished_rerun = concurrent = 0
    for path in outputs(n):
        full = os.path.join(workdir, path)
        if not os.path.exists(full):
            missing += 1
        elif open(full).read() != expected(path):
            wrong += 1
    with open(os.path.join(workdir, "events.log"), "rb") as f:
        events = f.read().decode().splitlines()
    log_bytes = 0
    started_after_kill = set()
    for line in events:
        log_bytes += len(line) + 1
        fields = line.split()
        if log_bytes > kill_offset and len(fields) >= 3 and fields[0] == "START":
            started_after_kill.add(fields[1])
    for line in open(snapshot_file):
        path = line.split()[0]
        key = path.replace("/", "-")[: -len(".txt")]
        full = os.path.join(workdir, path)
        if not os.path.exists(full) or stamp(workdir, path) != line.strip() or key in started_after_kill:
            finished_rerun += 1
    # key -> pids of its attempts in start order; an event of an older attempt after a newer one
    # started means both ran at once.
    attempts = {}
    overlapping = set()
    for line in events:
        fields = line.split()
        if len(fields) < 3:
            continue
        kind, key, pid = fields[0], fields[1], fields[2]
        seen = attempts.setdefault(key, [])
        if kind == "START":
            seen.append(pid)
        elif pid in seen and seen[-1] != pid:
            overlapping.add(key)
    concurrent = len(overlapping)
    print(f"missing={missing} wrong={wrong} finished_rerun={finished_rerun} concurrent={concurrent}")


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], sys.argv[3])
    else:
        verdict(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
