#!/usr/bin/env bash
# One-command try-it: builds kubectl-coder and the kubesim API server simulator, starts the
# simulator with a Coder deployment, and runs the plugin through the real kubectl against it.
#   scripts/try-it.sh [v1|v1-legacy|v2]      (default v1)
set -euo pipefail
scenario="${1:-v1}"
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

cargo build --release --quiet -p kubectl-coder -p kubesim
work="$(mktemp -d)"
cleanup() { [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

target/release/kubesim --scenario "$scenario" --namespace coder --kubeconfig "$work/kubeconfig" \
  --exit-after 600 >"$work/ready" 2>"$work/kubesim.log" &
sim_pid=$!
for _ in $(seq 100); do grep -q READY "$work/ready" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$work/ready" || { cat "$work/kubesim.log" >&2; exit 1; }

# kubectl finds plugins on PATH; this puts our freshly built kubectl-coder there.
export PATH="$top/target/release:$PATH" KUBECONFIG="$work/kubeconfig"
run() { printf '\n$ %s\n' "$*"; "$@"; }
run kubectl get pods
run kubectl coder status
case "$scenario" in
  v2) run kubectl coder reset-password alice --yes ;;
  *) run kubectl coder reset-admin-password --yes ;;
esac
