#!/bin/sh
# Runs every fuzz target of a libFuzzer build for SECONDS seconds each, from a copy of its seed
# corpus (the repository's corpus is not changed), and prints one line per target: executions
# per second, coverage (edges) and features at the end. A finding stops with the input saved
# as FUZZ_DIR/crash-<target>-*: copy it into testing/fuzz/regressions/<target>/.
# Usage: testing/fuzz/run_fuzz.sh FUZZ_BUILD_DIR SECONDS
set -eu
build=$(cd "$1" && pwd)
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
status=0
summary=""
for target in fuzz_overlap fuzz_surface fuzz_loss fuzz_cli_args fuzz_read; do
  work=$build/fuzz-work/$target
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$here/corpus/$target/"* "$work/corpus/"
  echo "== $target: $seconds s"
  # fuzz_read: ITK's leak is recognised by its full stack (testing/lsan.supp), which only the
  # slow unwinder sees; reports go to files, as standard error is captured while ITK reads
  asan=detect_leaks=1
  [ "$target" != fuzz_read ] || asan=$asan:fast_unwind_on_malloc=0:log_path=$work/sanitizer
  if ! ( cd "$work" && ASAN_OPTIONS=$asan \
      LSAN_OPTIONS=suppressions=$here/../lsan.supp:print_suppressions=0 "$build/bin/$target" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 -artifact_prefix="$build/crash-$target-" \
      corpus >"$work/log" 2>&1 ); then
    status=1
    echo "$target found a failure: see $work/log (and $work/sanitizer.*) and $build/crash-$target-*"
  fi
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
  runs=$(grep 'stat::number_of_executed_units' "$work/log" | awk '{print $2}')
  rate=$(grep 'stat::average_exec_per_sec' "$work/log" | awk '{print $2}')
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  summary="$summary$(printf '%-14s %10s runs %8s exec/s  cov %6s  ft %6s' "$target" "$runs" "$rate" "$cov" "$ft")
"
done
printf '\n%s' "$summary"
exit $status
