#!/usr/bin/env python3
"""Benchmark flow against Snakemake, GNU make and ninja on the synthetic shapes of bench/gen.py.

Phases (each tool on the same generated workflow, side by side in one run):
  dry    plan with nothing built:  flow run -n -q --cores 2 | snakemake -n -q --cores 2 | make -n -j2 | ninja -n
  build  from scratch:             flow run --cores 2      | snakemake --cores 2       | make -j2    | ninja -j2
  noop   the build command again with everything up to date. For N in --build-n each tool re-runs after its own
         build; for larger N this script writes the outputs itself, with mtimes in build order and a matching
         .ninja_log (checked with `ninja -n` and `make -q`), and every tool checks those ("outputs from bench
         driver": flow and Snakemake then have no metadata of their own, like "outputs from make" in performance.md).
  parse  shape `rules` only: flow run --list-rules | snakemake --list-rules (Snakefile evaluation cost)

Measured: wall time (perf_counter around spawn..wait4) and peak RSS (/usr/bin/time %M, else wait4 rusage) of the tool's own
process, median over --repeats runs (--build-repeats for builds). Output: a Markdown table with flow ÷ Snakemake
and flow ÷ best(make, ninja) (below 1 = flow faster), and a JSON file in bench/results/ (git-ignored).
A missing or failing flow binary shows as n/a, so the script works before flow can run workflows.

Examples:
  bench/run.py --quick                                # smoke test: N=100,1000, one repeat
  bench/run.py --snakemake                            # defaults, with Snakemake (slow: minutes per shape at 10k+)
  bench/run.py --shapes rules --plan-n 10000 --phases parse --snakemake    # 10,000-rule Snakefile, --list-rules
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = ("flow", "snakemake", "make", "ninja")
TIME_BIN = "/usr/bin/time"


def ints(text):
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 1)[1])
    p.add_argument("--flow", default=os.path.join(ROOT, ".build", "release", "flow"), help="flow binary (default: %(default)s)")
    p.add_argument("--snakemake", action="store_true", help="include Snakemake (off by default: it is slow)")
    p.add_argument("--snakemake-bin", default=os.path.join(ROOT, ".venv-snakemake", "bin", "snakemake"))
    p.add_argument("--snakemake-timeout", type=float, default=300, help="seconds per Snakemake command (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=590, help="seconds per command of the other tools (default: %(default)s)")
    p.add_argument("--tools", default=",".join(TOOLS), help="subset of %(default)s")
    p.add_argument("--shapes", default="fanout,chain,wide-gather", help="of: " + ", ".join(gen.SHAPES) + " (default: %(default)s)")
    p.add_argument("--phases", default="dry,noop,build", help="of: dry, noop, build, parse (default: %(default)s)")
    p.add_argument("--plan-n", type=ints, default=[1000, 10000, 100000], help="N for dry and noop (default: 1000,10000,100000)")
    p.add_argument("--build-n", type=ints, default=[1000, 10000], help="N for build (default: 1000,10000)")
    p.add_argument("--repeats", type=int, default=3, help="runs per dry/noop/parse measurement; median (default: %(default)s)")
    p.add_argument("--build-repeats", type=int, default=1, help="builds from scratch per tool (default: %(default)s)")
    p.add_argument("--quick", action="store_true", help="smoke test: --plan-n 100,1000 --build-n 100 --repeats 1")
    p.add_argument("--workdir", default=os.path.join(ROOT, "bench", "work"), help="generated workflows (default: %(default)s)")
    p.add_argument("--out", help="JSON report (default: bench/results/bench-<UTC time>.json)")
    a = p.parse_args(argv)
    if a.quick:
        a.plan_n, a.build_n, a.repeats = [100, 1000], [100], 1
    a.tools = [t for t in a.tools.split(",") if t]
    if not a.snakemake and "snakemake" in a.tools:
        a.tools.remove("snakemake")
    a.shapes = a.shapes.split(",")
    a.phases = a.phases.split(",")
    for s in a.shapes:
        if s not in gen.SHAPES:
            p.error(f"unknown shape {s}")
    return a


class Tools:
    """The command line of each tool for each phase, and whether the tool is there at all."""

    def __init__(self, a):
        self.a = a
        self.flow = os.path.abspath(a.flow)
        self.snakemake = a.snakemake_bin
        self.available = {
            "flow": os.access(self.flow, os.X_OK),
            "snakemake": os.access(self.snakemake, os.X_OK),
            "make": shutil.which("make") is not None,
            "ninja": shutil.which("ninja") is not None,
        }

    def command(self, tool, phase):
        build = {"flow": [self.flow, "run", "--cores", "2"], "snakemake": [self.snakemake, "--cores", "2"],
                 "make": ["make", "-j2"], "ninja": ["ninja", "-j2"]}
        if phase == "dry":
            return {"flow": [self.flow, "run", "-n", "-q", "--cores", "2"],
                    "snakemake": [self.snakemake, "-n", "-q", "--cores", "2"],
                    "make": ["make", "-n", "-j2"], "ninja": ["ninja", "-n"]}[tool]
        if phase in ("build", "noop"):
            return build[tool]
        if phase == "parse":
            return {"flow": [self.flow, "run", "--list-rules"], "snakemake": [self.snakemake, "--list-rules"]}.get(tool)
        raise ValueError(phase)

    def timeout(self, tool):
        return self.a.snakemake_timeout if tool == "snakemake" else self.a.timeout

    def version(self, tool):
        if not self.available[tool]:
            return None
        cmd = {"flow": [self.flow, "--version"], "snakemake": [self.snakemake, "--version"],
               "make": ["make", "--version"], "ninja": ["ninja", "--version"]}[tool]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            return (out.stdout or out.stderr).strip().splitlines()[0] if out.returncode == 0 else None
        except (OSError, subprocess.SubprocessError, IndexError):
            return None


def measure(cmd, cwd, timeout):
    """Runs cmd once. Returns dict(wall=s, rss_mib=..., rc=..., timeout=bool, err=tail of stderr).

    Peak RSS comes from /usr/bin/time (%M) when it is there: a child of this Python process reports at least
    Python's own resident set as its ru_maxrss (under gVisor even with posix_spawn), so the tool runs as a child of
    the small `time` process instead. Without /usr/bin/time, wait4's value is kept (an upper bound).
    """
    rss_file = None
    if os.access(TIME_BIN, os.X_OK):
        rss_file = tempfile.NamedTemporaryFile(prefix="bench-rss-", delete=False)
        rss_file.close()
        cmd = [TIME_BIN, "-f", "%M", "-o", rss_file.name] + list(cmd)
    exe = shutil.which(cmd[0]) or cmd[0]
    with tempfile.TemporaryFile() as err:
        devnull = os.open(os.devnull, os.O_RDWR)
        actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
                   (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        old_cwd = os.getcwd()
        os.chdir(cwd)  # posix_spawn has no cwd argument; the child inherits ours
        try:
            t0 = time.perf_counter()
            pid = os.posix_spawn(exe, cmd, os.environ, file_actions=actions, setsid=True)
        finally:
            os.chdir(old_cwd)
            os.close(devnull)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        rc = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-600:].decode(errors="replace")
    rss_kib = usage.ru_maxrss
    if rss_file:
        try:
            with open(rss_file.name) as f:
                rss_kib = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rss_file.name)
    return dict(wall=wall, rss_mib=rss_kib / 1024.0, rc=rc, timeout=timed_out.is_set(),
                err=tail if rc != 0 else "")


def clean(info):
    """Removes everything a build made (outputs and every tool's state), keeping empty output folders."""
    d = info["dir"]
    for o in info["outputs"] + [".snakemake", ".flow", ".ninja_log", ".ninja_deps"]:
        path = os.path.join(d, o)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
    gen.generate(info["shape"], info["n"], d)  # re-creates the output folders


class Bench:
    def __init__(self, a):
        self.a = a
        self.tools = Tools(a)
        self.records = []

    def run(self, info, phase, tool, repeats, note=None, before_each=None):
        """Measures one tool in one phase; appends and returns the record."""
        cmd = self.tools.command(tool, phase)
        rec = dict(shape=info["shape"], n=info["n"], jobs=info["jobs"], phase=phase, tool=tool,
                   cmd=" ".join(cmd) if cmd else None, runs=[], note=note)
        if cmd is None:
            rec["status"] = "n/a"
        elif not self.tools.available[tool]:
            rec["status"] = "missing"
        else:
            for _ in range(repeats):
                if before_each:
                    before_each()
                r = measure(cmd, info["dir"], self.tools.timeout(tool))
                rec["runs"].append(r)
                if r["rc"] != 0:
                    break
            last = rec["runs"][-1]
            rec["status"] = "timeout" if last["timeout"] else ("failed" if last["rc"] != 0 else "ok")
            if rec["status"] == "ok":
                rec["wall"] = statistics.median(r["wall"] for r in rec["runs"])
                rec["rss_mib"] = statistics.median(r["rss_mib"] for r in rec["runs"])
                if phase == "build":
                    rec["jobs_per_s"] = info["jobs"] / rec["wall"] if rec["wall"] > 0 else None
        self.records.append(rec)
        shown = f"{rec['wall']:.3f} s, {rec['rss_mib']:.0f} MiB" if rec["status"] == "ok" else rec["status"]
        print(f"  {info['shape']:<11} N={info['n']:<7} {phase:<5} {tool:<9} {shown}", file=sys.stderr, flush=True)
        return rec

    def shape(self, shape, n):
        a = self.a
        t = time.perf_counter()
        info = gen.generate(shape, n, os.path.join(a.workdir, f"{shape}-{n}"))
        print(f"{shape} N={n}: workflow in {info['dir']} ({time.perf_counter() - t:.1f} s to generate)", file=sys.stderr)
        if shape == "rules":
            if "parse" in a.phases:
                for tool in a.tools:
                    self.run(info, "parse", tool, a.repeats)
            return
        if "dry" in a.phases and n in a.plan_n:
            clean(info)
            for tool in a.tools:
                self.run(info, "dry", tool, a.repeats)
        if n in a.build_n and ("build" in a.phases or "noop" in a.phases):
            for tool in a.tools:
                clean(info)
                if "build" in a.phases:
                    rec = self.run(info, "build", tool, a.build_repeats, before_each=lambda: clean(info))
                    built = rec["status"] == "ok"
                else:
                    built = self.tools.available[tool] and measure(
                        self.tools.command(tool, "build"), info["dir"], self.tools.timeout(tool))["rc"] == 0
                if "noop" in a.phases:
                    if built:
                        self.run(info, "noop", tool, a.repeats, note="after its own build")
                    else:
                        self.records.append(dict(shape=shape, n=n, jobs=info["jobs"], phase="noop", tool=tool,
                                                 runs=[], status="n/a", note="its build did not finish"))
        elif "noop" in a.phases and n in a.plan_n:
            clean(info)
            builder = prepare_outputs(info, self.tools, a.timeout)
            if builder is None:
                return
            # make and ninja first: if flow or Snakemake rebuilt anything, the others would see a changed tree.
            for tool in sorted(a.tools, key=lambda t: t not in ("ninja", "make")):
                self.run(info, "noop", tool, a.repeats, note=f"outputs from {builder}")


def murmur64a(data, seed=0xDECAFBADDECAFBAD):
    """ninja's command hash (MurmurHash64A, as in build_log.cc), for writing a .ninja_log ourselves."""
    m, r, mask = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1
    h = (seed ^ (len(data) * m)) & mask
    n8 = len(data) // 8 * 8
    for i in range(0, n8, 8):
        k = (int.from_bytes(data[i:i + 8], "little") * m) & mask
        k = ((k ^ (k >> r)) * m) & mask
        h = ((h ^ k) * m) & mask
    tail = data[n8:]
    if tail:
        for i, b in enumerate(tail):
            h ^= b << (8 * i)
        h = (h * m) & mask
    h = ((h ^ (h >> r)) * m) & mask
    return h ^ (h >> r)


def edges(info):
    """(output, input, command) of every job of a generated shape, in build order."""
    names = gen.samples(info["n"] if info["shape"] != "chain" else max(1, info["n"] // 4))
    if info["shape"] == "fanout":
        return [(f"out/{s}.txt", f"in/{s}.txt", f"cp in/{s}.txt out/{s}.txt") for s in names]
    if info["shape"] == "chain":
        steps = ["in", "a", "b", "c", "d"]
        return [(f"{b}/{s}.txt", f"{a}/{s}.txt", f"cp {a}/{s}.txt {b}/{s}.txt")
                for a, b in zip(steps, steps[1:]) for s in names]
    if info["shape"] == "wide-gather":
        return [("gathered.txt", None, "touch gathered.txt")]
    raise ValueError(info["shape"])


def prepare_outputs(info, tools, timeout):
    """Makes every output up to date for the no-op phase without running N jobs: the driver writes the outputs
    (inputs dated 100 s ago, each step 10 s later than the one before) and a matching .ninja_log, then
    `ninja -t restat` records the real mtimes. Checked with `ninja -n` (nothing to do) and `make -q`; if
    either disagrees, falls back to a real build by ninja or make. Returns what made the outputs, or None."""
    d = info["dir"]
    now = time.time()
    es = edges(info)
    for path in {e[1] for e in es if e[1] and e[1].startswith("in/")} | ({f"in/{s}.txt" for s in gen.samples(info["n"])}
                                              if info["shape"] == "wide-gather" else set()):
        os.utime(os.path.join(d, path), (now - 100, now - 100))
    depth = {}
    log = ["# ninja log v5"]
    for out, inp, cmd in es:
        depth[out] = depth.get(inp, 0) + 1
        src = os.path.join(d, inp) if inp else None
        with open(os.path.join(d, out), "wb") as f:
            if src:
                with open(src, "rb") as g:
                    f.write(g.read())
        t = now - 100 + 10 * depth[out]
        os.utime(os.path.join(d, out), (t, t))
        log.append(f"0	1	0	{out}	{murmur64a(cmd.encode()):x}")
    ok = True
    if tools.available["ninja"]:
        with open(os.path.join(d, ".ninja_log"), "w") as f:
            f.write("\n".join(log) + "\n")
        r = subprocess.run(["ninja", "-t", "restat"], cwd=d, capture_output=True)
        n = subprocess.run(["ninja", "-n"], cwd=d, capture_output=True, text=True)
        ok = r.returncode == 0 and "no work to do" in n.stdout
    if ok and tools.available["make"]:
        ok = subprocess.run(["make", "-q"], cwd=d, capture_output=True).returncode == 0
    if ok:
        return "bench driver"
    print("  the driver's outputs did not satisfy ninja/make; building them for real", file=sys.stderr)
    clean(info)
    builder = "ninja" if tools.available["ninja"] else "make"
    r = measure(tools.command(builder, "build"), d, timeout)
    if r["rc"] != 0:
        print(f"  {builder} could not build the outputs for no-op: {r['err'] or 'timeout'}", file=sys.stderr)
        return None
    return builder


def fmt_time(s):
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def cell(rec):
    if rec is None:
        return "–"
    if rec["status"] != "ok":
        return "timeout" if rec["status"] == "timeout" else "n/a"  # missing, failed, not applicable (see JSON)
    text = f"{fmt_time(rec['wall'])}, {rec['rss_mib']:.0f} MiB"
    if rec["phase"] == "build" and rec["shape"] != "wide-gather" and rec.get("jobs_per_s"):
        text += f", {rec['jobs_per_s']:.0f} j/s"
    return text


def ratio(num, den):
    if not num or not den or num["status"] != "ok" or den["status"] != "ok" or den["wall"] <= 0:
        return "n/a"
    return f"{num['wall'] / den['wall']:.2f}×"


def table(records, tools):
    rows = {}
    for r in records:
        rows.setdefault((r["shape"], r["n"], r["phase"]), {})[r["tool"]] = r
    order = {"parse": 0, "dry": 1, "noop": 2, "build": 3}
    head = ["shape", "N", "phase"] + list(tools) + ["flow ÷ snakemake", "flow ÷ best(make,ninja)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key in sorted(rows, key=lambda k: (k[0], k[1], order.get(k[2], 9))):
        by = rows[key]
        best = [by[t] for t in ("make", "ninja") if t in by and by[t]["status"] == "ok"]
        best = min(best, key=lambda r: r["wall"]) if best else None
        cells = [key[0], f"{key[1]:,}", key[2]] + [cell(by.get(t)) for t in tools]
        cells += [ratio(by.get("flow"), by.get("snakemake")), ratio(by.get("flow"), best)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    bench = Bench(a)
    if not bench.tools.available["flow"] and "flow" in a.tools:
        print(f"note: no flow binary at {a.flow}; its column shows n/a", file=sys.stderr)
    started = datetime.datetime.now(datetime.timezone.utc)
    for shape in a.shapes:
        sizes = sorted(set(a.plan_n) | (set(a.build_n) if "build" in a.phases else set()))
        for n in sizes:
            bench.shape(shape, n)
    md = table(bench.records, a.tools)
    print(md)
    meta = dict(started=started.isoformat(timespec="seconds"), host=platform.node(), cpus=os.cpu_count(),
                python=platform.python_version(), args=vars(a),
                versions={t: bench.tools.version(t) for t in a.tools})
    out = a.out or os.path.join(ROOT, "bench", "results", f"bench-{started.strftime('%Y%m%dT%H%M%SZ')}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(dict(meta=meta, results=bench.records, table=md), f, indent=1)
    print(f"\nJSON report: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
