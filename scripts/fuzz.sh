#!/usr/bin/env bash
# Fuzzes the output parsers and the password rules (fuzz/, a cargo-fuzz project).
#
#   scripts/fuzz.sh                 # every target, FUZZ_SECONDS (default 60) each
#   scripts/fuzz.sh text_plain      # only the named targets
#   FUZZ_SECONDS=600 FUZZ_SANITIZER=none scripts/fuzz.sh
#
# cargo-fuzz needs nightly-only flags (-Zsanitizer, sanitizer coverage). On a stable-only
# machine RUSTC_BOOTSTRAP=1 lets the stable compiler accept them; it is set here unless
# FUZZ_TOOLCHAIN names a nightly toolchain (e.g. FUZZ_TOOLCHAIN=nightly).
# Seeds come from tests/fixtures/fuzz/<target>/ (kept in git, replayed by
# tests/fuzz_regressions.rs on stable); new corpus entries go to fuzz/corpus/<target>/ and
# crashes to fuzz/artifacts/<target>/. Exits non-zero when a target fails.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-address}"
max_len="${FUZZ_MAX_LEN:-16384}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz" >&2
  cargo install --locked cargo-fuzz
fi

toolchain=()
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
  toolchain=("+${FUZZ_TOOLCHAIN}")
else
  export RUSTC_BOOTSTRAP=1
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
fi

cargo "${toolchain[@]}" fuzz build -s "$sanitizer"

failed=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  seeds="tests/fixtures/fuzz/$target"
  artifacts="fuzz/artifacts/$target"
  mkdir -p "$corpus" "$seeds" "$artifacts"
  echo "fuzz.sh: $target for ${seconds}s" >&2
  log="fuzz/artifacts/$target.log"
  if cargo "${toolchain[@]}" fuzz run -s "$sanitizer" "$target" "$corpus" "$seeds" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)' "$log" | tail -n 1 >&2 || true
  else
    tail -n 40 "$log" >&2
    failed+=("$target")
    for crash in $(grep -oE "Test unit written to [^ ]+" "$log" | awk '{print $NF}' | sort -u); do
      echo "fuzz.sh: $target failed; input saved at $crash" >&2
      echo "  replay: RUSTC_BOOTSTRAP=1 cargo fuzz run -s $sanitizer $target $crash" >&2
      echo "  keep it: cp $crash tests/fixtures/fuzz/$target/ (replayed by tests/fuzz_regressions.rs)" >&2
    done
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]} (logs in fuzz/artifacts/<target>.log)" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s), ${seconds}s each, no failures" >&2
