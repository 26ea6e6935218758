#!/usr/bin/env python3
"""Runs `flow run --list-rules -s SNAKEFILE` in a copy of every conformance case folder and
reports which fail (exit status != 0), grouped by the first line of their error.

Usage: scripts/check_list_rules.py --flow .build/release/flow --tests-dir SCRATCH/tests
       [--cases ../shared/conformance/cases.json] [--only-file ../shared/conformance/passing-with-snakemake.txt]
"""
import argparse, collections, json, os, shutil, subprocess, sys, tempfile

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.path.join(here, "..", "..", "shared", "conformance")
    ap = argparse.ArgumentParser()
    ap.add_argument("--flow", default=os.path.join(here, "..", ".build", "release", "flow"))
    ap.add_argument("--tests-dir", required=True)
    ap.add_argument("--cases", default=os.path.join(shared, "cases.json"))
    ap.add_argument("--only-file", default=os.path.join(shared, "passing-with-snakemake.txt"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    wanted = {l.strip() for l in open(args.only_file) if l.strip() and not l.startswith("#")}
    cases = [c for c in json.load(open(args.cases))["cases"] if c["name"] in wanted]
    failures = collections.defaultdict(list)
    passed = 0
    seen = set()
    for case in cases:
        key = (case["folder"], case["snakefile"])
        if key in seen:
            continue
        seen.add(key)
        src = os.path.join(args.tests_dir, case["folder"])
        with tempfile.TemporaryDirectory() as tmp:
            work = os.path.join(tmp, "case")
            shutil.copytree(src, work, symlinks=True)
            cmd = [os.path.abspath(args.flow), "run", "--list-rules", "-s", case["snakefile"]]
            flags = case.get("flags", {})
            if flags.get("configfiles"):
                cmd += ["--configfile"] + flags["configfiles"]
            if flags.get("config"):
                cmd += ["--config"] + [f"{k}={v}" for k, v in flags["config"].items()]
            try:
                p = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=30)
                code, err = p.returncode, (p.stderr or p.stdout).strip()
            except subprocess.TimeoutExpired:
                code, err = -1, "timeout"
        if code == 0:
            passed += 1
        else:
            first = err.splitlines()[0] if err else f"exit {code}, no message"
            failures[first.split(": ", 1)[-1][:110]].append(case["folder"])
    for reason, folders in sorted(failures.items(), key=lambda kv: -len(kv[1])):
        print(f"{len(folders):3d}  {reason}\n       {', '.join(folders[:8])}{' ...' if len(folders) > 8 else ''}")
    total = len(seen)
    print(f"{passed} of {total} Snakefiles list their rules ({total - passed} fail)")
    return 0 if passed == total else 1

if __name__ == "__main__":
    sys.exit(main())
