#!/usr/bin/env bash
# A reset with a slow exec credential plugin (one that takes 300 ms, as `aws eks get-token`
# or an SSO helper does): kubectl-coder reset-admin-password against the docs' kubectl
# procedure (`kubectl get pods | grep | head` + `kubectl exec`), both on the same kubeconfig,
# against the kubesim simulator on 127.0.0.1. Each kubectl process runs the plugin once; the
# plugin must run once per reset. One command from a fresh checkout:
#
#   scripts/bench-credential-plugin.sh
#
# It builds the release binaries, installs hyperfine with apt-get if missing, and prints a
# table: median wall time (min / runs) and plugin runs per command. PLUGIN_DELAY=0.3 (seconds),
# BENCH_RUNS=10; BENCH_STRICT=1 exits 1 when the plugin runs more than once per reset.
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
delay="${PLUGIN_DELAY:-0.3}"
runs="${BENCH_RUNS:-10}"

say() { printf '==> %s\n' "$*" >&2; }
if ! command -v hyperfine >/dev/null; then
  say "installing hyperfine"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
fi
say "building: cargo build --release -p kubectl-coder -p kubesim"
cargo build --release -q -p kubectl-coder -p kubesim
bin="$top/target/release/kubectl-coder"

work="$(mktemp -d)"
sim_pid=""
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"' EXIT
"$top/target/release/kubesim" --scenario v1 --kubeconfig "$work/sim.kubeconfig" --namespace coder \
  >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$work/sim.out" || { cat "$work/sim.err" >&2; exit 1; }

# The plugin: counts its runs, waits, prints the simulator's token.
cat >"$work/plugin.sh" <<EOF
#!/bin/sh
echo run >> "$work/runs"
sleep $delay
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"admin-token"}}\n'
EOF
chmod +x "$work/plugin.sh"
sed "s|^    token: .*|    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: $work/plugin.sh\n      interactiveMode: Never|" \
  "$work/sim.kubeconfig" >"$work/kubeconfig"
export KUBECONFIG="$work/kubeconfig" KUBECACHEDIR="$work/kube-cache"

manual='pod=$(kubectl get pods | grep coderd- | awk '"'"'{print $1}'"'"' | head -n1); kubectl exec "$pod" -- coderd reset-admin-password'
runs_of() {
  : >"$work/runs"
  bash -c "$1" </dev/null >/dev/null 2>&1
  wc -l <"$work/runs"
}
plugin_runs=$(runs_of "$bin reset-admin-password --yes")
manual_runs=$(runs_of "$manual")

hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/plugin.json" \
  "$bin reset-admin-password --yes" >/dev/null
hyperfine --warmup 1 --runs "$runs" --shell bash --export-json "$work/manual.json" \
  "$manual" >/dev/null
stat() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f ms (%.0f / %d)" % (r["median"]*1000, r["min"]*1000, len(r["times"])))' "$1"; }

printf '\nCredential plugin taking %s s; %s runs each.\n\n' "$delay" "$runs"
printf '| command | wall time, median (min / runs) | plugin runs |\n|---|---:|---:|\n'
printf '| `kubectl-coder reset-admin-password --yes` | %s | %s |\n' "$(stat "$work/plugin.json")" "$plugin_runs"
printf '| docs procedure (`kubectl get pods \\| grep \\| awk \\| head` + `kubectl exec`) | %s | %s |\n' "$(stat "$work/manual.json")" "$manual_runs"
if [ "${BENCH_STRICT:-}" = 1 ] && [ "$plugin_runs" -ne 1 ]; then
  echo "MISS: the plugin ran $plugin_runs times for one reset" >&2
  exit 1
fi
