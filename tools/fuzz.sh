#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_<name>.cpp) with clang,
# AddressSanitizer and UBSan in build-fuzz/ and runs each for FUZZ_SECONDS
# (default 30), FUZZ_JOBS at a time (default: the number of cores), starting
# from its seed corpus in tests/fuzz/corpus/<name>/.
#
#   FUZZ_SECONDS=60 tools/fuzz.sh               every target
#   FUZZ_SECONDS=60 tools/fuzz.sh fuzz_npy ...  only these
#
# A target with a dictionary of keywords (tests/fuzz/<name>.dict: fuzz_ply's
# header words) gets it passed with -dict.
# New interesting inputs go to build-fuzz/corpus/<name>/ (kept between runs),
# logs to build-fuzz/logs/<name>.log. A crash, leak, timeout (10 s per input)
# or allocation over 2 GB leaves its input in build-fuzz/crashes/ and makes the
# script exit non-zero after printing one summary line per target and the
# failing target's report. To replay a crash in the regular build:
#   build/tests/fuzz/test_fuzz_<name> build-fuzz/crashes/<name>-crash-...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-30}"
jobs="${FUZZ_JOBS:-$(nproc)}"
build="$root/build-fuzz"
"$root/tools/bootstrap.sh"

if [ $# -gt 0 ]; then
  targets="$*"
else
  targets=$(cd "$root/tests/fuzz" && ls fuzz_*.cpp 2>/dev/null | sed 's/\.cpp$//' || true)
fi
[ -n "$targets" ] || { echo "fuzz: no targets"; exit 0; }

started=$(date +%s)
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DBASIN_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# shellcheck disable=SC2086
if ! cmake --build "$build" --target $targets >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log"
  echo "fuzz: building the fuzz targets failed (log: $build/build.log)"
  exit 1
fi
echo "fuzz: built $(echo $targets | wc -w) targets in $(( $(date +%s) - started ))s;" \
     "running each for ${seconds}s, $jobs at a time"
mkdir -p "$build/logs" "$build/crashes"

# Runs one target; its exit status is libFuzzer's (0: no finding).
run_one() {
  local t="$1" name="${1#fuzz_}"
  mkdir -p "$build/corpus/$name"
  # A target's keywords (tests/fuzz/<name>.dict, libFuzzer's format) when it has some.
  local dict=()
  [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
  (cd "$build" && "./tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 "${dict[@]}" \
      -artifact_prefix="$build/crashes/$name-" \
      "$build/corpus/$name" "$root/tests/fuzz/corpus/$name") >"$build/logs/$name.log" 2>&1
}

# One line per target: runs, speed, coverage, corpus, verdict.
summarize() {
  local t="$1" status="$2" log="$build/logs/${1#fuzz_}.log"
  local runs speed cov corp
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  if [ "$status" -eq 0 ]; then
    printf 'fuzz: %-22s ok     %9s runs %7s/s  cov %5s  corpus %5s\n' \
      "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${corp:-?}"
  else
    printf 'fuzz: %-22s FAILED (exit %s) after %s runs; log %s\n' "$t" "$status" "${runs:-?}" "$log"
  fi
}

declare -A pids
failed=()
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" &
  pids[$t]=$!
done
for t in $targets; do
  status=0
  wait "${pids[$t]}" || status=$?
  summarize "$t" "$status"
  [ "$status" -eq 0 ] || failed+=("$t")
done
for t in "${failed[@]}"; do
  echo "---- $t: end of $build/logs/${t#fuzz_}.log"
  grep -v '^#[0-9]' "$build/logs/${t#fuzz_}.log" | tail -n 40
done
echo "fuzz: done in $(( $(date +%s) - started ))s"
[ ${#failed[@]} -eq 0 ]
