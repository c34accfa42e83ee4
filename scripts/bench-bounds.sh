#!/usr/bin/env bash
# Bounds under hostile output: peak memory and wall time of kubectl-coder against
#  1. a coderd that prints log lines forever and never the password, with --timeout 5s;
#  2. an API server whose pod list is 64 MiB (one pod padded), with --request-timeout 30s.
# Targets: peak RSS under 64 MiB; wall time within the limit given plus 2 s.
# One command from a fresh checkout:
#
#   scripts/bench-bounds.sh
#
# It builds the release binaries, starts the kubesim simulator on 127.0.0.1 for each case,
# and measures with /usr/bin/time -v (installed from Debian's `time` package if missing).
# BOUNDS_RUNS=3 runs per case (the largest RSS and wall time are reported); BENCH_STRICT=1
# exits 1 when a target is missed.
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
runs="${BOUNDS_RUNS:-3}"

say() { printf '==> %s\n' "$*" >&2; }
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

start_sim() {
  stop_sim
  "$sim_bin" --scenario v1 --kubeconfig "$work/kubeconfig" --namespace coder "$@" \
    >"$work/sim.out" 2>"$work/sim.err" &
  sim_pid=$!
  for _ in $(seq 100); do grep -q READY "$work/sim.out" 2>/dev/null && return; sleep 0.1; done
  cat "$work/sim.err" >&2
  echo "the simulator did not start" >&2
  exit 1
}

# Runs the plugin $runs times under /usr/bin/time; prints "<max rss KiB> <max wall s> <exit>".
measure() {
  local max_rss=0 max_wall=0 code=0
  for _ in $(seq "$runs"); do
    set +e
    KUBECONFIG="$work/kubeconfig" /usr/bin/time -v -o "$work/time" "$bin" "$@" \
      </dev/null >"$work/stdout" 2>"$work/stderr"
    code=$?
    set -e
    local rss wall
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time" |
      awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
    max_wall=$(awk -v a="$max_wall" -v b="$wall" 'BEGIN { print (b > a) ? b : a }')
  done
  echo "$max_rss $max_wall $code"
}

report() {
  local name="$1" limit_s="$2" rss_kib="$3" wall="$4" code="$5" want_code="$6"
  local rss_mib verdict="PASS"
  rss_mib=$(awk -v k="$rss_kib" 'BEGIN { printf "%.1f", k / 1024 }')
  awk -v k="$rss_kib" 'BEGIN { exit !(k >= 64 * 1024) }' && verdict="MISS"
  awk -v w="$wall" -v l="$limit_s" 'BEGIN { exit !(w > l + 2) }' && verdict="MISS"
  [ "$code" = "$want_code" ] || verdict="MISS"
  printf '| %s | %s MiB | %s s (limit %s s) | %s (want %s) | %s |\n' \
    "$name" "$rss_mib" "$wall" "$limit_s" "$code" "$want_code" "$verdict"
  [ "$verdict" = PASS ]
}

echo "RUST_BACKTRACE=${RUST_BACKTRACE-<unset>}; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| case | peak RSS | wall time | exit | target |"
echo "|---|---:|---:|---:|---|"
failed=0

start_sim --v1-output endless
read -r rss wall code < <(measure reset-admin-password --yes --timeout 5s)
report "endless coderd output, \`--timeout 5s\`" 5 "$rss" "$wall" "$code" 6 || failed=1
kept=$(wc -c <"$work/stdout")
echo
echo "stdout kept: $kept bytes; $(grep -o '\[\.\.\. [0-9]* bytes ([0-9]* lines) of stdout not kept \.\.\.\]' "$work/stdout" || echo 'no gap note')"
echo
start_sim --pad-pod-lists $((64 << 20))
read -r rss wall code < <(measure status --request-timeout 30s)
report "64 MiB pod list, \`--request-timeout 30s\`" 30 "$rss" "$wall" "$code" 1 || failed=1
stop_sim

if [ "$failed" = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
  exit 1
fi
