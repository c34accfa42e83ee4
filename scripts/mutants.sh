#!/usr/bin/env bash
# Mutation testing of the decision code with cargo-mutants: each mutant is one small planted
# bug (`>=` made `<`, `&&` made `||`, a function returning a default); a mutant that no test
# catches is a hole in the tests. The README's "Mutation testing" section has the results.
#
#   scripts/mutants.sh                          # every file of DECISION_FILES below
#   scripts/mutants.sh src/kube/proxy.rs        # only these files
#   MUTANTS_IN_DIFF=HEAD~1 scripts/mutants.sh   # only the lines changed since that commit (CI)
#   MUTANTS_TESTS=workspace scripts/mutants.sh src/coder/password.rs
#   MUTANTS_SKIP=slow scripts/mutants.sh src/kube/proxy.rs   # without the slow tests (below)
#
# MUTANTS_TESTS=fast (the default) runs only the unit tests of the mutated crate
# (`cargo test --lib`): quick, and a lower bound of what `cargo test --workspace` catches. A
# mutant that the fast run misses can be checked against everything with
# MUTANTS_TESTS=workspace (the end-to-end tests too: slow). Bounded by MUTANTS_MINUTES
# (default 60) in all and MUTANTS_TIMEOUT seconds (default 60) per mutant's tests; results go
# under MUTANTS_OUT (default target/mutants). One job,
# at low priority: the machine is shared. Results: target/mutants/mutants.out/ (caught.txt,
# missed.txt, timeout.txt, unviable.txt, and a diff per mutant). Equivalent mutants are
# excluded, each with its reason, in .cargo/mutants.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

# The pure decisions: plan and outcome, both generations' parsers and coderd v1's API, pod
# choice and pod facts, spec reading, password rules (and the entropy port), kubeconfig
# selection and validation, proxy choice, credentials, the list's paging and retry schedule.
DECISION_FILES=(
  src/coder/password.rs
  passwordvalidator/src/lib.rs
  src/kube/proxy.rs
  src/kube/pod_list.rs
  src/commands/change/plan.rs
  src/commands/change/outcome.rs
  src/coder/locate.rs
  src/coder/skips.rs
  src/coder/pods.rs
  src/coder/target.rs
  src/coder/spec.rs
  src/coder/names.rs
  src/coder/v1.rs
  src/coder/v2.rs
  src/coder/v1_api.rs
  src/kube/select.rs
  src/kube/validation.rs
  src/kube/credentials.rs
  src/kube/kubeconfig.rs
  src/cli/config.rs
)

if ! cargo mutants --version >/dev/null 2>&1; then
  echo "mutants.sh: installing cargo-mutants" >&2
  cargo install --locked cargo-mutants
fi

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=("${DECISION_FILES[@]}")
fi

out_dir="${MUTANTS_OUT:-target/mutants}"
args=(--workspace --jobs 1 --timeout "${MUTANTS_TIMEOUT:-60}" --build-timeout 900
  --output "$out_dir" --no-shuffle)
for file in "${files[@]}"; do
  args+=(--file "$file")
done
# More cargo-mutants options, e.g. MUTANTS_ARGS="--baseline skip" when a loop runs one file at
# a time and the first run has already shown the tests pass unmutated.
read -r -a extra <<<"${MUTANTS_ARGS:-}"
args+=("${extra[@]}")
if [ -n "${MUTANTS_IN_DIFF:-}" ]; then
  mkdir -p "$out_dir"
  git diff "$MUTANTS_IN_DIFF" -- "${files[@]}" >"$out_dir/changes.diff"
  if [ ! -s "$out_dir/changes.diff" ]; then
    echo "mutants.sh: no decision code changed since $MUTANTS_IN_DIFF"
    exit 0
  fi
  args+=(--in-diff "$out_dir/changes.diff")
fi
case "${MUTANTS_TESTS:-fast}" in
  fast) test_args=(--lib) ;;
  workspace) test_args=() ;;
  *) echo "mutants.sh: MUTANTS_TESTS is fast or workspace" >&2; exit 2 ;;
esac
# MUTANTS_SKIP="name ..." leaves out tests (libtest's --skip: a name part) that cannot catch
# a mutant of the files at hand but take most of each run; MUTANTS_SKIP=slow leaves out these,
# 80% of a unit-test run's time (cargo nextest's timings): the v1 parser's and the transcript's
# multi-MiB logs, and the password generator's statistical checks. Fewer tests can only miss
# more: what is caught stays caught, and a miss is checked again without the skips.
SLOW_TESTS=(
  coder::v1::tests::a_password_in_the_middle_of_a_long_log
  coder::v1::tests::ten_mib_of_log_lines_before_the_password
  kube::transcript::tests::endless_output_keeps_a_bounded_head_and_tail
  kube::transcript::tests::lines_to_keep_survive_the_dropped_middle_within_bounds
  coder::password::tests::accepted_candidates_are_nowhere_near_the_entropy_limit
  coder::password::tests::generated_passwords_pass_and_are_distinct
)
[ "${MUTANTS_SKIP:-}" = slow ] && MUTANTS_SKIP="${SLOW_TESTS[*]}"
if [ -n "${MUTANTS_SKIP:-}" ]; then
  test_args+=(--)
  for name in $MUTANTS_SKIP; do
    test_args+=(--skip "$name")
  done
fi

# Builds of the mutated copies share one target dir of their own (the registry crates stay
# built between mutants and runs; the workspace's own target/debug is left alone, so that
# cargo commands run meanwhile do not wait for its lock). MUTANTS_TARGET_DIR=target reuses the
# workspace's (CI, where nothing else builds at the same time).
export CARGO_TARGET_DIR="$PWD/${MUTANTS_TARGET_DIR:-target/mutants}"
# Without debug info a mutant's rebuild links in about 2 s instead of 10 s (measured on this
# two-core machine): the link of the test binary's debug info was most of each mutant's time.
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0
status=0
timeout "${MUTANTS_MINUTES:-60}m" nice -n 15 cargo mutants "${args[@]}" -- "${test_args[@]}" ||
  status=$?
out="$out_dir/mutants.out"
for kind in caught missed timeout unviable; do
  printf '%s: %s\n' "$kind" "$(cat "$out/$kind.txt" 2>/dev/null | wc -l)"
done
if [ -s "$out/missed.txt" ]; then
  echo "missed (no test failed):"
  sed 's/^/  /' "$out/missed.txt"
fi
# cargo-mutants exits 2 when mutants were missed, 3 when some timed out; timeout(1) 124.
exit "$status"
