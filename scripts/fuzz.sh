#!/usr/bin/env bash
# Random fuzz exploration: builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan)
# and runs each one for SECONDS_PER_TARGET (default 60), mutating its committed inputs. NOT part
# of the test run: scripts/test.sh replays the committed corpora and regression inputs through
# ctest (fuzz_replay.<target>) and never explores. Each run takes a different random walk, so a
# finding here is new information, not a broken build. See docs/fuzzing.md.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Exits non-zero when the build fails or any target finds a crash, a leak, a timeout or a
# sanitizer report, and prints the input and how to make it a regression input.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2; }
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (scripts/setup.sh installs clang)" >&2; exit 1; }

build=build/fuzz
cmake --preset fuzz >/dev/null
# A target that does not build fails the run, but the others still run (-k 0).
build_failed=0
cmake --build --preset fuzz -- -k 0 || build_failed=1

if (($#)); then targets=("$@"); else mapfile -t targets <"$build/fuzz_targets.txt"; fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
for t in "${targets[@]}"; do
  seeds="tests/fuzz/corpus/$t"          # committed seeds, read only
  regressions="tests/fuzz/regressions/$t"  # committed reproducers of fixed bugs, read only
  work="$build/corpus/$t"               # what the fuzzer finds is kept here, between runs
  crashes="$build/crashes/$t"
  mkdir -p "$work" "$crashes"
  inputs=("$work" "$seeds")
  [ -d "$regressions" ] && inputs+=("$regressions")
  log="$build/logs/$t.log"
  mkdir -p "$(dirname "$log")"
  if [ ! -x "$build/tests/fuzz/$t" ]; then
    failed+=("$t")
    echo "fuzz: $t did not build" >&2
    continue
  fi
  echo "fuzz: $t for ${seconds}s"
  if "$build/tests/fuzz/$t" "${inputs[@]}" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$crashes/" </dev/null >"$log" 2>&1; then
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    added=$(sed -n 's/^stat::new_units_added: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "  ${units:-?} inputs run (${rate:-?}/s), ${added:-?} new"
  else
    failed+=("$t")
    echo "fuzz: $t FAILED; log $log" >&2
    grep -E "^==[0-9]+==ERROR|runtime error|SUMMARY|deadly signal|Test unit written to" "$log" >&2 || tail -20 "$log" >&2
    for f in "$crashes"/*; do
      [ -e "$f" ] || continue
      cat >&2 <<MSG
  input: $f
    reproduce:  $build/tests/fuzz/$t $f
    minimize:   $build/tests/fuzz/$t -minimize_crash=1 -runs=100000 $f
    then keep it as a regression input, fix the bug, and check that the test run replays it:
                cp $f tests/fuzz/regressions/$t/<what-it-is>
                cmake --build build/asan --target ${t}_replay && ctest --test-dir build/asan -R 'fuzz_replay\.$t\$'
MSG
    done
  fi
done

if ((${#failed[@]} || build_failed)); then
  ((build_failed)) && echo "fuzz: the build failed (see above)" >&2
  ((${#failed[@]})) && echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no findings"
