#!/usr/bin/env python3
"""Summarise a scripts/bench.sh run: medians, ratios, RSS, sizes, requests, PASS/MISS.

usage: report.py RESULTS_DIR   (prints Markdown on stdout)
"""
import json
import os
import sys

out = sys.argv[1]
facts = {}
with open(os.path.join(out, "facts.txt")) as f:
    for line in f:
        k, _, v = line.rstrip("\n").partition("=")
        facts[k] = v
delays = facts["delays"].split()


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["command"]: r for r in json.load(f)["results"]}


runs = {d: load(f"hyperfine-d{d}.json") for d in delays}
errors = load("hyperfine-errors.json")
proxy = load("hyperfine-rtt.json")


def med(d, cmd):
    r = runs[d].get(cmd)
    return None if r is None else r["median"] * 1000


def ms(x):
    return "-" if x is None else f"{x:.1f} ms"


def mib(b):
    return f"{b / 1048576:.1f} MiB"


print(f"Run: {facts['date']} — {facts['nproc']} cores, {facts['cpu']}, {facts['mem_total']}, "
      f"{facts['kernel']}; load {facts['loadavg_start']} → {facts.get('loadavg_end', '?')}")
print(f"RUST_BACKTRACE={facts['rust_backtrace']} (inherited, not changed by the benchmark)")
print(f"{facts['plugin_version']}; kubectl: {facts['kubectl_dispatcher']} → kubectl.1.32 "
      f"(simulator reports v1.32.4); {facts['hyperfine']}; {facts['rustc']}")
print()

rows = [
    ("reset", "`kubectl-coder reset-admin-password --yes` (binary)"),
    ("reset_via_kubectl", "`kubectl coder reset-admin-password --yes` (plugin lookup)"),
    ("manual", "manual procedure: `kubectl get pods \\| grep \\| awk \\| head` + `kubectl exec`"),
    ("status", "`kubectl coder status`"),
    ("status_direct", "`kubectl-coder status` (binary)"),
    ("help", "`kubectl-coder --help`"),
    ("kubectl_version", "`kubectl version --client`"),
]
print("Wall time: median of hyperfine runs (min / runs in brackets):")
print()
print("| command | " + " | ".join(f"{d} ms delay" for d in delays) + " |")
print("|---|" + "---:|" * len(delays))
for cmd, label in rows:
    cells = []
    for d in delays:
        r = runs[d].get(cmd)
        cells.append("-" if r is None else
                     f"{r['median'] * 1000:.1f} ms ({r['min'] * 1000:.1f} / {len(r['times'])})")
    print(f"| {label} | " + " | ".join(cells) + " |")
print()

ratios = {}
for d in delays:
    a, b = med(d, "reset"), med(d, "manual")
    if a is not None and b:
        ratios[d] = a / b
        via = med(d, "reset_via_kubectl") / b
        best = runs[d]["reset"]["min"] / runs[d]["manual"]["min"]
        print(f"- ratio at {d} ms: plugin binary / manual = {a:.1f} / {b:.1f} = **{a / b:.3f}x**"
              f" (through `kubectl coder`: {via:.3f}x; ratio of the minimums: {best:.3f}x)")
if errors:
    e = {k: v["median"] * 1000 for k, v in errors.items()}
    print(f"- error path (`-n nope`, exit 3): {e['error_as_set']:.1f} ms as set, "
          f"{e['error_backtrace_0']:.1f} ms with RUST_BACKTRACE=0, "
          f"{e['error_backtrace_1']:.1f} ms with RUST_BACKTRACE=1")

rss = {k: int(v) for k, v in facts.items() if k.startswith("rss_")}
reset_rss = max(v for k, v in rss.items() if k.endswith("_reset"))
for d in delays:
    print(f"- peak RSS at {d} ms (max of 5 runs, /usr/bin/time -v): plugin reset "
          f"{rss[f'rss_d{d}_reset'] / 1024:.1f} MiB; through kubectl "
          f"{rss[f'rss_d{d}_reset_via_kubectl'] / 1024:.1f} MiB (kubectl's own process); "
          f"manual procedure {rss[f'rss_d{d}_manual'] / 1024:.1f} MiB (its largest process)")
