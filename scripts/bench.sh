#!/usr/bin/env bash
# Benchmarks kubectl-coder against the docs' manual procedure with the real kubectl, on the
# kubesim API server simulator (127.0.0.1 only), with no added delay and with a per-request
# delay that models a remote cluster. One command from a fresh checkout:
#
#   scripts/bench.sh
#
# It builds the release binaries, installs hyperfine (Debian package) if missing, and prints
# medians, ratios, peak RSS, binary sizes, API requests per command and PASS/MISS per target.
# Results (hyperfine JSON, request lists, summary.md) go to $BENCH_OUT
# (default target/bench/<date>-<time>). Knobs (environment):
#   BENCH_DELAYS="0 20"   per-request delays in ms, one simulator run each
#   BENCH_WARMUP=3        hyperfine warmup runs per command
#   BENCH_MIN_RUNS=30     hyperfine minimum runs per command (max: BENCH_MAX_RUNS=300)
#   BENCH_PROXY_RTT=20    extra phase through scripts/bench/latency_proxy.py (empty: skip)
#   BENCH_STRICT=1        exit 1 when a target is missed (default: report only)
# Also counted: TCP+TLS connections per command (strace, when installed), because the
# simulator's delay applies per request, not per connection set-up.
# The plugin runs with the environment as the user has it: RUST_BACKTRACE is NOT changed, and
# the summary says which setting was in effect.
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

delays="${BENCH_DELAYS:-0 20}"
warmup="${BENCH_WARMUP:-3}"
min_runs="${BENCH_MIN_RUNS:-30}"
max_runs="${BENCH_MAX_RUNS:-300}"
out="${BENCH_OUT:-$top/target/bench/$(date +%Y%m%d-%H%M%S)}"
kubectl_real=/usr/lib/google-cloud-sdk/bin/kubectl.1.32

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------------------------
apt_install() {
  local pkg="$1" sudo=""
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null && sudo="sudo"; } ||
    die "$pkg is missing and we are not root (install it: apt-get install $pkg)"
  say "installing $pkg with apt-get"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" >/dev/null
}
command -v hyperfine >/dev/null || apt_install hyperfine
[ -x /usr/bin/time ] || apt_install time
command -v python3 >/dev/null || apt_install python3
command -v kubectl >/dev/null || die "kubectl is not on PATH"
command -v timeout >/dev/null || die "timeout (coreutils) is missing"

say "building: cargo build --release -p kubectl-coder -p kubesim"
cargo build --release -p kubectl-coder -p kubesim
bin="$top/target/release/kubectl-coder"
sim_bin="$top/target/release/kubesim"

mkdir -p "$out"
work="$(mktemp -d)"
sim_pid=""
proxy_pid=""
stop_proxy() {
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
    proxy_pid=""
  fi
}
stop_sim() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    sim_pid=""
  fi
}
cleanup() { stop_proxy; stop_sim; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- facts that do not depend on the simulator -----------------------------------------------
facts="$out/facts.txt"
{
  echo "date=$(date)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "mem_total=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rust_backtrace=${RUST_BACKTRACE-<unset>}"
  echo "rustc=$(rustc --version 2>/dev/null || echo '?')"
  echo "hyperfine=$(hyperfine --version)"
  echo "kubectl_dispatcher=$(command -v kubectl) ($(kubectl version --client 2>/dev/null | head -n1))"
  echo "plugin_version=$("$bin" version 2>/dev/null | head -n1 || echo '?')"
  echo "bin_size=$(stat -c %s "$bin")"
  if [ -e "$kubectl_real" ]; then echo "kubectl_size=$(stat -c %s "$kubectl_real")"; fi
  echo "kubectl_path=$kubectl_real"
  echo "delays=$delays"
} >"$facts"

# The docs' manual procedure, as one `bash -c` command (the user's shell is part of it).
manual='pod=$(kubectl get pods | grep coderd- | awk '\''{print $1}'\'' | head -n1); kubectl exec "$pod" -- coderd reset-admin-password'
# hyperfine -N splits its command with POSIX shell-word rules: double-quote the script.
manual_q="${manual//\\/\\\\}"
manual_q="${manual_q//\"/\\\"}"
manual_q="${manual_q//\$/\\\$}"

