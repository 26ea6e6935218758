#!/usr/bin/env bash
# bench/picas_submit.sh [N] [M]: PiCaS submission and polling cost, flow against the picas profile's method,
# both against scripts/testservers/couchdb_server.py (basic auth, no latency knob, one machine).
#   flow:  `flow run --profile profiles/picas --jobs N` for N trivial jobs (default 10,000) with no worker: the
#          server's request counts (from /_flow/stats, sampled every 20 ms) up to the first status round, the time
#          from flow's first request to its last _bulk_docs (submission; ±20 ms), and the requests of one polling round (the
#          difference between the first and the second round).
#   picas profile (executors.md §3.6), simulated on M tokens (default 100; its cost grows as M²): per job a new
#          process (as cluster-generic runs picas-submit.py) that GETs token_0, token_1, ... until the first 404,
#          then sends the token alone in one _bulk_docs; per status check a new process with HEAD /db + GET
#          token_<i>. Counts are measured on M and extrapolated to N (n(n+1)/2 + n submit requests, 2n per round);
#          times are M's measured per-job cost times N (the GET chain grows, so this underestimates).
# Prints a small Markdown table. flow is FLOW_BIN, else .build/release/flow, else .build/debug/flow (named).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLOW_BIN="${FLOW_BIN:-$ROOT/.build/release/flow}"
[[ -x "$FLOW_BIN" ]] || FLOW_BIN="$ROOT/.build/debug/flow"
case "$FLOW_BIN" in *release*) BUILD=release ;; *debug*) BUILD=debug ;; *) BUILD="$FLOW_BIN" ;; esac
N="${1:-10000}"
M="${2:-100}"
tmp="$(mktemp -d)"
source "$ROOT/Tests/integration/lib/picas.bash"
trap 'kill "$COUCH_PID" 2>/dev/null || true; rm -rf "$tmp"' EXIT
couch_start "$tmp/couch" --seed 1
create_db bench
create_db profile
mkdir -p "$tmp/work"
cat > "$tmp/work/Snakefile" <<SNAKE
rule all:
    input: expand("out/{i}.txt", i=range($N))
rule one:
    output: "out/{i}.txt"
    shell: "echo {wildcards.i} > {output}"
SNAKE

python3 - "$FLOW_BIN" "$ROOT" "$COUCH_URL" "$tmp/work" "$N" "$M" "$BUILD" <<'PY'
import base64, json, os, signal, subprocess, sys, time, urllib.request
flow, root, url, work, n, m, build = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]

def stats():   # requests by kind, without the bench's own /_flow/stats calls
    with urllib.request.urlopen(url + "/_flow/stats") as r:
        return {k: v for k, v in json.load(r)["requests"].items() if not k.endswith(" control")}
def total(reqs): return sum(reqs.values())

# ---- flow
before = stats()
start = time.time()
proc = subprocess.Popen([flow, "run", "--profile", root + "/profiles/picas", "--picas-url", url, "--picas-database", "bench",
                         "--jobs", str(n), "--seconds-between-status-checks", "3"], cwd=work,
                        stdout=open(work + "/run.log", "w"), stderr=subprocess.STDOUT)
first_req = first_round = last_bulk = None
bulks = 0
bulk_times = []
at_round1 = at_round2 = None
while proc.poll() is None and time.time() - start < 600:
    s = stats()
    now = time.time()
    if first_req is None and total(s) > total(before): first_req = now
    if s.get("POST _bulk_docs", 0) > bulks and at_round1 is None: bulks, last_bulk = s.get("POST _bulk_docs", 0), now; bulk_times.append(now)
    rounds = s.get("POST _all_docs", 0) - before.get("POST _all_docs", 0)
    if rounds >= 1 and at_round1 is None: at_round1, first_round = s, now
    if rounds >= 2:
        at_round2 = s
        break
    time.sleep(0.02)
proc.send_signal(signal.SIGINT)   # flow deletes the todo tokens on Ctrl-C: not measured
try: proc.wait(60)
except subprocess.TimeoutExpired: proc.kill()
if at_round1 is None or at_round2 is None:
    sys.exit("flow did not reach two status rounds; see " + work + "/run.log:\n" + open(work + "/run.log").read()[-2000:])