if "rss_error" in facts:
    print(f"- peak RSS of an error exit (`-n nope`, exit 3, RUST_BACKTRACE={facts['rust_backtrace']}): "
          f"{int(facts['rss_error']) / 1024:.1f} MiB")
bin_size = int(facts["bin_size"])
kubectl_size = int(facts["kubectl_size"]) if "kubectl_size" in facts else None
print(f"- release binary: {mib(bin_size)} ({bin_size} bytes); "
      + (f"kubectl.1.32: {mib(kubectl_size)} ({kubectl_size} bytes)" if kubectl_size
         else "kubectl.1.32 not found"))
d0 = delays[0]
req = {k[len(f"requests_d{d0}_"):]: int(v) for k, v in facts.items()
       if k.startswith(f"requests_d{d0}_")}
print(f"- API requests per command (simulator log): plugin reset {req['reset']}, "
      f"`kubectl coder reset` {req['reset_via_kubectl']}, `kubectl coder status` {req['status']}, "
      f"manual procedure {req['manual']} (warm kubectl cache; {req['manual_cold']} on the first "
      f"run with a cold discovery cache)")
conn = {k[len(f"connections_d{d0}_"):]: v for k, v in facts.items()
        if k.startswith(f"connections_d{d0}_")}
if conn:
    print(f"- TCP+TLS connections per command (strace): plugin reset {conn.get('reset', '?')}, "
          f"manual procedure {conn.get('manual', '?')} (the simulator delays requests, not "
          f"connection set-up, so a real remote cluster adds about 2 round trips per connection)")
if proxy:
    p = {k: v["median"] * 1000 for k, v in proxy.items()}
    pm = {k: v["min"] * 1000 for k, v in proxy.items()}
    print(f"- extra (not a target), {facts['proxy_rtt']} ms round trip on every packet "
          f"including TCP/TLS set-up (latency proxy): plugin reset {p['reset']:.1f} ms, "
          f"`kubectl coder` reset {p['reset_via_kubectl']:.1f} ms, manual {p['manual']:.1f} ms, "
          f"`kubectl-coder status` {p['status_direct']:.1f} ms; ratio **{p['reset'] / p['manual']:.3f}x**"
          f" (of the minimums: {pm['reset'] / pm['manual']:.3f}x)")
reset_reqs = max(int(v) for k, v in facts.items()
                 if k.startswith("requests_") and k.endswith("_reset"))
print()

targets = []


def target(name, value, limit, shown, ok=None):
    ok = (value is not None and value <= limit) if ok is None else ok
    targets.append((name, shown, "PASS" if ok else "MISS"))


if "0" in ratios:
    target("reset ≤ 0.1x manual, 0 ms delay", ratios["0"], 0.10, f"{ratios['0']:.3f}x")
if "20" in ratios:
    target("reset ≤ 0.25x manual, 20 ms delay", ratios["20"], 0.25, f"{ratios['20']:.3f}x")
target("≤ 2 API requests per reset", reset_reqs, 2, str(reset_reqs))
target("peak RSS ≤ 15 MiB (reset)", reset_rss, 15 * 1024, f"{reset_rss / 1024:.1f} MiB")
target("release binary ≤ 10 MiB", bin_size, 10 * 1048576, mib(bin_size))
helps = [med(d, "help") for d in delays if med(d, "help") is not None]
worst_help = max(helps) if helps else None
target("`--help` ≤ 5 ms (worst median)", worst_help, 5.0, ms(worst_help))
print("| target | measured | result |")
print("|---|---:|---|")
for name, shown, res in targets:
    print(f"| {name} | {shown} | {res} |")
missed = sum(1 for t in targets if t[2] == "MISS")
print()
print(f"{len(targets) - missed}/{len(targets)} targets met.")
