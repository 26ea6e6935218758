#!/usr/bin/env python3
"""Compares the jobs `flow run -n` plans with those of Snakemake's dry run, on published workflows.

Each workflow is a folder under WORKFLOWS (a checkout, or a bare git directory such as the `repo`
of a fetched mirror: /work/.mirror/<owner>+<name>/repo). It is copied into a scratch folder first,
so the dry runs never write into it; submodules come from their mirrors in WORKFLOWS when fetched
(.test/ngs-test-data: snakemake-workflows/ngs-test-data), files a mirror lacks are written empty. Its test configurations come from its `.test/` folder, the
way the snakemake-github-action runs them (from the workflow's root, `--directory .test`):
  - `.test/config/config.yaml`: the Snakefile's own `configfile:` finds it, no extra argument;
  - `.test/<name>/config.yaml` (or .yml, .json): `--configfile .test/<name>/config.yaml`
    (folders named profile* hold Snakemake profiles, not configurations);
  - `.test/<name>/workflow/Snakefile`: a workflow of its own, run in `.test/<name>`.
`--case WORKFLOW:NAME:ARGS` adds one by hand (ARGS split like a shell would).

A planned job is its rule, its outputs and its wildcards, read from the job blocks both tools
print (`rule NAME:` then indented `output:`, `wildcards:`; `localrule`/`checkpoint` too).
Per configuration the report says `same` (equal job sets), `differs` (the jobs only one plans,
and per rule the counts), or which tool failed and the first lines of its error. Inputs of the
jobs both plan are compared too and reported as a count of jobs whose inputs differ.

Snakemake's Python must have what the workflows import (pandas, a jsonschema >= 4.18):
`scripts/setup.sh --with-snakemake-sheets` makes `.venv-snakemake-sheets` from Debian's python3.
flow gets FLOW_PYTHON from the environment (default /usr/bin/python3 when it has pandas).

Usage: scripts/compare_dryrun.py WORKFLOWS [--only NAME,...] [--flow BIN] [--snakemake BIN] [--extra ARGS]
                                 [--scratch DIR] [--timeout S] [--json FILE] [--verbose]
Offline, `meta_wrapper:` modules need `--extra "--wrapper-prefix git+file:///work/.mirror/snakemake+snakemake-wrappers/repo"`
(a fetched snakemake/snakemake-wrappers; flow reads the bare mirror).
Exit status: 0 when every configuration plans the same jobs in both, 1 otherwise.
"""
import argparse
import collections
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Jobs of a group are printed indented one more level under "Group job NAME".
HEADER = re.compile(r"^( *)(?:local)?(?:rule|checkpoint) (\S+):$")
FIELD = re.compile(r"^ *(input|output|wildcards|log): ?(.*)$")


def parse_jobs(text):
    """The job blocks of a dry run: a list of dicts with rule, output, wildcards, input."""
    jobs, current, indent = [], None, ""
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            indent = m.group(1) + "    "
            current = {"rule": m.group(2), "output": "", "wildcards": "", "input": "", "log": ""}
            jobs.append(current)
            continue
        if current is None:
            continue
        f = FIELD.match(line)
        if f and line.startswith(indent) and not line.startswith(indent + " "):
            current[f.group(1)] = f.group(2)
        elif not line.startswith(indent):
            current = None
    return jobs


def job_key(job):
    wildcards = ", ".join(sorted(w.strip() for w in job["wildcards"].split(", ") if w.strip()))
    return (job["rule"], job["output"], wildcards)


def describe(key):
    rule, output, wildcards = key
    parts = [rule]
    if wildcards:
        parts.append(f"[{wildcards}]")
    if output:
        parts.append(f"-> {output}")
    return " ".join(parts)


def is_git_dir(path):
    return os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))


