#!/usr/bin/env python3
"""Planning with a pandas sample sheet: a 10,000-sample, 40,000-job dry run, flow beside Snakemake.

The workflow (written to bench/work/sheets-N-ACCESS/, git-ignored) is in the style of the published
RNA-seq workflows: `samples.tsv` (sample, condition, fq1, fq2) read with `pd.read_csv(..., dtype=str)`
and `.set_index("sample", drop=False)`; `all` expands over `samples.index`; four jobs per sample
(trim, align, sort, count), each with an input function indexing the sheet per job: trim the reads
(`--access scalar`: `samples.loc[sample, "fq1"]` and `"fq2"`; `--access series`:
`samples.loc[sample, ["fq1", "fq2"]]`, a Series of paths as rna-seq-star-deseq2's get_fastqs returns),
align an index chosen by `samples.loc[sample, "condition"]`, sort and count their input named by
`samples.loc[sample, "sample"]`. The reads exist (empty files), nothing is built: the dry run plans
4 N + 1 jobs. With `series`, pandas alone spends about 0.7 ms per sample in those calls (as much in
plain CPython), so no engine plans N = 10,000 of it in 5 s on 2 cores.

Measured: wall time and peak RSS (/usr/bin/time %M) of `flow run -n -q --cores 2` (median of
--repeats) and of `snakemake -n --quiet rules --cores 2` (once: it is slow; it prints the job counts,
not the jobs), each checked to plan 4 N + 1 jobs (flow's count from one more run without -q).
flow needs FLOW_PYTHON naming a python3 with pandas (default /usr/bin/python3); Snakemake's Python
needs pandas too (`scripts/setup.sh --with-snakemake-sheets`).

Usage: bench/sheets.py [--n 10000] [--repeats 3] [--access scalar|series] [--flow .build/release/flow]
                       [--snakemake BIN | --no-snakemake]
Goal (issue 8): flow plans N = 10,000 in under 5 s.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIME_BIN = "/usr/bin/time"
VERSION = 2

SNAKEFILE = '''import pandas as pd

samples = pd.read_csv("samples.tsv", sep="\\t", dtype=str).set_index("sample", drop=False)


def get_fastqs(wildcards):
    return {fastqs}


def get_index(wildcards):
    return "ref/" + samples.loc[wildcards.sample, "condition"] + ".idx"


rule all:
    input:
        expand("counts/{{sample}}.tsv", sample=samples.index),


rule trim:
    input:
        get_fastqs,
    output:
        "trimmed/{{sample}}_1.fq",
        "trimmed/{{sample}}_2.fq",
    shell:
        "cp {{input[0]}} {{output[0]}}; cp {{input[1]}} {{output[1]}}"


rule align:
    input:
        reads=["trimmed/{{sample}}_1.fq", "trimmed/{{sample}}_2.fq"],
        idx=get_index,
    output:
        "aligned/{{sample}}.bam",
    shell:
        "cat {{input.reads}} > {{output}}"


rule sort:
    input:
        lambda w: "aligned/" + samples.loc[w.sample, "sample"] + ".bam",
    output:
        "sorted/{{sample}}.bam",
    shell:
        "cp {{input}} {{output}}"


rule count:
    input:
        lambda w: "sorted/" + samples.loc[w.sample, "sample"] + ".bam",
    output:
        "counts/{{sample}}.tsv",
    shell:
        "wc -c {{input}} > {{output}}"
'''

# How trim's input function reads the sheet: one cell at a time, or a row slice (a Series, as
# rna-seq-star-deseq2's get_fastqs does; pandas' own cost of that call is about 0.3 ms).
ACCESS = {
    "scalar": '[samples.loc[wildcards.sample, "fq1"], samples.loc[wildcards.sample, "fq2"]]',
    "series": 'samples.loc[wildcards.sample, ["fq1", "fq2"]]',
}


def generate(n, out, access):
    stamp = os.path.join(out, ".gen-stamp")
    if os.path.exists(stamp) and open(stamp).read() == f"{VERSION} {n} {access}":
        return
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "reads"))
    os.makedirs(os.path.join(out, "ref"))
    conditions = ["treated", "untreated"]
    with open(os.path.join(out, "samples.tsv"), "w") as f:
        f.write("sample\tcondition\tfq1\tfq2\n")
        for i in range(n):
            s = f"S{i:05d}"
            f.write(f"{s}\t{conditions[i % 2]}\treads/{s}_R1.fq\treads/{s}_R2.fq\n")
            for mate in ("R1", "R2"):
                open(os.path.join(out, "reads", f"{s}_{mate}.fq"), "w").close()
    for c in conditions:
        open(os.path.join(out, "ref", f"{c}.idx"), "w").close()
    with open(os.path.join(out, "Snakefile"), "w") as f:
        f.write(SNAKEFILE.format(fastqs=ACCESS[access]))
    with open(stamp, "w") as f:
        f.write(f"{VERSION} {n} {access}")


def run(cmd, cwd, env, timeout):
    """Wall time, peak RSS (MiB) and the planned job count of one dry run."""
    with tempfile.NamedTemporaryFile(prefix="bench-rss-", delete=False) as rss:
        pass
    full = [TIME_BIN, "-f", "%M", "-o", rss.name] + cmd if os.access(TIME_BIN, os.X_OK) else cmd
    for d in (".flow", ".snakemake"):
        shutil.rmtree(os.path.join(cwd, d), ignore_errors=True)
    t0 = time.perf_counter()
    p = subprocess.run(full, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    try:
        rss_mib = int(open(rss.name).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        rss_mib = float("nan")
    os.unlink(rss.name)
    totals = re.findall(r"^total\s+(\d+)\s*$", p.stdout + p.stderr, re.M)
    return dict(wall=wall, rss=rss_mib, rc=p.returncode, jobs=int(totals[-1]) if totals else None,
                tail=(p.stdout + p.stderr)[-800:])


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 1)[1])
    p.add_argument("--n", type=int, default=10000, help="samples (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--access", choices=sorted(ACCESS), default="scalar",
                   help="how trim's input function reads the sheet (default: %(default)s)")
    p.add_argument("--flow", default=os.path.join(ROOT, ".build", "release", "flow"))
    p.add_argument("--snakemake", default=os.path.join(ROOT, ".venv-snakemake-sheets", "bin", "snakemake"))
    p.add_argument("--no-snakemake", action="store_true")
    p.add_argument("--timeout", type=float, default=1800)
    args = p.parse_args(argv)

    out = os.path.join(ROOT, "bench", "work", f"sheets-{args.n}-{args.access}")
    generate(args.n, out, args.access)
    env = dict(os.environ)
    env.setdefault("FLOW_PYTHON", "/usr/bin/python3")
    expected = 4 * args.n + 1
    rows = []
    flow = os.path.abspath(args.flow)
    flow_runs = [run([flow, "run", "-n", "-q", "--cores", "2"], out, env, args.timeout) for _ in range(args.repeats)]
    # -q prints no job counts: one more (untimed) run without it counts the jobs flow plans.
    counted = run([flow, "run", "-n", "--cores", "2"], out, env, args.timeout)
    for r in flow_runs:
        r["jobs"] = counted["jobs"]
    rows.append(("flow", flow_runs))
    if not args.no_snakemake:
        # `--quiet rules` leaves out the job blocks but keeps the job counts.
        rows.append(("snakemake", [run([args.snakemake, "-n", "--quiet", "rules", "--cores", "2"], out, env, args.timeout)]))
    print(f"Dry run of {args.n} samples from a pandas sheet ({expected} jobs, access {args.access}), "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print("| tool | runs | wall (median) | walls | peak RSS | jobs planned |")
    print("|---|---|---|---|---|---|")
    status = 0
    for tool, runs in rows:
        ok = [r for r in runs if r["rc"] == 0]
        if not ok:
            print(f"| {tool} | {len(runs)} | failed | | | |\n{runs[0]['tail']}")
            status = 1
            continue
        walls = [r["wall"] for r in ok]
        jobs = {r["jobs"] for r in ok}
        print(f"| {tool} | {len(ok)} | {statistics.median(walls):.2f} s | {', '.join(f'{w:.2f}' for w in walls)} "
              f"| {max(r['rss'] for r in ok):.0f} MiB | {', '.join(map(str, jobs))} |")
        if jobs != {expected}:
            print(f"  {tool} planned {jobs}, expected {expected}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
