#!/usr/bin/env python3
"""Fuzz flow's Snakefile front end with mutated real Snakefiles.

Takes the Snakefiles (and .smk files) of Snakemake's test cases, mutates them (byte flips, deleted
tokens, truncation, indentation changes, duplicated lines, inserted brackets/quotes), and runs

    <flow> run --list-rules -s <mutated file>        (default)
    <flow-parse> <mutated file>                      (--parser-only)

in a fresh temporary directory with a 5 s timeout. A run fails the fuzzer when the process dies of
a signal, exceeds the timeout, exits with a code other than 0 or 1, or exits 1 without printing any
message. The first failure is saved as a reproducer (its path is printed) and the script exits 1.

Usage:
    scripts/fuzz_snakefiles.py TESTS_DIR FLOW_BINARY [--iterations N] [--jobs 2] [--seed S]
        [--cases-file passing-with-snakemake.txt --cases-json cases.json] [--parser-only]
        [--out fuzz-failures]
"""

import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT_SECONDS = 5.0
TOKEN_RE = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*|\d+|\"\"\"|'''|\S")
INSERTABLE = [b"(", b")", b"[", b"]", b"{", b"}", b":", b"'", b'"', b'"""', b"\\", b"\n", b"\t",
              b"    ", b"#", b",", b"=", b"f'{", b"}'", b"rule", b"run:", b"use rule * from", b"\xff",
              b"\r\n", b"lambda", b"*", b"**", b"\x00"]


def find_snakefiles(tests_dir, cases_file=None, cases_json=None):
    """All Snakefile*/.smk files under the case folders (all folders unless a case list is given)."""
    folders = None
    if cases_file and cases_json:
        with open(cases_file) as f:
            wanted = set(f.read().split())
        with open(cases_json) as f:
            cases = json.load(f)["cases"]
        folders = sorted({c["folder"] for c in cases if c["name"] in wanted})
    roots = [os.path.join(tests_dir, d) for d in folders] if folders is not None else [tests_dir]
    found = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            if "expected-results" in dirpath.split(os.sep):
                continue
            for name in files:
                if name.startswith("Snakefile") or name.endswith(".smk"):
                    path = os.path.join(dirpath, name)
                    # A Snakefile that sleeps is one mutation away from sleeping at definition time
                    # (Snakemake would wait just as long); such waits say nothing about the front end.
                    with open(path, "rb") as f:
                        if b"sleep(" in f.read():
                            continue
                    found.append(path)
    return sorted(set(found))


def mutate(data, rng):
    """Applies 1-4 random mutations to the bytes of a Snakefile."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            data = bytearray(b" ")
        kind = rng.randrange(8)
        lines = data.split(b"\n")
        if kind == 0:  # byte flip
            i = rng.randrange(len(data))
            data[i] = rng.randrange(256) if rng.random() < 0.3 else data[i] ^ (1 << rng.randrange(7))
        elif kind == 1:  # delete a token
            tokens = list(TOKEN_RE.finditer(bytes(data)))
            if tokens:
                m = rng.choice(tokens)
                del data[m.start():m.end()]
        elif kind == 2:  # truncate
            data = data[:rng.randrange(len(data) + 1)]
        elif kind == 3:  # change a line's indentation
            i = rng.randrange(len(lines))
            stripped = lines[i].lstrip(b" \t")
            indent = rng.choice([b"", b" ", b"  ", b"    ", b"        ", b"\t", b" \t", b"            "])
            lines[i] = indent + stripped
            data = bytearray(b"\n".join(lines))
        elif kind == 4:  # duplicate a line
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
        elif kind == 5:  # delete a line
            if len(lines) > 1:
                del lines[rng.randrange(len(lines))]
            data = bytearray(b"\n".join(lines))
        elif kind == 6:  # insert a bracket, quote or keyword
            i = rng.randrange(len(data) + 1)
            data[i:i] = rng.choice(INSERTABLE)
        else:  # swap two lines
            if len(lines) > 1:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def run_once(binary, parser_only, content):
    """Runs the binary on `content`; returns None if fine, else a description of the failure."""
    with tempfile.TemporaryDirectory(prefix="flow-fuzz-") as workdir:
        path = os.path.join(workdir, "Snakefile")
        with open(path, "wb") as f:
            f.write(content)
        cmd = [binary, path] if parser_only else [binary, "run", "--list-rules", "-s", path]
        proc = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "timeout after %.0f s" % TIMEOUT_SECONDS
        code = proc.returncode
        if code < 0:
            return "killed by signal %d (%s)" % (-code, signal.Signals(-code).name)
        if code not in (0, 1):
            return "exit code %d\n%s" % (code, (err or out).decode("utf-8", "replace")[-2000:])
        if code == 1 and not (out.strip() or err.strip()):
            return "exit code 1 without any message"
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tests_dir", help="Snakemake's tests folder (holds the case folders)")
    parser.add_argument("binary", help="path to the flow binary (or flow-parse with --parser-only)")
    parser.add_argument("--iterations", type=int, default=100000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--cases-file", help="only the case folders named in this list (e.g. passing-with-snakemake.txt)")
    parser.add_argument("--cases-json", help="cases.json mapping case names to folders (with --cases-file)")
    parser.add_argument("--parser-only", action="store_true", help="run BINARY FILE (flow-parse) instead of flow run")
    parser.add_argument("--out", default="fuzz-failures", help="where reproducers are saved")
    args = parser.parse_args()

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit("not an executable: %s" % binary)
    sources = find_snakefiles(args.tests_dir, args.cases_file, args.cases_json)
    if not sources:
        sys.exit("no Snakefiles found under %s" % args.tests_dir)
    corpus = []
    for path in sources:
        with open(path, "rb") as f:
            corpus.append((path, f.read()))
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print("fuzzing %s with %d source files, %d iterations, seed %d" % (binary, len(corpus), args.iterations, seed),
          flush=True)

    stop = threading.Event()
    lock = threading.Lock()
    done = [0]
    failure = []
    start = time.time()

    def work(iteration):
        if stop.is_set():
            return
        rng = random.Random(seed * 1000003 + iteration)
        source, data = corpus[rng.randrange(len(corpus))]
        content = mutate(data, rng)
        problem = run_once(binary, args.parser_only, content)
        with lock:
            done[0] += 1
            if problem and not failure:
                os.makedirs(args.out, exist_ok=True)
                repro = os.path.join(os.path.abspath(args.out), "repro-%d-%d.smk" % (seed, iteration))
                with open(repro, "wb") as f:
                    f.write(content)
                failure.append((repro, source, problem))
                stop.set()
            if done[0] % 1000 == 0:
                rate = done[0] / max(1e-9, time.time() - start)
                print("%d/%d runs (%.0f/s)" % (done[0], args.iterations, rate), flush=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # Submit lazily so a failure stops the run without queueing every iteration up front.
        pending = set()
        for iteration in range(args.iterations):
            if stop.is_set():
                break
            pending.add(pool.submit(work, iteration))
            if len(pending) >= args.jobs * 4:
                finished, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for f in finished:
                    f.result()
        for f in concurrent.futures.as_completed(pending):
            f.result()

    if failure:
        repro, source, problem = failure[0]
        print("FAILURE: %s" % problem)
        print("mutated from: %s" % source)
        print("reproducer saved to: %s" % repro)
        cmd = "%s %s" % (binary, repro) if args.parser_only else "%s run --list-rules -s %s" % (binary, repro)
        print("rerun with: %s" % cmd)
        sys.exit(1)
    print("OK: %d runs, no crashes, hangs or silent failures" % done[0])


if __name__ == "__main__":
    main()