def submodule_source(url, workflows):
    """A fetched mirror of a submodule's repository among the workflows, if there is one."""
    m = re.search(r"github\.com[/:]([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    if not m:
        return None
    for candidate in (f"{m.group(1)}+{m.group(2)}/repo", f"{m.group(1)}+{m.group(2)}", m.group(2)):
        path = os.path.join(workflows, candidate)
        if os.path.isdir(path):
            return path
    return None


def copy_workflow(source, target, workflows, commit="HEAD", submodules=None):
    """A checkout of a bare git directory's commit, or a copy of a folder. Submodules come from
    their own mirror among the workflows when there is one. Files the mirror lacks (large data files)
    are written empty: a dry run needs them to exist only. Returns what was left out or left empty."""
    if not is_git_dir(source):
        shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".snakemake", ".flow"))
        return []
    git = ["git", "--git-dir", source]
    listing = subprocess.run(git + ["ls-tree", "-r", "-z", commit], capture_output=True, check=True).stdout
    entries = []
    for record in listing.split(b"\0"):
        if record:
            meta, path = record.split(b"\t", 1)
            mode, kind, sha = meta.split()
            entries.append((mode.decode(), kind.decode(), sha.decode(), path.decode()))
    blobs = [e for e in entries if e[1] == "blob"]
    batch = subprocess.run(git + ["cat-file", "--batch"], input="".join(e[2] + "\n" for e in blobs).encode(),
                           capture_output=True, check=True).stdout
    notes, at = [], 0
    for mode, _, sha, path in blobs:
        end = batch.index(b"\n", at)
        header = batch[at:end].split()
        at = end + 1
        data = b""
        if header[1] == b"missing":
            notes.append(path + " (empty)")
        else:
            size = int(header[2])
            data = batch[at:at + size]
            at += size + 1
        dest = os.path.join(target, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if mode == "120000" and data:
            os.symlink(data.decode(), dest)
            continue
        with open(dest, "wb") as f:
            f.write(data)
        if mode == "100755":
            os.chmod(dest, 0o755)
    found_submodules = submodules
    submodules = [e for e in entries if e[1] == "commit"]
    if submodules:
        modules = subprocess.run(git + ["config", "--blob", f"{commit}:.gitmodules", "--get-regexp", r"submodule\..*\.(path|url)"],
                                 capture_output=True, text=True).stdout
        urls, paths = {}, {}
        for line in modules.splitlines():
            key, value = line.split(" ", 1)
            name, field = key[len("submodule."):].rsplit(".", 1)
            (paths if field == "path" else urls)[name] = value
        url_of = {paths[n]: urls.get(n, "") for n in paths}
        for _, _, sha, path in submodules:
            dest = os.path.join(target, path)
            if found_submodules is not None:
                found_submodules.append(path)
            mirror = submodule_source(url_of.get(path, ""), workflows)
            if mirror is None:
                os.makedirs(dest, exist_ok=True)
                notes.append(path + "/ (submodule, no mirror)")
                continue
            mirror = os.path.join(mirror, "repo") if os.path.isdir(os.path.join(mirror, "repo")) else mirror
            known = subprocess.run(["git", "--git-dir", mirror, "cat-file", "-e", sha], capture_output=True).returncode == 0
            notes += copy_workflow(mirror, dest, workflows, sha if known else "HEAD")
            if not known:
                notes.append(path + f"/ (submodule at the mirror's HEAD, {sha[:10]} absent)")
    return notes


def discover_cases(root, skip=()):
    """(name, arguments) per test configuration of a workflow checkout (not in submodules)."""
    test = os.path.join(root, ".test")
    cases = []
    if not os.path.isdir(test):
        return cases
    snakefile = next((s for s in ("workflow/Snakefile", "Snakefile") if os.path.isfile(os.path.join(root, s))), None)
    if snakefile and os.path.isfile(os.path.join(test, "config", "config.yaml")):
        cases.append(("config", ["--directory", ".test", "--snakefile", snakefile]))
    for name in sorted(os.listdir(test)):
        folder = os.path.join(test, name)
        if name == "config" or not os.path.isdir(folder) or f".test/{name}" in skip:
            continue
        own = os.path.join(folder, "workflow", "Snakefile")
        if os.path.isfile(own):
            cases.append((name, ["--directory", f".test/{name}", "--snakefile", f".test/{name}/workflow/Snakefile"]))
        elif snakefile and not name.startswith("profile"):
            config = next((c for c in ("config.yaml", "config.yml", "config.json")
                           if os.path.isfile(os.path.join(folder, c))), None)
            if config:
                cases.append((name, ["--directory", ".test", "--snakefile", snakefile,
                                     "--configfile", f".test/{name}/{config}"]))
    return cases


def run(command, cwd, env, timeout):
    start = time.perf_counter()
    try:
        p = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr, time.perf_counter() - start
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out + f"\n(timed out after {timeout:.0f} s)", time.perf_counter() - start


def error_lines(text, n=8):
    """The error of a failed run: from its first line naming an error or exception, else the last lines."""
    lines = [l for l in text.splitlines() if l.strip()]
    start = next((i for i, l in enumerate(lines) if re.search(r"Error|Exception|error:", l)), max(0, len(lines) - n))
    return "\n".join("      " + l for l in lines[start:start + n])


def input_difference(snakemake, flow):
    a, b = snakemake.split(", "), flow.split(", ")
    if sorted(a) == sorted(b):
        return "        same files, another order"
    lines = [f"        only Snakemake: {', '.join(x for x in a if x not in b)}" if set(a) - set(b) else "",
             f"        only flow: {', '.join(x for x in b if x not in a)}" if set(b) - set(a) else ""]
    return "\n".join(l for l in lines if l)


def compare(checkout, case_dir, name, arguments, tools, env, timeout):
    results = {}
    for tool, binary in tools.items():
        command = [binary, "-n", "--cores", "1"] + arguments
        if tool == "flow":
            command = [binary, "run", "-n", "--cores", "1"] + arguments
        # Each tool from its own fresh copy: neither sees the other's metadata.
        workdir = f"{case_dir}-{tool}"
        shutil.copytree(checkout, workdir, symlinks=True)
        status, text, seconds = run(command, workdir, env, timeout)
        # Absolute paths name the tool's own copy; Snakemake annotates some inputs ("(cached)",
        # "(access: random)", ...), which are not part of the file names.
        text = text.replace(workdir + "/", "<workdir>/")
        text = re.sub(r" \((?:cached|access: \w+|pipe|service|nodelocal|update|before update)\)", "", text)
        results[tool] = {"status": status, "text": text, "seconds": seconds, "command": command,
                         "jobs": parse_jobs(text) if status == 0 else []}
    report = {"case": name, "arguments": arguments,
              "seconds": {t: round(r["seconds"], 2) for t, r in results.items()}}
    failed = [t for t, r in results.items() if r["status"] != 0]
    if failed:
        report["result"] = "both fail" if len(failed) == 2 else f"{failed[0]} fails"
        report["errors"] = {t: error_lines(results[t]["text"]) for t in failed}
        return report
    keyed = {t: {job_key(j): j for j in r["jobs"]} for t, r in results.items()}
    sm, fl = keyed["snakemake"], keyed["flow"]
    only_sm = sorted(set(sm) - set(fl))
    only_fl = sorted(set(fl) - set(sm))
    report["jobs"] = {"snakemake": len(sm), "flow": len(fl)}
    report["result"] = "same" if not only_sm and not only_fl else "differs"
    report["only_snakemake"] = [describe(k) for k in only_sm]
    report["only_flow"] = [describe(k) for k in only_fl]
    counts = {t: collections.Counter(k[0] for k in keyed[t]) for t in keyed}
    report["rule_counts"] = {r: (counts["snakemake"][r], counts["flow"][r])
                             for r in sorted(set(counts["snakemake"]) | set(counts["flow"]))
                             if counts["snakemake"][r] != counts["flow"][r]}
    report["input_differs"] = [describe(k) + "\n" + input_difference(sm[k]["input"], fl[k]["input"])
                               for k in sorted(set(sm) & set(fl)) if sm[k]["input"] != fl[k]["input"]]
    return report


def print_report(workflow, r, verbose):
    secs = ", ".join(f"{t} {s:.1f} s" for t, s in r["seconds"].items())
    line = f"{workflow} / {r['case']}: {r['result']}"
    if "jobs" in r:
        line += f" ({r['jobs']['snakemake']} jobs in Snakemake, {r['jobs']['flow']} in flow)"
    print(f"{line}  [{secs}]")
    for tool, text in r.get("errors", {}).items():
        print(f"    {tool}:\n{text}")
    for rule, (a, b) in r.get("rule_counts", {}).items():
        print(f"    rule {rule}: Snakemake {a}, flow {b}")
    limit = None if verbose else 10
    for title, items in (("only in Snakemake", r.get("only_snakemake", [])), ("only in flow", r.get("only_flow", [])),
                         ("inputs differ", r.get("input_differs", []))):
        if items:
            print(f"    {title} ({len(items)}):")
            for item in items[:limit]:
                print(f"      {item}")
            if limit and len(items) > limit:
                print(f"      ... {len(items) - limit} more (--verbose)")


def default_snakemake():
    for venv in (".venv-snakemake-sheets", ".venv-snakemake"):
        candidate = os.path.join(ROOT, venv, "bin", "snakemake")
        if os.path.exists(candidate):
            return candidate
    return shutil.which("snakemake") or "snakemake"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 1)[1])
    p.add_argument("workflows", help="folder of workflow checkouts or bare git directories")
    p.add_argument("--only", default="", help="comma-separated workflow folder names (default: all)")
    p.add_argument("--case", action="append", default=[], metavar="WORKFLOW:NAME:ARGS",
                   help="a configuration by hand, instead of those found in the workflow's .test/")
    p.add_argument("--extra", default="", metavar="ARGS",
                   help="more arguments for both tools, e.g. \"--wrapper-prefix git+file:///path/to/snakemake-wrappers\"")
    p.add_argument("--flow", default=os.path.join(ROOT, ".build", "release", "flow"))
    p.add_argument("--snakemake", default=default_snakemake())
    p.add_argument("--scratch", default=None, help="where the copies go (default: a temporary folder, removed)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per dry run (default: %(default)s)")
    p.add_argument("--json", default=None, help="also write the reports as JSON here")
    p.add_argument("--verbose", action="store_true", help="list every differing job")
    args = p.parse_args(argv)

    env = dict(os.environ)
    if "FLOW_PYTHON" not in env and os.path.exists("/usr/bin/python3"):
        env["FLOW_PYTHON"] = "/usr/bin/python3"
    tools = {"snakemake": args.snakemake, "flow": os.path.abspath(args.flow)}
    only = [n for n in args.only.split(",") if n]
    sources = sorted(n for n in os.listdir(args.workflows) if os.path.isdir(os.path.join(args.workflows, n)))
    if only:
        sources = [n for n in sources if n in only or any(n.endswith("+" + o) or n.endswith("/" + o) for o in only)]
    manual = collections.defaultdict(list)
    for spec in args.case:
        workflow, name, arguments = spec.split(":", 2)
        manual[workflow].append((name, shlex.split(arguments)))

    scratch = args.scratch or tempfile.mkdtemp(prefix="flow-compare-")
    os.makedirs(scratch, exist_ok=True)
    reports, same, total = {}, 0, 0
    try:
        for name in sources:
            source = os.path.join(args.workflows, name)
            if os.path.isdir(os.path.join(source, "repo")):
                source = os.path.join(source, "repo")
            if is_git_dir(os.path.join(source, ".git")):
                source = os.path.join(source, ".git")
            checkout = os.path.join(scratch, name, "checkout")
            if os.path.exists(os.path.join(scratch, name)):
                shutil.rmtree(os.path.join(scratch, name))
            submodules = []
            notes = copy_workflow(source, checkout, args.workflows, submodules=submodules)
            if notes:
                print(f"{name}: {len(notes)} files not in the source: {', '.join(notes[:3])}"
                      + (", ..." if len(notes) > 3 else ""))
            cases = manual.get(name) or discover_cases(checkout, skip=submodules)
            if not cases:
                print(f"{name}: no .test/ configuration found (give one with --case)")
                continue
            for case_name, arguments in cases:
                case_dir = os.path.join(scratch, name, case_name)
                r = compare(checkout, case_dir, case_name, arguments + shlex.split(args.extra), tools, env, args.timeout)
                reports.setdefault(name, []).append(r)
                print_report(name, r, args.verbose)
                sys.stdout.flush()
                total += 1
                same += r["result"] == "same"
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n{same} of {total} configurations plan the same jobs in flow and Snakemake.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(reports, f, indent=2)
    return 0 if same == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
