#!/usr/bin/env bash
# README command 2: set up, build (warnings are errors), and run every test.
# GUI/GL tests start their own Xvfb when there is no display.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/build.sh" -DBASIN_WARNINGS_AS_ERRORS=ON
cd "$root/build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600 "$@"