# Requests the simulator logged while running "$@" once (stdin /dev/null, output discarded).
count_requests() {
  local log="$1" name="$2"; shift 2
  local before after
  before=$(wc -l <"$log")
  timeout 60 "$@" </dev/null >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; die "$name failed"; }
  sleep 0.2 # the simulator logs a request after answering it
  after=$(wc -l <"$log")
  sed -n "$((before + 1)),${after}p" "$log" |
    python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    print(d["method"], d["uri"], d["status"], d.get("user_agent") or "-")' \
    >"$out/requests-d$delay-$name.txt"
  echo "requests_d${delay}_${name}=$((after - before))" >>"$facts"
}

# Peak RSS (KiB) over a few runs under /usr/bin/time -v.
peak_rss() {
  local name="$1" max=0 kb; shift
  for _ in 1 2 3 4 5; do
    timeout 60 /usr/bin/time -v -o "$work/time.txt" "$@" </dev/null >/dev/null 2>&1 ||
      die "$name failed under /usr/bin/time"
    kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
    [ "$kb" -gt "$max" ] && max=$kb
  done
  echo "rss_d${delay}_${name}=$max" >>"$facts"
}

# Starts kubesim (scenario v1, namespace coder) with a per-request delay, in $d.
start_sim() {
  d="$work/d$1"
  mkdir -p "$d"
  log="$d/requests.jsonl"
  : >"$log"
  "$sim_bin" --scenario v1 --namespace coder --kubeconfig "$d/kubeconfig" --delay-ms "$1" \
    --request-log "$log" --exit-after 900 >"$d/ready" 2>"$d/kubesim.log" &
  sim_pid=$!
  for _ in $(seq 100); do grep -q READY "$d/ready" 2>/dev/null && break; sleep 0.1; done
  grep -q 'READY https://127.0.0.1:' "$d/ready" || { cat "$d/kubesim.log" >&2; die "kubesim did not start"; }
  sim_url="$(awk '/^READY/ {print $2; exit}' "$d/ready")"
}

# TCP connections to the simulator opened while running "$@" once.
count_connections() {
  local name="$1" port; shift
  port="${sim_url##*:}"
  timeout 60 strace -f -qq -e trace=connect -o "$work/strace.txt" "$@" </dev/null >/dev/null 2>&1 ||
    die "$name failed under strace"
  echo "connections_d${delay}_${name}=$(grep -c "htons($port)" "$work/strace.txt" || true)" >>"$facts"
}

