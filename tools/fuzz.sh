#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UBSan) in
# build-fuzz/ and runs each for FUZZ_SECONDS (default 30), starting from its
# seed corpus in tests/fuzz/corpus/<name>/. New interesting inputs go to
# build-fuzz/corpus/<name>/; a crash leaves its input in build-fuzz/ and fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-30}"
"$root/tools/bootstrap.sh"
CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DBASIN_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=$(cd "$root/tests/fuzz" && ls fuzz_*.cpp 2>/dev/null | sed 's/\.cpp$//')
[ -n "$targets" ] || { echo "fuzz: no targets"; exit 0; }
cmake --build "$root/build-fuzz" --target $targets
status=0
for t in $targets; do
  name="${t#fuzz_}"
  work="$root/build-fuzz/corpus/$name"
  mkdir -p "$work"
  echo "fuzz: $t for ${seconds}s"
  if ! (cd "$root/build-fuzz" && "./tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 "$work" "$root/tests/fuzz/corpus/$name" 2>&1 | tail -n 12); then
    status=1
  fi
done
exit $status
