#!/usr/bin/env bash
# `kubectl coder status -A` on a big cluster: wall time and peak RSS beside `kubectl get pods
# -A` on the same pods, in the same run, against the kubesim simulator (127.0.0.1 only)
# serving 15,000 ordinary application pods across 300 namespaces (sim/src/fixtures/apps.rs,
# about 3 KB of JSON each), plus Coder deployments: the scenario's Coder v1 in `coder` and
# PAGES_CODER Coder v2 releases in `coder-000` ... (sim/src/fixtures/fleet.rs; each with a
# provisioner and a workspace pod, which are not deployments).
# Targets (issue 20): `status -A` is no slower than `kubectl get pods -A` and peaks at most
# 64 MiB. One command from a fresh checkout:
#
#   scripts/bench/inventory.sh
#
# Knobs: PAGES_PODS=15000, PAGES_NAMESPACES=300, PAGES_CODER=10, PAGES_RUNS=3 (the median wall
# time and the largest RSS are reported), BENCH_STRICT=1 (exit 1 when a target is missed).
# kubectl is /usr/lib/google-cloud-sdk/bin/kubectl.1.32 itself (not the dispatcher), with a
# private cache dir warmed by one unmeasured run.
set -euo pipefail

top="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$top"
pods="${PAGES_PODS:-15000}"
spread="${PAGES_NAMESPACES:-300}"
coders="${PAGES_CODER:-10}"
runs="${PAGES_RUNS:-3}"
kubectl=/usr/lib/google-cloud-sdk/bin/kubectl.1.32

say() { printf '==> %s\n' "$*" >&2; }
[ -x "$kubectl" ] || { echo "inventory.sh: $kubectl is missing" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
  say "installing Debian's time package"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
say "building: cargo build --release -p kubectl-coder -p kubesim"
cargo build --release -q -p kubectl-coder -p kubesim
bin="$top/target/release/kubectl-coder"
sim_bin="$top/target/release/kubesim"

work="$(mktemp -d)"
sim_pid=""
stop_sim() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    sim_pid=""
  fi
}
trap 'stop_sim; rm -rf "$work"' EXIT

say "simulator: $pods application pods across $spread namespaces, 1 + $coders Coder deployments"
"$sim_bin" --scenario v1 --kubeconfig "$work/kubeconfig" --namespace coder \
  --app-pods "$pods" --app-namespaces "$spread" --coder-namespaces "$coders" \
  --request-log "$work/requests.jsonl" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 300); do grep -q READY "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$work/sim.out" || { cat "$work/sim.err" >&2; echo "the simulator did not start" >&2; exit 1; }

# CPU seconds (user + system) the simulator has used so far, from /proc/<pid>/stat.
sim_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$sim_pid/stat"
}

# Runs "$@" $runs times under /usr/bin/time; prints "<max rss KiB> <median wall s> <exit>
# <requests> <median CPU s of the command> <the simulator's CPU s per run>".
measure() {
  local rss_all="" walls="" cpus="" code=0 before after sim_before sim_after
  before=$(wc -l <"$work/requests.jsonl")
  sim_before=$(sim_cpu)
  for _ in $(seq "$runs"); do
    set +e
    KUBECONFIG="$work/kubeconfig" KUBECACHEDIR="$work/cache" \
      /usr/bin/time -v -o "$work/time" "$@" </dev/null >"$work/stdout" 2>"$work/stderr"
    code=$?
    set -e
    rss_all="$rss_all $(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")"
    walls="$walls $(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time" |
      awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')"
    cpus="$cpus $(awk -F': ' '/(User|System) time \(seconds\)/ { t += $2 } END { print t }' "$work/time")"
  done
  sleep 0.2 # the simulator logs a request after answering it
  after=$(wc -l <"$work/requests.jsonl")
  sim_after=$(sim_cpu)
  median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
  echo "$(printf '%s\n' $rss_all | sort -n | tail -n1)" "$(median $walls)" \
    "$code" "$(( (after - before) / runs ))" "$(median $cpus)" \
    "$(awk -v a="$sim_before" -v b="$sim_after" -v n="$runs" 'BEGIN { printf "%.2f", (b - a) / n }')"
}

row() { # id, name, command...
  local id="$1" name="$2"; shift 2
  read -r rss wall code requests cpu sim < <(measure "$@")
  printf '| %s | %s s | %s s | %s s | %s MiB | %s | %s | %s |\n' "$name" "$wall" "$cpu" "$sim" \
    "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$code" "$requests" \
    "$(($(wc -l <"$work/stdout") - 1))"
  echo "$id $wall $rss $(($(wc -l <"$work/stdout") - 1)) $code" >>"$work/figures"
}

verdict=PASS
check() { # name, what, ok (0/1)
  local result=PASS
  [ "$3" = 1 ] || { result=MISS; verdict=MISS; }
  printf '| %s | %s | %s |\n' "$1" "$2" "$result"
}
fig() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$work/figures"; }

echo "Run: $(date -u '+%a %b %d %H:%M UTC %Y'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "RUST_BACKTRACE=${RUST_BACKTRACE-<unset>}, $pods application pods in $spread namespaces," \
  "$((coders + 1)) Coder deployments, $runs runs each (median wall, largest RSS)"
echo
echo "| command | wall | its CPU | simulator CPU | peak RSS | exit | API requests | rows |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
KUBECONFIG="$work/kubeconfig" KUBECACHEDIR="$work/cache" "$kubectl" get pods -A >/dev/null # warm the cache
row get_all "\`kubectl get pods -A\`" "$kubectl" get pods -A
row status_all "\`kubectl-coder status -A\`" "$bin" status -A
# kubectl paces its requests with client-go's client-side rate limiter (QPS 5, burst 10:
# k8s.io/client-go/rest/config.go); -v=4 logs each wait. One more run to count them.
KUBECONFIG="$work/kubeconfig" KUBECACHEDIR="$work/cache" "$kubectl" get pods -A -v=4 \
  >/dev/null 2>"$work/throttle" || true
echo
awk '/client-side throttling/ { n++; match($0, /Waited for [0-9.]+m?s/); w = substr($0, RSTART + 11, RLENGTH - 11);
  if (w ~ /ms$/) t += w / 1000; else t += w }
  END { printf "kubectl -v=4: %d waits for client-side throttling, %.2f s in all\n", n, t }' "$work/throttle"
stop_sim

echo
echo "| target | measured | result |"
echo "|---|---:|---|"
rss=$(fig status_all 3)
check "status -A peak RSS ≤ 64 MiB" "$(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')" \
  "$(awk -v k="$rss" 'BEGIN { print (k <= 64 * 1024) }')"
plugin=$(fig status_all 2)
kubectl_wall=$(fig get_all 2)
check "status -A no slower than \`kubectl get pods -A\`" "$plugin s vs $kubectl_wall s" \
  "$(awk -v p="$plugin" -v k="$kubectl_wall" 'BEGIN { print (p <= k) }')"
# Every deployment, and only those: one row each, and a clean exit.
check "status -A lists the $((coders + 1)) deployments" "$(fig status_all 4) rows, exit $(fig status_all 5)" \
  "$(awk -v r="$(fig status_all 4)" -v c="$(fig status_all 5)" -v n="$((coders + 1))" 'BEGIN { print (r == n && c == 0) }')"
[ "$verdict" = PASS ] || [ "${BENCH_STRICT:-0}" != 1 ] || exit 1
