#!/usr/bin/env bash
# README command 2: set up, build (warnings are errors), run every test, then
# fuzz every parser for a bounded time (FUZZ_SECONDS per target, default 20;
# FUZZ_SECONDS=0 skips fuzzing). GUI/GL tests start their own Xvfb when there
# is no display. Extra arguments go to ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/build.sh" -DBASIN_WARNINGS_AS_ERRORS=ON
cd "$root/build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600 "$@"
if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
  FUZZ_SECONDS="${FUZZ_SECONDS:-20}" "$root/tools/fuzz.sh"
fi