for delay in $delays; do
  say "simulator: scenario v1, namespace coder, --delay-ms $delay"
  start_sim "$delay"

  # The plugin and kubectl see the same kubeconfig; kubectl finds kubectl-coder on PATH; a
  # private kubectl cache dir (discovery + HTTP cache) keeps ~/.kube/cache untouched and lets
  # the first manual run show kubectl's cold-cache requests.
  export KUBECONFIG="$d/kubeconfig" KUBECACHEDIR="$d/kube-cache"
  export PATH="$top/target/release:$PATH"

  count_requests "$log" manual_cold bash -c "$manual"
  count_requests "$log" manual bash -c "$manual"
  count_requests "$log" reset "$bin" reset-admin-password --yes
  count_requests "$log" reset_via_kubectl kubectl coder reset-admin-password --yes
  count_requests "$log" status "$bin" status

  if command -v strace >/dev/null; then
    count_connections reset "$bin" reset-admin-password --yes
    count_connections manual bash -c "$manual"
  fi

  peak_rss reset "$bin" reset-admin-password --yes
  peak_rss reset_via_kubectl kubectl coder reset-admin-password --yes
  peak_rss manual bash -c "$manual"

  say "hyperfine (delay $delay ms, warmup $warmup, runs $min_runs..$max_runs)"
  timeout 600 hyperfine -N --style basic --warmup "$warmup" --min-runs "$min_runs" \
    --max-runs "$max_runs" --export-json "$out/hyperfine-d$delay.json" \
    -n reset "$bin reset-admin-password --yes" \
    -n reset_via_kubectl "kubectl coder reset-admin-password --yes" \
    -n manual "bash -c \"$manual_q\"" \
    -n status "kubectl coder status" \
    -n status_direct "$bin status" \
    -n help "$bin --help" \
    -n kubectl_version "kubectl version --client" \
    </dev/null | tee "$out/hyperfine-d$delay.txt" >&2

  if [ "$delay" = "0" ]; then
    # Peak RSS of an error exit (namespace not found, exit 3), with the inherited setting.
    max=0
    for _ in 1 2 3 4 5; do
      timeout 60 /usr/bin/time -v -o "$work/time.txt" "$bin" -n nope reset-admin-password --yes \
        </dev/null >/dev/null 2>&1 || true
      kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
      [ "$kb" -gt "$max" ] && max=$kb
    done
    echo "rss_error=$max" >>"$facts"
    # The error path, where anyhow captures a backtrace when RUST_BACKTRACE=1 (exit 3).
    timeout 300 hyperfine -N --style basic -i --warmup "$warmup" --min-runs "$min_runs" \
      --max-runs "$max_runs" --export-json "$out/hyperfine-errors.json" \
      -n error_as_set "env $bin -n nope reset-admin-password --yes" \
      -n error_backtrace_0 "env RUST_BACKTRACE=0 $bin -n nope reset-admin-password --yes" \
      -n error_backtrace_1 "env RUST_BACKTRACE=1 $bin -n nope reset-admin-password --yes" \
      </dev/null | tee "$out/hyperfine-errors.txt" >&2
  fi
  stop_sim
done

# Extra, not a target: a real network puts round trips on TCP and TLS set-up too, which the
# simulator's per-request delay does not. The latency proxy delays every packet by half of
# BENCH_PROXY_RTT ms each way (and connection set-up by one RTT); the simulator adds nothing.
rtt="${BENCH_PROXY_RTT-20}"
if [ -n "$rtt" ] && [ "$rtt" != 0 ]; then
  delay=0
  say "latency proxy: ${rtt} ms round trip on every packet, simulator without delay"
  start_sim 0
  python3 "$top/scripts/bench/latency_proxy.py" "${sim_url##*:}" "$rtt" 900 >"$d/proxy-ready" 2>"$d/proxy.log" &
  proxy_pid=$!
  for _ in $(seq 100); do grep -q READY "$d/proxy-ready" 2>/dev/null && break; sleep 0.1; done
  pport="$(awk '/^READY/ {print $2; exit}' "$d/proxy-ready")"
  [ -n "$pport" ] || { cat "$d/proxy.log" >&2; die "latency proxy did not start"; }
  sed "s#${sim_url}#https://127.0.0.1:${pport}#" "$d/kubeconfig" >"$d/kubeconfig-proxy"
  grep -q "https://127.0.0.1:${pport}" "$d/kubeconfig-proxy" || die "could not point the kubeconfig at the proxy"
  export KUBECONFIG="$d/kubeconfig-proxy" KUBECACHEDIR="$d/kube-cache"
  timeout 600 hyperfine -N --style basic --warmup "$warmup" --min-runs 20 --max-runs 100 \
    --export-json "$out/hyperfine-rtt.json" \
    -n reset "$bin reset-admin-password --yes" \
    -n reset_via_kubectl "kubectl coder reset-admin-password --yes" \
    -n manual "bash -c \"$manual_q\"" \
    -n status_direct "$bin status" \
    </dev/null | tee "$out/hyperfine-rtt.txt" >&2
  echo "proxy_rtt=$rtt" >>"$facts"
  stop_proxy
  stop_sim
fi

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$facts"
say "summary"
python3 "$top/scripts/bench/report.py" "$out" | tee "$out/summary.md"
printf '\n(results in %s)\n' "$out"
if [ "${BENCH_STRICT:-0}" = 1 ] && grep -q '| MISS |' "$out/summary.md"; then exit 1; fi