sub = {k: v - before.get(k, 0) for k, v in at_round1.items() if v - before.get(k, 0) > 0}
sub["POST _all_docs"] -= 1   # the round itself
sub = {k: v for k, v in sub.items() if v}
round_reqs = {k: v - at_round1.get(k, 0) for k, v in at_round2.items() if v - at_round1.get(k, 0) > 0}
flow_submit_requests = sum(sub.values())
flow_submit_time = last_bulk - first_req
flow_start_to_sent = last_bulk - start

# ---- the picas profile's method, simulated on m tokens
auth = "Basic " + base64.b64encode(("%s:%s" % (os.environ["PICAS_USER"], os.environ["PICAS_PASSWORD"])).encode()).decode()
submit_child = r'''
import http.client, json, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1]); auth = sys.argv[2]
c = http.client.HTTPConnection(u.hostname, u.port)
i = 0
while True:   # getNextIntCDB: the first free token_<i>
    c.request("GET", "/profile/token_%d" % i, headers={"Authorization": auth}); r = c.getresponse(); r.read()
    if r.status == 404: break
    i += 1
doc = {"_id": "token_%d" % i, "type": "token", "lock": 0, "done": 0, "hostname": "", "scrub_count": 0,
       "input": "echo %d\n" % i, "exit_code": "", "output": {}, "uploads": {}, "error": []}
c.request("POST", "/profile/_bulk_docs", body=json.dumps({"docs": [doc]}), headers={"Authorization": auth, "Content-Type": "application/json"})
c.getresponse().read()
print(i)
'''
status_child = r'''
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1]); auth = sys.argv[2]
c = http.client.HTTPConnection(u.hostname, u.port)
c.request("HEAD", "/profile", headers={"Authorization": auth}); c.getresponse().read()
c.request("GET", "/profile/token_" + sys.argv[3], headers={"Authorization": auth}); c.getresponse().read()
'''
s0 = stats(); t0 = time.time()
for _ in range(m): subprocess.run([sys.executable, "-c", submit_child, url, auth], check=True, stdout=subprocess.DEVNULL)
t1 = time.time(); s1 = stats()
for i in range(m): subprocess.run([sys.executable, "-c", status_child, url, auth, str(i)], check=True)
t2 = time.time(); s2 = stats()
p_submit_reqs, p_round_reqs = total(s1) - total(s0), total(s2) - total(s1)
p_submit_time, p_round_time = t1 - t0, t2 - t1
ext_submit_reqs = n * (n + 1) // 2 + n
ext_round_reqs = 2 * n

def fmt(d): return ", ".join("%s %d" % kv for kv in sorted(d.items()))
print("PiCaS: %d tokens, CouchDB test server on 127.0.0.1, flow %s build, load average %s" % (n, build, open("/proc/loadavg").read().split()[0]))
print()
print("| | flow (measured, N = %d) | picas profile (measured, M = %d) | picas profile (extrapolated to N = %d) |" % (n, m, n))
print("|---|---|---|---|")
print("| submit: requests | %d (%s) | %d | %s (n(n+1)/2 + n) |" % (flow_submit_requests, fmt(sub), p_submit_reqs, format(ext_submit_reqs, ",")))
print("| submit: time | %.2f s from flow's first request (%.2f s from its start, planning included) | %.1f s | ≥ %.0f s (%.0f ms per job, growing with n) |"
      % (flow_submit_time, flow_start_to_sent, p_submit_time, p_submit_time / m * n, 1000 * p_submit_time / m))
print("| submit: between _bulk_docs | %s s apart (flow prepares the next 2,000 jobs: job script, state, report) | | |"
      % " / ".join("%.2f" % (b - a) for a, b in zip(bulk_times, bulk_times[1:])))
print("| one polling round: requests | %d (%s) | %d (one process each) | %s |" % (sum(round_reqs.values()), fmt(round_reqs), p_round_reqs, format(ext_round_reqs, ",")))
print("| one polling round: time | one request | %.1f s | %.0f s |" % (p_round_time, p_round_time / m * n))
PY
